from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest

from protocol.case import Action, Case
from protocol.errors import ProtocolError
from protocol.model import ProtocolModelError
from protocol.participants import Participant, Signature
from protocol.samples import WITNESS_IIN, sample_protocol
from protocol.testimony import Question

Z = zoneinfo.ZoneInfo("Asia/Almaty")


def test_sample_is_a_complete_valid_protocol() -> None:
    p = sample_protocol()
    assert {x.role for x in p.participants} >= {"investigator", "witness", "remote_official"}
    assert p.participant("witness").iin == WITNESS_IIN
    assert p.testimonies[0].questions[2].status == "withdrawn"
    assert p.signature_of("specialist") is not None
    assert isinstance(ProtocolModelError("x", 1, "r"), ProtocolError)


def test_bad_iin_error_names_field_value_and_rule() -> None:
    w = sample_protocol().participant("witness")
    with pytest.raises(ProtocolModelError) as e:
        dataclasses.replace(w, iin="061211600013", personal_data=None)
    assert str(e.value) == "iin: '061211600013' — check digit is 3, expected 2"


def test_iin_must_agree_with_personal_data_birth_date() -> None:
    w = sample_protocol().participant("witness")
    with pytest.raises(ProtocolModelError, match="differs from the birth date in IIN"):
        dataclasses.replace(w, iin="061211600012")


def test_erdr_number_pattern_default_and_configurable() -> None:
    assert Case("1234567890123").erdr_number == "1234567890123"
    with pytest.raises(ProtocolModelError, match=r"erdr_number: '12345' — expected digits"):
        Case("12345")
    with pytest.raises(ProtocolModelError, match="erdr_number"):
        Case("12345678901234567")  # 17 digits
    assert Case("12345", erdr_pattern=r"\d{5}").erdr_number == "12345"


def test_times_must_be_timezone_aware() -> None:
    a = sample_protocol().action
    with pytest.raises(ProtocolModelError, match=r"start: .* expected a timezone-aware time"):
        dataclasses.replace(a, start=dt.datetime(2026, 11, 27, 10, 0))


def test_end_before_start_is_refused() -> None:
    a = sample_protocol().action
    with pytest.raises(ProtocolModelError, match=r"end: .* is before start"):
        dataclasses.replace(a, end=a.start - dt.timedelta(minutes=1))


def test_offset_comes_from_the_zone_data_not_a_constant() -> None:
    a = sample_protocol().action
    assert a.utc_offset == "+05:00"
    # Before 1 March 2024 Astana was UTC+6: the zone database knows, nothing is hard-coded.
    old = dataclasses.replace(
        a,
        start=dt.datetime(2023, 6, 1, 10, tzinfo=Z),
        end=dt.datetime(2023, 6, 1, 11, tzinfo=Z),
    )
    assert old.utc_offset == "+06:00"
    with pytest.raises(ProtocolModelError, match="timezone: 'Mars/Olympus' — unknown"):
        dataclasses.replace(a, timezone="Mars/Olympus")


def test_unknown_action_type_and_ground_list_the_codes() -> None:
    a = sample_protocol().action
    with pytest.raises(
        ProtocolModelError, match=r"type: 'arrest' — expected one of .*confrontation"
    ):
        dataclasses.replace(a, type="arrest")
    with pytest.raises(ProtocolModelError, match="ground: 'p6'"):
        dataclasses.replace(a, ground="p6")
    assert isinstance(a, Action)


def test_official_needs_position_and_agency() -> None:
    inv = sample_protocol().participant("investigator")
    with pytest.raises(ProtocolModelError, match="agency: '' — required for investigator"):
        dataclasses.replace(inv, agency="")


def test_reference_to_unknown_participant_names_the_path() -> None:
    p = sample_protocol()
    bad = dataclasses.replace(p.identity_checks[0], confirmed_by=("investigator", "ghost"))
    with pytest.raises(ProtocolModelError) as e:
        dataclasses.replace(p, identity_checks=(bad, *p.identity_checks[1:]))
    assert str(e.value) == "identity_checks[0].confirmed_by: 'ghost' — no participant has this id"


def test_duplicate_participant_ids_are_refused() -> None:
    p = sample_protocol()
    with pytest.raises(ProtocolModelError, match=r"participants\[4\].id: 'witness'"):
        dataclasses.replace(p, participants=(*p.participants, p.participants[1]))


def test_drafter_must_be_investigator_or_inquiry_officer() -> None:
    with pytest.raises(ProtocolModelError, match="drafter: 'witness' — is a witness"):
        dataclasses.replace(sample_protocol(), drafter="witness")


def test_refusal_to_sign_needs_a_reason() -> None:
    with pytest.raises(ProtocolModelError, match="reason: '' — a refusal to sign needs a reason"):
        Signature("witness", "refused")


def test_one_signature_per_participant() -> None:
    p = sample_protocol()
    with pytest.raises(ProtocolModelError, match=r"signatures\[4\].participant"):
        dataclasses.replace(p, signatures=(*p.signatures, p.signatures[0]))


def test_withdrawn_question_needs_reason_and_numbers_run_in_order() -> None:
    t = sample_protocol().testimonies[0]
    q = t.questions[0]
    with pytest.raises(ProtocolModelError, match="a withdrawn question needs a reason"):
        dataclasses.replace(q, status="withdrawn", reason="")
    with pytest.raises(ProtocolModelError, match=r"questions\[1\].number: 1 — .*expected 2"):
        dataclasses.replace(t, questions=(q, dataclasses.replace(t.questions[1], number=1)))
    late = dataclasses.replace(t.questions[1], asked_at=q.asked_at - dt.timedelta(seconds=1))
    with pytest.raises(ProtocolModelError, match=r"questions\[1\].asked_at"):
        dataclasses.replace(t, questions=(q, late, *t.questions[2:]))
    assert isinstance(q, Question)


def test_step_outside_the_action_times_is_refused() -> None:
    p = sample_protocol()
    early = dataclasses.replace(p.statements[0], at=p.action.start - dt.timedelta(hours=1))
    with pytest.raises(ProtocolModelError, match=r"statements\[0\].at: .* outside the action"):
        dataclasses.replace(p, statements=(early, *p.statements[1:]))


def test_name_in_latin_for_english() -> None:
    w: Participant = sample_protocol().participant("witness")
    assert w.name("ru") == "Иванов Сергей Петрович"
    assert w.name("en") == "Ivanov Sergey Petrovich"
