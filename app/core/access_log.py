"""The reviewers' access log: who accepted the confidentiality rules and opened which record.

Before a reviewer (prosecutor, judge, defender) opens a recording or container in Tergeu, they
accept the confidentiality rules (CPC Art. 201) electronically — the model is the protective
order that every person given access acknowledges. Each acceptance is appended to
``access-log.jsonl`` in the data folder: who, when, which record (by SHA-256) and which version
of the rules (by SHA-256). The entries are hash-chained like the action log, fsynced, and carry a
detached signature when the reviewer has a signing key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.errors import TergeuError
from recorder.canonical import CanonicalJSONError, canonical_json, parse_json_object
from recorder.clock import format_utc

GENESIS = "0" * 64
FIELDS = {
    "seq",
    "utc",
    "reviewer",
    "role",
    "record",
    "record_sha256",
    "rules_sha256",
    "language",
    "prev",
    "hash",
    "signature",
}

Sign = Callable[[bytes], bytes]


class AccessLogError(TergeuError):
    """The access log is unreadable, broken, or was changed behind the writer's back."""


@dataclass(frozen=True)
class Access:
    """One acceptance of the rules before opening a record."""

    seq: int
    utc: str
    reviewer: str
    role: str
    record: str
    record_sha256: str
    rules_sha256: str
    language: str
    prev: str
    hash: str
    signature: str | None

    def body(self) -> dict[str, Any]:
        """The hashed (and signed) part: everything but ``hash`` and ``signature``."""
        return {
            "seq": self.seq,
            "utc": self.utc,
            "reviewer": self.reviewer,
            "role": self.role,
            "record": self.record,
            "record_sha256": self.record_sha256,
            "rules_sha256": self.rules_sha256,
            "language": self.language,
            "prev": self.prev,
        }


def entry_hash(body: dict[str, Any]) -> str:
    # 0x02 separates access-log entries from any other hashed structure in Tergeu
    return hashlib.sha256(b"\x02" + canonical_json(body)).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_digest(path: Path) -> str:
    """SHA-256 of a container file, or of an action folder's log (which chains everything)."""
    target = path / "log.jsonl" if path.is_dir() else path
    try:
        return sha256_file(target)
    except OSError as e:
        raise AccessLogError(f"cannot read record {path}: {e}") from e


class AccessLog:
    """Append-only, hash-chained, fsynced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = self.read(path) if path.exists() else []
        # the size this writer has verified; any other change to the file is refused
        self._size = path.stat().st_size if path.exists() else 0

    @staticmethod
    def read(path: Path) -> list[Access]:
        entries: list[Access] = []
        prev = GENESIS
        try:
            lines = path.read_bytes().split(b"\n")
        except OSError as e:
            raise AccessLogError(f"cannot read access log {path}: {e}") from e
        if lines and lines[-1] == b"":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            where = f"{path.name} line {number}"
            try:
                raw = parse_json_object(line, what=where)
            except CanonicalJSONError as e:
                raise AccessLogError(str(e)) from e
            if set(raw) != FIELDS:
                raise AccessLogError(f"{where}: fields {sorted(raw)}; expected {sorted(FIELDS)}")
            entry = Access(**raw)
            if entry.seq != number - 1 or entry.prev != prev:
                raise AccessLogError(
                    f"{where}: chain broken (seq {entry.seq}, prev {entry.prev[:12]}…)"
                )
            if entry_hash(entry.body()) != entry.hash:
                raise AccessLogError(f"{where}: hash mismatch — the entry was changed")
            entries.append(entry)
            prev = entry.hash
        return entries

    def accept(
        self,
        *,
        reviewer: str,
        role: str,
        record: Path,
        rules_text: str,
        language: str,
        sign: Sign | None = None,
    ) -> Access:
        """Append the reviewer's acceptance; return the entry. Nothing is appended on error."""
        if not reviewer.strip():
            raise AccessLogError("reviewer name is empty; the rules are accepted by a named person")
        expected_size = self._size
        body: dict[str, Any] = {
            "seq": len(self.entries),
            "utc": format_utc(datetime.now(UTC)),
            "reviewer": reviewer.strip(),
            "role": role,
            "record": str(record.resolve()),
            "record_sha256": record_digest(record),
            "rules_sha256": hashlib.sha256(rules_text.encode("utf-8")).hexdigest(),
            "language": language,
            "prev": self.entries[-1].hash if self.entries else GENESIS,
        }
        digest = entry_hash(body)
        signature = base64.b64encode(sign(canonical_json(body))).decode() if sign else None
        entry = Access(**body, hash=digest, signature=signature)
        line = canonical_json({**body, "hash": digest, "signature": signature}) + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size != expected_size:
                raise AccessLogError(
                    f"{self.path} changed size behind the writer "
                    f"({os.fstat(fd).st_size} bytes, expected {expected_size}); not appending"
                )
            os.write(fd, line)
            os.fsync(fd)
            self._size = expected_size + len(line)
        finally:
            os.close(fd)
        self.entries.append(entry)
        return entry
