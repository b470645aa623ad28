"""Requesting co-signatures from the finish window and co-signing from a link, in the GUI.

The investigator's app and the co-signer's app each have their own core runtime, as on two
computers; they meet only through the real signaling server on loopback.
"""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.core.runtime import CoreRuntime
from app.ui.bridge import EventBridge
from app.ui.cosign import CosignLinkDialog
from app.ui.cosign_requests_panel import ChooseCosignersDialog, IssuedRequestsDialog
from app.ui.finish_window import FinishWindow
from protocol.verify import verify_container
from tests.app.cosign_fixtures import documents, record
from tests.app.test_screenshots import save
from tests.pki.fixtures import MAIN, PASSWORD, anchors_dir, signer


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("rec"))


@pytest.fixture
def bridges() -> Iterator[tuple[EventBridge, EventBridge]]:
    investigator, cosigner = CoreRuntime("investigator"), CoreRuntime("cosigner")
    yield EventBridge(investigator), EventBridge(cosigner)
    investigator.stop()
    cosigner.stop()


def _signed_window(
    qtbot: QtBot, bridge: EventBridge, recording: Path, tmp_path: Path
) -> FinishWindow:
    window = FinishWindow(
        bridge,
        recording,
        lambda signer, corrections: documents(recording),
        identity=str(MAIN / "identities" / "investigator.p12"),
        outbox=tmp_path / "outbox",
        erdr_number="123456789012345",
        action_type="remote_interrogation_witness",
        trust_anchors_dir=anchors_dir(tmp_path),
        action_title="Допрос свидетеля",
    )
    qtbot.addWidget(window)
    window.show()
    assert not window.cosign.request_button.isEnabled()  # nothing to co-sign before signing
    window.password.setText(PASSWORD)
    qtbot.keyClick(window.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.sign_button.isEnabled() or bool(window.errors), timeout=60000)
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.exported is not None or bool(window.errors), timeout=60000)
    assert not window.errors, window.errors
    return window


def _dialog(window: FinishWindow, kind: type, qtbot: QtBot):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: any(isinstance(d, kind) and d.isVisible() for d in window.cosign.dialogs),
        timeout=30000,
    )
    return next(d for d in reversed(window.cosign.dialogs) if isinstance(d, kind))


def _cosigner(
    qtbot: QtBot, bridge: EventBridge, link: str, pin: str, tmp: Path
) -> CosignLinkDialog:
    dialog = CosignLinkDialog(
        bridge,
        link=link,
        identity=str(MAIN / "identities" / "expert.p12"),
        trust_anchors_dir=anchors_dir(tmp),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.sign_button.isEnabled()  # nothing to sign before the request is checked
    dialog.pin.setText(pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.package is not None or bool(dialog.errors), timeout=30000)
    assert not dialog.errors, dialog.errors
    assert dialog.pin.text() == "" and dialog.sign_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.pdf.pageCount() >= 2, timeout=10000)
    qtbot.waitUntil(lambda: _rendered(dialog.preview), timeout=10000)
    return dialog


def _cell(window: FinishWindow, row: int, column: int) -> str:
    item = window.cosign.table.item(row, column)
    return item.text() if item is not None else ""


def _rendered(view: QWidget) -> bool:
    """The PDF view shows a page with text (QPdfView renders pages asynchronously)."""
    image = view.grab().toImage()
    w, h = image.width(), image.height()
    inside = {  # on the page itself, away from frames and scroll bars
        image.pixel(x, y)
        for x in range(w // 5, w * 4 // 5, 3)
        for y in range(h // 10, h * 9 // 10, 3)
    }
    return len(inside) > 3


def test_request_sign_and_refuse_cosignatures(
    qtbot: QtBot, bridges: tuple[EventBridge, EventBridge], recording: Path, tmp_path: Path
) -> None:
    investigator, cosigner = bridges
    window = _signed_window(qtbot, investigator, recording, tmp_path)
    assert window.exported is not None
    container = window.exported.container
    first_entry = window.exported.submission_folder
    assert first_entry is not None and first_entry.is_dir()
    assert window.cosign.request_button.isEnabled()
    qtbot.mouseClick(window.cosign.request_button, Qt.MouseButton.LeftButton)
    choose = _dialog(window, ChooseCosignersDialog, qtbot)
    offered = [
        choose.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(choose.list.count())
    ]
    assert offered == ["witness", "remote-official", "specialist"]
    choose.list.item(0).setCheckState(Qt.CheckState.Unchecked)  # the witness has no key
    save(choose, "cosign_choose")
    choose.accept()
    issued_dialog = _dialog(window, IssuedRequestsDialog, qtbot)
    save(issued_dialog, "cosign_links_and_pins")
    issued = {i.request.participant_id: i for i in window.cosign.issued}
    assert sorted(issued) == ["remote-official", "specialist"]
    pins = [label.text() for label in issued_dialog.findChildren(QLabel) if "PIN:" in label.text()]
    assert sorted(pins) == sorted(f"PIN: {i.pin}" for i in issued.values())
    issued_dialog.reject()
    assert window.cosign.state_of("remote-official") == "sent"

    # the expert opens the link in their own app: checks, reads, signs
    expert = _cosigner(
        qtbot, cosigner, issued["remote-official"].link, issued["remote-official"].pin, tmp_path
    )
    assert "ТЕРГЕУШІЕВ" in expert.request_info.text()
    qtbot.waitUntil(lambda: window.cosign.state_of("remote-official") == "opened", timeout=10000)
    save(expert, "cosign_from_link")
    expert.password.setText(PASSWORD)
    qtbot.mouseClick(expert.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: expert.answer is not None or len(expert.errors) > 0, timeout=60000)
    assert expert.answer is not None and expert.answer["verified"], expert.errors
    assert expert.password.text() == ""
    qtbot.waitUntil(lambda: window.cosign.state_of("remote-official") == "signed", timeout=10000)
    # the outbox now holds the co-signed container instead of the first version
    qtbot.waitUntil(lambda: bool(window.requeued), timeout=30000)
    folder = window.exported.submission_folder
    assert folder is not None and not first_entry.exists()
    assert folder == window.requeued[0] and (folder / container.name).read_bytes() == (
        container.read_bytes()
    )
    assert [p.name for p in (tmp_path / "outbox").iterdir() if not p.name.startswith(".")] == [
        folder.name
    ]
    assert window.cosign.progress.value() == window.cosign.progress.maximum()

    # the specialist's holder tries the expert's key (not the invited IIN), then refuses
    other = _cosigner(
        qtbot, cosigner, issued["specialist"].link, issued["specialist"].pin, tmp_path
    )
    other.password.setText(PASSWORD)
    qtbot.mouseClick(other.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(other.errors), timeout=60000)
    assert signer("expert").identity.iin in other.outcome.text()  # names the wrong IIN
    qtbot.waitUntil(lambda: "IIN" in _cell(window, 1, 3), timeout=10000)
    other.reason.setText("Не согласна с записью моих пояснений")
    qtbot.mouseClick(other.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: other.answer is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.cosign.state_of("specialist") == "refused", timeout=10000)
    rows = {
        _cell(window, r, 0): (_cell(window, r, 2), _cell(window, r, 3))
        for r in range(window.cosign.table.rowCount())
    }
    assert rows["Oliver James Bennett"] == ("refused", "Не согласна с записью моих пояснений")
    assert rows["Сәрсенбаев Дәулет Қанатұлы"] == ("signed", "META-INF/signature002.p7s")
    window.resize(1000, 1000)
    qtbot.waitUntil(lambda: _rendered(window.preview), timeout=10000)
    assert "added" in window.cosign.stage.text()
    save(window, "finish_cosign_requests")

    report = verify_container(container, trust_anchors_dir=anchors_dir(tmp_path))
    assert report.ok and len(report.facts["signers"]) == 2, report.summary()
    with zipfile.ZipFile(container) as zf:
        assert "META-INF/signature003.p7s" not in zf.namelist()
    # closing the window stops serving the links
    window.close()
    qtbot.waitUntil(lambda: window.cosign.server is None, timeout=10000)
    assert asyncio.run(_refused(issued["specialist"].link))


async def _refused(link: str) -> bool:
    from app.core.cosign_client import CosignClient
    from app.core.cosign_link import CosignError

    try:
        await CosignClient(link).open("000000")
    except CosignError as e:
        return e.code == "network"
    return False


async def test_configured_server_falls_back_to_a_free_port(tmp_path: Path) -> None:
    from app.core.config import Config
    from app.ui.cosign_requests_panel import configured_server
    from tests.app.cosign_fixtures import loopback_server

    busy = await loopback_server()  # the configured port is taken (the next live session)
    config = Config(values={"signaling.port": busy.port, "signaling.host": "127.0.0.1"})
    server = await configured_server(config, tmp_path / "tls")()
    try:
        assert server.port not in (0, busy.port) and server.base_url.startswith("http://127.0.0.1:")
    finally:
        await server.stop()
        await busy.stop()
