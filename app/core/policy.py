"""Who sees whom in a live session, as data.

The investigator sees everyone and everyone sees the investigator; beyond that a participant sees
another only if :data:`DEFAULT_RULES` (or the rules given to :class:`MediaPolicy`) list the other's
role for theirs. Witnesses see nobody else, so one witness never sees another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core.invites import ROLES

INVESTIGATOR = "investigator"
_PERSONS = frozenset({"witness", "witness_with_defence", "victim", "suspect", "accused"})

DEFAULT_RULES: Mapping[str, frozenset[str]] = {
    "expert": _PERSONS,
    "specialist": _PERSONS,
    "defender": _PERSONS,
    "interpreter": _PERSONS,
    "legal_representative": frozenset({"witness", "victim"}),
    "remote_official": frozenset(),
    "attesting_witness": frozenset(),
    "witness": frozenset(),
    "witness_with_defence": frozenset({"defender"}),
    "victim": frozenset({"legal_representative"}),
    "suspect": frozenset({"defender", "interpreter"}),
    "accused": frozenset({"defender", "interpreter"}),
}


@dataclass(frozen=True)
class MediaPolicy:
    """viewer role → roles whose audio and video that viewer receives (besides the investigator)."""

    rules: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_RULES))

    def __post_init__(self) -> None:
        for viewer, sources in self.rules.items():
            for role in (viewer, *sources):
                if role not in ROLES:
                    raise ValueError(f"media policy names unknown role {role!r}")

    def may_see(self, viewer_role: str, source_role: str) -> bool:
        """True if ``viewer_role`` receives the media of ``source_role``."""
        if viewer_role == INVESTIGATOR or source_role == INVESTIGATOR:
            return True
        return source_role in self.rules.get(viewer_role, frozenset())
