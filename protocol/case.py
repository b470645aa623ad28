"""The case and the action: ERDR number, action type, ground for remote mode, places, times.

Codes are stable identifiers stored in protocol.json; their kk/ru/en texts are in
``resources/protocol/<lang>.json``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from protocol.model_base import ProtocolModelError, check_order, rules, validate_fields

# The ERDR registration number's structure is not public (DOMAIN §3): an opaque digit string.
DEFAULT_ERDR_PATTERN = r"\d{12,16}"

# Action types (DOMAIN §5). The first four match resources/procedures/actions.json.
ACTION_TYPES = (
    "remote_interrogation_witness",
    "remote_interrogation_victim",
    "remote_inspection",
    "expert_participation",
    "confrontation",
    "identification",
    "on_site_verification",
)

# Grounds for remote mode, CPC Art. 213 part 1, points 1-5 (in that order).
REMOTE_GROUNDS = (
    "health_or_valid_reason",
    "safety",
    "minor",
    "time_limits",
    "difficulty_or_cost",
)

# Kazakhstan has one offset (UTC+5) since 1 March 2024; the zone database holds the history,
# so the offset is read from the data, never hard-coded.
DEFAULT_TIMEZONE = "Asia/Almaty"

LANGUAGES = ("kk", "ru", "en")


@dataclass(frozen=True)
class Case:
    """The criminal case: its ERDR registration number (opaque digits) and the article."""

    erdr_number: str
    article: str = field(
        default="", metadata=rules(blank=True)
    )  # CC article under investigation, free text
    # The configured rule, not part of the record: not stored in protocol.json, not compared.
    erdr_pattern: str = field(
        default=DEFAULT_ERDR_PATTERN, compare=False, metadata={"json": False, "blank": True}
    )

    def __post_init__(self) -> None:
        validate_fields(self)
        try:
            compiled = re.compile(self.erdr_pattern)
        except re.error as e:
            raise ProtocolModelError("erdr_pattern", self.erdr_pattern, f"not a regex ({e})") from e
        if not compiled.fullmatch(self.erdr_number):
            raise ProtocolModelError(
                "erdr_number",
                self.erdr_number,
                f"expected digits matching {self.erdr_pattern}",
            )


@dataclass(frozen=True)
class Place:
    """Where a side of the action took place: the body (agency) and the address."""

    agency: str
    address: str
    room: str = field(default="", metadata=rules(blank=True))


@dataclass(frozen=True)
class Action:
    """The investigative action: type, ground for remote mode, places and times."""

    type: str = field(metadata=rules(enum=ACTION_TYPES))
    ground: str = field(metadata=rules(enum=REMOTE_GROUNDS))
    ground_details: str = field(metadata=rules(blank=True))
    investigator_place: Place
    remote_place: Place
    start: dt.datetime
    end: dt.datetime
    timezone: str = field(default=DEFAULT_TIMEZONE, metadata=rules())
    language: str = field(
        default="ru", metadata=rules(enum=LANGUAGES)
    )  # language of the proceedings

    def __post_init__(self) -> None:
        validate_fields(self)
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
            raise ProtocolModelError("timezone", self.timezone, "unknown IANA time zone") from e
        check_order("end", self.start, self.end, "start")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The local time zone of the action."""
        return zoneinfo.ZoneInfo(self.timezone)

    def local(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` in the action's local time."""
        return instant.astimezone(self.zone)

    @property
    def utc_offset(self) -> str:
        """The local offset at the start, as ``+05:00``."""
        off = self.local(self.start).utcoffset() or dt.timedelta(0)
        minutes = int(off.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
