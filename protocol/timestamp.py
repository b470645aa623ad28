"""RFC 3161 signature time-stamps on CAdES signatures.

The timestamp is requested over the SHA-256 of the signature value (the ``signature`` field of
the SignerInfo) and added as the unsigned attribute ``signature-time-stamp-token``, which turns a
CAdES-BES signature into CAdES-T. Any :class:`pyhanko.sign.timestamps.TimeStamper` works:
:func:`http_timestamper` for a TSA URL, :func:`demo_timestamper` for an in-process demo TSA.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from asn1crypto import cms
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from protocol.errors import ProtocolError


class TimestampError(ProtocolError):
    """The TSA could not be reached or answered with something unusable."""


def http_timestamper(url: str, *, timeout: float = 10.0) -> TimeStamper:
    """A timestamper talking RFC 3161 over HTTP to ``url``."""
    if not url.startswith(("http://", "https://")):
        raise TimestampError(f"invalid TSA URL {url!r}: expected http:// or https://")
    return HTTPTimeStamper(url, timeout=timeout)


def demo_timestamper(tsa_p12: Path, password: str) -> DummyTimeStamper:
    """An in-process TSA signing with the demo TSA key in ``tsa_p12`` (tests, demos)."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        pkcs12,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            Path(tsa_p12).read_bytes(), password.encode()
        )
    except (OSError, ValueError) as e:
        raise TimestampError(
            f"cannot open TSA key file {tsa_p12}: wrong password or unreadable"
        ) from e
    if key is None or cert is None:
        raise TimestampError(f"TSA key file {tsa_p12} holds no key and certificate")
    der_key = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert.public_bytes(Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(der_key),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in extra]
        ),
    )


async def add_signature_timestamp(cms_der: bytes, timestamper: TimeStamper) -> bytes:
    """Return ``cms_der`` with a signature time-stamp token on its (single) SignerInfo."""
    try:
        ci = cms.ContentInfo.load(cms_der)
        signer_info = ci["content"]["signer_infos"][0]
        digest = hashlib.sha256(signer_info["signature"].native).digest()
    except (ValueError, KeyError, IndexError) as e:
        raise TimestampError(f"cannot time-stamp: not a CMS SignedData ({e})") from e
    try:
        token = await timestamper.async_timestamp(digest, "sha256")
    except Exception as e:  # network and TSA errors come in many types; wrap at the boundary
        raise TimestampError(f"the TSA did not issue a time-stamp: {e}") from e
    attr = cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})
    signer_info["unsigned_attrs"] = cms.CMSAttributes([attr])
    return bytes(ci.dump(force=True))


def timestamp_imprint_matches(cms_der: bytes) -> bool | None:
    """Whether the token's imprint is the SHA-256 of the signature value (None: no token)."""
    ci = cms.ContentInfo.load(cms_der)
    signer_info = ci["content"]["signer_infos"][0]
    attrs = signer_info["unsigned_attrs"]
    if not attrs or attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == "signature_time_stamp_token":
            token = attr["values"][0]
            tst_info = token["content"]["encap_content_info"]["content"].parsed
            imprint = tst_info["message_imprint"]
            algo = imprint["hash_algorithm"]["algorithm"].native
            value = signer_info["signature"].native
            return bool(imprint["hashed_message"].native == hashlib.new(algo, value).digest())
    return None
