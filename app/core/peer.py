"""Media plumbing for the hub: switchable forwarding slots and frame counters (aiortc tracks)."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
from dataclasses import dataclass, field

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet


@dataclass
class FrameCounts:
    """Frames per track name: seen by the hub (unbuffered, may skip under load), forwarded to
    participants, and handed to the Recorder (buffered: every frame)."""

    received: dict[str, int] = field(default_factory=dict)
    forwarded: dict[str, int] = field(default_factory=dict)
    to_recorder: dict[str, int] = field(default_factory=dict)

    def add(self, table: dict[str, int], name: str) -> None:
        table[name] = table.get(name, 0) + 1


async def recv_unless_switched(
    source: MediaStreamTrack, changed: asyncio.Event
) -> Frame | Packet | None:
    """The next frame of ``source``, or None if ``changed`` is set first (the source was
    switched: the pending read is cancelled). Raises MediaStreamError when ``source`` ended."""
    changed.clear()
    get = asyncio.ensure_future(source.recv())
    waiter = asyncio.ensure_future(changed.wait())
    done, _ = await asyncio.wait({get, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if get not in done:
        get.cancel()
        with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
            await get
        return None
    waiter.cancel()
    return get.result()


VIDEO_CLOCK_RATE = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)


class Restamper:
    """Video timestamps of one sender that keep increasing whatever its source does.

    A sender's VP8/H.264 encoder raises on a frame whose timestamp goes back, and aiortc then
    stops that sender for good. Frames of the same source keep their spacing; a new source (an
    exhibit, a participant who reconnected and restarted their clock) continues after the last
    frame by the wall time that passed.
    """

    def __init__(self) -> None:
        self._last_pts: int | None = None
        self._last_source: object | None = None
        self._last_source_pts: int | None = None
        self._last_wall = 0.0

    def __call__(self, frame: av.VideoFrame, source: object) -> av.VideoFrame:
        now = time.monotonic()
        pts = None
        if frame.pts is not None and frame.time_base is not None:
            pts = int(frame.pts * frame.time_base * VIDEO_CLOCK_RATE)
        if self._last_pts is None:
            out = pts if pts is not None else 0  # the first frame keeps its own timeline
        elif (
            source is self._last_source
            and pts is not None
            and self._last_source_pts is not None
            and pts >= self._last_source_pts
        ):
            out = self._last_pts + (pts - self._last_source_pts)
        else:  # a new source, or one that went back: continue by the time that passed
            out = self._last_pts + max(1, round((now - self._last_wall) * VIDEO_CLOCK_RATE))
        self._last_pts, self._last_source, self._last_source_pts = out, source, pts
        self._last_wall = now
        copy = copy_frame(frame)  # relayed frames are shared with other consumers
        assert isinstance(copy, av.VideoFrame)
        copy.pts = out
        copy.time_base = VIDEO_TIME_BASE
        return copy


class SlotTrack(MediaStreamTrack):
    """An outgoing track whose source can be switched, and which never ends on its own.

    aiortc's sender stops for good when its track ends, so a slot survives its source leaving
    (a participant's network failing): it waits for the next source instead.
    """

    def __init__(self, kind: str, counts: FrameCounts, name: str) -> None:
        super().__init__()
        self.kind = kind
        self._counts = counts
        self._name = name
        self._source: MediaStreamTrack | None = None
        self._changed = asyncio.Event()
        self.source_name: str | None = None
        self._restamp = Restamper()

    def set_source(self, track: MediaStreamTrack | None, source_name: str | None) -> None:
        old = self._source
        self._source, self.source_name = track, source_name
        if old is not None and old is not track:
            old.stop()
        self._changed.set()

    async def recv(self) -> Frame | Packet:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            source = self._source
            if source is None:
                self._changed.clear()
                await self._changed.wait()
                continue
            try:
                frame = await recv_unless_switched(source, self._changed)
            except MediaStreamError:
                if self._source is source:
                    self._source = None
                continue
            if frame is None:
                continue
            self._counts.add(self._counts.forwarded, self._name)
            if isinstance(frame, av.VideoFrame):  # a reconnected participant restarts its clock
                return self._restamp(frame, source)
            return frame

    def stop(self) -> None:
        if self._source is not None:
            self._source.stop()
        super().stop()
        self._changed.set()


async def drain(track: MediaStreamTrack, counts: FrameCounts, name: str) -> None:
    """Consume ``track`` and count its frames (keeps relays flowing and measures what arrives)."""
    with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
        while True:
            await track.recv()
            counts.add(counts.received, name)


def copy_frame(frame: Frame) -> Frame:
    """A private copy of a decoded frame (data, pts, time base)."""
    copy: av.VideoFrame | av.AudioFrame
    if isinstance(frame, av.VideoFrame):
        if frame.format.name != "yuv420p":
            copy = frame.reformat(format="yuv420p")  # a conversion always makes a new frame
        else:
            copy = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
    elif isinstance(frame, av.AudioFrame):
        audio = av.AudioFrame.from_ndarray(
            frame.to_ndarray(), format=frame.format.name, layout=frame.layout.name
        )
        audio.sample_rate = frame.sample_rate
        copy = audio
    else:
        raise TypeError(f"cannot copy a {type(frame).__name__}")
    copy.pts = frame.pts
    if frame.time_base is not None:
        copy.time_base = frame.time_base
    return copy


def fit_frame(frame: av.VideoFrame, size: tuple[int, int]) -> av.VideoFrame:
    """A yuv420p copy of ``frame`` at ``size``: scaled keeping its aspect ratio, centred on black
    if the ratio differs (a phone turned sideways is letterboxed, never stretched)."""
    width, height = size
    if (frame.width, frame.height) == size:
        out = copy_frame(frame)
        assert isinstance(out, av.VideoFrame)
        return out
    scale = min(width / frame.width, height / frame.height)
    w2 = max(2, int(frame.width * scale) // 2 * 2)
    h2 = max(2, int(frame.height * scale) // 2 * 2)
    if (w2, h2) == size:
        fitted = frame.reformat(width=width, height=height, format="yuv420p")
    else:
        rgb = frame.reformat(width=w2, height=h2, format="rgb24").to_ndarray()
        canvas = np.zeros((height, width, 3), np.uint8)
        y0, x0 = (height - h2) // 2, (width - w2) // 2
        canvas[y0 : y0 + h2, x0 : x0 + w2] = rgb
        fitted = av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(format="yuv420p")
    fitted.pts = frame.pts
    if frame.time_base is not None:
        fitted.time_base = frame.time_base
    return fitted


class IsolatedTrack(MediaStreamTrack):
    """Gives the Recorder its own frames, at one steady size per video track.

    MediaRelay shares one frame object among all subscribers, and the Recorder rewrites ``pts``,
    which would corrupt the encoders of the other subscribers. Browsers also change the sent
    resolution under load, and each change would start a new segment; frames are therefore
    fitted to the track's first size (see :func:`fit_frame`).
    """

    def __init__(self, source: MediaStreamTrack, counts: FrameCounts, name: str) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._counts, self._name = counts, name
        self._size: tuple[int, int] | None = None

    async def recv(self) -> Frame:
        frame = await self._source.recv()
        if not isinstance(frame, Frame):
            raise MediaStreamError
        if isinstance(frame, av.VideoFrame):
            self._size = self._size or (frame.width, frame.height)
            copy: Frame = fit_frame(frame, self._size)
        else:
            copy = copy_frame(frame)
        self._counts.add(self._counts.to_recorder, self._name)
        return copy

    def stop(self) -> None:
        self._source.stop()
        super().stop()
