"""The electronic protocol of a remote investigative action, tying the parts together.

A :class:`Protocol` that exists is valid: every part checks itself when built, and the protocol
checks what spans parts (participant references, the drafter's role, times inside the action,
one signature per participant, signer IINs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from protocol.case import LANGUAGES, Action, Case
from protocol.conduct import Deviation, PresenceAlert
from protocol.inspection import Inspection, Still, StillAnnotation
from protocol.model_base import ProtocolModelError, rules, validate_fields
from protocol.participants import (
    DRAFTER_ROLES,
    Acknowledgment,
    IdentityCheck,
    Participant,
    Signature,
    SignerIdentity,
)
from protocol.technical import RecordingSummary, TechnicalMeans
from protocol.testimony import Exhibit, Statement, Testimony

DOCUMENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$"

__all__ = ["Protocol", "ProtocolModelError"]


@dataclass(frozen=True)
class Protocol:
    """The whole record of one action, in the order of the procedure (DOMAIN §2)."""

    document_id: str = field(metadata=rules(pattern=DOCUMENT_ID_PATTERN))  # also the container id
    case: Case
    action: Action
    drafter: str
    languages: tuple[str, ...] = field(metadata=rules(enum=LANGUAGES))
    participants: tuple[Participant, ...]
    identity_checks: tuple[IdentityCheck, ...]
    acknowledgments: tuple[Acknowledgment, ...]
    testimonies: tuple[Testimony, ...]
    exhibits: tuple[Exhibit, ...]
    statements: tuple[Statement, ...]
    technical: TechnicalMeans
    recording: RecordingSummary | None
    signatures: tuple[Signature, ...]
    signers: tuple[SignerIdentity, ...] = ()
    deviations: tuple[Deviation, ...] = ()
    presence_alerts: tuple[PresenceAlert, ...] = ()
    stills: tuple[Still, ...] = ()  # the photo table
    annotations: tuple[StillAnnotation, ...] = ()
    inspection: Inspection | None = None  # required for, and only for, a remote inspection

    def __post_init__(self) -> None:
        validate_fields(self)
        if (self.inspection is None) == (self.action.type == "remote_inspection"):
            raise ProtocolModelError(
                "inspection",
                None if self.inspection is None else "…",
                "an inspection record is required for a remote_inspection and only for it",
            )
        ids = [p.id for p in self.participants]
        for i, pid in enumerate(ids):
            if pid in ids[:i]:
                raise ProtocolModelError(f"participants[{i}].id", pid, "participant ids are unique")
        if not self.languages:
            raise ProtocolModelError("languages", [], "at least one document language")
        known = set(ids)
        self._refs("drafter", [self.drafter], known)
        drafter = self.participant(self.drafter)
        if drafter.role not in DRAFTER_ROLES:
            raise ProtocolModelError(
                "drafter", self.drafter, f"is a {drafter.role}, expected one of {DRAFTER_ROLES}"
            )
        groups: Sequence[tuple[str, Sequence[Any]]] = (
            ("identity_checks", self.identity_checks),
            ("acknowledgments", self.acknowledgments),
            ("testimonies", self.testimonies),
            ("statements", self.statements),
            ("signatures", self.signatures),
            ("signers", self.signers),
            ("presence_alerts", self.presence_alerts),
        )
        for name, items in groups:
            for i, item in enumerate(items):
                ref: str = item.participant
                self._refs(f"{name}[{i}].participant", [ref], known)
        for i, d in enumerate(self.deviations):
            self._refs(f"deviations[{i}].by", [d.by], known)
        for i, c in enumerate(self.identity_checks):
            people = [s.by for s in c.steps if s.by != "system"]
            self._refs(f"identity_checks[{i}].steps.by", people, known)
        self._stills(known)
        for i, check in enumerate(self.identity_checks):
            self._refs(f"identity_checks[{i}].confirmed_by", check.confirmed_by, known)
        for i, t in enumerate(self.testimonies):
            self._refs(
                f"testimonies[{i}].interpreter", [t.interpreter] if t.interpreter else [], known
            )
            for j, q in enumerate(t.questions):
                self._refs(f"testimonies[{i}].questions[{j}].asked_by", [q.asked_by], known)
        for i, e in enumerate(self.exhibits):
            self._refs(f"exhibits[{i}].shown_to", e.shown_to, known)
        signed = [s.participant for s in self.signatures]
        for i, pid in enumerate(signed):
            if pid in signed[:i]:
                raise ProtocolModelError(
                    f"signatures[{i}].participant", pid, "one signature or refusal per participant"
                )
        for i, s in enumerate(self.signers):
            iin = self.participant(s.participant).iin
            if s.iin != iin:
                raise ProtocolModelError(
                    f"signers[{i}].iin", s.iin, f"differs from the participant's IIN {iin!r}"
                )
        self._times_inside()

    def _stills(self, known: set[str]) -> None:
        for i, s in enumerate(self.stills):
            if s.number != i + 1:
                raise ProtocolModelError(
                    f"stills[{i}].number", s.number, f"stills are numbered in order, {i + 1}"
                )
            self._refs(f"stills[{i}].camera_of", [s.camera_of], known)
            self._refs(f"stills[{i}].taken_by", [s.taken_by], known)
        hashes = {s.file.sha256 for s in self.stills}
        for i, a in enumerate(self.annotations):
            self._refs(f"annotations[{i}].author", [a.author], known)
            if a.still_sha256 not in hashes:
                raise ProtocolModelError(
                    f"annotations[{i}].still_sha256", a.still_sha256, "no still has this SHA-256"
                )
        for i, e in enumerate(self.exhibits):
            if e.number != i + 1:
                raise ProtocolModelError(
                    f"exhibits[{i}].number", e.number, f"exhibits are numbered in order, {i + 1}"
                )
        if self.inspection is not None:
            for i, f in enumerate(self.inspection.findings):
                for n in f.stills:
                    if not 1 <= n <= len(self.stills):
                        raise ProtocolModelError(
                            f"inspection.findings[{i}].stills", n, "no still has this number"
                        )

    @staticmethod
    def _refs(path: str, refs: Iterable[str], known: set[str]) -> None:
        for ref in refs:
            if ref not in known:
                raise ProtocolModelError(path, ref, "no participant has this id")

    def _times_inside(self) -> None:
        start, end = self.action.start, self.action.end

        def inside(path: str, when: dt.datetime | None) -> None:
            if when is not None and not start <= when <= end:
                raise ProtocolModelError(
                    path,
                    when.isoformat(),
                    f"outside the action {start.isoformat()} – {end.isoformat()}",
                )

        for i, c in enumerate(self.identity_checks):
            inside(f"identity_checks[{i}].at", c.at)
        for i, a in enumerate(self.acknowledgments):
            inside(f"acknowledgments[{i}].acknowledged_at", a.acknowledged_at)
        for i, t in enumerate(self.testimonies):
            inside(f"testimonies[{i}].narrative_started_at", t.narrative_started_at)
            for j, q in enumerate(t.questions):
                inside(f"testimonies[{i}].questions[{j}].asked_at", q.asked_at)
        for i, e in enumerate(self.exhibits):
            inside(f"exhibits[{i}].at", e.at)
        for i, s in enumerate(self.statements):
            inside(f"statements[{i}].at", s.at)
        for i, e in enumerate(self.exhibits):
            inside(f"exhibits[{i}].ended_at", e.ended_at)
        for i, d in enumerate(self.deviations):
            inside(f"deviations[{i}].at", d.at)
        for i, p in enumerate(self.presence_alerts):
            inside(f"presence_alerts[{i}].start", p.start)
            inside(f"presence_alerts[{i}].end", p.end)
        for i, st in enumerate(self.stills):
            inside(f"stills[{i}].at", st.at)
        for i, an in enumerate(self.annotations):
            inside(f"annotations[{i}].at", an.at)

    def participant(self, pid: str) -> Participant:
        """The participant with id ``pid``."""
        for p in self.participants:
            if p.id == pid:
                return p
        raise ProtocolModelError("participant", pid, "no participant has this id")

    def signature_of(self, pid: str) -> Signature | None:
        """The signature or refusal of participant ``pid``, if recorded."""
        return next((s for s in self.signatures if s.participant == pid), None)


def is_document_id(value: str) -> bool:
    """Whether ``value`` is a valid document (container) id."""
    return re.fullmatch(DOCUMENT_ID_PATTERN.strip("^$"), value) is not None
