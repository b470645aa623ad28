"""Finishing an action in the GUI: protocol preview, signature, verified container in the outbox."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.finish import Documents
from app.core.runtime import CoreRuntime
from app.ui.bridge import EventBridge
from app.ui.finish_window import FinishWindow
from protocol.signing import Pkcs12Signer
from tests.pki.fixtures import MAIN, PASSWORD, anchors_dir

IDENTITY = MAIN / "identities" / "investigator.p12"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rec")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "record",
            "--synthetic",
            "1",
            "--seconds",
            "3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def bridge() -> Iterator[EventBridge]:
    runtime = CoreRuntime()
    yield EventBridge(runtime)
    runtime.stop()


async def _documents(action_dir: Path) -> Documents:
    from app.commands.demo import protocol_documents

    iin = Pkcs12Signer(IDENTITY, PASSWORD).identity.iin
    pdf, doc = await protocol_documents(action_dir, action_dir.name, "ru", iin)
    return Documents(pdf, doc, action_dir.name)


def _window(qtbot: QtBot, bridge: EventBridge, recording: Path, tmp_path: Path) -> FinishWindow:
    window = FinishWindow(
        bridge,
        recording,
        lambda: _documents(recording),
        identity=str(IDENTITY),
        outbox=tmp_path / "outbox",
        erdr_number="123456789012345",
        action_type="remote_interrogation_witness",
        trust_anchors_dir=anchors_dir(tmp_path),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sign_button.isEnabled() or bool(window.errors), timeout=30000)
    assert not window.errors, window.errors
    return window


def test_preview_sign_verify_outbox(
    qtbot: QtBot, bridge: EventBridge, recording: Path, tmp_path: Path
) -> None:
    window = _window(qtbot, bridge, recording, tmp_path)
    assert window.pdf.pageCount() >= 2
    assert window.password.echoMode().name == "Password"
    window.password.setText(PASSWORD)
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.exported is not None or bool(window.errors), timeout=60000)
    assert not window.errors, window.errors
    assert window.exported is not None
    assert window.password.text() == ""  # the password does not stay in the widget
    container = window.exported.container
    assert container.is_file() and container.name == f"{recording.name}.asice"
    assert window.progress.value() == window.progress.maximum()
    # the same verdict from the command line, independently of the window
    cli = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", "--json", str(container)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    folder = window.exported.submission_folder
    assert folder is not None
    manifest = json.loads((folder / "submission.json").read_text())
    assert manifest["erdr_number"] == "123456789012345"
    assert (folder / container.name).read_bytes() == container.read_bytes()
    container.unlink()


def test_wrong_password_is_a_clear_error_and_writes_nothing(
    qtbot: QtBot, bridge: EventBridge, recording: Path, tmp_path: Path
) -> None:
    window = _window(qtbot, bridge, recording, tmp_path)
    window.password.setText("not the password")
    qtbot.keyClick(window.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.errors), timeout=30000)
    assert "wrong password" in window.result.text()
    assert "not the password" not in window.result.text()
    assert not (recording.parent / f"{recording.name}.asice").exists()
    assert not (tmp_path / "outbox").exists()
    assert window.sign_button.isEnabled()  # the investigator can try again
