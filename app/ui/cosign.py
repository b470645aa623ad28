"""Co-signing a protocol container: an expert, specialist, defender or interpreter adds their
signature to the investigator's container without invalidating the earlier signatures."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
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

from app.core.finish import cosign, open_identity
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
