"""Settings: every config key, grouped by section, checked by the same rules as the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.config import KEYS, Config, ConfigError, save_config

CHOICES = {"signaling.tls": ("auto", "on", "off"), "ui.language": ("kk", "ru", "en")}
LISTS = {"network.stun_servers", "network.turn_servers", "network.ice_host_addresses"}
SECRET = {"network.turn_credential"}


def key_labels() -> dict[str, str]:
    return {
        "signaling.host": QCoreApplication.translate("Settings", "Signaling address"),
        "signaling.port": QCoreApplication.translate("Settings", "Signaling port"),
        "signaling.tls": QCoreApplication.translate(
            "Settings", "TLS for signaling (auto: off only on loopback)"
        ),
        "signaling.certificate": QCoreApplication.translate(
            "Settings", "TLS certificate (PEM), empty: self-signed"
        ),
        "signaling.private_key": QCoreApplication.translate("Settings", "TLS private key (PEM)"),
        "network.stun_servers": QCoreApplication.translate(
            "Settings", "STUN servers, comma-separated"
        ),
        "network.turn_servers": QCoreApplication.translate(
            "Settings", "TURN servers, comma-separated"
        ),
        "network.turn_username": QCoreApplication.translate("Settings", "TURN user name"),
        "network.turn_credential": QCoreApplication.translate("Settings", "TURN credential"),
        "network.ice_host_addresses": QCoreApplication.translate(
            "Settings", "Media addresses of this computer, comma-separated (empty: all)"
        ),
        "recording.segment_seconds": QCoreApplication.translate(
            "Settings", "Segment length, seconds (1–10)"
        ),
        "recording.checkpoint_seconds": QCoreApplication.translate(
            "Settings", "Signed checkpoint interval, seconds"
        ),
        "recording.low_disk_warning_mb": QCoreApplication.translate(
            "Settings", "Warn below this free space, MB"
        ),
        "ui.language": QCoreApplication.translate(
            "Settings", "Language of the interface and new protocols"
        ),
        "upload.endpoint": QCoreApplication.translate("Settings", "Case system upload address"),
        "investigator.position": QCoreApplication.translate("Settings", "Your position"),
        "investigator.agency": QCoreApplication.translate("Settings", "Your agency"),
        "devices.camera": QCoreApplication.translate("Settings", "Camera"),
        "devices.microphone": QCoreApplication.translate("Settings", "Microphone"),
        "storage.folder": QCoreApplication.translate(
            "Settings", "Storage folder (empty: the per-user data folder)"
        ),
        "signing.identity": QCoreApplication.translate(
            "Settings", "Signing identity (PKCS#12 file)"
        ),
        "trust.anchors_dir": QCoreApplication.translate("Settings", "Trust anchors folder"),
        "timestamp.tsa_url": QCoreApplication.translate(
            "Settings", "Time-stamping authority (RFC 3161) URL"
        ),
    }


def section_labels() -> dict[str, str]:
    return {
        "signaling": QCoreApplication.translate("Settings", "Signaling"),
        "network": QCoreApplication.translate("Settings", "Network"),
        "recording": QCoreApplication.translate("Settings", "Recording"),
        "ui": QCoreApplication.translate("Settings", "Interface"),
        "devices": QCoreApplication.translate("Settings", "Camera and microphone"),
        "storage": QCoreApplication.translate("Settings", "Storage"),
        "signing": QCoreApplication.translate("Settings", "Signing"),
        "investigator": QCoreApplication.translate("Settings", "Investigator"),
        "upload": QCoreApplication.translate("Settings", "Upload"),
        "trust": QCoreApplication.translate("Settings", "Trust"),
        "timestamp": QCoreApplication.translate("Settings", "Time-stamps"),
    }


class SettingsDialog(QDialog):
    """Edits the config file; nothing is saved unless every value passes its rule."""

    def __init__(self, config: Config, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.path = path
        self.saved: Config | None = None
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self.tabs = QTabWidget()
        labels, sections = key_labels(), section_labels()
        forms: dict[str, QFormLayout] = {}
        for key in KEYS:
            dotted = f"{key.section}.{key.name}"
            if key.section not in forms:
                page = QWidget()
                forms[key.section] = QFormLayout(page)
                self.tabs.addTab(page, sections[key.section])
            value = config[dotted]
            editor: QLineEdit | QComboBox
            if dotted in CHOICES:
                editor = QComboBox()
                editor.addItems(list(CHOICES[dotted]))
                editor.setCurrentText(str(value))
            else:
                editor = QLineEdit(", ".join(value) if dotted in LISTS else str(value))
                if dotted in SECRET:
                    editor.setEchoMode(QLineEdit.EchoMode.Password)
            editor.setObjectName(dotted)
            editor.setAccessibleName(labels[dotted])
            label = QLabel(labels[dotted])
            label.setBuddy(editor)
            forms[key.section].addRow(label, editor)
            self.editors[dotted] = editor
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setWindowTitle(self.tr("Settings"))
        self.resize(680, 360)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        numbers = {f"{k.section}.{k.name}" for k in KEYS if isinstance(k.default, int | float)}
        for dotted, editor in self.editors.items():
            text = editor.currentText() if isinstance(editor, QComboBox) else editor.text().strip()
            if dotted in LISTS:
                out[dotted] = [part.strip() for part in text.split(",") if part.strip()]
            elif dotted in numbers:
                try:
                    out[dotted] = int(text) if dotted == "signaling.port" else float(text)
                except ValueError:
                    out[dotted] = text  # the rule names the key and what is expected
            else:
                out[dotted] = text
        return out

    def save(self) -> None:
        try:
            self.saved = save_config(self.values(), self.path)
        except ConfigError as e:
            self.error.setText(str(e))
            return
        self.accept()
