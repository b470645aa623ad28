"""Full-resolution stills from a participant's camera: checked on arrival, stored as evidence.

A still is taken on the participant's device at the camera's native resolution (the guest page
raises the camera to its largest size for one frame) and uploaded as a file, not as video, with
the SHA-256 the device computed. Here it is refused unless that hash matches the bytes that
arrived, the bytes are the image type they claim and the image decodes — so nothing damaged is
ever stored silently; the page retries a refused upload. Used for identity (document, face) and
for scene stills of an inspection (issue 8's photo table).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.core.evidence import EvidenceError, EvidenceFile, store_evidence
from app.core.signaling.errors import SessionError
from app.core.signaling.server import STILL_TYPES, StillUpload

STILL_KINDS = ("document", "face", "scene")
_EXT = {"image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class StillRequest:
    """A still the hub asked for: whose camera, what it shows, who asked."""

    participant_id: str
    request_id: str
    kind: str
    caption: str
    author: str

    def __post_init__(self) -> None:
        if self.kind not in STILL_KINDS:
            raise ValueError(f"still kind {self.kind!r}: expected one of {', '.join(STILL_KINDS)}")


@dataclass(frozen=True)
class StoredStill:
    evidence: EvidenceFile
    width: int
    height: int


def check_still(upload: StillUpload) -> tuple[int, int]:
    """(width, height) of an intact upload; SessionError naming what is wrong otherwise."""
    actual = hashlib.sha256(upload.data).hexdigest()
    if actual != upload.claimed_sha256:
        raise SessionError(
            "hash_mismatch",
            f"the still arrived with SHA-256 {actual[:16]}…, but the device sent "
            f"{upload.claimed_sha256[:16]}…: damaged in transit, send it again",
        )
    magic = STILL_TYPES.get(upload.media_type)
    if magic is None or not upload.data.startswith(magic):
        raise SessionError(
            "bad_image", f"the still is not a {upload.media_type} file (wrong signature bytes)"
        )
    image = cv2.imdecode(np.frombuffer(upload.data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.ndim < 2:
        raise SessionError("bad_image", f"the {upload.media_type} still cannot be decoded")
    return int(image.shape[1]), int(image.shape[0])


def _store(action_dir: Path, request: StillRequest, upload: StillUpload) -> StoredStill:
    width, height = check_still(upload)
    ext = _EXT[upload.media_type]
    for n in range(1, 10000):
        name = f"still-{n:03d}-{request.kind}-{request.participant_id}.{ext}"
        if not (action_dir / "evidence" / name).exists():
            break
    try:
        evidence = store_evidence(action_dir, name, upload.data)
    except EvidenceError as e:
        raise SessionError("not_stored", f"the still could not be stored: {e}") from e
    return StoredStill(evidence, width, height)


async def store_still(action_dir: Path, request: StillRequest, upload: StillUpload) -> StoredStill:
    """Check and store an uploaded still off the event loop (hashing, decoding, fsync)."""
    return await asyncio.to_thread(_store, action_dir, request, upload)
