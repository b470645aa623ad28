"""Evidence files of an action: identity stills, document photos, exhibits' copies.

Every file is written durably (temp file, fsync, rename, fsync of the folder), owner-only, never
overwritten, and described by its SHA-256 so the action log and the container can reference it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from app.core.errors import TergeuError
from app.core.paths import private_dir

# stills, documents, annotations; exhibits' audio and video clips are kept as they were shown
NAME = re.compile(
    r"[a-z0-9][a-z0-9._-]{0,100}\.(png|jpg|pdf|json|txt|mp4|webm|mkv|mov|m4a|mp3|wav|ogg|opus)"
)


class EvidenceError(TergeuError):
    """An evidence file cannot be stored."""


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file as the log references it (path relative to the action folder)."""

    file: str
    size: int
    sha256: str

    def log_data(self) -> dict[str, Any]:
        return {"file": self.file, "size": self.size, "sha256": self.sha256}


def store_evidence(action_dir: Path, name: str, data: bytes) -> EvidenceFile:
    """Write ``data`` as ``evidence/<name>``; refuse to replace an existing file."""
    if not NAME.fullmatch(name):
        raise EvidenceError(
            f"evidence file name {name!r}: expected lower-case letters, digits, . _ - "
            "and a .png/.jpg/.pdf/.json/.txt (or audio/video clip) ending"
        )
    folder = private_dir(action_dir / "evidence")
    target = folder / name
    if target.exists():
        raise EvidenceError(f"evidence file {target} exists already; evidence is never replaced")
    temp = folder / f".{name}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temp, target)  # fails if the name appeared meanwhile: never overwrite
        os.unlink(temp)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as e:
        temp.unlink(missing_ok=True)
        raise EvidenceError(f"cannot store evidence {target}: {e}") from e
    return EvidenceFile(
        file=f"evidence/{name}", size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


class VideoSource(Protocol):
    async def recv(self) -> Any: ...


def encode_png(rgb: np.ndarray) -> bytes:
    """Lossless PNG of an RGB frame (stills are evidence: no lossy re-encoding)."""
    ok, buffer = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise EvidenceError(f"cannot encode a still of shape {rgb.shape} as PNG")
    return bytes(buffer)


async def capture_still(track: VideoSource) -> tuple[bytes, int, int]:
    """The next frame of ``track`` at the resolution it arrives in, as PNG; (png, width, height)."""
    frame = await track.recv()
    rgb = frame.to_ndarray(format="rgb24")
    return encode_png(rgb), int(rgb.shape[1]), int(rgb.shape[0])
