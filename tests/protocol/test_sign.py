from __future__ import annotations

import asyncio
import stat
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from protocol.demo_pki import DEMO_POLICY_OID, EKU_EMPLOYEE_RIGHT_TO_SIGN, create_demo
from protocol.identifiers import parse_iin
from protocol.signing import (
    CertificateIdentity,
    Pkcs12Signer,
    SigningError,
    identity_from_certificate,
)
from protocol.trust import TrustError, is_demo, load_trust_anchors
from tests.pki.fixtures import MAIN, signer


def test_certificate_identity_with_wrong_iin_check_digit_names_expected_digit() -> None:
    with pytest.raises(SigningError, match=r"IIN '061211600015': check digit is 5, expected 2"):
        CertificateIdentity(common_name="X", iin="061211600015")


def test_certificate_identity_with_bad_bin_names_the_rule() -> None:
    with pytest.raises(SigningError, match=r"BIN '121340000007'.*month"):
        CertificateIdentity(common_name="X", bin="121340000007")


def test_demo_pki_files_are_private_and_subjects_follow_nca_layout(tmp_path: Path) -> None:
    pki = create_demo(tmp_path / "demo", "s3cret-pw")
    for path in [pki.root, pki.chain, pki.tsa, *pki.identities.values()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "demo" / "identities").stat().st_mode) == 0o700
    key, cert, extra = pkcs12.load_key_and_certificates(
        pki.identities["investigator"].read_bytes(), b"s3cret-pw"
    )
    assert key is not None and cert is not None and len(extra) == 2
    ident = identity_from_certificate(cert)
    assert parse_iin(ident.iin).value == ident.iin
    assert ident.bin and ident.country == "KZ" and ident.surname and ident.given_name
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ObjectIdentifier(EKU_EMPLOYEE_RIGHT_TO_SIGN) in eku
    root = x509.load_pem_x509_certificate(pki.root.read_bytes())
    assert "NOT FOR EVIDENCE" in root.subject.rfc4514_string()
    policies = root.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert policies[0].policy_identifier.dotted_string == DEMO_POLICY_OID
    _, tsa, _ = pkcs12.load_key_and_certificates(pki.tsa.read_bytes(), b"s3cret-pw")
    assert tsa is not None
    tsa_eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.TIME_STAMPING in tsa_eku


def test_private_person_has_no_bin_and_individual_eku() -> None:
    ident = signer("defender").identity
    assert ident.iin and not ident.bin and not ident.organisation


def test_wrong_password_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(SigningError) as e:
        Pkcs12Signer(MAIN / "identities" / "investigator.p12", "hunter2-wrong")
    assert "wrong password" in str(e.value) and "hunter2" not in str(e.value)


@pytest.mark.parametrize("role", ["investigator", "expert"])  # RSA and ECDSA keys
def test_cades_signature_has_signing_certificate_v2_and_passes_openssl(
    role: str, tmp_path: Path
) -> None:
    s = signer(role)
    data = b"<asic:ASiCManifest/>"
    der = asyncio.run(s.sign_detached(data))
    signed = cms.ContentInfo.load(der)["content"]
    attrs = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_certificate_v2"} <= attrs
    assert signed["encap_content_info"]["content"].native is None  # detached
    (tmp_path / "sig.p7s").write_bytes(der)
    (tmp_path / "data").write_bytes(data)
    cmd = [
        "openssl",
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        str(tmp_path / "sig.p7s"),
        "-content",
        str(tmp_path / "data"),
        "-CAfile",
        str(MAIN / "ca" / "chain.pem"),
        "-purpose",
        "any",
        "-out",
        "/dev/null",
    ]
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    (tmp_path / "data").write_bytes(data + b" ")
    assert subprocess.run(cmd, capture_output=True).returncode != 0


def test_trust_anchors_loading_and_demo_marking(tmp_path: Path) -> None:
    certs = load_trust_anchors(MAIN / "ca")
    assert certs and all(is_demo(c) for c in certs)
    (tmp_path / "junk.pem").write_bytes(b"not a certificate")
    with pytest.raises(TrustError, match=r"junk\.pem"):
        load_trust_anchors(tmp_path)
    with pytest.raises(TrustError, match="does not exist"):
        load_trust_anchors(tmp_path / "missing")


def test_identity_create_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main as tergeu

    code = tergeu(["identity", "create-demo", "--out", str(tmp_path / "d"), "--password", "pw-9"])
    out = capsys.readouterr().out
    assert code == 0 and "NOT FOR EVIDENCE" in out and "pw-9" not in out
    assert Pkcs12Signer(tmp_path / "d" / "identities" / "expert.p12", "pw-9").identity.iin
