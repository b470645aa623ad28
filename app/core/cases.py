"""Case-level rules the app applies before anything reaches the database."""

from __future__ import annotations

import re

from app.core.errors import TergeuError

# The ERDR number's structure is not public (DOMAIN §3): an opaque digit string checked by a
# configurable pattern.
DEFAULT_ERDR_PATTERN = r"\d{12,16}"


def check_erdr_number(value: str, pattern: str = DEFAULT_ERDR_PATTERN) -> str:
    """Return ``value`` if it is an ERDR registration number, else raise naming the rule."""
    if not re.fullmatch(pattern, value):
        raise TergeuError(
            f"invalid ERDR number {value!r}: expected digits only, matching {pattern} "
            "(12 to 16 digits by default)"
        )
    return value


def check_iin(value: str) -> str:
    """Return ``value`` if it is a valid IIN (check digit, birth date), else raise naming why."""
    from protocol.identifiers import IdentifierError, parse_iin

    try:
        return parse_iin(value).value
    except IdentifierError as e:
        raise TergeuError(str(e)) from e
