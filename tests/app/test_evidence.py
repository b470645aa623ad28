from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from app.core.evidence import EvidenceError, capture_still, store_evidence


def test_stored_evidence_is_private_hashed_and_never_replaced(tmp_path: Path) -> None:
    data = b"\x89PNG fake still"
    ev = store_evidence(tmp_path, "witness-document-1.png", data)
    path = tmp_path / ev.file
    assert path.read_bytes() == data
    assert ev.sha256 == hashlib.sha256(data).hexdigest() and ev.size == len(data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with pytest.raises(EvidenceError, match="never replaced"):
        store_evidence(tmp_path, "witness-document-1.png", b"other")
    assert path.read_bytes() == data
    assert not list(path.parent.glob(".*tmp"))


@pytest.mark.parametrize("name", ["../escape.png", "Doc.PNG", "a.exe", ""])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(EvidenceError, match="evidence file name"):
        store_evidence(tmp_path, name, b"x")


class OneFrame:
    def __init__(self, rgb: np.ndarray) -> None:
        self.frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")

    async def recv(self) -> av.VideoFrame:
        return self.frame


async def test_still_is_lossless_at_native_resolution() -> None:
    rgb = np.random.default_rng(3).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    png, width, height = await capture_still(OneFrame(rgb))
    assert (width, height) == (1280, 720)
    decoded = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    assert np.array_equal(decoded, rgb)
