"""The finish window's co-signature requests: choose participants, hand out links and PINs,
watch each request (sent, opened, signed, refused with the reason, expired) and the progress of
adding each co-signature to the container. A refusal is recorded in the container, as an addendum
signed with the investigator's key already open in the finish window, when the investigator
presses "Record the refusal in the container" (CPC Art. 123: the official records it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.config import Config
from app.core.cosign_requests import (
    Candidate,
    CosignDesk,
    CosignEvent,
    CosignRequest,
    IssuedRequest,
)
from app.core.invites import InviteBook
from app.core.signaling.errors import SessionError
from app.core.signaling.server import SignalingServer
from app.core.signaling.tls import choose_tls
from app.ui import domain_texts
from app.ui.bridge import EventBridge
from protocol.signing import Signer
from recorder.report import Report

ServerFactory = Callable[[], Coroutine[Any, Any, SignalingServer]]
SignerProvider = Callable[[], Signer | None]


async def loopback_server() -> SignalingServer:
    """A server on 127.0.0.1 and any free port (when no other server is configured)."""
    server = SignalingServer(InviteBook(), host="127.0.0.1", port=0)
    await server.start()
    return server


def configured_server(config: Config, tls_folder: Path) -> ServerFactory:
    """A factory of the server at the configured signaling address (TLS off loopback)."""

    async def start() -> SignalingServer:
        host = config["signaling.host"]
        tls = await asyncio.to_thread(
            choose_tls,
            config["signaling.tls"],
            host,
            certificate=config["signaling.certificate"],
            private_key=config["signaling.private_key"],
            folder=tls_folder,
        )
        server = SignalingServer(InviteBook(), host=host, port=config["signaling.port"], tls=tls)
        try:
            await server.start()
        except SessionError as e:
            if e.code != "bind":
                raise
            # the port is taken (say, by the next live session): any free one will do,
            # the links carry it
            server = SignalingServer(InviteBook(), host=host, port=0, tls=tls)
            await server.start()
        return server

    return start


def request_states() -> dict[str, str]:
    return {
        "sent": QCoreApplication.translate("CosignRequestsPanel", "sent"),
        "opened": QCoreApplication.translate("CosignRequestsPanel", "opened"),
        "signed": QCoreApplication.translate("CosignRequestsPanel", "signed"),
        "refused": QCoreApplication.translate("CosignRequestsPanel", "refused"),
        "expired": QCoreApplication.translate("CosignRequestsPanel", "expired"),
        "revoked": QCoreApplication.translate("CosignRequestsPanel", "withdrawn"),
        "locked": QCoreApplication.translate("CosignRequestsPanel", "locked (wrong PINs)"),
        "refusal_recorded": QCoreApplication.translate("CosignRequestsPanel", "refusal recorded"),
    }


class ChooseCosignersDialog(QDialog):
    """Tick the participants to ask; those already signed or refused are not offered."""

    def __init__(self, candidates: list[Candidate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chooseCosigners")
        self.setWindowTitle(self.tr("Request co-signatures"))
        self.setMinimumSize(680, 320)
        self.list = QListWidget()
        self.list.setObjectName("cosignerList")
        self.list.setAccessibleName(self.tr("Participants to ask for a co-signature"))
        roles = domain_texts.roles()
        for c in candidates:
            item = QListWidgetItem(f"{c.name} — {roles.get(c.role, c.role)} (IIN {c.iin})")
            item.setData(Qt.ItemDataRole.UserRole, c.participant_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Send requests"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = (
            self.tr("Who should sign the protocol with their key?")
            if candidates
            else self.tr("Every participant with a key has signed or refused already.")
        )
        layout.addWidget(QLabel(text))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out


class IssuedRequestsDialog(QDialog):
    """Each link with a copy button, and its PIN — shown once, to be given by another channel."""

    def __init__(
        self, issued: list[IssuedRequest], fingerprint: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("issuedCosignRequests")
        self.setWindowTitle(self.tr("Co-sign links and PINs"))
        self.resize(760, 120 + 90 * len(issued))
        layout = QVBoxLayout(self)
        note = QLabel(
            self.tr(
                "Send each link, and give the PIN by another channel (phone, in person). "
                "The PINs are shown only now. Keep the finish window open until they have signed."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        if fingerprint:
            pinned = QLabel(
                self.tr("Server certificate fingerprint (they check it): %1").replace(
                    "%1", fingerprint
                )
            )
            pinned.setWordWrap(True)
            pinned.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(pinned)
        for item in issued:
            r = item.request
            layout.addWidget(QLabel(f"<b>{r.display_name}</b>"))
            row = QHBoxLayout()
            link = QLineEdit(item.link)
            link.setReadOnly(True)
            link.setCursorPosition(0)
            link.setAccessibleName(self.tr("Co-sign link for %1").replace("%1", r.display_name))
            copy = QPushButton(self.tr("Copy link"))
            copy.clicked.connect(
                lambda _=False, text=item.link: QGuiApplication.clipboard().setText(text)
            )
            pin = QLabel(self.tr("PIN: %1").replace("%1", item.pin))
            pin.setObjectName(f"pin_{r.participant_id}")
            pin.setStyleSheet("font-size:14pt;font-weight:bold")
            pin.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row.addWidget(link, 1)
            row.addWidget(copy)
            row.addWidget(pin)
            layout.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)


class CosignRequestsPanel(QWidget):
    """Request co-signatures for the signed container and follow each request."""

    COLUMNS = 4

    def __init__(
        self,
        bridge: EventBridge,
        *,
        action_title: str = "",
        tsa_url: str = "",
        trust_anchors_dir: Path | None = None,
        server_factory: ServerFactory | None = None,
        signer_provider: SignerProvider | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("cosignRequests")
        # the investigator's opened key (the finish window's); asked for only when recording
        self.signer_provider: SignerProvider = signer_provider or (lambda: None)
        self.recording = False
        self.recorded: list[tuple[CosignRequest, Report]] = []
        self.bridge = bridge
        self.action_title = action_title
        self.tsa_url = tsa_url
        self.trust_anchors_dir = trust_anchors_dir
        self.server_factory = server_factory or loopback_server
        self.container: Path | None = None
        self.desk: CosignDesk | None = None
        self.server: SignalingServer | None = None
        self.issued: list[IssuedRequest] = []
        self.errors: list[str] = []
        self.dialogs: list[QDialog] = []
        self.request_button = QPushButton()
        self.request_button.setObjectName("requestCosignatures")
        self.request_button.setEnabled(False)
        self.request_button.clicked.connect(self.request)
        self.record_button = QPushButton()
        self.record_button.setObjectName("recordRefusals")
        self.record_button.hide()
        self.record_button.clicked.connect(self.record_refusals)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setObjectName("cosignTable")
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMaximumHeight(130)
        self.table.hide()
        self.stage = QLabel()
        self.stage.setObjectName("cosignStage")
        self.progress = QProgressBar()
        self.progress.setObjectName("cosignProgress")
        self.progress.hide()
        row = QHBoxLayout()
        row.addWidget(self.request_button)
        row.addWidget(self.record_button)
        row.addWidget(self.stage, 1)
        row.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table)
        self._timer = QTimer(self)
        self._timer.setInterval(10_000)  # "expired" follows the clock, not an event
        self._timer.timeout.connect(self.refresh_table)
        self.retranslate()
        bridge.core_event.connect(self._on_core)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.request_button.setText(self.tr("Request co-signatures…"))
        self.record_button.setText(self.tr("Record the refusal in the container"))
        self.record_button.setToolTip(
            self.tr(
                "Adds the refusal and its reason to the container as an addendum signed with "
                "your key. The signed protocol and every signature stay unchanged."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [self.tr("Participant"), self.tr("Role"), self.tr("State"), self.tr("Details")]
        )
        self.table.setAccessibleName(self.tr("Co-signature requests"))
        self.refresh_table()

    def set_container(self, container: Path) -> None:
        """The signed container: from now on co-signatures can be requested for it."""
        self.container = container
        self.request_button.setEnabled(True)

    async def _prepare(self) -> CosignDesk:
        assert self.container is not None
        if self.desk is None:
            desk = await asyncio.to_thread(
                CosignDesk,
                self.container,
                action_title=self.action_title,
                trust_anchors_dir=self.trust_anchors_dir,
                tsa_url=self.tsa_url,
            )
            desk.add_listener(self.bridge.listener)
            self.desk = desk
        if self.server is None:
            self.server = await self.server_factory()
        self.server.cosign_desks[self.desk.action_id] = self.desk
        return self.desk

    def request(self) -> None:
        if self.container is None or not self.request_button.isEnabled():
            return
        self.request_button.setEnabled(False)
        self.bridge.run(self._prepare(), on_result=self._choose, on_error=self._failed)

    def _choose(self, desk: CosignDesk) -> None:
        dialog = ChooseCosignersDialog(desk.candidates(), self)
        self.dialogs.append(dialog)
        dialog.accepted.connect(lambda: self._issue(dialog.chosen()))
        dialog.finished.connect(lambda _: self.request_button.setEnabled(True))
        dialog.open()

    def _issue(self, chosen: list[str]) -> None:
        desk, server = self.desk, self.server
        if not chosen or desk is None or server is None:
            return

        async def issue() -> list[IssuedRequest]:
            return [
                await asyncio.to_thread(desk.issue, pid, base_url=server.base_url) for pid in chosen
            ]

        self.bridge.run(issue(), on_result=self._issued, on_error=self._failed)

    def _issued(self, issued: list[IssuedRequest]) -> None:
        self.issued += issued
        self._timer.start()
        self.refresh_table()
        dialog = IssuedRequestsDialog(
            issued, self.server.fingerprint if self.server else None, self
        )
        self.dialogs.append(dialog)
        dialog.open()

    def _failed(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.request_button.setEnabled(self.container is not None)
        self.stage.setStyleSheet("color:#b71c1c")
        self.stage.setText(str(error))

    def _on_core(self, event: object) -> None:
        if not isinstance(event, CosignEvent):
            return
        if event.kind == "progress":
            names = {
                "sign": self.tr("Adding a co-signature"),
                "record": self.tr("Recording the refusal"),
                "verify": self.tr("Verifying"),
            }
            self.stage.setStyleSheet("")
            self.stage.setText(
                f"{names.get(event.stage, event.stage)}: {event.request.display_name}"
            )
            self.progress.show()
            self.progress.setMaximum(max(event.total, 1))
            self.progress.setValue(event.done)
            return
        if event.kind == "state" and event.request.signed_at is not None:
            self.stage.setStyleSheet("color:#1b5e20")
            self.stage.setText(
                self.tr("Co-signature of %1 added; the container verifies").replace(
                    "%1", event.request.display_name
                )
            )
        self.refresh_table()

    def record_refusals(self) -> None:
        """Record every refusal not yet in the container, one after the other."""
        desk, signer = self.desk, self.signer_provider()
        if desk is None or signer is None or self.recording:
            return
        pending = desk.unrecorded_refusals()
        if not pending:
            return
        self.recording = True
        self.record_button.setEnabled(False)

        async def record() -> list[tuple[CosignRequest, Report]]:
            return [await desk.record_refusal(r.request_id, signer) for r in pending]

        self.bridge.run(record(), on_result=self._refusals_recorded, on_error=self._record_failed)

    def _refusals_recorded(self, results: list[tuple[CosignRequest, Report]]) -> None:
        self.recording = False
        self.recorded += results
        ok = all(report.ok for _, report in results)
        names = ", ".join(request.display_name for request, _ in results)
        self.stage.setStyleSheet("color:#1b5e20" if ok else "color:#b71c1c")
        text = (
            self.tr("Refusal of %1 recorded in the container; the container verifies")
            if ok
            else self.tr("Refusal of %1 recorded, but the container does not verify")
        )
        self.stage.setText(text.replace("%1", names))
        self.progress.setValue(self.progress.maximum())
        self.refresh_table()

    def _record_failed(self, error: BaseException) -> None:
        self.recording = False
        self._failed(error)
        self.refresh_table()

    def refresh_table(self) -> None:
        if self.desk is None:
            return
        requests = self.desk.requests()
        self.table.setVisible(bool(requests))
        self.table.setRowCount(len(requests))
        now = datetime.now(UTC)
        states, roles = request_states(), domain_texts.roles()
        for row, r in enumerate(requests):
            state = r.state(now)
            if state == "refused" and r.refusal_recorded:
                state = "refusal_recorded"
            if state in ("refused", "refusal_recorded"):
                details = r.reason
            elif state == "signed":
                details = r.signature
            elif r.last_error:
                details = r.last_error
            else:
                details = self.tr("until %1").replace(
                    "%1", r.expires_at.astimezone().strftime("%Y-%m-%d %H:%M")
                )
            cells = (r.display_name, roles.get(r.role, r.role), states.get(state, state), details)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(
                    f"{text} — {r.refusal_recorded}" if col == 2 and r.refusal_recorded else text
                )
                item.setData(Qt.ItemDataRole.UserRole, state)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        pending = bool(self.desk.unrecorded_refusals())
        self.record_button.setVisible(pending or self.recording)
        self.record_button.setEnabled(
            pending and not self.recording and self.signer_provider() is not None
        )

    def state_of(self, participant_id: str) -> str | None:
        """The state of the latest request to ``participant_id`` (for tests and tooling)."""
        if self.desk is None:
            return None
        found = [r for r in self.desk.requests() if r.participant_id == participant_id]
        return found[-1].state(datetime.now(UTC)) if found else None

    async def stop(self) -> None:
        """Stop serving the requests (the window closes)."""
        if self.server is not None:
            await self.server.stop()
            self.server = None
