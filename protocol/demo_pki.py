"""A demo PKI that mimics the NCA subject layout — never a qualified signature.

``create_demo(out, password)`` writes a root and an issuing CA, a TSA certificate (EKU
timeStamping) and PKCS#12 signer identities whose subjects follow DOMAIN §4 (CN, SURNAME, G,
SERIALNUMBER=IIN…, C=KZ, O and OU=BIN… for officials). Every demo CA carries the words
``NOT FOR EVIDENCE`` in its CN and the private policy OID :data:`DEMO_POLICY_OID`, so the
verifier reports anything under them as DEMO (a warning), never as trusted.

Layout written (files 0o600, folders 0o700)::

    OUT/ca/root.pem  OUT/ca/issuing.pem  OUT/ca/chain.pem (issuing + root)
    OUT/tsa.p12      OUT/identities/<role>.p12      OUT/identities.json (no passwords)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    pkcs12,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from protocol.identifiers import kz_check_digit
from protocol.signing import SigningError

#: Private policy OID (a UUID arc, ITU-T X.667) marking every demo certificate.
DEMO_POLICY_OID = "2.25.59772285604527121661583185893320290696"
DEMO_MARK = "NOT FOR EVIDENCE"
EKU_INDIVIDUAL = "1.2.398.3.3.4.1.1"
EKU_EMPLOYEE_RIGHT_TO_SIGN = "1.2.398.3.3.4.1.2.2"
EKU_EMPLOYEE_STAFF = "1.2.398.3.3.4.1.2.5"
DEMO_BIN = "120240000000"  # YYMM=1202, resident, head office, serial 0000, valid check digit


@dataclass(frozen=True)
class DemoPerson:
    """One demo signer: role, names, birth date and, for officials, the organisation."""

    role: str
    surname: str
    name: str
    patronymic: str
    birth: dt.date
    male: bool
    official: bool
    ecdsa: bool = False

    def __post_init__(self) -> None:
        if not self.role.isidentifier():
            raise SigningError(f"invalid demo role {self.role!r}: expected an identifier")


DEMO_PEOPLE = (
    DemoPerson("investigator", "ТЕРГЕУШІЕВ", "АСХАТ", "БОЛАТҰЛЫ", dt.date(1988, 3, 14), True, True),
    DemoPerson(
        "expert", "САРАПОВА", "АЙГЕРІМ", "ЕРЛАНҚЫЗЫ", dt.date(1979, 11, 2), False, True, True
    ),
    DemoPerson("defender", "ҚОРҒАУОВ", "ДӘУРЕН", "САҒАТҰЛЫ", dt.date(1975, 6, 30), True, False),
    DemoPerson("interpreter", "АУДАРОВА", "ЖАНАР", "МАРАТҚЫЗЫ", dt.date(1992, 1, 21), False, False),
    DemoPerson("witness", "КУӘЕВ", "НҰРЛАН", "ЕРЖАНҰЛЫ", dt.date(2001, 9, 9), True, False, True),
)


def demo_iin(birth: dt.date, male: bool, serial: int) -> str:
    """An IIN for ``birth`` and sex with a valid check digit (serial bumped until one exists)."""
    century = {18: 1, 19: 3, 20: 5}[birth.year // 100] + (0 if male else 1)
    for s in range(serial, serial + 100):
        first11 = f"{birth:%y%m%d}{century}{s % 10000:04d}"
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise SigningError(f"no valid IIN for {birth} near serial {serial}")  # pragma: no cover


@dataclass(frozen=True)
class DemoPki:
    """Where :func:`create_demo` wrote everything."""

    root: Path
    issuing: Path
    chain: Path
    tsa: Path
    identities: dict[str, Path]


def _private_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: object, now: dt.datetime, years: int
) -> x509.CertificateBuilder:
    policies = x509.CertificatePolicies(
        [x509.PolicyInformation(x509.ObjectIdentifier(DEMO_POLICY_OID), None)]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(policies, critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
            critical=False,
        )
    )


def _ku(*, cert_sign: bool = False, signing: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _name(*attrs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])


def create_demo(out: Path, password: str, *, years: int = 10, label: str = "") -> DemoPki:
    """Create a demo CA (root + issuing), a TSA and the :data:`DEMO_PEOPLE` identities in ``out``.

    ``label`` distinguishes two demo PKIs (tests make a second, unrelated one).
    """
    if not password:
        raise SigningError("a demo PKCS#12 password is required (got an empty one)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    suffix = f" {label}" if label else ""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(
        (NameOID.COMMON_NAME, f"TERGEU DEMO ROOT{suffix} — {DEMO_MARK}"),
        (NameOID.ORGANIZATION_NAME, "Tergeu demo PKI"),
        (NameOID.COUNTRY_NAME, "KZ"),
    )
    root = (
        _builder(root_name, root_name, root_key.public_key(), now, years + 1)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ku(cert_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(
        (NameOID.COMMON_NAME, f"TERGEU DEMO ISSUING CA{suffix} — {DEMO_MARK}"),
        (NameOID.ORGANIZATION_NAME, "Tergeu demo PKI"),
        (NameOID.COUNTRY_NAME, "KZ"),
    )
    aki_root = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())
    issuing = (
        _builder(ca_name, root_name, ca_key.public_key(), now, years)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ku(cert_sign=True), critical=True)
        .add_extension(aki_root, critical=False)
        .sign(root_key, hashes.SHA256())
    )
    aki_ca = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    enc = BestAvailableEncryption(password.encode())
    pem = {n: c.public_bytes(Encoding.PEM) for n, c in (("root", root), ("issuing", issuing))}
    _private_write(out / "ca" / "root.pem", pem["root"])
    _private_write(out / "ca" / "issuing.pem", pem["issuing"])
    _private_write(out / "ca" / "chain.pem", pem["issuing"] + pem["root"])

    # TSA: RSA (pyHanko's DummyTimeStamper, used by the loopback test responder, is RSA-only)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_name = _name(
        (NameOID.COMMON_NAME, f"TERGEU DEMO TSA{suffix} — {DEMO_MARK}"),
        (NameOID.ORGANIZATION_NAME, "Tergeu demo PKI"),
        (NameOID.COUNTRY_NAME, "KZ"),
    )
    tsa = (
        _builder(tsa_name, ca_name, tsa_key.public_key(), now, years)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_ku(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(aki_ca, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tsa_path = out / "tsa.p12"
    _private_write(
        tsa_path,
        pkcs12.serialize_key_and_certificates(b"tsa", tsa_key, tsa, [issuing, root], enc),
    )

    identities: dict[str, Path] = {}
    listing = []
    for serial, person in enumerate(DEMO_PEOPLE, start=1):
        iin = demo_iin(person.birth, person.male, serial)
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        if person.ecdsa:
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        attrs = [
            (NameOID.COMMON_NAME, f"{person.surname} {person.name}"),
            (NameOID.SURNAME, person.surname),
            (NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            (NameOID.COUNTRY_NAME, "KZ"),
            (NameOID.GIVEN_NAME, person.patronymic),
        ]
        eku = [x509.ObjectIdentifier(EKU_INDIVIDUAL)]
        if person.official:
            attrs += [
                (NameOID.ORGANIZATION_NAME, f"DEMO INVESTIGATIVE BODY{suffix}"),
                (NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{DEMO_BIN}"),
            ]
            eku = [x509.ObjectIdentifier(EKU_EMPLOYEE_RIGHT_TO_SIGN)]
        cert = (
            _builder(_name(*attrs), ca_name, key.public_key(), now, years)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_ku(signing=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
            .add_extension(aki_ca, critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        path = out / "identities" / f"{person.role}.p12"
        blob = pkcs12.serialize_key_and_certificates(
            person.role.encode(), key, cert, [issuing, root], enc
        )
        _private_write(path, blob)
        identities[person.role] = path
        listing.append(
            {
                "role": person.role,
                "name": f"{person.surname} {person.name} {person.patronymic}",
                "iin": iin,
                "file": f"identities/{person.role}.p12",
            }
        )
    _private_write(
        out / "identities.json",
        json.dumps({"demo": True, "identities": listing}, ensure_ascii=False, indent=2).encode(),
    )
    return DemoPki(
        root=out / "ca" / "root.pem",
        issuing=out / "ca" / "issuing.pem",
        chain=out / "ca" / "chain.pem",
        tsa=tsa_path,
        identities=identities,
    )
