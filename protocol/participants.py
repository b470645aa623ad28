"""Participants, their identity checks, acknowledgments and signatures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from protocol.identifiers import IdentifierError, parse_iin
from protocol.model_base import (
    ID_PATTERN,
    SHA256_HEX,
    ProtocolModelError,
    check_order,
    rules,
    validate_fields,
)

# Roles (DOMAIN §5) plus the remote-end official.
ROLES = (
    "investigator",
    "inquiry_officer",
    "prosecutor",
    "witness",
    "witness_with_defence",
    "victim",
    "suspect",
    "accused",
    "defender",
    "expert",
    "specialist",
    "interpreter",
    "legal_representative",
    "attesting_witness",
    "remote_official",
)
# Roles that act in an official capacity and so must name their position and agency.
OFFICIAL_ROLES = ("investigator", "inquiry_officer", "prosecutor", "remote_official")
DRAFTER_ROLES = ("investigator", "inquiry_officer")
LOCATIONS = ("investigator", "remote")

IDENTITY_METHODS = (
    "id_card_mrz",
    "passport_mrz",
    "id_document",  # a document checked without a machine-readable zone
    "certificate",
    "remote_official",
    "personal_knowledge",
)
ACKNOWLEDGMENT_KINDS = (
    "recording_notice",
    "rights",
    "privilege",
    "warning_false_testimony",
    "warning_refusal",
    "warning_false_denunciation",
    "warning_interpreter",
    "confidentiality",
    "warnings",  # one procedure step acknowledging several warnings (CC 419/420/421)
    "environment",  # "I am alone", camera pan
    "language",
    "read_back",
)
# typed_name: the guest pressed "I understand" and typed their name on their own page;
# signed: a desktop participant signed the exact text with their key.
ACKNOWLEDGMENT_HOW = ("oral", "on_screen", "on_screen_and_oral", "signed", "typed_name")
# Identity steps as app.core.guest_identity and app.core.identity log them.
IDENTITY_STEPS = (
    "link-and-pin",
    "document-stills",
    "document-data",
    "remote-official",
    "investigator-attestation",
    "certificate",
)


@dataclass(frozen=True)
class PersonalData:
    """Personal data recorded at a first interrogation (CPC Art. 212)."""

    birth_date: dt.date
    birth_place: str
    citizenship: str
    nationality: str = field(metadata=rules(blank=True))
    education: str = field(metadata=rules(blank=True))
    marital_status: str = field(metadata=rules(blank=True))
    work: str = field(metadata=rules(blank=True))
    position: str = field(metadata=rules(blank=True))
    residence: str = field(metadata=rules(blank=True))
    prior_convictions: str = field(default="", metadata=rules(blank=True))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class Participant:
    """A person taking part: role, name (as in the document, and in Latin letters), IIN."""

    id: str = field(metadata=rules(pattern=ID_PATTERN))
    role: str = field(metadata=rules(enum=ROLES))
    full_name: str
    full_name_latin: str
    iin: str | None
    location: str = field(metadata=rules(enum=LOCATIONS))
    position: str = field(default="", metadata=rules(blank=True))
    agency: str = field(default="", metadata=rules(blank=True))
    language: str = field(
        default="ru", metadata=rules()
    )  # language the person speaks in the action
    personal_data: PersonalData | None = None

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.iin is not None:
            try:
                parse_iin(self.iin)
            except IdentifierError as e:
                raise ProtocolModelError("iin", self.iin, str(e).split(": ", 1)[-1]) from None
            if (
                self.personal_data is not None
                and parse_iin(self.iin).birth_date != self.personal_data.birth_date
            ):
                raise ProtocolModelError(
                    "personal_data.birth_date",
                    self.personal_data.birth_date.isoformat(),
                    f"differs from the birth date in IIN {self.iin}",
                )
        if self.role in OFFICIAL_ROLES:
            for name in ("position", "agency"):
                if not getattr(self, name).strip():
                    raise ProtocolModelError(name, getattr(self, name), f"required for {self.role}")

    def name(self, lang: str) -> str:
        """The name to print in a document in ``lang``."""
        return self.full_name_latin if lang == "en" else self.full_name


@dataclass(frozen=True)
class EvidenceFile:
    """A file kept as evidence (a still of a document, a certificate), by name and SHA-256."""

    name: str
    sha256: str = field(metadata=rules(pattern=SHA256_HEX))
    size: int = field(metadata=rules(minimum=0))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class IdentityStep:
    """One logged step of establishing identity: what, by whom (``system`` or a participant),
    when, with what result (as logged: ``passed``, ``captured``, ``verified``, ``accepted``...)."""

    step: str = field(metadata=rules(enum=IDENTITY_STEPS))
    by: str = field(metadata=rules(pattern=ID_PATTERN))
    result: str = field(metadata=rules(pattern=r"^[a-z][a-z-]{0,31}$"))
    at: dt.datetime
    note: str = field(default="", metadata=rules(blank=True))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class IdentityCheck:
    """How a participant's identity was established, on what evidence, confirmed by whom."""

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    method: str = field(metadata=rules(enum=IDENTITY_METHODS))
    document: str
    evidence: tuple[EvidenceFile, ...]
    confirmed_by: tuple[str, ...] = field(metadata=rules(pattern=ID_PATTERN))
    at: dt.datetime
    result: str = field(default="confirmed", metadata=rules(enum=("confirmed", "not_confirmed")))
    note: str = field(default="", metadata=rules(blank=True))
    steps: tuple[IdentityStep, ...] = ()  # the logged steps, in order

    def __post_init__(self) -> None:
        validate_fields(self)
        if not self.confirmed_by:
            raise ProtocolModelError("confirmed_by", [], "at least one person confirms identity")


@dataclass(frozen=True)
class Acknowledgment:
    """Rights explained or a warning given, and the participant's acknowledgment of it."""

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    kind: str = field(metadata=rules(enum=ACKNOWLEDGMENT_KINDS))
    articles: tuple[str, ...]  # e.g. ("CPC 78",), ("CC 420", "CC 421")
    explained_at: dt.datetime
    acknowledged_at: dt.datetime
    how: str = field(metadata=rules(enum=ACKNOWLEDGMENT_HOW))
    step: str = field(default="", metadata=rules(blank=True))  # the procedure step, when logged
    # SHA-256 of the exact text version shown (NFC UTF-8), as the log keeps it
    text_sha256: str | None = field(default=None, metadata=rules(pattern=SHA256_HEX))

    def __post_init__(self) -> None:
        validate_fields(self)
        check_order("acknowledged_at", self.explained_at, self.acknowledged_at, "explained_at")


@dataclass(frozen=True)
class Signature:
    """A participant's signature of the protocol, or the refusal with its reason."""

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    status: str = field(metadata=rules(enum=("signed", "refused")))
    reason: str = field(default="", metadata=rules(blank=True))
    at: dt.datetime | None = None

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.status == "refused" and not self.reason.strip():
            raise ProtocolModelError("reason", self.reason, "a refusal to sign needs a reason")


@dataclass(frozen=True)
class SignerIdentity:
    """Who signed the container electronically (filled by the signing step)."""

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    subject: str
    iin: str = field(metadata=rules(pattern=r"^\d{12}$"))
    certificate_sha256: str = field(metadata=rules(pattern=SHA256_HEX))
    signed_at: dt.datetime

    def __post_init__(self) -> None:
        validate_fields(self)
