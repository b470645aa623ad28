"""Trust anchors: which root certificates a verifier accepts, and how DEMO ones are recognised.

Configured anchors come from a folder of PEM/DER certificates (``*.pem``, ``*.crt``, ``*.cer``,
``*.der``). A DEMO certificate (see :mod:`protocol.demo_pki`) is recognised by its private policy
OID or by ``NOT FOR EVIDENCE`` in its CN; a chain ending in one is reported as DEMO, never trusted.
"""

from __future__ import annotations

from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from protocol.demo_pki import DEMO_MARK, DEMO_POLICY_OID
from protocol.errors import ProtocolError

_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


class TrustError(ProtocolError):
    """A trust-anchor file cannot be read."""


def load_certificates(data: bytes, *, what: str) -> list[asn1_x509.Certificate]:
    """Every certificate in ``data`` (PEM bundle or one DER certificate)."""
    try:
        if pem.detect(data):
            return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, True)]
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 — force a full parse so garbage fails here
        return [cert]
    except (ValueError, TypeError) as e:
        raise TrustError(f"{what}: not a PEM or DER certificate ({e})") from e


def load_trust_anchors(folder: Path) -> list[asn1_x509.Certificate]:
    """All certificates in ``folder`` (not recursive); raise TrustError if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise TrustError(f"trust anchors folder {folder} does not exist or is not a folder")
    certs: list[asn1_x509.Certificate] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in _SUFFIXES and path.is_file():
            certs += load_certificates(path.read_bytes(), what=str(path))
    if not certs:
        raise TrustError(f"trust anchors folder {folder} holds no .pem/.crt/.cer/.der certificate")
    return certs


def is_demo(cert: asn1_x509.Certificate) -> bool:
    """True if ``cert`` is marked as a Tergeu DEMO certificate."""
    policies = cert.certificate_policies_value
    if policies is not None:
        for info in policies:
            if info["policy_identifier"].dotted == DEMO_POLICY_OID:
                return True
    cn = cert.subject.native.get("common_name", "")
    return isinstance(cn, str) and DEMO_MARK in cn


def is_self_signed(cert: asn1_x509.Certificate) -> bool:
    return cert.self_signed in ("maybe", "yes")
