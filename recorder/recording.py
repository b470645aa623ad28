"""The Recorder: records any number of aiortc tracks of a session into one action folder.

Usage (all methods are coroutines; blocking work runs on worker threads)::

    rec = await Recorder.start(action_dir, action_id="A-1", planned_seconds=3600,
                               signing_key=key)
    await rec.add_track(track, participant="witness", name="witness-video")
    await rec.marker("documents shown")
    await rec.pause("break"); await rec.resume()
    await rec.stop()

Tracks may be added at any time (a participant joins late). Adding a track under a name that was
already recorded continues that track (next segment index, same timing) and logs
``participant_reconnected``. ``subscribe()`` gives an ``asyncio.Queue`` of plain dataclass events
(:class:`SegmentSealed`, :class:`RecorderWarning`, :class:`Stopped`) for the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from recorder.clock import SessionClock
from recorder.diskspace import (
    FreeSpaceProbe,
    InsufficientSpaceError,
    SpaceEstimate,
    check_space,
    disk_free,
    seconds_left,
)
from recorder.errors import RecorderError
from recorder.hls import track_end_entries, write_playlist
from recorder.segments import (
    DiskFullError,
    Media,
    SealedSegment,
    check_track_name,
    private_dir,
)
from recorder.tracks import FIRST_SEGMENT_SECONDS, LossCounter, TrackRecorder, TrackTimer

LOSS_REPORT_SECONDS = 10.0  # at most one frames-dropped warning per track this often


class EventLog(Protocol):
    """What the Recorder needs of the action log (``recorder.log.ActionLog`` provides it)."""

    def append(self, kind: str, data: Mapping[str, Any], *, t: float | None = None) -> Any: ...

    def checkpoint(self) -> Any: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SegmentSealed:
    """A segment was sealed and logged; ``latency``: seconds from its end being known to logged."""

    track: str
    index: int
    file: str
    sha256: str
    start: float
    end: float
    latency: float
    recovered: bool = False


@dataclass(frozen=True)
class RecorderWarning:
    """Something a person must know while recording (low disk space, a track failed)."""

    code: str
    message: str


@dataclass(frozen=True)
class Stopped:
    """The recording stopped; ``error`` says why if it was not asked to."""

    error: str | None = None


RecorderEvent = SegmentSealed | RecorderWarning | Stopped


@dataclass(frozen=True)
class RecorderSettings:
    """Tunables of one recording, checked once."""

    segment_seconds: float = 2.0
    # a new source's first segment ends on this finer grid: a joining participant is on the
    # record (sealed, hashed) within a fraction of a second (recorder.tracks)
    first_segment_seconds: float = FIRST_SEGMENT_SECONDS
    checkpoint_seconds: float = 30.0
    planned_seconds: float = 3600.0
    low_space_seconds: float = 600.0  # warn when the free space lasts less than this
    disk_check_seconds: float = 5.0

    def __post_init__(self) -> None:
        if not 1.0 <= self.segment_seconds <= 10.0:
            raise ValueError(f"segment_seconds {self.segment_seconds}: expected 1 to 10")
        if not 0.1 <= self.first_segment_seconds <= self.segment_seconds:
            raise ValueError(
                f"first_segment_seconds {self.first_segment_seconds}: expected 0.1 to "
                f"segment_seconds ({self.segment_seconds})"
            )
        if self.checkpoint_seconds <= 0 or self.disk_check_seconds <= 0:
            raise ValueError(
                f"checkpoint_seconds {self.checkpoint_seconds} and disk_check_seconds "
                f"{self.disk_check_seconds}: expected > 0"
            )
        if self.planned_seconds <= 0:
            raise ValueError(f"planned_seconds {self.planned_seconds}: expected > 0")


def _open_log(
    action_dir: Path, clock: SessionClock, signing_key: Any, action_id: str, data: Any
) -> EventLog:
    from recorder.log import ActionLog

    log: EventLog = ActionLog.create(
        action_dir, clock=clock, signing_key=signing_key, action_id=action_id, data=data
    )
    return log


class Recorder:
    """A running recording (create it with :meth:`start`)."""

    def __init__(
        self,
        action_dir: Path,
        log: EventLog,
        clock: SessionClock,
        settings: RecorderSettings,
        free_space: FreeSpaceProbe,
    ) -> None:
        self.action_dir = action_dir
        self.log = log
        self.clock = clock
        self.settings = settings
        self.seal_latencies: list[float] = []
        self._free_space = free_space
        self._loop = asyncio.get_running_loop()
        self._tracks: dict[str, TrackRecorder] = {}
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._subscribers: list[asyncio.Queue[RecorderEvent]] = []
        self._paused = False
        self._error: BaseException | None = None
        self._low_space_warned = False
        # missing media per track since the last frames-dropped warning: (count, from, to)
        self._losses: dict[str, tuple[int, float, float]] = {}
        self._loss_reported = 0.0
        self._shutdown: asyncio.Task[None] | None = None
        self._background = [
            asyncio.create_task(self._checkpoints(), name="recorder-checkpoints"),
            asyncio.create_task(self._watch_disk(), name="recorder-disk"),
        ]

    @classmethod
    async def start(
        cls,
        action_dir: Path | str,
        *,
        action_id: str,
        planned_seconds: float,
        segment_seconds: float = 2.0,
        first_segment_seconds: float = FIRST_SEGMENT_SECONDS,
        checkpoint_seconds: float = 30.0,
        signing_key: Any = None,
        clock: SessionClock | None = None,
        log: EventLog | None = None,
        data: Mapping[str, Any] | None = None,
        video_tracks: int = 2,
        audio_tracks: int = 2,
        free_space: FreeSpaceProbe = disk_free,
        low_space_seconds: float = 600.0,
        disk_check_seconds: float = 5.0,
    ) -> Recorder:
        """Check disk space, create the action log and start recording into ``action_dir``.

        ``video_tracks``/``audio_tracks`` are the expected track counts for the space estimate.
        Pass ``log`` (with the ``clock`` it uses) to record into an existing log; otherwise an
        :class:`recorder.log.ActionLog` is created with ``signing_key``. Raises
        :class:`InsufficientSpaceError` when the estimate does not fit.
        """
        settings = RecorderSettings(
            segment_seconds=segment_seconds,
            first_segment_seconds=first_segment_seconds,
            checkpoint_seconds=checkpoint_seconds,
            planned_seconds=planned_seconds,
            low_space_seconds=low_space_seconds,
            disk_check_seconds=disk_check_seconds,
        )
        path = Path(action_dir)
        if log is not None and clock is None:
            raise ValueError("a Recorder given a log needs the SessionClock that log uses")
        estimate = SpaceEstimate(video_tracks, audio_tracks, planned_seconds)
        existing = next(p for p in (path, *path.parents) if p.exists())
        await asyncio.to_thread(check_space, existing, estimate, free_space)
        await asyncio.to_thread(private_dir, path)
        clock = clock or SessionClock.start()
        if log is None:
            if signing_key is None:
                raise ValueError("Recorder.start needs a signing_key to create the action log")
            # the segment grid goes on the record so a reader knows the setting, not a guess
            # from the lengths (a short session may never fill a whole segment)
            data = {
                "segment_seconds": settings.segment_seconds,
                "first_segment_seconds": settings.first_segment_seconds,
                **(data or {}),
            }
            log = await asyncio.to_thread(_open_log, path, clock, signing_key, action_id, data)
        return cls(path, log, clock, settings, free_space)

    # -- events for the UI ---------------------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[RecorderEvent]:
        """A new queue receiving every later event."""
        q: asyncio.Queue[RecorderEvent] = asyncio.Queue()
        self._subscribers.append(q)
        return q

    def _emit(self, event: RecorderEvent) -> None:
        for q in self._subscribers:
            q.put_nowait(event)

    # -- tracks --------------------------------------------------------------------------------

    async def add_track(
        self, track: MediaStreamTrack, *, participant: str, name: str | None = None
    ) -> str:
        """Record ``track`` (audio or video) for ``participant``; returns the track name.

        The name defaults to ``<participant>-<kind>``. A name recorded before continues that
        track: the old source is dropped, ``participant_reconnected`` is logged and segment
        numbering goes on.
        """
        self._check_running()
        if track.kind not in ("audio", "video"):
            raise ValueError(f"track kind {track.kind!r}: expected 'audio' or 'video'")
        media: Media = "audio" if track.kind == "audio" else "video"
        name = check_track_name(name or f"{participant}-{track.kind}")
        existing = self._tracks.get(name)
        if existing is not None:
            if existing.participant != participant or existing.media != media:
                raise ValueError(
                    f"track {name!r} belongs to {existing.participant!r} ({existing.media}), "
                    f"not {participant!r} ({media})"
                )
            old = self._readers.pop(name, None)
            if old is not None:
                old.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await old
            await existing.cut()
            await self._append(
                "participant_reconnected", {"participant": participant, "track": name}
            )
            recorder = existing
        else:
            recorder = TrackRecorder(
                self.action_dir,
                name,
                participant,
                media,
                clock=self.clock,
                segment_seconds=self.settings.segment_seconds,
                first_segment_seconds=self.settings.first_segment_seconds,
                on_sealed=self._sealed,
                on_error=self._worker_failed,
            )
            codec = "h264" if media == "video" else "aac"
            await self._append(
                "track_started",
                {"track": name, "participant": participant, "media": media, "codec": codec},
            )
            self._tracks[name] = recorder
        recorder.start()
        timer = TrackTimer(not_before=recorder.last_end)
        self._readers[name] = asyncio.create_task(self._read(recorder, track, timer, LossCounter()))
        return name

    async def _read(
        self,
        recorder: TrackRecorder,
        track: MediaStreamTrack,
        timer: TrackTimer,
        losses: LossCounter,
    ) -> None:
        while True:
            try:
                received = await track.recv()
            except MediaStreamError:
                await recorder.cut()  # the source ended: seal what it gave
                return
            arrived = self.clock.now()
            if not isinstance(received, av.VideoFrame | av.AudioFrame):
                raise RecorderError(
                    f"track {recorder.name} gave {type(received).__name__}, not frames"
                )
            frame = received
            t = timer.session_time(frame, arrived)
            missing = losses.update(frame)
            if missing:
                self._lost(recorder.name, missing, t)
            if self._paused or recorder.failed is not None:
                continue
            if self._losses and arrived - self._loss_reported >= LOSS_REPORT_SECONDS:
                await self._report_losses()
            await recorder.feed(frame, t, arrived)

    def _lost(self, track: str, missing: int, t: float) -> None:
        count, first, _ = self._losses.get(track, (0, t, t))
        self._losses[track] = (count + missing, first, t)

    async def _report_losses(self) -> None:
        """Log one ``warning`` {code: frames-dropped} per track with missing media, and emit it."""
        losses, self._losses = self._losses, {}
        self._loss_reported = self.clock.now()
        for track, (count, first, last) in sorted(losses.items()):
            media = self._tracks[track].media
            what = f"{count} frames" if media == "video" else f"{count} samples"
            message = (
                f"{track}: the source skipped {what} between {first:.3f} s and {last:.3f} s of "
                "the session (its timestamps jumped: lost network packets or a stalled device)"
            )
            await self._append(
                "warning",
                {
                    "code": "frames-dropped",
                    "message": message,
                    "track": track,
                    "missing": count,
                    "unit": "frames" if media == "video" else "samples",
                    "from": round(first, 6),
                    "to": round(last, 6),
                },
            )
            self._emit(RecorderWarning("frames-dropped", message))

    async def drained(self) -> None:
        """Wait until every source added so far has ended (finite sources, benchmarks, CLI)."""
        await asyncio.gather(*self._readers.values(), return_exceptions=True)

    def frames_in(self) -> dict[str, int]:
        """Frames (video) or samples (audio) received per track while not paused."""
        return {name: tr.frames_in for name, tr in self._tracks.items()}

    def backlog(self) -> dict[str, int]:
        """Frames waiting for each track's encoder: near 0 when the machine keeps up."""
        return {name: tr.backlog for name, tr in self._tracks.items()}

    def segments(self, track: str) -> list[SealedSegment]:
        """The segments sealed so far for ``track``."""
        return list(self._tracks[track].sealed)

    # -- log entries ---------------------------------------------------------------------------

    async def _append(self, kind: str, data: Mapping[str, Any]) -> Any:
        return await asyncio.to_thread(self.log.append, kind, dict(data))

    async def event(self, kind: str, data: Mapping[str, Any]) -> Any:
        """Append an entry of ``kind`` (e.g. ``identity_check``) to the log; returns it."""
        self._check_running()
        return await self._append(kind, data)

    async def marker(self, note: str) -> Any:
        """Log a ``marker`` with a free-text note."""
        return await self.event("marker", {"note": note})

    async def pause(self, reason: str) -> None:
        """Stop writing media (frames are dropped) and seal the open segments."""
        self._check_running()
        if self._paused:
            raise RecorderError("recording is already paused")
        self._paused = True
        await self._append("recording_paused", {"reason": reason})
        for tr in self._tracks.values():
            await tr.cut()

    async def resume(self) -> None:
        """Resume writing media after :meth:`pause`."""
        self._check_running()
        if not self._paused:
            raise RecorderError("recording is not paused")
        await self._append("recording_resumed", {})
        self._paused = False

    def _check_running(self) -> None:
        if self._shutdown is not None:
            raise RecorderError(f"recording in {self.action_dir} has stopped")

    # -- worker callbacks (worker threads) ------------------------------------------------------

    def _sealed(self, segment: SealedSegment, trigger: float) -> None:
        self.log.append("segment_sealed", segment.log_data(self.clock))
        latency = self.clock.now() - trigger
        self.seal_latencies.append(latency)
        # the playlist is derived data: a failure to rewrite it (disk full) must not stop the
        # media; the next segment write reports the disk, and stop() writes the final playlist
        with contextlib.suppress(OSError):
            write_playlist(
                self.action_dir, segment.track, self._tracks[segment.track].sealed, ended=False
            )
        event = SegmentSealed(
            segment.track,
            segment.index,
            segment.file,
            segment.sha256,
            segment.start,
            segment.end,
            latency,
        )
        self._loop.call_soon_threadsafe(self._emit, event)

    def _worker_failed(self, error: BaseException) -> None:
        self._loop.call_soon_threadsafe(self._fail, error)

    def _fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._close())

    # -- background duties ----------------------------------------------------------------------

    async def _checkpoints(self) -> None:
        while True:
            await asyncio.sleep(self.settings.checkpoint_seconds)
            try:
                await asyncio.to_thread(self.log.checkpoint)
            except (RecorderError, OSError) as e:
                self._fail(e)
                return

    async def _watch_disk(self) -> None:
        while True:
            await asyncio.sleep(self.settings.disk_check_seconds)
            free = await asyncio.to_thread(self._free_space, self.action_dir)
            rate = SpaceEstimate(
                sum(t.media == "video" for t in self._tracks.values()),
                sum(t.media == "audio" for t in self._tracks.values()),
                1.0,
            ).bytes_per_second
            left = seconds_left(free, rate)
            if left <= 0:
                self._fail(
                    DiskFullError(f"disk almost full in {self.action_dir}: {free} bytes free")
                )
                return
            if left < self.settings.low_space_seconds and not self._low_space_warned:
                self._low_space_warned = True
                message = (
                    f"low disk space in {self.action_dir}: {free // (1024 * 1024)} MiB free, "
                    f"about {left / 60:.0f} min of recording left"
                )
                await self._append(
                    "warning",
                    {"code": "low-disk-space", "message": message, "free_bytes": free},
                )
                self._emit(RecorderWarning("low-disk-space", message))

    # -- stopping ------------------------------------------------------------------------------

    async def stop(self) -> None:
        """Seal every open segment, log the tracks' and the session's end, checkpoint, close.

        Raises :class:`DiskFullError` (or the :class:`RecorderError` that stopped the recording)
        if it stopped because of a failure; everything complete is sealed either way.
        """
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._close())
        await asyncio.shield(self._shutdown)
        if self._error is not None:
            if isinstance(self._error, RecorderError):
                raise self._error
            if isinstance(self._error, OSError):
                raise RecorderError(f"recording failed: {self._error}") from self._error
            raise RecorderError(f"recording failed: {self._error!r}") from self._error

    async def _close(self) -> None:
        for task in self._background:
            task.cancel()
        for task in list(self._readers.values()):
            task.cancel()
        for task in list(self._readers.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for tr in self._tracks.values():
            await tr.finish()
        log_ok = True
        try:
            if self._losses:
                await self._report_losses()
            if self._error is not None:
                await self._append(
                    "warning", {"code": "recording-failed", "message": str(self._error)}
                )
            for name, tr in self._tracks.items():
                ends = await asyncio.to_thread(
                    track_end_entries, self.action_dir, name, list(tr.sealed)
                )
                for kind, data in ends:
                    await self._append(kind, data)
            reason = "stopped" if self._error is None else "recording failed"
            await self._append("session_ended", {"reason": reason})
            await asyncio.to_thread(self.log.checkpoint)
        except (RecorderError, OSError) as e:
            log_ok = False
            if self._error is None:
                self._error = e
        with contextlib.suppress(RecorderError, OSError):
            await asyncio.to_thread(self.log.close)
        error = None if self._error is None else str(self._error)
        if not log_ok and error is not None:
            error += " (the end of the recording could not be logged; run `tergeu recover`)"
        self._emit(Stopped(error))


__all__ = [
    "EventLog",
    "InsufficientSpaceError",
    "Recorder",
    "RecorderEvent",
    "RecorderSettings",
    "RecorderWarning",
    "SegmentSealed",
    "Stopped",
]
