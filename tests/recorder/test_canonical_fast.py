"""canonical_json's fast path (the C JSON encoder) writes exactly what rfc8785 writes; parse_line's
fast path gives exactly the strict parser's result.

Every value is encoded both ways and compared byte for byte; values rfc8785 refuses must be
refused by canonical_json too. The random values stress the boundaries of the fast path: floats
around 1e-4, 1e16, 2**53 and with exponents, integers around 2**53, control characters, quotes,
non-ASCII and astral characters in strings and in keys, lone surrogates.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import struct
from datetime import UTC, datetime
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.canonical import CanonicalJSONError, canonical_json
from recorder.clock import SessionClock
from recorder.log import ActionLog

EDGE_FLOATS = [
    0.0,
    -0.0,
    1.0,
    -2.0,
    0.5,
    1e-4,
    9.999999999999999e-5,
    1.5e-4,
    1e-5,
    1e-7,
    1.2345e-7,
    1e-6,
    0.000123,
    1e15,
    1e15 + 0.5,
    9007199254740991.0,
    9007199254740992.0,
    9007199254740993.0,
    1e16,
    1.5e16,
    1e20,
    1e21,
    1.2345678901234567e19,
    5e-324,
    1.7976931348623157e308,
    0.1 + 0.2,
    123456.789,
    3600.000001,
    math.inf,
    -math.inf,
    math.nan,
]
EDGE_INTS = [0, 1, -1, 2**53 - 1, -(2**53 - 1), 2**53, -(2**53), 10**30, True, False]
EDGE_STRINGS = [
    "",
    "plain",
    'quote " and \\ backslash',
    "\x00\x01\x1f\x7f\b\t\n\f\r",
    "/ slash",
    "Қазақ тілі, русский",
    "\u2028\u2029",
    "\ue000\uffff",
    "😀 astral",
    "\ud800 lone surrogate",
    "\udfff",
]
EDGE_KEYS = ["a", "B", "", "é", "\ue000", "😀", "\uffff", "a\x00", "\ud800"]


class Colour(Enum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


def _same(value: Any) -> None:
    try:
        want: bytes | None = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        want = None
    if want is None:
        with pytest.raises(CanonicalJSONError):
            canonical_json(value)
    else:
        assert canonical_json(value) == want, repr(value)


def _random_float(rng: random.Random) -> float:
    kind = rng.randrange(4)
    if kind == 0:  # any bit pattern
        return float(struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0])
    if kind == 1:  # around a decade boundary
        return rng.choice([-1, 1]) * 10 ** rng.uniform(-9, 23)
    if kind == 2:  # integral, around 2**53
        return float(rng.choice([-1, 1]) * (2**53 + rng.randrange(-4, 5)))
    return round(rng.uniform(0, 7200), rng.randrange(8))  # session seconds


def _random_string(rng: random.Random) -> str:
    alphabet = [*'ab"\\/ \x00\x1f\x7f\n\t', "é", "ж", "\u2028", "\ue000", "\uffff", "😀", "\ud800"]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return _random_float(rng)
    if kind == 1:
        return rng.choice([rng.randrange(-(2**54), 2**54), rng.randrange(-1000, 1000)])
    if kind == 2:
        return _random_string(rng)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return rng.choice(EDGE_FLOATS + EDGE_INTS + EDGE_STRINGS)
    if kind == 5:
        return rng.choice([Colour.RED, Level.HIGH, (1, 2)])
    if kind == 6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = [rng.choice(EDGE_KEYS) + _random_string(rng) for _ in range(rng.randrange(5))]
    return {k: _random_value(rng, depth + 1) for k in keys}


@pytest.mark.parametrize("value", EDGE_FLOATS + EDGE_INTS + EDGE_STRINGS)
def test_edge_scalars_match_rfc8785(value: Any) -> None:
    _same(value)
    _same({"v": value})
    _same([value, {"w": [value]}])


def test_keys_are_ordered_like_rfc8785_also_beyond_the_basic_plane() -> None:
    _same({k: i for i, k in enumerate(EDGE_KEYS)})
    _same({"😀": 1, "\uffff": 2, "\ue000": 3, "z": 4})  # UTF-16 order differs from code points
    _same({1: "non-string key"})


def test_random_values_match_rfc8785() -> None:
    rng = random.Random(8785)
    for _ in range(20_000):
        _same(_random_value(rng))


def test_a_real_log_entry_is_encoded_by_the_fast_path_identically() -> None:
    entry = {
        "data": {
            "codec": "h264",
            "end": 2.259884,
            "end_utc": "2026-12-02T09:02:31.409676Z",
            "file": "media/p2-video/p2-video-000001.ts",
            "frames": 60,
            "height": 480,
            "index": 1,
            "recovered": False,
            "sha256": "00" * 32,
            "size": 190_000,
            "start": 0.259884,
            "track": "p2-video",
        },
        "kind": "segment_sealed",
        "seq": 7,
        "t": 2.0,
    }
    assert canonical_json(entry) == rfc8785.dumps(entry)
    assert b'"t":2}' in canonical_json(entry)  # integral float without ".0"
    assert json.loads(canonical_json(entry)) == entry


def _outcome(parse: Any, raw: bytes) -> Any:
    try:
        entry = parse(raw, what="line 9")
    except Exception as e:  # the exact type and message must agree
        return type(e), str(e)
    return entry.line(), dict(entry.data), entry.t


def test_log_lines_parse_as_the_strict_parser_parses_them(tmp_path: Path) -> None:
    """parse_line's fast path (no JSON hooks, no strptime) gives the strict parser's entry
    for canonical lines and falls back to it — same error, same message — for all others."""
    from recorder.entries import _parse_strict, parse_line

    clock = SessionClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))
    log = ActionLog.create(
        tmp_path, clock=clock, signing_key=Ed25519PrivateKey.generate(), action_id="A"
    )
    log.append("participant_joined", {"participant": "p1", "role": 'Қазақ "x"\n'}, t=0.5)
    log.append(
        "segment_sealed",
        {
            "track": "p1-video",
            "index": 0,
            "file": "media/p1-video/p1-video-000000.ts",
            "size": 10,
            "sha256": "ab" * 32,
            "start": 0.0,
            "end": 2.000001,
            "start_utc": "2026-11-29T06:00:00.000000Z",
            "end_utc": "2026-11-29T06:00:02.000001Z",
            "frames": 60,
            "recovered": False,
        },
        t=2.0,
    )
    log.checkpoint()
    log.close()
    lines = (tmp_path / "log.jsonl").read_bytes().splitlines()
    mutations = [
        lambda b: b,
        lambda b: b.replace(b'"seq":', b'"seq":1,"seq":', 1),  # duplicate key
        lambda b: b.replace(b'"t":', b'"t":NaN,"x":', 1),
        lambda b: b.replace(b'"t":2,', b'"t":2.0,', 1),  # not canonical
        lambda b: b.replace(b'"t":0.5,', b'"t":Infinity,', 1),
        lambda b: b.replace(b"T06:00:0", b"T06:00:6", 1),  # second 60+
        lambda b: b.replace(b'"utc":"2026-11-29', b'"utc":"2026-11-31', 1),  # no such day
        lambda b: b.replace(b'"utc":"2026-11-29', b'"utc":"2026-1-29', 1),  # strptime's form
        lambda b: b.replace(b'Z"', b'"', 1),
        lambda b: b.replace(b'"prev"', b'"prev" ', 1),  # whitespace
        lambda b: b.replace(b'"kind":"', b'"kind":"\\u0041', 1),  # escape not canonical
        lambda b: b.replace(b'{"data":', b'{"extra":1,"data":', 1),
        lambda b: b.replace(b'"hash":"', b'"hash":1,"h":"', 1),
        lambda b: b.replace(b'"seq":', b'"seq":true,"s":', 1),
        lambda b: b.replace(b'"p1"', b'"p\xff"', 1),  # not UTF-8
        lambda b: b[:-1],
        lambda b: b"[" + b + b"]",
        lambda b: b.replace(b'"frames":60', b'"frames":"60"', 1),
        lambda b: b.replace(b'"index":0', b'"index":-1', 1),
    ]
    for raw in lines:
        for mutate in mutations:
            changed = mutate(raw)
            assert _outcome(parse_line, changed) == _outcome(_parse_strict, changed), changed


def _encodings(value: Any) -> list[bytes]:
    """``value`` written canonically and in the ways a tool or a forger might write it."""
    out = []
    with contextlib.suppress(rfc8785.CanonicalizationError, TypeError, ValueError):
        out.append(rfc8785.dumps(value))
    for options in (
        {},
        {"sort_keys": True, "separators": (",", ":")},
        {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False},
    ):
        with contextlib.suppress(TypeError, ValueError):
            out.append(json.dumps(value, **options).encode("utf-8", "surrogatepass"))
    return out


def test_load_canonical_accepts_only_what_rfc8785_writes() -> None:
    """Soundness of the verifier's fast path: whatever bytes load_canonical accepts are exactly
    rfc8785's encoding of the value it returns — for random values and for non-canonical
    encodings of them (Python's json with other settings: exponents, ".0", escapes, spaces)."""
    from recorder.canonical import load_canonical

    rng = random.Random(6962)
    accepted = 0
    for _ in range(20_000):
        for raw in _encodings(_random_value(rng)):
            value = load_canonical(raw)
            if value is not None:
                accepted += 1
                assert rfc8785.dumps(value) == raw, raw
    assert accepted > 5_000  # the fast path is taken, not only refused


def test_load_canonical_takes_a_recorder_line_and_refuses_its_variants() -> None:
    from recorder.canonical import load_canonical

    line = canonical_json(
        {
            "data": {"end": 2.259884, "index": 1, "sha256": "ab" * 32, "track": "p-video"},
            "kind": "segment_sealed",
            "seq": 7,
            "t": 2.0,
        }
    )
    assert load_canonical(line) == json.loads(line)
    for variant in (
        line.replace(b'"t":2', b'"t":2.0'),
        line.replace(b'"t":2', b'"t":2e0'),
        line.replace(b'"seq":7', b'"seq":9007199254740993'),
        line.replace(b'"seq":7', b'"seq":7,"seq":7'),
        line.replace(b'"kind":', b'"kind": '),
        line.replace(b"p-video", b"p-vid\\u0065o"),
        line.replace(b'"seq":7', b'"seq":NaN'),
    ):
        assert load_canonical(variant) is None, variant
