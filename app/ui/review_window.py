"""The reviewer's window: confidentiality first, then the verification report, then playback.

A prosecutor, judge or defender opens a container or an action folder. Before anything of the
record is shown they accept the confidentiality rules (logged with the record's hash); then the
verification report comes first — verdict, signatures, every check — and the timeline shows each
segment's status; playback decodes only verified segments and shows a tampered one as a gap.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.commands.verify import verify_path
from app.core.access_log import AccessLog
from app.core.errors import TergeuError
from app.core.paths import private_dir
from app.core.playback import FrameState, Player
from app.core.procedure import load_step
from app.core.review import SegmentStatus, Timeline, build_timeline
from app.ui.background import run_in_background
from app.ui.errors import show_error
from app.ui.layout import remember_layout
from app.ui.timeline import TimelineView
from recorder.report import Report, Status

REVIEWER_ROLES = ("prosecutor", "judge", "defender", "investigator", "other")


def confidentiality_text(language: str) -> str:
    """The rules a reviewer accepts: the CPC Art. 201 text of the procedures, in ``language``."""
    return load_step("reviewer_confidentiality").shown_text(language)


class ConfidentialityDialog(QDialog):
    """Name, role and an explicit acceptance of the rules; nothing of the record is shown yet."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confidentialityDialog")
        self.rules = confidentiality_text(language)
        self.text = QTextBrowser()
        self.text.setPlainText(self.rules)
        self.name = QLineEdit()
        self.role = QComboBox()
        for code in REVIEWER_ROLES:
            self.role.addItem("", code)
        self.accept_box = QCheckBox()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.name)
        self.form.addRow(QLabel(), self.role)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(self.form)
        layout.addWidget(self.accept_box)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._update)
        self.accept_box.toggled.connect(self._update)
        self.resize(620, 420)
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Confidentiality of the pre-trial investigation"))
        labels = {
            "prosecutor": self.tr("Prosecutor"),
            "judge": self.tr("Judge"),
            "defender": self.tr("Defence counsel"),
            "investigator": self.tr("Investigator"),
            "other": self.tr("Other"),
        }
        for i in range(self.role.count()):
            self.role.setItemText(i, labels[self.role.itemData(i)])
        for field, text in ((self.name, self.tr("Your full name")), (self.role, self.tr("Role"))):
            label = self.form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
                label.setBuddy(field)
            field.setAccessibleName(text)
        self.accept_box.setText(self.tr("I have read these rules and accept them"))

    def _update(self) -> None:
        ok = self.accept_box.isChecked() and bool(self.name.text().strip())
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if button is not None:
            button.setEnabled(ok)


def _hms(seconds: float) -> str:
    whole = int(max(seconds, 0))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def parse_hms(text: str) -> float:
    """``HH:MM:SS`` → seconds; ValueError naming the value otherwise."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"time {text!r}: expected HH:MM:SS")
    h, m, sec = (int(p) for p in parts)
    if m >= 60 or sec >= 60:
        raise ValueError(f"time {text!r}: minutes and seconds must be below 60")
    return float(h * 3600 + m * 60 + sec)


def extract_recording(container: Path, into: Path) -> Path:
    """Copy a container's ``recording/`` members (log, segments, playlists) into ``into``."""
    try:
        with zipfile.ZipFile(container) as zf:
            for info in zf.infolist():
                if not info.filename.startswith("recording/") or info.is_dir():
                    continue
                relative = Path(info.filename).relative_to("recording")
                if ".." in relative.parts:
                    raise TergeuError(f"{container}: member {info.filename!r} escapes its folder")
                target = into / relative
                private_dir(target.parent)
                with zf.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                target.chmod(0o600)
    except (OSError, zipfile.BadZipFile) as e:
        raise TergeuError(f"cannot read the recording inside {container}: {e}") from e
    return into


def load_record(path: Path, workdir: Path) -> tuple[Report, Timeline, Path]:
    """Verify ``path`` and build its timeline (runs in the background)."""
    from recorder.log import read_log

    report = verify_path(path)
    action_dir = path if path.is_dir() else extract_recording(path, workdir)
    timeline = build_timeline(action_dir, list(read_log(action_dir)))
    return report, timeline, action_dir


class ReviewWindow(QMainWindow):
    """Report, timeline and verified playback of one record."""

    SPEEDS = (0.5, 1.0, 2.0, 4.0)

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.setObjectName("reviewWindow")
        self.path = path
        self._tmp = tempfile.TemporaryDirectory(prefix="tergeu-review-")
        self.report: Report | None = None
        self.timeline: Timeline | None = None
        self.player: Player | None = None
        self.position = 0.0
        self.speed = 1.0

        self.banner = QLabel()
        self.banner.setObjectName("verdictBanner")
        self.banner.setWordWrap(True)
        self.checks = QTreeWidget()
        self.checks.setObjectName("checkList")
        self.checks.setColumnCount(3)
        self.checks.setRootIsDecorated(False)
        self.timeline_view = TimelineView()
        self.timeline_view.seek_requested.connect(self.seek)
        self.videos = QWidget()
        self.video_grid = QGridLayout(self.videos)
        self.video_labels: dict[str, QLabel] = {}
        self.play_button = QPushButton()
        self.play_button.setObjectName("playButton")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._toggle)
        self.speed_box = QComboBox()
        for speed in self.SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(1)
        self.speed_box.currentIndexChanged.connect(
            lambda i: setattr(self, "speed", float(self.speed_box.itemData(i)))
        )
        self.next_event = QPushButton()
        self.next_event.clicked.connect(self.jump_to_next_event)
        self.clock = QLabel("00:00:00")
        self.excerpt_button = QPushButton()
        self.excerpt_button.setObjectName("excerptButton")
        self.excerpt_button.setEnabled(False)  # a container, once verified
        self.excerpt_button.clicked.connect(self.ask_excerpt)
        self.excerpt_result: dict[str, Any] | None = None
        controls = QHBoxLayout()
        for widget in (
            self.play_button,
            self.speed_box,
            self.next_event,
            self.clock,
            self.excerpt_button,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.addWidget(self.banner)
        top_layout.addWidget(self.checks)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.addWidget(self.timeline_view)
        bottom_layout.addWidget(self.videos, 1)
        bottom_layout.addLayout(controls)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        self.setCentralWidget(splitter)
        self.timer = QTimer(self)
        self.timer.setInterval(66)
        self.timer.timeout.connect(self._tick)
        self.resize(1100, 800)
        self.retranslate()
        remember_layout(self, "review")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Review: %1").replace("%1", self.path.name))
        self.checks.setHeaderLabels([self.tr("Check"), self.tr("Result"), self.tr("Details")])
        self.checks.setAccessibleName(self.tr("Verification checks"))
        self.timeline_view.setAccessibleName(self.tr("Timeline of segments"))
        self.play_button.setText(self.tr("Play"))
        self.next_event.setText(self.tr("Next event"))
        self.excerpt_button.setText(self.tr("Export excerpt…"))
        self.speed_box.setAccessibleName(self.tr("Playback speed"))
        if self.report is None:
            self.banner.setText(self.tr("Verifying…"))

    # --- loading ---------------------------------------------------------------------------

    def load(self, on_loaded: Any = None, on_failed: Any = None) -> None:
        """Verify and build the timeline in the background."""
        workdir = Path(self._tmp.name)

        def done(result: tuple[Report, Timeline, Path]) -> None:
            self.show_record(*result)
            if on_loaded:
                on_loaded()

        def failed(error: Exception) -> None:
            self.banner.setText(str(error))
            self.banner.setStyleSheet("background:#c62828;color:white;padding:8px;font-size:13pt")
            if on_failed:
                on_failed(error)

        run_in_background(lambda: load_record(self.path, workdir), done, failed, owner=self)

    def show_record(self, report: Report, timeline: Timeline, action_dir: Path) -> None:
        self.report, self.timeline = report, timeline
        self.player = Player(action_dir, timeline)
        self.excerpt_button.setEnabled(self.path.is_file() and report.ok)
        counts = timeline.counts()
        verdict = self.tr("INTACT") if report.ok else self.tr("PROBLEMS FOUND")
        colour = "#2e7d32" if report.ok else "#c62828"
        checks_line = (
            self.tr("%1 checks: %2 failed, %3 warnings")
            .replace("%1", str(len(report.checks)))
            .replace("%2", str(len(report.problems)))
            .replace("%3", str(len(report.warnings)))
        )
        self.banner.setText(
            f"{verdict} — {checks_line}\n"
            + self.tr("Segments: %1 intact, %2 tampered, %3 missing, %4 recovered")
            .replace("%1", str(counts[SegmentStatus.INTACT]))
            .replace("%2", str(counts[SegmentStatus.TAMPERED]))
            .replace("%3", str(counts[SegmentStatus.MISSING]))
            .replace("%4", str(counts[SegmentStatus.RECOVERED]))
        )
        for addendum in report.facts.get("addenda") or []:  # refusals recorded after signing
            person = addendum.get("participant") or {}
            self.banner.setText(
                self.banner.text()
                + "\n"
                + self.tr("Refusal to sign recorded by %1: %2 — “%3”")
                .replace("%1", str(addendum.get("signer", "?")))
                .replace("%2", str(person.get("full_name", "?")))
                .replace("%3", str(addendum.get("reason", "?")))
            )
        self.banner.setStyleSheet(f"background:{colour};color:white;padding:8px;font-size:13pt")
        self.checks.clear()
        ordered = sorted(report.checks, key=lambda c: (c.status is not Status.FAILED, c.name))
        statuses = {
            Status.OK: self.tr("passed"),
            Status.WARNING: self.tr("warning"),
            Status.FAILED: self.tr("FAILED"),
        }
        for check in ordered:
            details = f"{check.subject}: {check.message}" if check.subject else check.message
            item = QTreeWidgetItem([check.name, statuses[check.status], details])
            if check.status is Status.FAILED:
                item.setForeground(1, Qt.GlobalColor.red)
            self.checks.addTopLevelItem(item)
        self.checks.resizeColumnToContents(0)
        self.timeline_view.set_timeline(timeline)
        for i, track in enumerate(self.player.video_tracks):
            label = QLabel()
            label.setObjectName(f"video_{track}")
            label.setMinimumSize(320, 240)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("background:#111;color:#eee")
            label.setAccessibleName(track)
            self.video_grid.addWidget(label, i // 2, i % 2)
            self.video_labels[track] = label
        starts = [segs[0].start for segs in timeline.tracks.values() if segs]
        self.seek(min(starts, default=0.0))

    # --- playback --------------------------------------------------------------------------

    def seek(self, t: float) -> None:
        self.position = t
        self.timeline_view.set_position(t)
        whole = int(t)
        self.clock.setText(f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}")
        self.render_frames()

    def render_frames(self) -> None:
        if self.player is None:
            return
        for track, label in self.video_labels.items():
            frame = self.player.frame(track, self.position)
            if frame.state is FrameState.PICTURE and frame.image is not None:
                h, w, _ = frame.image.shape
                image = QImage(frame.image.data, w, h, 3 * w, QImage.Format.Format_RGB888)
                label.setPixmap(
                    QPixmap.fromImage(image.copy()).scaled(
                        label.size(), Qt.AspectRatioMode.KeepAspectRatio
                    )
                )
                label.setProperty("frameState", "picture")
            else:
                label.setPixmap(QPixmap())
                texts = {
                    FrameState.LOADING: self.tr("loading…"),
                    FrameState.GAP: self.tr("no recording at this time"),
                    FrameState.TAMPERED: self.tr("TAMPERED SEGMENT — NOT PLAYED"),
                }
                label.setText(f"{track}\n{texts[frame.state]}")
                label.setProperty("frameState", frame.state.value)

    def _toggle(self, playing: bool) -> None:
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
        if playing:
            self.timer.start()
        else:
            self.timer.stop()

    def _tick(self) -> None:
        if self.timeline is None:
            return
        t = self.position + self.timer.interval() / 1000 * self.speed
        if t >= self.timeline.duration:
            self.play_button.setChecked(False)
            t = self.timeline.duration
        self.seek(t)

    def ask_excerpt(self) -> None:
        """Ask for a time range (default: one minute from the playhead) and an output file."""
        start = _hms(self.position)
        end = _hms(self.position + 60)
        text, ok = QInputDialog.getText(
            self,
            self.tr("Export excerpt"),
            self.tr("Time range of the excerpt (HH:MM:SS-HH:MM:SS):"),
            text=f"{start}-{end}",
        )
        if not ok:
            return
        out, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the excerpt"),
            str(self.path.with_name(self.path.stem + "-excerpt.asice")),
            self.tr("ASiC-E container (*.asice)"),
        )
        if out:
            self.export_excerpt(text, Path(out))

    def export_excerpt(self, time_range: str, out: Path, on_done: Any = None) -> None:
        """Write the excerpt in the background; errors name the bad value."""
        from protocol.excerpt import make_excerpt

        try:
            start, end = (parse_hms(part) for part in time_range.split("-", 1))
        except ValueError:
            show_error(
                self, self.tr("Time range %1: expected HH:MM:SS-HH:MM:SS").replace("%1", time_range)
            )
            return

        def done(result: dict[str, Any]) -> None:
            self.excerpt_result = result
            self.statusBar().showMessage(self.tr("Excerpt written: %1").replace("%1", str(out)))
            if on_done:
                on_done(result)

        def failed(error: Exception) -> None:
            show_error(self, str(error))
            if on_done:
                on_done(error)

        run_in_background(
            lambda: make_excerpt(self.path, out, start=start, end=end), done, failed, owner=self
        )

    def jump_to_next_event(self) -> None:
        if self.timeline is None:
            return
        later = [e.t for e in self.timeline.events if e.t > self.position + 0.05]
        if later:
            self.seek(min(later))

    def closeEvent(self, event: Any) -> None:
        if self.player is not None:
            self.player.close()
        self._tmp.cleanup()
        super().closeEvent(event)


def open_for_review(
    path: Path, access_log: AccessLog, language: str, parent: QWidget | None = None
) -> ReviewWindow | None:
    """Ask for the confidentiality acceptance, log it, then open the review window."""
    dialog = ConfidentialityDialog(language, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    access_log.accept(
        reviewer=dialog.name.text(),
        role=str(dialog.role.currentData()),
        record=path,
        rules_text=dialog.rules,
        language=language,
    )
    window = ReviewWindow(path)
    window.show()
    window.load()
    return window
