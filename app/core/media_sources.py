"""Local media sources for the hub: a still picture as live video, and a switch for outgoing tracks.

:class:`StillTrack` turns a picture (an exhibit image or a rendered PDF page) into video frames at a
steady rate with 90 kHz timestamps, until it is stopped.

:class:`SwitchTrack` sits on an aiortc sender and lets the hub change what that sender transmits
(the investigator's camera, then an exhibit, then the camera again) without the sender noticing:

* aiortc's sender stops for good when its track ends, so the switch never ends on its own: a source
  that ends leaves it waiting for the next one;
* libvpx refuses a frame whose pts goes backwards (``avcodec_send_frame`` fails and the sender's
  loop dies), and every source counts pts from its own origin, so video is restamped on one
  increasing 90 kHz timeline;
* aiortc's Opus encoder fixes its resampler on the first frame it sees (format, layout, rate) and
  raises on any other, so audio is converted to the format of the first frame the switch sent.
"""

from __future__ import annotations

import asyncio
import fractions
import re
import sys
import time
from dataclasses import dataclass

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame

from app.core.peer import (
    VIDEO_CLOCK_RATE,
    VIDEO_TIME_BASE,
    Restamper,
    copy_frame,
    recv_unless_switched,
)

_X11_DISPLAY = re.compile(r"[A-Za-z0-9.-]*:\d{1,4}(\.\d{1,2})?")


@dataclass(frozen=True)
class ScreenArea:
    """A rectangle of an X11 screen to show as an exhibit (a window: the rectangle it covers).

    Captured with FFmpeg's ``x11grab`` (PyAV), ``fps`` frames a second, the mouse pointer drawn.
    """

    display: str  # ":0" or ":0.0"
    width: int
    height: int
    x: int = 0
    y: int = 0
    fps: int = 10

    def __post_init__(self) -> None:
        if not _X11_DISPLAY.fullmatch(self.display):
            raise ValueError(f"X display {self.display!r}: expected like ':0' or ':0.0'")
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError(
                f"screen area {self.width}x{self.height}: expected even sides of 16 or more"
            )
        if self.x < 0 or self.y < 0:
            raise ValueError(f"screen area offset {self.x},{self.y}: expected >= 0")
        if not 1 <= self.fps <= 30:
            raise ValueError(f"screen capture fps {self.fps}: expected 1..30")

    @property
    def url(self) -> str:
        return f"{self.display}+{self.x},{self.y}"

    def options(self) -> dict[str, str]:
        return {
            "video_size": f"{self.width}x{self.height}",
            "framerate": str(self.fps),
            "draw_mouse": "1",
        }

    def describe(self) -> str:
        return f"screen {self.display} {self.width}x{self.height}+{self.x}+{self.y}"


def grab_screen(area: ScreenArea) -> np.ndarray:
    """One picture of ``area`` as H×W×3 RGB (blocking: run it on a thread)."""
    if not sys.platform.startswith("linux"):
        raise OSError(f"screen capture needs X11 (x11grab); not available on {sys.platform}")
    with av.open(area.url, format="x11grab", options=area.options()) as container:
        for frame in container.decode(video=0):
            return np.ascontiguousarray(frame.to_ndarray(format="rgb24"))
    raise OSError(f"{area.describe()} gave no picture")


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """The largest even size within ``max_width``×``max_height`` with the aspect ratio of
    ``width``×``height``, never larger than the picture itself (pictures are not upscaled)."""
    if width < 2 or height < 2:
        raise ValueError(f"picture size {width}x{height}: expected at least 2x2 pixels")
    if max_width < 2 or max_height < 2:
        raise ValueError(f"frame limit {max_width}x{max_height}: expected at least 2x2 pixels")
    scale = min(1.0, max_width / width, max_height / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class StillTrack(MediaStreamTrack):
    """A picture as video: the same frame ``fps`` times a second, paced, until :meth:`stop`.

    ``rgb`` is an H×W×3 uint8 array with even sides (see :func:`fit_size`). Every frame is a new
    object, so a consumer that restamps pts cannot disturb another.
    """

    kind = "video"

    def __init__(self, rgb: np.ndarray, *, fps: int = 15) -> None:
        super().__init__()
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"picture array {rgb.shape} {rgb.dtype}: expected H×W×3 uint8")
        height, width = rgb.shape[:2]
        if width % 2 or height % 2:
            raise ValueError(f"picture size {width}x{height}: expected even sides")
        if not 1 <= fps <= 60:
            raise ValueError(f"fps {fps}: expected 1..60")
        self.fps = fps
        self.width, self.height = width, height
        self._yuv = (
            av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            .reformat(format="yuv420p")
            .to_ndarray()
        )
        self._n = 0
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        delay = self._start + self._n / self.fps - now
        if delay > 0:
            await asyncio.sleep(delay)
        if self.readyState != "live":
            raise MediaStreamError
        frame = av.VideoFrame.from_ndarray(self._yuv, format="yuv420p")
        frame.pts = round(self._n * VIDEO_CLOCK_RATE / self.fps)
        frame.time_base = VIDEO_TIME_BASE
        self._n += 1
        return frame


class SwitchTrack(MediaStreamTrack):
    """An outgoing track whose source can be switched, which never ends on its own and whose
    frames always suit the encoder that already runs (see the module docstring).

    Install it with ``sender.replaceTrack(SwitchTrack(kind, sender.track, name))``: the first
    source is the track the sender had, and its first frame is sent before any other source, so
    the pts and the audio format the encoder knows are continued, not guessed. (The sender only
    reads this track once its pending read of the old one has returned: the two never overlap.)
    Built without a source (a sender that has not sent yet), it waits for :meth:`set_source`.
    """

    def __init__(self, kind: str, source: MediaStreamTrack | None, source_name: str | None) -> None:
        super().__init__()
        if kind not in ("audio", "video"):
            raise ValueError(f"track kind {kind!r}: expected 'audio' or 'video'")
        self.kind = kind
        self.source_name: str | None = source_name
        self.frames: dict[str, int] = {}  # frames sent per source name
        self._source: MediaStreamTrack | None = source
        self._sent_first = source is None  # nothing to continue: switch at once
        self._next: tuple[MediaStreamTrack | None, str | None] | None = None
        self._changed = asyncio.Event()
        self._queued: list[Frame] = []
        self._restamp = Restamper()  # video timestamps keep increasing across sources
        # audio: the output format (of the first frame) and a resampler for the current source
        self._format: tuple[str, str, int] | None = None
        self._resampler: av.AudioResampler | None = None
        self._resampler_source: MediaStreamTrack | None = None
        self._samples = 0

    def set_source(self, track: MediaStreamTrack | None, source_name: str | None) -> None:
        """Send ``track`` from now on (the previous source is stopped); before the first frame
        was sent, from right after it."""
        if not self._sent_first:
            if self._next is not None and self._next[0] is not None:
                self._next[0].stop()
            self._next = (track, source_name)
            return
        old = self._source
        self._source, self.source_name = track, source_name
        if old is not None and old is not track:
            old.stop()
        self._changed.set()

    async def recv(self) -> Frame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if self._queued:
                frame = self._queued.pop(0)
                if not self._sent_first:
                    self._sent_first = True
                    if self._next is not None:
                        self.set_source(*self._next)
                        self._next = None
                return frame
            source, name = self._source, self.source_name
            if source is None and self._next is not None:  # the first source ended unread
                (self._source, self.source_name), self._next = self._next, None
                continue
            if source is None:
                self._changed.clear()
                await self._changed.wait()
                continue
            try:
                received = await recv_unless_switched(source, self._changed)
            except MediaStreamError:
                if self._source is source:
                    self._source = None  # wait for the hub to set the next source
                continue
            if received is None:
                continue
            if isinstance(received, av.VideoFrame):
                self._queued.append(self._restamp(received, source))
            elif isinstance(received, av.AudioFrame):
                self._queued.extend(self._convert(received, source))
            else:
                continue
            if name is not None:
                self.frames[name] = self.frames.get(name, 0) + 1

    def _convert(self, frame: av.AudioFrame, source: MediaStreamTrack) -> list[Frame]:
        if self._format is None:
            self._format = (frame.format.name, frame.layout.name, frame.sample_rate)
        fmt, layout, rate = self._format
        if (frame.format.name, frame.layout.name, frame.sample_rate) == self._format:
            copy = copy_frame(frame)
            assert isinstance(copy, av.AudioFrame)
            frames = [copy]
        else:
            if self._resampler is None or self._resampler_source is not source:
                self._resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate)
                self._resampler_source = source
            frames = list(self._resampler.resample(frame))
        out: list[Frame] = []
        for f in frames:
            f.pts = self._samples
            f.time_base = fractions.Fraction(1, rate)
            self._samples += f.samples
            out.append(f)
        return out

    def stop(self) -> None:
        if self._source is not None:
            self._source.stop()
        if self._next is not None and self._next[0] is not None:
            self._next[0].stop()
        super().stop()
        self._changed.set()
