"""What an action log says about the media: tracks, sealed segments, the session's UTC origin.

Used by crash recovery to tell sealed segments (never touched) from what a crash left behind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from recorder.clock import parse_utc
from recorder.errors import UnreadableError
from recorder.segments import SealedSegment


def _segment(data: dict[str, Any]) -> SealedSegment:
    return SealedSegment(
        track=data["track"],
        index=data["index"],
        file=data["file"],
        size=data["size"],
        sha256=data["sha256"],
        start=data["start"],
        end=data["end"],
        frames=data["frames"],
        media=data.get("media", "video"),
        codec=data.get("codec", "h264"),
        recovered=data["recovered"],
        width=data.get("width"),
        height=data.get("height"),
        sample_rate=data.get("sample_rate"),
    )


@dataclass(frozen=True)
class LoggedSession:
    """The media facts of one action log."""

    origin_utc: datetime
    last_t: float
    started: tuple[str, ...]
    ended: frozenset[str]
    sealed: tuple[SealedSegment, ...]
    segments: dict[str, dict[int, SealedSegment]] = field(default_factory=dict)
    last_kind: str = ""

    @property
    def cleanly_ended(self) -> bool:
        """Every started track ended and the log ends with a checkpoint (a normal stop)."""
        return set(self.started) <= self.ended and self.last_kind == "checkpoint"

    @classmethod
    def read(cls, action_dir: Path) -> LoggedSession:
        """Read ``action_dir``'s log (after :meth:`ActionLog.repair`)."""
        from recorder.log import read_log

        entries = list(read_log(action_dir))
        if not entries:
            raise UnreadableError(f"{action_dir}: the action log has no entries")
        first = entries[0]
        origin = parse_utc(first.utc, what="first log entry utc") - timedelta(seconds=first.t)
        started: list[str] = []
        ended: set[str] = set()
        sealed: list[SealedSegment] = []
        by_track: dict[str, dict[int, SealedSegment]] = defaultdict(dict)
        for entry in entries:
            data = dict(entry.data)
            if entry.kind == "track_started" and data["track"] not in started:
                started.append(data["track"])
            elif entry.kind == "track_ended":
                ended.add(data["track"])
            elif entry.kind == "segment_sealed":
                try:
                    seg = _segment(data)
                except (KeyError, TypeError, ValueError) as e:
                    raise UnreadableError(f"{action_dir}: bad segment_sealed entry: {e}") from e
                sealed.append(seg)
                by_track[seg.track][seg.index] = seg
        return cls(
            origin_utc=origin,
            last_t=max(float(e.t) for e in entries),
            started=tuple(started),
            ended=frozenset(ended),
            sealed=tuple(sealed),
            segments=dict(by_track),
            last_kind=entries[-1].kind,
        )
