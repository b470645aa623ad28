"""What was said and shown: testimony (narrative, questions), exhibits, statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from protocol.model_base import (
    ID_PATTERN,
    ProtocolModelError,
    check_order,
    rules,
    validate_fields,
)
from protocol.participants import EvidenceFile

QUESTION_STATUSES = ("answered", "withdrawn", "refused")
EXHIBIT_KINDS = ("document", "photo", "video", "audio", "object", "screen")
STATEMENT_KINDS = ("statement", "objection", "remark", "correction", "addition")


@dataclass(frozen=True)
class Question:
    """One question in order, with its answer or the reason it was withdrawn or refused.

    ``session_t`` is the session time in seconds (the action log's ``t``) when it was asked.
    """

    number: int = field(metadata=rules(minimum=1))
    asked_by: str = field(metadata=rules(pattern=ID_PATTERN))
    text: str
    answer: str = field(metadata=rules(blank=True))
    asked_at: dt.datetime
    session_t: float = field(metadata=rules(minimum=0))
    status: str = field(default="answered", metadata=rules(enum=QUESTION_STATUSES))
    reason: str = field(default="", metadata=rules(blank=True))

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.status == "answered" and not self.answer.strip():
            raise ProtocolModelError("answer", self.answer, "an answered question needs the answer")
        if self.status != "answered" and not self.reason.strip():
            raise ProtocolModelError(
                "reason", self.reason, f"a {self.status} question needs a reason"
            )


@dataclass(frozen=True)
class Testimony:
    """A person's testimony: the free narrative first (first person), then questions in order."""

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    language: str
    narrative: str
    narrative_started_at: dt.datetime
    narrative_ended_at: dt.datetime
    questions: tuple[Question, ...]
    interpreter: str | None = field(default=None, metadata=rules(pattern=ID_PATTERN))

    def __post_init__(self) -> None:
        validate_fields(self)
        check_order(
            "narrative_ended_at",
            self.narrative_started_at,
            self.narrative_ended_at,
            "narrative_started_at",
        )
        previous = self.narrative_ended_at
        for i, q in enumerate(self.questions):
            if q.number != i + 1:
                raise ProtocolModelError(
                    f"questions[{i}].number",
                    q.number,
                    f"questions are numbered in order, expected {i + 1}",
                )
            try:
                check_order(
                    "asked_at", previous, q.asked_at, "the previous question or narrative end"
                )
            except ProtocolModelError as e:
                raise e.under(f"questions[{i}]") from None
            previous = q.asked_at


@dataclass(frozen=True)
class Exhibit:
    """An exhibit shown or a medium played during the action (CPC Art. 210)."""

    number: int = field(metadata=rules(minimum=1))
    kind: str = field(metadata=rules(enum=EXHIBIT_KINDS))
    description: str
    shown_to: tuple[str, ...] = field(metadata=rules(pattern=ID_PATTERN))
    at: dt.datetime
    file: EvidenceFile | None = None
    played_seconds: float | None = field(default=None, metadata=rules(minimum=0))
    ended_at: dt.datetime | None = None  # when showing or playing stopped

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.ended_at is not None:
            check_order("ended_at", self.at, self.ended_at, "at")


@dataclass(frozen=True)
class Statement:
    """A statement, objection, remark, correction or addition by a participant."""

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    kind: str = field(metadata=rules(enum=STATEMENT_KINDS))
    text: str
    at: dt.datetime

    def __post_init__(self) -> None:
        validate_fields(self)
