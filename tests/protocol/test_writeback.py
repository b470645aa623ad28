"""Early writeback while a container is written: the ranges handed to the kernel follow the
writer, one after the other, and the file's bytes are exactly what was written."""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from protocol import writeback
from protocol.writeback import STEP, Writeback


def test_sync_file_range_is_found_on_linux() -> None:
    if sys.platform.startswith("linux"):
        assert writeback._SYNC_FILE_RANGE is not None


def test_ranges_follow_the_writer_without_gaps_and_the_file_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = writeback._SYNC_FILE_RANGE
    assert real is not None
    calls: list[tuple[int, int]] = []

    def recording(fd: int, start: int, length: int, flags: int) -> Any:
        assert flags == writeback.SYNC_FILE_RANGE_WRITE
        calls.append((start, length))
        return real(fd, start, length, flags)  # the real call: it must accept these ranges

    monkeypatch.setattr(writeback, "_SYNC_FILE_RANGE", recording)
    path = tmp_path / "big.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    wb = Writeback(fd)
    written = 0
    try:
        for _ in range(5 * STEP // len(block) + 3):
            written += os.write(fd, block)
            digest.update(block)
            wb.wrote(written)
            time.sleep(0.001)  # give the thread its turns, as real work between writes does
    finally:
        wb.close()
        os.fsync(fd)
        os.close(fd)
    assert len(calls) >= 2, f"writeback started {len(calls)} times for {written >> 20} MiB"
    assert calls[0][0] == 0
    for (a, n), (b, _) in itertools.pairwise(calls):
        assert a + n == b  # each range starts where the last ended
    assert calls[-1][0] + calls[-1][1] <= written and all(n >= STEP for _, n in calls)
    assert hashlib.sha256(path.read_bytes()).digest() == digest.digest()


def test_close_without_writes_returns_at_once(tmp_path: Path) -> None:
    fd = os.open(tmp_path / "empty.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        wb = Writeback(fd)
        t = time.perf_counter()
        wb.close()
        assert time.perf_counter() - t < 1.0
    finally:
        os.close(fd)
