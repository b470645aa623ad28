"""The main window with the real database behind it (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from app.core.cases import check_erdr_number
from app.core.errors import TergeuError
from app.core.storage.db import Database
from app.core.storage.models import ActionState
from app.ui.i18n import Translations, compile_translations
from app.ui.main_window import MainWindow, NewCaseDialog
from app.ui.new_action import NewActionWizard


def fake_iin_check(value: str) -> str:
    """The wizard's IIN rule is injected; the real one is tested with the identifiers."""
    if value != "061211600012":
        raise TergeuError(f"invalid IIN {value!r}")
    return value


@pytest.fixture
def window(qtbot, tmp_path: Path):
    db = Database(tmp_path / "tergeu.db")
    translations = Translations(compile_translations(tmp_path / "i18n"))
    translations.switch("en")
    w = MainWindow(db, translations, check_erdr_number, fake_iin_check, tmp_path / "actions")
    qtbot.addWidget(w)
    w.show()
    yield w
    translations.switch("en")
    db.close()


def test_title_and_empty_case_list(window: MainWindow) -> None:
    assert window.windowTitle() == "Tergeu"
    assert window.stack.currentWidget() is window.empty
    assert "No cases yet" in window.empty.text()


def test_case_list_comes_from_the_database(window: MainWindow) -> None:
    window.db.add_case("123456789012", "Кража в Алматы")
    window.db.add_case("987654321098765", "Мошенничество")
    window.refresh()
    assert window.stack.currentWidget() is window.table
    numbers = {window.table.item(r, 0).text() for r in range(window.table.rowCount())}
    assert numbers == {"123456789012", "987654321098765"}
    window.search.setText("алматы")
    visible = [r for r in range(window.table.rowCount()) if not window.table.isRowHidden(r)]
    assert [window.table.item(r, 0).text() for r in visible] == ["123456789012"]


def test_switching_language_changes_visible_texts_without_restart(
    qtbot, window: MainWindow
) -> None:
    # Qt delivers LanguageChange as an event to every widget; wait for it, don't call retranslate.
    assert window.heading.text() == "Cases"
    window.set_language("ru")
    qtbot.waitUntil(lambda: window.heading.text() == "Дела", timeout=5000)
    assert window.language_menu.title() == "&Язык"
    window.set_language("kk")
    qtbot.waitUntil(lambda: window.heading.text() == "Істер", timeout=5000)
    assert "СДТБТ" in window.search.placeholderText()
    window.set_language("en")
    qtbot.waitUntil(lambda: window.new_case_action.text() == "New case…", timeout=5000)


def test_new_case_dialog_refuses_invalid_erdr_number(qtbot, window: MainWindow) -> None:
    dialog = NewCaseDialog(check_erdr_number, window)
    qtbot.addWidget(dialog)
    dialog.number.setText("12-34")
    dialog._accept()
    assert "invalid ERDR number '12-34'" in dialog.error.text()
    assert dialog.result() == 0
    dialog.number.setText("123456789012")
    dialog._accept()
    assert dialog.erdr_number == "123456789012"


def test_create_case_adds_a_row(window: MainWindow) -> None:
    window.create_case("111122223333", "Test")
    assert window.table.rowCount() == 1
    labels = window.findChildren(QLabel)
    assert any(label.objectName() == "casesHeading" for label in labels)


def test_new_action_wizard_plans_an_action_into_the_database(qtbot, window: MainWindow) -> None:
    window.create_case("123456789012", "Кража")
    window.table.selectRow(0)
    assert window.new_action_button.isEnabled()
    wizard = NewActionWizard(window.actions_root, fake_iin_check, window)
    qtbot.addWidget(wizard)
    wizard.type_page.action_type.setCurrentIndex(
        wizard.type_page.action_type.findData("remote_interrogation_victim")
    )
    pp = wizard.participants_page
    pp.table.item(0, 1).setText("Әлия Нұрланова")
    pp.table.item(0, 2).setText("061211600013")
    assert not pp.validatePage()
    assert "invalid IIN '061211600013'" in pp.error.text()
    pp.table.item(0, 2).setText("061211600012")
    pp.add_row("remote_official", "Серік Ахметов", "", "+7 701 000 00 00")
    assert pp.validatePage()
    wizard.place_page.investigator_place.setText("Алматы, ДП, каб. 12")
    wizard.place_page.remote_place.setText("Тараз, ОП №2")
    assert wizard.place_page.isComplete()
    assert wizard.place_page.validatePage(), wizard.place_page.error.text()
    plan = wizard.plan()
    window.create_action(window.selected_case_id(), plan)
    assert (window.actions_root / plan.action_id).is_dir()
    (action,) = window.db.actions_of(window.selected_case_id())
    assert (action.type, action.state) == ("remote_interrogation_victim", "planned")
    people = window.db.participants_of(action.id)
    assert [(p.role, p.iin) for p in people] == [
        ("witness", "061211600012"),
        ("remote_official", None),
    ]
    window.table.selectRow(0)
    assert window.actions_table.rowCount() == 1
    assert window.actions_table.item(0, 1).text() == "planned"


def test_disk_check_refuses_a_plan_the_disk_cannot_hold(qtbot, window: MainWindow) -> None:
    ten_mib = 10 * 1024 * 1024
    wizard = NewActionWizard(
        window.actions_root, fake_iin_check, window, free_space=lambda path: ten_mib
    )
    qtbot.addWidget(wizard)
    wizard.place_page.minutes.setValue(120)
    assert not wizard.place_page.validatePage()
    assert "not enough disk space" in wizard.place_page.error.text()


def test_file_menu_opens_join_and_cosign_windows(qtbot, window: MainWindow) -> None:
    actions = [a.objectName() for a in window.file_menu.actions()]
    assert {"joinAction", "cosignAction", "reviewFileAction"} <= set(actions)
    try:
        joined = window.join_session()
        assert joined.isVisible() and joined.objectName() == "participantWindow"
        cosign = window.cosign()
        assert cosign.isVisible() and cosign.objectName() == "cosignDialog"
        joined.close()
        cosign.close()
    finally:
        assert window.live is not None
        window.live.shutdown()


def _names(action: Path) -> list[str]:
    """Media files so far (a sealed segment loses its .part suffix)."""
    return [p.name for p in (action / "media").rglob("*.ts")] if action.is_dir() else []


def test_start_up_recovers_a_recording_cut_by_a_crash(qtbot, window: MainWindow) -> None:
    """kill -9 of a real recorder; the next start repairs it, marks it sealed and says so."""
    import signal
    import time

    from recorder.log import read_log
    from recorder.verify import verify_recording
    from tests.recorder.test_crash import _start_recording

    case = window.db.add_case("123456789012345", "Crash")
    proc, action = _start_recording(window.actions_root)
    window.db.add_action(
        action_id=action.name,
        case_id=case.id,
        type="remote_interrogation_witness",
        language="ru",
        investigator_place="Astana",
        remote_place="Almaty",
        planned_start=None,
        planned_end=None,
        participants=[],
    )
    window.db.set_action_state(action.name, ActionState.LIVE)
    try:
        deadline = time.monotonic() + 60
        while not any(f"{t}-000000.ts" in n for t in ("p1-video",) for n in _names(action)):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(0.7)  # in the middle of the next segments
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert not verify_recording(action).ok  # torn or unsealed: not a finished recording

    outcomes: list[object] = []
    window.recover_interrupted(on_done=outcomes.extend)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=60000)
    assert [o.action_dir for o in outcomes] == [action]  # type: ignore[attr-defined]
    assert "Recovered after a crash" in window.statusBar().currentMessage()
    assert window.db.action(action.name).state == ActionState.SEALED.value
    kinds = [e.kind for e in read_log(action)]
    assert "crash_recovered" in kinds
    report = verify_recording(action)
    assert report.ok, report.summary()
    # a second start finds nothing left to do
    again: list[object] = []
    window.recover_interrupted(on_done=lambda o: again.append(o))
    qtbot.waitUntil(lambda: bool(again), timeout=60000)
    assert again == [[]]


def test_window_layout_is_remembered(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from app.ui.review_window import ReviewWindow

    app = QApplication.instance()
    assert app is not None
    app.setProperty("tergeu_ui_settings", str(tmp_path / "ui.ini"))
    try:
        first = ReviewWindow(tmp_path / "none.asice")
        qtbot.addWidget(first)
        first.show()
        first.resize(700, 500)
        qtbot.waitUntil(lambda: first.width() == 700)
        first.close()
        second = ReviewWindow(tmp_path / "none.asice")
        qtbot.addWidget(second)
        assert (second.width(), second.height()) == (700, 500)
    finally:
        app.setProperty("tergeu_ui_settings", None)
