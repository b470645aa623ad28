"""Co-signing a protocol container: an expert, specialist, defender or interpreter adds their
signature to the investigator's container without invalidating the earlier signatures — either
to a container file they hold (:class:`CosignDialog`) or remotely, from a co-sign link the
investigator sent them (:class:`CosignLinkDialog`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.cosign_client import CosignClient, CosignPackage
from app.core.finish import cosign, open_identity
from app.ui import domain_texts
from app.ui.bridge import EventBridge
from recorder.report import Report


class CosignDialog(QDialog):
    """Choose the container and your PKCS#12 identity; sign; see the verifier's verdict."""

    def __init__(
        self,
        bridge: EventBridge,
        *,
        identity: str = "",
        container: str = "",
        tsa_url: str = "",
        trust_anchors_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cosignDialog")
        self.setMinimumWidth(620)
        self.bridge = bridge
        self.tsa_url = tsa_url
        self.trust_anchors_dir = trust_anchors_dir
        self.report: Report | None = None
        self.errors: list[str] = []
        self.container = QLineEdit(container)
        self.container.setObjectName("cosignContainer")
        self.identity = QLineEdit(identity)
        self.identity.setObjectName("cosignIdentity")
        self.password = QLineEdit()
        self.password.setObjectName("cosignPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.sign)
        self.pick_container, self.pick_identity = QPushButton(), QPushButton()
        self.pick_container.clicked.connect(self._choose_container)
        self.pick_identity.clicked.connect(self._choose_identity)
        for pick in (self.pick_container, self.pick_identity):
            pick.setAutoDefault(False)  # Enter in the password field signs, it opens no file dialog
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("cosignButton")
        self.sign_button.setDefault(True)
        self.sign_button.clicked.connect(self.sign)
        self.outcome = QLabel()
        self.outcome.setObjectName("cosignResult")
        self.outcome.setWordWrap(True)
        self.labels = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        for label, field, pick in (
            (self.labels[0], self.container, self.pick_container),
            (self.labels[1], self.identity, self.pick_identity),
        ):
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(pick)
            form.addRow(label, row)
        form.addRow(self.labels[2], self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.sign_button)
        layout.addWidget(self.outcome)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Co-sign a protocol"))
        self.labels[0].setText(self.tr("Container (.asice)"))
        self.labels[1].setText(self.tr("Signing identity (PKCS#12)"))
        self.labels[2].setText(self.tr("Password"))
        self.pick_container.setText(self.tr("Choose…"))
        self.pick_identity.setText(self.tr("Choose…"))
        self.sign_button.setText(self.tr("Add my signature"))
        self.password.setAccessibleName(self.tr("Password of the signing identity"))

    def _choose_container(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Container"), "", self.tr("ASiC-E container (*.asice)")
        )
        if path:
            self.container.setText(path)

    def _choose_identity(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Signing identity"), "", self.tr("PKCS#12 (*.p12 *.pfx)")
        )
        if path:
            self.identity.setText(path)

    def sign(self) -> None:
        if not self.sign_button.isEnabled():
            return
        container = Path(self.container.text().strip())
        identity = Path(self.identity.text().strip())
        password = self.password.text()
        self.password.clear()
        self.sign_button.setEnabled(False)
        self.outcome.setStyleSheet("")
        self.outcome.setText(self.tr("Signing…"))

        async def run() -> Report:
            signer = await open_identity(identity, password)
            return await cosign(
                container,
                signer=signer,
                tsa_url=self.tsa_url,
                trust_anchors_dir=self.trust_anchors_dir,
            )

        self.bridge.run(run(), on_result=self._done, on_error=self._failed)

    def _done(self, report: Report) -> None:
        self.report = report
        self.sign_button.setEnabled(True)
        self.outcome.setStyleSheet("color:#1b5e20")
        self.outcome.setText(self.tr("Signature added and verified.") + "\n" + report.summary())

    def _failed(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.sign_button.setEnabled(True)
        self.outcome.setStyleSheet("color:#b71c1c")
        self.outcome.setText(str(error))


class CosignLinkDialog(QDialog):
    """Co-sign from a link: open it with the PIN, read the protocol, then sign or refuse.

    What the server sends is checked before it is shown (the manifest's hash is the one in the
    link, the PDF is the one it lists, the investigator's signature verifies); the signature is
    made over a manifest built here from those checked data objects.
    """

    def __init__(
        self,
        bridge: EventBridge,
        *,
        link: str = "",
        identity: str = "",
        trust_anchors_dir: Path | None = None,
        fingerprint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cosignLinkDialog")
        self.resize(820, 860)
        self.bridge = bridge
        self.trust_anchors_dir = trust_anchors_dir
        self.fingerprint = fingerprint
        self.package: CosignPackage | None = None
        self.answer: dict[str, object] | None = None
        self.errors: list[str] = []
        self._client: CosignClient | None = None
        self._buffer: QBuffer | None = None
        self.link = QLineEdit(link)
        self.link.setObjectName("cosignLink")
        self.pin = QLineEdit()
        self.pin.setObjectName("cosignPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(6)
        self.pin.returnPressed.connect(self.open_link)
        self.open_button = QPushButton()
        self.open_button.setObjectName("cosignOpen")
        self.open_button.clicked.connect(self.open_link)
        self.request_info = QLabel()
        self.request_info.setObjectName("cosignRequestInfo")
        self.request_info.setWordWrap(True)
        self.pdf = QPdfDocument(self)
        self.preview = QPdfView()
        self.preview.setObjectName("cosignPreview")
        self.preview.setDocument(self.pdf)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.identity = QLineEdit(identity)
        self.identity.setObjectName("cosignIdentity")
        self.pick_identity = QPushButton()
        self.pick_identity.setAutoDefault(False)
        self.pick_identity.clicked.connect(self._choose_identity)
        self.password = QLineEdit()
        self.password.setObjectName("cosignPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.sign)
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("cosignButton")
        self.sign_button.clicked.connect(self.sign)
        self.reason = QLineEdit()
        self.reason.setObjectName("refusalReason")
        self.refuse_button = QPushButton()
        self.refuse_button.setObjectName("refuseButton")
        self.refuse_button.setAutoDefault(False)
        self.refuse_button.clicked.connect(self.refuse)
        self.outcome = QLabel()
        self.outcome.setObjectName("cosignResult")
        self.outcome.setWordWrap(True)
        self.labels = [QLabel() for _ in range(5)]

        top = QFormLayout()
        top.addRow(self.labels[0], self.link)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin)
        pin_row.addWidget(self.open_button)
        pin_row.addStretch(1)
        top.addRow(self.labels[1], pin_row)
        sign_form = QFormLayout()
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.pick_identity)
        sign_form.addRow(self.labels[2], identity_row)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(self.sign_button)
        sign_form.addRow(self.labels[3], password_row)
        refuse_row = QHBoxLayout()
        refuse_row.addWidget(self.reason, 1)
        refuse_row.addWidget(self.refuse_button)
        sign_form.addRow(self.labels[4], refuse_row)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.request_info)
        layout.addWidget(self.preview, 1)
        layout.addLayout(sign_form)
        layout.addWidget(self.outcome)
        self._set_signing_enabled(False)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Co-sign from a link"))
        for label, text in zip(
            self.labels,
            (
                self.tr("Link"),
                self.tr("PIN"),
                self.tr("Signing identity (PKCS#12)"),
                self.tr("Password"),
                self.tr("Or refuse, with the reason"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.open_button.setText(self.tr("Open"))
        self.pick_identity.setText(self.tr("Choose…"))
        self.sign_button.setText(self.tr("Sign the protocol"))
        self.refuse_button.setText(self.tr("Refuse to sign"))
        self.link.setAccessibleName(self.tr("Co-sign link"))
        self.pin.setAccessibleName(self.tr("PIN of the co-sign request"))
        self.password.setAccessibleName(self.tr("Password of the signing identity"))
        self.reason.setAccessibleName(self.tr("Reason for refusing to sign"))
        self.preview.setAccessibleName(self.tr("Protocol to sign"))
        if not self.request_info.text():
            self.request_info.setText(
                self.tr("Paste the link and enter the PIN you were given separately.")
            )

    def _choose_identity(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Signing identity"), "", self.tr("PKCS#12 (*.p12 *.pfx)")
        )
        if path:
            self.identity.setText(path)

    def _set_signing_enabled(self, on: bool) -> None:
        for widget in (
            self.identity,
            self.pick_identity,
            self.password,
            self.sign_button,
            self.reason,
            self.refuse_button,
        ):
            widget.setEnabled(on)

    def _show_error(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.outcome.setStyleSheet("color:#b71c1c")
        self.outcome.setText(str(error))

    def open_link(self) -> None:
        if not self.open_button.isEnabled():
            return
        pin = self.pin.text().strip()
        self.pin.clear()
        try:
            self._client = CosignClient(
                self.link.text().strip(),
                fingerprint=self.fingerprint or None,
                trust_anchors_dir=self.trust_anchors_dir,
            )
        except ValueError as e:
            self._show_error(e)
            return
        self.open_button.setEnabled(False)
        self.outcome.setStyleSheet("")
        self.outcome.setText(self.tr("Opening the request and checking the protocol…"))
        self.bridge.run(self._client.open(pin), on_result=self._opened, on_error=self._open_failed)

    def _open_failed(self, error: BaseException) -> None:
        self.open_button.setEnabled(True)
        self._show_error(error)

    def _opened(self, package: CosignPackage) -> None:
        self.package = package
        self.link.setEnabled(False)
        self.link.setCursorPosition(0)
        self.pin.setEnabled(False)
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(package.pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self._buffer)
        roles = domain_texts.roles()
        lines = [
            self.tr("%1 asks %2 (%3) to sign the protocol of: %4")
            .replace("%1", package.investigator)
            .replace("%2", package.display_name)
            .replace("%3", roles.get(package.role, package.role))
            .replace("%4", package.action_title or package.link.action_id),
            self.tr(
                "Checked: the protocol is the one the link names; the investigator's "
                "signature verifies."
            ),
        ]
        if package.demo:
            lines.append(self.tr("DEMO certificates — not a qualified signature."))
        self.request_info.setText("\n".join(lines))
        self.outcome.setStyleSheet("")
        self.outcome.setText(self.tr("Read the protocol, then sign it or refuse with a reason."))
        self._set_signing_enabled(True)
        self.password.setFocus()

    def sign(self) -> None:
        if self.package is None or self._client is None or not self.sign_button.isEnabled():
            return
        identity = Path(self.identity.text().strip())
        password = self.password.text()
        self.password.clear()
        self._set_signing_enabled(False)
        self.outcome.setStyleSheet("")
        self.outcome.setText(self.tr("Signing and sending…"))
        client, package = self._client, self.package

        async def run() -> dict[str, object]:
            signer = await open_identity(identity, password)
            return await client.sign(package, signer)

        self.bridge.run(run(), on_result=self._signed, on_error=self._step_failed)

    def refuse(self) -> None:
        if self.package is None or self._client is None or not self.refuse_button.isEnabled():
            return
        reason = self.reason.text().strip()
        if not reason:
            self._show_error(ValueError(self.tr("Write the reason for refusing first.")))
            return
        self._set_signing_enabled(False)
        self.bridge.run(
            self._client.refuse(self.package, reason),
            on_result=self._refused,
            on_error=self._step_failed,
        )

    def _step_failed(self, error: BaseException) -> None:
        self._set_signing_enabled(True)
        self._show_error(error)

    def _signed(self, answer: dict[str, object]) -> None:
        self.answer = answer
        self.outcome.setStyleSheet("color:#1b5e20")
        self.outcome.setText(
            self.tr("Your signature was accepted and added as %1.").replace(
                "%1", str(answer.get("signature", ""))
            )
        )

    def _refused(self, answer: dict[str, object]) -> None:
        self.answer = answer
        self.outcome.setStyleSheet("")
        self.outcome.setText(self.tr("Your refusal and its reason were sent to the investigator."))
