"""Certificate identity: good, expired, another CA, wrong key usage, IIN mismatch, revoked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.core.identity import Challenge, IdentityError, Refusal, verify_identity
from protocol.signing import Pkcs12Signer

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
IIN = "061211600012"
PASSWORD = "participant-pass"


@dataclass
class CA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def anchor(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))


def make_ca(name: str) -> CA:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=3650))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return CA(key, cert)


def make_participant(
    tmp: Path,
    ca: CA,
    *,
    iin: str = IIN,
    expired: bool = False,
    non_repudiation: bool = True,
    serial: int | None = None,
) -> tuple[Path, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "СЕРІКОВ АЙДАР"),
            x509.NameAttribute(NameOID.SURNAME, "СЕРІКОВ"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.GIVEN_NAME, "ҚАНАТҰЛЫ"),
        ]
    )
    start = NOW - dt.timedelta(days=400 if expired else 30)
    end = NOW - dt.timedelta(days=35) if expired else NOW + dt.timedelta(days=365)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.KeyUsage(True, non_repudiation, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca.key, hashes.SHA256())
    )
    path = tmp / f"participant-{cert.serial_number}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"participant",
            key,
            cert,
            [ca.cert],
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return path, cert


async def respond(p12: Path, challenge: Challenge) -> bytes:
    """What the participant's app does: sign the challenge with their own key."""
    return await Pkcs12Signer(p12, PASSWORD).sign_detached(challenge.payload())


@pytest.fixture(scope="module")
def ca() -> CA:
    return make_ca("TEST ISSUING CA")


def challenge(now: dt.datetime = NOW) -> Challenge:
    return Challenge.new("action-1", "expert-1", now - dt.timedelta(seconds=5))


async def test_valid_certificate_is_accepted_and_logged(tmp_path: Path, ca: CA) -> None:
    p12, _ = make_participant(tmp_path, ca)
    c = challenge()
    result = await verify_identity(
        c, await respond(p12, c), expected_iin=IIN, anchors=[ca.anchor], now=NOW
    )
    assert result.accepted, result.message
    assert result.identity is not None and result.identity.iin == IIN
    data = result.log_data()
    assert data["result"] == "accepted" and data["subject"]["iin"] == IIN
    assert len(data["certificate_sha256"]) == 64


@pytest.mark.parametrize(
    ("variant", "refusal", "text"),
    [
        ("expired", Refusal.EXPIRED, "not now"),
        ("other_ca", Refusal.UNTRUSTED, "does not chain"),
        ("key_usage", Refusal.KEY_USAGE, "nonRepudiation"),
        ("wrong_iin", Refusal.IIN_MISMATCH, "not the invited participant's IIN"),
        ("stale", Refusal.STALE, "too old"),
        ("other_challenge", Refusal.BAD_SIGNATURE, "does not cover this challenge"),
    ],
)
async def test_bad_certificates_are_refused_with_a_reason(
    tmp_path: Path, ca: CA, variant: str, refusal: Refusal, text: str
) -> None:
    issuer = make_ca("ANOTHER CA") if variant == "other_ca" else ca
    p12, _ = make_participant(
        tmp_path,
        issuer,
        expired=variant == "expired",
        non_repudiation=variant != "key_usage",
        iin="900101300017" if variant == "wrong_iin" else IIN,
    )
    c = challenge(NOW - dt.timedelta(minutes=10)) if variant == "stale" else challenge()
    signed = challenge() if variant == "other_challenge" else c
    result = await verify_identity(
        c, await respond(p12, signed), expected_iin=IIN, anchors=[ca.anchor], now=NOW
    )
    assert result.refusal is refusal, result.message
    assert text in result.message
    assert result.log_data()["result"] == "refused"


async def test_revoked_certificate_is_refused_when_a_crl_is_configured(
    tmp_path: Path, ca: CA
) -> None:
    p12, cert = make_participant(tmp_path, ca, serial=424242)
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(cert.serial_number)
        .revocation_date(NOW - dt.timedelta(days=1))
        .build()
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(NOW - dt.timedelta(hours=1))
        .next_update(NOW + dt.timedelta(days=1))
        .add_revoked_certificate(revoked)
        .sign(ca.key, hashes.SHA256())
    )
    c = challenge()
    result = await verify_identity(
        c,
        await respond(p12, c),
        expected_iin=IIN,
        anchors=[ca.anchor],
        crls=[crl.public_bytes(serialization.Encoding.DER)],
        now=NOW,
    )
    assert result.refusal is Refusal.REVOKED, result.message


async def test_junk_response_is_an_error_naming_the_participant(ca: CA) -> None:
    with pytest.raises(IdentityError, match="expert-1 is not a CMS signature"):
        await verify_identity(
            challenge(), b"not cms", expected_iin=IIN, anchors=[ca.anchor], now=NOW
        )
