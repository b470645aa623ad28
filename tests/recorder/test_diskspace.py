"""Disk space: refusal before start, the low-space warning, a self-stop and a real ENOSPC."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import hashlib
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from recorder.clock import SessionClock
from recorder.diskspace import MARGIN_BYTES, InsufficientSpaceError, SpaceEstimate
from recorder.errors import RecorderError
from recorder.recording import Recorder, RecorderWarning, Stopped
from recorder.segments import DiskFullError
from recorder.synthetic import SyntheticVideoTrack
from tests.recorder.media_helpers import MemoryLog, decode_errors

GIB = 1024**3


def test_estimate_is_bitrate_times_duration_times_tracks_plus_margin() -> None:
    est = SpaceEstimate(video_tracks=2, audio_tracks=2, planned_seconds=3600)
    assert est.bytes_per_second == 2 * 312_500 + 2 * 16_000
    assert est.needed_bytes == int(657_000 * 3600 * 1.25) + MARGIN_BYTES
    with pytest.raises(ValueError, match="planned duration 0"):
        SpaceEstimate(1, 1, 0)


async def test_refuses_to_start_without_room(tmp_path: Path) -> None:
    clock = SessionClock.start()
    log = MemoryLog(clock)
    with pytest.raises(InsufficientSpaceError) as info:
        await Recorder.start(
            tmp_path / "a",
            action_id="T",
            planned_seconds=3600,
            clock=clock,
            log=log,
            free_space=lambda _p: 500 * 1024 * 1024,
        )
    message = str(info.value)
    assert (
        "500 MiB free" in message and "60-minute" in message and "needs about 2884 MiB" in message
    )
    assert log.entries == [] and not (tmp_path / "a").exists()


class Probe:
    """Free space that the test turns down while recording."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.calls = 0

    def __call__(self, _path: Path) -> int:
        self.calls += 1
        return self.free


async def _wait_for(queue: asyncio.Queue, kind: type, timeout: float = 10.0) -> object:
    async with asyncio.timeout(timeout):
        while True:
            event = await queue.get()
            if isinstance(event, kind):
                return event


async def test_low_space_warns_once_in_log_and_events(tmp_path: Path) -> None:
    clock = SessionClock.start()
    log = MemoryLog(clock)
    probe = Probe(100 * GIB)
    rec = await Recorder.start(
        tmp_path / "a",
        action_id="T",
        planned_seconds=60,
        clock=clock,
        log=log,
        free_space=probe,
        disk_check_seconds=0.1,
        low_space_seconds=600,
    )
    events = rec.subscribe()
    await rec.add_track(SyntheticVideoTrack(clock), participant="p")
    probe.free = 150 * 1024 * 1024  # about 8 minutes of one video track
    warning = await _wait_for(events, RecorderWarning)
    assert isinstance(warning, RecorderWarning) and warning.code == "low-disk-space"
    assert "150 MiB free" in warning.message
    calls = probe.calls
    async with asyncio.timeout(10):
        while probe.calls < calls + 3:
            await asyncio.sleep(0.05)
    await rec.stop()
    warnings = log.of("warning")
    assert len(warnings) == 1 and warnings[0]["free_bytes"] == 150 * 1024 * 1024


async def test_nearly_full_disk_stops_cleanly_with_a_clear_error(tmp_path: Path) -> None:
    clock = SessionClock.start()
    log = MemoryLog(clock)
    probe = Probe(100 * GIB)
    rec = await Recorder.start(
        tmp_path / "a",
        action_id="T",
        planned_seconds=60,
        clock=clock,
        log=log,
        free_space=probe,
        disk_check_seconds=0.1,
    )
    events = rec.subscribe()
    await rec.add_track(SyntheticVideoTrack(clock), participant="p")
    await asyncio.sleep(0.5)
    probe.free = 1024 * 1024
    stopped = await _wait_for(events, Stopped)
    assert isinstance(stopped, Stopped) and stopped.error and "disk almost full" in stopped.error
    with pytest.raises(DiskFullError, match="disk almost full"):
        await rec.stop()
    sealed = log.of("segment_sealed")
    ended = log.of("track_ended")
    # the short first segment of a new source, then what was written until the disk check
    assert 1 <= len(sealed) <= 3
    assert [(d["track"], d["segments"]) for d in ended] == [("p-video", len(sealed))]
    for d in sealed:
        assert decode_errors(tmp_path / "a" / d["file"]) == ""


class NoiseVideo(MediaStreamTrack):
    """320×240 frames with a band of noise at 30 fps, as fast as asked: fills a disk quickly."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(1)
        self._planes = []
        for _ in range(4):
            plane = np.full((360, 320), 100, np.uint8)
            plane[:48] = rng.integers(0, 256, (48, 320), dtype=np.uint8)
            self._planes.append(plane)
        self._n = 0

    async def recv(self) -> av.VideoFrame:
        if self._n >= 3000:
            raise MediaStreamError
        frame = av.VideoFrame.from_ndarray(self._planes[self._n % 4], format="yuv420p")
        frame.pts = self._n * 3000
        frame.time_base = fractions.Fraction(1, 90_000)
        self._n += 1
        await asyncio.sleep(0)
        return frame


@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        check=True,
        timeout=30,
    )
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True, timeout=30)


async def test_real_enospc_seals_what_is_complete_and_raises(tmp_path: Path) -> None:
    with tiny_tmpfs(tmp_path / "disk", "1m") as disk:
        clock = SessionClock(origin_monotonic=time.monotonic(), origin_utc=datetime.now(UTC))
        log = MemoryLog(clock)
        rec = await Recorder.start(
            disk / "a",
            action_id="T",
            planned_seconds=1,
            clock=clock,
            log=log,
            free_space=lambda _p: 100 * GIB,
            segment_seconds=1.0,
        )
        events = rec.subscribe()
        await rec.add_track(NoiseVideo(), participant="n")
        stopped = await _wait_for(events, Stopped, timeout=60)
        assert isinstance(stopped, Stopped) and stopped.error
        assert "disk full while writing" in stopped.error
        with pytest.raises(DiskFullError, match=r"disk full while writing .*n-video-\d{6}\.ts"):
            await rec.stop()
        sealed = log.of("segment_sealed")
        print(f"sealed before the disk filled: {[d['size'] for d in sealed]}")
        assert sealed, "the tmpfs should hold at least one segment"
        for d in sealed:
            data = (disk / "a" / d["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == d["sha256"]
        assert log.of("warning")[0]["code"] == "recording-failed"
        ended = log.of("track_ended")
        assert [(d["track"], d["segments"]) for d in ended] == [("n-video", len(sealed))]


async def test_real_enospc_with_the_real_log_leaves_only_complete_entries(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from recorder.log import read_log

    with tiny_tmpfs(tmp_path / "disk", "1m") as disk:
        rec = await Recorder.start(
            disk / "a",
            action_id="T-ENOSPC",
            planned_seconds=1,
            segment_seconds=1.0,
            signing_key=Ed25519PrivateKey.generate(),
            free_space=lambda _p: 100 * GIB,
        )
        await rec.add_track(NoiseVideo(), participant="n")
        with pytest.raises(RecorderError, match="disk full"):
            async with asyncio.timeout(60):
                await rec.drained()
                await rec.stop()
        raw = (disk / "a" / "log.jsonl").read_bytes()
        assert raw.endswith(b"\n")  # never a half-written line
        entries = read_log(disk / "a")
        sealed = [e.data for e in entries if e.kind == "segment_sealed"]
        assert sealed
        for d in sealed:
            data = (disk / "a" / d["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == d["sha256"]
