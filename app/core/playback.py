"""Synchronized, verified playback of all tracks of a record (Qt-free).

The player asks for each track's picture at session time ``t``; segments are verified and
decoded on worker threads (never on the GUI thread) and kept in a small cache, the next segment
prefetched. A tampered or missing segment yields a gap, never a picture.
"""

from __future__ import annotations

import enum
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.review import (
    DecodedFrame,
    ReviewError,
    SegmentStatus,
    Timeline,
    TimelineSegment,
    decode_segment,
)

log = logging.getLogger(__name__)
CACHE_SEGMENTS = 4  # per track: current, next, and a little history for small seeks back


class FrameState(enum.StrEnum):
    PICTURE = "picture"
    LOADING = "loading"
    GAP = "gap"  # no segment at this time (before a join, after a leave, a missing file)
    TAMPERED = "tampered"  # the segment failed its hash check: refused


@dataclass(frozen=True)
class TrackFrame:
    track: str
    state: FrameState
    image: np.ndarray | None = None
    segment: TimelineSegment | None = None
    message: str = ""


class Player:
    """Verified frames of every video track at any session time."""

    def __init__(self, action_dir: Path, timeline: Timeline, workers: int = 2) -> None:
        self.action_dir = action_dir
        self.timeline = timeline
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="playback")
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int], Future[list[DecodedFrame]]] = {}
        self._order: list[tuple[str, int]] = []
        self.refused: set[tuple[str, int]] = set()

    @property
    def video_tracks(self) -> list[str]:
        return sorted(t for t, kind in self.timeline.media.items() if kind == "video")

    def _decode(self, segment: TimelineSegment) -> Future[list[DecodedFrame]]:
        key = (segment.track, segment.index)
        with self._lock:
            future = self._cache.get(key)
            if future is None:
                future = self._pool.submit(lambda: list(decode_segment(self.action_dir, segment)))
                self._cache[key] = future
                self._order.append(key)
                mine = [k for k in self._order if k[0] == segment.track]
                for old in mine[:-CACHE_SEGMENTS]:
                    self._order.remove(old)
                    self._cache.pop(old, None)
            return future

    def frame(self, track: str, t: float) -> TrackFrame:
        """The picture of ``track`` at ``t``; never blocks on decoding."""
        segment = self.timeline.at(track, t)
        if segment is None or segment.status is SegmentStatus.MISSING:
            return TrackFrame(track, FrameState.GAP, segment=segment)
        if segment.status is SegmentStatus.TAMPERED:
            self.refused.add((track, segment.index))
            return TrackFrame(
                track,
                FrameState.TAMPERED,
                segment=segment,
                message=f"segment {segment.index} failed verification: not played",
            )
        following = [s for s in self.timeline.tracks[track] if s.index == segment.index + 1]
        if following and following[0].status in (SegmentStatus.INTACT, SegmentStatus.RECOVERED):
            self._decode(following[0])  # prefetch
        future = self._decode(segment)
        if not future.done():
            return TrackFrame(track, FrameState.LOADING, segment=segment)
        try:
            frames = future.result()
        except ReviewError as e:  # includes a file changed after the timeline was built
            self.refused.add((track, segment.index))
            return TrackFrame(track, FrameState.TAMPERED, segment=segment, message=str(e))
        shown = [f for f in frames if f.video is not None and f.t <= t + 1e-3]
        picture = shown[-1] if shown else next((f for f in frames if f.video is not None), None)
        if picture is None:
            return TrackFrame(track, FrameState.GAP, segment=segment)
        return TrackFrame(track, FrameState.PICTURE, image=picture.video, segment=segment)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
