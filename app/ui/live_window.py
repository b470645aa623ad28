"""The investigator's live-session window: obviously recording, guided, never blocked.

REC indicator with elapsed time, sealed-segment count, time of the last seal and free disk; video
tiles; participants with their state and admit/decline; the procedure panel with the current step
and the text to read; the testimony editor (narrative, questions and answers, stamped with the
session clock); marker buttons with keyboard shortcuts; presence alerts. Every action goes to the
session core on its own thread; nothing here waits for the network or the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.hub import HubError, ParticipantEvent
from app.core.identity import IdentityResult
from app.core.link_stats import LinkStats
from app.core.presence import PresenceChanged, PresenceInterval
from app.core.session import LiveSession
from app.ui import domain_texts
from app.ui.bridge import EventBridge
from app.ui.identity_panel import IdentityDialog
from app.ui.layout import remember_layout
from app.ui.live_stills import add_stills_dock
from app.ui.lobby import InviteDialog
from recorder.recording import RecorderWarning, SegmentSealed, Stopped


@dataclass(frozen=True)
class PlannedPerson:
    """A participant of the action as planned in the wizard (``participant_id`` names tracks)."""

    participant_id: str
    role: str
    display_name: str
    iin: str | None = None


def participant_states() -> dict[str, str]:
    return {
        "planned": QCoreApplication.translate("LiveWindow", "planned"),
        "invited": QCoreApplication.translate("LiveWindow", "invited"),
        "waiting": QCoreApplication.translate("LiveWindow", "waiting in the lobby"),
        "admitted": QCoreApplication.translate("LiveWindow", "admitted"),
        "connected": QCoreApplication.translate("LiveWindow", "connected"),
        "disconnected": QCoreApplication.translate("LiveWindow", "connection lost"),
        "reconnected": QCoreApplication.translate("LiveWindow", "reconnected"),
        "left": QCoreApplication.translate("LiveWindow", "left"),
        "identity verified": QCoreApplication.translate("LiveWindow", "identity verified"),
        "acknowledged": QCoreApplication.translate("LiveWindow", "acknowledged"),
    }


MARKERS = (
    ("F5", "exhibit shown"),
    ("F6", "media played"),
    ("F7", "break"),
    ("F8", "resumed after break"),
)


def _clock(t: float) -> str:
    whole = int(max(t, 0))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class LiveWindow(QMainWindow):
    """One live action; ``session`` runs on ``bridge.runtime``'s loop."""

    def __init__(
        self,
        session: LiveSession,
        bridge: EventBridge,
        participant: str,
        planned: Sequence[PlannedPerson] = (),
        on_finished: Callable[[LiveSession], object] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("liveWindow")
        self.session = session
        self.bridge = bridge
        self.participant = participant  # whose testimony is being taken
        self.planned = {p.participant_id: p for p in planned}
        self.on_finished = on_finished
        self.errors: list[str] = []
        self.quality: dict[str, float] = {}
        self.links: dict[str, LinkStats] = {}
        self._ticks = 0
        self.invite_dialogs: list[InviteDialog] = []
        self.finished = False

        self.rec = QLabel()
        self.rec.setObjectName("recIndicator")
        self.rec.setStyleSheet(
            "background:#c62828;color:white;font-size:20pt;font-weight:bold;padding:6px 14px;"
            "border-radius:6px"
        )
        self.rec_stats = QLabel()
        self.rec_stats.setObjectName("recStats")
        self.pause_button = QPushButton()
        self.pause_button.clicked.connect(self._pause_or_resume)
        self.stop_button = QPushButton()
        self.stop_button.setObjectName("stopButton")
        self.stop_button.clicked.connect(self.finish)
        top = QHBoxLayout()
        top.addWidget(self.rec)
        top.addWidget(self.rec_stats, 1)
        top.addWidget(self.pause_button)
        top.addWidget(self.stop_button)

        self.tiles = QWidget()
        self.tile_grid = QGridLayout(self.tiles)
        self.tile_labels: dict[str, QLabel] = {}
        self.tile_names: dict[str, QLabel] = {}
        self._tile("investigator")

        self.people = QListWidget()
        self.people.setObjectName("participants")
        self.invite_button = QPushButton()
        self.invite_button.setObjectName("inviteButton")
        self.invite_button.clicked.connect(self.invite_selected)
        self.admit_button = QPushButton()
        self.admit_button.setObjectName("admitButton")
        self.admit_button.clicked.connect(self._admit_selected)
        self.decline_button = QPushButton()
        self.decline_button.setObjectName("declineButton")
        self.decline_button.clicked.connect(self._decline_selected)
        self.ack_button = QPushButton()
        self.ack_button.setObjectName("askAcknowledgment")
        self.ack_button.clicked.connect(self.ask_acknowledgment)
        self.read_back_button = QPushButton()
        self.read_back_button.setObjectName("readBackButton")
        self.read_back_button.clicked.connect(self.read_back)
        self.still_button = QPushButton()
        self.still_button.setObjectName("stillButton")
        self.still_button.clicked.connect(self.take_still)
        self.identity_button = QPushButton()
        self.identity_button.setObjectName("identityButton")
        self.identity_button.clicked.connect(self.open_identity)
        self.identity_dialogs: list[IdentityDialog] = []
        self.exhibit_button = QPushButton()
        self.exhibit_button.setObjectName("exhibitButton")
        self.exhibit_button.clicked.connect(self.choose_exhibit)
        self.stop_exhibit_button = QPushButton()
        self.stop_exhibit_button.setObjectName("stopExhibitButton")
        self.stop_exhibit_button.clicked.connect(lambda: self._run(self.session.stop_exhibit()))
        self.signaling = QLabel()
        self.signaling.setObjectName("signalingInfo")
        self.signaling.setWordWrap(True)
        self.signaling.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alerts = QListWidget()
        self.alerts.setObjectName("presenceAlerts")

        self.step_title = QLabel()
        self.step_title.setObjectName("stepTitle")
        self.step_title.setStyleSheet("font-size:13pt;font-weight:bold")
        self.step_text = QTextBrowser()
        self.step_text.setObjectName("stepText")
        self.step_start = QPushButton()
        self.step_start.clicked.connect(self._start_step)
        self.step_done = QPushButton()
        self.step_done.clicked.connect(self._complete_step)

        self.narrative = QPlainTextEdit()
        self.narrative.setObjectName("narrative")
        self.add_narrative = QPushButton()
        self.add_narrative.clicked.connect(self._add_narrative)
        self.question = QLineEdit()
        self.question.setObjectName("question")
        self.question.returnPressed.connect(self._ask)
        self.answer = QLineEdit()
        self.answer.setObjectName("answer")
        self.answer.returnPressed.connect(self._answer)
        self.transcript = QListWidget()
        self.transcript.setObjectName("transcript")
        self.marker_buttons: list[QPushButton] = []
        markers = QHBoxLayout()
        for key, note in MARKERS:
            button = QPushButton()
            button.clicked.connect(lambda _=False, n=note: self.mark(n))
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda n=note: self.mark(n))
            self.marker_buttons.append(button)
            markers.addWidget(button)
        self.masking_button = QPushButton()
        self.masking_button.setObjectName("maskingButton")
        self.masking_button.clicked.connect(self.ask_masking)
        QShortcut(QKeySequence("F9"), self).activated.connect(self.ask_masking)
        markers.addWidget(self.masking_button)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        self.people_heading, self.alerts_heading = QLabel(), QLabel()
        lobby_buttons = QHBoxLayout()
        for button in (self.invite_button, self.admit_button, self.decline_button):
            lobby_buttons.addWidget(button)
        for head in (self.people_heading, self.signaling, self.people):
            side_layout.addWidget(head)
        side_layout.addLayout(lobby_buttons)
        acts = QHBoxLayout()
        for button in (self.ack_button, self.read_back_button, self.still_button):
            acts.addWidget(button)
        side_layout.addLayout(acts)
        exhibits = QHBoxLayout()
        exhibits.addWidget(self.identity_button)
        exhibits.addWidget(self.exhibit_button)
        exhibits.addWidget(self.stop_exhibit_button)
        side_layout.addLayout(exhibits)
        for tail in (self.alerts_heading, self.alerts, self.step_title, self.step_text):
            side_layout.addWidget(tail)
        step_buttons = QHBoxLayout()
        step_buttons.addWidget(self.step_start)
        step_buttons.addWidget(self.step_done)
        side_layout.addLayout(step_buttons)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addWidget(self.narrative)
        editor_layout.addWidget(self.add_narrative)
        editor_layout.addWidget(self.question)
        editor_layout.addWidget(self.answer)
        editor_layout.addWidget(self.transcript)
        editor_layout.addLayout(markers)

        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.tiles)
        centre.addWidget(editor)
        main = QSplitter()
        main.addWidget(centre)
        main.addWidget(side)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 2)
        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addLayout(top)
        layout.addWidget(main, 1)
        self.setCentralWidget(root)
        # stills and the experts' annotations as they are logged (app/ui/live_stills.py)
        self.stills = add_stills_dock(self, bridge, session.action_dir, self._name)
        self.resize(1280, 820)

        bridge.core_event.connect(self.on_event)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        for person in planned:
            self._person_row(person.participant_id, person.display_name, person.role, "planned")
        if self.people.count():
            self.people.setCurrentRow(0)
        self.retranslate()
        self.show_step()
        remember_layout(self, "live")

    # --- texts ----------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Live session — %1").replace("%1", self.session.title))
        self.pause_button.setText(self.tr("Resume") if self.session.paused else self.tr("Pause"))
        self.stop_button.setText(self.tr("Stop and seal"))
        self.people_heading.setText(self.tr("Participants"))
        self.alerts_heading.setText(self.tr("Presence alerts"))
        for i in range(self.people.count()):  # role and state names in the new language
            item = self.people.item(i)
            name, role = item.data(Qt.ItemDataRole.UserRole + 2)
            pid = str(item.data(Qt.ItemDataRole.UserRole))
            self._person_row(pid, name, role, str(item.data(Qt.ItemDataRole.UserRole + 1)))
        for pid, caption in self.tile_names.items():
            caption.setText(self._name(pid))
        self.invite_button.setText(self.tr("Invite"))
        self.admit_button.setText(self.tr("Admit"))
        self.decline_button.setText(self.tr("Decline"))
        self.ack_button.setText(self.tr("Ask to acknowledge the step"))
        self.read_back_button.setText(self.tr("Read back"))
        self.still_button.setText(self.tr("Take a still"))
        self.exhibit_button.setText(self.tr("Show an exhibit…"))
        self.identity_button.setText(self.tr("Identity…"))
        self.stop_exhibit_button.setText(self.tr("Stop showing"))
        server = self.session.server
        if server is not None:
            info = self.tr("Session address: %1").replace("%1", server.base_url)
            if server.tls is not None:
                info += "\n" + self.tr("Certificate fingerprint (SHA-256): %1").replace(
                    "%1", server.tls.fingerprint
                )
            self.signaling.setText(info)
        self.step_start.setText(self.tr("Start step"))
        self.step_done.setText(self.tr("Step done"))
        self.narrative.setPlaceholderText(self.tr("Free narrative, in the first person"))
        self.add_narrative.setText(self.tr("Add to the record"))
        self.question.setPlaceholderText(self.tr("Question (Enter to record it)"))
        self.answer.setPlaceholderText(self.tr("Answer to the last question (Enter)"))
        labels = [
            self.tr("Exhibit shown"),
            self.tr("Media played"),
            self.tr("Break"),
            self.tr("Resumed"),
        ]
        for (key, _), button, label in zip(MARKERS, self.marker_buttons, labels, strict=True):
            button.setText(f"{label} ({key})")
        self.masking_button.setText(self.tr("Masking…") + " (F9)")
        for widget, name in (
            (self.people, self.tr("Participants")),
            (self.alerts, self.tr("Presence alerts")),
            (self.transcript, self.tr("Testimony so far")),
            (self.narrative, self.tr("Free narrative")),
            (self.question, self.tr("Question")),
            (self.answer, self.tr("Answer")),
            (self.rec, self.tr("Recording indicator")),
        ):
            widget.setAccessibleName(name)
        self.refresh()

    # --- periodic refresh (never blocks) ------------------------------------------------------

    def refresh(self) -> None:
        self._ticks += 1
        if self._ticks % 10 == 0:  # once a second: frames per second from each participant
            self.quality = self.session.link_quality()
            self.links = self.session.link_stats()
            for i in range(self.people.count()):
                item = self.people.item(i)
                pid = str(item.data(Qt.ItemDataRole.UserRole))
                if pid in self.quality or pid in self.links:
                    name, role = item.data(Qt.ItemDataRole.UserRole + 2)
                    self._person_row(pid, name, role, str(item.data(Qt.ItemDataRole.UserRole + 1)))
        stats = self.session.stats()
        state = self.tr("PAUSED") if stats.paused else "● REC"
        self.rec.setText(f"{state} {_clock(stats.elapsed)}")
        self.rec_stats.setText(
            self.tr("%1 segments sealed, last at %2 · %3 GB free")
            .replace("%1", str(stats.sealed))
            .replace("%2", stats.last_seal_utc or "—")
            .replace("%3", f"{stats.free_bytes / 1e9:.1f}")
        )
        for pid in list(self.session.taps):
            image = self.session.latest_frame(pid)
            label = self._tile(pid)
            if image is not None:
                h, w, _ = image.shape
                qimage = QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
                label.setPixmap(QPixmap.fromImage(qimage))

    def _name(self, pid: str) -> str:
        if pid == "investigator":
            return self.tr("You")
        person = self.planned.get(pid)
        return person.display_name if person else pid

    def _tile(self, pid: str) -> QLabel:
        if pid not in self.tile_labels:
            label = QLabel(self._name(pid))
            label.setObjectName(f"tile_{pid}")
            label.setMinimumSize(320, 240)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("background:#111;color:#eee")
            label.setAccessibleName(self._name(pid))
            caption = QLabel(self._name(pid))
            caption.setObjectName(f"tileName_{pid}")
            self.tile_names[pid] = caption
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            n = len(self.tile_labels)
            self.tile_grid.addWidget(label, (n // 2) * 2, n % 2)
            self.tile_grid.addWidget(caption, (n // 2) * 2 + 1, n % 2)
            self.tile_labels[pid] = label
        return self.tile_labels[pid]

    # --- events from the core (on the GUI thread) ----------------------------------------

    def on_event(self, event: Any) -> None:
        if isinstance(event, ParticipantEvent):
            self._set_person(event)
        elif isinstance(event, PresenceInterval):
            self.alerts.addItem(f"{self._name(event.participant)}: {event.describe()}")
        elif isinstance(event, PresenceChanged) and event.state.value != "present":
            self.alerts.addItem(
                f"{_clock(event.t)} {self._name(event.participant)}: "
                + (
                    self.tr("no face")
                    if event.state.value == "absent"
                    else self.tr("several faces")
                )
            )
        elif isinstance(event, IdentityResult):
            person = self.planned.get(event.participant_id)
            name, role = (
                (person.display_name, person.role) if person else (event.participant_id, "")
            )
            if event.accepted:
                self._person_row(event.participant_id, name, role, "identity verified")
            else:
                self.alerts.addItem(f"⚠ {name}: {event.message}")
        elif isinstance(event, HubError | RecorderWarning):
            self.alerts.addItem(f"⚠ {event.message}")
        elif isinstance(event, Stopped) and event.error:
            self.alerts.addItem(f"⚠ {event.error}")
        elif isinstance(event, SegmentSealed):
            pass  # counted by the session; shown by refresh()

    def _set_person(self, event: ParticipantEvent) -> None:
        self._person_row(event.participant_id, event.display_name, event.role, event.state)

    def _person_row(self, pid: str, name: str, role: str, state: str) -> QListWidgetItem:
        for i in range(self.people.count()):
            item = self.people.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == pid:
                break
        else:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.people.addItem(item)
        item.setData(Qt.ItemDataRole.UserRole + 1, state)
        item.setData(Qt.ItemDataRole.UserRole + 2, (name, role))
        roles = domain_texts.roles()
        states = participant_states()
        text = f"{name} — {roles.get(role, role)}: {states.get(state, state)}"
        fps = self.quality.get(pid)
        link = self.links.get(pid)
        tooltip = ""
        if state in ("connected", "reconnected", "identity verified"):
            if fps is not None:
                text += " · " + self.tr("video %1 fps").replace("%1", f"{fps:.0f}")
            if link is not None:
                text += " · " + self.tr("network: %1").replace("%1", self._grade_name(link.grade))
                tooltip = self._link_tooltip(link)
            if (fps is not None and fps < 10) or (link is not None and link.grade == "poor"):
                text += " · " + self.tr("weak connection")
        item.setText(text)
        item.setToolTip(tooltip)
        colour = {"fair": "#8a5a00", "poor": "#b71c1c"}.get(link.grade if link else "", "")
        item.setForeground(QColor(colour) if colour else self.people.palette().text().color())
        return item

    def _grade_name(self, grade: str) -> str:
        names = {"good": self.tr("good"), "fair": self.tr("fair"), "poor": self.tr("poor")}
        return names.get(grade, grade)

    def _link_tooltip(self, link: LinkStats) -> str:
        """The figures behind the grade, one per line."""
        labels = {
            "rtt": self.tr("Round trip"),
            "loss_in": self.tr("Packets lost on the way to us"),
            "loss_out": self.tr("Packets lost on the way to them"),
            "jitter_in": self.tr("Jitter on the way to us"),
            "jitter_out": self.tr("Jitter on the way to them"),
            "fps": self.tr("Video frames per second"),
        }
        head = self.tr("Network: %1").replace("%1", self._grade_name(link.grade))
        lines = [f"{labels[name]}: {value}" for name, value in link.describe().items()]
        return "\n".join([head, *lines])

    def person_state(self, pid: str) -> str | None:
        for i in range(self.people.count()):
            item = self.people.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == pid:
                return str(item.data(Qt.ItemDataRole.UserRole + 1))
        return None

    # --- actions (sent to the core) ------------------------------------------------------

    def _run(self, coro: Any) -> None:
        self.bridge.run(coro, on_error=lambda e: self.report_error(str(e)))

    def report_error(self, message: str) -> None:
        self.errors.append(message)
        self.alerts.addItem(f"⚠ {message}")

    def ask_masking(self) -> None:
        """Masking (a face or voice hidden in what participants see) is put on the record with
        its reason and time."""
        reason, ok = QInputDialog.getText(
            self, self.tr("Masking"), self.tr("What is masked, and why:")
        )
        if ok and reason.strip():
            self.mark_masking(reason.strip())

    def mark_masking(self, reason: str) -> None:
        self.mark(f"masking: {reason}")

    def mark(self, note: str) -> None:
        self._run(self.session.marker(note))
        self.transcript.addItem(f"{_clock(self.session.clock.now())} [{note}]")

    def _pause_or_resume(self) -> None:
        if self.session.paused:
            self._run(self.session.resume())
        else:
            reason, ok = QInputDialog.getText(
                self, self.tr("Pause"), self.tr("Reason for the pause")
            )
            if ok and reason.strip():
                self._run(self.session.pause(reason.strip()))

    def _selected(self) -> str | None:
        item = self.people.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def invite_selected(self) -> InviteDialog | None:
        """Issue an invite for the selected planned participant and show link, QR and PIN."""
        pid = self._selected()
        person = self.planned.get(pid or "")
        if person is None:
            return None
        try:
            issued = self.session.invite(pid or "", person.role, person.display_name, person.iin)
        except Exception as e:
            self.report_error(str(e))
            return None
        self._person_row(person.participant_id, person.display_name, person.role, "invited")
        dialog = InviteDialog(issued, person.display_name, self)
        self.invite_dialogs.append(dialog)
        dialog.show()
        return dialog

    def ask_acknowledgment(self) -> None:
        """Show the current step's text on the selected participant's screen."""
        pid, step = self._selected(), self.session.procedure.current
        if pid is None or step is None:
            return
        self._run(self.session.request_acknowledgment(pid, step.id))

    def read_back(self) -> None:
        """Show the testimony draft to the selected participant for remarks and confirmation."""
        pid = self._selected()
        if pid is not None:
            self._run(self.session.request_read_back(pid))

    def take_still(self) -> None:
        """A full-resolution still from the selected participant's camera, with a caption."""
        pid = self._selected()
        if pid is None:
            return
        caption, ok = QInputDialog.getText(
            self, self.tr("Take a still"), self.tr("Caption for the photo table:")
        )
        if ok and caption.strip():
            self._run(self.session.request_still(pid, "scene", caption.strip()))

    def open_identity(self) -> IdentityDialog | None:
        """The identity steps of the selected guest (document and face stills, data, attest)."""
        pid = self._selected()
        if pid is None:
            return None
        if pid not in self.session.identities:
            # experts, specialists, defenders: a challenge their app signs with their key
            self._run(self.session.request_certificate(pid))
            return None
        person = self.planned.get(pid)
        dialog = IdentityDialog(
            self.session,
            self.bridge,
            pid,
            person.display_name if person else pid,
            self,
            on_attested=self._verified,
        )
        self.identity_dialogs.append(dialog)
        dialog.show()
        return dialog

    def _verified(self, pid: str) -> None:
        person = self.planned.get(pid)
        name, role = (person.display_name, person.role) if person else (pid, "")
        self._person_row(pid, name, role, "identity verified")

    def connected_people(self) -> list[str]:
        return [
            str(self.people.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.people.count())
            if self.people.item(i).data(Qt.ItemDataRole.UserRole + 1)
            in ("connected", "reconnected", "identity verified", "acknowledged")
        ]

    def choose_exhibit(self) -> None:
        """A file (picture, PDF page, audio or video clip) shown to the selected participant, or
        to everyone connected when nobody is selected."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Show an exhibit"),
            "",
            self.tr(
                "Exhibits (*.png *.jpg *.jpeg *.pdf *.mp4 *.webm *.mkv *.mov *.wav *.mp3 *.m4a)"
            ),
        )
        if not path:
            return
        page = None
        if path.lower().endswith(".pdf"):
            page, ok = QInputDialog.getInt(self, self.tr("Show an exhibit"), self.tr("Page:"), 1, 1)
            if not ok:
                return
        # what the participants and the protocol call it; the file's name and SHA-256 are logged
        title, ok = QInputDialog.getText(
            self,
            self.tr("Show an exhibit"),
            self.tr("Title shown to the participants:"),
            text=Path(path).name,
        )
        if not ok:
            return
        selected = self._selected()
        to = [selected] if selected in self.connected_people() else self.connected_people()
        self.show_exhibit(Path(path), to, page, title=title)

    def show_exhibit(
        self, path: Path, to: list[str], page: int | None = None, *, title: str | None = None
    ) -> None:
        if not to:
            self.report_error(self.tr("Nobody is connected to be shown the exhibit"))
            return

        def shown(number: int) -> None:
            self.transcript.addItem(
                f"{_clock(self.session.clock.now())} "
                + self.tr("Exhibit %1 shown: %2")
                .replace("%1", str(number))
                .replace("%2", (title or "").strip() or path.name)
            )

        self.bridge.run(
            self.session.show_exhibit(path, to, page=page, title=title),
            on_result=shown,
            on_error=lambda e: self.report_error(str(e)),
        )

    def _admit_selected(self) -> None:
        pid = self._selected()
        if pid is not None:
            self._run(self.session.admit(pid))

    def _decline_selected(self) -> None:
        pid = self._selected()
        if pid is not None:
            self._run(self.session.decline(pid, "declined by the investigator"))

    def show_step(self) -> None:
        step = self.session.procedure.current
        if step is None:
            self.step_title.setText(self.tr("Procedure complete"))
            self.step_text.clear()
            return
        lang = self.session.procedure.language
        state = self.session.procedure.state(step.id).value
        self.step_title.setText(f"{step.title[lang]} ({state})")
        self.step_text.setPlainText(step.text[lang])

    def _start_step(self) -> None:
        step = self.session.procedure.current
        if step is None:
            return
        reason = None
        if self.session.procedure.missing_for(step.id):
            reason, ok = QInputDialog.getText(
                self,
                self.tr("Deviation from the procedure"),
                self.tr("Steps before this one are not done. Reason to go on:"),
            )
            if not ok or not reason.strip():
                return
        self.bridge.run(
            self.session.start_step(step.id, reason),
            on_result=lambda _: self.show_step(),
            on_error=lambda e: self.report_error(str(e)),
        )

    def _complete_step(self) -> None:
        step = self.session.procedure.current
        if step is not None:
            self.bridge.run(
                self.session.complete_step(step.id),
                on_result=lambda _: self.show_step(),
                on_error=lambda e: self.report_error(str(e)),
            )

    def _add_narrative(self) -> None:
        text = self.narrative.toPlainText().strip()
        if not text:
            return
        try:
            self.session.testimony_of(self.participant).add_narrative(text)
        except Exception as e:
            self.report_error(str(e))
            return
        self.transcript.addItem(f"{_clock(self.session.clock.now())} {text[:80]}")
        self.narrative.clear()

    def _ask(self) -> None:
        text = self.question.text().strip()
        if not text:
            return
        try:
            number = self.session.testimony_of(self.participant).ask(text)
        except Exception as e:
            self.report_error(str(e))
            return
        self.last_question = number
        self.transcript.addItem(f"{_clock(self.session.clock.now())} Q{number}: {text}")
        self.question.clear()
        self.answer.setFocus()

    def _answer(self) -> None:
        text = self.answer.text().strip()
        number = getattr(self, "last_question", None)
        if not text or number is None:
            return
        try:
            self.session.testimony_of(self.participant).answer(number, text)
        except Exception as e:
            self.report_error(str(e))
            return
        self.transcript.addItem(f"{_clock(self.session.clock.now())} A{number}: {text}")
        self.answer.clear()
        self.question.setFocus()

    def finish(self) -> None:
        """Stop and seal; the window stays open showing the final state."""
        self.stop_button.setEnabled(False)
        self.timer.stop()
        self.bridge.run(
            self.session.stop(),
            on_result=lambda _: self._sealed(),
            on_error=lambda e: self.report_error(str(e)),
        )

    def _sealed(self) -> None:
        self.rec.setText(self.tr("SEALED"))
        self.rec.setStyleSheet(
            "background:#2e7d32;color:white;font-size:20pt;font-weight:bold;padding:6px 14px;"
            "border-radius:6px"
        )
        self.finished = True
        for widget in (self.pause_button, self.invite_button, self.admit_button, self.step_start):
            widget.setEnabled(False)
        if self.on_finished is not None:
            self.on_finished(self.session)
