"""A remote co-signer refuses; the investigator records the refusal in the signed container.

Two core runtimes (the investigator's finish window and the co-signer's dialog), the real
signaling server on loopback, the real verifier, ``tergeu verify`` and the reviewer window.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.runtime import CoreRuntime
from app.ui.bridge import EventBridge
from app.ui.cosign_requests_panel import ChooseCosignersDialog, IssuedRequestsDialog
from protocol.verify import verify_container
from tests.app.cosign_fixtures import record
from tests.app.test_cosign_window import _cell, _cosigner, _dialog, _rendered, _signed_window
from tests.app.test_screenshots import save
from tests.pki.fixtures import anchors_dir, signer

REASON = "Не согласна с записью моих пояснений на странице 2"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("rec"))


@pytest.fixture
def bridges() -> Iterator[tuple[EventBridge, EventBridge]]:
    investigator, cosigner = CoreRuntime("investigator"), CoreRuntime("cosigner")
    yield EventBridge(investigator), EventBridge(cosigner)
    investigator.stop()
    cosigner.stop()


def test_refusal_is_recorded_in_the_container_from_the_finish_window(
    qtbot: QtBot, bridges: tuple[EventBridge, EventBridge], recording: Path, tmp_path: Path
) -> None:
    investigator, cosigner = bridges
    window = _signed_window(qtbot, investigator, recording, tmp_path)
    assert window.exported is not None and window.exported.submission_folder is not None
    container, first_entry = window.exported.container, window.exported.submission_folder
    signed_bytes = container.read_bytes()
    qtbot.mouseClick(window.cosign.request_button, Qt.MouseButton.LeftButton)
    choose = _dialog(window, ChooseCosignersDialog, qtbot)
    for i in range(choose.list.count()):  # only the specialist is asked
        item = choose.list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) != "specialist":
            item.setCheckState(Qt.CheckState.Unchecked)
    choose.accept()
    _dialog(window, IssuedRequestsDialog, qtbot).reject()
    [issued] = window.cosign.issued
    assert not window.cosign.record_button.isVisible()  # nothing refused yet

    # the specialist opens the link in their own app and refuses with a reason
    dialog = _cosigner(qtbot, cosigner, issued.link, issued.pin, tmp_path)
    dialog.reason.setText(REASON)
    qtbot.mouseClick(dialog.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.answer is not None or bool(dialog.errors), timeout=30000)
    assert not dialog.errors, dialog.errors
    qtbot.waitUntil(lambda: window.cosign.state_of("specialist") == "refused", timeout=10000)
    assert (_cell(window, 0, 2), _cell(window, 0, 3)) == ("refused", REASON)
    assert container.read_bytes() == signed_bytes  # nothing is recorded without the official
    button = window.cosign.record_button
    assert button.isVisible() and button.isEnabled()
    window.resize(1000, 1000)
    qtbot.waitUntil(lambda: _rendered(window.preview), timeout=10000)
    save(window, "finish_refusal_to_record")

    # the investigator records it with the key already open in the window (no password asked)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bool(window.cosign.recorded) or bool(window.cosign.errors), timeout=60000
    )
    assert not window.cosign.errors, window.cosign.errors
    [(request, report)] = window.cosign.recorded
    assert report.ok, report.summary()
    assert request.refusal_recorded == "addenda/refusal-001.json"
    assert (_cell(window, 0, 2), _cell(window, 0, 3)) == ("refusal recorded", REASON)
    state_item = window.cosign.table.item(0, 2)
    assert state_item is not None and "addenda/refusal-001.json" in state_item.toolTip()
    assert not button.isVisible()
    assert "recorded" in window.cosign.stage.text()
    # the outbox now holds the container with the addendum instead of the signed-only one
    qtbot.waitUntil(lambda: bool(window.requeued), timeout=30000)
    folder = window.exported.submission_folder
    assert folder is not None and not first_entry.exists()
    assert (folder / container.name).read_bytes() == container.read_bytes()
    save(window, "finish_refusal_recorded")

    # the earlier bytes are untouched; the verifier lists the refusal and its signer
    after = container.read_bytes()
    with zipfile.ZipFile(container) as zf:
        first_sig = zf.getinfo("META-INF/signature001.p7s")
        end_of_signed = first_sig.header_offset + 30 + len(first_sig.filename)
        end_of_signed += first_sig.compress_size
    assert after[:end_of_signed] == signed_bytes[:end_of_signed]
    anchors = anchors_dir(tmp_path)
    report = verify_container(container, trust_anchors_dir=anchors)
    assert report.ok, report.summary()
    [addendum] = report.facts["addenda"]
    assert addendum["reason"] == REASON
    assert addendum["participant"]["id"] == "specialist"
    assert addendum["signer_iin"] == signer("investigator").identity.iin
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "verify",
            str(container),
            "--trust-anchors",
            str(anchors),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "Signed addenda: 1" in cli.stdout and REASON in cli.stdout
    assert "Oliver James Bennett" in cli.stdout  # the specialist of the sample protocol

    # the same request cannot be recorded twice; the links stop with the window
    assert window.cosign.desk is not None
    assert window.cosign.desk.unrecorded_refusals() == []
    window.close()
    qtbot.waitUntil(lambda: window.cosign.server is None, timeout=10000)


def test_reviewer_window_shows_the_recorded_refusal(qtbot: QtBot, tmp_path: Path) -> None:
    import asyncio
    import datetime as dt

    from app.ui.review_window import ReviewWindow
    from protocol.addenda import Refusal, add_refusal
    from tests.app.cosign_fixtures import signed_container

    action = record(tmp_path / "rec")
    container = asyncio.run(
        signed_container(action, tmp_path / f"{action.name}.asice", anchors_dir(tmp_path))
    )
    refused_at = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    asyncio.run(
        add_refusal(
            container,
            Refusal("specialist", REASON, refused_at, "a1b2c3d4e5f60718"),
            signer("investigator"),
        )
    )
    window = ReviewWindow(container)
    qtbot.addWidget(window)
    window.show()
    window.load()
    qtbot.waitUntil(lambda: window.report is not None, timeout=60000)
    report = window.report
    assert report is not None and report.ok, report.summary() if report else None
    assert REASON in window.banner.text() and "Oliver James Bennett" in window.banner.text()
    save(window, "review_refusal_recorded")
