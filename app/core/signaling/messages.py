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
MAX_SERVER_MESSAGE_BYTES = 1024 * 1024
LANGUAGES = ("kk", "ru", "en")

_STR = (str,)
_INT = (int,)
_BOOL = (bool,)
_LIST = (list,)
_DICT = (dict,)
_NUM = (int, float)


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
    # the guest's own acknowledgment of a text shown with ``show_text`` (purpose acknowledge):
    # the name they typed and the SHA-256 (hex) the page computed over the exact text it showed
    # (a desktop participant with a key adds ``signature``: detached CMS, base64, over that text)
    "acknowledge": _s(
        request_id=(_STR, REQ),
        typed_name=(_STR, REQ),
        text_sha256=(_STR, REQ),
        signature=(_STR, OPT),
    ),
    # the guest's answer to a read-back: acknowledged (typed name) or refused (reason), remarks
    "read_back_reply": _s(
        request_id=(_STR, REQ),
        decision=(_STR, REQ),
        remarks=(_STR, REQ),
        reason=(_STR, REQ),
        typed_name=(_STR, REQ),
        text_sha256=(_STR, REQ),
        draft_sha256=(_STR, REQ),
    ),
    # the remote-end official's answer to ``show_text`` (purpose confirm_identity): confirmed or
    # not (with a note saying why), with the official's typed name
    "confirm_reply": _s(
        request_id=(_STR, REQ), confirmed=(_BOOL, REQ), note=(_STR, REQ), typed_name=(_STR, REQ)
    ),
    # the page could not take a requested still (no camera, permission withdrawn)
    "still_failed": _s(request_id=(_STR, REQ), message=(_STR, REQ)),
    # the guest switched camera (front/rear); the same participant's recording continues
    "camera_switched": _s(facing=(_STR, REQ), label=(_STR, REQ)),
    # the page reconfigures its camera for a full-resolution still (phase start), and the live
    # video is back (phase end): the short gap in this participant's video is explained in the log
    "still_capture": _s(request_id=(_STR, REQ), phase=(_STR, REQ)),
    # a desktop participant's answer to ``identity_challenge``: a detached CMS signature (base64)
    # over the challenge's canonical bytes, made with their PKCS#12 key ("" = no key to sign with)
    "identity_response": _s(request_id=(_STR, REQ), signature=(_STR, REQ)),
    # an expert or specialist asks for a full-resolution scene still from the camera of
    # ``participant_id`` (someone their media policy lets them see) → ``act_result``
    "request_still": _s(request_id=(_STR, REQ), participant_id=(_STR, REQ), caption=(_STR, REQ)),
    # an expert's annotation of a gallery still: shapes in the still's pixels
    # (app.core.annotations: arrow/rect with 2 points, text with 1 point and text) → ``act_result``
    "annotation": _s(
        request_id=(_STR, REQ),
        still_sha256=(_STR, REQ),
        shapes=(_LIST, REQ),
        note=(_STR, REQ),
    ),
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
    # a procedure text for the guest to read: acknowledge it, or (read_back) confirm the draft
    "show_text": _s(
        request_id=(_STR, REQ),
        purpose=(_STR, REQ),
        step=(_STR, REQ),
        title=(_STR, REQ),
        text=(_STR, REQ),
        draft=(_STR, OPT),
    ),
    # ``code`` names why an act was not accepted, so the page can say it in the guest's language
    "act_result": _s(
        request_id=(_STR, REQ), ok=(_BOOL, REQ), message=(_STR, REQ), code=(_STR, OPT)
    ),
    # take a full-resolution still and POST it to ``upload_url`` with ``ticket`` (see docs)
    "capture_still": _s(
        request_id=(_STR, REQ),
        kind=(_STR, REQ),
        caption=(_STR, REQ),
        upload_url=(_STR, REQ),
        ticket=(_STR, REQ),
    ),
    "still_stored": _s(
        request_id=(_STR, REQ), sha256=(_STR, REQ), width=(_INT, REQ), height=(_INT, REQ)
    ),
    # sign this challenge (app.core.identity.Challenge fields) to prove who you are
    "identity_challenge": _s(
        request_id=(_STR, REQ),
        action_id=(_STR, REQ),
        participant_id=(_STR, REQ),
        nonce=(_STR, REQ),
        issued_utc=(_STR, REQ),
    ),
    # a still of the action's gallery this expert/specialist may see: GET ``url`` with header
    # X-Tergeu-Ticket: ``ticket`` (theirs alone), and check the bytes against ``sha256``
    "still_available": _s(
        number=(_INT, REQ),
        sha256=(_STR, REQ),
        participant_id=(_STR, REQ),
        caption=(_STR, REQ),
        width=(_INT, REQ),
        height=(_INT, REQ),
        taken_utc=(_STR, REQ),
        media_type=(_STR, REQ),
        url=(_STR, REQ),
        ticket=(_STR, REQ),
    ),
    # the still asked for with ``request_still`` (this ``request_id``) could not be taken or sent
    "still_not_taken": _s(request_id=(_STR, REQ), message=(_STR, REQ)),
    # the exhibit slot (the hub's last audio+video pair) carries exhibit ``number`` (``title``:
    # typed by the investigator, by default its file name) while ``active``; false: nothing
    "exhibit": _s(active=(_BOOL, REQ), number=(_INT, OPT), title=(_STR, OPT)),
    # a temporary marker over the participant's own camera view (x, y: 0..1 of the picture)
    "pointer": _s(x=(_NUM, REQ), y=(_NUM, REQ), seconds=(_NUM, REQ), label=(_STR, OPT)),
    "error": _s(
        code=(_STR, REQ), message=(_STR, REQ), fatal=(_BOOL, REQ), attempts_left=(_INT, OPT)
    ),
}

_PIN = re.compile(r"[0-9]{6}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_TEXT_CHARS = 2000  # typed names, remarks, reasons
MAX_CAPTION_CHARS = 500  # still captions (as app.core.hub.Hub.request_still allows)
MAX_SHAPES = 200  # shapes in one annotation
FACINGS = ("user", "environment", "unknown")
DECISIONS = ("acknowledged", "refused")


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
    request_id = msg.get("request_id")
    if request_id is not None and not _REQUEST_ID.fullmatch(request_id):
        raise ProtocolViolation(
            "bad_value", f"{msg.type}: request_id must be 1-64 letters, digits, '-' or '_'"
        )
    for name in ("text_sha256", "draft_sha256", "still_sha256", "sha256"):
        value = msg.get(name)
        if value is not None and not _SHA256.fullmatch(value):
            raise ProtocolViolation(
                "bad_value", f"{msg.type}: {name} must be 64 lower-case hex digits (SHA-256)"
            )
    for name in ("typed_name", "remarks", "reason", "message", "label", "note"):
        value = msg.get(name)
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            raise ProtocolViolation(
                "bad_value",
                f"{msg.type}: field {name!r} has {len(value)} characters; "
                f"at most {MAX_TEXT_CHARS} allowed",
            )
    if msg.type == "read_back_reply" and msg["decision"] not in DECISIONS:
        raise ProtocolViolation(
            "bad_value",
            f"read_back_reply: decision {msg['decision']!r} is not one of {', '.join(DECISIONS)}",
        )
    if msg.type == "still_capture" and msg["phase"] not in ("start", "end"):
        raise ProtocolViolation(
            "bad_value", f"still_capture: phase {msg['phase']!r} is not one of start, end"
        )
    if msg.type == "camera_switched" and msg["facing"] not in FACINGS:
        raise ProtocolViolation(
            "bad_value",
            f"camera_switched: facing {msg['facing']!r} is not one of {', '.join(FACINGS)}",
        )
    if msg.type in ("request_still", "still_available"):
        _check_caption(msg)
    if msg.type == "request_still" and not _REQUEST_ID.fullmatch(msg["participant_id"]):
        raise ProtocolViolation(
            "bad_value",
            f"request_still: participant_id {msg['participant_id'][:80]!r} is not a "
            "participant id (1-64 letters, digits, '-' or '_')",
        )
    if msg.type == "annotation":
        shapes = msg["shapes"]
        if not 1 <= len(shapes) <= MAX_SHAPES:
            raise ProtocolViolation(
                "bad_value",
                f"annotation: {len(shapes)} shapes; expected 1 to {MAX_SHAPES}",
            )
        for i, shape in enumerate(shapes):
            if not isinstance(shape, dict):
                raise ProtocolViolation(
                    "bad_value",
                    f"annotation: shapes[{i}] must be an object "
                    "{kind, points, text?}, got " + _json_type(shape),
                )
    if msg.type == "answer" and not msg["sdp"].startswith("v=0"):
        raise ProtocolViolation("bad_sdp", "answer: sdp must be an SDP text starting with 'v=0'")


def _check_caption(msg: Message) -> None:
    caption = msg["caption"]
    if not caption.strip() or len(caption) > MAX_CAPTION_CHARS:
        raise ProtocolViolation(
            "bad_value",
            f"{msg.type}: caption has {len(caption)} characters; expected 1 to "
            f"{MAX_CAPTION_CHARS}, not blank",
        )


def parse_message(
    raw: str | bytes,
    *,
    allowed: Mapping[str, Schema] = CLIENT_MESSAGES,
    limit: int = MAX_MESSAGE_BYTES,
) -> Message:
    """Parse one wire message strictly; raise :class:`ProtocolViolation` naming the problem.

    ``limit`` is :data:`MAX_MESSAGE_BYTES` for what clients send; a client reading the server's
    messages allows :data:`MAX_SERVER_MESSAGE_BYTES` (a read-back draft can be long).
    """
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > limit:
        raise ProtocolViolation(
            "too_large", f"message of {size} bytes exceeds the limit of {limit} bytes"
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
