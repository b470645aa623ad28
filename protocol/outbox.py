"""The outbox: containers waiting to be delivered, each with a submission manifest.

Layout (folders 0o700, files 0o600)::

    OUTBOX/<sha256[:16]>/<container file name>     a copy of the container
    OUTBOX/<sha256[:16]>/submission.json           see below
    OUTBOX/<sha256[:16]>/receipt.json              written once the receiver confirmed the hash

``submission.json``::

    {"format": "tergeu-submission/1", "erdr_number": "…", "action": "interrogation",
     "container": {"file": "X.asice", "sha256": "<hex>", "size": 123}, "created": "…Z"}

The container copy is removed only after the receiver confirmed the same SHA-256 (receipt).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protocol.errors import ProtocolError
from recorder.canonical import parse_json_object

SUBMISSION_FORMAT = "tergeu-submission/1"
DEFAULT_ERDR_PATTERN = r"\d{12,16}"
_HEX64 = re.compile(r"[0-9a-f]{64}")


class OutboxError(ProtocolError):
    """An outbox entry is missing, malformed or does not match its container."""


@dataclass(frozen=True)
class Submission:
    """One outbox entry."""

    folder: Path
    erdr_number: str
    action: str
    file_name: str
    sha256: str
    size: int

    def __post_init__(self) -> None:
        if not _HEX64.fullmatch(self.sha256):
            raise OutboxError(
                f"submission sha256 {self.sha256!r}: expected 64 lowercase hex digits"
            )
        if self.size < 0:
            raise OutboxError(f"submission size {self.size}: expected >= 0")
        if "/" in self.file_name or self.file_name in ("", ".", ".."):
            raise OutboxError(f"submission file {self.file_name!r}: expected a plain file name")

    @property
    def container(self) -> Path:
        return self.folder / self.file_name

    @property
    def delivered(self) -> bool:
        return (self.folder / "receipt.json").is_file()

    def manifest(self) -> dict[str, Any]:
        return {
            "format": SUBMISSION_FORMAT,
            "erdr_number": self.erdr_number,
            "action": self.action,
            "container": {"file": self.file_name, "sha256": self.sha256, "size": self.size},
        }


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp + fsync + rename), mode 0o600."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def add_to_outbox(
    outbox: Path,
    container: Path,
    *,
    erdr_number: str,
    action: str,
    erdr_pattern: str = DEFAULT_ERDR_PATTERN,
) -> Submission:
    """Copy ``container`` into the outbox (hashing it on the way) with its submission manifest."""
    if not re.fullmatch(erdr_pattern, erdr_number):
        raise OutboxError(f"invalid ERDR number {erdr_number!r}: expected pattern {erdr_pattern}")
    if not action:
        raise OutboxError("action is empty: expected e.g. 'interrogation'")
    container = Path(container)
    outbox = Path(outbox)
    outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = outbox / f".incoming-{os.getpid()}"
    staging.mkdir(mode=0o700, exist_ok=True)
    tmp = staging / container.name
    h = hashlib.sha256()
    size = 0
    try:
        with open(container, "rb") as src:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as dst:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
    except FileNotFoundError as e:
        raise OutboxError(f"container {container} does not exist") from e
    sub = Submission(
        outbox / h.hexdigest()[:16], erdr_number, action, container.name, h.hexdigest(), size
    )
    manifest = sub.manifest() | {"created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    write_private(staging / "submission.json", json.dumps(manifest, indent=2).encode())
    if sub.folder.exists():  # same container queued before: idempotent by hash
        for p in staging.iterdir():
            p.unlink()
        staging.rmdir()
        return load_submission(sub.folder)
    os.replace(staging, sub.folder)
    return sub


def load_submission(folder: Path) -> Submission:
    """Read an outbox entry's ``submission.json`` strictly."""
    try:
        d = parse_json_object(
            (Path(folder) / "submission.json").read_bytes(), what=f"{folder}/submission.json"
        )
        if d.get("format") != SUBMISSION_FORMAT:
            raise OutboxError(f"{folder}/submission.json: format {d.get('format')!r}")
        c = d["container"]
        return Submission(
            Path(folder),
            str(d["erdr_number"]),
            str(d["action"]),
            str(c["file"]),
            str(c["sha256"]),
            int(c["size"]),
        )
    except OSError as e:
        raise OutboxError(f"outbox entry {folder} unreadable: {e.strerror}") from e
    except (KeyError, TypeError, ValueError) as e:
        raise OutboxError(f"{folder}/submission.json malformed: {e!r}") from e


def pending(outbox: Path) -> list[Submission]:
    """Entries not yet confirmed by the receiver."""
    if not Path(outbox).is_dir():
        return []
    subs = [
        load_submission(p)
        for p in sorted(Path(outbox).iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]
    return [s for s in subs if not s.delivered]


def confirm_delivery(sub: Submission, receipt: dict[str, Any]) -> None:
    """Record the receiver's receipt; remove the local copy only if its hash matches."""
    if receipt.get("sha256") != sub.sha256:
        raise OutboxError(
            f"receiver confirmed sha256 {receipt.get('sha256')!r}, expected {sub.sha256}; "
            "keeping the local copy"
        )
    write_private(sub.folder / "receipt.json", json.dumps(receipt, indent=2).encode())
    sub.container.unlink(missing_ok=True)
