"""Signers: who produces a CAdES detached signature, and what their certificate says.

A :class:`Signer` turns bytes (an ASiCManifest) into a DER-encoded CMS ``SignedData`` with
CAdES-BES signed attributes (content type, message digest, signing-certificate-v2, algorithm
protection). :class:`Pkcs12Signer` does this with a PKCS#12 key file (RSA or ECDSA) through
pyHanko. Other key stores plug in behind the same interface:

* a PKCS#11 token (``pyhanko.sign.pkcs11.PKCS11Signer`` gives the same ``sign_general_data``);
* NCALayer (the NCA's local WebSocket service at ``wss://127.0.0.1:13579``, call
  ``createCAdESFromBase64`` with ``detached=true``) for GOST keys, which no Python library signs.

Both only need to return the DER CMS for :meth:`Signer.sign_detached` and expose their
certificate and chain; the container and the verifier never look behind the interface.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from protocol.errors import ProtocolError
from protocol.identifiers import IdentifierError, parse_bin, parse_iin


class SigningError(ProtocolError):
    """A key could not be loaded or a signature could not be made."""


# --- identity read from a certificate (DOMAIN §4) ---------------------------------------------


@dataclass(frozen=True)
class CertificateIdentity:
    """Who a certificate names, in the NCA subject layout."""

    common_name: str
    surname: str = ""
    given_name: str = ""  # NCA puts the patronymic in G
    iin: str = ""
    bin: str = ""
    organisation: str = ""
    country: str = ""

    def __post_init__(self) -> None:
        # One IIN/BIN rule for the whole package: protocol.identifiers.
        try:
            if self.iin:
                parse_iin(self.iin)
            if self.bin:
                parse_bin(self.bin)
        except IdentifierError as e:
            raise SigningError(f"certificate subject: {e}") from e

    @property
    def display_name(self) -> str:
        return self.common_name or " ".join(p for p in (self.surname, self.given_name) if p)


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def identity_from_certificate(cert: x509.Certificate) -> CertificateIdentity:
    """Read CN, SURNAME, G, IIN (SERIALNUMBER=IIN…), BIN (OU=BIN…), O and C from ``cert``."""
    subject = cert.subject
    serial = _attr(subject, NameOID.SERIAL_NUMBER)
    iin = serial[3:] if serial.upper().startswith("IIN") else ""
    bin_ = ""
    for attr in subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        text = str(attr.value)
        if text.upper().startswith("BIN"):
            bin_ = text[3:]
    return CertificateIdentity(
        common_name=_attr(subject, NameOID.COMMON_NAME),
        surname=_attr(subject, NameOID.SURNAME),
        given_name=_attr(subject, NameOID.GIVEN_NAME),
        iin=iin,
        bin=bin_,
        organisation=_attr(subject, NameOID.ORGANIZATION_NAME),
        country=_attr(subject, NameOID.COUNTRY_NAME),
    )


# --- the interface -----------------------------------------------------------------------------


class Signer(abc.ABC):
    """Something that can make a CAdES-BES detached signature with one certificate."""

    @property
    @abc.abstractmethod
    def certificate(self) -> x509.Certificate:
        """The signing certificate."""

    @property
    @abc.abstractmethod
    def chain(self) -> tuple[x509.Certificate, ...]:
        """Issuer certificates, nearest first (may be empty)."""

    @abc.abstractmethod
    async def sign_detached(self, data: bytes) -> bytes:
        """Return DER CMS SignedData (detached, CAdES-BES attributes) over ``data``."""

    @property
    def identity(self) -> CertificateIdentity:
        """The identity the certificate names."""
        return identity_from_certificate(self.certificate)


class Pkcs12Signer(Signer):
    """A signer backed by a PKCS#12 file (RSA or ECDSA key), signing through pyHanko."""

    def __init__(self, path: Path, password: str | bytes | None) -> None:
        from pyhanko.sign import signers

        pw = password.encode() if isinstance(password, str) else password
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise SigningError(f"cannot read key file {path}: {e.strerror}") from e
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
        except ValueError as e:
            # cryptography says "Invalid password or PKCS12 data"; never echo the password
            raise SigningError(f"cannot open key file {path}: wrong password or not PKCS#12") from e
        if key is None or cert is None:
            raise SigningError(f"key file {path} holds no private key and certificate")
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=pw)
        if loaded is None:
            raise SigningError(f"pyHanko could not load key file {path}")
        self._signer = loaded
        self._cert = cert
        self._chain = tuple(extra)
        self.path = Path(path)

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self._chain

    async def sign_detached(self, data: bytes) -> bytes:
        try:
            ci = await self._signer.async_sign_general_data(data, "sha256", detached=True)
        except Exception as e:  # pyHanko raises a range of types; wrap them all at the boundary
            raise SigningError(f"signing with {self.path.name} failed: {e}") from e
        return bytes(ci.dump())


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a ``cryptography`` certificate to asn1crypto (what pyHanko works with)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
