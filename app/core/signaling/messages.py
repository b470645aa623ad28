"""Signaling message protocol, version 1: JSON objects with a ``type`` field, strictly validated.

Every message is one WebSocket text frame of at most :data:`MAX_MESSAGE_BYTES` UTF-8 bytes holding
one JSON object. Its ``type`` selects a schema in :data:`CLIENT_MESSAGES` (client → server) or
:data:`SERVER_MESSAGES` (server → client); required fields must be present with the right JSON type
and unknown fields are rejected. ``docs/live-sessions.md`` documents each message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.signaling.errors import ProtocolViolation

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
LANGUAGES = ("kk", "ru", "en")

_STR = (str,)
_INT = (int,)
_BOOL = (bool,)
_LIST = (list,)
_DICT = (dict,)


@dataclass(frozen=True)
class Schema:
    """Fields of one message type: name → (allowed JSON types, required)."""

    fields: Mapping[str, tuple[tuple[type, ...], bool]]


def _s(**fields: tuple[tuple[type, ...], bool]) -> Schema:
    return Schema(fields)


REQ, OPT = True, False

CLIENT_MESSAGES: Mapping[str, Schema] = {
    # first message with an invite token taken from the link's fragment
    "hello": _s(protocol=(_INT, REQ), action=(_STR, REQ), token=(_STR, REQ)),
    # first message of a reconnect with the credential issued at admission
    "resume": _s(protocol=(_INT, REQ), action=(_STR, REQ), credential=(_STR, REQ)),
    # the PIN, after the confidentiality rules were acknowledged in ``language``
    "pin": _s(pin=(_STR, REQ), acknowledged=(_BOOL, REQ), language=(_STR, REQ)),
    "answer": _s(sdp=(_STR, REQ)),
    "leave": _s(),
    "ping": _s(),
}

SERVER_MESSAGES: Mapping[str, Schema] = {
    "invite": _s(
        participant_id=(_STR, REQ),
        role=(_STR, REQ),
        display_name=(_STR, REQ),
        action_title=(_STR, REQ),
        attempts_left=(_INT, REQ),
    ),
    "lobby": _s(),
    "admitted": _s(credential=(_STR, OPT), ice_servers=(_LIST, REQ), resumed=(_BOOL, REQ)),
    "declined": _s(reason=(_STR, REQ)),
    "offer": _s(sdp=(_STR, REQ)),
    "roster": _s(slots=(_LIST, REQ)),
    "recording": _s(active=(_BOOL, REQ)),
    "bye": _s(reason=(_STR, REQ)),
    "pong": _s(),
    "error": _s(
        code=(_STR, REQ), message=(_STR, REQ), fatal=(_BOOL, REQ), attempts_left=(_INT, OPT)
    ),
}

_PIN = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Message:
    """One validated message: its ``type`` and its other fields."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        schemas = {**CLIENT_MESSAGES, **SERVER_MESSAGES}
        if self.type not in schemas:
            raise ProtocolViolation("unknown_type", f"unknown message type {self.type!r}")
        _check_fields(self.type, dict(self.data), schemas[self.type])

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def encode(self) -> str:
        """The wire form: one compact JSON object."""
        return json.dumps(
            {"type": self.type, **self.data}, ensure_ascii=False, separators=(",", ":")
        )


def _json_type(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _check_fields(kind: str, data: dict[str, Any], schema: Schema) -> None:
    unknown = sorted(set(data) - set(schema.fields))
    if unknown:
        raise ProtocolViolation(
            "unknown_field",
            f"{kind}: unknown field {unknown[0]!r}; allowed: {', '.join(schema.fields) or 'none'}",
        )
    for name, (types, required) in schema.fields.items():
        if name not in data:
            if required:
                raise ProtocolViolation("missing_field", f"{kind}: required field {name!r} missing")
            continue
        value = data[name]
        # bool is an int in Python but not in JSON
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            wanted = "/".join(_json_type(t()) for t in types)
            raise ProtocolViolation(
                "wrong_type", f"{kind}: field {name!r} must be {wanted}, got {_json_type(value)}"
            )


def _check_values(msg: Message) -> None:
    if msg.type in ("hello", "resume") and msg["protocol"] != PROTOCOL_VERSION:
        raise ProtocolViolation(
            "unsupported_protocol",
            f"protocol version {msg['protocol']} is not supported; this server speaks "
            f"{PROTOCOL_VERSION}",
        )
    if msg.type == "pin":
        if not _PIN.fullmatch(msg["pin"]):
            raise ProtocolViolation("bad_pin_format", "pin: expected exactly 6 digits")
        if msg["language"] not in LANGUAGES:
            raise ProtocolViolation(
                "bad_language", f"pin: language {msg['language']!r} is not one of kk, ru, en"
            )
    for name in ("token", "credential", "action"):
        value = msg.get(name)
        if value is not None and not 1 <= len(value) <= 200:
            raise ProtocolViolation("bad_value", f"{msg.type}: field {name!r} has a bad length")
    if msg.type == "answer" and not msg["sdp"].startswith("v=0"):
        raise ProtocolViolation("bad_sdp", "answer: sdp must be an SDP text starting with 'v=0'")


def parse_message(raw: str | bytes, *, allowed: Mapping[str, Schema] = CLIENT_MESSAGES) -> Message:
    """Parse one wire message strictly; raise :class:`ProtocolViolation` naming the problem."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolViolation(
            "too_large", f"message of {size} bytes exceeds the limit of {MAX_MESSAGE_BYTES} bytes"
        )
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ProtocolViolation("not_json", f"message is not valid JSON ({e})") from e
    if not isinstance(value, dict):
        raise ProtocolViolation(
            "not_object", f"message must be a JSON object, got {_json_type(value)}"
        )
    kind = value.pop("type", None)
    if not isinstance(kind, str):
        raise ProtocolViolation("missing_type", "message has no string field 'type'")
    if kind not in allowed:
        raise ProtocolViolation(
            "unknown_type", f"unknown message type {kind!r}; expected one of {', '.join(allowed)}"
        )
    msg = Message(kind, value)
    _check_values(msg)
    return msg


def error(
    code: str, message: str, *, fatal: bool = False, attempts_left: int | None = None
) -> Message:
    """An ``error`` message for the client."""
    data: dict[str, Any] = {"code": code, "message": message, "fatal": fatal}
    if attempts_left is not None:
        data["attempts_left"] = attempts_left
    return Message("error", data)
