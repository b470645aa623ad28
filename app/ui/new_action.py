"""The new-action wizard: type and ground, places and time, participants — then the disk check."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.core.errors import TergeuError
from app.ui import domain_texts
from recorder.diskspace import FreeSpaceProbe, SpaceEstimate, check_space, disk_free
from recorder.errors import RecorderError

IinCheck = Callable[[str], str]


@dataclass(frozen=True)
class PlannedParticipant:
    role: str
    full_name: str
    iin: str | None
    contact: str


@dataclass(frozen=True)
class PlannedAction:
    """What the wizard produced; valid by construction (the wizard checked every field)."""

    action_id: str
    type: str
    ground: str
    language: str
    investigator_place: str
    remote_place: str
    planned_start: datetime
    planned_minutes: int
    participants: tuple[PlannedParticipant, ...]


def _combo(items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for code, label in items.items():
        box.addItem(label, code)
    return box


def _relabel(box: QComboBox, items: dict[str, str]) -> None:
    for i in range(box.count()):
        box.setItemText(i, items[box.itemData(i)])


class TypePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.action_type = _combo(domain_texts.action_types())
        self.ground = _combo(domain_texts.remote_grounds())
        self.language = _combo(domain_texts.languages())
        self.form = QFormLayout(self)
        self.form.addRow(QLabel(), self.action_type)
        self.form.addRow(QLabel(), self.ground)
        self.form.addRow(QLabel(), self.language)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Action"))
        self.setSubTitle(self.tr("What is being done, and why remotely."))
        _relabel(self.action_type, domain_texts.action_types())
        _relabel(self.ground, domain_texts.remote_grounds())
        for field, text in (
            (self.action_type, self.tr("Type of action")),
            (self.ground, self.tr("Ground for remote mode")),
            (self.language, self.tr("Language of the proceedings")),
        ):
            label = self.form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
                label.setBuddy(field)
            field.setAccessibleName(text)


class PlacePage(QWizardPage):
    def __init__(
        self, action_root: Path, tracks: Callable[[], int], free_space: FreeSpaceProbe
    ) -> None:
        super().__init__()
        self.action_root = action_root
        self.free_space = free_space
        self.tracks = tracks
        self.investigator_place = QLineEdit()
        self.remote_place = QLineEdit()
        self.start = QDateTimeEdit(QDateTime.currentDateTime().addSecs(600))
        self.start.setCalendarPopup(True)
        self.minutes = QSpinBox()
        self.minutes.setRange(5, 12 * 60)
        self.minutes.setValue(60)
        self.minutes.setSingleStep(15)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.form = QFormLayout(self)
        for field in (self.investigator_place, self.remote_place, self.start, self.minutes):
            self.form.addRow(QLabel(), field)
        self.form.addRow(self.error)
        self.investigator_place.textChanged.connect(self.completeChanged)
        self.remote_place.textChanged.connect(self.completeChanged)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Places and time"))
        self.setSubTitle(self.tr("Where the investigator and the remote participants are."))
        for field, text in (
            (self.investigator_place, self.tr("Investigator's place")),
            (self.remote_place, self.tr("Remote place (e.g. police office)")),
            (self.start, self.tr("Planned start")),
            (self.minutes, self.tr("Planned duration, minutes")),
        ):
            label = self.form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
                label.setBuddy(field)
            field.setAccessibleName(text)

    def isComplete(self) -> bool:
        return bool(self.investigator_place.text().strip() and self.remote_place.text().strip())

    def validatePage(self) -> bool:
        """The recorder's disk check: refuse a plan the disk cannot hold."""
        tracks = max(self.tracks(), 2)
        estimate = SpaceEstimate(
            video_tracks=tracks, audio_tracks=tracks, planned_seconds=self.minutes.value() * 60
        )
        try:
            self.action_root.mkdir(parents=True, exist_ok=True)
            check_space(self.action_root, estimate, self.free_space)
        except (RecorderError, OSError) as e:
            self.error.setText(str(e))
            return False
        self.error.clear()
        return True


class ParticipantsPage(QWizardPage):
    COLUMNS = 4

    def __init__(self, check_iin: IinCheck) -> None:
        super().__init__()
        self.check_iin = check_iin
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self._remove_selected)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.add_row("witness")

    def add_row(
        self, role: str = "witness", name: str = "", iin: str = "", contact: str = ""
    ) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        box = _combo(domain_texts.roles())
        box.setCurrentIndex(max(box.findData(role), 0))
        self.table.setCellWidget(row, 0, box)
        for col, text in ((1, name), (2, iin), (3, contact)):
            self.table.setItem(row, col, QTableWidgetItem(text))

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Participants"))
        self.setSubTitle(self.tr("Everyone who takes part besides the investigator."))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Role"), self.tr("Full name"), self.tr("IIN"), self.tr("Contact")]
        )
        self.table.setAccessibleName(self.tr("Participants"))
        self.add_button.setText(self.tr("Add participant"))
        self.remove_button.setText(self.tr("Remove selected"))
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 0)
            if isinstance(box, QComboBox):
                _relabel(box, domain_texts.roles())

    def participants(self) -> tuple[PlannedParticipant, ...]:
        """Every row, checked; raises TergeuError naming the row and the problem."""
        people = []
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 0)
            assert isinstance(box, QComboBox)
            cells = [self.table.item(row, c) for c in (1, 2, 3)]
            name, iin, contact = ((c.text().strip() if c else "") for c in cells)
            if not name:
                raise TergeuError(
                    self.tr("Row %1: the full name is empty.").replace("%1", str(row + 1))
                )
            checked = None
            if iin:
                try:
                    checked = self.check_iin(iin)
                except TergeuError as e:
                    raise TergeuError(f"{row + 1}: {e}") from e
            people.append(PlannedParticipant(str(box.currentData()), name, checked, contact))
        if not people:
            raise TergeuError(self.tr("Add at least one participant."))
        return tuple(people)

    def validatePage(self) -> bool:
        try:
            self.participants()
        except TergeuError as e:
            self.error.setText(str(e))
            return False
        self.error.clear()
        return True


class NewActionWizard(QWizard):
    """Plans an action; :attr:`result_action` holds the plan after ``accept``."""

    def __init__(
        self,
        action_root: Path,
        check_iin: IinCheck,
        parent: QWidget | None = None,
        *,
        language: str = "ru",
        free_space: FreeSpaceProbe = disk_free,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newActionWizard")
        self.type_page = TypePage()
        self.type_page.language.setCurrentIndex(max(self.type_page.language.findData(language), 0))
        self.participants_page = ParticipantsPage(check_iin)
        self.place_page = PlacePage(
            action_root, lambda: self.participants_page.table.rowCount() + 1, free_space
        )
        self.addPage(self.type_page)
        self.addPage(self.participants_page)
        self.addPage(self.place_page)
        self.result_action: PlannedAction | None = None
        self.resize(760, 520)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("New action"))
        for page in (self.type_page, self.participants_page, self.place_page):
            page.retranslate()

    def plan(self) -> PlannedAction:
        start = self.place_page.start.dateTime().toPython()
        assert isinstance(start, datetime)
        return PlannedAction(
            action_id=datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8],
            type=str(self.type_page.action_type.currentData()),
            ground=str(self.type_page.ground.currentData()),
            language=str(self.type_page.language.currentData()),
            investigator_place=self.place_page.investigator_place.text().strip(),
            remote_place=self.place_page.remote_place.text().strip(),
            planned_start=start.astimezone(),
            planned_minutes=self.place_page.minutes.value(),
            participants=self.participants_page.participants(),
        )

    def accept(self) -> None:
        self.result_action = self.plan()
        super().accept()


def planned_end(plan: PlannedAction) -> datetime:
    return plan.planned_start + timedelta(minutes=plan.planned_minutes)
