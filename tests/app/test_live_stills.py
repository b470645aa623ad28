"""The investigator sees the expert's work live: the live window's Stills dock against a real live
session on loopback (aiortc witness and specialist on the core loop). Stills and annotations are
listed as they are logged; a still opens with the annotations drawn on a copy; a sealed file that
changed on disk is said, not shown."""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.core.annotations import Shape
from app.core.participant import Participant
from app.core.runtime import CoreRuntime
from app.core.session import LiveSession
from app.ui.bridge import EventBridge
from app.ui.live_window import LiveWindow, PlannedPerson
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.app.test_screenshots import save
from tests.live import entries_now, make_live_session

WITNESS = "Aigerim Nurlanovna Sadykova"
SPECIALIST = "Serik Bolatovich Akhmetov"
DOOR = "Warehouse door, lock with tool marks"
SHACKLE = "Shackle of the lock, close up"


@pytest.fixture
def bridge() -> Iterator[EventBridge]:
    runtime = CoreRuntime()
    yield EventBridge(runtime)
    runtime.stop()


@pytest.fixture
def live(bridge: EventBridge, tmp_path: Path) -> Iterator[LiveSession]:
    session = make_live_session(tmp_path, "act-2026-0081", action_type="remote_inspection")
    session.add_listener(bridge.listener)  # as the app does (app/ui/live_start.py)
    bridge.runtime.submit(session.start()).result(timeout=30)
    yield session
    bridge.runtime.submit(session.stop()).result(timeout=30)


def _join(
    qtbot: QtBot, bridge: EventBridge, live: LiveSession, pid: str, role: str, name: str
) -> tuple[Participant, concurrent.futures.Future[Any]]:
    issued = live.invite(pid, role, name)

    async def make() -> Participant:
        clock = SessionClock.start()
        return Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(clock),
            video=SyntheticVideoTrack(clock, shade=80),
        )

    person = bridge.runtime.submit(make()).result(timeout=10)
    running = bridge.runtime.submit(person.run())
    assert live.hub is not None
    hub = live.hub
    qtbot.waitUntil(lambda: hub.participant_state(pid) == "waiting", timeout=15000)
    bridge.runtime.submit(live.admit(pid)).result(timeout=15)
    qtbot.waitUntil(lambda: hub.participant_state(pid) == "connected", timeout=20000)
    return person, running


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"), dtype=np.int16)


def _red_near(image: QImage, x: int, y: int) -> bool:
    """The annotation colour (215, 38, 61) within a pixel of (x, y)."""
    return any(
        (c := image.pixelColor(x + dx, y + dy)).red() > 180 and c.green() < 80
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    )


def test_stills_and_annotations_appear_live_and_open_drawn(
    qtbot: QtBot, bridge: EventBridge, live: LiveSession
) -> None:
    planned = [
        PlannedPerson("w1", "witness", WITNESS),
        PlannedPerson("s1", "specialist", SPECIALIST),
    ]
    window = LiveWindow(live, bridge, "w1", planned)
    qtbot.addWidget(window)
    window.show()
    panel = window.stills
    assert panel.isVisible() and panel.tree.topLevelItemCount() == 0 and panel.empty.isVisible()
    witness, witness_run = _join(qtbot, bridge, live, "w1", "witness", WITNESS)
    specialist, specialist_run = _join(qtbot, bridge, live, "s1", "specialist", SPECIALIST)
    qtbot.waitUntil(lambda: "w1" in specialist.expert.visible, timeout=15000)

    # the investigator takes a still, the specialist asks for another: both listed as logged
    bridge.runtime.submit(live.request_still("w1", "scene", DOOR)).result(timeout=10)
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 1, timeout=20000)
    asked = bridge.runtime.submit(specialist.expert.request_still("w1", SHACKLE)).result(20)
    assert asked.ok, asked
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 2, timeout=20000)
    rows = [panel.tree.topLevelItem(i) for i in range(2)]
    assert [(r.text(0), r.text(1).splitlines()[0]) for r in rows if r] == [
        ("1", DOOR),
        ("2", SHACKLE),
    ]
    for row, by in zip(rows, ("You", SPECIALIST), strict=True):
        assert row is not None
        _, camera, when = row.text(1).splitlines()
        at, author = when.split(" · ")
        assert (camera, author) == (f"camera: {WITNESS}", f"by {by}")
        assert len(at) == 8 and at.count(":") == 2  # local HH:MM:SS
    assert not panel.empty.isVisible()
    door = next(
        e for e in entries_now(live.action_dir) if e.kind == "still" and e.data["caption"] == DOOR
    )
    original = live.action_dir / door.data["file"]
    sealed = original.read_bytes()

    # the specialist annotates still No. 1; the row gets the annotation, by whom, when
    qtbot.waitUntil(lambda: len(specialist.expert.stills) == 2, timeout=20000)
    first = bridge.runtime.submit(
        specialist.expert.annotate(
            door.data["sha256"],
            [Shape("rect", ((100, 100), (300, 260))), Shape("text", ((60, 400),), "Іздер")],
            "Tool marks on the shackle",
        )
    ).result(20)
    assert first.ok, first
    door_row = panel.tree.topLevelItem(0)
    assert door_row is not None
    qtbot.waitUntil(lambda: door_row.childCount() == 1, timeout=10000)
    note = door_row.child(0)
    assert note is not None and door_row.isExpanded()
    head, by = note.text(1).splitlines()
    assert head == "Annotation, marks: 2 — Tool marks on the shackle"
    assert by.endswith(f" · by {SPECIALIST}") and by[:8].count(":") == 2
    assert "evidence/annotation-001-s1.json" in note.toolTip(1)
    assert panel.tree.topLevelItem(1).childCount() == 0  # type: ignore[union-attr]

    # opening still No. 1 shows the marks drawn on a copy; the original is untouched
    panel.tree.setCurrentItem(door_row)
    viewer = panel.open_selected()
    assert viewer is not None
    qtbot.waitUntil(lambda: viewer.drawn == 1, timeout=15000)
    assert viewer.windowTitle() == f"Still No. 1 — {DOOR}"
    assert SPECIALIST in viewer.details.text() and door.data["sha256"] in viewer.details.text()
    assert "original still is unchanged" in viewer.status.text()
    assert (viewer.image.width(), viewer.image.height()) == (640, 480)
    plain = _pixels(sealed)
    assert _red_near(viewer.image, 100, 180)  # the rectangle's left edge, drawn on the copy
    assert not (plain[179:182, 99:102, 0] > 180).all()  # ... and not in the original
    assert not _red_near(viewer.image, 200, 180)  # inside the rectangle: the still as it was
    assert original.read_bytes() == sealed
    save(window, "live-stills-en")
    save(viewer, "live-still-viewer-en")

    # a second annotation while the viewer is open: listed, and the open viewer redraws
    second = bridge.runtime.submit(
        specialist.expert.annotate(door.data["sha256"], [Shape("arrow", ((600, 40), (420, 200)))])
    ).result(20)
    assert second.ok, second
    qtbot.waitUntil(lambda: door_row.childCount() == 2 and viewer.drawn == 2, timeout=15000)
    assert door_row.child(1).text(1).startswith("Annotation, marks: 1\n")  # type: ignore[union-attr]
    assert _red_near(viewer.image, 510, 120)  # on the arrow's shaft
    assert hashlib.sha256(original.read_bytes()).hexdigest() == door.data["sha256"]

    # an annotation file altered on disk is refused with the reason, never drawn
    altered = live.action_dir / "evidence" / "annotation-002-s1.json"
    altered.write_bytes(altered.read_bytes().replace(b"420", b"421"))
    refused = panel.open_selected()
    assert refused is not None
    qtbot.waitUntil(lambda: "cannot be shown" in refused.status.text(), timeout=15000)
    assert "annotation evidence/annotation-002-s1.json has SHA-256" in refused.status.text()
    assert refused.drawn == 0 and refused.image.isNull()

    bridge.runtime.submit(specialist.leave()).result(timeout=10)
    bridge.runtime.submit(witness.leave()).result(timeout=10)
    specialist_run.result(timeout=15)
    witness_run.result(timeout=15)
    for viewer in panel.viewers:  # top-level dialogs: closed here, not by PySide's exit handler
        viewer.close()
        viewer.deleteLater()
