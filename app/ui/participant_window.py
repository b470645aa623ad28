"""The desktop participant (expert, specialist, defender): join by link, device check, session view,
and the participant's own acknowledgments.

The camera and microphone are opened first so the participant sees themselves before joining
(device check). Joining runs :class:`app.core.participant.Participant` on the core thread; when
the investigator shows a procedure text, the participant reads it here and acknowledges it by
typing their full name — their own act, sent with the SHA-256 of exactly the text shown.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc.contrib.media import MediaRelay
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.config import Config
from app.core.devices import Devices, open_devices
from app.core.errors import ConfigError
from app.core.expert_view import ActOutcome, GalleryItem
from app.core.finish import open_identity
from app.core.ice_hosts import pin_host_addresses
from app.core.participant import Participant, Reply, TextShown
from app.core.session import FrameTap
from app.core.still_gallery import GALLERY_ROLES
from app.ui.bridge import EventBridge
from app.ui.layout import remember_layout
from app.ui.stills_gallery import AnnotateDialog, RequestStillDialog, StillsPanel
from recorder.clock import SessionClock

TILE = 320
EXHIBIT_TILE = 800  # an exhibit's picture is kept this wide (shown scaled to its area)
EXHIBIT = "exhibit-video"  # the exhibit slot's video (app.core.participant.track_name)


def _image(array: np.ndarray) -> QPixmap:
    h, w, _ = array.shape
    return QPixmap.fromImage(QImage(array.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy())


class TextDialog(QDialog):
    """A procedure text to acknowledge, or the read-back of the testimony to confirm or refuse."""

    def __init__(self, shown: TextShown, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textDialog")
        self.shown = shown
        self.setMinimumSize(560, 480)
        self.text = QTextBrowser()
        self.text.setObjectName("shownText")
        body = shown.shown if shown.draft is None else f"{shown.shown}\n\n{shown.draft}"
        self.text.setPlainText(body)
        self.name = QLineEdit()
        self.name.setObjectName("typedName")
        self.remarks = QPlainTextEdit()
        self.remarks.setObjectName("remarks")
        self.remarks.setVisible(shown.purpose == "read_back")
        self.reason = QLineEdit()
        self.reason.setObjectName("refusalReason")
        self.reason.setVisible(shown.purpose == "read_back")
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.refuse_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.refuse_button.setVisible(shown.purpose == "read_back")
        self.accept_button.clicked.connect(self._accept)
        self.refuse_button.clicked.connect(self._refuse)
        self.reply: Reply | None = None
        self.labels = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        form.addRow(self.labels[0], self.name)
        form.addRow(self.labels[1], self.remarks)
        form.addRow(self.labels[2], self.reason)
        self.labels[1].setVisible(shown.purpose == "read_back")
        self.labels[2].setVisible(shown.purpose == "read_back")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.shown.title)
        self.labels[0].setText(self.tr("Your full name"))
        self.labels[1].setText(self.tr("Remarks and corrections"))
        self.labels[2].setText(self.tr("Reason for refusing"))
        self.accept_button.setText(
            self.tr("I understand") if self.shown.purpose != "read_back" else self.tr("Confirm")
        )
        self.refuse_button.setText(self.tr("Refuse to confirm"))
        self.name.setAccessibleName(self.tr("Your full name"))

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.name.setFocus()
            return
        self.reply = Reply(self.name.text().strip(), self.remarks.toPlainText().strip())
        self.accept()

    def _refuse(self) -> None:
        if not self.reason.text().strip() or not self.name.text().strip():
            (self.name if not self.name.text().strip() else self.reason).setFocus()
            return
        self.reply = Reply(
            self.name.text().strip(),
            self.remarks.toPlainText().strip(),
            refused_reason=self.reason.text().strip(),
        )
        self.accept()


class ParticipantWindow(QMainWindow):
    """Join a session from the desktop app."""

    def __init__(self, bridge: EventBridge, config: Config, language: str = "ru") -> None:
        super().__init__()
        self.setObjectName("participantWindow")
        self.bridge = bridge
        self.config = config
        self.language = language
        self.participant: Participant | None = None
        self.devices: Devices | None = None
        self.run_future: concurrent.futures.Future[Any] | None = None
        self.self_view = FrameTap()
        self.remote: dict[str, np.ndarray] = {}
        self.text_dialogs: list[TextDialog] = []
        self.request_dialogs: list[RequestStillDialog] = []
        self.annotate_dialogs: list[AnnotateDialog] = []
        self._gallery_failures = 0
        self.errors: list[str] = []
        self.ended = ""

        self.link = QLineEdit()
        self.link.setObjectName("joinLink")
        self.pin = QLineEdit()
        self.pin.setObjectName("joinPin")
        self.pin.setMaxLength(6)
        self.fingerprint = QLineEdit()
        self.fingerprint.setObjectName("joinFingerprint")
        self.identity = QLineEdit(config["signing.identity"])
        self.identity.setObjectName("joinIdentity")
        self.key_password = QLineEdit()
        self.key_password.setObjectName("joinKeyPassword")
        self.key_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.check_button = QPushButton()
        self.check_button.setObjectName("deviceCheckButton")
        self.check_button.clicked.connect(self.check_devices)
        self.join_button = QPushButton()
        self.join_button.setObjectName("joinButton")
        self.join_button.setEnabled(False)
        self.join_button.clicked.connect(self.join)
        self.hangup_button = QPushButton()
        self.hangup_button.setObjectName("hangupButton")
        self.hangup_button.setEnabled(False)
        self.hangup_button.clicked.connect(self.hang_up)
        self.state = QLabel()
        self.state.setObjectName("participantState")
        self.state.setStyleSheet("font-size:13pt")
        self.rec = QLabel()
        self.rec.setObjectName("recordingIndicator")
        self.rec.setMaximumHeight(40)
        self.self_label = QLabel()
        self.self_label.setObjectName("selfView")
        self.self_label.setMinimumSize(TILE // 2, TILE * 3 // 8)
        self.self_label.setStyleSheet("background:#111;color:#eee")
        self.tiles = QWidget()
        self.grid = QGridLayout(self.tiles)
        self.tile_labels: dict[str, QLabel] = {}
        # an exhibit the investigator shows: its own large tile with its label, above the others
        self.exhibit_box = QWidget()
        self.exhibit_box.setObjectName("exhibitBox")
        self.exhibit_label = QLabel()
        self.exhibit_label.setObjectName("exhibitLabel")
        self.exhibit_label.setWordWrap(True)
        self.exhibit_label.setStyleSheet(
            "background:#ffbf00;color:#000;font-weight:bold;font-size:13pt;padding:4px 8px"
        )
        self.exhibit_view = QLabel()
        self.exhibit_view.setObjectName("exhibitView")
        self.exhibit_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.exhibit_view.setMinimumSize(TILE, TILE * 3 // 4)
        # the picture is scaled to the area, never the area to the picture
        policy = QSizePolicy.Policy.Ignored
        self.exhibit_view.setSizePolicy(policy, policy)
        self.exhibit_view.setStyleSheet("background:#000")
        exhibit_layout = QVBoxLayout(self.exhibit_box)
        exhibit_layout.setContentsMargins(0, 0, 0, 0)
        exhibit_layout.addWidget(self.exhibit_label)
        exhibit_layout.addWidget(self.exhibit_view, 1)
        self.exhibit_box.setVisible(False)
        # experts and specialists: the action's stills, requests and annotations
        self.stills = StillsPanel()
        self.stills.setVisible(False)
        self.stills.request_button.clicked.connect(self.request_still)
        self.stills.annotate_button.clicked.connect(lambda: self.annotate(self.stills.selected()))
        self.stills.list.itemDoubleClicked.connect(lambda _: self.annotate(self.stills.selected()))

        self.labels = [QLabel(), QLabel(), QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        fields = (self.link, self.pin, self.fingerprint, self.identity, self.key_password)
        for label, field in zip(self.labels, fields, strict=True):
            form.addRow(label, field)
        buttons = QHBoxLayout()
        for button in (self.check_button, self.join_button, self.hangup_button):
            buttons.addWidget(button)
        status = QHBoxLayout()
        status.addWidget(self.rec)
        status.addWidget(self.state, 1)
        status.addWidget(self.self_label)
        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(status)
        media = QHBoxLayout()
        views = QVBoxLayout()
        views.addWidget(self.exhibit_box, 3)
        views.addWidget(self.tiles, 2)
        media.addLayout(views, 3)
        media.addWidget(self.stills, 2)
        layout.addLayout(media, 1)
        self.setCentralWidget(root)
        self.resize(1100, 760)
        remember_layout(self, "participant")
        bridge.core_event.connect(self._on_core)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Join a session"))
        self.labels[0].setText(self.tr("Invitation link"))
        self.labels[1].setText(self.tr("PIN"))
        self.labels[2].setText(self.tr("Certificate fingerprint (if the investigator gave one)"))
        self.labels[3].setText(self.tr("Your signing identity (PKCS#12), to prove who you are"))
        self.labels[4].setText(self.tr("Password of the signing identity"))
        self.check_button.setText(self.tr("Check camera and microphone"))
        self.join_button.setText(self.tr("Join"))
        self.hangup_button.setText(self.tr("Hang up"))
        self.self_label.setAccessibleName(self.tr("Your camera"))
        self.refresh()

    # --- device check, join, hang up ------------------------------------------------------

    def check_devices(self) -> None:
        """Open the camera and microphone and show the self view before joining."""
        if self.devices is not None:
            return
        try:
            self.devices = open_devices(
                self.config["devices.camera"],
                self.config["devices.microphone"],
                SessionClock.start(),
            )
        except Exception as e:
            self._error(str(e))
            return
        self._relay = MediaRelay()
        self._video = self._relay.subscribe(self.devices.video)
        self.bridge.run(self.self_view.run(self._relay.subscribe(self.devices.video)))
        self.join_button.setEnabled(True)

    def join(self) -> None:
        """Open the signing identity (if given), then join with the link and PIN."""
        if self.devices is None or self.participant is not None:
            return
        identity = self.identity.text().strip()
        password = self.key_password.text()
        pin = self.pin.text().strip()
        self.key_password.clear()
        self.pin.clear()
        if identity:
            self.join_button.setEnabled(False)
            self.bridge.run(
                open_identity(Path(identity), password),
                on_result=lambda signer: self._join_with(signer, pin),
                on_error=self._failed,
            )
        else:
            self._join_with(None, pin)

    def _join_with(self, signer: object, pin: str) -> None:
        if self.devices is None or self.participant is not None:
            return
        try:
            pin_host_addresses(self.config["network.ice_host_addresses"])
            self.participant = Participant(
                self.link.text().strip(),
                pin,
                audio=self.devices.audio,
                video=self._video,
                language=self.language,
                fingerprint=self.fingerprint.text().strip() or None,
                on_frame=self._frame,
                on_text=self._ask,
                signer=signer,
            )
        except (ValueError, ConfigError) as e:
            self._error(str(e))
            self.join_button.setEnabled(True)
            return
        self.participant.expert.add_listener(
            lambda item: self.bridge.core_event.emit(("gallery-still", item))
        )
        self.join_button.setEnabled(False)
        self.hangup_button.setEnabled(True)
        self.run_future = self.bridge.run(
            self.participant.run(), on_result=self._ended, on_error=self._failed
        )

    def hang_up(self) -> None:
        if self.participant is not None:
            self.bridge.run(self.participant.leave())
        self.hangup_button.setEnabled(False)

    def _ended(self, reason: object) -> None:
        self.ended = str(reason)
        self.hangup_button.setEnabled(False)
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self._error(str(error))
        self.participant = None
        self.join_button.setEnabled(self.devices is not None)
        self.hangup_button.setEnabled(False)

    def _error(self, message: str) -> None:
        self.errors.append(message)
        self.state.setStyleSheet("font-size:13pt;color:#b71c1c")
        self.state.setText(message)

    # --- from the core thread -------------------------------------------------------------

    def _frame(self, name: str, frame: Any) -> None:
        """Core thread: keep a small picture of each received video track."""
        if not isinstance(frame, av.VideoFrame):
            return
        width = EXHIBIT_TILE if name == EXHIBIT else TILE
        height = max(2, int(frame.height * width / max(frame.width, 1)) // 2 * 2)
        self.remote[name] = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()

    async def _ask(self, shown: TextShown) -> Reply | None:
        """Core thread: show the text in the GUI and wait for the person's own answer."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Reply | None] = loop.create_future()

        def settle(reply: Reply | None) -> None:
            if not answer.done():
                answer.set_result(reply)

        def resolve(reply: Reply | None) -> None:
            loop.call_soon_threadsafe(settle, reply)

        self.bridge.core_event.emit(("participant-text", shown, resolve))
        return await answer

    def _on_core(self, event: object) -> None:
        if isinstance(event, tuple) and event and event[0] == "gallery-still":
            item = event[1]
            if isinstance(item, GalleryItem):
                self.stills.add(item)
        if isinstance(event, tuple) and event and event[0] == "participant-text":
            _, shown, resolve = event
            dialog = TextDialog(shown, self)
            self.text_dialogs.append(dialog)
            dialog.finished.connect(lambda _=0, d=dialog, r=resolve: r(d.reply))
            dialog.show()

    # --- stills gallery (experts and specialists) ---------------------------------------

    def request_still(self) -> None:
        """Ask whose camera and what for; the still arrives in the gallery."""
        p = self.participant
        if p is None:
            return
        dialog = RequestStillDialog(dict(p.expert.visible), self)
        self.request_dialogs.append(dialog)

        def send() -> None:
            whom, caption = dialog.choice()
            self.stills.say(self.tr("Still requested: %1").replace("%1", caption))
            self.bridge.run(
                p.expert.request_still(whom, caption),
                on_result=self._act_done,
                on_error=lambda e: self._act_done(ActOutcome(False, str(e), "error")),
            )

        dialog.accepted.connect(send)
        dialog.show()

    def _act_done(self, outcome: ActOutcome) -> None:
        if not outcome.ok:
            self.stills.say(outcome.message, error=True)

    def annotate(self, item: GalleryItem | None) -> None:
        """Open the annotate dialog on a still of the gallery."""
        p = self.participant
        if p is None or item is None:
            return
        dialog = AnnotateDialog(item, self)
        self.annotate_dialogs.append(dialog)

        def save(request: tuple[str, tuple[Any, ...], str]) -> None:
            sha256, shapes, note = request
            self.bridge.run(
                p.expert.annotate(sha256, shapes, note),
                on_result=dialog.result_arrived,
                on_error=lambda e: dialog.result_arrived(ActOutcome(False, str(e), "error")),
            )

        dialog.save_requested.connect(save)
        dialog.accepted.connect(
            lambda: self.stills.say(
                self.tr("Annotation of still %1 saved").replace("%1", str(item.number))
            )
        )
        dialog.show()

    # --- periodic refresh -----------------------------------------------------------------

    def refresh(self) -> None:
        if self.self_view.latest is not None:
            self.self_label.setPixmap(_image(self.self_view.latest).scaledToWidth(TILE // 2))
        p = self.participant
        if p is not None and self.ended:
            self.state.setText(self.tr("The session has ended: %1").replace("%1", self.ended))
        elif p is not None and not self.errors:
            states = {
                "new": self.tr("Connecting…"),
                "waiting": self.tr("Waiting for the investigator to admit you"),
                "admitted": self.tr("Admitted"),
            }
            connected = p.connected.is_set()
            self.state.setText(self.tr("In the session") if connected else states.get(p.state, ""))
        self.stills.setVisible(p is not None and p.role in GALLERY_ROLES and not self.ended)
        if p is not None and len(p.expert.failed) > self._gallery_failures:
            self._gallery_failures = len(p.expert.failed)
            self.stills.say(p.expert.failed[-1], error=True)  # a still that did not arrive intact
        recording = p is not None and p.stats.recording and not self.ended
        self.rec.setText(self.tr("● RECORDING") if recording else "")
        self.rec.setStyleSheet(
            "background:#c62828;color:white;font-weight:bold;padding:4px 10px" if recording else ""
        )
        self._refresh_exhibit(p)
        for name, image in list(self.remote.items()):
            if name == EXHIBIT:
                continue
            if name not in self.tile_labels:
                label = QLabel()
                label.setObjectName(f"remote_{name}")
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                n = len(self.tile_labels)
                self.grid.addWidget(label, n // 2, n % 2)
                self.tile_labels[name] = label
            pixmap = _image(image)
            if self.exhibit_box.isVisible():  # the exhibit takes the room, the others are smaller
                pixmap = pixmap.scaledToWidth(TILE // 2, Qt.TransformationMode.SmoothTransformation)
            self.tile_labels[name].setPixmap(pixmap)

    def _refresh_exhibit(self, p: Participant | None) -> None:
        """The exhibit tile while the hub says one is shown (its last picture is dropped at the
        end, so the next exhibit never starts with the previous one's)."""
        shown = p.exhibit if p is not None and not self.ended else None
        image = self.remote.get(EXHIBIT)
        if shown is None:
            self.remote.pop(EXHIBIT, None)
            self.exhibit_view.clear()
        else:
            number, title = shown
            self.exhibit_label.setText(
                self.tr("Exhibit %1: %2").replace("%1", str(number)).replace("%2", title)
            )
            self.exhibit_view.setAccessibleName(self.exhibit_label.text())
            if image is not None:
                size = self.exhibit_view.size()
                self.exhibit_view.setPixmap(
                    _image(image).scaled(
                        size,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
        self.exhibit_box.setVisible(shown is not None)

    def closeEvent(self, event: Any) -> None:
        self.hang_up()
        if self.devices is not None:
            self.devices.close()
        super().closeEvent(event)
