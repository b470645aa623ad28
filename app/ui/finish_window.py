"""Finishing an action: the protocol preview, the investigator's signature, export to the outbox.

The preview shows the rendered PDF pages exactly as they will be signed. Signing asks for the
PKCS#12 password each time (never stored); building, signing and verifying the container run on
the core thread with progress, and the dialog shows the verifier's verdict before anything is
queued for upload. Once signed, co-signatures can be requested from participants with a key
(:mod:`app.ui.cosign_requests_panel`); each request's state and progress show below.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice
from PySide6.QtGui import QCloseEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.cosign_requests import CosignEvent
from app.core.finish import (
    Documents,
    Exported,
    open_identity,
    requeue,
    sign_and_export,
    upload,
)
from app.ui.bridge import EventBridge
from app.ui.cosign_requests_panel import CosignRequestsPanel, ServerFactory
from app.ui.layout import remember_layout

if TYPE_CHECKING:
    from protocol.signing import Pkcs12Signer

# (the investigator's opened identity, their corrections and additions) → the documents
DocumentsMaker = Callable[["Pkcs12Signer", str], Coroutine[Any, Any, Documents]]


class FinishWindow(QWidget):
    """Open the identity → protocol preview → sign → verified container in the outbox.

    The identity is opened first because the investigator is named in the protocol as its
    signer (name and IIN from the certificate); the password is cleared from the field at once.
    """

    def __init__(
        self,
        bridge: EventBridge,
        action_dir: Path,
        make_documents: DocumentsMaker,
        *,
        identity: str,
        outbox: Path,
        erdr_number: str,
        action_type: str,
        tsa_url: str = "",
        trust_anchors_dir: Path | None = None,
        on_exported: Callable[[Exported], None] | None = None,
        upload_endpoint: str = "",
        on_uploaded: Callable[[dict[str, object]], None] | None = None,
        cosign_server: ServerFactory | None = None,
        action_title: str = "",
    ) -> None:
        super().__init__()
        self.setObjectName("finishWindow")
        self.bridge = bridge
        self.action_dir = action_dir
        self.outbox = outbox
        self.erdr_number = erdr_number
        self.action_type = action_type
        self.tsa_url = tsa_url
        self.trust_anchors_dir = trust_anchors_dir
        self.on_exported = on_exported
        self.upload_endpoint = upload_endpoint
        self.on_uploaded = on_uploaded
        self.receipt: dict[str, object] | None = None
        self.make_documents = make_documents
        self.signer: Pkcs12Signer | None = None
        self.documents: Documents | None = None
        self.exported: Exported | None = None
        self.errors: list[str] = []
        self.requeued: list[Path] = []  # outbox entries of co-signed versions

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size:15pt;font-weight:bold")
        self.pdf = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.preview = QPdfView()
        self.preview.setObjectName("protocolPreview")
        self.preview.setDocument(self.pdf)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages = QLabel()
        self.pages.setObjectName("pageCount")
        self.corrections = QPlainTextEdit()
        self.corrections.setObjectName("corrections")
        self.corrections.setMaximumHeight(70)
        self.redo_button = QPushButton()
        self.redo_button.setObjectName("redoPreview")
        self.redo_button.setEnabled(False)
        self.redo_button.clicked.connect(self.prepare_again)
        self.identity = QLineEdit(identity)
        self.identity.setObjectName("signingIdentity")
        self.browse = QPushButton()
        self.browse.clicked.connect(self._choose_identity)
        self.password = QLineEdit()
        self.password.setObjectName("signingPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.open_identity)
        self.open_button = QPushButton()
        self.open_button.setObjectName("openIdentityButton")
        self.open_button.clicked.connect(self.open_identity)
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("signButton")
        self.sign_button.setEnabled(False)
        self.sign_button.clicked.connect(self.sign)
        self.stage = QLabel()
        self.progress = QProgressBar()
        self.progress.setObjectName("signProgress")
        self.result = QLabel()
        self.result.setObjectName("finishResult")
        self.result.setWordWrap(True)
        self.token = QLineEdit()
        self.token.setObjectName("uploadToken")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.upload_button = QPushButton()
        self.upload_button.setObjectName("uploadButton")
        self.upload_button.setEnabled(False)
        self.upload_button.clicked.connect(self.upload)

        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.browse)
        self.form = QFormLayout()
        self.identity_label, self.password_label = QLabel(), QLabel()
        self.form.addRow(self.identity_label, identity_row)
        self.form.addRow(self.password_label, self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.pages)
        self.corrections_label = QLabel()
        layout.addWidget(self.corrections_label)
        corrections_row = QHBoxLayout()
        corrections_row.addWidget(self.corrections, 1)
        corrections_row.addWidget(self.redo_button)
        layout.addLayout(corrections_row)
        layout.addLayout(self.form)
        layout.addWidget(self.open_button)
        layout.addWidget(self.sign_button)
        layout.addWidget(self.stage)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        self.cosign = CosignRequestsPanel(
            bridge,
            action_title=action_title or action_type,
            tsa_url=tsa_url,
            trust_anchors_dir=trust_anchors_dir,
            server_factory=cosign_server,
            # a refusal is recorded with the key opened here (kept no longer than before)
            signer_provider=lambda: self.signer,
        )
        layout.addWidget(self.cosign)
        upload_row = QHBoxLayout()
        self.token_label = QLabel()
        upload_row.addWidget(self.token_label)
        upload_row.addWidget(self.token, 1)
        upload_row.addWidget(self.upload_button)
        layout.addLayout(upload_row)
        self.resize(900, 900)
        remember_layout(self, "finish")
        self.retranslate()
        self.stage.setText(self.tr("Open your signing identity to prepare the protocol"))
        bridge.core_event.connect(self._on_core)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Finish the action"))
        self.heading.setText(self.tr("Protocol — check it, then sign"))
        self.browse.setText(self.tr("Choose…"))
        self.identity_label.setText(self.tr("Signing identity (PKCS#12)"))
        self.password_label.setText(self.tr("Password"))
        self.password.setAccessibleName(self.tr("Password of the signing identity"))
        self.preview.setAccessibleName(self.tr("Protocol preview"))
        self.open_button.setText(self.tr("Open the identity and prepare the protocol"))
        self.corrections_label.setText(
            self.tr("Corrections and additions (they become part of the protocol):")
        )
        self.corrections.setAccessibleName(self.tr("Corrections and additions"))
        self.redo_button.setText(self.tr("Update the preview"))
        self.sign_button.setText(self.tr("Sign, verify and put in the outbox"))
        self.token_label.setText(self.tr("Upload token"))
        self.token.setAccessibleName(self.tr("Upload token"))
        self.upload_button.setText(self.tr("Upload to the case system"))
        if not self.upload_endpoint:
            self.upload_button.setToolTip(self.tr("Set the upload address in Settings first"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.cosign.server is not None:  # co-sign links stop working with the window
            self.bridge.run(self.cosign.stop())
        super().closeEvent(event)

    def _choose_identity(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Signing identity"), "", self.tr("PKCS#12 (*.p12 *.pfx)")
        )
        if path:
            self.identity.setText(path)

    def open_identity(self) -> None:
        if not self.open_button.isEnabled():
            return
        identity = Path(self.identity.text().strip())
        password = self.password.text()
        self.password.clear()
        self.open_button.setEnabled(False)
        self.result.setText("")
        self.stage.setText(self.tr("Preparing the protocol…"))

        corrections = self.corrections.toPlainText().strip()

        async def prepare() -> tuple[Pkcs12Signer, Documents]:
            signer = await open_identity(identity, password)
            return signer, await self.make_documents(signer, corrections)

        self.bridge.run(prepare(), on_result=self._prepared, on_error=self._failed)

    def _prepared(self, result: tuple[Pkcs12Signer, Documents]) -> None:
        self.signer, documents = result
        self._show_documents(documents)

    def prepare_again(self) -> None:
        """Corrections changed: make the documents again with the identity already open."""
        if self.signer is None:
            return
        self.sign_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.stage.setText(self.tr("Preparing the protocol…"))
        self.bridge.run(
            self.make_documents(self.signer, self.corrections.toPlainText().strip()),
            on_result=self._show_documents,
            on_error=self._failed,
        )

    def _show_documents(self, documents: Documents) -> None:
        self.documents = documents
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(documents.pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self._buffer)
        self.pages.setText(self.tr("%1 pages").replace("%1", str(self.pdf.pageCount())))
        self.stage.setText(self.tr("Ready to sign"))
        self.redo_button.setEnabled(True)
        self.identity.setEnabled(False)
        self.password.setEnabled(False)
        self.sign_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.stage.setText(self.tr("Failed"))
        self.result.setStyleSheet("color:#b71c1c")
        self.result.setText(str(error))
        self.sign_button.setEnabled(self.documents is not None)
        self.open_button.setEnabled(self.documents is None)

    def _progress(self, stage: str, done: int, total: int) -> None:
        # called on the core thread: hand it to the GUI thread through the bridge's signal
        self.bridge.core_event.emit(("finish-progress", stage, done, total))

    def _on_core(self, event: object) -> None:
        if isinstance(event, CosignEvent):
            if event.kind == "state" and event.request.signed_at is not None:
                self._cosigned()
            elif event.kind == "state" and event.request.refusal_recorded:
                self._cosigned(refusal=True)
            return
        if isinstance(event, tuple) and event and event[0] == "finish-progress":
            _, stage, done, total = event
            names = {
                "sign": self.tr("Signing"),
                "verify": self.tr("Verifying"),
                "upload": self.tr("Uploading"),
            }
            self.stage.setText(names.get(str(stage), str(stage)))
            self.progress.setMaximum(max(int(total), 1))
            self.progress.setValue(int(done))

    def sign(self) -> None:
        if self.documents is None or self.signer is None or not self.sign_button.isEnabled():
            return
        self.sign_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.corrections.setReadOnly(True)
        self.result.setText("")
        container = self.action_dir.parent / f"{self.documents.document_id}.asice"
        self.bridge.run(
            sign_and_export(
                self.action_dir,
                self.documents,
                signer=self.signer,
                container=container,
                outbox=self.outbox,
                erdr_number=self.erdr_number,
                action_type=self.action_type,
                tsa_url=self.tsa_url,
                trust_anchors_dir=self.trust_anchors_dir,
                progress=self._progress,
            ),
            on_result=self._exported,
            on_error=self._failed,
        )

    def _exported(self, exported: Exported) -> None:
        self.exported = exported
        self.stage.setText(self.tr("Signed and verified"))
        self.result.setStyleSheet("color:#1b5e20")
        lines = [
            self.tr("Container: %1").replace("%1", str(exported.container)),
            self.tr("Signed by: %1").replace("%1", exported.signer),
            exported.report.summary(),
        ]
        if exported.submission_folder is not None:
            lines.append(
                self.tr("Queued for upload in %1").replace("%1", str(exported.submission_folder))
            )
        self.result.setText("\n".join(lines))
        self.upload_button.setEnabled(
            bool(self.upload_endpoint) and exported.submission_folder is not None
        )
        self.cosign.set_container(exported.container)
        if self.on_exported is not None:
            self.on_exported(exported)

    def _cosigned(self, *, refusal: bool = False) -> None:
        """A co-signature or a recorded refusal changed the container: the outbox gets it."""
        exported = self.exported
        if exported is None or exported.submission_folder is None:
            return
        self.bridge.run(
            requeue(
                self.outbox,
                exported.container,
                previous=exported.submission_folder,
                erdr_number=self.erdr_number,
                action_type=self.action_type,
            ),
            on_result=lambda folder: self._requeued(folder, refusal=refusal),
            on_error=self._requeue_failed,
        )

    def _requeued(self, folder: Path, *, refusal: bool = False) -> None:
        if self.exported is None:
            return
        self.exported = dataclasses.replace(self.exported, submission_folder=folder)
        self.requeued.append(folder)
        queued = (
            self.tr("the container with the recorded refusal is queued for upload")
            if refusal
            else self.tr("the co-signed container is queued for upload")
        )
        self.cosign.stage.setText(self.cosign.stage.text() + " · " + queued)
        self.upload_button.setEnabled(bool(self.upload_endpoint))

    def _requeue_failed(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.result.setStyleSheet("color:#b71c1c")
        self.result.setText(
            self.tr("The co-signed container could not be queued for upload: %1").replace(
                "%1", str(error)
            )
        )

    def upload(self) -> None:
        """Send the queued container; the local copy stays until the receiver confirms it."""
        if self.exported is None or self.exported.submission_folder is None:
            return
        token = self.token.text()
        self.token.clear()
        self.upload_button.setEnabled(False)
        self.bridge.run(
            upload(
                self.exported.submission_folder,
                endpoint=self.upload_endpoint,
                token=token,
                progress=self._progress,
            ),
            on_result=self._uploaded,
            on_error=self._upload_failed,
        )

    def _uploaded(self, receipt: dict[str, object]) -> None:
        self.receipt = receipt
        self.stage.setText(self.tr("Delivered; the case system confirmed the SHA-256"))
        if self.on_uploaded is not None:
            self.on_uploaded(receipt)

    def _upload_failed(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.stage.setText(self.tr("Upload failed; the container stays in the outbox"))
        self.result.setStyleSheet("color:#b71c1c")
        self.result.setText(str(error))
        self.upload_button.setEnabled(True)
