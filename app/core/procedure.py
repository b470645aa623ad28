"""The procedure of an investigative action: ordered steps defined as data, enforced, logged.

Steps and their kk/ru/en texts live in ``resources/procedures`` (``steps.json``: the catalogue,
``actions.json``: the order and gates per action type), because some legal references are not
confirmed (DOMAIN.md) and must change without code. A :class:`ProcedureRun` records when and by
whom each step was started and done; a gated step (testimony before identity and warnings) is
refused unless the investigator records a reason, which is logged as a deviation and appears in the
protocol. An acknowledgment is the participant's own act on their side; the log keeps the SHA-256 of
the exact text version that was shown.
"""

from __future__ import annotations

import enum
import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import resources
from app.core.errors import TergeuError

LANGUAGES = ("kk", "ru", "en")
ACTORS = ("investigator", "participant")
ACK_METHODS = ("typed_name", "signature")

LogAppend = Callable[[str, Mapping[str, Any]], object]


class ProcedureError(TergeuError):
    """A procedure definition is invalid, or a step was used out of its rules."""


class StepOrderError(ProcedureError):
    """A gated step was started before the steps it needs, without a recorded reason."""


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ProcedureError(message)


def _texts(value: Any, where: str) -> dict[str, str]:
    _require(isinstance(value, dict), f"{where}: expected an object with kk, ru and en texts")
    _require(
        set(value) == set(LANGUAGES),
        f"{where}: languages {sorted(value)}; expected exactly {list(LANGUAGES)}",
    )
    for lang, text in value.items():
        _require(isinstance(text, str) and text.strip() != "", f"{where}.{lang}: empty text")
    return dict(value)


@dataclass(frozen=True)
class Step:
    """One step with its texts in every language."""

    id: str
    actor: str
    acknowledge: bool
    articles: tuple[str, ...]
    title: Mapping[str, str]
    text: Mapping[str, str]

    def shown_text(self, language: str) -> str:
        """The exact text shown to participants in ``language`` (title, blank line, body)."""
        if language not in LANGUAGES:
            raise ProcedureError(f"language {language!r}; expected one of {', '.join(LANGUAGES)}")
        return f"{self.title[language]}\n\n{self.text[language]}"

    def text_sha256(self, language: str) -> str:
        """SHA-256 of the NFC-normalised UTF-8 of :meth:`shown_text`: what the log keeps."""
        shown = unicodedata.normalize("NFC", self.shown_text(language))
        return hashlib.sha256(shown.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Procedure:
    """The ordered steps of one action type and the gates between them."""

    action_type: str
    steps: tuple[Step, ...]
    gates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise ProcedureError(
            f"step {step_id!r} is not part of {self.action_type}; "
            f"expected one of {', '.join(s.id for s in self.steps)}"
        )

    @classmethod
    def load(cls, action_type: str, folder: Path | None = None) -> Procedure:
        """Read and strictly check the definition of ``action_type``."""
        folder = folder or resources.path("procedures")
        catalogue = _read(folder / "steps.json")
        actions = _read(folder / "actions.json")
        defined = actions.get("actions", {})
        if action_type not in defined:
            raise ProcedureError(
                f"no procedure for action type {action_type!r}; "
                f"defined: {', '.join(sorted(defined))}"
            )
        spec = defined[action_type]
        _require(set(spec) <= {"steps", "gates"}, f"{action_type}: unknown fields {sorted(spec)}")
        steps = [_step(catalogue, step_id, action_type) for step_id in spec["steps"]]
        ids = [s.id for s in steps]
        _require(len(set(ids)) == len(ids), f"{action_type}: a step is listed twice in {ids}")
        gates: dict[str, tuple[str, ...]] = {}
        for gated, needs in spec.get("gates", {}).items():
            _require(gated in ids, f"{action_type}: gate on unknown step {gated!r}")
            for need in needs:
                _require(
                    need in ids and ids.index(need) < ids.index(gated),
                    f"{action_type}: {gated!r} is gated on {need!r}, which must come before it",
                )
            gates[gated] = tuple(needs)
        return cls(action_type=action_type, steps=tuple(steps), gates=gates)


def load_step(step_id: str, folder: Path | None = None) -> Step:
    """One step of the catalogue, e.g. the reviewers' ``reviewer_confidentiality`` rules."""
    catalogue = _read((folder or resources.path("procedures")) / "steps.json")
    return _step(catalogue, step_id, "catalogue")


def _step(catalogue: dict[str, Any], step_id: str, owner: str) -> Step:
    raw = catalogue.get("steps", {}).get(step_id)
    where = f"steps.json: {step_id}"
    _require(raw is not None, f"{owner}: step {step_id!r} is not in steps.json")
    allowed = {"actor", "acknowledge", "articles", "title", "text"}
    _require(set(raw) == allowed, f"{where}: fields {sorted(raw)}; expected {sorted(allowed)}")
    _require(raw["actor"] in ACTORS, f"{where}.actor: {raw['actor']!r}; expected {ACTORS}")
    _require(isinstance(raw["acknowledge"], bool), f"{where}.acknowledge: expected a bool")
    _require(
        isinstance(raw["articles"], list) and all(isinstance(a, str) for a in raw["articles"]),
        f"{where}.articles: expected a list of strings like 'CPC 201'",
    )
    return Step(
        id=step_id,
        actor=raw["actor"],
        acknowledge=raw["acknowledge"],
        articles=tuple(raw["articles"]),
        title=_texts(raw["title"], f"{where}.title"),
        text=_texts(raw["text"], f"{where}.text"),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ProcedureError(f"{path}: cannot read procedure definitions ({e})") from e
    _require(isinstance(value, dict) and value.get("version") == 1, f"{path}: expected version 1")
    return value


class StepState(enum.StrEnum):
    PENDING = "pending"
    STARTED = "started"
    DONE = "done"


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return norm(a) == norm(b)


class ProcedureRun:
    """The procedure of one live action; every change is appended to the action log."""

    def __init__(self, procedure: Procedure, append: LogAppend, language: str) -> None:
        if language not in LANGUAGES:
            raise ProcedureError(f"language {language!r}; expected one of {', '.join(LANGUAGES)}")
        self.procedure = procedure
        self.language = language
        self._append = append
        self._state = {s.id: StepState.PENDING for s in procedure.steps}
        self._acknowledged: dict[str, set[str]] = {s.id: set() for s in procedure.steps}
        self.deviations: list[dict[str, Any]] = []

    def state(self, step_id: str) -> StepState:
        self.procedure.step(step_id)
        return self._state[step_id]

    @property
    def current(self) -> Step | None:
        """The first step not yet done (what the procedure panel shows), or None at the end."""
        return next((s for s in self.procedure.steps if self._state[s.id] != StepState.DONE), None)

    def missing_for(self, step_id: str) -> tuple[str, ...]:
        return tuple(
            need
            for need in self.procedure.gates.get(step_id, ())
            if self._state[need] != StepState.DONE
        )

    def start(self, step_id: str, *, by: str, deviation_reason: str | None = None) -> None:
        """Start a step. A gated step with unmet gates needs a reason, logged as a deviation."""
        step = self.procedure.step(step_id)
        if self._state[step_id] != StepState.PENDING:
            raise ProcedureError(f"step {step_id!r} is already {self._state[step_id].value}")
        missing = self.missing_for(step_id)
        if missing:
            reason = (deviation_reason or "").strip()
            if not reason:
                raise StepOrderError(
                    f"{step_id!r} cannot start before {', '.join(missing)} "
                    "(record a reason to deviate from the procedure)"
                )
            deviation = {
                "step": step_id,
                "event": "deviation",
                "missing": list(missing),
                "reason": reason,
                "by": by,
            }
            self._append("procedural_step", deviation)
            self.deviations.append(deviation)
        self._state[step_id] = StepState.STARTED
        self._append(
            "procedural_step",
            {
                "step": step_id,
                "event": "started",
                "by": by,
                "language": self.language,
                "articles": list(step.articles),
                "text_sha256": step.text_sha256(self.language),
            },
        )

    def acknowledge(
        self,
        step_id: str,
        *,
        participant: str,
        participant_name: str,
        method: str,
        shown_text_sha256: str,
        typed_name: str | None = None,
        signature: str | None = None,
    ) -> None:
        """Record a participant's own acknowledgment of the text they were shown."""
        step = self.procedure.step(step_id)
        if not step.acknowledge:
            raise ProcedureError(f"step {step_id!r} takes no acknowledgment")
        if self._state[step_id] != StepState.STARTED:
            raise ProcedureError(
                f"step {step_id!r} is {self._state[step_id].value}; acknowledge it while started"
            )
        expected = step.text_sha256(self.language)
        if shown_text_sha256 != expected:
            raise ProcedureError(
                f"{participant} acknowledged text {shown_text_sha256[:12]}… but {step_id!r} in "
                f"{self.language} is {expected[:12]}…: the participant saw another version"
            )
        data: dict[str, Any] = {
            "step": step_id,
            "participant": participant,
            "method": method,
            "language": self.language,
            "articles": list(step.articles),
            "text_sha256": expected,
        }
        if method == "typed_name":
            if not typed_name or not _same_name(typed_name, participant_name):
                raise ProcedureError(
                    f"typed name {typed_name!r} does not match the participant {participant_name!r}"
                )
            data["typed_name"] = typed_name
        elif method == "signature":
            if not signature:
                raise ProcedureError("a signature acknowledgment needs the signature (base64 CMS)")
            data["signature"] = signature
        else:
            raise ProcedureError(f"acknowledgment method {method!r}; expected one of {ACK_METHODS}")
        self._append("acknowledgment", data)
        self._acknowledged[step_id].add(participant)

    def complete(self, step_id: str, *, by: str, note: str = "") -> None:
        """Mark a started step done; a step that needs an acknowledgment needs at least one."""
        step = self.procedure.step(step_id)
        if self._state[step_id] != StepState.STARTED:
            raise ProcedureError(
                f"step {step_id!r} is {self._state[step_id].value}; start it before completing it"
            )
        if step.acknowledge and not self._acknowledged[step_id]:
            raise ProcedureError(f"step {step_id!r} needs the participant's acknowledgment first")
        data: dict[str, Any] = {"step": step_id, "event": "done", "by": by}
        if note:
            data["note"] = note
        self._append("procedural_step", data)
        self._state[step_id] = StepState.DONE
