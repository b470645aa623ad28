"""Finishing an action in the GUI: protocol preview, signature, verified container in the outbox."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.finish import Documents
from app.core.review import SegmentStatus
from app.core.runtime import CoreRuntime
from app.ui.bridge import EventBridge
from app.ui.finish_window import FinishWindow
from app.ui.review_window import ReviewWindow
from protocol.signing import Pkcs12Signer
from tests.pki.fixtures import MAIN, PASSWORD, anchors_dir, flip_byte, rewrite_zip

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
    kept = tmp_path / container.name
    container.rename(kept)

    # the reviewer opens the signed container: the same verdict as tergeu verify, then an excerpt
    review = _review(qtbot, kept)
    assert review.report is not None and review.report.ok and "INTACT" in review.banner.text()
    assert sorted(c.name for c in review.report.checks) == sorted(
        c["name"] for c in json.loads(cli.stdout)["checks"]
    )
    assert review.excerpt_button.isEnabled()
    excerpt = tmp_path / "excerpt.asice"
    done: list[object] = []
    review.export_excerpt("00:00:01-00:00:02", excerpt, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=60000)
    assert isinstance(done[0], dict), done
    verdict = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", str(excerpt)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert "excerpt" in verdict.stdout.lower()
    review.close()

    # one byte of one segment changed inside the container: shown as tampered, never played
    segment = next(n for n in zipfile.ZipFile(kept).namelist() if n.endswith("-video-000001.ts"))
    tampered = rewrite_zip(kept, tmp_path / "tampered.asice", change={segment: flip_byte(5000)})
    review = _review(qtbot, tampered)
    assert review.report is not None and not review.report.ok
    assert "INTACT" not in review.banner.text()
    assert not review.excerpt_button.isEnabled()
    track = segment.split("/")[-2]
    assert review.timeline is not None
    marked = review.timeline.tracks[track][1]
    assert marked.status is SegmentStatus.TAMPERED
    label = review.findChild(QLabel, f"video_{track}")
    assert label is not None
    review.seek((marked.start + marked.end) / 2)
    qtbot.waitUntil(
        lambda: (review.render_frames(), label.property("frameState"))[1] == "tampered",
        timeout=20000,
    )
    assert review.player is not None and (track, 1) in review.player.refused
    review.close()


def _review(qtbot: QtBot, path: Path) -> ReviewWindow:
    review = ReviewWindow(path)
    qtbot.addWidget(review)
    review.show()
    loaded: list[bool] = []
    review.load(on_loaded=lambda: loaded.append(True), on_failed=lambda e: loaded.append(False))
    qtbot.waitUntil(lambda: bool(loaded), timeout=60000)
    assert loaded == [True]
    return review


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
