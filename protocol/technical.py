"""Technical means used and the recording summary (built from the action log by summary.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from protocol.model_base import (
    SHA256_HEX,
    ProtocolModelError,
    check_order,
    rules,
    validate_fields,
)

TRACK_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MEDIA = ("video", "audio", "screen")


@dataclass(frozen=True)
class TechnicalMeans:
    """The means of recording, and when the participants were told of them in advance."""

    app_version: str
    devices: tuple[str, ...]
    codecs: tuple[str, ...]
    segment_seconds: float = field(metadata=rules(minimum=0.1))
    participants_informed_at: dt.datetime

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class TrackSummary:
    """One recorded track: its medium, recorded duration and sealed segment count."""

    track: str = field(metadata=rules(pattern=TRACK_PATTERN))
    media: str = field(metadata=rules(enum=MEDIA))
    duration_seconds: float = field(metadata=rules(minimum=0))
    segments: int = field(metadata=rules(minimum=0))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class Interval:
    """A break (recording paused) or a reconnection gap, with its reason or participant."""

    kind: str = field(metadata=rules(enum=("break", "disconnection", "crash")))
    start: dt.datetime
    end: dt.datetime | None  # None: it never ended before the log did
    subject: str = field(
        metadata=rules(blank=True)
    )  # the reason of a break, or the participant/track

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.end is not None:
            check_order("end", self.start, self.end, "start")


@dataclass(frozen=True)
class Marker:
    """A marker the investigator placed in the recording."""

    at: dt.datetime
    session_t: float = field(metadata=rules(minimum=0))
    note: str = field(metadata=rules(blank=True))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class Checkpoint:
    """A signed checkpoint of the action log: the Merkle root over the entries before it."""

    seq: int = field(metadata=rules(minimum=0))
    at: dt.datetime
    tree_size: int = field(metadata=rules(minimum=1))
    root: str = field(metadata=rules(pattern=SHA256_HEX))

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class RecordingSummary:
    """What the action log says about the recording.

    ``merkle_root`` and ``tree_size`` are those of the last checkpoint (recomputed from the log's
    entry lines); ``log_sha256`` is the SHA-256 of the whole log file; ``segments`` counts sealed
    segments per track.
    """

    tracks: tuple[TrackSummary, ...]
    segments: dict[str, int] = field(metadata=rules(pattern=TRACK_PATTERN))
    intervals: tuple[Interval, ...]
    markers: tuple[Marker, ...]
    merkle_root: str = field(metadata=rules(pattern=SHA256_HEX))
    tree_size: int = field(metadata=rules(minimum=1))
    log_entries: int = field(metadata=rules(minimum=1))
    log_sha256: str = field(metadata=rules(pattern=SHA256_HEX))
    last_checkpoint: Checkpoint | None

    def __post_init__(self) -> None:
        validate_fields(self)
        counts = {t.track: t.segments for t in self.tracks}
        if counts != self.segments:
            raise ProtocolModelError("segments", self.segments, f"differs from the tracks {counts}")
        if self.tree_size > self.log_entries:
            raise ProtocolModelError(
                "tree_size", self.tree_size, f"exceeds the log's {self.log_entries} entries"
            )
        if self.last_checkpoint is not None and (
            self.last_checkpoint.root != self.merkle_root
            or self.last_checkpoint.tree_size != self.tree_size
        ):
            raise ProtocolModelError(
                "merkle_root", self.merkle_root, "differs from the last checkpoint's root"
            )

    @property
    def total_segments(self) -> int:
        """Sealed segments over all tracks."""
        return sum(self.segments.values())
