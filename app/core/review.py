"""What a reviewer sees: the record's timeline and verified playback, segment by segment.

The timeline is built from the action log (every ``segment_sealed`` entry, markers, procedural
steps, joins and reconnects); each segment is coloured by what the verification found: intact,
tampered, missing or recovered. Playback never trusts a file: :func:`open_segment` reads the
whole segment into memory, checks its size and SHA-256 against the log, and only then decodes
those same bytes — a tampered segment is refused and shown as a gap, and a file swapped after
the check cannot reach the decoder.
"""

from __future__ import annotations

import enum
import hashlib
import io
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from app.core.errors import TergeuError

EVENT_KINDS = {
    "marker": "marker",
    "procedural_step": "step",
    "participant_joined": "join",
    "participant_left": "leave",
    "participant_reconnected": "reconnect",
    "recording_paused": "pause",
    "recording_resumed": "resume",
    "crash_recovered": "crash",
    "identity_check": "identity",
    "acknowledgment": "acknowledgment",
    "warning": "warning",
}


class ReviewError(TergeuError):
    """The record cannot be reviewed (unreadable log, undecodable segment)."""


class TamperedSegmentError(ReviewError):
    """A segment's bytes do not match the log: it is not played."""


class SegmentStatus(enum.StrEnum):
    INTACT = "intact"
    TAMPERED = "tampered"
    MISSING = "missing"
    RECOVERED = "recovered"  # intact, salvaged after a crash


@dataclass(frozen=True)
class TimelineSegment:
    track: str
    index: int
    start: float
    end: float
    file: str
    size: int
    sha256: str
    recovered: bool
    status: SegmentStatus


@dataclass(frozen=True)
class TimelineEvent:
    t: float
    kind: str  # one of EVENT_KINDS' values
    label: str


@dataclass(frozen=True)
class Timeline:
    tracks: Mapping[str, tuple[TimelineSegment, ...]]
    events: tuple[TimelineEvent, ...]
    duration: float
    media: Mapping[str, str] = field(default_factory=dict)  # track -> "audio" | "video"

    def at(self, track: str, t: float) -> TimelineSegment | None:
        """The segment of ``track`` playing at session time ``t``, if any."""
        for segment in self.tracks.get(track, ()):
            if segment.start <= t < segment.end:
                return segment
        return None

    def counts(self) -> dict[SegmentStatus, int]:
        out = {status: 0 for status in SegmentStatus}
        for segments in self.tracks.values():
            for segment in segments:
                out[segment.status] += 1
        return out


def _label(kind: str, data: Mapping[str, Any]) -> str:
    for key in ("note", "step", "participant", "reason", "message", "summary"):
        if key in data and isinstance(data[key], str):
            event = data.get("event")
            return f"{data[key]} ({event})" if isinstance(event, str) else data[key]
    return kind


def _status(action_dir: Path, data: Mapping[str, Any]) -> SegmentStatus:
    path = action_dir / data["file"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SegmentStatus.MISSING
    except OSError:
        return SegmentStatus.TAMPERED
    if len(raw) != data["size"] or hashlib.sha256(raw).hexdigest() != data["sha256"]:
        return SegmentStatus.TAMPERED
    return SegmentStatus.RECOVERED if data.get("recovered") else SegmentStatus.INTACT


def build_timeline(action_dir: Path, entries: list[Any]) -> Timeline:
    """Timeline of ``action_dir`` from its log ``entries`` (``recorder.log.read_log``).

    Every segment's file is hashed (in parallel) to give its status.
    """
    sealed = [e.data for e in entries if e.kind == "segment_sealed"]
    media = {e.data["track"]: e.data["media"] for e in entries if e.kind == "track_started"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda d: _status(action_dir, d), sealed))
    tracks: dict[str, list[TimelineSegment]] = {}
    for data, status in zip(sealed, statuses, strict=True):
        tracks.setdefault(data["track"], []).append(
            TimelineSegment(
                track=data["track"],
                index=data["index"],
                start=float(data["start"]),
                end=float(data["end"]),
                file=data["file"],
                size=data["size"],
                sha256=data["sha256"],
                recovered=bool(data.get("recovered")),
                status=status,
            )
        )
    events = tuple(
        TimelineEvent(float(e.t), EVENT_KINDS[e.kind], _label(e.kind, e.data))
        for e in entries
        if e.kind in EVENT_KINDS
    )
    ends = [s.end for segs in tracks.values() for s in segs] + [e.t for e in events]
    return Timeline(
        tracks={name: tuple(sorted(segs, key=lambda s: s.index)) for name, segs in tracks.items()},
        events=events,
        duration=max(ends, default=0.0),
        media=media,
    )


@dataclass(frozen=True)
class DecodedFrame:
    """A decoded frame at session time ``t``: RGB image (H×W×3) or audio samples (C×N float32)."""

    t: float
    video: np.ndarray | None = None
    audio: np.ndarray | None = None
    sample_rate: int = 0


def open_segment(action_dir: Path, segment: TimelineSegment) -> bytes:
    """The segment's bytes, only if they match the log; else :class:`TamperedSegmentError`."""
    try:
        raw = (action_dir / segment.file).read_bytes()
    except OSError as e:
        raise TamperedSegmentError(
            f"{segment.track} segment {segment.index}: file {segment.file} cannot be read ({e})"
        ) from e
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) != segment.size or digest != segment.sha256:
        raise TamperedSegmentError(
            f"{segment.track} segment {segment.index}: sha256 {digest[:16]}… ({len(raw)} bytes) "
            f"does not match the log's {segment.sha256[:16]}… ({segment.size} bytes); not played"
        )
    return raw


def decode_segment(action_dir: Path, segment: TimelineSegment) -> Iterator[DecodedFrame]:
    """Verified decoding: frames of one segment, timed on the session clock."""
    raw = open_segment(action_dir, segment)
    try:
        with av.open(io.BytesIO(raw), mode="r", format="mpegts") as container:
            stream = container.streams[0]
            for frame in container.decode(stream):
                # the recorder writes PTS on the session clock, so frame.time is session time
                if isinstance(frame, av.VideoFrame):
                    t = float(frame.time) if frame.time is not None else segment.start
                    yield DecodedFrame(t=t, video=frame.to_ndarray(format="rgb24"))
                elif isinstance(frame, av.AudioFrame):
                    t = float(frame.time) if frame.time is not None else segment.start
                    yield DecodedFrame(t=t, audio=frame.to_ndarray(), sample_rate=frame.sample_rate)
    except av.FFmpegError as e:
        raise ReviewError(f"{segment.track} segment {segment.index}: cannot decode ({e})") from e
