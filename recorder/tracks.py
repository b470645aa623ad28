"""One recorded track: session timing of its frames and the worker thread that writes segments.

Frame times: the first frame of a source is anchored at its arrival on the session clock; later
frames follow their own pts, so network jitter does not move them. A pts that goes backwards (a
new RTP stream) re-anchors. An audio source is never anchored before the AAC encoder's priming
delay (21 ms at 48 kHz after session start; see ``segments.AAC_PRIMING``): earlier, the MPEG-TS
muxer would have to shift the whole first segment.

Segment ``k`` covers session time ``[k·S, (k+1)·S)``: the boundary is computed from absolute
session time, never by summing durations, so all tracks cut at the same instants and stay in sync
over hours and across reconnects. The first segment of a source that has just appeared (a track
started, a participant reconnected, recording resumed) ends earlier, at the next multiple of
``first_segment_seconds`` (0.25 s by default; still an absolute session-clock instant), so a
newly joined participant's media is sealed and hashed on the record within a fraction of a
second instead of up to ``S`` later; from then on the track cuts with all the others.

Encoding, muxing, fsync and hashing run on one worker thread per track; the event loop only moves
frames into a bounded queue.
"""

from __future__ import annotations

import asyncio
import math
import queue
import statistics
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av

from recorder.aac import AacEncoder, AudioPacket
from recorder.clock import SessionClock
from recorder.segments import (
    Media,
    SealedSegment,
    SegmentWriter,
    audio_floor,
    check_track_name,
)

QUEUE_FRAMES = 60  # 2 s of 30 fps video: absorbs encoder hiccups, bounds memory
IDLE_GRACE_SECONDS = 0.5  # a source that goes quiet still gets its segment sealed
NOMINAL_FPS = 30
FIRST_SEGMENT_SECONDS = 0.25  # default grid the first segment of a new source ends on
_EPSILON = 1e-6  # seconds: a time this close to a boundary is on it (pts resolution is 11 µs)


def segment_end(t: float, segment_seconds: float, *, first: float | None = None) -> float:
    """Session time at which a segment whose first media starts at ``t`` ends.

    The next multiple of ``segment_seconds`` after ``t``; for the first segment of a new source
    (``first`` is its grid, e.g. :data:`FIRST_SEGMENT_SECONDS`), the next multiple of ``first``
    if that comes sooner.
    """
    end = (math.floor(t / segment_seconds + 1e-9) + 1) * segment_seconds
    if first is not None:
        end = min(end, (math.floor(t / first + 1e-9) + 1) * first)
    return end


class TrackTimer:
    """Maps a source's frame timestamps to session time (see the module docstring)."""

    def __init__(self, not_before: float = 0.0) -> None:
        self._not_before = not_before
        self._anchor: tuple[float, float] | None = None  # (session time, pts seconds)
        self._last_pts: float | None = None

    def session_time(self, frame: av.VideoFrame | av.AudioFrame, arrived: float) -> float:
        """Session time of ``frame``, which arrived at session time ``arrived``."""
        floor = self._not_before
        if isinstance(frame, av.AudioFrame):
            floor = max(floor, audio_floor(frame.sample_rate))
        if frame.pts is None or frame.time_base is None:
            t = max(arrived, floor)
            self._not_before = t
            return t
        pts = float(frame.pts * frame.time_base)
        if self._anchor is None or (self._last_pts is not None and pts < self._last_pts):
            self._anchor = (max(arrived, floor), pts)
        self._last_pts = pts
        return self._anchor[0] + (pts - self._anchor[1])


class LossCounter:
    """Media a source skipped, read from its own timestamps (lost RTP packets, a stalled camera).

    Video: a step between timestamps longer than 1.5 × the median of the last 15 steps counts
    ``round(step / median) - 1`` missing frames. Audio: samples between where the last frame ended
    and where this one starts (more than 1 ms). A timestamp going backwards (a new stream) is not
    a loss. The recorder logs the sum as a ``frames-dropped`` warning (``Recorder``).
    """

    def __init__(self) -> None:
        self._last: float | None = None  # video: last pts; audio: where the last frame ended
        self._steps: deque[float] = deque(maxlen=15)

    def update(self, frame: av.VideoFrame | av.AudioFrame) -> int:
        """Frames (video) or samples (audio) missing just before ``frame``."""
        if frame.pts is None or frame.time_base is None:
            return 0
        pts = float(frame.pts * frame.time_base)
        last, missing = self._last, 0
        if isinstance(frame, av.AudioFrame):
            self._last = pts + frame.samples / frame.sample_rate
            if last is not None and pts - last > 0.001:
                missing = round((pts - last) * frame.sample_rate)
            return missing
        self._last = pts
        if last is None or pts <= last:
            return 0
        step = pts - last
        if len(self._steps) >= 3:
            usual = statistics.median(self._steps)
            if step > 1.5 * usual:
                missing = round(step / usual) - 1
        if not missing:
            self._steps.append(step)
        return missing


class FrameRate:
    """Nominal frame rate of a source: the median of its last 15 frame intervals."""

    WINDOW = 15
    CHANGE = 0.25  # a change by more than this fraction starts a new segment

    def __init__(self) -> None:
        self._last: float | None = None
        self._intervals: deque[float] = deque(maxlen=self.WINDOW)

    def update(self, t: float) -> int | None:
        """Account for a frame at ``t``; the rate once enough frames were seen, else None."""
        if self._last is not None and t > self._last:
            self._intervals.append(t - self._last)
        self._last = t
        if len(self._intervals) < self.WINDOW:
            return None
        return max(1, round(1.0 / statistics.median(self._intervals)))

    @classmethod
    def changed(cls, old: int, new: int) -> bool:
        """True if ``new`` differs from ``old`` enough to start a new segment."""
        return abs(new - old) > cls.CHANGE * old


@dataclass(frozen=True)
class _Frame:
    frame: av.VideoFrame | av.AudioFrame
    t: float
    duration: float
    arrived: float


class _Cut:
    """Seal the current segment now (pause, reconnect)."""


class _End:
    """Seal and stop the worker."""


SealedCallback = Callable[[SealedSegment, float], None]
ErrorCallback = Callable[[BaseException], None]


class TrackRecorder:
    """Writes one named track (e.g. ``witness-video``) into consecutive segments."""

    def __init__(
        self,
        action_dir: Path,
        name: str,
        participant: str,
        media: Media,
        *,
        clock: SessionClock,
        segment_seconds: float,
        on_sealed: SealedCallback,
        on_error: ErrorCallback,
        first_segment_seconds: float = FIRST_SEGMENT_SECONDS,
    ) -> None:
        self.action_dir = action_dir
        self.name = check_track_name(name)
        self.participant = participant
        self.media: Media = media
        self.clock = clock
        self.segment_seconds = segment_seconds
        self.first_segment_seconds = first_segment_seconds
        self.sealed: list[SealedSegment] = []
        self.frames_in = 0  # frames (video) or samples (audio) handed to the worker
        self.last_end = 0.0
        self.failed: BaseException | None = None
        self._on_sealed = on_sealed
        self._on_error = on_error
        self._queue: queue.Queue[_Frame | _Cut | _End] = queue.Queue(QUEUE_FRAMES)
        self._next_index = 0
        self._thread: threading.Thread | None = None
        # the source has just appeared: its next segment is a short first one (worker thread)
        self.fresh = True

    @property
    def backlog(self) -> int:
        """Frames queued for the worker and not yet encoded (approximate)."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        """True while the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start (or restart after :meth:`finish`) the worker thread."""
        if self.running:
            return
        self.fresh = True
        self._thread = threading.Thread(target=self._run, name=f"rec-{self.name}", daemon=True)
        self._thread.start()

    async def _put(self, item: _Frame | _Cut | _End) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            # backpressure: the source waits rather than frames being dropped or memory growing
            await asyncio.to_thread(self._queue.put, item)

    async def feed(self, frame: av.VideoFrame | av.AudioFrame, t: float, arrived: float) -> None:
        """Queue a frame at session time ``t`` for the worker."""
        if isinstance(frame, av.AudioFrame):
            duration = frame.samples / frame.sample_rate
            self.frames_in += frame.samples
        else:
            duration = 1.0 / NOMINAL_FPS
            self.frames_in += 1
        self.last_end = max(self.last_end, t + duration)
        await self._put(_Frame(frame, t, duration, arrived))

    async def cut(self) -> None:
        """Seal the segment being written (if any) at the next chance."""
        await self._put(_Cut())

    async def finish(self) -> None:
        """Seal the last segment and wait for the worker to end."""
        if self._thread is None:
            return
        await self._put(_End())
        await asyncio.to_thread(self._thread.join)

    # -- worker thread -------------------------------------------------------------------------

    def _run(self) -> None:
        if self.media == "audio":
            self._run_audio()
        else:
            self._run_video()

    def _run_audio(self) -> None:
        """Audio: one continuous AAC encoder per contiguous run, cut between packets."""
        run = _AudioRun(self)
        ended = False
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.1)
                except queue.Empty:
                    ends = min((run.k + 1) * self.segment_seconds, run.ends)
                    boundary = ends + IDLE_GRACE_SECONDS
                    if run.open and self.clock.now() > boundary:
                        run.end(self.clock.now())  # the source went quiet: seal what it gave
                    continue
                if isinstance(item, _End):
                    ended = True
                    run.end(self.clock.now())
                    return
                if isinstance(item, _Cut):
                    run.end(self.clock.now())
                    self.fresh = True
                    continue
                assert isinstance(item.frame, av.AudioFrame)
                run.feed(item.frame, item.t, item.arrived)
        except BaseException as e:  # reported to the Recorder, which stops cleanly
            self.failed = e
            run.discard()
            self._on_error(e)
            if not ended:
                self._drain()

    def _run_video(self) -> None:
        writer: SegmentWriter | None = None
        k = 0
        end = math.inf  # where the open segment ends (session time)
        ended = False
        rates = FrameRate()
        writer_fps: int | None = None
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.1)
                except queue.Empty:
                    boundary = end + IDLE_GRACE_SECONDS
                    if writer is not None and self.clock.now() > boundary:
                        writer = self._seal(writer, self.clock.now())
                    continue
                if isinstance(item, _End):
                    ended = True
                    writer = self._seal(writer, self.clock.now())
                    return
                if isinstance(item, _Cut):
                    writer = self._seal(writer, self.clock.now())
                    self.fresh = True
                    continue
                item_k = math.floor(item.t / self.segment_seconds + 1e-9)
                duration = item.duration
                rate: int | None = None
                rate_changed = False
                if self.media == "video":
                    rate = rates.update(item.t)
                    if rate is not None:
                        duration = 1.0 / rate
                        if writer_fps is None:
                            writer_fps = rate
                        rate_changed = FrameRate.changed(writer_fps, rate)
                if writer is not None and (
                    item_k != k
                    or item.t >= end - _EPSILON
                    or rate_changed
                    or not writer.accepts(item.frame)
                ):
                    writer = self._seal(writer, item.arrived)
                if writer is None:
                    writer = self._new_writer(fps=rate or NOMINAL_FPS)
                    writer_fps = rate
                    k = item_k
                    end = segment_end(item.t, self.segment_seconds, first=self._first_grid())
                writer.write(item.frame, item.t, duration)
        except BaseException as e:  # reported to the Recorder, which stops cleanly
            self.failed = e
            if writer is not None:
                writer.discard()
            self._on_error(e)
            if not ended:
                self._drain()

    def _new_writer(self, fps: int = NOMINAL_FPS) -> SegmentWriter:
        writer = SegmentWriter(self.action_dir, self.name, self._next_index, self.media, fps=fps)
        self._next_index += 1
        return writer

    def _first_grid(self) -> float | None:
        """The first-segment grid if the source has just appeared (then no longer), else None."""
        fresh, self.fresh = self.fresh, False
        return self.first_segment_seconds if fresh else None

    def _drain(self) -> None:
        """After a failure, keep taking items so that no source blocks, until the end."""
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return

    def _seal(self, writer: SegmentWriter | None, trigger: float) -> SegmentWriter | None:
        """Seal ``writer`` if it holds frames; returns the next writer (always None)."""
        if writer is None:
            return None
        if writer.empty:
            writer.discard()
            return None
        segment = writer.seal()
        self.sealed.append(segment)
        self._on_sealed(segment, trigger)
        return None


class _AudioRun:
    """The audio worker's state: the current encoder run and the segment its packets go to."""

    def __init__(self, track: TrackRecorder) -> None:
        self.track = track
        self.encoder: AacEncoder | None = None
        self.writer: SegmentWriter | None = None
        self.k = 0  # the window of the open segment
        self.ends = math.inf  # where the open segment ends (session time)

    @property
    def open(self) -> bool:
        return self.encoder is not None or self.writer is not None

    def feed(self, frame: av.AudioFrame, t: float, arrived: float) -> None:
        if self.encoder is not None and not self.encoder.accepts(frame, t):
            self.end(arrived)  # a gap, a jump back or a new format: a new run, a new segment
        if self.encoder is None:
            self.encoder = AacEncoder(frame.sample_rate, frame.layout.name)
        for packet in self.encoder.encode(frame, t):
            self._route(packet, arrived)

    def end(self, trigger: float) -> None:
        """Flush the encoder into the open segment and seal it."""
        if self.encoder is not None:
            for packet in self.encoder.flush():
                self._route(packet, trigger)
            self.encoder = None
        self.writer = self.track._seal(self.writer, trigger)

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.discard()
        self.writer = self.encoder = None

    def _route(self, p: AudioPacket, trigger: float) -> None:
        assert self.encoder is not None
        rate = self.encoder.sample_rate
        seconds = self.track.segment_seconds
        start = p.start / rate
        k = math.floor(start / seconds + 1e-9)
        if self.writer is not None and (k != self.k or start >= self.ends - _EPSILON):
            self.writer = self.track._seal(self.writer, trigger)
        if self.writer is None:
            self.writer = self.track._new_writer()
            self.k = k
            self.ends = segment_end(start, seconds, first=self.track._first_grid())
        self.writer.mux_audio(
            p.packet,
            sample_rate=rate,
            layout=self.encoder.layout,
            start=p.start / rate,
            end=p.end / rate,
            samples=p.samples,
        )
