"""Stills, expert annotations and the inspection record (issue 8; DOMAIN §1, CPC Art. 220).

* :class:`Still`: a full-resolution photograph taken from a participant's camera, stored as an
  evidence file and numbered; the protocol's photo table ("фототаблица") prints every still with
  its number, caption and time.
* :class:`StillAnnotation`: an expert's annotation (arrows, rectangles, text), a separate evidence
  file bound to the still's SHA-256; the still itself is never altered.
* :class:`Inspection`: what an inspection protocol records besides the common parts: the place
  inspected, the conditions (lighting, weather, temperature when given), what was found and where,
  what was seized or photographed (linking stills by number), and the technical means used at
  the scene. Participants (including a specialist) are the protocol's participants.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from protocol.model_base import (
    ID_PATTERN,
    SHA256_HEX,
    ProtocolModelError,
    rules,
    validate_fields,
)
from protocol.participants import EvidenceFile


@dataclass(frozen=True)
class Still:
    """Still number ``number``: whose camera, who took it, when, the caption and the file."""

    number: int = field(metadata=rules(minimum=1))
    file: EvidenceFile
    width: int = field(metadata=rules(minimum=1))
    height: int = field(metadata=rules(minimum=1))
    camera_of: str = field(metadata=rules(pattern=ID_PATTERN))  # whose camera
    taken_by: str = field(metadata=rules(pattern=ID_PATTERN))  # who captured it
    caption: str = field(metadata=rules(blank=True))
    at: dt.datetime
    session_t: float = field(metadata=rules(minimum=0))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class StillAnnotation:
    """An annotation file by ``author`` on the still whose SHA-256 is ``still_sha256``."""

    still_sha256: str = field(metadata=rules(pattern=SHA256_HEX))
    author: str = field(metadata=rules(pattern=ID_PATTERN))
    file: EvidenceFile
    shapes: int = field(metadata=rules(minimum=1))
    note: str = field(metadata=rules(blank=True))
    at: dt.datetime

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class Conditions:
    """Conditions of the inspection; empty strings where not given."""

    lighting: str = field(default="", metadata=rules(blank=True))
    weather: str = field(default="", metadata=rules(blank=True))
    temperature: str = field(default="", metadata=rules(blank=True))
    other: str = field(default="", metadata=rules(blank=True))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class Finding:
    """Something found: what, where, the stills showing it, and whether it was seized (how)."""

    number: int = field(metadata=rules(minimum=1))
    description: str
    location: str
    stills: tuple[int, ...] = field(default=(), metadata=rules(minimum=1))
    seized: bool = False
    packaging: str = field(default="", metadata=rules(blank=True))  # how it was packed, sealed

    def __post_init__(self) -> None:
        validate_fields(self)
        if not self.seized and self.packaging.strip():
            raise ProtocolModelError("packaging", self.packaging, "only a seized item is packed")


@dataclass(frozen=True)
class Inspection:
    """The parts of an inspection protocol (CPC Art. 220) not common to every action."""

    place: str  # the place inspected, as described by the investigator
    conditions: Conditions
    description: str = field(metadata=rules(blank=True))  # the course of the inspection
    findings: tuple[Finding, ...] = ()
    means: tuple[str, ...] = ()  # technical means used at the scene (camera, tape measure, ...)

    def __post_init__(self) -> None:
        validate_fields(self)
        for i, f in enumerate(self.findings):
            if f.number != i + 1:
                raise ProtocolModelError(
                    f"findings[{i}].number", f.number, f"findings are numbered in order, {i + 1}"
                )
