"""Synthetic local sources: a test-card video and a clicking audio track, plus their decoders.

Both are aiortc ``MediaStreamTrack`` subclasses timed by the one :class:`SessionClock`, so a
recording of them measures itself: every video frame carries its frame number and its session time
in a pixel-coded strip at the top (black/white blocks of 20×16 pixels, which survive H.264), and the
audio carries a 10 ms 1 kHz beep at every whole session second. :func:`read_counter` and
:func:`find_clicks` read them back from decoded media; the A/V offset of a recording is the
difference between where the clicks are and where the clock says they should be.

Frames are cheap: the background and the digit glyphs are rendered once, and each frame only
writes the strip and the clock text into a copy of the background.
"""

from __future__ import annotations

import asyncio
import fractions
from dataclasses import dataclass

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from recorder.clock import SessionClock

VIDEO_CLOCK_RATE = 90_000
AUDIO_RATE = 48_000
AUDIO_FRAME_SAMPLES = 960  # 20 ms, what aiortc's Opus decoder delivers
CLICK_HZ = 1_000.0
CLICK_SECONDS = 0.010
CLICK_AMPLITUDE = 0.5

BLOCK_W = 20
BLOCK_H = 16
BITS = 32
CHECK_XOR = 0xA5A5_A5A5
_STRIP_ROWS = 3  # frame number, session ms, check word
_MIN_WIDTH = BITS * BLOCK_W


@dataclass(frozen=True)
class Counter:
    """What a synthetic video frame says about itself."""

    frame: int
    session_ms: int

    def __post_init__(self) -> None:
        if not 0 <= self.frame < 2**BITS or not 0 <= self.session_ms < 2**BITS:
            raise ValueError(f"counter out of range: frame={self.frame}, ms={self.session_ms}")


def _bits(value: int) -> np.ndarray:
    return np.array([(value >> (BITS - 1 - i)) & 1 for i in range(BITS)], dtype=np.uint8)


def _strip(counter: Counter) -> np.ndarray:
    """Luma blocks (rows × 32 bits) for one frame, 0 or 255."""
    words = (counter.frame, counter.session_ms, counter.frame ^ counter.session_ms ^ CHECK_XOR)
    rows = np.stack([_bits(w) for w in words]) * 255
    return np.repeat(np.repeat(rows, BLOCK_H, axis=0), BLOCK_W, axis=1).astype(np.uint8)


def read_counter(luma: np.ndarray) -> Counter | None:
    """Read the counter strip from a decoded frame's luma plane (H×W uint8).

    Returns None when the strip is absent or its check word does not match (a frame that is not
    from a synthetic source, or damaged beyond reading).
    """
    if luma.ndim != 2 or luma.shape[0] < _STRIP_ROWS * BLOCK_H or luma.shape[1] < _MIN_WIDTH:
        return None
    ys = np.arange(_STRIP_ROWS) * BLOCK_H + BLOCK_H // 2
    xs = np.arange(BITS) * BLOCK_W + BLOCK_W // 2
    # the mean of the block centre (6×6) is robust to compression ringing at block edges
    cells = np.zeros((_STRIP_ROWS, BITS))
    for dy in range(-3, 3):
        for dx in range(-3, 3):
            cells += luma[np.ix_(ys + dy, xs + dx)]
    bits = (cells / 36.0) > 128
    words = [int("".join("1" if b else "0" for b in row), 2) for row in bits]
    if words[0] ^ words[1] ^ CHECK_XOR != words[2]:
        return None
    return Counter(frame=words[0], session_ms=words[1])


def _glyphs(height: int) -> dict[str, np.ndarray]:
    import cv2

    out: dict[str, np.ndarray] = {}
    scale = height / 30.0
    for ch in "0123456789:.":
        (w, _h), _base = cv2.getTextSize(ch, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        img = np.zeros((height, max(w, 8) + 4), np.uint8)
        cv2.putText(img, ch, (2, height - 6), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 2)
        out[ch] = img
    return out


class SyntheticVideoTrack(MediaStreamTrack):
    """A 640×480 (default) test card at 30 fps showing the session clock and a frame counter.

    ``paced=True`` delivers each frame at its session time, like a camera. ``paced=False`` delivers
    frames as fast as they are asked for (benchmarks), with timestamps still advancing at the frame
    rate. ``frames`` limits the length; the track ends after it (``recv`` raises MediaStreamError).
    """

    kind = "video"

    def __init__(
        self,
        clock: SessionClock,
        *,
        width: int = 640,
        height: int = 480,
        fps: int = 30,
        paced: bool = True,
        frames: int | None = None,
        shade: int = 0,
    ) -> None:
        super().__init__()
        if width < _MIN_WIDTH or height < 160 or width % 2 or height % 2:
            raise ValueError(f"test card size {width}x{height}: need even sizes ≥ {_MIN_WIDTH}x160")
        if not 1 <= fps <= 120:
            raise ValueError(f"fps {fps}: expected 1..120")
        self._clock = clock
        self.width, self.height, self.fps = width, height, fps
        self._paced = paced
        self._limit = frames
        self._n = 0
        self._start: float | None = None
        self._background = self._render_background(shade)
        self._glyphs = _glyphs(40)

    def _render_background(self, shade: int) -> np.ndarray:
        w, h = self.width, self.height
        buf = np.empty((h * 3 // 2, w), np.uint8)
        x = np.linspace(40, 200, w, dtype=np.float32)
        buf[:h] = x[None, :].astype(np.uint8)
        buf[h:] = 128
        # a participant-specific tint in the chroma planes tells tracks apart by eye
        buf[h : h + h // 4] = 128 + ((shade * 37) % 96) - 48
        return buf

    def _draw_text(self, luma: np.ndarray, text: str, y: int, x: int) -> None:
        for ch in text:
            g = self._glyphs[ch]
            gh, gw = g.shape
            if x + gw > luma.shape[1]:
                return
            region = luma[y : y + gh, x : x + gw]
            np.maximum(region, g, out=region)
            x += gw

    def frame_at(self, n: int, t: float) -> av.VideoFrame:
        """Frame number ``n`` stamped with session time ``t`` (seconds)."""
        buf = self._background.copy()
        luma = buf[: self.height]
        strip = _strip(Counter(frame=n, session_ms=round(t * 1000)))
        luma[: strip.shape[0], : strip.shape[1]] = strip
        ms = round(t * 1000)
        text = (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
        )
        self._draw_text(luma, text, self.height // 2 - 20, 24)
        self._draw_text(luma, str(n), self.height // 2 + 40, 24)
        frame = av.VideoFrame.from_ndarray(buf, format="yuv420p")
        frame.pts = round(n * VIDEO_CLOCK_RATE / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        return frame

    async def recv(self) -> av.VideoFrame:
        """The next frame; waits for its session time when paced."""
        if self.readyState != "live" or (self._limit is not None and self._n >= self._limit):
            self.stop()
            raise MediaStreamError
        if self._start is None:
            self._start = self._clock.now()
        t = self._start + self._n / self.fps
        if self._paced:
            delay = t - self._clock.now()
            if delay > 0:
                await asyncio.sleep(delay)
        frame = self.frame_at(self._n, t)
        self._n += 1
        return frame


def click_table(rate: int = AUDIO_RATE) -> np.ndarray:
    """One second of int16 audio with the beep at its start: the pattern of every session second."""
    table = np.zeros(rate, np.int16)
    n = round(CLICK_SECONDS * rate)
    t = np.arange(n) / rate
    table[:n] = (np.sin(2 * np.pi * CLICK_HZ * t) * CLICK_AMPLITUDE * 32767).astype(np.int16)
    return table


class SyntheticAudioTrack(MediaStreamTrack):
    """48 kHz mono audio, silent except a 10 ms 1 kHz beep at every whole session second."""

    kind = "audio"

    def __init__(
        self, clock: SessionClock, *, paced: bool = True, seconds: float | None = None
    ) -> None:
        super().__init__()
        self._clock = clock
        self._paced = paced
        self._limit = None if seconds is None else round(seconds * AUDIO_RATE)
        self._table = np.tile(click_table(), 2)
        self._first: int | None = None  # session sample index of the first sample
        self._sent = 0

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms frame; waits for its session time when paced."""
        if self.readyState != "live" or (self._limit is not None and self._sent >= self._limit):
            self.stop()
            raise MediaStreamError
        if self._first is None:
            self._first = round(self._clock.now() * AUDIO_RATE)
        g = self._first + self._sent
        if self._paced:
            delay = g / AUDIO_RATE - self._clock.now()
            if delay > 0:
                await asyncio.sleep(delay)
        start = g % AUDIO_RATE
        samples = self._table[start : start + AUDIO_FRAME_SAMPLES].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples), format="s16", layout="mono"
        )
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._sent += AUDIO_FRAME_SAMPLES
        return frame


def find_clicks(samples: np.ndarray, rate: int = AUDIO_RATE) -> list[float]:
    """Onset times (seconds from the first sample) of the beeps in decoded mono audio.

    ``samples`` is float or int16; a beep is a burst above 30 % of full scale after at least 0.5 s
    of quiet. The onset is refined to the first sample above 10 % of the burst's peak, so AAC
    pre-echo moves it by well under a millisecond.
    """
    x = np.abs(samples.astype(np.float32).ravel())
    if samples.dtype == np.int16:
        x /= 32768.0
    loud = np.flatnonzero(x > 0.3 * CLICK_AMPLITUDE)
    onsets: list[float] = []
    last = -rate
    for i in loud:
        if i - last >= rate // 2:
            lo = max(0, int(i) - rate // 100)
            window = x[lo : int(i) + rate // 100]
            first = lo + int(np.flatnonzero(window > 0.1 * window.max())[0])
            onsets.append(first / rate)
        last = int(i)
    return onsets
