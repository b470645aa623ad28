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


_SAFE_INT = 2**53 - 1  # RFC 8785: integers beyond a double's exact range are refused
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def _no_default(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")  # never reached: _fast_form filters


# JSONEncoder.encode builds a new C encoder on every call — more than encoding a log entry's
# small objects costs; this one, with the same settings, is built once.
_MAKE_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without the C module
_C_ENCODER = (
    _MAKE_C_ENCODER(
        None, _no_default, json.encoder.encode_basestring, None, ":", ",", True, False, False
    )
    if _MAKE_C_ENCODER is not None
    else None
)


def _fast(value: Any) -> str:
    """``value`` (in :func:`_fast_form`'s domain) as JSON with sorted keys, no whitespace."""
    if _C_ENCODER is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


def _fast_form(value: Any) -> Any:
    """``value`` with every float that RFC 8785 writes as an integer turned into that int, or
    ``_SLOW`` if anything lies outside the domain where :func:`_fast` (the C JSON encoder) writes
    exactly RFC 8785's bytes.

    That domain: exact dicts with string keys below U+D800 (code-point order is then UTF-16
    order), exact lists, strings (the C encoder escapes exactly as RFC 8785: ``\\b \\t \\n
    \\f \\r \\" \\\\``, other controls as lowercase ``\\u00xx``, nothing else; a lone surrogate
    fails the UTF-8 encode, sending the value to the slow path), ints within ±(2**53 − 1), bools,
    None, and floats that are either integral below 2**53 (RFC 8785 drops the ``.0``) or have
    ``repr`` in plain decimal notation (1e-4 <= |f| < 1e16, non-integral: RFC 8785 writes
    ``repr``). Everything else — tuples, subclasses, exponents, huge numbers, NaN — goes to
    ``rfc8785``, which also raises the errors.
    """
    t = type(value)
    if t is str or value is None or t is bool:
        return value
    if t is int:
        return value if -_SAFE_INT <= value <= _SAFE_INT else _SLOW
    if t is float:
        if value.is_integer():
            return int(value) if -_SAFE_INT <= value <= _SAFE_INT else _SLOW
        a = abs(value)
        return value if 1e-4 <= a < 1e16 else _SLOW
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str or (not k.isascii() and max(k) >= "\ud800"):
                return _SLOW
            tv = type(v)
            if tv is str or tv is bool or v is None:  # the common leaves, without a call
                out[k] = v
                continue
            if tv is int and -_SAFE_INT <= v <= _SAFE_INT:
                out[k] = v
                continue
            f = _fast_form(v)
            if f is _SLOW:
                return _SLOW
            out[k] = f
        return out
    if t is list:
        items = []
        for v in value:
            f = _fast_form(v)
            if f is _SLOW:
                return _SLOW
            items.append(f)
        return items
    return _SLOW


_SLOW = object()


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as RFC 8785 canonical JSON (UTF-8, sorted keys, no whitespace).

    Values of the common shapes (every log entry) are encoded by the C JSON encoder, which gives
    RFC 8785's exact bytes there (see :func:`_fast_form`; checked against ``rfc8785`` in
    tests/recorder/test_canonical_fast.py); anything else by ``rfc8785`` itself.
    """
    fast = _fast_form(value)
    if fast is not _SLOW:
        try:
            return _fast(fast).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 refuses it with its own message
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as e:
        raise CanonicalJSONError(
            f"cannot encode {type(value).__name__} as canonical JSON: {e}"
        ) from e


class _NotPlain(Exception):
    """A number token outside the plain form :func:`load_canonical` decides on."""


def _plain_float(token: str) -> float:
    # an exponent, or an integral value written with ".0", is never read here: RFC 8785 writes
    # some of those differently from repr (the C encoder), so the slow path decides
    if "e" in token or "E" in token or token.endswith(".0"):
        raise _NotPlain(token)
    return float(token)


def _plain_int(token: str) -> int:
    # 16 digits or more may lie beyond 2**53 - 1, which RFC 8785 refuses: the slow path decides
    if len(token) > 15:
        raise _NotPlain(token)
    return int(token)


_PLAIN_DECODER = json.JSONDecoder(parse_float=_plain_float, parse_int=_plain_int)


def load_canonical(raw: bytes) -> Any | None:
    """The JSON value of ``raw`` if ``raw`` is exactly its RFC 8785 encoding; None when that
    cannot be told quickly (the caller then decides with :func:`canonical_json`).

    Sound by construction: ``raw`` is decoded and encoded again by the C encoder; if the bytes
    come back unchanged, they are what the C encoder writes for the value, and the value lies
    in the domain where that equals RFC 8785 (:func:`_fast_form`): ASCII only (keys then sort
    alike in code points and UTF-16; a string escape comes back only in the form both write),
    integers below 16 digits, floats in plain decimal and not integral. A duplicate key,
    whitespace, NaN or any other deviation changes the bytes or fails the encode. Checked
    against ``rfc8785`` on random values in tests/recorder/test_canonical_fast.py.
    """
    if _C_ENCODER is None or not raw.isascii():
        return None
    text = raw.decode("ascii")
    try:
        value = _PLAIN_DECODER.decode(text)
        encoded = "".join(_C_ENCODER(value, 0))
    except (_NotPlain, ValueError, TypeError, RecursionError):
        return None
    return value if encoded == text else None


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
