"""The recording summary of a protocol, computed from the action log.

From ``recorder.log.read_log(action_dir)``: tracks (medium, recorded duration = sum of sealed
segment lengths, segment count), breaks (``recording_paused`` → ``recording_resumed``),
disconnections (``participant_left`` → ``participant_reconnected``/``joined``/``admitted`` of the
same participant), crash gaps (``crash_recovered``), markers, the last checkpoint, and the Merkle
root over the entry lines up to that checkpoint — recomputed here and compared with the signed
value, so a summary is never built from a log that disagrees with its own checkpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from protocol.errors import ProtocolError
from protocol.technical import (
    MEDIA,
    Checkpoint,
    Interval,
    Marker,
    RecordingSummary,
    TrackSummary,
)
from recorder.clock import parse_utc
from recorder.errors import RecorderError
from recorder.merkle import merkle_root

REJOIN_KINDS = ("participant_reconnected", "participant_joined", "participant_admitted")


class SummaryError(ProtocolError):
    """The action log cannot be summarised (unreadable, inconsistent with its checkpoint)."""


def summarize_log(action_dir: Path, *, zone: dt.tzinfo = dt.UTC) -> RecordingSummary:
    """The :class:`RecordingSummary` of ``action_dir``'s action log (blocking: reads the log).

    Times are given in ``zone`` (the action's time zone). Raises :class:`SummaryError`.
    """
    from recorder.log import LOG_NAME, read_log

    path = Path(action_dir)
    log_path = path / LOG_NAME if path.is_dir() else path
    try:
        entries = read_log(log_path)
        raw = log_path.read_bytes()
    except (RecorderError, OSError) as e:
        raise SummaryError(f"cannot summarise {log_path}: {e}") from e
    return summarize_entries(entries, log_sha256=hashlib.sha256(raw).hexdigest(), zone=zone)


def summarize_entries(
    entries: Sequence[Any], *, log_sha256: str, zone: dt.tzinfo = dt.UTC
) -> RecordingSummary:
    """The summary of already read log ``entries`` (``recorder.log.LogEntry``)."""
    if not entries:
        raise SummaryError("the action log has no entries")
    first = entries[0]
    origin = _utc(first) - dt.timedelta(seconds=float(first.t))

    def at(t: float) -> dt.datetime:
        return (origin + dt.timedelta(seconds=t)).astimezone(zone)

    tracks: dict[str, dict[str, Any]] = {}
    intervals: list[Interval] = []
    markers: list[Marker] = []
    paused: tuple[dt.datetime, str] | None = None
    away: dict[str, dt.datetime] = {}
    checkpoint: Any = None
    for e in entries:
        d = e.data
        when = _utc(e).astimezone(zone)
        if e.kind == "track_started":
            media = str(d.get("media", "video"))
            if media not in MEDIA:
                raise SummaryError(f"log entry {e.seq}: track medium {media!r}, expected {MEDIA}")
            tracks.setdefault(str(d["track"]), {"media": media, "duration": 0.0, "segments": 0})
        elif e.kind == "segment_sealed":
            tr = tracks.setdefault(
                str(d["track"]),
                {"media": str(d.get("media", "video")), "duration": 0.0, "segments": 0},
            )
            tr["duration"] += float(d["end"]) - float(d["start"])
            tr["segments"] += 1
        elif e.kind == "recording_paused" and paused is None:
            paused = (when, str(d.get("reason", "")))
        elif e.kind == "recording_resumed" and paused is not None:
            intervals.append(Interval("break", paused[0], when, paused[1]))
            paused = None
        elif e.kind == "participant_left" and isinstance(d.get("participant"), str):
            away.setdefault(d["participant"], when)
        elif e.kind in REJOIN_KINDS and d.get("participant") in away:
            who = str(d["participant"])
            intervals.append(Interval("disconnection", away.pop(who), when, who))
        elif e.kind == "crash_recovered":
            intervals.append(
                Interval("crash", at(float(d["from"])), at(float(d["to"])), "crash_recovered")
            )
        elif e.kind == "marker":
            markers.append(Marker(when, float(e.t), str(d.get("note", ""))))
        elif e.kind == "checkpoint":
            checkpoint = e
    if paused is not None:
        intervals.append(Interval("break", paused[0], None, paused[1]))
    for who, since in away.items():
        intervals.append(Interval("disconnection", since, None, who))
    intervals.sort(key=lambda i: i.start)

    lines = [e.line() for e in entries]
    if checkpoint is not None:
        size = int(checkpoint.data["tree_size"])
        root = merkle_root(lines[:size]).hex()
        if root != checkpoint.data["root"]:
            raise SummaryError(
                f"log entry {checkpoint.seq}: checkpoint root {checkpoint.data['root']} differs "
                f"from the root {root} of the first {size} entry lines"
            )
        last = Checkpoint(int(checkpoint.seq), _utc(checkpoint).astimezone(zone), size, root)
    else:
        size, root, last = len(lines), merkle_root(lines).hex(), None
    track_list = tuple(
        TrackSummary(name, t["media"], round(t["duration"], 6), t["segments"])
        for name, t in tracks.items()
    )
    return RecordingSummary(
        tracks=track_list,
        segments={t.track: t.segments for t in track_list},
        intervals=tuple(intervals),
        markers=tuple(markers),
        merkle_root=root,
        tree_size=size,
        log_entries=len(entries),
        log_sha256=log_sha256,
        last_checkpoint=last,
    )


def _utc(entry: Any) -> dt.datetime:
    try:
        return parse_utc(str(entry.utc), what=f"log entry {entry.seq} utc")
    except ValueError as e:
        raise SummaryError(str(e)) from e
