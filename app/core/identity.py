"""Certificate identity of a desktop participant (expert, specialist, defender, official).

The hub sends a random challenge bound to the action and the invited participant; the
participant's app signs it with their PKCS#12 key (detached CMS); the hub checks the signature and
the certificate chain against the configured trust anchors (validity at this moment, key usage,
revocation when CRLs are configured), reads IIN, BIN and name from the subject (DOMAIN §4) and
matches the IIN with the invited participant. The outcome — accepted or refused with a reason —
is logged with the certificate's SHA-256, so the record shows how, when and by whom identity was
established.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from app.core.errors import TergeuError
from protocol.signing import CertificateIdentity, identity_from_certificate
from protocol.trust import is_demo
from recorder.canonical import canonical_json
from recorder.clock import format_utc

PURPOSE = "tergeu-identity-challenge/1"
MAX_AGE = dt.timedelta(minutes=2)


class IdentityError(TergeuError):
    """A challenge response is malformed (not a refusal: refusals are results)."""


class Refusal(enum.StrEnum):
    BAD_SIGNATURE = "bad-signature"  # not over this challenge, or not a valid CMS signature
    STALE = "stale-challenge"
    EXPIRED = "certificate-expired"
    REVOKED = "certificate-revoked"
    UNTRUSTED = "untrusted-chain"
    KEY_USAGE = "wrong-key-usage"
    NO_IIN = "no-iin-in-certificate"
    IIN_MISMATCH = "iin-mismatch"


@dataclass(frozen=True)
class Challenge:
    """What the participant signs: purpose, action, participant, nonce and issue time."""

    action_id: str
    participant_id: str
    nonce: str
    issued_utc: str

    @classmethod
    def new(cls, action_id: str, participant_id: str, now: dt.datetime) -> Challenge:
        nonce = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        return cls(action_id, participant_id, nonce, format_utc(now))

    def payload(self) -> bytes:
        """The canonical bytes that are signed."""
        return canonical_json(
            {
                "purpose": PURPOSE,
                "action_id": self.action_id,
                "participant_id": self.participant_id,
                "nonce": self.nonce,
                "issued_utc": self.issued_utc,
            }
        )


@dataclass(frozen=True)
class IdentityResult:
    """Accepted (refusal is None) or refused with a reason people can read."""

    participant_id: str
    refusal: Refusal | None
    message: str
    identity: CertificateIdentity | None = None
    certificate_sha256: str = ""
    demo: bool = False
    certificate: str = ""  # the signer's certificate, DER in base64, kept in the log as evidence

    @property
    def accepted(self) -> bool:
        return self.refusal is None

    def log_data(self) -> dict[str, Any]:
        """The ``identity_check`` log entry's data."""
        data: dict[str, Any] = {
            "participant": self.participant_id,
            "method": "certificate",
            "result": "accepted" if self.accepted else "refused",
            "message": self.message,
            "certificate_sha256": self.certificate_sha256,
            "demo": self.demo,
        }
        if self.certificate:
            data["certificate"] = self.certificate
        if self.refusal is not None:
            data["reason"] = self.refusal.value
        if self.identity is not None:
            data["subject"] = {
                "name": self.identity.display_name,
                "iin": self.identity.iin,
                "bin": self.identity.bin,
                "organisation": self.identity.organisation,
            }
        return data


def _key_usage_ok(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature and usage.content_commitment)


async def verify_identity(
    challenge: Challenge,
    signature: bytes,
    *,
    expected_iin: str | None,
    anchors: Sequence[asn1_x509.Certificate],
    crls: Sequence[bytes] = (),
    now: dt.datetime,
) -> IdentityResult:
    """Check a participant's signed challenge; never raises for a refusal, only for junk input."""
    pid = challenge.participant_id
    issued = dt.datetime.strptime(challenge.issued_utc, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=dt.UTC
    )
    if not dt.timedelta(0) <= now - issued <= MAX_AGE:
        return IdentityResult(
            pid, Refusal.STALE, f"challenge issued {challenge.issued_utc} is too old; ask again"
        )
    return await verify_signed_payload(
        pid,
        challenge.payload(),
        signature,
        expected_iin=expected_iin,
        anchors=anchors,
        crls=crls,
        now=now,
        what="challenge",
    )


async def verify_signed_payload(
    pid: str,
    payload: bytes,
    signature: bytes,
    *,
    expected_iin: str | None,
    anchors: Sequence[asn1_x509.Certificate],
    crls: Sequence[bytes] = (),
    now: dt.datetime,
    what: str = "text",
) -> IdentityResult:
    """Check a detached CMS ``signature`` by participant ``pid`` over ``payload``: intact, chain to
    ``anchors`` at ``now``, key usage, IIN in the subject and equal to ``expected_iin``. A refusal
    is a result; only junk input raises :class:`IdentityError`. Used for the identity challenge
    and for a desktop participant's signed acknowledgment of a procedure text."""

    def refuse(reason: Refusal, message: str, **extra: Any) -> IdentityResult:
        return IdentityResult(pid, reason, message, **extra)

    try:
        info = cms.ContentInfo.load(signature)
        signed_data = info["content"]
        if info["content_type"].native != "signed_data" or len(signed_data["signer_infos"]) != 1:
            raise ValueError("expected one signer in a CMS SignedData")
    except (ValueError, TypeError, KeyError) as e:
        raise IdentityError(f"{what} signature of {pid} is not a CMS signature: {e}") from e
    if not anchors:
        raise IdentityError("no trust anchors configured: certificate identity cannot be checked")
    # With CRLs configured, the participant's certificate must be covered by one (hard fail);
    # without, revocation is not checked and the log says which anchors were used.
    rule = RevocationCheckingRule.CRL_REQUIRED if crls else RevocationCheckingRule.NO_CHECK
    context = ValidationContext(
        trust_roots=list(anchors),
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=rule, intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK
            )
        ),
        allow_fetching=False,
        moment=now,
    )
    try:
        status = await async_validate_detached_cms(
            payload, signed_data, signer_validation_context=context
        )
    except Exception as e:  # pyHanko raises many types for malformed signatures
        return refuse(Refusal.BAD_SIGNATURE, f"signature cannot be validated: {e}")
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    fingerprint = hashlib.sha256(status.signing_cert.dump()).hexdigest()
    who = cert.subject.rfc4514_string()
    extra: dict[str, Any] = {
        "certificate_sha256": fingerprint,
        "demo": is_demo(status.signing_cert),
        "certificate": base64.b64encode(status.signing_cert.dump()).decode(),
    }
    try:
        identity = identity_from_certificate(cert)
    except ValueError as e:
        return refuse(
            Refusal.NO_IIN, f"certificate subject is not in the national layout: {e}", **extra
        )
    extra["identity"] = identity
    if not (status.intact and status.valid):
        return refuse(
            Refusal.BAD_SIGNATURE, f"signature of {who} does not cover this {what}", **extra
        )
    if not _key_usage_ok(cert):
        return refuse(
            Refusal.KEY_USAGE,
            f"certificate of {who} lacks digitalSignature + nonRepudiation key usage",
            **extra,
        )
    if not status.trusted:
        problem = status.trust_problem_indic.standard_name if status.trust_problem_indic else ""
        if now > cert.not_valid_after_utc or now < cert.not_valid_before_utc:
            return refuse(
                Refusal.EXPIRED,
                f"certificate of {who} is valid {cert.not_valid_before_utc:%Y-%m-%d} to "
                f"{cert.not_valid_after_utc:%Y-%m-%d}, not now",
                **extra,
            )
        if "REVOKED" in problem:
            return refuse(Refusal.REVOKED, f"certificate of {who} is revoked", **extra)
        return refuse(
            Refusal.UNTRUSTED,
            f"certificate of {who} does not chain to a configured trust anchor "
            f"({problem or 'no path'})",
            **extra,
        )
    if not identity.iin:
        return refuse(Refusal.NO_IIN, f"certificate of {who} carries no SERIALNUMBER=IIN…", **extra)
    if expected_iin is not None and identity.iin != expected_iin:
        return refuse(
            Refusal.IIN_MISMATCH,
            f"certificate IIN {identity.iin} is not the invited participant's IIN {expected_iin}",
            **extra,
        )
    message = f"certificate of {identity.display_name} (IIN {identity.iin}) accepted"
    if extra["demo"]:
        message += " — DEMO certificate, not a qualified signature"
    return IdentityResult(pid, None, message, **extra)
