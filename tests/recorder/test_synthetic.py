"""Synthetic sources and their decoders, raw and through the real encoders."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from recorder.clock import SessionClock
from recorder.segments import SegmentWriter
from recorder.syncprobe import click_times, video_stamps
from recorder.synthetic import (
    AUDIO_RATE,
    Counter,
    SyntheticAudioTrack,
    SyntheticVideoTrack,
    find_clicks,
    read_counter,
)


def clock_at(t: float) -> SessionClock:
    """A clock that reads ``t`` now."""
    return SessionClock(origin_monotonic=time.monotonic() - t, origin_utc=datetime.now(UTC))


def test_counter_round_trip_on_a_raw_frame() -> None:
    card = SyntheticVideoTrack(clock_at(0))
    frame = card.frame_at(12345, 3723.456)
    assert read_counter(frame.to_ndarray(format="gray")) == Counter(12345, 3723456)


def test_counter_is_not_read_from_other_pictures() -> None:
    rng = np.random.default_rng(7)
    assert read_counter(rng.integers(0, 256, (480, 640), dtype=np.uint8)) is None
    assert read_counter(np.full((480, 640), 30, np.uint8)) is None
    assert read_counter(np.zeros((20, 640), np.uint8)) is None


def test_test_card_rejects_a_size_without_room_for_the_strip() -> None:
    with pytest.raises(ValueError, match="320x240"):
        SyntheticVideoTrack(clock_at(0), width=320, height=240)


async def test_unpaced_video_advances_at_the_frame_rate_and_ends() -> None:
    track = SyntheticVideoTrack(clock_at(5.0), paced=False, frames=3)
    frames = [await track.recv() for _ in range(3)]
    assert [f.pts for f in frames] == [0, 3000, 6000]
    counters = [read_counter(f.to_ndarray(format="gray")) for f in frames]
    assert [c.frame for c in counters if c] == [0, 1, 2]
    ms = [c.session_ms for c in counters if c]
    assert ms[1] - ms[0] in (33, 34) and 4990 <= ms[0] <= 5200
    with pytest.raises(MediaStreamError):
        await track.recv()


async def test_clicks_fall_on_whole_session_seconds() -> None:
    track = SyntheticAudioTrack(clock_at(7.3), paced=False, seconds=3.0)
    chunks = []
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            break
        chunks.append(frame.to_ndarray()[0])
    samples = np.concatenate(chunks)
    assert len(samples) == 3 * AUDIO_RATE
    first = track._first
    assert first is not None
    session = [first / AUDIO_RATE + t for t in find_clicks(samples)]
    assert [round(s) for s in session] == [8, 9, 10]
    assert all(abs(s - round(s)) < 1e-4 for s in session)


def test_counter_and_clicks_survive_h264_and_aac(tmp_path: Path) -> None:
    card = SyntheticVideoTrack(clock_at(0))
    writer = SegmentWriter(tmp_path, "x-video", 0, "video")
    for n in range(15):
        t = 100.0 + n / 30
        writer.write(card.frame_at(n, t), t, 1 / 30)
    video = writer.seal()
    stamps = video_stamps([tmp_path / video.file])
    assert [s.counter.frame for s in stamps] == list(range(15))
    assert all(abs(s.offset) < 0.001 for s in stamps)

    audio_track = SyntheticAudioTrack(clock_at(0))
    table = audio_track._table
    writer = SegmentWriter(tmp_path, "x-audio", 0, "audio")
    import av

    start = 99.5
    for i in range(100):  # 2 s of 20 ms frames starting half a second before a click
        g = round(start * AUDIO_RATE) + i * 960
        chunk = table[g % AUDIO_RATE : g % AUDIO_RATE + 960].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        writer.write(frame, g / AUDIO_RATE, 0.02)
    audio = writer.seal()
    clicks = click_times([tmp_path / audio.file])
    assert len(clicks) == 2 and abs(clicks[0] - 100.0) < 0.002 and abs(clicks[1] - 101.0) < 0.002
