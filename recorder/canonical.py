"""The one canonical JSON encoding Tergeu signs and hashes: RFC 8785 (JCS).

Log entries, checkpoints and ``protocol.json`` are all encoded with :func:`canonical_json`, so the
same value always gives the same bytes on every machine.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from recorder.errors import RecorderError


class CanonicalJSONError(RecorderError):
    """A value cannot be encoded canonically (e.g. a float NaN, a non-string key)."""


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as RFC 8785 canonical JSON (UTF-8, sorted keys, no whitespace)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as e:
        raise CanonicalJSONError(
            f"cannot encode {type(value).__name__} as canonical JSON: {e}"
        ) from e


def parse_json_object(data: bytes | str, *, what: str) -> dict[str, Any]:
    """Parse ``data`` as one JSON object, rejecting duplicate keys, NaN and non-objects.

    ``what`` names the input in the error message (``"log line 12"``, ``"protocol.json"``).
    """

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, val in pairs:
            if key in out:
                raise CanonicalJSONError(f"{what}: duplicate key {key!r}")
            out[key] = val
        return out

    def no_constants(name: str) -> Any:
        raise CanonicalJSONError(f"{what}: {name} is not allowed in JSON, expected a finite number")

    try:
        value = json.loads(data, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CanonicalJSONError(f"{what}: not valid JSON ({e})") from e
    if not isinstance(value, dict):
        raise CanonicalJSONError(f"{what}: expected a JSON object, got {type(value).__name__}")
    return value
