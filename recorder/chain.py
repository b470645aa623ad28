"""The hash chain of the action log.

Each entry's ``hash`` is ``SHA-256(DOMAIN || prev || body)`` where ``DOMAIN`` is the ASCII tag
``tergeu-log-entry/v1`` followed by a zero byte, ``prev`` the previous entry's hash as 32 raw bytes
(32 zero bytes before the first entry) and ``body`` the canonical JSON (RFC 8785) of the entry
without its ``hash`` field. Changing, removing or reordering any entry breaks every later link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from recorder.canonical import canonical_json

DOMAIN = b"tergeu-log-entry/v1\x00"
GENESIS = "0" * 64


def entry_body(
    seq: int, kind: str, t: float, utc: str, data: Mapping[str, Any], prev: str
) -> dict[str, Any]:
    """The entry as a JSON object without its ``hash`` (what the chain hash covers)."""
    return {"seq": seq, "kind": kind, "t": t, "utc": utc, "data": dict(data), "prev": prev}


def entry_hash(prev: str, body: Mapping[str, Any]) -> str:
    """The chain hash (hex) of an entry with ``body`` following the entry hashed ``prev``."""
    return hash_encoded(prev, canonical_json(dict(body)))


def hash_encoded(prev: str, encoded_body: bytes) -> str:
    """:func:`entry_hash` of a body already encoded canonically."""
    return hashlib.sha256(DOMAIN + bytes.fromhex(prev) + encoded_body).hexdigest()
