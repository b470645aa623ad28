"""Requests for co-signatures: the investigator's side of remote co-signing (Qt-free).

After the investigator signed the container, each participant who signs with a key (an expert,
specialist, defender, interpreter…) gets a request: a link with a random single-use token and a
6-digit PIN handed over separately, as for invites (:mod:`app.core.invites`). The link names the
action and carries, next to the token, the SHA-256 of the container's first ASiCManifest, so the
co-signer's app can tell that what it downloads is exactly the signed protocol. The first correct
PIN consumes the token and gives the co-signer's app a ticket for this request only; five wrong
PINs lock it; the investigator can revoke it; it expires.

With the ticket the co-signer's app downloads the protocol PDF, the first ASiCManifest and the
investigator's signature, then uploads a CAdES detached signature over the next ASiCManifest
(``ASiCManifestNNN.xml`` covering the same data objects, SigReference ``signatureNNN.p7s``). The
desk accepts it only if the signature verifies over exactly that manifest, chains to the trust
anchors (or DEMO without anchors), has the key usage of a signing key, and names the invited
participant's IIN; then :func:`protocol.container.add_signature` adds it and the container is
verified again. A co-signer may refuse with a reason: the refusal is kept in the request record
(``<container>.cosign.json``, owner-only, hashes only: never a token, ticket or PIN), and the
investigator records it in the container as a signed addendum (:meth:`CosignDesk.record_refusal`,
:mod:`protocol.addenda`; CPC Art. 123: a refusal to sign is recorded by the official).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509

from app.core.cosign_link import CosignError, CosignLink
from app.core.invites import MAX_PIN_ATTEMPTS
from protocol.signing import Signer, SigningError
from recorder.report import Report, Status

log = logging.getLogger(__name__)
RECORD_FORMAT = "tergeu-cosign-requests/1"
MAX_REASON_CHARS = 2000
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
STATES = ("sent", "opened", "signed", "refused", "expired", "revoked", "locked")
# Roles that never co-sign remotely: the officials drafting the protocol sign it themselves.
NOT_COSIGNING = ("investigator", "inquiry_officer")


def _hash(kind: str, secret: str) -> str:
    return hashlib.sha256(f"tergeu-cosign-{kind}\x00{secret}".encode()).hexdigest()


def _pin_hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


@dataclass(frozen=True)
class Candidate:
    """A participant of the protocol who can be asked to co-sign (they have an IIN)."""

    participant_id: str
    role: str
    name: str
    iin: str


@dataclass(frozen=True)
class CosignRequest:
    """One request as stored: hashes only, never the token, PIN or ticket."""

    request_id: str
    action_id: str
    participant_id: str
    role: str
    display_name: str
    iin: str
    manifest_sha256: str
    expires_at: datetime
    token_hash: str
    pin_salt: bytes = field(repr=False)
    pin_hash: bytes = field(repr=False)
    failed_pins: int = 0
    opened_at: datetime | None = None
    ticket_hash: str = ""
    signed_at: datetime | None = None
    signature: str = ""  # the container member once added, e.g. META-INF/signature002.p7s
    refused_at: datetime | None = None
    reason: str = ""
    revoked_at: datetime | None = None
    last_error: str = ""
    refusal_recorded: str = ""  # the signed addendum once recorded, e.g. addenda/refusal-001.json

    def state(self, now: datetime) -> str:
        """One of :data:`STATES` at ``now``."""
        if self.signed_at is not None:
            return "signed"
        if self.refused_at is not None:
            return "refused"
        if self.revoked_at is not None:
            return "revoked"
        if self.failed_pins >= MAX_PIN_ATTEMPTS:
            return "locked"
        if now >= self.expires_at:
            return "expired"
        return "opened" if self.opened_at is not None else "sent"


@dataclass(frozen=True)
class IssuedRequest:
    """What the investigator hands out: the link and, by another channel, the PIN."""

    request: CosignRequest
    link: str = field(repr=False)
    pin: str = field(repr=False)


@dataclass(frozen=True)
class CosignEvent:
    """A request changed (``kind`` "state") or an added signature progresses ("progress")."""

    kind: str
    request: CosignRequest
    stage: str = ""
    done: int = 0
    total: int = 0


class _Presigned(Signer):
    """The co-signer's uploaded CMS, handed to add_signature for exactly the manifest it signs."""

    def __init__(self, p7s: bytes, manifest: bytes, cert: x509.Certificate) -> None:
        self._p7s, self._manifest, self._cert = p7s, manifest, cert

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return ()

    async def sign_detached(self, data: bytes) -> bytes:
        if data != self._manifest:
            raise SigningError(
                "the container changed while the co-signature arrived; ask for it again"
            )
        return self._p7s


def signing_certificate(p7s: bytes) -> x509.Certificate:
    """The certificate of the (single) signer of a DER CMS SignedData."""
    from asn1crypto import cms

    try:
        signed = cms.ContentInfo.load(p7s)["content"]
        sid = signed["signer_infos"][0]["sid"]
        for choice in signed["certificates"] or []:
            cert = choice.chosen
            if sid.name == "issuer_and_serial_number" and (
                cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            ):
                return x509.load_der_x509_certificate(cert.dump())
            if sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
                return x509.load_der_x509_certificate(cert.dump())
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise CosignError("not_cms", f"the upload is not a CMS signature: {e}", status=422) from e
    raise CosignError("no_certificate", "the signature carries no signing certificate", status=422)


class CosignDesk:
    """The co-signature requests of one signed container, and the checks of what comes back.

    Thread-safe for the sync calls (PIN checks run in a worker thread); uploads are serialised
    with an asyncio lock so two co-signatures never race for the same signature number.
    """

    def __init__(
        self,
        container: Path,
        *,
        action_title: str = "",
        trust_anchors_dir: Path | None = None,
        tsa_url: str = "",
        record: Path | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        from protocol.asic import open_zip
        from protocol.container import read_container_json, read_manifests
        from protocol.errors import ProtocolError

        self.container = Path(container)
        self.action_title = action_title
        self.trust_anchors_dir = trust_anchors_dir
        self.tsa_url = tsa_url
        self._now = now
        self._requests: dict[str, CosignRequest] = {}
        self._lock = asyncio.Lock()
        self._mutex = threading.RLock()  # the requests and their record, across threads
        self._listeners: list[Callable[[CosignEvent], None]] = []
        try:
            with open_zip(self.container) as zf:
                manifests = read_manifests(zf)
                meta = read_container_json(zf)
                if not manifests:
                    raise ProtocolError("no ASiCManifest: the container is not signed")
                first = min(manifests)
                self.manifest = zf.read(f"META-INF/ASiCManifest{first:03d}.xml")
                self.first_signature = zf.read(manifests[first].sig_uri)
                self.protocol = json.loads(zf.read("protocol.json"))
        except (ProtocolError, KeyError, ValueError, zipfile.BadZipFile) as e:
            raise CosignError(
                "container", f"{self.container}: cannot ask to co-sign it: {e}"
            ) from e
        self.objects = manifests[first].objects
        self.action_id = str(meta.get("container_id", ""))
        self.manifest_sha256 = hashlib.sha256(self.manifest).hexdigest()
        self.record = record or self.container.with_name(self.container.name + ".cosign.json")
        if self.record.exists():
            self._load()

    # --- the investigator's side ------------------------------------------------------------

    def add_listener(self, listener: Callable[[CosignEvent], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: CosignEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("a co-sign listener failed")

    def candidates(self) -> list[Candidate]:
        """Participants with an IIN who have neither signed this container nor refused."""
        from protocol.asic import open_zip
        from protocol.container import read_manifests
        from protocol.signing import identity_from_certificate

        with open_zip(self.container) as zf:
            signed = {
                identity_from_certificate(signing_certificate(zf.read(m.sig_uri))).iin
                for m in read_manifests(zf).values()
            }
        refused = {
            str(s.get("participant"))
            for s in self.protocol.get("signatures") or []
            if isinstance(s, dict) and s.get("status") == "refused"
        }
        out = []
        for p in self.protocol.get("participants") or []:
            if not isinstance(p, dict) or not p.get("iin"):
                continue
            pid, iin = str(p.get("id")), str(p["iin"])
            if iin in signed or pid in refused or p.get("role") in NOT_COSIGNING:
                continue
            out.append(Candidate(pid, str(p.get("role")), str(p.get("full_name", pid)), iin))
        return out

    def issue(
        self, participant_id: str, *, base_url: str, ttl: timedelta = timedelta(days=2)
    ) -> IssuedRequest:
        """A request for ``participant_id``; an earlier open request of theirs is revoked."""
        if ttl <= timedelta(0):
            raise CosignError("ttl", f"request lifetime must be positive, got {ttl}")
        who = {c.participant_id: c for c in self.candidates()}.get(participant_id)
        if who is None:
            raise CosignError(
                "not_a_candidate",
                f"participant {participant_id!r} cannot be asked to co-sign: expected one of "
                f"{', '.join(c.participant_id for c in self.candidates()) or 'nobody'}",
            )
        for old in self.requests():
            if old.participant_id == participant_id and old.state(self._now()) in (
                "sent",
                "opened",
            ):
                self.revoke(old.request_id)
        token = secrets.token_urlsafe(32)
        pin = f"{secrets.randbelow(10**6):06d}"
        salt = secrets.token_bytes(16)
        request = CosignRequest(
            request_id=secrets.token_hex(8),
            action_id=self.action_id,
            participant_id=who.participant_id,
            role=who.role,
            display_name=who.name,
            iin=who.iin,
            manifest_sha256=self.manifest_sha256,
            expires_at=self._now() + ttl,
            token_hash=_hash("token", token),
            pin_salt=salt,
            pin_hash=_pin_hash(pin, salt),
        )
        self._put(request)
        link = CosignLink(base_url, self.action_id, token, self.manifest_sha256).text
        return IssuedRequest(request, link, pin)

    def requests(self) -> list[CosignRequest]:
        return list(self._requests.values())

    def revoke(self, request_id: str) -> CosignRequest:
        request = self._requests.get(request_id)
        if request is None:
            raise CosignError("unknown", f"no co-sign request {request_id!r}", status=404)
        return self._put(replace(request, revoked_at=request.revoked_at or self._now()))

    def _put(self, request: CosignRequest) -> CosignRequest:
        with self._mutex:
            self._requests[request.request_id] = request
            self._save()
        self._emit(CosignEvent("state", request))
        return request

    # --- what the server asks ------------------------------------------------------------------

    def _usable(self, request: CosignRequest) -> CosignRequest:
        state = request.state(self._now())
        messages = {
            "signed": ("used", "This co-sign request is already signed.", 409),
            "refused": ("used", "This co-sign request was refused.", 409),
            "revoked": ("revoked", "The investigator withdrew this co-sign request.", 410),
            "locked": ("pin_locked", "Too many wrong PINs: this request is locked.", 403),
            "expired": ("expired", "This co-sign request has expired.", 410),
        }
        if state in messages:
            code, message, status = messages[state]
            raise CosignError(code, message, status=status, attempts_left=0)
        return request

    def open(self, token: str, pin: str) -> tuple[CosignRequest, str]:
        """Check token and PIN (slow: scrypt); consume the token; return the request's ticket."""
        found = [
            r for r in self.requests() if hmac.compare_digest(r.token_hash, _hash("token", token))
        ]
        if not found:
            raise CosignError("unknown", "This co-sign link is not valid.", status=403)
        request = self._usable(found[0])
        if request.opened_at is not None:
            raise CosignError("used", "This co-sign link was already used.", status=409)
        ok = hmac.compare_digest(_pin_hash(pin, request.pin_salt), request.pin_hash)
        with self._mutex:  # two tries at once: each wrong PIN counts, one right PIN wins
            request = self._usable(self._requests[request.request_id])
            if request.opened_at is not None:
                raise CosignError("used", "This co-sign link was already used.", status=409)
            if not ok:
                request = self._put(replace(request, failed_pins=request.failed_pins + 1))
                left = MAX_PIN_ATTEMPTS - request.failed_pins
                if left <= 0:
                    raise CosignError(
                        "pin_locked",
                        "Too many wrong PINs: this request is locked.",
                        status=403,
                        attempts_left=0,
                    )
                raise CosignError(
                    "pin_wrong", "The PIN is not correct.", status=403, attempts_left=left
                )
            ticket = secrets.token_urlsafe(32)
            request = self._put(
                replace(request, opened_at=self._now(), ticket_hash=_hash("ticket", ticket))
            )
            return request, ticket

    def by_ticket(self, ticket: str) -> CosignRequest:
        """The request a ticket belongs to, if it can still be signed or refused."""
        wanted = _hash("ticket", ticket)
        for request in self.requests():
            if request.ticket_hash and hmac.compare_digest(request.ticket_hash, wanted):
                return self._usable(request)
        raise CosignError("unknown_ticket", "This co-sign ticket is not valid.", status=403)

    def part(self, name: str) -> tuple[bytes, str]:
        """(bytes, media type) of ``manifest``, ``signature`` (the investigator's) or ``pdf``."""
        if name == "manifest":
            return self.manifest, "application/xml"
        if name == "signature":
            return self.first_signature, "application/pkcs7-signature"
        if name == "pdf":
            with zipfile.ZipFile(self.container) as zf:
                return zf.read("protocol.pdf"), "application/pdf"
        raise CosignError(
            "unknown_part", f"part {name!r}: expected manifest, signature or pdf", status=404
        )

    def next_number(self) -> int:
        """The number of the next ASiCManifest/signature pair in the container."""
        from protocol.asic import ASIC_MANIFEST_RE

        with zipfile.ZipFile(self.container) as zf:
            numbers = [int(m.group(1)) for n in zf.namelist() if (m := ASIC_MANIFEST_RE.match(n))]
        return max(numbers, default=0) + 1

    def manifest_for(self, number: int) -> bytes:
        """The ASiCManifest the co-signature number ``number`` is made over."""
        from protocol.asic import asic_manifest_xml

        return asic_manifest_xml(f"META-INF/signature{number:03d}.p7s", self.objects)

    async def accept(self, ticket: str, number: int, p7s: bytes) -> tuple[CosignRequest, Report]:
        """Check an uploaded co-signature, add it to the container, verify the container."""
        request = self.by_ticket(ticket)
        async with self._lock:
            request = self.by_ticket(ticket)
            try:
                report = await self._add(request, number, p7s)
            except CosignError as e:
                if e.code != "renumber":
                    self._put(replace(self._requests[request.request_id], last_error=e.message))
                raise
            member = f"META-INF/signature{number:03d}.p7s"
            done = self._put(
                replace(request, signed_at=self._now(), signature=member, last_error="")
            )
            log.info(
                "co-signature %s of %s added to %s",
                member,
                request.participant_id,
                self.container.name,
            )
            return done, report

    async def _add(self, request: CosignRequest, number: int, p7s: bytes) -> Report:
        from protocol.container import add_signature
        from protocol.errors import ProtocolError
        from protocol.trust import load_trust_anchors
        from protocol.verify import async_verify_container
        from protocol.verify_signature import validate_signature

        due = await asyncio.to_thread(self.next_number)
        if number != due:
            error = CosignError(
                "renumber",
                f"signature number {number:03d} is taken; sign the manifest for {due:03d}",
                status=409,
            )
            error.number = due
            raise error
        manifest = self.manifest_for(number)
        sig_uri = f"META-INF/signature{number:03d}.p7s"
        anchors = (
            await asyncio.to_thread(load_trust_anchors, self.trust_anchors_dir)
            if self.trust_anchors_dir
            else None
        )
        result = await validate_signature(sig_uri, manifest, p7s, anchors)
        for check in result.checks:
            if check.status is Status.FAILED:
                code = {"signature": "wrong_manifest", "trust": "untrusted"}.get(
                    check.name, check.name
                )
                raise CosignError(code, f"co-signature refused: {check.message}", status=422)
        iin = result.identity.iin if result.identity else ""
        if iin != request.iin:
            raise CosignError(
                "not_invited",
                f"co-signature refused: the certificate names IIN {iin or 'none'}, but the "
                f"request is for participant {request.participant_id} (IIN {request.iin})",
                status=422,
            )
        cert = signing_certificate(p7s)
        try:
            await add_signature(
                self.container,
                _Presigned(p7s, manifest, cert),
                tsa_url=self.tsa_url or None,
                progress=lambda done, total: self._emit(
                    CosignEvent("progress", request, "sign", done, total)
                ),
            )
            return await async_verify_container(
                self.container,
                trust_anchors_dir=self.trust_anchors_dir,
                progress=lambda done, total: self._emit(
                    CosignEvent("progress", request, "verify", done, total)
                ),
            )
        except ProtocolError as e:
            raise CosignError("container", f"the co-signature could not be added: {e}") from e

    def unrecorded_refusals(self) -> list[CosignRequest]:
        """Refused requests whose refusal is not yet a signed addendum of the container."""
        return [r for r in self.requests() if r.refused_at is not None and not r.refusal_recorded]

    async def record_refusal(self, request_id: str, signer: Signer) -> tuple[CosignRequest, Report]:
        """Record a refusal in the container as an addendum signed by ``signer`` (the official
        who signed the protocol), then verify the container. Serialised with co-signatures."""
        from protocol.addenda import Refusal, add_refusal
        from protocol.errors import ProtocolError
        from protocol.verify import async_verify_container

        async with self._lock:
            request = self._requests.get(request_id)
            if request is None:
                raise CosignError("unknown", f"no co-sign request {request_id!r}", status=404)
            if request.refused_at is None:
                raise CosignError(
                    "not_refused",
                    f"request {request_id} of {request.participant_id} is "
                    f"{request.state(self._now())}, not refused: there is no refusal to record",
                )
            if request.refusal_recorded:
                raise CosignError(
                    "recorded", f"the refusal is already recorded in {request.refusal_recorded}"
                )
            self._emit(CosignEvent("progress", request, "record", 0, 1))
            try:
                addendum = await add_refusal(
                    self.container,
                    Refusal(request.participant_id, request.reason, request.refused_at, request_id),
                    signer,
                    tsa_url=self.tsa_url or None,
                )
            except (ProtocolError, SigningError) as e:
                self._put(replace(request, last_error=str(e)))
                raise CosignError("container", f"the refusal could not be recorded: {e}") from e
            self._emit(CosignEvent("progress", request, "record", 1, 1))
            report = await async_verify_container(
                self.container,
                trust_anchors_dir=self.trust_anchors_dir,
                progress=lambda done, total: self._emit(
                    CosignEvent("progress", request, "verify", done, total)
                ),
            )
            done = self._put(replace(request, refusal_recorded=addendum.uri, last_error=""))
            log.info(
                "refusal of %s recorded in %s as %s",
                request.participant_id,
                self.container.name,
                addendum.uri,
            )
            return done, report

    def refuse(self, ticket: str, reason: str) -> CosignRequest:
        """The co-signer refuses to sign, with a reason (kept in the request record)."""
        reason = reason.strip()
        if not reason:
            raise CosignError("no_reason", "a refusal to sign needs a reason", status=422)
        if len(reason) > MAX_REASON_CHARS:
            raise CosignError(
                "reason_too_long",
                f"the reason has {len(reason)} characters; at most {MAX_REASON_CHARS}",
                status=422,
            )
        request = self.by_ticket(ticket)
        log.info("co-signing refused by %s for %s", request.participant_id, self.container.name)
        return self._put(replace(request, refused_at=self._now(), reason=reason))

    # --- the record ----------------------------------------------------------------------------

    def _save(self) -> None:
        items = []
        for r in self._requests.values():
            item = asdict(r)
            item["pin_salt"], item["pin_hash"] = r.pin_salt.hex(), r.pin_hash.hex()
            for key in ("expires_at", "opened_at", "signed_at", "refused_at", "revoked_at"):
                item[key] = item[key].isoformat() if item[key] is not None else None
            items.append(item)
        data = json.dumps(
            {"format": RECORD_FORMAT, "container": self.container.name, "requests": items},
            ensure_ascii=False,
            indent=1,
        ).encode()
        temp = self.record.with_name(f".{self.record.name}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, self.record)

    def _load(self) -> None:
        try:
            raw = json.loads(self.record.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or raw.get("format") != RECORD_FORMAT:
                raise ValueError(f"expected format {RECORD_FORMAT!r}")
            for item in raw["requests"]:
                item["pin_salt"] = bytes.fromhex(item["pin_salt"])
                item["pin_hash"] = bytes.fromhex(item["pin_hash"])
                for key in ("expires_at", "opened_at", "signed_at", "refused_at", "revoked_at"):
                    if item[key] is not None:
                        item[key] = datetime.fromisoformat(item[key])
                request = CosignRequest(**item)
                self._requests[request.request_id] = request
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise CosignError("record", f"co-sign record {self.record} cannot be read: {e}") from e
