"""Helpers shared by the protocol tests: the committed test PKI, signers, zip surgery."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from protocol.signing import Pkcs12Signer
from protocol.timestamp import demo_timestamper

HERE = Path(__file__).resolve().parent
PASSWORD = "tergeu-test"
MAIN = HERE / "main"
OTHER = HERE / "other"


def signer(role: str, pki: Path = MAIN) -> Pkcs12Signer:
    return Pkcs12Signer(pki / "identities" / f"{role}.p12", PASSWORD)


def timestamper(pki: Path = MAIN):  # type: ignore[no-untyped-def]
    return demo_timestamper(pki / "tsa.p12", PASSWORD)


def anchors_dir(tmp: Path, pki: Path = MAIN) -> Path:
    """A folder holding only the root certificate of ``pki``."""
    d = tmp / f"anchors-{pki.name}"
    d.mkdir(exist_ok=True)
    shutil.copy(pki / "ca" / "root.pem", d / "root.pem")
    return d


def rewrite_zip(
    src: Path,
    dst: Path,
    *,
    change: dict[str, Callable[[bytes], bytes | None]] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy ``src`` to ``dst`` member by member; ``change`` maps a name to a transform
    (returning None drops the member); ``add`` appends members."""
    change = change or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in change:
                new = change[info.filename](data)
                if new is None:
                    continue
                data = new
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def flip_byte(offset: int = 0) -> Callable[[bytes], bytes]:
    def f(data: bytes) -> bytes:
        i = offset % len(data)
        return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]

    return f


def fake_action_dir(root: Path, *, segments: int = 3, size: int = 50_000) -> Path:
    """A folder shaped like an action folder (for container mechanics only, not a real log)."""
    import os

    a = root / "action"
    for track in ("cam", "mic"):
        (a / "media" / track).mkdir(parents=True, exist_ok=True)
        for i in range(segments):
            (a / "media" / track / f"{track}-{i:06d}.ts").write_bytes(os.urandom(size))
        (a / "media" / track / f"{track}.m3u8").write_text("#EXTM3U\n")
    (a / "evidence").mkdir(exist_ok=True)
    (a / "evidence" / "id-front.jpg").write_bytes(os.urandom(1000))
    (a / "log.jsonl").write_text('{"seq":0}\n')
    return a
