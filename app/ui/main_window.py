"""The main window: the case list from the database, a language menu, new cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QLocale, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TergeuError
from app.core.storage.db import Database
from app.ui.i18n import LANGUAGES, Translations

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
        self.form.addRow("", self.number)
        self.form.addRow("", self.title_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("New case"))
        number_label = self.form.labelForField(self.number)
        title_label = self.form.labelForField(self.title_edit)
        if isinstance(number_label, QLabel):
            number_label.setText(self.tr("ERDR registration number"))
        if isinstance(title_label, QLabel):
            title_label.setText(self.tr("Title"))
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

    def __init__(self, db: Database, translations: Translations, check_erdr: ErdrCheck) -> None:
        super().__init__()
        self.db = db
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

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.heading)
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.new_case_action = named(QAction(self), "newCaseAction")
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.triggered.connect(self.new_case)
        self.quit_action = named(QAction(self), "quitAction")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
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
        self.quit_action.setText(self.tr("Quit"))
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
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)
        self.stack.setCurrentWidget(self.table if cases else self.empty)
        self._apply_filter(self.search.text())

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

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Tergeu"),
            self.tr(
                "Tergeu — remote investigative actions with verified identities, "
                "evidence-grade recording and signed electronic protocols."
            ),
        )


def show_error(parent: QWidget | None, message: str) -> None:
    """The one place the interface shows an error: a plain dialog, never a traceback."""
    box = QMessageBox(parent)
    box.setObjectName("errorDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Tergeu")
    box.setText(message)
    box.exec()
