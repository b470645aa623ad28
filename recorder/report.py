"""Verification reports shared by the recorder and the protocol verifiers.

A verification never returns a bare bool: it returns a :class:`Report` with one :class:`Check` per
thing checked (the chain, each segment, each signature, ...). The verdict is computed from the
checks, and a report with zero checks is a failure, never a pass.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from recorder.errors import RecorderError


class Status(enum.StrEnum):
    """Outcome of one check."""

    OK = "ok"
    WARNING = "warning"  # intact, but a person must know (recovered segment, DEMO signer)
    FAILED = "failed"


@dataclass(frozen=True)
class Check:
    """One thing that was checked, e.g. ``segment`` for ``witness-video #413``."""

    name: str
    status: Status
    message: str
    subject: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "message": self.message,
            "subject": self.subject,
            "details": dict(self.details),
        }


class VerificationFailed(RecorderError):
    """Raised by :meth:`Report.raise_for_problems` (the strict variant)."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.summary())
        self.report = report


@dataclass(frozen=True)
class Report:
    """The outcome of verifying one recording, container or excerpt."""

    kind: str  # "recording", "container", "excerpt"
    subject: str  # the path that was verified
    checks: tuple[Check, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)  # merkle root, signers, ...

    @classmethod
    def build(
        cls,
        kind: str,
        subject: str,
        checks: Iterable[Check],
        facts: Mapping[str, Any] | None = None,
    ) -> Report:
        return cls(kind=kind, subject=subject, checks=tuple(checks), facts=dict(facts or {}))

    @property
    def ok(self) -> bool:
        """True only if at least one check ran and none failed."""
        return bool(self.checks) and all(c.status is not Status.FAILED for c in self.checks)

    @property
    def problems(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.FAILED)

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.WARNING)

    def failed(self, name: str) -> tuple[Check, ...]:
        """The failed checks called ``name`` (tests assert *which* check failed)."""
        return tuple(c for c in self.problems if c.name == name)

    def summary(self) -> str:
        if not self.checks:
            return f"{self.kind} {self.subject}: NOT VERIFIED (no checks were performed)"
        verdict = "INTACT" if self.ok else "PROBLEMS FOUND"
        lines = [
            f"{self.kind} {self.subject}: {verdict} — {len(self.checks)} checks, "
            f"{len(self.problems)} failed, {len(self.warnings)} warnings"
        ]
        lines += [
            f"  FAILED  {c.subject + ': ' if c.subject else ''}{c.message}" for c in self.problems
        ]
        lines += [
            f"  WARNING {c.subject + ': ' if c.subject else ''}{c.message}" for c in self.warnings
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "ok": self.ok,
            "summary": self.summary(),
            "facts": dict(self.facts),
            "checks": [c.to_dict() for c in self.checks],
        }

    def raise_for_problems(self) -> None:
        """Strict variant: raise :class:`VerificationFailed` unless the report is ok."""
        if not self.ok:
            raise VerificationFailed(self)
