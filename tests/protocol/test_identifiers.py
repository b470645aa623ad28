from __future__ import annotations

import datetime as dt

import pytest

from protocol.identifiers import (
    IdentifierError,
    iin_problem,
    kz_check_digit,
    mrz_check_digit,
    mrz_matches_iin,
    parse_bin,
    parse_iin,
    parse_mrz,
)

TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TODAY = dt.date(2026, 11, 29)


def test_iin_test_vector_parses_with_birth_date_and_sex() -> None:
    iin = parse_iin("061211600012")
    assert iin.birth_date == dt.date(2006, 12, 11)
    assert iin.sex == "F"  # 6: 2000s, even = female


def test_iin_wrong_check_digit_names_both_digits() -> None:
    with pytest.raises(IdentifierError, match=r"'061211600013': check digit is 3, expected 2"):
        parse_iin("061211600013")


def test_iin_second_weight_set_is_used_when_the_first_gives_10() -> None:
    first = [int(c) for c in "90010130081"]
    assert sum(d * w for d, w in zip(first, range(1, 12), strict=True)) % 11 == 10
    assert kz_check_digit("90010130081") == 1
    assert parse_iin("900101300811").sex == "M"


def test_iin_with_no_possible_check_digit_is_invalid() -> None:
    assert kz_check_digit("90010130080") is None
    with pytest.raises(IdentifierError, match="both weight sets give 10"):
        parse_iin("900101300800")


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("06121160001", "exactly 12 digits"),
        ("06121160001a", "exactly 12 digits"),
        (61211600012, "exactly 12 digits"),
    ],
)
def test_iin_shape_errors(value: object, rule: str) -> None:
    with pytest.raises(IdentifierError, match=rule):
        parse_iin(value)


def _with_check(first11: str) -> str:
    digit = kz_check_digit(first11)
    assert digit is not None
    return first11 + str(digit)


def test_iin_leap_day_only_in_leap_years() -> None:
    assert parse_iin(_with_check("00022950012")).birth_date == dt.date(2000, 2, 29)
    with pytest.raises(IdentifierError, match="2001-02-29 does not exist"):
        parse_iin(_with_check("01022950012"))


def test_iin_century_digit_must_be_1_to_6() -> None:
    with pytest.raises(IdentifierError, match=r"century/sex digit .* is 7"):
        parse_iin(_with_check("90010170012"))
    assert parse_iin(_with_check("90010110012")).birth_date.year == 1890


def test_iin_problem_is_none_for_valid_and_names_rule_otherwise() -> None:
    assert iin_problem("061211600012") is None
    assert iin_problem("061211600013") == "check digit is 3, expected 2"


def test_bin_parses_type_and_attribute() -> None:
    value = _with_check("04054000012")
    b = parse_bin(value)
    assert b.registered == (2004, 5)
    assert (b.entity_type, b.attribute) == ("resident", "head office")


@pytest.mark.parametrize(
    ("first11", "rule"),
    [("04134000012", "month"), ("04057000012", "type digit"), ("04054700012", "attribute digit")],
)
def test_bin_rejects_bad_fields(first11: str, rule: str) -> None:
    with pytest.raises(IdentifierError, match=rule):
        parse_bin(_with_check(first11))


def test_mrz_check_digit_icao_examples() -> None:
    assert mrz_check_digit("D23145890") == 7
    assert mrz_check_digit("740812") == 2
    assert mrz_check_digit("120415") == 9


def test_td1_specimen_parses() -> None:
    m = parse_mrz(TD1, today=TODAY)
    assert (m.format, m.document_number, m.surname, m.given_names) == (
        "TD1",
        "D23145890",
        "ERIKSSON",
        "ANNA MARIA",
    )
    assert m.birth_date == dt.date(1974, 8, 12)
    assert m.expiry_date == dt.date(2012, 4, 15)
    assert m.sex == "F"


def test_td3_specimen_parses_from_one_string() -> None:
    m = parse_mrz("\n".join(TD3), today=TODAY)
    assert (m.format, m.document_number, m.optional_data) == ("TD3", "L898902C3", "ZE184226B")


def test_td1_flipped_document_number_names_the_field() -> None:
    bad = [TD1[0].replace("D2314", "D2315"), TD1[1], TD1[2]]
    with pytest.raises(IdentifierError, match="document number 'D23155890' has check digit 7"):
        parse_mrz(bad, today=TODAY)


def test_td1_wrong_composite_digit() -> None:
    bad = [TD1[0], TD1[1][:-1] + "5", TD1[2]]
    with pytest.raises(IdentifierError, match=r"composite .* has check digit 5, expected 6"):
        parse_mrz(bad, today=TODAY)


def test_td3_wrong_birth_date_digit() -> None:
    bad = [TD3[0], TD3[1].replace("7408122F", "7408123F")]
    with pytest.raises(IdentifierError, match="birth date '740812' has check digit 3, expected 2"):
        parse_mrz(bad, today=TODAY)


def test_mrz_bad_shape_and_characters() -> None:
    with pytest.raises(IdentifierError, match=r"expected TD1 .* or TD3"):
        parse_mrz(TD1[:2], today=TODAY)
    with pytest.raises(IdentifierError, match="only A-Z, 0-9 and <"):
        parse_mrz([TD1[0].lower(), TD1[1], TD1[2]], today=TODAY)


def test_mrz_cross_check_against_iin() -> None:
    m = parse_mrz(TD1, today=TODAY)
    same = parse_iin(_with_check("74081240012"))  # 1974-08-12, female
    assert mrz_matches_iin(m, same) == []
    other = parse_iin(_with_check("74081330012"))
    problems = mrz_matches_iin(m, other)
    assert any("birth date 1974-08-12" in p for p in problems)
    assert any("sex F in the MRZ, M" in p for p in problems)
