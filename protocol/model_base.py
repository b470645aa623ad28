"""Shared pieces of the protocol model: the error type and the field checks.

Every value type of the protocol is a frozen dataclass checked in ``__post_init__``; a failed check
raises :class:`ProtocolModelError` whose message names the field, the value and the rule:
``iin: '061211600013' — check digit is 3, expected 2``. The JSON reader prefixes the path
(``participants[1].iin: …``).

Field metadata read by the JSON codec and the schema generator:
``enum`` (allowed strings), ``pattern`` (regular expression for strings), ``min`` (numbers),
``blank`` (an empty string is allowed; otherwise strings must not be blank).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from protocol.errors import ProtocolError

SHA256_HEX = r"^[0-9a-f]{64}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class ProtocolModelError(ProtocolError):
    """A protocol value breaks a rule; ``path`` names the field (``participants[1].iin``)."""

    def __init__(self, path: str, value: Any, rule: str) -> None:
        self.path = path
        self.value = value
        self.rule = rule
        super().__init__(f"{path}: {value!r} — {rule}")

    def under(self, prefix: str) -> ProtocolModelError:
        """The same error with ``prefix`` put before its path (``participants[1]`` + ``iin``)."""
        if not prefix:
            return self
        sep = "" if self.path.startswith("[") or not self.path else "."
        return ProtocolModelError(f"{prefix}{sep}{self.path}", self.value, self.rule)


def rules(
    *,
    enum: Iterable[str] | None = None,
    pattern: str | None = None,
    minimum: float | None = None,
    blank: bool = False,
) -> dict[str, Any]:
    """Field metadata: the rules the model, the codec and the schema share.

    Use as ``field(metadata=rules(enum=ROLES))``. ``blank`` allows an empty string (plain
    string fields are non-blank otherwise).
    """
    md: dict[str, Any] = {"blank": True} if blank else {}
    if enum is not None:
        md["enum"] = tuple(enum)
    if pattern is not None:
        md["pattern"] = pattern
    if minimum is not None:
        md["min"] = minimum
    return md


def check_text(name: str, value: Any, *, required: bool = True) -> None:
    """A string; non-blank when ``required``."""
    if not isinstance(value, str):
        raise ProtocolModelError(name, value, "expected a string")
    if required and not value.strip():
        raise ProtocolModelError(name, value, "must not be empty")


def check_enum(name: str, value: Any, allowed: Iterable[str]) -> None:
    """One of ``allowed``."""
    options = tuple(allowed)
    if value not in options:
        raise ProtocolModelError(name, value, "expected one of " + ", ".join(options))


def check_pattern(name: str, value: Any, pattern: str, rule: str = "") -> None:
    """A string matching ``pattern``."""
    if not isinstance(value, str) or not re.search(pattern, value):
        raise ProtocolModelError(name, value, rule or f"expected to match {pattern}")


def check_aware(name: str, value: Any) -> None:
    """A timezone-aware datetime."""
    if not isinstance(value, dt.datetime):
        raise ProtocolModelError(name, value, "expected a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ProtocolModelError(name, value, "expected a timezone-aware time")


def check_tuple(name: str, value: Any, item_type: type | tuple[type, ...]) -> None:
    """A tuple whose items are all ``item_type``."""
    if not isinstance(value, tuple):
        raise ProtocolModelError(name, value, "expected a tuple")
    for i, item in enumerate(value):
        if not isinstance(item, item_type):
            names = item_type if isinstance(item_type, tuple) else (item_type,)
            raise ProtocolModelError(
                f"{name}[{i}]", item, "expected " + " or ".join(t.__name__ for t in names)
            )


def check_instance(name: str, value: Any, kind: type, *, optional: bool = False) -> None:
    """An instance of ``kind`` (or ``None`` when ``optional``)."""
    if optional and value is None:
        return
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ProtocolModelError(name, value, f"expected {kind.__name__}")


def check_number(name: str, value: Any, *, minimum: float = 0.0) -> None:
    """An int or float (not bool), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolModelError(name, value, "expected a number")
    if value < minimum:
        raise ProtocolModelError(name, value, f"expected at least {minimum:g}")


def check_order(name: str, first: dt.datetime, then: dt.datetime, what: str) -> None:
    """``then`` is not before ``first``."""
    if then < first:
        raise ProtocolModelError(name, then.isoformat(), f"is before {what} {first.isoformat()}")


# --- generic field checks driven by the annotations ------------------------------------------

_HINTS: dict[type, dict[str, Any]] = {}


def hints(cls: type) -> dict[str, Any]:
    """The resolved type annotations of dataclass ``cls`` (cached)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def check_value(path: str, value: Any, tp: Any, md: Mapping[str, Any]) -> None:
    """Check ``value`` against annotation ``tp`` and field metadata ``md`` (enum, pattern, min)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return
        (inner,) = [a for a in args if a is not type(None)]
        check_value(path, value, inner, md)
        return
    if origin is tuple:
        check_tuple(path, value, object)
        for i, item in enumerate(value):
            check_value(f"{path}[{i}]", item, args[0], md)
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise ProtocolModelError(path, value, "expected a mapping")
        for k, v in value.items():
            check_pattern(f"{path} key", k, md.get("pattern", ID_PATTERN))
            check_value(f"{path}[{k!r}]", v, args[1], {"min": 0})
        return
    if tp is str:
        check_text(path, value, required=not md.get("blank", False))
        if "enum" in md:
            check_enum(path, value, md["enum"])
        if "pattern" in md:
            check_pattern(path, value, md["pattern"])
        return
    if tp is dt.datetime:
        check_aware(path, value)
        return
    if tp is dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ProtocolModelError(path, value, "expected a date")
        return
    if tp in (int, float):
        if tp is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ProtocolModelError(path, value, "expected an integer")
        check_number(path, value, minimum=md.get("min", -math.inf))
        if isinstance(value, float) and not math.isfinite(value):
            raise ProtocolModelError(path, value, "expected a finite number")
        return
    if tp is bool:
        if not isinstance(value, bool):
            raise ProtocolModelError(path, value, "expected true or false")
        return
    check_instance(path, value, tp)


def validate_fields(obj: Any) -> None:
    """Check every field of dataclass ``obj`` against its annotation and metadata."""
    for f in dataclasses.fields(obj):
        check_value(f.name, getattr(obj, f.name), hints(type(obj))[f.name], f.metadata)


def nested(name: str, items: Iterable[Any], check: Callable[[Any], None]) -> None:
    """Run ``check`` on each item, prefixing errors with ``name[i]``."""
    for i, item in enumerate(items):
        try:
            check(item)
        except ProtocolModelError as e:
            raise e.under(f"{name}[{i}]") from None
