"""Helpers for the media tests: an in-memory stand-in for the action log, ffprobe wrappers."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recorder.clock import SessionClock


class MemoryLog:
    """Records entries like ActionLog does (thread-safe), without signing or files."""

    def __init__(self, clock: SessionClock) -> None:
        self.clock = clock
        self.entries: list[tuple[str, float, dict[str, Any]]] = []
        self.closed = False
        self._lock = threading.Lock()

    def append(self, kind: str, data: Mapping[str, Any], *, t: float | None = None) -> None:
        with self._lock:
            assert not self.closed, f"append {kind} after close"
            self.entries.append((kind, self.clock.now() if t is None else t, dict(data)))

    def checkpoint(self) -> None:
        self.append("checkpoint", {})

    def close(self) -> None:
        self.closed = True

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, _, d in self.entries if k == kind]


def ffprobe_json(path: Path, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *args, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def first_video_frame_is_key(path: Path) -> bool:
    info = ffprobe_json(
        path,
        "-select_streams",
        "v:0",
        "-read_intervals",
        "%+#1",
        "-show_entries",
        "frame=key_frame,pict_type",
    )
    frame = info["frames"][0]
    return bool(frame["key_frame"] == 1 and frame["pict_type"] == "I")


def decode_errors(path: Path) -> str:
    """Run the real ffmpeg over ``path``; returns its error output (empty when clean)."""
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stderr


def media_duration(path: Path) -> float:
    info = ffprobe_json(path, "-show_entries", "format=duration")
    return float(info["format"]["duration"])


def decode_through(path: Path) -> tuple[int, float]:
    """Decode ``path`` (a segment or an HLS playlist) end to end with the real ffmpeg.

    Returns (video frames decoded, media time reached in seconds, from ffmpeg's own progress
    report); asserts that ffmpeg exits cleanly and reports no error.
    """
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-", "-progress", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stderr == "", out.stderr
    progress = dict(
        line.split("=", 1) for line in out.stdout.splitlines() if "=" in line
    )  # the last report wins
    assert progress.get("progress") == "end", out.stdout[-500:]
    return int(progress.get("frame", "0")), int(progress["out_time_us"]) / 1e6
