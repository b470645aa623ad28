"""Handing out an invitation: the link (copy, QR code) and the PIN, which is shown only once.

The PIN goes to the participant by another channel than the link (phone, the local official);
after this dialog closes, Tergeu no longer knows it (only its salted hash is kept).
"""

from __future__ import annotations

import io

import segno
from PySide6.QtCore import QEvent
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.invites import IssuedInvite


def qr_pixmap(link: str, scale: int = 6) -> QPixmap:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class InviteDialog(QDialog):
    """Shows one issued invite; ``link`` can be copied, the PIN is read out or written down."""

    def __init__(self, issued: IssuedInvite, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inviteDialog")
        self.setMinimumWidth(520)
        self.issued = issued
        self.name = name
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size:14pt;font-weight:bold")
        self.heading.setWordWrap(True)
        self.link = QLineEdit(issued.link)
        self.link.setObjectName("inviteLink")
        self.link.setReadOnly(True)
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copyLink")
        self.copy_button.clicked.connect(self.copy_link)
        self.qr = QLabel()
        self.qr.setObjectName("inviteQr")
        self.qr.setPixmap(qr_pixmap(issued.link))
        self.pin_label = QLabel()
        self.pin = QLabel(f"{issued.pin[:3]} {issued.pin[3:]}")
        self.pin.setObjectName("invitePin")
        self.pin.setStyleSheet("font-size:28pt;font-weight:bold;letter-spacing:4px")
        self.pin_note = QLabel()
        self.pin_note.setWordWrap(True)
        self.pin_note.setStyleSheet("color:#8a4b00")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.accept)
        self.buttons.accepted.connect(self.accept)

        row = QHBoxLayout()
        row.addWidget(self.link, 1)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.qr)
        layout.addWidget(self.pin_label)
        layout.addWidget(self.pin)
        layout.addWidget(self.pin_note)
        layout.addWidget(self.buttons)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Invitation"))
        self.heading.setText(self.tr("Invitation for %1").replace("%1", self.name))
        self.copy_button.setText(self.tr("Copy link"))
        self.pin_label.setText(self.tr("PIN (tell it by phone or through the local official):"))
        self.pin_note.setText(
            self.tr(
                "The PIN is shown only now and is not stored. Send the link and the PIN by "
                "different channels. The link works once and expires in 4 hours."
            )
        )
        self.link.setAccessibleName(self.tr("Invitation link"))
        self.pin.setAccessibleName(self.tr("PIN"))
        self.qr.setAccessibleName(self.tr("QR code of the invitation link"))

    def copy_link(self) -> None:
        QGuiApplication.clipboard().setText(self.issued.link)
