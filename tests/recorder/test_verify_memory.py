"""The verifier reads the action log once, entry by entry: its memory grows by one small record
per segment, not by the log (issue 4: peak memory flat in the recording's length)."""

from __future__ import annotations

import gc
import os
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.clock import SessionClock, format_utc
from recorder.log import ActionLog
from recorder.verify import scan_recording

CLOCK = SessionClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))


def _long_log(action: Path, segments: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """A recording's log with ``segments`` sealed video segments (files not written: the scan
    is asked not to look at them) and a checkpoint every 30 s; returns the log's size."""
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", lambda fd: None)  # thousands of appends; nothing to make durable
        log = ActionLog.create(
            action, clock=CLOCK, signing_key=Ed25519PrivateKey.generate(), action_id="LONG"
        )
        log.append("track_started", {"track": "w-video", "media": "video"}, t=0.0)
        for i in range(segments):
            start, end = 2 * i + 0.259884, 2 * i + 2.259884
            log.append(
                "segment_sealed",
                {
                    "track": "w-video",
                    "index": i,
                    "file": f"media/w-video/w-video-{i:06d}.ts",
                    "size": 190_000 + i,
                    "sha256": f"{i:064x}",
                    "start": start,
                    "end": end,
                    "start_utc": format_utc(CLOCK.to_utc(start)),
                    "end_utc": format_utc(CLOCK.to_utc(end)),
                    "frames": 60,
                    "recovered": False,
                    "codec": "h264",
                    "width": 640,
                    "height": 480,
                },
                t=end + 0.01,
            )
            if i % 15 == 14:
                log.checkpoint()
        log.append("track_ended", {"track": "w-video", "segments": segments}, t=2.0 * segments)
        log.checkpoint()
        log.close()
    return (action / "log.jsonl").stat().st_size


def _peak_of_scan(action: Path, segments: int) -> tuple[int, int]:
    """(peak traced bytes during the scan, bytes still held with its result alive)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        report, scan = scan_recording(action, segment_files=False)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok, report.summary()
    assert scan.intact and len(scan.segments) == segments
    return peak - base, held - base


def test_memory_grows_by_a_small_record_per_segment_not_by_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = 1500, 6000
    size_small = _long_log(tmp_path / "small", small, monkeypatch)
    size_large = _long_log(tmp_path / "large", large, monkeypatch)
    peak_small, _ = _peak_of_scan(tmp_path / "small", small)
    peak_large, held_large = _peak_of_scan(tmp_path / "large", large)
    per_segment = (peak_large - peak_small) / (large - small)
    line = (size_large - size_small) / (large - small)
    held = held_large / large
    print(f"per segment: peak {per_segment:.0f} B, held {held:.0f} B; lines {line:.0f} B")
    # measured: 470 bytes more peak and 456 bytes held per segment (its Segment record),
    # for 636-byte lines; reading the whole log and keeping its entries, as before, cost over
    # 2,000 bytes per segment
    assert per_segment < 600, f"{per_segment:.0f} bytes per segment, lines {line:.0f}"
    assert held < 600, f"{held:.0f} bytes held per segment"
