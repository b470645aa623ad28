"""Guest identity: document data checks (DOMAIN §3 vectors) and the logged sequence of steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core.evidence import EvidenceFile
from app.core.guest_identity import GuestIdentity, GuestIdentityError, check_document

TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
IIN_1974_F = "740812400014"  # born 1974-08-12, female: agrees with the specimen MRZ
BEFORE_EXPIRY = dt.date(2011, 1, 1)


def test_consistent_document_passes() -> None:
    check = check_document(
        iin=IIN_1974_F,
        document_number="D23145890",
        mrz=TD1,
        invited_iin=IIN_1974_F,
        today=BEFORE_EXPIRY,
    )
    assert check.ok, check.problems
    assert check.mrz_format == "TD1"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"iin": "061211600013"}, "check digit is 3, expected 2"),
        ({"iin": "740812300018"}, "sex F in the MRZ, M in IIN 740812300018"),
        ({"iin": "061211600012"}, "birth date 1974-08-12 in the MRZ, 2006-12-11 in IIN"),
        ({"invited_iin": "061211600012"}, "is not the invited participant's IIN 061211600012"),
        ({"mrz": [TD1[0], TD1[1].replace("F1204159", "F1204158"), TD1[2]]}, "check digit"),
        ({"document_number": "X1"}, "does not match D23145890"),
        ({"today": dt.date(2026, 11, 29)}, "the document expired on 2012-04-15"),
    ],
)
def test_inconsistent_document_names_the_problem(kwargs: dict[str, Any], expected: str) -> None:
    args: dict[str, Any] = {
        "iin": IIN_1974_F,
        "document_number": "D23145890",
        "mrz": TD1,
        "invited_iin": IIN_1974_F,
        "today": BEFORE_EXPIRY,
    }
    args.update(kwargs)
    check = check_document(**args)
    assert not check.ok
    assert any(expected in p for p in check.problems), check.problems


def test_steps_are_logged_in_order_and_attestation_needs_them() -> None:
    log: list[tuple[str, dict[str, Any]]] = []
    guest = GuestIdentity(
        "witness-1", IIN_1974_F, lambda k, d: log.append((k, dict(d))), official_present=True
    )
    still = EvidenceFile("evidence/witness-1-document.png", 10, "a" * 64)
    face = EvidenceFile("evidence/witness-1-face.png", 10, "b" * 64)
    with pytest.raises(GuestIdentityError, match="capture the document and face stills"):
        guest.document_data(
            by="investigator",
            iin=IIN_1974_F,
            document_number="D23145890",
            mrz=TD1,
            today=BEFORE_EXPIRY,
        )
    guest.possession(invite_id="inv-1")
    guest.document_stills(by="investigator", document=still, face=face)
    bad = guest.document_data(
        by="investigator",
        iin="061211600013",
        document_number="D23145890",
        mrz=None,
        today=BEFORE_EXPIRY,
    )
    assert not bad.ok
    with pytest.raises(GuestIdentityError, match="has not passed"):
        guest.attest(investigator="investigator")
    guest.document_data(
        by="investigator", iin=IIN_1974_F, document_number="D23145890", mrz=TD1, today=BEFORE_EXPIRY
    )
    with pytest.raises(GuestIdentityError, match="official has not confirmed"):
        guest.attest(investigator="investigator")
    guest.official_confirms(official="official-1", confirmed=True, note="паспорт сверен")
    guest.attest(investigator="investigator")
    assert guest.verified
    methods = [(d["method"], d["result"]) for k, d in log if k == "identity_check"]
    assert methods == [
        ("link-and-pin", "passed"),
        ("document-stills", "captured"),
        ("document-data", "failed"),
        ("document-data", "passed"),
        ("remote-official", "confirmed"),
        ("investigator-attestation", "verified"),
    ]
    assert log[1][1]["document"]["sha256"] == "a" * 64
