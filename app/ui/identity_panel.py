"""Establishing a guest's identity from the live window (CPC Art. 213; DOMAIN §3).

Steps, each logged by the session core: possession of link and PIN (at admission); full-resolution
stills of the ID document and the face taken on the guest's device and stored as evidence; the
document data the investigator reads from the still (IIN with its check digit, birth date and sex;
MRZ lines with their ICAO check digits, cross-checked); the investigator's attestation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.guest_identity import DocumentCheck
from app.core.hub import StillStored
from app.core.session import LiveSession
from app.ui.bridge import EventBridge


class IdentityDialog(QDialog):
    """The identity steps of one guest participant."""

    def __init__(
        self,
        session: LiveSession,
        bridge: EventBridge,
        participant_id: str,
        name: str,
        parent: QWidget | None = None,
        on_attested: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("identityDialog")
        self.setMinimumWidth(720)
        self.session = session
        self.bridge = bridge
        self.participant_id = participant_id
        self.name = name
        self.check: DocumentCheck | None = None
        self.attested = False
        self.on_attested = on_attested
        self.errors: list[str] = []
        self.stills: dict[str, str] = {}

        self.capture = QPushButton()
        self.capture.setObjectName("captureIdentityStills")
        self.capture.clicked.connect(self.capture_stills)
        self.document = QLabel()
        self.document.setObjectName("documentStill")
        self.face = QLabel()
        self.face.setObjectName("faceStill")
        for label in (self.document, self.face):
            label.setMinimumSize(320, 200)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("background:#222;color:#ddd")
        self.iin = QLineEdit()
        self.iin.setObjectName("identityIin")
        self.iin.setMaxLength(12)
        self.number = QLineEdit()
        self.number.setObjectName("documentNumber")
        self.mrz = QPlainTextEdit()
        self.mrz.setObjectName("mrzLines")
        self.mrz.setMaximumHeight(80)
        self.mrz.setStyleSheet("font-family: monospace")
        self.check_button = QPushButton()
        self.check_button.setObjectName("checkDocument")
        self.check_button.clicked.connect(self.check_document)
        self.attest_button = QPushButton()
        self.attest_button.setObjectName("attestIdentity")
        self.attest_button.setEnabled(False)
        self.attest_button.clicked.connect(self.attest)
        self.outcome = QLabel()
        self.outcome.setObjectName("identityResult")
        self.outcome.setWordWrap(True)
        self.labels = [QLabel(), QLabel(), QLabel()]

        pictures = QHBoxLayout()
        pictures.addWidget(self.document)
        pictures.addWidget(self.face)
        form = QFormLayout()
        form.addRow(self.labels[0], self.iin)
        form.addRow(self.labels[1], self.number)
        form.addRow(self.labels[2], self.mrz)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.attest_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.capture)
        layout.addLayout(pictures)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.outcome)
        bridge.core_event.connect(self.on_event)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Identity of %1").replace("%1", self.name))
        self.capture.setText(self.tr("Ask for stills of the ID document and the face"))
        self.labels[0].setText(self.tr("IIN"))
        self.labels[1].setText(self.tr("Document number"))
        self.labels[2].setText(self.tr("MRZ lines (optional)"))
        self.check_button.setText(self.tr("Check the document data"))
        self.attest_button.setText(self.tr("I attest the identity"))
        if not self.stills:
            self.document.setText(self.tr("ID document"))
            self.face.setText(self.tr("Face"))

    def _run(self, coro: Any, on_result: Any = None) -> None:
        self.bridge.run(coro, on_result=on_result, on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.errors.append(str(error))
        self.outcome.setStyleSheet("color:#b71c1c")
        self.outcome.setText(str(error))

    def capture_stills(self) -> None:
        self.outcome.setText(self.tr("Waiting for the stills from the participant's camera…"))
        self._run(self.session.capture_identity_stills(self.participant_id))

    def on_event(self, event: object) -> None:
        if not isinstance(event, StillStored) or event.participant_id != self.participant_id:
            return
        target = {"document": self.document, "face": self.face}.get(event.kind)
        if target is None:
            return
        self.stills[event.kind] = event.evidence.file
        picture = QPixmap(str(self.session.action_dir / event.evidence.file))
        target.setPixmap(picture.scaledToWidth(320, Qt.TransformationMode.SmoothTransformation))
        target.setToolTip(f"{event.width}×{event.height}, SHA-256 {event.evidence.sha256}")
        if len(self.stills) == 2:
            self.outcome.setStyleSheet("")
            self.outcome.setText(self.tr("Both stills arrived intact and are stored as evidence."))

    def check_document(self) -> None:
        mrz = [line.strip() for line in self.mrz.toPlainText().splitlines() if line.strip()]
        self._run(
            self.session.enter_document(
                self.participant_id,
                iin=self.iin.text().strip(),
                document_number=self.number.text().strip(),
                mrz=mrz or None,
            ),
            on_result=self._checked,
        )

    def _checked(self, check: DocumentCheck) -> None:
        self.check = check
        if check.ok:
            self.outcome.setStyleSheet("color:#1b5e20")
            self.outcome.setText(self.tr("The document data passed every check."))
        else:
            self.outcome.setStyleSheet("color:#b71c1c")
            self.outcome.setText("\n".join(check.problems))
        self.attest_button.setEnabled(check.ok)

    def attest(self) -> None:
        def done(_: object) -> None:
            self.attested = True
            self.outcome.setStyleSheet("color:#1b5e20")
            self.outcome.setText(self.tr("Identity attested and logged."))
            self.attest_button.setEnabled(False)
            if self.on_attested is not None:
                self.on_attested(self.participant_id)

        self._run(self.session.attest_identity(self.participant_id), on_result=done)
