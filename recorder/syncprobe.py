"""Read sync and timing back from recorded synthetic media (tests, benchmarks, latency probes).

A recorded synthetic video frame shows the session time it was made at; its PTS says where the
recorder put it. A recorded click was made at a whole session second; its position says where the
recorder put it. The differences are the recorder's timing errors, per medium, and their
difference is the A/V offset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from recorder.errors import UnreadableError
from recorder.segments import AAC_PRIMING
from recorder.synthetic import Counter, find_clicks, read_counter

TAIL_SECONDS = 0.012


@dataclass(frozen=True)
class VideoStamp:
    """One decoded frame: where it was placed (``pts``, session s) and what it says."""

    pts: float
    counter: Counter

    @property
    def offset(self) -> float:
        """Placement minus the time the frame was made (seconds)."""
        return self.pts - self.counter.session_ms / 1000.0


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path))
    except av.FFmpegError as e:
        raise UnreadableError(f"cannot open media file {path}: {e}") from e


def video_stamps(files: Iterable[Path]) -> list[VideoStamp]:
    """Decode the video of ``files`` and read the counter strip of every frame."""
    stamps: list[VideoStamp] = []
    for path in files:
        with _open(path) as c:
            for frame in c.decode(video=0):
                if frame.pts is None or frame.time_base is None:
                    continue
                luma = frame.to_ndarray(format="gray")
                counter = read_counter(luma)
                if counter is not None:
                    stamps.append(VideoStamp(float(frame.pts * frame.time_base), counter))
    return stamps


def click_times(files: Iterable[Path]) -> list[float]:
    """Session times of the clicks in the audio of ``files`` (each file decoded on its own).

    A burst right at the start of a segment's audio is the tail of a click that began in the
    previous segment, not an onset: bursts within the first 12 ms (after the AAC priming) are
    skipped.
    """
    times: list[float] = []
    for path in files:
        with _open(path) as c:
            chunks: list[np.ndarray] = []
            first: float | None = None
            rate = 48_000
            for frame in c.decode(audio=0):
                if frame.pts is None or frame.time_base is None:
                    continue
                if first is None:
                    first = float(frame.pts * frame.time_base)
                rate = frame.sample_rate
                arr = frame.to_ndarray()
                channels = len(frame.layout.channels)
                mono = arr[0] if frame.format.is_planar else arr.reshape(-1, channels)[:, 0]
                chunks.append(mono.astype(np.float32))
            if first is None or not chunks:
                continue
            samples = np.concatenate(chunks)
            skip = AAC_PRIMING / rate + TAIL_SECONDS
            times.extend(first + t for t in find_clicks(samples, rate) if t >= skip)
    return times


def click_offsets(files: Iterable[Path]) -> list[float]:
    """For each click: its recorded time minus the whole session second it was made at."""
    return [t - round(t) for t in click_times(files)]
