"""Finishing an action in the GUI: protocol preview, signature, verified container in the outbox."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.finish import Documents
from app.core.review import SegmentStatus
from app.core.runtime import CoreRuntime
from app.ui.bridge import EventBridge
from app.ui.cosign import CosignDialog
from app.ui.finish_window import FinishWindow
from app.ui.review_window import ReviewWindow
from protocol.metadata import protocol_to_json
from protocol.render import render_pdf
from protocol.samples import sample_protocol
from protocol.signing import Pkcs12Signer
from tests.pki.fixtures import MAIN, PASSWORD, anchors_dir, flip_byte, rewrite_zip

IDENTITY = MAIN / "identities" / "investigator.p12"
EXPERT_IIN = Pkcs12Signer(MAIN / "identities" / "expert.p12", PASSWORD).identity.iin


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


async def _documents(action_dir: Path, signer: Pkcs12Signer) -> Documents:
    """The sample protocol carrying this recording's summary; the investigator is the signer and
    the remote official holds the test PKI's expert identity (a co-signer)."""
    from app.commands.demo import recording_summary

    summary = await asyncio.to_thread(recording_summary, action_dir)
    iins = {"investigator": signer.identity.iin, "remote-official": EXPERT_IIN}
    proto = sample_protocol(recording=summary)
    people = tuple(dataclasses.replace(p, iin=iins.get(p.id, p.iin)) for p in proto.participants)
    proto = dataclasses.replace(proto, participants=people, document_id=action_dir.name)
    pdf = await asyncio.to_thread(render_pdf, proto, "ru", created=datetime.now(UTC))
    return Documents(pdf, protocol_to_json(proto), action_dir.name)


def _window(
    qtbot: QtBot, bridge: EventBridge, recording: Path, tmp_path: Path, endpoint: str = ""
) -> FinishWindow:
    window = FinishWindow(
        bridge,
        recording,
        lambda signer, corrections: _documents(recording, signer),
        identity=str(IDENTITY),
        outbox=tmp_path / "outbox",
        erdr_number="123456789012345",
        action_type="remote_interrogation_witness",
        trust_anchors_dir=anchors_dir(tmp_path),
        upload_endpoint=endpoint,
    )
    qtbot.addWidget(window)
    window.show()
    assert not window.sign_button.isEnabled()  # nothing to sign before the protocol exists
    return window


def test_preview_sign_verify_outbox(
    qtbot: QtBot, bridge: EventBridge, recording: Path, tmp_path: Path
) -> None:
    from aiohttp.test_utils import TestServer

    from tests.protocol.test_upload import TOKEN, Receiver

    receiver = Receiver(drop_after=20_000)
    server = TestServer(receiver.app(), host="127.0.0.1")
    bridge.runtime.submit(server.start_server()).result(timeout=10)
    window = _window(qtbot, bridge, recording, tmp_path, str(server.make_url("")))
    assert window.password.echoMode().name == "Password"
    window.password.setText(PASSWORD)
    qtbot.keyClick(window.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.sign_button.isEnabled() or bool(window.errors), timeout=60000)
    assert not window.errors, window.errors
    assert window.password.text() == ""  # the password does not stay in the widget
    assert window.pdf.pageCount() >= 2
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.exported is not None or bool(window.errors), timeout=60000)
    assert not window.errors, window.errors
    assert window.exported is not None
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
    assert manifest["container"]["sha256"] == hashlib.sha256(container.read_bytes()).hexdigest()
    # upload: a wrong token is refused and the container stays queued; the right one delivers
    assert window.upload_button.isEnabled()
    window.token.setText("not-the-token")
    qtbot.mouseClick(window.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.errors), timeout=30000)
    assert (folder / container.name).is_file() and window.token.text() == ""
    window.token.setText(TOKEN)
    qtbot.mouseClick(window.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.receipt is not None or len(window.errors) > 1, timeout=60000)
    assert window.receipt is not None, window.errors
    assert receiver.uploads[manifest["container"]["sha256"]][
        "complete"
    ]  # through a dropped connection
    assert window.receipt["sha256"] == manifest["container"]["sha256"]
    bridge.runtime.submit(server.close()).result(timeout=10)

    assert not (folder / container.name).exists()  # dropped once the receiver confirmed it
    kept = tmp_path / container.name
    container.rename(kept)
    with zipfile.ZipFile(kept) as zf:
        first_signature = zf.read("META-INF/signature001.p7s")

    # co-signing in the app: a wrong password, then someone who is not a participant, change
    # nothing; the remote official (holding the expert identity) then adds a valid second signature
    before = kept.read_bytes()
    dialog = CosignDialog(
        bridge,
        identity=str(MAIN / "identities" / "expert.p12"),
        container=str(kept),
        trust_anchors_dir=anchors_dir(tmp_path),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText("wrong")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.errors), timeout=30000)
    assert "wrong password" in dialog.outcome.text() and kept.read_bytes() == before
    dialog.identity.setText(str(MAIN / "identities" / "defender.p12"))
    dialog.password.setText(PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialog.errors) == 2, timeout=30000)
    assert "not a participant" in dialog.outcome.text() and kept.read_bytes() == before
    dialog.identity.setText(str(MAIN / "identities" / "expert.p12"))
    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None or len(dialog.errors) > 2, timeout=60000)
    assert dialog.report is not None and dialog.report.ok, dialog.errors
    with zipfile.ZipFile(kept) as zf:
        assert zf.read("META-INF/signature001.p7s") == first_signature
        assert "META-INF/signature002.p7s" in zf.namelist()
    dialog.close()

    # the reviewer opens the signed container: the same verdict as tergeu verify, then an excerpt
    cli = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", "--json", str(kept)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout
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
    assert window.open_button.isEnabled() and not window.sign_button.isEnabled()  # try again
