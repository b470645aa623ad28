"""Presence detection on generated frames with zero, one and two faces.

The face photo is matplotlib's bundled sample ``grace_hopper.jpg`` (no download at test time).
"""

from __future__ import annotations

import asyncio
import threading
from functools import cache

import av
import cv2
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError
from matplotlib import cbook

import app.core.presence as presence
from app.core.presence import (
    Presence,
    PresenceChanged,
    PresenceError,
    PresenceInterval,
    PresenceMonitor,
    PresenceTracker,
    count_faces,
)


@cache
def _face() -> np.ndarray:
    image = cv2.imread(str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    assert image is not None
    return image


def frame_with(faces: int) -> np.ndarray:
    """A 640x480 frame on a plain office-grey background with ``faces`` portraits."""
    frame = np.full((480, 640, 3), 90, np.uint8)
    if faces == 1:
        frame[48:432, 170:470] = cv2.resize(_face(), (300, 384))
    elif faces == 2:
        small = cv2.resize(_face(), (250, 320))
        frame[80:400, 40:290] = small
        frame[80:400, 350:600] = small
    return frame


@pytest.mark.parametrize("faces", [0, 1, 2])
def test_count_faces_on_generated_frames(faces: int) -> None:
    assert count_faces(frame_with(faces)) == faces


def test_noise_has_no_face_and_bad_input_is_refused() -> None:
    noise = np.random.default_rng(7).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    assert count_faces(noise) == 0
    with pytest.raises(PresenceError, match=r"shape \(4, 4\)"):
        count_faces(np.zeros((4, 4), np.uint8))


def test_tracker_debounces_and_reports_intervals() -> None:
    tracker = PresenceTracker("witness-1", debounce=2)
    counts = [1, 1, 1, 2, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 1, 1]
    events = [e for t, n in enumerate(counts) for e in tracker.update(float(t), n)]
    events += tracker.close(16.0)
    changes = [(e.state, e.t) for e in events if isinstance(e, PresenceChanged)]
    intervals = [e for e in events if isinstance(e, PresenceInterval)]
    # the lone "2" at t=3 is noise: debounced away
    assert changes == [
        (Presence.PRESENT, 0.0),
        (Presence.MULTIPLE, 5.0),
        (Presence.PRESENT, 9.0),
        (Presence.ABSENT, 11.0),
        (Presence.PRESENT, 14.0),
    ]
    assert [(i.state, i.start, i.end, i.max_faces) for i in intervals] == [
        (Presence.MULTIPLE, 5.0, 9.0, 2),
        (Presence.ABSENT, 11.0, 14.0, 0),
    ]
    assert intervals[0].describe() == "2 faces 00:00:05–00:00:09"
    assert intervals[1].log_data()["summary"] == "no face 00:00:11–00:00:14"


def test_open_interval_is_closed_at_the_end() -> None:
    tracker = PresenceTracker("witness-1", debounce=1)
    tracker.update(0.0, 1)
    tracker.update(1.0, 0)
    (interval,) = tracker.close(7.5)
    assert isinstance(interval, PresenceInterval)
    assert (interval.state, interval.start, interval.end) == (Presence.ABSENT, 1.0, 7.5)


class FakeTrack:
    """A video track: 4 s with one face, 4 s with two, 4 s with one, 4 s empty, at 10 fps."""

    def __init__(self) -> None:
        self.plan = [1] * 40 + [2] * 40 + [1] * 40 + [0] * 40
        self.index = -1
        self.frames = {
            n: av.VideoFrame.from_ndarray(frame_with(n), format="bgr24") for n in (0, 1, 2)
        }

    def now(self) -> float:
        return max(self.index, 0) / 10

    async def recv(self) -> av.VideoFrame:
        await asyncio.sleep(0.01)
        self.index += 1
        if self.index >= len(self.plan):
            raise MediaStreamError
        return self.frames[self.plan[self.index]]


async def test_monitor_reports_on_the_loop_and_detects_off_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop_thread = threading.get_ident()
    detector_threads: set[int] = set()
    original = presence._count_in_frame

    def spy(frame: av.VideoFrame) -> int:
        detector_threads.add(threading.get_ident())
        return original(frame)

    monkeypatch.setattr(presence, "_count_in_frame", spy)
    track = FakeTrack()
    events: list[tuple[object, int]] = []
    monitor = PresenceMonitor(
        "witness-1", lambda e: events.append((e, threading.get_ident())), track.now, rate_hz=2
    )
    await monitor.watch(track)
    assert monitor.samples >= 16
    assert detector_threads and loop_thread not in detector_threads
    assert all(thread == loop_thread for _, thread in events)
    intervals = [e for e, _ in events if isinstance(e, PresenceInterval)]
    assert [i.state for i in intervals] == [Presence.MULTIPLE, Presence.ABSENT]
    multiple, absent = intervals
    assert 4.0 <= multiple.start <= 5.0 and 8.0 <= multiple.end <= 9.0
    assert 12.0 <= absent.start <= 13.0 and absent.end >= 15.5
