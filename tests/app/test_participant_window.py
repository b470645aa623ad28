"""The desktop participant's window against a real live session on loopback: device check, join
with link and PIN, lobby, session view with the recording indicator, the participant's own
acknowledgment of a procedure text, hang-up."""

from __future__ import annotations

import base64
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.config import Config
from app.core.runtime import CoreRuntime
from app.core.session import LiveSession
from app.ui.bridge import EventBridge
from app.ui.participant_window import ParticipantWindow
from protocol.signing import Pkcs12Signer
from recorder.verify import verify_recording
from tests.app.test_screenshots import save
from tests.live import entries_now, make_live_session
from tests.pki.fixtures import MAIN, PASSWORD

CONFIG = Config(
    values={
        "devices.camera": "synthetic",
        "devices.microphone": "synthetic",
        "network.ice_host_addresses": ("127.0.0.1",),  # media on loopback, as signaling
        "recording.segment_seconds": 1.0,
        "recording.checkpoint_seconds": 5.0,
        "trust.anchors_dir": str(MAIN / "ca"),
    }
)


@pytest.fixture
def bridge() -> Iterator[EventBridge]:
    runtime = CoreRuntime()
    yield EventBridge(runtime)
    runtime.stop()


@pytest.fixture
def live(bridge: EventBridge, tmp_path: Path) -> Iterator[LiveSession]:
    session = make_live_session(tmp_path, "act-2026-0002", trust__anchors_dir=str(MAIN / "ca"))
    bridge.runtime.submit(session.start()).result(timeout=30)
    yield session
    bridge.runtime.submit(session.stop()).result(timeout=30)


def test_expert_joins_acknowledges_and_hangs_up(
    qtbot: QtBot, bridge: EventBridge, live: LiveSession, tmp_path: Path
) -> None:
    expert_iin = Pkcs12Signer(MAIN / "identities" / "expert.p12", PASSWORD).identity.iin
    issued = live.invite("e1", "expert", "Serik Bolatovich Akhmetov", iin=expert_iin)
    window = ParticipantWindow(bridge, CONFIG, language="ru")
    qtbot.addWidget(window)
    window.show()
    assert not window.join_button.isEnabled()  # devices first
    qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.self_label.pixmap() is not None and not window.self_label.pixmap().isNull(),
        timeout=10000,
    )
    window.link.setText(issued.link)
    window.pin.setText(issued.pin)
    window.identity.setText(str(MAIN / "identities" / "expert.p12"))
    window.key_password.setText(PASSWORD)
    qtbot.mouseClick(window.join_button, Qt.MouseButton.LeftButton)
    assert window.pin.text() == "" and window.key_password.text() == ""  # nothing stays on screen

    assert live.hub is not None
    qtbot.waitUntil(lambda: live.hub.participant_state("e1") == "waiting", timeout=15000)
    qtbot.waitUntil(lambda: "admit" in window.state.text().lower(), timeout=5000)
    bridge.runtime.submit(live.admit("e1")).result(timeout=15)
    qtbot.waitUntil(lambda: "session" in window.state.text().lower(), timeout=15000)
    qtbot.waitUntil(lambda: "RECORDING" in window.rec.text(), timeout=5000)
    qtbot.waitUntil(lambda: bool(window.tile_labels), timeout=15000)  # the investigator's video
    save(window, "participant-en")

    # the investigator asks the expert to prove who they are: their app signs the challenge
    bridge.runtime.submit(live.request_certificate("e1")).result(timeout=10)
    qtbot.waitUntil(lambda: "e1" in live.certificates, timeout=15000)
    assert live.certificates["e1"].accepted, live.certificates["e1"].message

    # the investigator shows the confidentiality warning; the expert acknowledges it themselves
    bridge.runtime.submit(
        live.start_step("confidentiality", deviation_reason="expert joins for this part only")
    ).result(timeout=10)
    bridge.runtime.submit(live.request_acknowledgment("e1", "confidentiality")).result(10)
    qtbot.waitUntil(lambda: bool(window.text_dialogs), timeout=15000)
    dialog = window.text_dialogs[0]
    assert "201" in dialog.text.toPlainText() or dialog.text.toPlainText()
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # no name typed: nothing is sent
    dialog.name.setText("Serik Bolatovich Akhmetov")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)

    def acknowledged() -> bool:
        return any(e.kind == "acknowledgment" for e in entries_now(live.action_dir))

    qtbot.waitUntil(acknowledged, timeout=15000)
    step = live.procedure.procedure.step("confidentiality")
    entry = next(e for e in entries_now(live.action_dir) if e.kind == "acknowledgment")
    assert entry.data["participant"] == "e1" and entry.data["method"] == "signature"
    # the signature is over exactly the text shown, checkable by anyone with openssl
    text = tmp_path / "shown.txt"
    text.write_bytes(unicodedata.normalize("NFC", step.shown_text("ru")).encode("utf-8"))
    sig = tmp_path / "ack.p7s"
    sig.write_bytes(base64.b64decode(entry.data["signature"]))
    check = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(sig),
            "-content",
            str(text),
            "-CAfile",
            str(MAIN / "ca" / "chain.pem"),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert entry.data["text_sha256"] == step.text_sha256("ru")

    qtbot.mouseClick(window.hangup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.ended), timeout=15000)
    assert window.rec.text() == ""
    # the hub logs the departure as it announces it: wait for the entry, not only the window
    qtbot.waitUntil(
        lambda: "participant_left" in [e.kind for e in entries_now(live.action_dir)],
        timeout=10000,
    )
    bridge.runtime.submit(live.stop()).result(timeout=30)
    report = verify_recording(live.action_dir)
    assert report.ok, report.summary()
