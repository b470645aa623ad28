"""The testimony as the investigator types it during the session, stamped with session time.

Free narrative first, then questions and answers in order (CPC Art. 210, 212); a withdrawn or
refused question keeps its reason. Every item carries the session-clock time at which it was
started, so the protocol text links to the recording. The draft is saved durably to
``testimony.json`` in the action folder after every change, so a crash loses nothing typed; at
read-back its canonical hash is what the participant acknowledges.
"""

from __future__ import annotations

import enum
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.errors import TergeuError
from recorder.canonical import CanonicalJSONError, canonical_json, parse_json_object

FORMAT = "tergeu-testimony/1"


class TestimonyError(TergeuError):
    """A testimony edit is invalid or the draft file cannot be read or written."""

    __test__ = False  # not a pytest test class, despite the name


class ItemKind(enum.StrEnum):
    NARRATIVE = "narrative"
    QUESTION = "question"


class QuestionState(enum.StrEnum):
    ANSWERED = "answered"
    OPEN = "open"
    WITHDRAWN = "withdrawn"  # by the investigator (e.g. a leading question), reason required
    REFUSED = "refused"  # the participant refused to answer, reason required


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    t: float  # session seconds when the item started
    text: str  # the narrative, or the question
    answer: str = ""
    state: QuestionState = QuestionState.OPEN
    reason: str = ""
    answer_t: float | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "t": round(self.t, 3), "text": self.text}
        if self.kind is ItemKind.QUESTION:
            data.update(state=self.state.value, answer=self.answer, reason=self.reason)
            if self.answer_t is not None:
                data["answer_t"] = round(self.answer_t, 3)
        return data


@dataclass
class Testimony:
    """The draft of one participant's testimony; saved after every change."""

    __test__ = False  # not a pytest test class, despite the name

    path: Path
    participant: str
    clock: Callable[[], float]
    items: list[Item] = field(default_factory=list)

    # --- editing --------------------------------------------------------------------------

    def add_narrative(self, text: str) -> int:
        if any(i.kind is ItemKind.QUESTION for i in self.items):
            raise TestimonyError(
                "the free narrative comes before the questions (CPC Art. 210); "
                "add to the last narrative block instead"
            )
        return self._add(Item(ItemKind.NARRATIVE, self.clock(), _text(text, "narrative")))

    def ask(self, question: str) -> int:
        return self._add(Item(ItemKind.QUESTION, self.clock(), _text(question, "question")))

    def answer(self, number: int, answer: str) -> None:
        item = self._question(number)
        self._set(
            number,
            replace(
                item,
                answer=_text(answer, "answer"),
                state=QuestionState.ANSWERED,
                answer_t=self.clock(),
            ),
        )

    def withdraw(self, number: int, reason: str) -> None:
        item = self._question(number)
        self._set(
            number,
            replace(
                item, state=QuestionState.WITHDRAWN, reason=_text(reason, "reason for withdrawing")
            ),
        )

    def refuse(self, number: int, reason: str) -> None:
        item = self._question(number)
        self._set(
            number,
            replace(item, state=QuestionState.REFUSED, reason=_text(reason, "reason for refusing")),
        )

    def edit(self, number: int, text: str) -> None:
        item = self._item(number)
        self._set(number, replace(item, text=_text(text, item.kind.value)))

    # --- reading --------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        return canonical_json(
            {
                "format": FORMAT,
                "participant": self.participant,
                "items": [i.to_json() for i in self.items],
            }
        )

    def plain_text(self) -> str:
        """The draft as the participant reads it back: narrative, then numbered Q&A."""
        lines: list[str] = []
        number = 0
        for item in self.items:
            if item.kind is ItemKind.NARRATIVE:
                lines.append(item.text)
                continue
            number += 1
            lines.append(f"{number}. {item.text}")
            if item.state is QuestionState.ANSWERED:
                lines.append(f"   — {item.answer}")
            elif item.state in (QuestionState.WITHDRAWN, QuestionState.REFUSED):
                lines.append(f"   ({item.state.value}: {item.reason})")
        return "\n".join(lines)

    def sha256(self) -> str:
        """The hash a participant acknowledges at read-back."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def load(cls, path: Path, clock: Callable[[], float]) -> Testimony:
        try:
            raw = parse_json_object(path.read_bytes(), what=str(path))
        except (OSError, CanonicalJSONError) as e:
            raise TestimonyError(f"cannot read testimony draft: {e}") from e
        if raw.get("format") != FORMAT or set(raw) != {"format", "participant", "items"}:
            raise TestimonyError(f"{path}: not a {FORMAT} file")
        items = []
        for n, data in enumerate(raw["items"], start=1):
            try:
                items.append(
                    Item(
                        kind=ItemKind(data["kind"]),
                        t=float(data["t"]),
                        text=data["text"],
                        answer=data.get("answer", ""),
                        state=QuestionState(data.get("state", "open")),
                        reason=data.get("reason", ""),
                        answer_t=data.get("answer_t"),
                    )
                )
            except (KeyError, ValueError, TypeError) as e:
                raise TestimonyError(f"{path}: item {n} is invalid ({e})") from e
        return cls(path, raw["participant"], clock, items)

    # --- internals ------------------------------------------------------------------------

    def _item(self, number: int) -> Item:
        if not 1 <= number <= len(self.items):
            raise TestimonyError(f"item {number} does not exist (there are {len(self.items)})")
        return self.items[number - 1]

    def _question(self, number: int) -> Item:
        item = self._item(number)
        if item.kind is not ItemKind.QUESTION:
            raise TestimonyError(f"item {number} is the narrative, not a question")
        return item

    def _add(self, item: Item) -> int:
        self.items.append(item)
        try:
            self._save()
        except TestimonyError:
            self.items.pop()
            raise
        return len(self.items)

    def _set(self, number: int, item: Item) -> None:
        previous = self.items[number - 1]
        self.items[number - 1] = item
        try:
            self._save()
        except TestimonyError:
            self.items[number - 1] = previous
            raise

    def _save(self) -> None:
        temp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, self.to_bytes())
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, self.path)
        except OSError as e:
            raise TestimonyError(f"cannot save the testimony draft {self.path}: {e}") from e


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise TestimonyError(f"the {what} is empty")
    return value
