"""How the action was conducted, beyond what was said: procedural deviations and presence alerts.

Both come from the action log (``procedural_step`` entries with ``event: deviation``, written by
``app.core.procedure``; ``presence`` entries written by ``app.core.presence``) and are listed in
the protocol (issue 6: "the protocol lists identity checks, acknowledgments with times, deviations
and presence alerts").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from protocol.model_base import ID_PATTERN, check_order, rules, validate_fields

STEP_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
PRESENCE_STATES = ("absent", "multiple")


@dataclass(frozen=True)
class Deviation:
    """A step started before the steps the procedure requires first, with the recorded reason."""

    step: str = field(metadata=rules(pattern=STEP_PATTERN))
    missing: tuple[str, ...] = field(metadata=rules(pattern=STEP_PATTERN))
    reason: str
    by: str = field(metadata=rules(pattern=ID_PATTERN))
    at: dt.datetime

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class PresenceAlert:
    """An interval in which a monitored participant's video showed no face or several faces.

    ``start_t``/``end_t`` are session seconds (the log's ``t``), so the alert links to the
    recording; ``start``/``end`` are the same instants as times.
    """

    participant: str = field(metadata=rules(pattern=ID_PATTERN))
    state: str = field(metadata=rules(enum=PRESENCE_STATES))
    max_faces: int = field(metadata=rules(minimum=0))
    start: dt.datetime
    end: dt.datetime
    start_t: float = field(metadata=rules(minimum=0))
    end_t: float = field(metadata=rules(minimum=0))

    def __post_init__(self) -> None:
        validate_fields(self)
        check_order("end", self.start, self.end, "start")
