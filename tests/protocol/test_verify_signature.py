from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from protocol.demo_pki import DEMO_POLICY_OID
from protocol.signing import Pkcs12Signer
from protocol.verify_signature import validate_signature
from recorder.report import Status
from tests.pki.fixtures import signer


def _self_signed_p12(tmp: Path, *, non_repudiation: bool, demo: bool) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SELF SIGNED")])
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, non_repudiation, False, False, False, False, False, False, False),
            critical=True,
        )
    )
    if demo:
        pol = x509.PolicyInformation(x509.ObjectIdentifier(DEMO_POLICY_OID), None)
        b = b.add_extension(x509.CertificatePolicies([pol]), critical=False)
    cert = b.sign(key, hashes.SHA256())
    path = tmp / "self.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(b"s", key, cert, None, BestAvailableEncryption(b"pw"))
    )
    return path


def _checks(p12: Path) -> dict[str, Status]:
    s = Pkcs12Signer(p12, "pw")
    data = b"manifest"
    res = asyncio.run(validate_signature("sig", data, asyncio.run(s.sign_detached(data)), None))
    return {c.name: c.status for c in res.checks}


def test_missing_non_repudiation_fails_key_usage(tmp_path: Path) -> None:
    checks = _checks(_self_signed_p12(tmp_path, non_repudiation=False, demo=True))
    assert checks["signature"] is Status.OK and checks["key-usage"] is Status.FAILED


def test_unmarked_self_signed_certificate_is_never_trusted(tmp_path: Path) -> None:
    checks = _checks(_self_signed_p12(tmp_path, non_repudiation=True, demo=False))
    assert checks["signature"] is Status.OK and checks["trust"] is Status.FAILED


def test_garbage_signature_fails_signature_check() -> None:
    res = asyncio.run(validate_signature("sig", b"data", b"\x30\x03\x02\x01\x00", None))
    assert [(c.name, c.status) for c in res.checks] == [("signature", Status.FAILED)]


def test_demo_signer_identity_is_reported() -> None:
    s = signer("witness")
    res = asyncio.run(validate_signature("sig", b"d", asyncio.run(s.sign_detached(b"d")), None))
    assert res.demo and res.identity is not None and res.identity.iin == s.identity.iin
