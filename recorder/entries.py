"""One action-log entry: the value, its canonical line, and the strict parser of a line.

A line is the RFC 8785 canonical JSON of ``{"seq", "kind", "t", "utc", "data", "prev", "hash"}``
(see ``docs/recorder-log.md``); the file is those lines, each ending with ``\\n``.
"""

from __future__ import annotations

import copy
import json
import math
import re
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from recorder.canonical import (
    CanonicalJSONError,
    canonical_json,
    load_canonical,
    parse_json_object,
)
from recorder.chain import GENESIS, entry_body, hash_encoded
from recorder.clock import parse_utc
from recorder.kinds import HEX64, LogFormatError, validate_data

ENTRY_FIELDS = ("seq", "kind", "t", "utc", "data", "prev", "hash")
_DATE_FORM = re.compile(r"(\d{4})-(\d\d)-(\d\d)", re.ASCII)
_TIME_FORM = re.compile(r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z", re.ASCII)
_DAYS: dict[str, bool] = {}  # "YYYY-MM-DD" → whether it is a date; a log spans a day or two


def _utc_ok(utc: str) -> bool:
    """True if ``utc`` is a valid time in exactly :func:`recorder.clock.format_utc`'s form
    (the strict parser then accepts it too); anything else goes to that parser for its verdict
    and message. strptime costs more than the rest of an entry's checks together, so the time
    of day is checked by its pattern and each day once."""
    if len(utc) != 27 or _TIME_FORM.fullmatch(utc, 10) is None:
        return False
    day = utc[:10]
    ok = _DAYS.get(day)
    if ok is None:
        m = _DATE_FORM.fullmatch(day)
        try:
            ok = m is not None and bool(date(*map(int, m.groups())))
        except ValueError:
            ok = False
        if len(_DAYS) < 10_000:
            _DAYS[day] = ok
    return ok


_intern = sys.intern


def _plain_copy(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars) — what copy.deepcopy gives for
    these, at a fraction of its cost; any other type goes to copy.deepcopy."""
    t = type(value)
    if t is str:
        # short values (a kind's track, media, codec) repeat in thousands of entries
        return _intern(value) if len(value) < 32 else value
    if t is int or t is float or t is bool or value is None:
        return value
    if t is dict:
        # keys interned: a long log repeats a handful of keys in every entry's data
        return {(_intern(k) if type(k) is str else k): _plain_copy(v) for k, v in value.items()}
    if t is list:
        return [_plain_copy(v) for v in value]
    return copy.deepcopy(value)


@dataclass(frozen=True)
class LogEntry:
    """One chained entry of the action log (valid once built; ``line()`` is its file form)."""

    seq: int
    kind: str
    t: float
    utc: str
    data: Mapping[str, Any]
    prev: str
    hash: str

    def __post_init__(self) -> None:
        where = f"log entry {self.seq}"
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 0:
            raise LogFormatError(f"log entry: seq {self.seq!r}, expected an integer >= 0")
        if not isinstance(self.kind, str):
            raise LogFormatError(f"{where}: kind {self.kind!r}, expected a string")
        if isinstance(self.t, bool) or not isinstance(self.t, int | float):
            raise LogFormatError(f"{where}: t {self.t!r}, expected session seconds")
        if not math.isfinite(self.t) or self.t < 0:
            raise LogFormatError(f"{where}: t {self.t!r}, expected finite seconds >= 0")
        object.__setattr__(self, "t", float(self.t))
        if type(self.kind) is str:
            object.__setattr__(self, "kind", _intern(self.kind))
        if not (isinstance(self.utc, str) and _utc_ok(self.utc)):
            try:
                parse_utc(self.utc, what=f"{where} utc")
            except ValueError as e:
                raise LogFormatError(str(e)) from e
        for name in ("prev", "hash"):
            value = getattr(self, name)
            if not isinstance(value, str) or not HEX64.match(value):
                raise LogFormatError(f"{where}: {name} {value!r}, expected 64 lowercase hex digits")
        if not isinstance(self.data, Mapping):
            raise LogFormatError(f"{where}: data {self.data!r}, expected a JSON object")
        plain = _plain_copy(dict(self.data))
        validate_data(self.kind, plain, where=where)
        object.__setattr__(self, "data", types.MappingProxyType(plain))
        head, rest = self._encode(where)
        # only the line is kept (a two-hour log has some 15,000 entries); the hashed body is the
        # line without its hash field, cut out of it when asked for
        object.__setattr__(self, "_head", len(head))
        object.__setattr__(self, "_line", head + b',"hash":"' + self.hash.encode() + b'",' + rest)

    def _encode(self, where: str) -> tuple[bytes, bytes]:
        # RFC 8785 sorts keys: data < hash < kind < prev < seq < t < utc, so the canonical line
        # is '{"data":' DATA ',"hash":"…",' REST and the hashed body the same without "hash";
        # the data (the bulk) is encoded once for both.
        try:
            data = canonical_json(dict(self.data))
            tail = canonical_json(
                {
                    "kind": self.kind,
                    "prev": self.prev,
                    "seq": self.seq,
                    "t": self.t,
                    "utc": self.utc,
                }
            )
        except CanonicalJSONError as e:
            raise LogFormatError(f"{where}: {e}") from e
        return b'{"data":' + data, tail[1:]

    @classmethod
    def make(
        cls, seq: int, kind: str, t: float, utc: str, data: Mapping[str, Any], prev: str
    ) -> LogEntry:
        """A new entry chained after the entry hashed ``prev`` (its hash is computed here)."""
        unhashed = cls(seq, kind, t, utc, data, prev, GENESIS)  # validates and encodes once
        return cls(seq, kind, t, utc, data, prev, unhashed.expected_hash())

    def to_json(self) -> dict[str, Any]:
        """The entry as a plain JSON object."""
        body = entry_body(self.seq, self.kind, self.t, self.utc, self.data, self.prev)
        body["hash"] = self.hash
        return body

    def line(self) -> bytes:
        """The exact canonical bytes written to the file, without the newline."""
        line: bytes = self.__dict__["_line"]
        return line

    def expected_hash(self) -> str:
        """The chain hash this entry's content and ``prev`` call for."""
        line: bytes = self.__dict__["_line"]
        head: int = self.__dict__["_head"]
        cut = head + len(b',"hash":"') + len(self.hash.encode()) + len(b'",')  # the hash field
        return hash_encoded(self.prev, line[:head] + b"," + line[cut:])

    def _share_line(self, raw: bytes) -> LogEntry:
        """This entry, keeping ``raw`` (equal to its line) instead of its own copy: the reader
        holds the file's lines anyway."""
        if type(raw) is bytes:
            object.__setattr__(self, "_line", raw)
        return self


def parse_line(raw: bytes, *, what: str, kept: bool = True) -> LogEntry:
    """Parse one line (without its newline) strictly; ``what`` names it in errors.

    ``kept=False`` for a reader that drops most entries once checked (the verifier): their
    repeated keys and short values are then not interned (which pays only for entries kept).

    Rejects invalid JSON, missing or unknown fields, wrong types, unknown kinds, data missing a
    field its kind requires, and any line that is not in canonical form. The chain link is
    checked separately (:func:`link_problem`).
    """
    entry = _parse_plain(raw, kept)
    if entry is None:
        entry = _parse_canonical(raw)
    return entry if entry is not None else _parse_strict(raw, what=what)


_HASH_FIELD = b',"hash":"'
_new_entry = object.__new__


def _parse_plain(raw: bytes, kept: bool = True) -> LogEntry | None:
    """The entry of a canonical line in the plain domain of :func:`load_canonical` (every line
    the recorder writes but one with non-ASCII text), checked without encoding it again field
    by field; None for anything else (the next parser decides).

    The same checks as :class:`LogEntry` makes, on the value decoded from ``raw``, which is
    proven to be ``raw``'s canonical form: so the entry is the one the strict parser gives.
    """
    obj = load_canonical(raw)
    if type(obj) is not dict or len(obj) != len(ENTRY_FIELDS):
        return None
    try:
        seq, kind, t, utc = obj["seq"], obj["kind"], obj["t"], obj["utc"]
        data, prev, hash_ = obj["data"], obj["prev"], obj["hash"]
    except KeyError:
        return None
    if type(seq) is not int or seq < 0 or type(kind) is not str or type(data) is not dict:
        return None
    if type(t) is int:
        t = float(t)
    elif type(t) is not float:
        return None
    if t < 0 or type(utc) is not str or not _utc_ok(utc):  # finite: NaN never gets here
        return None
    if type(prev) is not str or type(hash_) is not str:
        return None
    if HEX64.match(prev) is None or HEX64.match(hash_) is None:
        return None
    kind = _intern(kind)
    if kept:  # keys and short values interned, as _plain_copy does: read_log keeps them all
        data = {
            _intern(k): (_intern(v) if type(v) is str and len(v) < 32 else v)
            for k, v in data.items()
        }
    try:
        validate_data(kind, data, where="")
    except LogFormatError:
        return None
    entry: LogEntry = _new_entry(LogEntry)
    entry.__dict__.update(
        seq=seq,
        kind=kind,
        t=t,
        utc=utc,
        data=types.MappingProxyType(data),
        prev=prev,
        hash=hash_,
        _head=raw.rfind(_HASH_FIELD),  # the top level's: data (sorted first) ends before it
        _line=raw,
    )
    return entry


def _parse_canonical(raw: bytes) -> LogEntry | None:
    """The entry of a line in canonical form, parsed without the strict parser's hooks; None
    for anything else (the strict parser then gives the reason).

    Sound without the hooks: a line with a duplicate key re-encodes shorter than itself, and a
    NaN or Infinity fails the entry's checks or its canonical encoding, so neither returns an
    entry here. Only the duplicate-key and constant hooks are skipped — a Python call per
    object — every other check is the same.
    """
    try:
        obj = json.loads(raw.decode("utf-8"))  # bytes would go through detect_encoding
        if type(obj) is not dict or len(obj) != len(ENTRY_FIELDS):
            return None
        for name, typ in (("kind", str), ("utc", str), ("data", dict), ("prev", str)):
            if not isinstance(obj[name], typ):
                return None
        if not isinstance(obj["hash"], str):
            return None
        entry = LogEntry(
            obj["seq"], obj["kind"], obj["t"], obj["utc"], obj["data"], obj["prev"], obj["hash"]
        )
    except Exception:  # whatever it is, the strict parser decides and says why
        return None
    return entry._share_line(raw) if entry.line() == raw else None


def _parse_strict(raw: bytes, *, what: str) -> LogEntry:
    try:
        obj = parse_json_object(raw, what=what)
    except CanonicalJSONError as e:
        raise LogFormatError(str(e)) from e
    missing = [f for f in ENTRY_FIELDS if f not in obj]
    if missing:
        raise LogFormatError(f"{what}: missing field {missing[0]!r}")
    extra = sorted(set(obj) - set(ENTRY_FIELDS))
    if extra:
        raise LogFormatError(f"{what}: unknown field {extra[0]!r}")
    for name, typ in (("kind", str), ("utc", str), ("data", dict), ("prev", str), ("hash", str)):
        if not isinstance(obj[name], typ):
            raise LogFormatError(
                f"{what}: field {name!r} is {obj[name]!r}, expected {typ.__name__}"
            )
    try:
        entry = LogEntry(
            obj["seq"], obj["kind"], obj["t"], obj["utc"], obj["data"], obj["prev"], obj["hash"]
        )
    except LogFormatError as e:  # keep the subclass (UnknownKindError)
        raise type(e)(f"{what}: {e}") from e
    if entry.line() != raw:
        raise LogFormatError(f"{what}: not in canonical form (RFC 8785); the line was rewritten")
    return entry._share_line(raw)


def link_problem(entry: LogEntry, position: int, prev_hash: str | None) -> str | None:
    """Why ``entry`` at ``position`` does not chain after ``prev_hash`` (None if it does).

    ``prev_hash`` is None when the previous line could not be parsed (the link is not checked).
    """
    if entry.seq != position:
        return f"seq is {entry.seq}, expected {position} (entries removed, added or reordered)"
    expected_prev = GENESIS if position == 0 else prev_hash
    if expected_prev is not None and entry.prev != expected_prev:
        return (
            f"prev is {entry.prev[:16]}…, but the previous entry's hash is "
            f"{expected_prev[:16]}… (entries removed, added or reordered)"
        )
    if entry.expected_hash() != entry.hash:
        return f"hash {entry.hash[:16]}… does not match the entry's content (entry edited)"
    return None


def split_lines(raw: bytes) -> tuple[list[bytes], bytes]:
    """The complete lines of a log file (without newlines) and a torn tail (b"" if none)."""
    cut = raw.rfind(b"\n") + 1
    body, tail = raw[:cut], raw[cut:]
    lines = body.split(b"\n")[:-1] if body else []
    return lines, tail


def parse_chain(lines: list[bytes], *, source: str) -> list[LogEntry]:
    """Parse and chain-check complete lines strictly; errors name the line and the field."""
    entries: list[LogEntry] = []
    prev: str | None = None
    for i, raw in enumerate(lines):
        what = f"{source} line {i + 1}"
        entry = parse_line(raw, what=what)
        problem = link_problem(entry, i, prev)
        if problem:
            raise LogFormatError(f"{what}: {problem}")
        entries.append(entry)
        prev = entry.hash
    if entries and entries[0].kind != "session_started":
        raise LogFormatError(
            f"{source} line 1: kind {entries[0].kind!r}, expected 'session_started'"
        )
    return entries
