"""The registry of action-log entry kinds and the data fields each one must carry.

An entry whose kind is not registered is refused when appended and reported when read. Kinds the
verifier relies on (``session_started``, ``segment_sealed``, ``checkpoint``, ...) declare their
required fields and types; later work adds kinds with :func:`register_kind`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from recorder.errors import RecorderError

# \Z, not $: "$" also matches before a final newline, which a JSON string can hold
HEX64 = re.compile(r"[0-9a-f]{64}\Z")
HEX128 = re.compile(r"[0-9a-f]{128}\Z")
TRACK = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
KIND = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")


class LogFormatError(RecorderError, ValueError):
    """An action-log entry that does not follow the format (names the line and the field)."""


class UnknownKindError(LogFormatError):
    """An entry kind that is not in the registry."""


_NUMBER = (int, float)


@dataclass(frozen=True)
class KindSpec:
    """A registered entry kind: the data fields it must carry and their JSON types."""

    name: str
    required: Mapping[str, tuple[type, ...]] = field(default_factory=dict)
    description: str = ""
    fields: tuple[tuple[str, tuple[type, ...], frozenset[type]], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        if not KIND.match(self.name):
            raise ValueError(f"entry kind {self.name!r}: expected lower_snake_case")
        # (name, types, the same as a set of exact types that pass at once: a value parsed from
        # JSON has exactly one of int, float, str, bool, list, dict; True's type is bool, not
        # int, so it is never let through as an integer; anything else goes through _is)
        fields = tuple((name, types, frozenset(types)) for name, types in self.required.items())
        object.__setattr__(self, "fields", fields)


_lock = threading.Lock()
_REGISTRY: dict[str, KindSpec] = {}


def register_kind(
    name: str, required: Mapping[str, tuple[type, ...]] | None = None, description: str = ""
) -> KindSpec:
    """Register entry kind ``name`` (idempotent for the same field list)."""
    spec = KindSpec(name, dict(required or {}), description)
    with _lock:
        old = _REGISTRY.get(name)
        if old is not None and dict(old.required) != dict(spec.required):
            raise ValueError(f"entry kind {name!r} is already registered with other fields")
        _REGISTRY.setdefault(name, spec)
    return _REGISTRY[name]


def registered_kinds() -> frozenset[str]:
    """The names of every registered kind."""
    with _lock:
        return frozenset(_REGISTRY)


def _type_name(types: tuple[type, ...]) -> str:
    names = {int: "integer", float: "number", str: "string", bool: "boolean", list: "list"}
    names[dict] = "object"
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))


def _is(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # bool is an int in Python, never in the log
        return bool in types
    return isinstance(value, types)


def validate_data(kind: str, data: Mapping[str, Any], *, where: str) -> None:
    """Check ``data`` against kind ``kind``; raise :class:`LogFormatError` naming ``where``."""
    spec = _REGISTRY.get(kind)  # one dict lookup: atomic, registration holds the lock
    if spec is None:
        known = ", ".join(sorted(registered_kinds()))
        raise UnknownKindError(f"{where}: unknown entry kind {kind!r}; known kinds: {known}")
    for name, types, exact in spec.fields:
        if name not in data:
            raise LogFormatError(f"{where}: {kind} data has no field {name!r}")
        if type(data[name]) not in exact and not _is(data[name], types):
            raise LogFormatError(
                f"{where}: {kind} field {name!r} is {data[name]!r}, expected {_type_name(types)}"
            )
    _EXTRA.get(kind, _no_extra)(data, where)


def _no_extra(data: Mapping[str, Any], where: str) -> None:
    return None


def _hex_field(data: Mapping[str, Any], name: str, pattern: re.Pattern[str], where: str) -> None:
    if not pattern.match(data[name]):
        chars = 128 if pattern is HEX128 else 64
        raise LogFormatError(
            f"{where}: field {name!r} is {data[name]!r}, expected {chars} lowercase hex digits"
        )


def _session_started(data: Mapping[str, Any], where: str) -> None:
    _hex_field(data, "public_key", HEX64, where)
    if data["key_algorithm"] != "Ed25519":
        raise LogFormatError(f"{where}: key_algorithm {data['key_algorithm']!r}, expected Ed25519")
    if not data["action_id"]:
        raise LogFormatError(f"{where}: action_id is empty")


def _segment_sealed(data: Mapping[str, Any], where: str) -> None:
    if not TRACK.match(data["track"]):
        raise LogFormatError(f"{where}: track {data['track']!r}, expected like 'witness-video'")
    if data["index"] < 0 or data["size"] < 0 or data["frames"] < 0:
        raise LogFormatError(f"{where}: index, size and frames must be >= 0")
    _hex_field(data, "sha256", HEX64, where)
    if data["end"] < data["start"]:
        raise LogFormatError(f"{where}: segment ends ({data['end']}) before it starts")
    file = data["file"]
    if (
        not file.startswith("media/")
        or file.startswith("/")
        or "\\" in file
        or any(part in ("", ".", "..") for part in file.split("/"))
    ):
        raise LogFormatError(f"{where}: file {file!r}, expected a path like media/<track>/<name>")


def _checkpoint(data: Mapping[str, Any], where: str) -> None:
    if data["tree_size"] < 1:
        raise LogFormatError(f"{where}: tree_size {data['tree_size']}, expected >= 1")
    _hex_field(data, "root", HEX64, where)
    _hex_field(data, "public_key", HEX64, where)
    _hex_field(data, "signature", HEX128, where)


def _key_rotated(data: Mapping[str, Any], where: str) -> None:
    _hex_field(data, "public_key", HEX64, where)


def _track(data: Mapping[str, Any], where: str) -> None:
    if not TRACK.match(data["track"]):
        raise LogFormatError(f"{where}: track {data['track']!r}, expected like 'witness-video'")


def _crash(data: Mapping[str, Any], where: str) -> None:
    if data["to"] < data["from"]:
        raise LogFormatError(f"{where}: crash gap ends ({data['to']}) before it starts")


_EXTRA = {
    "session_started": _session_started,
    "segment_sealed": _segment_sealed,
    "checkpoint": _checkpoint,
    "key_rotated": _key_rotated,
    "track_started": _track,
    "track_ended": _track,
    "crash_recovered": _crash,
}

_S, _I, _N, _B = (str,), (int,), _NUMBER, (bool,)

register_kind(
    "session_started",
    {"action_id": _S, "public_key": _S, "key_algorithm": _S, "format": _S},
    "first entry: the per-action Ed25519 public key",
)
register_kind("session_ended")
register_kind("participant_joined")
register_kind("participant_admitted")
register_kind("participant_left")
register_kind("participant_reconnected")
register_kind("rules_acknowledged")
register_kind("track_started", {"track": _S, "media": _S})
register_kind("track_ended", {"track": _S, "segments": _I})
register_kind(
    "segment_sealed",
    {
        "track": _S,
        "index": _I,
        "file": _S,
        "size": _I,
        "sha256": _S,
        "start": _N,
        "end": _N,
        "start_utc": _S,
        "end_utc": _S,
        "frames": _I,
        "recovered": _B,
    },
)
register_kind("identity_check")
register_kind("presence")  # face presence changes (app/core/presence.py)
register_kind("acknowledgment")
register_kind("procedural_step")
register_kind("marker", {"note": _S})
# expert annotations on stills; the data is documented in protocol/from_log.py
register_kind("annotation_saved")
register_kind("recording_paused", {"reason": _S})
register_kind("recording_resumed")
register_kind("warning", {"code": _S, "message": _S})
register_kind("checkpoint", {"tree_size": _I, "root": _S, "public_key": _S, "signature": _S})
register_kind("crash_recovered", {"from": _N, "to": _N})
register_kind("key_rotated", {"public_key": _S, "reason": _S})
register_kind("playlist_written", {"track": _S, "file": _S, "sha256": _S})
# live-session acts of participants (app/core/hub.py, app/core/guest_acts.py): stills from a
# participant's camera stored as evidence files, refused uploads, camera switches, pointer marks
# and read-back replies
register_kind("still_requested")
register_kind("still", {"file": _S, "size": _I, "sha256": _S})
register_kind("still_refused")
register_kind("still_failed")
register_kind("camera_switched")
register_kind("camera_interrupted")  # a participant's camera reconfigured (e.g. for a still)
register_kind("camera_resumed")
register_kind("pointer")
register_kind("read_back")
register_kind(
    "exhibit_shown",
    {"number": _I, "name": _S, "media": _S, "file": _S, "size": _I, "sha256": _S, "to": (list,)},
)
register_kind("exhibit_ended", {"number": _I, "reason": _S})
