"""The expert's stills gallery in the participant window, against a real live session on loopback:
"Request still…" of a witness's camera, the still in the gallery, the annotate dialog drawn with
the mouse, the annotation saved beside the untouched original."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from app.core.annotations import parse_annotation
from app.core.participant import Participant
from app.core.runtime import CoreRuntime
from app.core.session import LiveSession
from app.ui.bridge import EventBridge
from app.ui.participant_window import ParticipantWindow
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.app.test_participant_window import CONFIG
from tests.app.test_screenshots import save
from tests.live import entries_now, make_live_session


@pytest.fixture
def bridge() -> Iterator[EventBridge]:
    runtime = CoreRuntime()
    yield EventBridge(runtime)
    runtime.stop()


@pytest.fixture
def live(bridge: EventBridge, tmp_path: Path) -> Iterator[LiveSession]:
    session = make_live_session(tmp_path, "act-2026-0008", action_type="remote_inspection")
    bridge.runtime.submit(session.start()).result(timeout=30)
    yield session
    bridge.runtime.submit(session.stop()).result(timeout=30)


def test_expert_requests_and_annotates_a_still_in_the_window(
    qtbot: QtBot, bridge: EventBridge, live: LiveSession
) -> None:
    assert live.hub is not None
    hub = live.hub
    # a synthetic witness at the scene (an aiortc participant on the core loop)
    issued = live.invite("w1", "witness", "Aigerim Nurlanovna Sadykova")

    async def make_witness() -> Participant:
        clock = SessionClock.start()
        return Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(clock),
            video=SyntheticVideoTrack(clock, shade=80),
        )

    witness = bridge.runtime.submit(make_witness()).result(timeout=10)
    witness_run = bridge.runtime.submit(witness.run())
    qtbot.waitUntil(lambda: hub.participant_state("w1") == "waiting", timeout=15000)
    bridge.runtime.submit(live.admit("w1")).result(timeout=15)

    expert = live.invite("e1", "expert", "Serik Bolatovich Akhmetov")
    window = ParticipantWindow(bridge, CONFIG, language="en")
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.join_button.isEnabled(), timeout=10000)
    window.link.setText(expert.link)
    window.pin.setText(expert.pin)
    window.identity.setText("")
    qtbot.mouseClick(window.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hub.participant_state("e1") == "waiting", timeout=15000)
    bridge.runtime.submit(live.admit("e1")).result(timeout=15)
    qtbot.waitUntil(lambda: "session" in window.state.text().lower(), timeout=15000)
    assert window.stills.isVisible()  # an expert sees the gallery
    p = window.participant
    assert p is not None
    qtbot.waitUntil(lambda: "w1" in p.expert.visible, timeout=15000)

    # Request still…: whose camera, what it shows
    qtbot.mouseClick(window.stills.request_button, Qt.MouseButton.LeftButton)
    dialog = window.request_dialogs[0]
    assert not dialog.ok_button.isEnabled()  # no caption yet
    assert dialog.whom.currentData() == "w1"
    assert dialog.whom.currentText() == "Aigerim Nurlanovna Sadykova"
    dialog.caption.setText("Door lock, marks of a tool")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.stills.items) == 1, timeout=20000)
    item = next(iter(window.stills.items.values()))
    assert (item.number, item.caption, item.participant_id) == (
        1,
        "Door lock, marks of a tool",
        "w1",
    )
    label = window.stills.list.item(0).text()
    assert label.startswith("1. Door lock, marks of a tool\n") and label.count(":") == 2
    still = next(e for e in entries_now(live.action_dir) if e.kind == "still")
    assert still.data["author"] == "e1" and still.data["sha256"] == item.sha256
    original = live.action_dir / still.data["file"]
    sealed = hashlib.sha256(original.read_bytes()).hexdigest()
    assert sealed == item.sha256
    qtbot.waitUntil(lambda: bool(window.tile_labels), timeout=15000)
    save(window, "participant-gallery-en")

    # the annotate dialog: an arrow and a rectangle dragged, a text clicked, a note
    qtbot.mouseClick(window.stills.annotate_button, Qt.MouseButton.LeftButton)
    annotate = window.annotate_dialogs[0]
    qtbot.waitExposed(annotate)
    canvas = annotate.canvas
    assert not annotate.save_button.isEnabled()  # nothing drawn yet
    t = canvas.target()

    def at(fx: float, fy: float) -> QPoint:
        return QPoint(int(t.x() + t.width() * fx), int(t.y() + t.height() * fy))

    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=at(0.1, 0.1))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=at(0.45, 0.4))
    qtbot.mouseClick(annotate.rect_button, Qt.MouseButton.LeftButton)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=at(0.5, 0.3))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=at(0.8, 0.7))
    qtbot.mouseClick(annotate.text_button, Qt.MouseButton.LeftButton)
    annotate.text.setText("Іздер / следы")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at(0.1, 0.8))
    assert [s.kind for s in canvas.shapes] == ["arrow", "rect", "text"]
    assert canvas.shapes[0].points[0] == canvas.to_image(QPointF(at(0.1, 0.1)))
    annotate.note.setPlainText("Marks of a flat tool on the shackle")
    save(annotate, "annotate-still-en")
    qtbot.mouseClick(annotate.save_button, Qt.MouseButton.LeftButton)

    def saved() -> bool:
        return any(e.kind == "annotation_saved" for e in entries_now(live.action_dir))

    qtbot.waitUntil(saved, timeout=15000)
    qtbot.waitUntil(lambda: not annotate.isVisible(), timeout=5000)  # closed when the hub saved
    assert "saved" in window.stills.status.text()
    entry = next(e for e in entries_now(live.action_dir) if e.kind == "annotation_saved")
    assert entry.data["author"] == "e1" and entry.data["still_sha256"] == sealed
    assert entry.data["shapes"] == 3 and entry.data["note"] == "Marks of a flat tool on the shackle"
    annotation = parse_annotation((live.action_dir / entry.data["file"]).read_bytes())
    assert annotation.shapes == tuple(canvas.shapes)
    assert hashlib.sha256(original.read_bytes()).hexdigest() == sealed  # the original unchanged

    qtbot.mouseClick(window.hangup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.ended), timeout=15000)
    assert not window.stills.isVisible()
    bridge.runtime.submit(witness.leave()).result(timeout=10)
    witness_run.result(timeout=15)
