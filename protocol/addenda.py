"""Signed addenda: a refusal to sign, recorded by the official inside the signed container.

CPC RK Art. 123: a refusal to sign is recorded by the official. Once the protocol is signed its
PDF and JSON cannot change, so a refusal that arrives afterwards (a remote co-signer who refuses,
:mod:`app.core.cosign_requests`) is added as an **addendum** of its own, next to the protocol:

* ``addenda/refusal-NNN.json``: canonical JSON (RFC 8785) of who refused (participant id, role,
  name, IIN), when (UTC and the action's local time), the reason verbatim, the request's id and
  the SHA-256 of the protocol's ASiCManifest it refers to; schema
  ``resources/schemas/addendum-refusal-1.schema.json``.
* ``META-INF/ASiCManifestMMM.xml`` (the next free number): its data objects are the addendum and
  the referenced ``META-INF/ASiCManifest001.xml`` (ETSI EN 319 162-1 allows several
  ASiCManifest files, each with its own signature, and any file as a data object).
* ``META-INF/signatureMMM.p7s``: the official's CAdES detached signature over that manifest.

The three members are appended in place (:func:`protocol.asic.append_members`): no member
already in the container is rewritten, so every earlier signature still verifies byte for byte.
``META-INF/manifest.xml`` (unsigned, OpenDocument) is an existing member and is left as it was.

:func:`addendum_checks` verifies them (check names ``addendum`` and ``addendum-digest``, plus the
``signature``/``trust``/``key-usage``/``timestamp`` checks of the addendum's signature).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
import zipfile
import zlib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import jsonschema
from pyhanko.sign.timestamps import TimeStamper

import resources
from protocol.asic import (
    ASIC_MANIFEST_RE,
    AsicManifest,
    DataObject,
    append_members,
    asic_manifest_xml,
    open_zip,
    parse_asic_manifest,
)
from protocol.container import read_container_json, read_manifests
from protocol.errors import ProtocolError
from protocol.signed_objects import read_signed_manifests
from protocol.signing import Signer
from protocol.timestamp import add_signature_timestamp, http_timestamper
from protocol.verify_signature import validate_signature
from protocol.zipread import Members
from recorder.canonical import CanonicalJSONError, canonical_json, parse_json_object
from recorder.clock import format_utc
from recorder.report import Check, Status

ADDENDA = "addenda/"
FORMAT = "tergeu-addendum/1"
KIND_REFUSAL = "refusal_to_sign"
CHANNEL = "remote_cosign_request"
SCHEMA_FILE = ("schemas", "addendum-refusal-1.schema.json")
REFUSAL_RE = re.compile(r"^addenda/refusal-(\d{3})\.json$")
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class Refusal:
    """A participant's refusal to sign, as it reached the official."""

    participant_id: str
    reason: str
    refused_at: dt.datetime
    request_id: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ProtocolError("a refusal to sign needs a reason, got an empty one")
        if len(self.reason) > MAX_REASON_CHARS:
            raise ProtocolError(
                f"refusal reason has {len(self.reason)} characters; at most {MAX_REASON_CHARS}"
            )
        if self.refused_at.tzinfo is None:
            raise ProtocolError(f"refused_at {self.refused_at} has no time zone; expected UTC")


@dataclass(frozen=True)
class Addendum:
    """One addendum in a container: its members and what it says (the parsed JSON)."""

    number: int  # NNN of addenda/refusal-NNN.json
    uri: str
    manifest: str  # META-INF/ASiCManifestMMM.xml
    signature: str  # META-INF/signatureMMM.p7s
    content: Mapping[str, Any]


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resources.path(*SCHEMA_FILE).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def schema_errors(data: Mapping[str, Any]) -> list[str]:
    """Every place ``data`` breaks the refusal addendum's schema (empty when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in _validator().iter_errors(dict(data))
    ]


def _moment(instant: dt.datetime, zone: str) -> dict[str, str]:
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    return {
        "utc": format_utc(instant),
        "local": local.isoformat(timespec="seconds"),
        "timezone": zone,
    }


class Listing(Protocol):
    """An ASiCManifest as read: :class:`~protocol.asic.AsicManifest` (parsed in full) or
    :class:`~protocol.signed_objects.SignedObjects` (the verifier's compact form)."""

    @property
    def sig_uri(self) -> str: ...

    @property
    def uris(self) -> Sequence[str]: ...


_M = TypeVar("_M", bound=Listing)


def is_addendum_manifest(manifest: Listing) -> bool:
    """An ASiCManifest that covers an addendum (not the protocol's data objects)."""
    return any(uri.startswith(ADDENDA) for uri in manifest.uris)


def split_addenda(manifests: dict[int, _M]) -> tuple[dict[int, _M], frozenset[str]]:
    """(the protocol's manifests, every member name that belongs to an addendum).

    The verifier checks the protocol's manifests as before and leaves the addenda — their
    data objects, manifests and signatures — to :func:`addendum_checks`.
    """
    protocol, members = {}, set()
    for number, manifest in manifests.items():
        if is_addendum_manifest(manifest):
            members.add(f"META-INF/ASiCManifest{number:03d}.xml")
            members.add(manifest.sig_uri)
            members.update(uri for uri in manifest.uris if uri.startswith(ADDENDA))
        else:
            protocol[number] = manifest
    return protocol, frozenset(members)


async def append_addendum(
    container: Path,
    *,
    name: str,
    data: bytes,
    refers_to: tuple[str, bytes],
    signer: Signer,
    timestamper: TimeStamper | None = None,
    number: int | None = None,
) -> tuple[str, str]:
    """Append ``data`` as addendum ``name`` with its own signed ASiCManifest.

    ``refers_to`` is (manifest member, its SHA-256); ``number`` that of the new ASiCManifest
    (default: the next free one; a number in use is refused when appending). Returns
    (manifest, signature) member names. The lower-level step of :func:`add_refusal`; the
    content is not checked here.
    """
    container = Path(container)
    if not name.startswith(ADDENDA):
        raise ProtocolError(f"addendum {name!r}: expected a name under {ADDENDA}")

    def next_number() -> int:
        with open_zip(container) as zf:
            numbers = [int(m.group(1)) for n in zf.namelist() if (m := ASIC_MANIFEST_RE.match(n))]
        return max(numbers, default=0) + 1

    if number is None:
        number = await asyncio.to_thread(next_number)
    if not 1 <= number <= 999:
        raise ProtocolError(f"{container}: ASiCManifest number {number} is outside 1..999")
    sig_uri = f"META-INF/signature{number:03d}.p7s"
    manifest_uri = f"META-INF/ASiCManifest{number:03d}.xml"
    objects = sorted(
        (
            DataObject(name, "application/json", hashlib.sha256(data).digest()),
            DataObject(refers_to[0], "text/xml", refers_to[1]),
        ),
        key=lambda o: o.uri,
    )
    manifest = asic_manifest_xml(sig_uri, objects)
    signature = await signer.sign_detached(manifest)
    if timestamper is not None:
        signature = await add_signature_timestamp(signature, timestamper)
    await asyncio.to_thread(
        append_members,
        container,
        [(name, data, True), (manifest_uri, manifest, True), (sig_uri, signature, False)],
    )
    return manifest_uri, sig_uri


@dataclass(frozen=True)
class _Parts:
    """What recording a refusal needs from the container, read in one pass over the zip."""

    meta: dict[str, Any]
    proto: dict[str, Any]
    first: str  # the protocol's first ASiCManifest
    first_bytes: bytes
    first_p7s: bytes
    names: frozenset[str]
    addenda: list[Addendum]
    next_number: int  # of the next ASiCManifest


def _read(container: Path) -> _Parts:
    # one open and one parse of the manifests: a two-hour container lists ~15,000 members
    with open_zip(container) as zf:
        everything = read_manifests(zf)
        manifests, _ = split_addenda(everything)
        if not manifests:
            raise ProtocolError(f"{container}: the protocol is not signed; nothing to add to")
        first = f"META-INF/ASiCManifest{min(manifests):03d}.xml"
        try:
            proto = parse_json_object(zf.read("protocol.json"), what="protocol.json")
            first_p7s = zf.read(manifests[min(manifests)].sig_uri)
        except (KeyError, CanonicalJSONError) as e:
            raise ProtocolError(f"{container}: cannot record a refusal in it: {e}") from e
        return _Parts(
            read_container_json(zf),
            proto,
            first,
            zf.read(first),
            first_p7s,
            frozenset(zf.namelist()),
            _addenda_in(zf, everything),
            max(everything) + 1,
        )


async def add_refusal(
    container: Path,
    refusal: Refusal,
    signer: Signer,
    *,
    tsa_url: str | None = None,
    timestamper: TimeStamper | None = None,
    now: dt.datetime | None = None,
) -> Addendum:
    """Record ``refusal`` as a signed addendum of ``container`` (see the module docstring).

    The signer must be the official who signed the protocol (the first ASiCManifest's signer);
    the participant must be one of protocol.json's, with an IIN. A request whose refusal is
    already recorded is refused (ProtocolError naming the addendum).
    """
    container = Path(container)
    if tsa_url and timestamper is not None:
        raise ProtocolError("give either tsa_url or timestamper, not both")
    ts = http_timestamper(tsa_url) if tsa_url else timestamper
    parts = await asyncio.to_thread(_read, container)
    meta, proto, first, first_bytes = parts.meta, parts.proto, parts.first, parts.first_bytes
    first_p7s, names, existing = parts.first_p7s, parts.names, parts.addenda
    first_result = await validate_signature(first, first_bytes, first_p7s, None)
    official = first_result.identity
    me = signer.identity
    if official is None or official.iin != me.iin:
        raise ProtocolError(
            f"the refusal must be recorded by the official who signed the protocol "
            f"(IIN {official.iin if official else 'unknown'}), not by IIN {me.iin or 'none'}"
        )
    people = {str(p.get("id")): p for p in proto.get("participants") or [] if isinstance(p, dict)}
    person = people.get(refusal.participant_id)
    if person is None or not person.get("iin"):
        raise ProtocolError(
            f"participant {refusal.participant_id!r}: expected a participant of the protocol "
            f"with an IIN ({', '.join(k for k, p in people.items() if p.get('iin'))})"
        )
    for a in existing:
        if a.content.get("request_id") == refusal.request_id:
            raise ProtocolError(f"the refusal of request {refusal.request_id} is in {a.uri}")
    number = max((a.number for a in existing), default=0) + 1
    zone = str((proto.get("action") or {}).get("timezone") or "UTC")
    content = {
        "format": FORMAT,
        "kind": KIND_REFUSAL,
        "number": number,
        "container_id": str(meta.get("container_id")),
        "refers_to": {"manifest": first, "sha256": hashlib.sha256(first_bytes).hexdigest()},
        "participant": {
            "id": refusal.participant_id,
            "role": str(person.get("role")),
            "full_name": str(person.get("full_name")),
            "iin": str(person["iin"]),
        },
        "refused_at": _moment(refusal.refused_at, zone),
        "reason": refusal.reason,
        "request_id": refusal.request_id,
        "channel": CHANNEL,
        "recorded_by": {"full_name": me.display_name, "iin": me.iin},
        "recorded_at": _moment(now or dt.datetime.now(dt.UTC), zone),
    }
    problems = schema_errors(content)
    if problems:
        raise ProtocolError(f"refusal addendum does not fit its schema: {'; '.join(problems)}")
    uri = f"addenda/refusal-{number:03d}.json"
    if uri in names:
        raise ProtocolError(f"{container}: {uri} exists but no manifest covers it")
    manifest, signature = await append_addendum(
        container,
        name=uri,
        data=canonical_json(content),
        refers_to=(first, hashlib.sha256(first_bytes).digest()),
        signer=signer,
        timestamper=ts,
        number=parts.next_number,
    )
    return Addendum(number, uri, manifest, signature, content)


def read_addenda(container: Path) -> list[Addendum]:
    """The addenda in ``container`` as their manifests list them (parsed, not verified)."""
    with open_zip(container) as zf:
        return _addenda_in(zf, read_manifests(zf))


def _addenda_in(zf: zipfile.ZipFile, manifests: dict[int, AsicManifest]) -> list[Addendum]:
    out = []
    for number, manifest in sorted(manifests.items()):
        if not is_addendum_manifest(manifest):
            continue
        for o in manifest.objects:
            if m := REFUSAL_RE.match(o.uri):
                try:
                    content = parse_json_object(zf.read(o.uri), what=o.uri)
                except (KeyError, CanonicalJSONError):
                    content = {}
                manifest_name = f"META-INF/ASiCManifest{number:03d}.xml"
                out.append(
                    Addendum(int(m.group(1)), o.uri, manifest_name, manifest.sig_uri, content)
                )
    return out


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddendaResult:
    """The checks of every addendum and, per addendum, what it records (report facts)."""

    checks: tuple[Check, ...]
    facts: tuple[dict[str, Any], ...]


def _member(zf: Members, name: str) -> bytes | None:
    try:
        return zf.read(name)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return None


async def addendum_checks(zf: Members, anchors: list[Any] | None) -> AddendaResult:
    """Verify every addendum of the open container ``zf``.

    Per addendum manifest: its shape (one ``addenda/refusal-NNN.json`` and one protocol
    ASiCManifest, nothing else), the digests of both (``addendum-digest``), its signature
    (``signature``/``trust``/``key-usage``/``timestamp``), the referenced manifest being one of
    the container's protocol manifests, the JSON (schema, number, container id, the reference it
    states, the participant as protocol.json names them) and the signer being the official who
    signed the referenced manifest (``addendum``). No addenda: no checks.
    """
    try:
        manifests = read_signed_manifests(zf)  # the protocol's are long: read, not parsed
        meta = read_container_json(zf)
    except ProtocolError:
        return AddendaResult((), ())  # reported by the structure check
    protocol_manifests, _ = split_addenda(manifests)
    names = set(zf.namelist())
    proto_bytes = _member(zf, "protocol.json")
    try:
        proto = parse_json_object(proto_bytes or b"", what="protocol.json")
    except CanonicalJSONError:
        proto = {}
    checks: list[Check] = []
    facts: list[dict[str, Any]] = []
    for number, listing in sorted(manifests.items()):
        if not is_addendum_manifest(listing):
            continue
        name = f"META-INF/ASiCManifest{number:03d}.xml"
        try:  # an addendum's manifest is short: parsed in full for the checks below
            manifest = parse_asic_manifest(zf.read(name), what=name)
        except ProtocolError as e:  # pragma: no cover - read above with the same strictness
            checks.append(Check("addendum", Status.FAILED, str(e), name))
            continue
        one = await _check_one(
            zf, number, manifest, protocol_manifests, names, meta, proto, anchors
        )
        checks += one[0]
        facts.append(one[1])
    stray = sorted(
        n
        for n in names
        if n.startswith(ADDENDA)
        and not any(n in m.uris for m in manifests.values() if is_addendum_manifest(m))
    )
    checks += [
        Check("addendum", Status.FAILED, "not covered by any signed manifest", n) for n in stray
    ]
    return AddendaResult(tuple(checks), tuple(facts))


async def _check_one(
    zf: Members,
    number: int,
    manifest: AsicManifest,
    protocol_manifests: Mapping[int, Listing],
    names: set[str],
    meta: Mapping[str, Any],
    proto: Mapping[str, Any],
    anchors: list[Any] | None,
) -> tuple[list[Check], dict[str, Any]]:
    name = f"META-INF/ASiCManifest{number:03d}.xml"
    checks: list[Check] = []
    fact: dict[str, Any] = {"manifest": name, "signature": manifest.sig_uri}

    def fail(message: str, subject: str = name, check: str = "addendum") -> None:
        checks.append(Check(check, Status.FAILED, message, subject))

    files = [o for o in manifest.objects if REFUSAL_RE.match(o.uri)]
    refs = [o for o in manifest.objects if ASIC_MANIFEST_RE.match(o.uri)]
    others = [o.uri for o in manifest.objects if o not in files and o not in refs]
    if len(files) != 1 or len(refs) != 1 or others:
        fail(
            f"covers {', '.join(o.uri for o in manifest.objects)}; expected one "
            "addenda/refusal-NNN.json and the protocol ASiCManifest it refers to"
        )
        return checks, fact
    doc, ref = files[0], refs[0]
    fact["file"] = doc.uri

    # the reference: a protocol manifest of this container, with the digest listed
    ref_numbers = {f"META-INF/ASiCManifest{n:03d}.xml" for n in protocol_manifests}
    if ref.uri not in names:
        fail(f"refers to {ref.uri}, which is not in the container")
    elif ref.uri not in ref_numbers:
        fail(f"refers to {ref.uri}, which is not a manifest of the signed protocol")
    for o in (doc, ref):
        data = _member(zf, o.uri)
        if data is None:
            if o is doc:
                fail("listed in the addendum's manifest but missing", o.uri, "addendum-digest")
            continue
        digest = hashlib.sha256(data).digest()
        if digest != o.sha256:
            fail(
                f"SHA-256 is {digest.hex()}, not the one signed in {name}", o.uri, "addendum-digest"
            )
        elif o is doc:
            checks.append(Check("addendum-digest", Status.OK, f"matches {name}", o.uri))

    # the signature over the addendum's manifest
    p7s = _member(zf, manifest.sig_uri)
    signer_iin = None
    if p7s is None:
        fail(f"{manifest.sig_uri} is missing", manifest.sig_uri, "signature")
    else:
        result = await validate_signature(manifest.sig_uri, zf.read(name), p7s, anchors)
        checks += result.checks
        if result.identity is not None:
            signer_iin = result.identity.iin
            fact |= {"signer": result.identity.display_name, "signer_iin": signer_iin}
        fact["timestamp"] = result.signing_time

    # the official: whoever signed the referenced protocol manifest
    if ref.uri in ref_numbers and signer_iin is not None:
        ref_number = int(ASIC_MANIFEST_RE.match(ref.uri).group(1))  # type: ignore[union-attr]
        ref_sig = _member(zf, protocol_manifests[ref_number].sig_uri)
        official = None
        if ref_sig is not None:
            official_result = await validate_signature(ref.uri, zf.read(ref.uri), ref_sig, anchors)
            official = official_result.identity
        if official is None or official.iin != signer_iin:
            fail(
                f"signed by IIN {signer_iin}, not by the official who signed {ref.uri} "
                f"(IIN {official.iin if official else 'unknown'})",
                manifest.sig_uri,
            )

    checks += _content_checks(zf, doc.uri, number, ref, meta, proto, fact)
    refused_iin = (fact.get("participant") or {}).get("iin")
    for other in protocol_manifests.values():
        if refused_iin and refused_iin in _signer_iins(_member(zf, other.sig_uri)):
            msg = (
                f"{fact['participant']['full_name']} (IIN {refused_iin}) refused in {doc.uri} "
                f"but signed {other.sig_uri}"
            )
            checks.append(Check("addendum", Status.WARNING, msg, doc.uri))
    return checks, fact


def _signer_iins(p7s: bytes | None) -> set[str]:
    """IINs named by the certificates a CMS carries (who signed is validated elsewhere)."""
    from asn1crypto import cms
    from cryptography import x509

    from protocol.signing import identity_from_certificate

    out: set[str] = set()
    if p7s is None:
        return out
    try:
        signed = cms.ContentInfo.load(p7s)["content"]
        for choice in signed["certificates"] or []:
            cert = x509.load_der_x509_certificate(choice.chosen.dump())
            try:
                iin = identity_from_certificate(cert).iin
            except (ValueError, ProtocolError):
                continue
            if iin:
                out.add(iin)
    except (ValueError, TypeError, KeyError):
        return out
    return out


def _content_checks(
    zf: Members,
    uri: str,
    manifest_number: int,
    ref: DataObject,
    meta: Mapping[str, Any],
    proto: Mapping[str, Any],
    fact: dict[str, Any],
) -> list[Check]:
    data = _member(zf, uri)
    if data is None:
        return []
    try:
        content = parse_json_object(data, what=uri)
    except CanonicalJSONError as e:
        return [Check("addendum", Status.FAILED, str(e), uri)]
    if canonical_json(content) != data:
        return [Check("addendum", Status.FAILED, "not canonical JSON (RFC 8785)", uri)]
    problems = schema_errors(content)
    if problems:
        return [Check("addendum", Status.FAILED, "; ".join(problems), uri)]
    out: list[Check] = []
    file_number = int(REFUSAL_RE.match(uri).group(1))  # type: ignore[union-attr]
    person = content["participant"]
    fact |= {
        "kind": content["kind"],
        "number": content["number"],
        "participant": dict(person),
        "reason": content["reason"],
        "refused_at": dict(content["refused_at"]),
        "recorded_by": dict(content["recorded_by"]),
        "recorded_at": dict(content["recorded_at"]),
        "request_id": content["request_id"],
        "refers_to": dict(content["refers_to"]),
    }
    if content["number"] != file_number:
        out.append(Check("addendum", Status.FAILED, f"number {content['number']} in {uri}", uri))
    if content["container_id"] != meta.get("container_id"):
        msg = f"container_id {content['container_id']!r} is not {meta.get('container_id')!r}"
        out.append(Check("addendum", Status.FAILED, msg, uri))
    stated = content["refers_to"]
    if stated["manifest"] != ref.uri or stated["sha256"] != ref.sha256.hex():
        msg = f"says it refers to {stated['manifest']}, its signed manifest lists {ref.uri}"
        out.append(Check("addendum", Status.FAILED, msg, uri))
    people = {str(p.get("id")): p for p in proto.get("participants") or [] if isinstance(p, dict)}
    named = people.get(person["id"])
    if named is None or str(named.get("iin")) != person["iin"]:
        msg = f"participant {person['id']!r} (IIN {person['iin']}) is not in protocol.json"
        out.append(Check("addendum", Status.FAILED, msg, uri))
    if not out:
        msg = (
            f"refusal to sign by {person['full_name']} ({person['role']}, IIN {person['iin']}) "
            f"at {content['refused_at']['local']}, recorded by "
            f"{content['recorded_by']['full_name']}: “{content['reason']}”"
        )
        out.append(Check("addendum", Status.OK, msg, uri))
    return out
