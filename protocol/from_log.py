"""Make the :class:`~protocol.model.Protocol` of a finished action from its folder (no Qt).

Usage (blocking: run it off the event loop, e.g. ``await asyncio.to_thread(...)``)::

    from protocol.from_log import Entered, protocol_from_action

    entered = Entered(
        document_id="tergeu-2026-000123", case=Case("202611270001234"),
        action_type="remote_interrogation_witness", ground="safety", ground_details="",
        investigator_place=Place(...), remote_place=Place(...),
        participants=(Participant(id="investigator", ...), Participant(id="witness", ...)),
    )
    protocol = protocol_from_action(action_dir, entered)
    protocol = signed_by(protocol, "investigator", signer, now)  # before rendering and signing

``entered`` is what the investigator typed (case, places, participants, statements, signatures,
the inspection record); everything else comes from the action folder:

* ``log.jsonl`` (read with ``recorder.log.read_log``, so a log that does not verify is refused):
  start (``session_started``) and end (``session_ended``, else the last entry); breaks,
  disconnections, crash gaps, markers, tracks and the Merkle root (``protocol.summary``);
  ``identity_check`` entries (``app.core.guest_identity`` steps and ``app.core.identity``
  certificate checks) → :class:`IdentityCheck` per participant with every step;
  ``procedural_step`` (``started``, ``deviation``) and ``acknowledgment`` entries
  (``app.core.procedure``) → :class:`Acknowledgment` with the time the text was shown, the time
  of the participant's act and the SHA-256 of the exact text, and :class:`Deviation`;
  ``presence`` entries (``app.core.presence``) → :class:`PresenceAlert`; ``track_started`` →
  codecs; ``read_back`` (``app.core.guest_acts``) → the participant's remarks and a refusal to
  confirm the record, as statements. Issue 8: ``still`` entries of kind ``scene`` (``app.core.hub``:
  ``{participant, author, kind, caption, width, height, file, sha256, size}``) → the photo table
  (document and face stills are identity evidence, not photographs of the scene);
  ``exhibit_shown`` ``{number, name, media, file, sha256, size, to, [page]}`` and
  ``exhibit_ended`` ``{number, [seconds]}`` (``app.core.exhibits``) → exhibits with start, end and
  played seconds;
  ``annotation_saved`` ``{author, file, sha256, size, still_sha256, shapes, [note]}`` →
  annotations.
* ``testimony-<participant>.json`` (``app.core.testimony``'s saved draft): narrative and numbered
  questions with session times; a question still open is an error (answer, withdraw or refuse it).
* evidence files referenced from the log: each must exist with the logged size and SHA-256.

Participant ids in the log must be ids of ``entered.participants``; anything else, and any log
entry whose data does not have the documented shape, raises :class:`FromLogError` naming the
entry. Model rules (IIN check digits, times inside the action, ...) raise
:class:`~protocol.model_base.ProtocolModelError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protocol.asic import hash_file
from protocol.case import DEFAULT_TIMEZONE, Action, Case, Place
from protocol.conduct import Deviation, PresenceAlert
from protocol.errors import FromLogError
from protocol.inspection import Inspection, Still, StillAnnotation
from protocol.model import Protocol
from protocol.participants import (
    Acknowledgment,
    EvidenceFile,
    IdentityCheck,
    IdentityStep,
    Participant,
    Signature,
    SignerIdentity,
)
from protocol.signing import Signer
from protocol.summary import summarize_entries
from protocol.technical import TechnicalMeans
from protocol.testimony import Exhibit, Statement, Testimony
from protocol.testimony_draft import TESTIMONY_FILE, read_testimony_draft
from recorder.clock import parse_utc
from recorder.errors import RecorderError

# procedure step (resources/procedures/steps.json) -> acknowledgment kind of the protocol
STEP_KINDS = {
    "recording_announced": "recording_notice",
    "environment": "environment",
    "language": "language",
    "rights_witness": "rights",
    "rights_victim": "rights",
    "warnings_witness": "warnings",
    "warnings_victim": "warnings",
    "confidentiality": "confidentiality",
    "read_back": "read_back",
}
ACK_HOW = {"typed_name": "typed_name", "signature": "signed"}
MRZ_METHODS = {"TD1": "id_card_mrz", "TD3": "passport_mrz"}
_JSON_TYPES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
_JSON_TYPES |= {list: "a list", dict: "an object"}
# app.core.exhibits media -> protocol exhibit kind
EXHIBIT_MEDIA = {
    "image": "photo",
    "document": "document",
    "video": "video",
    "audio": "audio",
    "screen": "screen",
}


@dataclass(frozen=True)
class Entered:
    """What the investigator entered: everything the log cannot know.

    ``segment_seconds`` defaults to the recorder's setting logged in ``session_started`` (older
    logs: the longest sealed segment, to 0.1 s); ``app_version``
    to the installed Tergeu version.
    """

    document_id: str
    case: Case
    action_type: str
    ground: str
    ground_details: str
    investigator_place: Place
    remote_place: Place
    participants: tuple[Participant, ...]
    drafter: str = "investigator"
    languages: tuple[str, ...] = ("ru",)  # document languages
    language: str = "ru"  # language of the proceedings
    timezone: str = DEFAULT_TIMEZONE
    app_version: str = ""
    devices: tuple[str, ...] = ()
    segment_seconds: float | None = None
    statements: tuple[Statement, ...] = ()
    signatures: tuple[Signature, ...] = ()
    inspection: Inspection | None = None


def protocol_from_action(action_dir: Path, entered: Entered) -> Protocol:
    """The protocol of the finished action in ``action_dir`` (see the module docstring)."""
    from recorder.log import LOG_NAME, read_log

    folder = Path(action_dir)
    try:
        entries = read_log(folder)
        raw = (folder / LOG_NAME).read_bytes()
    except (RecorderError, OSError) as e:
        raise FromLogError(f"cannot read the action log of {folder}: {e}") from e
    try:
        zone = zoneinfo.ZoneInfo(entered.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise FromLogError(f"timezone {entered.timezone!r}: unknown IANA time zone") from e
    return _Builder(folder, entered, entries, zone).build(hashlib.sha256(raw).hexdigest())


class _Builder:
    def __init__(self, folder: Path, entered: Entered, entries: list[Any], zone: dt.tzinfo) -> None:
        self.folder = folder
        self.entered = entered
        self.entries = entries
        self.zone = zone
        self.people = {p.id for p in entered.participants}
        first = entries[0]
        self.origin = self.utc(first) - dt.timedelta(seconds=first.t)

    # -- helpers ---------------------------------------------------------------------------

    def utc(self, entry: Any) -> dt.datetime:
        return parse_utc(str(entry.utc), what=f"log entry {entry.seq} utc").astimezone(self.zone)

    def at(self, t: float) -> dt.datetime:
        return (self.origin + dt.timedelta(seconds=t)).astimezone(self.zone)

    def field(
        self, entry: Any, name: str, kind: type | tuple[type, ...], default: Any = ...
    ) -> Any:
        value = entry.data.get(name, default)
        if value is ...:
            raise FromLogError(f"log entry {entry.seq} ({entry.kind}): no field {name!r}")
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(_JSON_TYPES.get(k, k.__name__) for k in kinds)
            raise FromLogError(
                f"log entry {entry.seq} ({entry.kind}): {name} is {value!r}, expected {expected}"
            )
        return value

    def person(self, entry: Any, name: str, *, system: bool = False) -> str:
        pid = self.field(entry, name, str)
        if pid not in self.people and not (system and pid == "system"):
            raise FromLogError(
                f"log entry {entry.seq} ({entry.kind}): {name} {pid!r} is not one of the "
                f"participants {sorted(self.people)}"
            )
        return str(pid)

    def evidence(self, entry: Any, data: Mapping[str, Any] | None = None) -> EvidenceFile:
        """The evidence file an entry names, checked on disk (size and SHA-256)."""
        d = entry.data if data is None else data
        name, digest, size = d.get("file"), d.get("sha256"), d.get("size")
        if not isinstance(name, str) or not isinstance(digest, str) or not isinstance(size, int):
            raise FromLogError(
                f"log entry {entry.seq} ({entry.kind}): expected file, sha256 and size, got "
                f"{dict(d)!r}"
            )
        path = self.folder / name
        if ".." in Path(name).parts or not path.is_file():
            raise FromLogError(f"log entry {entry.seq} ({entry.kind}): evidence {name} is missing")
        actual = hash_file(path).hex()  # streamed: exhibit clips may be large
        if actual != digest or path.stat().st_size != size:
            raise FromLogError(
                f"log entry {entry.seq} ({entry.kind}): evidence {name} has SHA-256 "
                f"{actual}, the log says {digest}"
            )
        return EvidenceFile(name, digest, size)

    # -- the whole protocol ----------------------------------------------------------------

    def build(self, log_sha256: str) -> Protocol:
        e = self.entered
        summary = summarize_entries(self.entries, log_sha256=log_sha256, zone=self.zone)
        start = self.utc(self.entries[0])
        ended = [x for x in self.entries if x.kind == "session_ended"]
        end = self.utc(ended[-1] if ended else self.entries[-1])
        action = Action(
            type=e.action_type,
            ground=e.ground,
            ground_details=e.ground_details,
            investigator_place=e.investigator_place,
            remote_place=e.remote_place,
            start=start,
            end=end,
            timezone=e.timezone,
            language=e.language,
        )
        acks, deviations, informed = self.procedure(start)
        return Protocol(
            document_id=e.document_id,
            case=e.case,
            action=action,
            drafter=e.drafter,
            languages=e.languages,
            participants=e.participants,
            identity_checks=self.identity_checks(),
            acknowledgments=acks,
            testimonies=self.testimonies(),
            exhibits=self.exhibits(),
            statements=self.statements(),
            technical=self.technical(informed),
            recording=summary,
            signatures=e.signatures,
            deviations=deviations,
            presence_alerts=self.presence(),
            stills=self.stills(),
            annotations=self.annotations(),
            inspection=e.inspection,
        )

    # -- procedure: acknowledgments and deviations -----------------------------------------

    def procedure(
        self, start: dt.datetime
    ) -> tuple[tuple[Acknowledgment, ...], tuple[Deviation, ...], dt.datetime]:
        shown: dict[str, dt.datetime] = {}
        acks: list[Acknowledgment] = []
        deviations: list[Deviation] = []
        for x in self.entries:
            if x.kind == "procedural_step":
                step, event = self.field(x, "step", str), self.field(x, "event", str)
                if event == "started":
                    shown[step] = self.utc(x)
                elif event == "deviation":
                    missing = self.field(x, "missing", list)
                    deviations.append(
                        Deviation(
                            step=step,
                            missing=tuple(str(m) for m in missing),
                            reason=self.field(x, "reason", str),
                            by=self.person(x, "by"),
                            at=self.utc(x),
                        )
                    )
            elif x.kind == "acknowledgment":
                step = self.field(x, "step", str)
                if step not in STEP_KINDS:
                    raise FromLogError(
                        f"log entry {x.seq} (acknowledgment): step {step!r} has no "
                        f"acknowledgment kind; expected one of {sorted(STEP_KINDS)}"
                    )
                method = self.field(x, "method", str)
                if method not in ACK_HOW:
                    raise FromLogError(
                        f"log entry {x.seq} (acknowledgment): method {method!r}, expected one "
                        f"of {sorted(ACK_HOW)}"
                    )
                when = self.utc(x)
                acks.append(
                    Acknowledgment(
                        participant=self.person(x, "participant"),
                        kind=STEP_KINDS[step],
                        articles=tuple(str(a) for a in self.field(x, "articles", list)),
                        explained_at=shown.get(step, when),
                        acknowledged_at=when,
                        how=ACK_HOW[method],
                        step=step,
                        text_sha256=self.field(x, "text_sha256", str),
                    )
                )
        return tuple(acks), tuple(deviations), shown.get("recording_announced", start)

    # -- identity ----------------------------------------------------------------------------

    def identity_checks(self) -> tuple[IdentityCheck, ...]:
        guests: dict[str, list[Any]] = {}
        checks: list[tuple[dt.datetime, IdentityCheck]] = []
        for x in self.entries:
            if x.kind != "identity_check":
                continue
            pid = self.person(x, "participant")
            if self.field(x, "method", str) == "certificate":
                checks.append((self.utc(x), self.certificate(x, pid)))
            else:
                guests.setdefault(pid, []).append(x)
        for pid, items in guests.items():
            check = self.guest(pid, items)
            checks.append((check.at, check))
        checks.sort(key=lambda c: c[0])
        return tuple(c for _, c in checks)

    def certificate(self, x: Any, pid: str) -> IdentityCheck:
        accepted = self.field(x, "result", str) == "accepted"
        subject = self.field(x, "subject", dict, {})
        name, iin = str(subject.get("name", "")), str(subject.get("iin", ""))
        expected = next(p.iin for p in self.entered.participants if p.id == pid)
        if accepted and iin != expected:
            raise FromLogError(
                f"log entry {x.seq} (identity_check): certificate IIN {iin!r} accepted for "
                f"{pid}, whose IIN is {expected!r}"
            )
        document = ", ".join(p for p in (name, f"IIN {iin}" if iin else "") if p)
        digest = self.field(x, "certificate_sha256", str, "")
        note = "; ".join(
            p
            for p in (
                str(self.field(x, "message", str, "")),
                str(self.field(x, "reason", str, "")),
                f"certificate SHA-256 {digest}" if digest else "",
                "DEMO" if self.field(x, "demo", bool, False) else "",
            )
            if p
        )
        when = self.utc(x)
        return IdentityCheck(
            participant=pid,
            method="certificate",
            document=document or "—",
            evidence=(),
            confirmed_by=(self.entered.drafter,),
            at=when,
            result="confirmed" if accepted else "not_confirmed",
            note=note,
            steps=(IdentityStep("certificate", "system", self.field(x, "result", str), when),),
        )

    def guest(self, pid: str, items: list[Any]) -> IdentityCheck:
        steps: list[IdentityStep] = []
        evidence: list[EvidenceFile] = []
        confirmed: list[str] = []
        document, method, problems = "", "id_document", ""
        attested_at: dt.datetime | None = None
        for x in items:
            step, result = self.field(x, "method", str), self.field(x, "result", str)
            by = self.person(x, "by", system=True)
            note = str(self.field(x, "note", str, ""))
            if step == "document-stills":
                evidence += [self.evidence(x, self.field(x, k, dict)) for k in ("document", "face")]
            elif step == "document-data":
                number = self.field(x, "document_number", str)
                document = number  # the IIN checked is the participant's (problems name others)
                mrz = x.data.get("mrz_format")
                method = MRZ_METHODS.get(str(mrz), "id_document")
                problems = "; ".join(str(p) for p in self.field(x, "problems", list))
                note = problems
            elif step == "remote-official" and result == "confirmed" and by not in confirmed:
                confirmed.append(by)
            elif step == "investigator-attestation" and result == "verified":
                attested_at = self.utc(x)
                if by not in confirmed:
                    confirmed.insert(0, by)
            steps.append(IdentityStep(step, by, result, self.utc(x), note))
        return IdentityCheck(
            participant=pid,
            method=method,
            document=document or "—",
            evidence=tuple(evidence),
            confirmed_by=tuple(confirmed) or (self.entered.drafter,),
            at=attested_at or steps[-1].at,
            result="confirmed" if attested_at is not None else "not_confirmed",
            note=problems,
            steps=tuple(steps),
        )

    # -- presence, stills, annotations, exhibits ----------------------------------------------

    def presence(self) -> tuple[PresenceAlert, ...]:
        out = []
        for x in self.entries:
            if x.kind == "presence":
                start_t = float(self.field(x, "start", (int, float)))
                end_t = float(self.field(x, "end", (int, float)))
                out.append(
                    PresenceAlert(
                        participant=self.person(x, "participant"),
                        state=self.field(x, "state", str),
                        max_faces=self.field(x, "max_faces", int),
                        start=self.at(start_t),
                        end=self.at(end_t),
                        start_t=start_t,
                        end_t=end_t,
                    )
                )
        return tuple(out)

    def stills(self) -> tuple[Still, ...]:
        out: list[Still] = []
        for x in self.entries:
            if x.kind == "still" and x.data.get("kind") == "scene":
                out.append(
                    Still(
                        number=len(out) + 1,
                        file=self.evidence(x),
                        width=self.field(x, "width", int),
                        height=self.field(x, "height", int),
                        camera_of=self.person(x, "participant"),
                        taken_by=self.person(x, "author"),
                        caption=str(self.field(x, "caption", str, "")),
                        at=self.utc(x),
                        session_t=x.t,
                    )
                )
        return tuple(out)

    def annotations(self) -> tuple[StillAnnotation, ...]:
        return tuple(
            StillAnnotation(
                still_sha256=self.field(x, "still_sha256", str),
                author=self.person(x, "author"),
                file=self.evidence(x),
                shapes=self.field(x, "shapes", int),
                note=str(self.field(x, "note", str, "")),
                at=self.utc(x),
            )
            for x in self.entries
            if x.kind == "annotation_saved"
        )

    def exhibits(self) -> tuple[Exhibit, ...]:
        shows: list[tuple[Any, dt.datetime]] = []
        open_: dict[int, int] = {}  # exhibit number in the log -> index in shows
        ends: dict[int, tuple[Any, dt.datetime]] = {}
        for x in self.entries:
            if x.kind == "exhibit_shown":
                open_[self.field(x, "number", int)] = len(shows)
                shows.append((x, self.utc(x)))
            elif x.kind == "exhibit_ended":
                number = self.field(x, "number", int)
                if number not in open_:
                    raise FromLogError(
                        f"log entry {x.seq} (exhibit_ended): exhibit {number} was not being shown"
                    )
                ends[open_.pop(number)] = (x, self.utc(x))
        out = []
        for i, (x, when) in enumerate(shows):
            media = self.field(x, "media", str)
            if media not in EXHIBIT_MEDIA:
                raise FromLogError(
                    f"log entry {x.seq} (exhibit_shown): media {media!r}, expected one of "
                    f"{sorted(EXHIBIT_MEDIA)}"
                )
            description = self.field(x, "name", str)
            title = self.field(x, "title", str, description)  # typed when shown (logs since then)
            if title.strip() and title != description:
                description = f"{title} ({description})"
            if "page" in x.data:
                description += f", p. {self.field(x, 'page', int)}"
            end = ends.get(i)
            played = None
            if media in ("audio", "video") and end is not None:
                seconds = end[0].data.get("seconds")
                played = (
                    float(seconds)
                    if isinstance(seconds, int | float) and not isinstance(seconds, bool)
                    else (end[1] - when).total_seconds()
                )
                played = round(max(played, 0.0), 3)
            out.append(
                Exhibit(
                    number=i + 1,
                    kind=EXHIBIT_MEDIA[media],
                    description=description,
                    shown_to=tuple(self._people(x, "to")),
                    at=when,
                    file=self.evidence(x),
                    played_seconds=played,
                    ended_at=end[1] if end else None,
                )
            )
        return tuple(out)

    def _people(self, x: Any, name: str) -> list[str]:
        ids = self.field(x, name, list)
        for pid in ids:
            if pid not in self.people:
                raise FromLogError(
                    f"log entry {x.seq} ({x.kind}): {name} has {pid!r}, not one of the "
                    f"participants {sorted(self.people)}"
                )
        return [str(p) for p in ids]

    def statements(self) -> tuple[Statement, ...]:
        """The entered statements and, from ``read_back`` replies, remarks and refusals."""
        out = list(self.entered.statements)
        for x in self.entries:
            if x.kind != "read_back":
                continue
            pid, when = self.person(x, "participant"), self.utc(x)
            remarks = str(self.field(x, "remarks", str, "")).strip()
            if remarks:
                out.append(Statement(pid, "remark", remarks, when))
            if self.field(x, "decision", str) == "refused":
                reason = str(self.field(x, "reason", str)).strip()
                out.append(Statement(pid, "objection", reason, when))
        out.sort(key=lambda s: s.at)
        return tuple(out)

    # -- technical means -------------------------------------------------------------------

    def _logged_segment_seconds(self) -> float | None:
        """The segment length the recorder put in ``session_started`` (logs since 2026-12)."""
        for x in self.entries:
            if x.kind == "session_started" and "segment_seconds" in x.data:
                value = x.data["segment_seconds"]
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise FromLogError(
                        f"log entry {x.seq} (session_started): segment_seconds {value!r}, "
                        "expected a positive number of seconds"
                    )
                return float(value)
        return None

    def technical(self, informed: dt.datetime) -> TechnicalMeans:
        codecs: dict[str, str] = {}
        lengths: list[float] = []
        for x in self.entries:
            d = x.data
            if x.kind == "segment_sealed":
                lengths.append(float(d["end"]) - float(d["start"]))
                codec = str(d.get("codec", ""))
                if d.get("media") == "video" and "width" in d and codec:
                    codecs[f"v:{codec}"] = f"{codec} {d['width']}×{d['height']}"
                elif d.get("sample_rate") and codec:
                    codecs[f"a:{codec}"] = f"{codec} {d['sample_rate']} Hz"
            elif x.kind == "track_started" and d.get("codec"):
                media = "v" if d.get("media") == "video" else "a"
                codecs.setdefault(f"{media}:{d['codec']}", str(d["codec"]))
        seconds = self.entered.segment_seconds
        if seconds is None:
            seconds = self._logged_segment_seconds()
        if seconds is None:
            # older logs: pauses and reconnections cut segments short; none is longer than
            # the setting
            seconds = round(max(lengths), 1) if lengths else 2.0
        return TechnicalMeans(
            app_version=self.entered.app_version or _version(),
            devices=self.entered.devices,
            codecs=tuple(codecs[k] for k in sorted(codecs)),
            segment_seconds=max(seconds, 0.1),
            participants_informed_at=informed,
        )

    # -- testimony ---------------------------------------------------------------------------

    def testimonies(self) -> tuple[Testimony, ...]:
        out = []
        for path in sorted(self.folder.glob("testimony-*.json")):
            if TESTIMONY_FILE.match(path.name):
                out.append(
                    read_testimony_draft(
                        path, self.entered.participants, drafter=self.entered.drafter, at=self.at
                    )
                )
        return tuple(out)


def signed_by(protocol: Protocol, participant: str, signer: Signer, at: dt.datetime) -> Protocol:
    """``protocol`` with ``participant``'s electronic signature recorded before signing.

    Adds (or replaces) their :class:`Signature` ``signed`` at ``at`` and their
    :class:`SignerIdentity` from the signer's certificate (subject, IIN, certificate SHA-256);
    the model refuses a certificate whose IIN is not the participant's.
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = signer.certificate
    identity = SignerIdentity(
        participant=participant,
        subject=cert.subject.rfc4514_string(),
        iin=signer.identity.iin,
        certificate_sha256=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        signed_at=at,
    )
    return dataclasses.replace(
        protocol,
        signatures=(
            *(x for x in protocol.signatures if x.participant != participant),
            Signature(participant, "signed", at=at),
        ),
        signers=(*(x for x in protocol.signers if x.participant != participant), identity),
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"Tergeu {version('tergeu')}"
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "Tergeu"
