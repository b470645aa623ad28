"""Validate one CAdES detached signature of a container: CMS, trust, key usage, time-stamp.

Returns :class:`recorder.report.Check` values named ``signature``, ``trust``, ``key-usage`` and
``timestamp``. Trust: with configured anchors only those count; with none, a self-signed DEMO root
embedded in the signature is used so a demo container is reported as DEMO (a warning) — a DEMO
chain is never reported as trusted, and a non-DEMO chain without configured anchors fails.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from protocol.signing import CertificateIdentity, identity_from_certificate
from protocol.timestamp import timestamp_imprint_matches
from protocol.trust import is_demo, is_self_signed
from recorder.report import Check, Status

# pyHanko logs path-building failures with tracebacks; they are reported as checks instead.
logging.getLogger("pyhanko").addHandler(logging.NullHandler())
logging.getLogger("pyhanko_certvalidator").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class SignatureResult:
    """The checks for one signature and who signed."""

    checks: tuple[Check, ...]
    identity: CertificateIdentity | None
    demo: bool
    signing_time: str | None  # ISO UTC from the time-stamp, if any


def _embedded_certs(signed_data: cms.SignedData) -> list[asn1_x509.Certificate]:
    return [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]


def _key_usage_check(cert: x509.Certificate, subject: str) -> Check:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return Check("key-usage", Status.FAILED, "signing certificate has no key usage", subject)
    if ku.digital_signature and ku.content_commitment:
        return Check("key-usage", Status.OK, "digitalSignature + nonRepudiation", subject)
    return Check(
        "key-usage",
        Status.FAILED,
        f"key usage is digitalSignature={ku.digital_signature}, "
        f"nonRepudiation={ku.content_commitment}; expected both",
        subject,
    )


async def validate_signature(
    name: str,
    signed_bytes: bytes,
    p7s: bytes,
    anchors: list[asn1_x509.Certificate] | None,
) -> SignatureResult:
    """Validate ``p7s`` (DER CMS) as a detached signature over ``signed_bytes``."""
    checks: list[Check] = []
    try:
        ci = cms.ContentInfo.load(p7s)
        if ci["content_type"].native != "signed_data":
            raise ValueError(f"content type {ci['content_type'].native}, expected signed_data")
        signed_data = ci["content"]
        if len(signed_data["signer_infos"]) != 1:
            raise ValueError(f"{len(signed_data['signer_infos'])} signers, expected 1")
        embedded = _embedded_certs(signed_data)
    except (ValueError, TypeError, KeyError) as e:
        fail = Check("signature", Status.FAILED, f"not a CMS SignedData: {e}", name)
        return SignatureResult((fail,), None, False, None)

    demo_roots = [c for c in embedded if is_self_signed(c) and is_demo(c)]
    roots = list(anchors) if anchors else demo_roots
    ts_time = _timestamp_time(signed_data)
    moment = ts_time or dt.datetime.now(dt.UTC)
    try:
        vc = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=moment
        )
        ts_vc = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        status = await async_validate_detached_cms(
            signed_bytes, signed_data, signer_validation_context=vc, ts_validation_context=ts_vc
        )
    except Exception as e:  # pyHanko raises many types for malformed input
        fail = Check("signature", Status.FAILED, f"signature could not be validated: {e}", name)
        return SignatureResult((fail,), None, False, None)

    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    try:
        identity: CertificateIdentity | None = identity_from_certificate(cert)
    except ValueError:
        identity = None
    who = cert.subject.rfc4514_string()
    if status.intact and status.valid:
        checks.append(Check("signature", Status.OK, f"valid CAdES signature by {who}", name))
    else:
        what = "the signed ASiCManifest changed" if not status.intact else "bad signature value"
        checks.append(Check("signature", Status.FAILED, f"{what} (signer {who})", name))

    demo = is_demo(status.signing_cert) or any(is_demo(c) for c in (status.validation_path or []))
    if status.trusted and status.validation_path is not None:
        anchor = status.validation_path[0]
        anchor_name = anchor.subject.human_friendly
        if demo or is_demo(anchor):
            demo = True
            msg = f"DEMO certificate chain ({anchor_name}) — not a qualified signature"
            checks.append(Check("trust", Status.WARNING, msg, name))
        else:
            checks.append(Check("trust", Status.OK, f"chains to trust anchor {anchor_name}", name))
    else:
        indic = status.trust_problem_indic
        why = indic.standard_name if indic is not None else "no path"
        source = "the configured trust anchors" if anchors else "any DEMO or configured anchor"
        checks.append(
            Check(
                "trust",
                Status.FAILED,
                f"certificate of {who} does not chain to {source} ({why})",
                name,
            )
        )
    checks.append(_key_usage_check(cert, name))

    tsv = status.timestamp_validity
    imprint = timestamp_imprint_matches(p7s)
    if imprint is None or tsv is None:
        checks.append(
            Check(
                "timestamp", Status.WARNING, "no signature time-stamp: signing time unproven", name
            )
        )
        when = None
    else:
        when = tsv.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if not imprint or not (tsv.intact and tsv.valid):
            checks.append(
                Check("timestamp", Status.FAILED, "time-stamp does not match the signature", name)
            )
        elif not tsv.trusted:
            checks.append(
                Check(
                    "timestamp", Status.FAILED, "TSA certificate does not chain to an anchor", name
                )
            )
        else:
            checks.append(Check("timestamp", Status.OK, f"time-stamped {when}", name))
    return SignatureResult(tuple(checks), identity, demo, when)


def _timestamp_time(signed_data: cms.SignedData) -> dt.datetime | None:
    try:
        attrs = signed_data["signer_infos"][0]["unsigned_attrs"]
        for attr in attrs or []:
            if attr["type"].native == "signature_time_stamp_token":
                token = attr["values"][0]
                tst = token["content"]["encap_content_info"]["content"].parsed
                t: dt.datetime = tst["gen_time"].native
                return t
    except (ValueError, KeyError, IndexError, AttributeError):
        return None
    return None
