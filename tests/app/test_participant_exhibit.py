"""The desktop participant's window shows an exhibit on its own tile, with its title, while the
investigator's camera goes on; a real live session on loopback (LiveSession, hub, recorder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.session import LiveSession
from app.ui.bridge import EventBridge
from app.ui.participant_window import EXHIBIT, ParticipantWindow
from tests.app.test_participant_window import CONFIG, bridge, live
from tests.app.test_screenshots import save
from tests.live import entries_now

__all__ = ["bridge", "live"]  # fixtures


def test_participant_window_shows_exhibit_beside_the_camera(
    qtbot: QtBot, bridge: EventBridge, live: LiveSession, tmp_path: Path
) -> None:
    issued = live.invite("s1", "specialist", "Dana Specialist")
    window = ParticipantWindow(bridge, CONFIG, language="en")
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.join_button.isEnabled, timeout=10000)
    window.link.setText(issued.link)
    window.pin.setText(issued.pin)
    window.identity.setText("")
    qtbot.mouseClick(window.join_button, Qt.MouseButton.LeftButton)
    hub = live.hub
    assert hub is not None
    qtbot.waitUntil(lambda: hub.participant_state("s1") == "waiting", timeout=15000)
    bridge.runtime.submit(live.admit("s1")).result(timeout=15)
    qtbot.waitUntil(lambda: "1-video" in window.tile_labels, timeout=15000)
    assert not window.exhibit_box.isVisible()
    participant = window.participant
    assert participant is not None

    picture = tmp_path / "IMG_0042.png"
    Image.new("RGB", (800, 600), (30, 200, 60)).save(picture)
    bridge.runtime.submit(
        live.show_exhibit(picture, ["s1"], title="Knife found in the yard")
    ).result(timeout=15)
    qtbot.waitUntil(window.exhibit_box.isVisible, timeout=15000)
    assert window.exhibit_label.text() == "Exhibit 1: Knife found in the yard"
    qtbot.waitUntil(lambda: EXHIBIT in window.remote, timeout=15000)
    shown = window.remote[EXHIBIT]
    h, w = shown.shape[:2]
    r, g, b = shown[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].reshape(-1, 3).mean(axis=0)
    assert g > 150 and r < 90 and b < 110, (r, g, b)  # the picture, decoded
    assert w == 800 and h == 600
    frames = dict(participant.stats.frames)  # both tracks go on
    qtbot.waitUntil(
        lambda: (
            participant.stats.frames.get("1-video", 0) > frames.get("1-video", 0) + 10
            and participant.stats.frames.get(EXHIBIT, 0) > frames.get(EXHIBIT, 0) + 10
        ),
        timeout=15000,
    )
    qtbot.waitUntil(lambda: not window.exhibit_view.pixmap().isNull(), timeout=5000)
    assert EXHIBIT not in window.tile_labels  # not among the small tiles
    assert window.exhibit_view.width() > window.tile_labels["1-video"].width()
    save(window, "participant-exhibit-en")

    bridge.runtime.submit(live.stop_exhibit()).result(timeout=15)
    qtbot.waitUntil(lambda: not window.exhibit_box.isVisible(), timeout=15000)
    camera = participant.stats.frames.get("1-video", 0)
    qtbot.waitUntil(lambda: participant.stats.frames.get("1-video", 0) > camera + 10, timeout=15000)
    assert window.remote["1-video"].shape[1] == 320 and np.asarray(window.remote["1-video"]).any()
    shown_entry = next(e for e in entries_now(live.action_dir) if e.kind == "exhibit_shown")
    assert shown_entry.data["title"] == "Knife found in the yard"
    assert shown_entry.data["name"] == "IMG_0042.png"
    qtbot.mouseClick(window.hangup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.ended), timeout=15000)
