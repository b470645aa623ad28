"""Kazakh identifiers and passport machine-readable zones (DOMAIN §3).

* IIN (individual identification number): ``YYMMDD`` birth date, a century/sex digit, a serial and
  a check digit computed with two weight sets.
* BIN (business identification number): ``YYMM``, a type digit, an attribute digit, a serial and
  the same check digit.
* MRZ of ICAO 9303 travel documents: TD1 (ID card, 3 lines of 30) and TD3 (passport, 2 lines of
  44), every check digit verified.

Every parser returns a frozen value with the parsed facts (birth date, sex) so callers can
cross-check an IIN against a document or a certificate. Errors name the value and the rule.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from protocol.errors import ProtocolError

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Seventh IIN digit: century of birth and sex (odd = male).
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}

_BIN_TYPES = {"4": "resident", "5": "non-resident", "6": "joint individual entrepreneurship"}
_BIN_ATTRIBUTES = {"0": "head office", "1": "branch", "2": "representative office", "3": "farm"}


class IdentifierError(ProtocolError):
    """An IIN, BIN or MRZ that is malformed or fails its check digit."""


def kz_check_digit(first11: str) -> int | None:
    """The IIN/BIN check digit of the first 11 digits, or ``None`` if the number cannot have one.

    ``s = Σ dᵢ·wᵢ mod 11`` with weights 1..11; if that is 10, the weights 3..11,1,2; if that is
    10 again, no check digit exists and the number is invalid.
    """
    digits = [int(c) for c in first11]
    s = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=True)) % 11
    if s == 10:
        s = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=True)) % 11
        if s == 10:
            return None
    return s


def _check_12_digits(value: object, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\d{12}", value):
        raise IdentifierError(f"invalid {what} {value!r}: expected exactly 12 digits")
    expected = kz_check_digit(value[:11])
    if expected is None:
        raise IdentifierError(
            f"invalid {what} {value!r}: no check digit exists for the first 11 digits "
            "(both weight sets give 10)"
        )
    if int(value[11]) != expected:
        raise IdentifierError(
            f"invalid {what} {value!r}: check digit is {value[11]}, expected {expected}"
        )
    return value


@dataclass(frozen=True)
class IIN:
    """A valid IIN with its birth date and sex."""

    value: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def parse_iin(value: object) -> IIN:
    """Parse and validate an IIN: 12 digits, check digit, century/sex digit, real birth date."""
    text = _check_12_digits(value, "IIN")
    century_digit = int(text[6])
    if century_digit not in _CENTURY:
        raise IdentifierError(
            f"invalid IIN {text!r}: century/sex digit (7th) is {century_digit}, expected 1 to 6"
        )
    year = _CENTURY[century_digit] + int(text[0:2])
    try:
        birth = dt.date(year, int(text[2:4]), int(text[4:6]))
    except ValueError as e:
        raise IdentifierError(
            f"invalid IIN {text!r}: birth date {year:04d}-{text[2:4]}-{text[4:6]} "
            f"does not exist ({e})"
        ) from e
    return IIN(text, birth, "M" if century_digit % 2 == 1 else "F")


def iin_problem(value: object) -> str | None:
    """Why ``value`` is not a valid IIN (the rule it breaks), or ``None`` if it is valid."""
    try:
        parse_iin(value)
    except IdentifierError as e:
        return str(e).split(": ", 1)[-1]
    return None


@dataclass(frozen=True)
class BIN:
    """A valid BIN with its registration month, entity type and attribute."""

    value: str
    registered: tuple[int, int]  # (year, month)
    entity_type: str
    attribute: str


def parse_bin(value: object) -> BIN:
    """Parse and validate a BIN: 12 digits, check digit, month, type and attribute digits."""
    text = _check_12_digits(value, "BIN")
    month = int(text[2:4])
    if not 1 <= month <= 12:
        raise IdentifierError(
            f"invalid BIN {text!r}: month (digits 3-4) is {month}, expected 01-12"
        )
    if text[4] not in _BIN_TYPES:
        raise IdentifierError(
            f"invalid BIN {text!r}: type digit (5th) is {text[4]}, expected 4, 5 or 6"
        )
    if text[5] not in _BIN_ATTRIBUTES:
        raise IdentifierError(
            f"invalid BIN {text!r}: attribute digit (6th) is {text[5]}, expected 0 to 3"
        )
    # Two-digit year: registrations started in the 2000s.
    return BIN(text, (2000 + int(text[0:2]), month), _BIN_TYPES[text[4]], _BIN_ATTRIBUTES[text[5]])


# --- MRZ (ICAO 9303) ---------------------------------------------------------------------------

_MRZ_CHARS = re.compile(r"[A-Z0-9<]+")


def mrz_check_digit(field: str) -> int:
    """ICAO 9303 check digit: 0-9 → 0-9, A-Z → 10-35, ``<`` → 0; weights 7, 3, 1; sum mod 10."""
    total = 0
    for i, c in enumerate(field):
        if c.isdigit():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - ord("A") + 10
        elif c == "<":
            v = 0
        else:
            raise IdentifierError(f"invalid MRZ character {c!r} in {field!r}: expected A-Z, 0-9, <")
        total += v * (7, 3, 1)[i % 3]
    return total % 10


@dataclass(frozen=True)
class MRZ:
    """The parsed machine-readable zone of an ID card (TD1) or passport (TD3)."""

    format: str  # "TD1" or "TD3"
    document_type: str
    issuing_state: str
    document_number: str
    birth_date: dt.date
    sex: str  # "M", "F" or "X" (unspecified)
    expiry_date: dt.date
    nationality: str
    surname: str
    given_names: str
    optional_data: str  # TD1: optional 1 + optional 2; TD3: personal number


def _check(field: str, digit: str, name: str) -> None:
    if digit == "<" and set(field) == {"<"}:
        return  # an absent optional field may carry a filler instead of a check digit
    if not digit.isdigit():
        raise IdentifierError(f"invalid MRZ: {name} check digit is {digit!r}, expected a digit")
    expected = mrz_check_digit(field)
    if int(digit) != expected:
        raise IdentifierError(
            f"invalid MRZ: {name} {field!r} has check digit {digit}, expected {expected}"
        )


def _mrz_date(text: str, name: str, *, future: bool, today: dt.date) -> dt.date:
    if not re.fullmatch(r"\d{6}", text):
        raise IdentifierError(f"invalid MRZ: {name} {text!r} is not YYMMDD")
    yy, mm, dd = int(text[0:2]), int(text[2:4]), int(text[4:6])
    # Two-digit years: birth dates are never in the future; expiry dates within 50 years ahead.
    pivot = today.year % 100
    century = today.year - pivot
    if future:
        year = century + yy if yy <= pivot + 50 else century - 100 + yy
    else:
        year = century + yy if yy <= pivot else century - 100 + yy
    try:
        return dt.date(year, mm, dd)
    except ValueError as e:
        raise IdentifierError(f"invalid MRZ: {name} {text!r} is not a real date ({e})") from e


def _sex(c: str) -> str:
    if c == "<":
        return "X"
    if c not in ("M", "F"):
        raise IdentifierError(f"invalid MRZ: sex is {c!r}, expected M, F or <")
    return c


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def parse_mrz(lines: str | list[str] | tuple[str, ...], *, today: dt.date | None = None) -> MRZ:
    """Parse a TD1 (3×30) or TD3 (2×44) MRZ and verify every check digit.

    ``lines`` is the MRZ as a list of lines or one string with newlines. ``today`` resolves
    two-digit years (defaults to the current date).
    """
    rows = lines.split() if isinstance(lines, str) else [ln.strip() for ln in lines]
    ref = today or dt.date.today()
    for n, row in enumerate(rows, 1):
        if not _MRZ_CHARS.fullmatch(row):
            raise IdentifierError(f"invalid MRZ line {n} {row!r}: expected only A-Z, 0-9 and <")
    shape = tuple(len(r) for r in rows)
    if shape == (30, 30, 30):
        return _parse_td1(rows, ref)
    if shape == (44, 44):
        return _parse_td3(rows, ref)
    raise IdentifierError(
        f"invalid MRZ: {len(rows)} lines of lengths {list(shape)}, "
        "expected TD1 (3 lines of 30) or TD3 (2 lines of 44)"
    )


def _parse_td1(rows: list[str], today: dt.date) -> MRZ:
    l1, l2, l3 = rows
    _check(l1[5:14], l1[14], "document number")
    _check(l2[0:6], l2[6], "birth date")
    _check(l2[8:14], l2[14], "expiry date")
    composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    _check(composite, l2[29], "composite")
    surname, given = _names(l3)
    return MRZ(
        format="TD1",
        document_type=l1[0:2].replace("<", ""),
        issuing_state=l1[2:5].replace("<", ""),
        document_number=l1[5:14].replace("<", ""),
        birth_date=_mrz_date(l2[0:6], "birth date", future=False, today=today),
        sex=_sex(l2[7]),
        expiry_date=_mrz_date(l2[8:14], "expiry date", future=True, today=today),
        nationality=l2[15:18].replace("<", ""),
        surname=surname,
        given_names=given,
        optional_data=(l1[15:30] + l2[18:29]).replace("<", " ").strip(),
    )


def _parse_td3(rows: list[str], today: dt.date) -> MRZ:
    l1, l2 = rows
    _check(l2[0:9], l2[9], "document number")
    _check(l2[13:19], l2[19], "birth date")
    _check(l2[21:27], l2[27], "expiry date")
    _check(l2[28:42], l2[42], "personal number")
    composite = l2[0:10] + l2[13:20] + l2[21:43]
    _check(composite, l2[43], "composite")
    surname, given = _names(l1[5:44])
    return MRZ(
        format="TD3",
        document_type=l1[0:2].replace("<", ""),
        issuing_state=l1[2:5].replace("<", ""),
        document_number=l2[0:9].replace("<", ""),
        birth_date=_mrz_date(l2[13:19], "birth date", future=False, today=today),
        sex=_sex(l2[20]),
        expiry_date=_mrz_date(l2[21:27], "expiry date", future=True, today=today),
        nationality=l2[10:13].replace("<", ""),
        surname=surname,
        given_names=given,
        optional_data=l2[28:42].replace("<", " ").strip(),
    )


def mrz_matches_iin(mrz: MRZ, iin: IIN) -> list[str]:
    """Differences between a document's MRZ and an IIN (birth date, sex); empty when they agree."""
    problems = []
    if mrz.birth_date != iin.birth_date:
        problems.append(
            f"birth date {mrz.birth_date.isoformat()} in the MRZ, "
            f"{iin.birth_date.isoformat()} in IIN {iin.value}"
        )
    if mrz.sex in ("M", "F") and mrz.sex != iin.sex:
        problems.append(f"sex {mrz.sex} in the MRZ, {iin.sex} in IIN {iin.value}")
    return problems
