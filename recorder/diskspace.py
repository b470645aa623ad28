"""Disk space: the estimate checked before a recording starts, and the probe watched during it.

The probe is injectable (any ``Callable[[Path], int]`` returning free bytes) so tests can simulate
a filling disk; the default asks the file system (``shutil.disk_usage``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recorder.errors import RecorderError

FreeSpaceProbe = Callable[[Path], int]

# Measured on the synthetic test card (640×480, 30 fps, x264 veryfast/zerolatency crf 23):
# ≈ 1 Mbit/s; camera video with motion runs higher, so the estimate assumes 2.5 Mbit/s.
VIDEO_BYTES_PER_SECOND = 2_500_000 // 8
AUDIO_BYTES_PER_SECOND = 128_000 // 8
MARGIN_FACTOR = 1.25
MARGIN_BYTES = 64 * 1024 * 1024  # log, playlists, protocol and its container


class InsufficientSpaceError(RecorderError):
    """Not enough free disk space to start (or go on) recording."""


def disk_free(path: Path) -> int:
    """Free bytes on the file system holding ``path`` (the default probe)."""
    return shutil.disk_usage(path).free


@dataclass(frozen=True)
class SpaceEstimate:
    """Bytes a recording is expected to need."""

    video_tracks: int
    audio_tracks: int
    planned_seconds: float

    def __post_init__(self) -> None:
        if self.video_tracks < 0 or self.audio_tracks < 0:
            raise ValueError(
                f"track counts must be ≥ 0, got {self.video_tracks}/{self.audio_tracks}"
            )
        if self.planned_seconds <= 0:
            raise ValueError(f"planned duration {self.planned_seconds} s: expected > 0")

    @property
    def bytes_per_second(self) -> int:
        """Expected write rate of all tracks together."""
        return (
            self.video_tracks * VIDEO_BYTES_PER_SECOND + self.audio_tracks * AUDIO_BYTES_PER_SECOND
        )

    @property
    def needed_bytes(self) -> int:
        """Bitrate × planned duration × tracks, plus a proportional and a fixed margin."""
        media = self.bytes_per_second * self.planned_seconds
        return int(media * MARGIN_FACTOR) + MARGIN_BYTES


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB"


def check_space(path: Path, estimate: SpaceEstimate, probe: FreeSpaceProbe = disk_free) -> int:
    """Raise :class:`InsufficientSpaceError` unless ``path`` has room for ``estimate``.

    Returns the free bytes found.
    """
    free = probe(path)
    need = estimate.needed_bytes
    if free < need:
        raise InsufficientSpaceError(
            f"not enough disk space in {path}: {_mib(free)} free, a "
            f"{estimate.planned_seconds / 60:.0f}-minute recording of {estimate.video_tracks} "
            f"video and {estimate.audio_tracks} audio tracks needs about {_mib(need)}; "
            "free some space or choose another folder"
        )
    return free


def seconds_left(free: int, bytes_per_second: int) -> float:
    """How long the free space lasts at ``bytes_per_second`` (inf if nothing is written)."""
    if bytes_per_second <= 0:
        return float("inf")
    return max(free - MARGIN_BYTES // 4, 0) / bytes_per_second
