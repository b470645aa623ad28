"""The co-signer's side of a co-sign request (Qt-free): open the link, check, sign or refuse.

:meth:`CosignClient.open` spends the link's token with the PIN, downloads the protocol PDF, the
first ASiCManifest and the investigator's signature, and checks them before anyone reads or signs
anything: the manifest's SHA-256 is the one the link carries, the PDF is the one the manifest
lists, and the investigator's CAdES signature over the manifest verifies (trust anchors if given,
else a DEMO chain is reported as such). :meth:`CosignClient.sign` signs the next ASiCManifest —
built here from the verified manifest's data objects, never taken from the server — and uploads
the detached signature; if another co-signer took that number meanwhile, it signs again for the
number the server names.
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from app.core.cosign_link import CosignError, CosignLink, parse_cosign_link
from protocol.asic import asic_manifest_xml, parse_asic_manifest
from protocol.errors import ProtocolError
from protocol.signing import Signer
from recorder.report import Check, Status

TIMEOUT = aiohttp.ClientTimeout(total=120)
MAX_RENUMBER = 5


@dataclass(frozen=True)
class CosignPackage:
    """What the co-signer is asked to sign, checked: the request, the PDF, the signed manifest."""

    link: CosignLink
    ticket: str = field(repr=False)
    request_id: str
    participant_id: str
    role: str
    display_name: str
    action_title: str
    number: int
    manifest: bytes = field(repr=False)
    investigator_signature: bytes = field(repr=False)
    pdf: bytes = field(repr=False)
    investigator: str
    checks: tuple[Check, ...]
    demo: bool

    def manifest_for(self, number: int) -> bytes:
        """The ASiCManifest for signature ``number``: the same data objects as the signed one."""
        objects = parse_asic_manifest(self.manifest).objects
        return asic_manifest_xml(f"META-INF/signature{number:03d}.p7s", objects)


class CosignClient:
    """Talks to the server of one co-sign link."""

    def __init__(
        self,
        link: str,
        *,
        fingerprint: str | None = None,
        trust_anchors_dir: Path | None = None,
    ) -> None:
        self.link = parse_cosign_link(link)
        self.trust_anchors_dir = trust_anchors_dir
        self._ssl: ssl.SSLContext | aiohttp.Fingerprint | bool = True
        if fingerprint:
            digest = bytes.fromhex(fingerprint.replace(":", ""))
            if len(digest) != 32:
                raise ValueError(f"fingerprint {fingerprint!r}: expected 32 bytes of SHA-256 hex")
            self._ssl = aiohttp.Fingerprint(digest)
        self._base = f"{self.link.base_url.rstrip('/')}/a/{self.link.action_id}/cosign"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        json_body: Any = None,
        data: bytes | None = None,
    ) -> tuple[dict[str, Any] | None, bytes]:
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as http,
                http.request(
                    method,
                    self._base + path,
                    headers=headers,
                    json=json_body,
                    data=data,
                    ssl=self._ssl,
                ) as r,
            ):
                body = await r.read()
                is_json = r.content_type == "application/json"
                parsed = await r.json() if is_json else None
                if r.status >= 400:
                    info = parsed or {}
                    error = CosignError(
                        str(info.get("code", "http")),
                        str(info.get("message", f"the server answered HTTP {r.status}")),
                        status=r.status,
                        attempts_left=info.get("attempts_left"),
                    )
                    number = info.get("number")
                    error.number = number if isinstance(number, int) else None
                    raise error
                return parsed, body
        except aiohttp.ClientError as e:
            raise CosignError("network", f"cannot reach {self.link.base_url}: {e}") from e

    async def open(self, pin: str) -> CosignPackage:
        """Spend the token with ``pin``, download and check what is to be signed."""
        from protocol.trust import load_trust_anchors
        from protocol.verify_signature import validate_signature

        info, _ = await self._call(
            "POST", "/open", headers={"X-Tergeu-Token": self.link.token}, json_body={"pin": pin}
        )
        assert info is not None
        ticket = str(info["ticket"])
        auth = {"X-Tergeu-Ticket": ticket}
        _, manifest = await self._call("GET", "/part/manifest", headers=auth)
        _, signature = await self._call("GET", "/part/signature", headers=auth)
        _, pdf = await self._call("GET", "/part/pdf", headers=auth)
        got = hashlib.sha256(manifest).hexdigest()
        if got != self.link.manifest_sha256:
            raise CosignError(
                "digest_mismatch",
                f"the server sent a manifest with SHA-256 {got}, but the link names "
                f"{self.link.manifest_sha256}: this is not the protocol you were asked to sign",
            )
        try:
            parsed = parse_asic_manifest(manifest)
        except ProtocolError as e:
            raise CosignError("bad_manifest", f"the signed manifest is not readable: {e}") from e
        listed = parsed.by_uri().get("protocol.pdf")
        if listed is None or listed.sha256 != hashlib.sha256(pdf).digest():
            raise CosignError(
                "pdf_mismatch", "the protocol PDF sent is not the one the signed manifest lists"
            )
        anchors = load_trust_anchors(self.trust_anchors_dir) if self.trust_anchors_dir else None
        result = await validate_signature(parsed.sig_uri, manifest, signature, anchors)
        failed = [c for c in result.checks if c.status is Status.FAILED]
        if failed:
            raise CosignError(
                "investigator_signature",
                "the investigator's signature does not verify: "
                + "; ".join(c.message for c in failed),
            )
        who = result.identity.display_name if result.identity else "unknown"
        number = info.get("number")
        if not isinstance(number, int) or number < 2:
            raise CosignError("bad_request", f"the server names signature number {number!r}")
        return CosignPackage(
            link=self.link,
            ticket=ticket,
            request_id=str(info["request_id"]),
            participant_id=str(info["participant_id"]),
            role=str(info["role"]),
            display_name=str(info["display_name"]),
            action_title=str(info.get("action_title", "")),
            number=number,
            manifest=manifest,
            investigator_signature=signature,
            pdf=pdf,
            investigator=who,
            checks=result.checks,
            demo=result.demo,
        )

    async def sign(self, package: CosignPackage, signer: Signer) -> dict[str, Any]:
        """Sign the next ASiCManifest and upload it; the server's answer (verified container)."""
        number = package.number
        for _ in range(MAX_RENUMBER):
            p7s = await signer.sign_detached(package.manifest_for(number))
            try:
                answer, _ = await self.upload(package, number, p7s)
                return answer or {}
            except CosignError as e:
                if e.code != "renumber" or e.number is None:
                    raise
                number = e.number
        raise CosignError("renumber", "the container keeps changing; try again later")

    async def upload(
        self, package: CosignPackage, number: int, p7s: bytes
    ) -> tuple[dict[str, Any] | None, bytes]:
        """Upload a detached signature made for signature ``number`` (no retry)."""
        headers = {
            "X-Tergeu-Ticket": package.ticket,
            "X-Tergeu-Number": str(number),
            "Content-Type": "application/pkcs7-signature",
        }
        return await self._call("POST", "/signature", headers=headers, data=p7s)

    async def refuse(self, package: CosignPackage, reason: str) -> dict[str, Any]:
        """Refuse to sign, with a reason the investigator's record keeps."""
        if not reason.strip():
            raise CosignError("no_reason", "a refusal to sign needs a reason")
        answer, _ = await self._call(
            "POST",
            "/refuse",
            headers={"X-Tergeu-Ticket": package.ticket},
            json_body={"reason": reason},
        )
        return answer or {}
