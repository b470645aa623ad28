"""The main window: the case list from the database, a language menu, new cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.access_log import AccessLog
from app.core.config import Config
from app.core.errors import TergeuError
from app.core.paths import private_dir
from app.core.storage.db import Database
from app.core.storage.models import ActionState
from app.ui import domain_texts
from app.ui.background import run_in_background
from app.ui.errors import show_error
from app.ui.i18n import LANGUAGES, Translations
from app.ui.new_action import IinCheck, NewActionWizard, PlannedAction, planned_end
from app.ui.settings import SettingsDialog

if TYPE_CHECKING:
    from app.ui.live_start import LiveStarter

ErdrCheck = Callable[[str], str]
T = TypeVar("T", bound=QObject)


def named(obj: T, name: str) -> T:
    """Set the object name (tests and accessibility tools find widgets by it)."""
    obj.setObjectName(name)
    return obj


class NewCaseDialog(QDialog):
    """Asks for the ERDR registration number and a title; refuses an invalid number in place."""

    def __init__(self, check_erdr: ErdrCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._check = check_erdr
        self.setObjectName("newCaseDialog")
        self.number = named(QLineEdit(), "erdrNumber")
        self.title_edit = named(QLineEdit(), "caseTitle")
        self.error = named(QLabel(), "newCaseError")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.number)
        self.form.addRow(QLabel(), self.title_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("New case"))
        for field, text in (
            (self.number, self.tr("ERDR registration number")),
            (self.title_edit, self.tr("Title")),
        ):
            label = self.form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
                label.setBuddy(field)
        self.number.setAccessibleName(self.tr("ERDR registration number"))
        self.title_edit.setAccessibleName(self.tr("Title"))

    def _accept(self) -> None:
        try:
            self.erdr_number = self._check(self.number.text().strip())
        except TergeuError as e:
            self.error.setText(str(e))
            self.number.setFocus()
            return
        self.accept()


class MainWindow(QMainWindow):
    """Start screen of the investigator: cases and their actions."""

    def __init__(
        self,
        db: Database,
        translations: Translations,
        check_erdr: ErdrCheck,
        check_iin: IinCheck,
        actions_root: Path,
        config: Config | None = None,
        config_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.check_iin = check_iin
        self.actions_root = actions_root
        self.access_log = AccessLog(db.path.parent / "access-log.jsonl")
        self.config = config or Config()
        self.config_path = config_path
        self.translations = translations
        self.check_erdr = check_erdr
        self.setObjectName("mainWindow")
        self.resize(1000, 640)

        self.heading = named(QLabel(), "casesHeading")
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold; padding: 6px 2px")
        self.search = named(QLineEdit(), "caseSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.table = named(QTableWidget(0, 4), "caseTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.empty = named(QLabel(), "emptyCases")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("font-size: 13pt; color: #555")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.table.itemSelectionChanged.connect(self._case_selected)

        self.actions_heading = named(QLabel(), "actionsHeading")
        self.actions_heading.setStyleSheet("font-size: 13pt; font-weight: bold; padding: 4px 2px")
        self.actions_table = named(QTableWidget(0, 3), "actionTable")
        self.actions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_table.verticalHeader().setVisible(False)
        self.actions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.new_action_button = named(QPushButton(), "newActionButton")
        self.new_action_button.setEnabled(False)
        self.new_action_button.clicked.connect(self.new_action)
        actions_panel = QWidget()
        actions_layout = QVBoxLayout(actions_panel)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addWidget(self.actions_heading)
        actions_layout.addWidget(self.actions_table, 1)
        self.start_button = named(QPushButton(), "startSessionButton")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_session)
        self.actions_table.itemSelectionChanged.connect(self._action_selected)
        action_buttons = QHBoxLayout()
        action_buttons.addWidget(self.new_action_button)
        action_buttons.addWidget(self.start_button)
        actions_layout.addLayout(action_buttons)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(actions_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.heading)
        layout.addWidget(self.search)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.new_case_action = named(QAction(self), "newCaseAction")
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.triggered.connect(self.new_case)
        self.quit_action = named(QAction(self), "quitAction")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.review_file_action = named(QAction(self), "reviewFileAction")
        self.review_file_action.setShortcut(QKeySequence.StandardKey.Open)
        self.review_file_action.triggered.connect(self.review_container)
        self.review_folder_action = named(QAction(self), "reviewFolderAction")
        self.review_folder_action.triggered.connect(self.review_folder)
        self.join_action = named(QAction(self), "joinAction")
        self.join_action.triggered.connect(self.join_session)
        self.cosign_action = named(QAction(self), "cosignAction")
        self.cosign_action.triggered.connect(self.cosign)
        self.cosign_link_action = named(QAction(self), "cosignLinkAction")
        self.cosign_link_action.triggered.connect(lambda: self.cosign_from_link())
        self.review_windows: list[QWidget] = []
        self.live: LiveStarter | None = None
        self.settings_action = named(QAction(self), "settingsAction")
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        self.settings_action.setEnabled(config_path is not None)
        self.about_action = named(QAction(self), "aboutAction")
        self.about_action.triggered.connect(self._about)

        self.toolbar = named(QToolBar(), "mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.new_case_action)
        self.addToolBar(self.toolbar)

        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.setObjectName("fileMenu")
        self.file_menu.addAction(self.new_case_action)
        self.file_menu.addAction(self.review_file_action)
        self.file_menu.addAction(self.review_folder_action)
        self.file_menu.addAction(self.join_action)
        self.file_menu.addAction(self.cosign_action)
        self.file_menu.addAction(self.cosign_link_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.language_menu = self.menuBar().addMenu("")
        self.language_menu.setObjectName("languageMenu")
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, native in LANGUAGES.items():
            action = named(QAction(native, self, checkable=True), f"language_{code}")
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.help_menu = self.menuBar().addMenu("")
        self.help_menu.setObjectName("helpMenu")
        self.help_menu.addAction(self.about_action)

        self.language_actions[translations.language].setChecked(True)
        self.statusBar().showMessage(str(db.path.parent))
        self.retranslate()
        self.refresh()

    # --- language ------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        """Switch the interface language now; Qt sends LanguageChange to every widget."""
        self.translations.switch(language)
        self.language_actions[language].setChecked(True)
        QLocale.setDefault(QLocale(language))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle("Tergeu")
        self.heading.setText(self.tr("Cases"))
        self.search.setPlaceholderText(self.tr("Search by ERDR number or title"))
        self.search.setAccessibleName(self.tr("Search cases"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("ERDR number"), self.tr("Title"), self.tr("Actions"), self.tr("Created")]
        )
        self.table.setAccessibleName(self.tr("Cases"))
        self.empty.setText(
            self.tr("No cases yet.\nCreate one with “New case” (Ctrl+N) using its ERDR number.")
        )
        self.new_case_action.setText(self.tr("New case…"))
        self.actions_heading.setText(self.tr("Actions of the selected case"))
        self.actions_table.setHorizontalHeaderLabels(
            [self.tr("Action"), self.tr("State"), self.tr("Planned start")]
        )
        self.actions_table.setAccessibleName(self.tr("Actions of the selected case"))
        self.new_action_button.setText(self.tr("New action…"))
        self.start_button.setText(self.tr("Start the session…"))
        self._fill_actions()
        self.quit_action.setText(self.tr("Quit"))
        self.settings_action.setText(self.tr("Settings…"))
        self.review_file_action.setText(self.tr("Review a signed container…"))
        self.review_folder_action.setText(self.tr("Review a recording folder…"))
        self.cosign_action.setText(self.tr("Co-sign a protocol…"))
        self.cosign_link_action.setText(self.tr("Co-sign from a link…"))
        self.join_action.setText(self.tr("Join a session as a participant…"))
        self.about_action.setText(self.tr("About Tergeu"))
        self.file_menu.setTitle(self.tr("&File"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.help_menu.setTitle(self.tr("&Help"))

    # --- cases ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the case list from the database."""
        cases = self.db.cases()
        self.table.setRowCount(len(cases))
        for row, case in enumerate(cases):
            created = case.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            values = [case.erdr_number, case.title, str(len(self.db.actions_of(case.id))), created]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, case.id)
                self.table.setItem(row, col, item)
        for column in (0, 2, 3):
            self.table.resizeColumnToContents(column)
        self.stack.setCurrentWidget(self.table if cases else self.empty)
        self._apply_filter(self.search.text())
        self._case_selected()

    def selected_case_id(self) -> int | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), 0)
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _case_selected(self) -> None:
        self.new_action_button.setEnabled(self.selected_case_id() is not None)
        self._fill_actions()

    def _fill_actions(self) -> None:
        case_id = self.selected_case_id()
        actions = self.db.actions_of(case_id) if case_id is not None else []
        labels = domain_texts.action_types()
        states = action_states()
        self.actions_table.setRowCount(len(actions))
        for row, action in enumerate(actions):
            start = action.planned_start
            values = [
                labels.get(action.type, action.type),
                states.get(action.state, action.state),
                start.astimezone().strftime("%Y-%m-%d %H:%M") if start else "",
            ]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, action.id)
                self.actions_table.setItem(row, col, item)
        for column in (1, 2):
            self.actions_table.resizeColumnToContents(column)

    def selected_action_id(self) -> str | None:
        row = self.actions_table.currentRow()
        item = self.actions_table.item(row, 0) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _action_selected(self) -> None:
        action_id = self.selected_action_id()
        planned = False
        if action_id is not None:
            planned = self.db.action(action_id).state == ActionState.PLANNED.value
        self.start_button.setEnabled(planned)

    def start_session(self) -> None:
        """Start the selected planned action live: recording first, then the lobby opens."""
        action_id = self.selected_action_id()
        if action_id is None:
            return
        live = self._starter()
        self.start_button.setEnabled(False)

        def failed(message: str) -> None:
            show_error(self, message)
            self._action_selected()

        live.start(action_id, self, failed, on_window=lambda _: self._fill_actions())

    def recover_interrupted(self, on_done: Callable[[list[Any]], None] | None = None) -> None:
        """At start: repair recordings cut short by a crash (off the GUI thread), then say so.

        Each interrupted action's log is truncated to its last complete entry, the segment in
        flight is salvaged and the gap is logged (``recorder.recover``); a live action becomes
        sealed. Nothing sealed before the crash is touched.
        """
        from recorder.recover import recover_interrupted

        def done(outcomes: list[Any]) -> None:
            lines = []
            for outcome in outcomes:
                action_id = outcome.action_dir.name
                if outcome.error is not None:
                    lines.append(f"{action_id}: {outcome.error}")
                    continue
                lines.append(outcome.result.summary())
                try:
                    if self.db.action(action_id).state == ActionState.LIVE.value:
                        self.db.set_action_state(action_id, ActionState.SEALED)
                except TergeuError:
                    pass  # a folder without a database row: recovered all the same
            if lines:
                self.statusBar().showMessage(
                    self.tr("Recovered after a crash: %1").replace("%1", "; ".join(lines))
                )
                self._fill_actions()
            if on_done is not None:
                on_done(outcomes)

        def failed(error: Exception) -> None:
            show_error(self, str(error))
            if on_done is not None:
                on_done([])

        run_in_background(lambda: recover_interrupted(self.actions_root), done, failed, owner=self)

    def _starter(self) -> LiveStarter:
        from app.ui.live_start import LiveStarter

        if self.live is None:
            self.live = LiveStarter(self.db, self.actions_root, self.config)
        return self.live

    def join_session(self) -> QWidget:
        """An expert, specialist or defender joins someone else's session by link and PIN."""
        from app.ui.participant_window import ParticipantWindow

        window = ParticipantWindow(
            self._starter().bridge, self.config, language=self.translations.language
        )
        self.review_windows.append(window)
        window.show()
        return window

    def cosign(self) -> QDialog:
        """An expert, defender or interpreter adds their signature to a container."""
        from app.ui.cosign import CosignDialog

        anchors = self.config["trust.anchors_dir"]
        dialog = CosignDialog(
            self._starter().bridge,
            identity=self.config["signing.identity"],
            tsa_url=self.config["timestamp.tsa_url"],
            trust_anchors_dir=Path(anchors) if anchors else None,
            parent=self,
        )
        dialog.show()
        return dialog

    def cosign_from_link(self, link: str = "") -> QDialog:
        """A participant opens the investigator's co-sign link, reads the protocol, signs it."""
        from app.ui.cosign import CosignLinkDialog

        anchors = self.config["trust.anchors_dir"]
        dialog = CosignLinkDialog(
            self._starter().bridge,
            link=link,
            identity=self.config["signing.identity"],
            trust_anchors_dir=Path(anchors) if anchors else None,
            parent=self,
        )
        dialog.show()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.live is not None:
            self.live.shutdown()
        super().closeEvent(event)

    def new_action(self) -> None:
        case_id = self.selected_case_id()
        if case_id is None:
            return
        wizard = NewActionWizard(
            self.actions_root, self.check_iin, self, language=self.translations.language
        )
        if wizard.exec() and wizard.result_action is not None:
            self.create_action(case_id, wizard.result_action)

    def create_action(self, case_id: int, plan: PlannedAction) -> None:
        """Store a planned action and make its evidence folder (owner-only)."""
        try:
            private_dir(self.actions_root / plan.action_id)
            self.db.add_action(
                action_id=plan.action_id,
                case_id=case_id,
                type=plan.type,
                language=plan.language,
                ground=plan.ground,
                investigator_place=plan.investigator_place,
                remote_place=plan.remote_place,
                planned_start=plan.planned_start,
                planned_end=planned_end(plan),
                participants=[(p.role, p.full_name, p.iin, p.contact) for p in plan.participants],
            )
        except (TergeuError, OSError) as e:
            show_error(self, str(e))
            return
        self.refresh()

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in (0, 1)]
            hay = " ".join(c.text() for c in cells if c is not None).casefold()
            self.table.setRowHidden(row, bool(needle) and needle not in hay)

    def new_case(self) -> None:
        dialog = NewCaseDialog(self.check_erdr, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create_case(dialog.erdr_number, dialog.title_edit.text().strip())

    def create_case(self, erdr_number: str, title: str) -> None:
        try:
            self.db.add_case(self.check_erdr(erdr_number), title)
        except TergeuError as e:
            show_error(self, str(e))
            return
        self.refresh()

    def review_container(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Review a signed container"), "", self.tr("Containers (*.asice)")
        )
        if path:
            self.review(Path(path))

    def review_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, self.tr("Review a recording folder"), str(self.actions_root)
        )
        if path:
            self.review(Path(path))

    def review(self, path: Path) -> None:
        """Confidentiality acceptance, then the review window (kept open beside this one)."""
        from app.ui.review_window import open_for_review

        try:
            window = open_for_review(path, self.access_log, self.translations.language, self)
        except TergeuError as e:
            show_error(self, str(e))
            return
        if window is not None:
            self.review_windows.append(window)

    def open_settings(self) -> None:
        if self.config_path is None:
            return
        dialog = SettingsDialog(self.config, self.config_path, self)
        if dialog.exec() and dialog.saved is not None:
            self.config = dialog.saved
            language = self.config["ui.language"]
            if language != self.translations.language:
                self.set_language(language)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Tergeu"),
            self.tr(
                "Tergeu — remote investigative actions with verified identities, "
                "evidence-grade recording and signed electronic protocols."
            ),
        )


def action_states() -> dict[str, str]:
    return {
        "planned": QCoreApplication.translate("Domain", "planned"),
        "live": QCoreApplication.translate("Domain", "live"),
        "sealed": QCoreApplication.translate("Domain", "sealed"),
        "signed": QCoreApplication.translate("Domain", "signed"),
        "exported": QCoreApplication.translate("Domain", "exported"),
        "uploaded": QCoreApplication.translate("Domain", "uploaded"),
    }
