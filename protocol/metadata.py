"""protocol.json: the protocol as canonical JSON (RFC 8785), its strict reader and its schema.

The encoding follows the model's fields one to one (names unchanged), plus two keys at the top:
``schema_version`` (1) and ``utc_offset`` (the local offset at the start, e.g. ``+05:00``, with the
IANA zone in ``action.timezone``). Times are UTC strings ``2026-11-27T05:00:00.000000Z``, dates
``YYYY-MM-DD``, tuples JSON arrays, absent optional values ``null``. Every field is always written,
so a reader can require all of them. The JSON Schema ``resources/schemas/protocol-1.schema.json``
is generated from the same field definitions (:func:`protocol_schema`) and a test keeps the
committed file equal to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
import typing
from functools import cache
from typing import Any

import jsonschema

import resources
from protocol.case import DEFAULT_ERDR_PATTERN
from protocol.model import Protocol
from protocol.model_base import ProtocolModelError, hints
from recorder.canonical import CanonicalJSONError, canonical_json, parse_json_object
from recorder.clock import format_utc, parse_utc

SCHEMA_VERSION = 1
SCHEMA_ID = "https://tergeu.kz/schemas/protocol-1.schema.json"
SCHEMA_FILE = ("schemas", "protocol-1.schema.json")
UTC_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
OFFSET_PATTERN = r"^[+-]\d{2}:\d{2}$"
_TOP = {"schema_version", "utc_offset"}


def _json_fields(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.metadata.get("json", True)]


def _optional_inner(tp: Any) -> Any | None:
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        args = typing.get_args(tp)
        if type(None) in args:
            (inner,) = [a for a in args if a is not type(None)]
            return inner
    return None


# --- encoding -------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in _json_fields(type(value))}
    if isinstance(value, dt.datetime):
        return format_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def protocol_to_dict(protocol: Protocol) -> dict[str, Any]:
    """The protocol as a JSON-ready dict (the content of protocol.json)."""
    out: dict[str, Any] = _encode(protocol)
    out["schema_version"] = SCHEMA_VERSION
    out["utc_offset"] = protocol.action.utc_offset
    return out


def protocol_to_json(protocol: Protocol) -> bytes:
    """protocol.json: canonical JSON (RFC 8785) bytes of ``protocol``."""
    return canonical_json(protocol_to_dict(protocol))


# --- strict decoding ------------------------------------------------------------------------


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _decode(value: Any, tp: Any, path: str, ctx: dict[str, Any]) -> Any:
    inner = _optional_inner(tp)
    if inner is not None:
        return None if value is None else _decode(value, inner, path, ctx)
    origin = typing.get_origin(tp)
    if origin is tuple:
        if not isinstance(value, list):
            raise ProtocolModelError(path, value, "expected a JSON array")
        (item,) = typing.get_args(tp)[:1]
        return tuple(_decode(v, item, f"{path}[{i}]", ctx) for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ProtocolModelError(path, value, "expected a JSON object")
        return dict(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_object(value, tp, path, ctx)
    if tp is dt.datetime:
        if not isinstance(value, str) or not re.fullmatch(UTC_PATTERN, value):
            raise ProtocolModelError(
                path, value, "expected a UTC time like 2026-11-27T05:00:00.000000Z"
            )
        return parse_utc(value, what=path).astimezone(ctx["zone"])
    if tp is dt.date:
        try:
            if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ProtocolModelError(path, value, "expected a date YYYY-MM-DD") from None
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value  # str, int, bool: the model checks the type


def _decode_object(value: Any, cls: type, path: str, ctx: dict[str, Any]) -> Any:
    if not isinstance(value, dict):
        raise ProtocolModelError(path or "protocol.json", value, "expected a JSON object")
    fields = _json_fields(cls)
    names = {f.name for f in fields}
    allowed = names | (_TOP if cls is Protocol else set())
    for key in value:
        if key not in allowed:
            raise ProtocolModelError(_at(path, key), value[key], "unknown field")
    for name in sorted(allowed):
        if name not in value:
            raise ProtocolModelError(_at(path, name), None, "missing field")
    kwargs: dict[str, Any] = {}
    for f in fields:
        kwargs[f.name] = _decode(value[f.name], hints(cls)[f.name], _at(path, f.name), ctx)
    if cls.__name__ == "Case":
        kwargs["erdr_pattern"] = ctx["erdr_pattern"]
    try:
        return cls(**kwargs)
    except ProtocolModelError as e:
        raise e.under(path) from None


def protocol_from_dict(
    data: dict[str, Any], *, erdr_pattern: str = DEFAULT_ERDR_PATTERN
) -> Protocol:
    """Build a :class:`Protocol` from decoded protocol.json strictly (see protocol_from_json)."""
    import zoneinfo

    if data.get("schema_version") != SCHEMA_VERSION:
        raise ProtocolModelError(
            "schema_version", data.get("schema_version"), f"expected {SCHEMA_VERSION}"
        )
    tz = data.get("action", {}).get("timezone") if isinstance(data.get("action"), dict) else None
    try:
        zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ProtocolModelError("action.timezone", tz, "unknown IANA time zone") from None
    ctx = {"zone": zone, "erdr_pattern": erdr_pattern}
    protocol: Protocol = _decode_object(data, Protocol, "", ctx)
    if data["utc_offset"] != protocol.action.utc_offset:
        raise ProtocolModelError(
            "utc_offset",
            data["utc_offset"],
            f"{protocol.action.timezone} is {protocol.action.utc_offset} at the start",
        )
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:  # the model's checks come first; this catches any rule only the schema states
        err = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        raise ProtocolModelError(where.lstrip(".") or "protocol.json", err.instance, err.message)
    return protocol


def protocol_from_json(data: bytes, *, erdr_pattern: str = DEFAULT_ERDR_PATTERN) -> Protocol:
    """Read protocol.json strictly: unknown, missing or invalid fields raise
    :class:`ProtocolModelError` naming the JSON path (``participants[1].iin``)."""
    try:
        obj = parse_json_object(data, what="protocol.json")
    except CanonicalJSONError as e:
        raise ProtocolModelError("protocol.json", data[:40], str(e)) from e
    return protocol_from_dict(obj, erdr_pattern=erdr_pattern)


# --- JSON Schema ----------------------------------------------------------------------------


def _schema_of(tp: Any, md: Any, defs: dict[str, Any]) -> dict[str, Any]:
    inner = _optional_inner(tp)
    if inner is not None:
        return {"anyOf": [_schema_of(inner, md, defs), {"type": "null"}]}
    origin = typing.get_origin(tp)
    if origin is tuple:
        return {"type": "array", "items": _schema_of(typing.get_args(tp)[0], md, defs)}
    if origin is dict:
        return {
            "type": "object",
            "propertyNames": {"pattern": md["pattern"]},
            "additionalProperties": {"type": "integer", "minimum": 0},
        }
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # reserve before recursing
            fields = _json_fields(tp)
            defs[name] = {
                "type": "object",
                "additionalProperties": False,
                "required": [f.name for f in fields],
                "properties": {
                    f.name: _schema_of(hints(tp)[f.name], f.metadata, defs) for f in fields
                },
            }
        return {"$ref": f"#/$defs/{name}"}
    if tp is dt.datetime:
        return {"type": "string", "pattern": UTC_PATTERN}
    if tp is dt.date:
        return {"type": "string", "pattern": DATE_PATTERN}
    if tp is str:
        out: dict[str, Any] = {"type": "string"}
        if "enum" in md:
            out["enum"] = list(md["enum"])
        if "pattern" in md:
            out["pattern"] = md["pattern"]
        if not md.get("blank") and "enum" not in md:
            out["minLength"] = 1
        return out
    if tp in (int, float):
        out = {"type": "integer" if tp is int else "number"}
        if "min" in md:
            out["minimum"] = md["min"]
        return out
    if tp is bool:
        return {"type": "boolean"}
    raise TypeError(f"no schema for {tp!r}")


def protocol_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of protocol.json, generated from the model's fields."""
    defs: dict[str, Any] = {}
    root = _schema_of(Protocol, {}, defs)
    top = dict(defs.pop("Protocol"))
    assert root == {"$ref": "#/$defs/Protocol"}
    top["properties"] = {
        "schema_version": {"const": SCHEMA_VERSION},
        "utc_offset": {"type": "string", "pattern": OFFSET_PATTERN},
        **top["properties"],
    }
    top["required"] = ["schema_version", "utc_offset", *top["required"]]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Tergeu electronic protocol (protocol.json), version 1",
        **top,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as it is committed (2-space indented JSON with a final newline)."""
    return json.dumps(protocol_schema(), ensure_ascii=False, indent=2) + "\n"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resources.path(*SCHEMA_FILE).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def schema_errors(data: dict[str, Any]) -> list[str]:
    """Messages of every place ``data`` breaks the committed schema (empty when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in _validator().iter_errors(data)
    ]


if __name__ == "__main__":  # regenerate the committed schema
    resources.path(*SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
