"""Presence monitoring: is the witness on camera, alone, the whole time?

At the hub, each guest's video is sampled at a configurable rate; faces are counted with OpenCV's
frontal-face Haar cascade, whose model ships inside the ``opencv-python-headless`` 4.x wheel (5.x
wheels ship none, hence the pin). Detection runs on a worker thread and a frame is skipped while
one is in flight, so monitoring never stalls the session. A change of state must hold for
``debounce`` consecutive samples; intervals with no face or with several faces become log events
with their time range ("2 faces 00:12:03–00:12:09") and alerts for the investigator.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from app.core.errors import TergeuError

log = logging.getLogger(__name__)

CASCADE = "haarcascade_frontalface_default.xml"
DETECT_WIDTH = 320  # faces on a video call are large: detecting on 320 px wide frames suffices


class PresenceError(TergeuError):
    """The face detector cannot be used."""


class Presence(enum.StrEnum):
    ABSENT = "absent"  # no face
    PRESENT = "present"  # exactly one face
    MULTIPLE = "multiple"  # more than one face

    @classmethod
    def of(cls, faces: int) -> Presence:
        return cls.ABSENT if faces == 0 else cls.PRESENT if faces == 1 else cls.MULTIPLE


@functools.cache
def _cascade() -> Any:
    path = f"{cv2.data.haarcascades}{CASCADE}"  # type: ignore[attr-defined]
    classifier = cv2.CascadeClassifier(path)
    if classifier.empty():
        raise PresenceError(
            f"cannot load the face model {path}: opencv-python-headless 4.x is expected "
            f"(found {cv2.__version__}, whose wheel may ship no Haar cascades)"
        )
    return classifier


def count_faces(image: np.ndarray) -> int:
    """Number of frontal faces in a BGR or grey image."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim != 2 or image.shape[0] < 16 or image.shape[1] < 16:
        raise PresenceError(f"expected a BGR or grey image, got an array of shape {image.shape}")
    scale = DETECT_WIDTH / image.shape[1]
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    image = cv2.equalizeHist(image)
    faces = _cascade().detectMultiScale(image, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    return len(faces)


def format_clock(t: float) -> str:
    whole = int(max(t, 0))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@dataclass(frozen=True)
class PresenceChanged:
    """The debounced state changed at session time ``t`` (an alert for the investigator)."""

    participant: str
    state: Presence
    faces: int
    t: float


@dataclass(frozen=True)
class PresenceInterval:
    """A closed interval without exactly one face: what the log and the protocol record."""

    participant: str
    state: Presence
    max_faces: int
    start: float
    end: float

    def describe(self) -> str:
        what = "no face" if self.state is Presence.ABSENT else f"{self.max_faces} faces"
        return f"{what} {format_clock(self.start)}–{format_clock(self.end)}"

    def log_data(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "state": self.state.value,
            "max_faces": self.max_faces,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "summary": self.describe(),
        }


PresenceEvent = PresenceChanged | PresenceInterval


class PresenceTracker:
    """Turns per-sample face counts into debounced changes and closed intervals."""

    def __init__(self, participant: str, *, debounce: int = 2) -> None:
        if debounce < 1:
            raise PresenceError(f"debounce {debounce}: expected at least 1 sample")
        self.participant = participant
        self.debounce = debounce
        self.state: Presence | None = None
        self._since = 0.0
        self._max_faces = 0
        self._candidate: Presence | None = None
        self._candidate_since = 0.0
        self._candidate_count = 0
        self._candidate_max = 0

    def update(self, t: float, faces: int) -> list[PresenceEvent]:
        observed = Presence.of(faces)
        if observed == self.state:
            self._candidate = None
            self._max_faces = max(self._max_faces, faces)
            return []
        if observed != self._candidate:
            self._candidate, self._candidate_since = observed, t
            self._candidate_count, self._candidate_max = 0, 0
        self._candidate_count += 1
        self._candidate_max = max(self._candidate_max, faces)
        if self._candidate_count < self.debounce:
            return []
        events: list[PresenceEvent] = []
        if self.state not in (None, Presence.PRESENT):
            events.append(self._interval(end=self._candidate_since))
        self.state, self._since = observed, self._candidate_since
        self._max_faces = self._candidate_max
        self._candidate = None
        events.append(PresenceChanged(self.participant, observed, faces, self._since))
        return events

    def close(self, t: float) -> list[PresenceEvent]:
        """End of the video: an open interval without exactly one face is closed at ``t``."""
        if self.state in (None, Presence.PRESENT):
            return []
        return [self._interval(end=t)]

    def _interval(self, *, end: float) -> PresenceInterval:
        assert self.state is not None
        return PresenceInterval(self.participant, self.state, self._max_faces, self._since, end)


class VideoSource(Protocol):
    """What the monitor reads: an aiortc video track (or a relay subscription of one)."""

    async def recv(self) -> Any: ...


class PresenceMonitor:
    """Samples one participant's video off the event loop and reports presence events."""

    def __init__(
        self,
        participant: str,
        on_event: Callable[[PresenceEvent], None],
        clock: Callable[[], float],
        *,
        rate_hz: float = 1.0,
        debounce: int = 2,
    ) -> None:
        if not 0.05 <= rate_hz <= 30:
            raise PresenceError(f"rate {rate_hz} Hz: expected 0.05 to 30 samples per second")
        self.tracker = PresenceTracker(participant, debounce=debounce)
        self.on_event = on_event
        self.clock = clock
        self.interval = 1.0 / rate_hz
        self.samples = 0
        self.skipped_busy = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presence")
        self._busy = False
        self._last_sample = float("-inf")

    async def watch(self, track: VideoSource) -> None:
        """Read frames until the track ends; sample at most ``rate_hz`` frames per second.

        Events are delivered on the event loop's thread, never on the detector's.
        """
        from aiortc.mediastreams import MediaStreamError

        pending: set[asyncio.Task[None]] = set()
        try:
            while True:
                try:
                    frame = await track.recv()
                except MediaStreamError:
                    break
                now = self.clock()
                if now - self._last_sample < self.interval:
                    continue
                if self._busy:
                    self.skipped_busy += 1
                    continue
                self._busy, self._last_sample = True, now
                task = asyncio.create_task(self._sample(frame, now))
                pending.add(task)
                task.add_done_callback(pending.discard)
            if pending:
                await asyncio.gather(*pending)
        finally:
            for event in self.tracker.close(self.clock()):
                self.on_event(event)
            self._executor.shutdown(wait=False)

    async def _sample(self, frame: Any, t: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            faces = await loop.run_in_executor(self._executor, _count_in_frame, frame)
        except Exception:  # a bad frame must not end the monitoring of a live session
            log.exception("presence detection failed on one frame")
            return
        finally:
            self._busy = False
        self.samples += 1
        for event in self.tracker.update(t, faces):
            self.on_event(event)


def _count_in_frame(frame: Any) -> int:
    return count_faces(frame.to_ndarray(format="gray"))
