"""Screenshots of the main screens in each language, kept in artifacts/screenshots for people.

Each screenshot is also checked: the expected window and widgets exist, texts are in the chosen
language, and nothing is clipped to an empty image.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from app.core.storage.db import Database
from app.ui.i18n import Translations, compile_translations
from app.ui.main_window import MainWindow
from app.ui.new_action import NewActionWizard
from app.ui.review_window import ConfidentialityDialog
from tests.conftest import repo_root

EXPECTED = {
    "kk": {"heading": "Істер", "wizard": "Жаңа әрекет", "rules": "жария етуге болмайды"},
    "ru": {"heading": "Дела", "wizard": "Новое действие", "rules": "не подлежат разглашению"},
    "en": {"heading": "Cases", "wizard": "New action", "rules": "must not be disclosed"},
}
OUT = repo_root() / "artifacts" / "screenshots"


def save(widget: QWidget, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    image = widget.grab().toImage()
    assert image.width() >= 400 and image.height() >= 300
    # a blank grab has one colour; a real screen has text and frames
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 8, f"{name}: the screenshot looks empty"
    assert image.save(str(path))
    return path


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_main_screens_in_each_language(qtbot, tmp_path: Path, lang: str) -> None:
    translations = Translations(compile_translations(tmp_path / "i18n"))
    translations.switch(lang)
    try:
        db = Database(tmp_path / "tergeu.db")
        db.add_case("123456789012", "Кража в Алматы / Ұрлық")
        window = MainWindow(db, translations, lambda s: s, lambda s: s, tmp_path / "actions")
        qtbot.addWidget(window)
        window.show()
        window.table.selectRow(0)
        assert window.heading.text() == EXPECTED[lang]["heading"]
        assert window.new_action_button.isEnabled()
        save(window, f"main-{lang}")

        wizard = NewActionWizard(tmp_path / "actions", lambda s: s, window, language=lang)
        qtbot.addWidget(wizard)
        wizard.show()
        assert wizard.windowTitle() == EXPECTED[lang]["wizard"]
        labels = [w.text() for w in wizard.type_page.findChildren(QLabel) if w.text()]
        assert len(labels) >= 3, "form labels missing"
        save(wizard, f"new-action-{lang}")
        wizard.next()
        save(wizard, f"new-action-participants-{lang}")

        dialog = ConfidentialityDialog(lang, window)
        qtbot.addWidget(dialog)
        dialog.show()
        assert EXPECTED[lang]["rules"] in dialog.rules.lower()
        save(dialog, f"confidentiality-{lang}")
    finally:
        translations.switch("en")
