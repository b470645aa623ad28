from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.testimony import QuestionState, Testimony, TestimonyError


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        self.t += 5
        return self.t


def test_narrative_then_questions_stamped_and_saved(tmp_path: Path) -> None:
    path = tmp_path / "testimony.json"
    clock = Clock()
    tm = Testimony(path, "witness-1", clock)
    tm.add_narrative("Мен 12 қарашада сағат 21:00 шамасында үйге қайтып келе жатқанмын.")
    q1 = tm.ask("Вы видели лицо человека?")
    tm.answer(q1, "Нет, было темно.")
    q2 = tm.ask("Это был ваш сосед?")
    tm.withdraw(q2, "наводящий вопрос")
    q3 = tm.ask("Where do you work?")
    tm.refuse(q3, "Art. 28 privilege invoked")
    again = Testimony.load(path, clock)
    assert again.items == tm.items
    assert [i.t for i in again.items] == [105.0, 110.0, 120.0, 125.0]
    assert again.items[1].answer_t == 115.0
    assert [i.state for i in again.items[1:]] == [
        QuestionState.ANSWERED,
        QuestionState.WITHDRAWN,
        QuestionState.REFUSED,
    ]
    assert again.sha256() == tm.sha256()
    assert json.loads(path.read_text(encoding="utf-8"))["items"][2]["reason"] == "наводящий вопрос"


def test_rules_are_enforced_with_clear_messages(tmp_path: Path) -> None:
    tm = Testimony(tmp_path / "t.json", "w", Clock())
    with pytest.raises(TestimonyError, match="the question is empty"):
        tm.ask("  ")
    q = tm.ask("Question?")
    with pytest.raises(TestimonyError, match="narrative comes before the questions"):
        tm.add_narrative("late narrative")
    with pytest.raises(TestimonyError, match="reason for withdrawing is empty"):
        tm.withdraw(q, "")
    with pytest.raises(TestimonyError, match="item 7 does not exist"):
        tm.answer(7, "x")


def test_failed_save_keeps_the_previous_draft(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    tm = Testimony(folder / "t.json", "w", Clock())
    tm.add_narrative("first")
    (folder / ".t.json.tmp").mkdir()  # the temp file cannot be created: the next save fails
    with pytest.raises(TestimonyError, match="cannot save"):
        tm.ask("second?")
    assert len(tm.items) == 1
    assert Testimony.load(folder / "t.json", Clock()).items == tm.items
