"""After the recording is sealed: sign the protocol into a container, check it, queue it for upload.

The investigator's signature is made with their PKCS#12 identity; the password is used once to
open the key and is never stored or logged. The container is verified with the same verifier as
``tergeu verify`` before it goes to the outbox, so nothing unverifiable is ever submitted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import TergeuError
from app.core.logs import register_secret
from recorder.report import Report

if TYPE_CHECKING:
    from protocol.signing import Pkcs12Signer

Progress = Callable[[str, int, int], None]  # stage, done, total


class FinishError(TergeuError):
    """Signing or exporting the record failed (the recording itself is untouched)."""


@dataclass(frozen=True)
class Documents:
    """The protocol as a document for people (PDF) and for the case system (JSON)."""

    pdf: bytes
    json: bytes
    document_id: str


@dataclass(frozen=True)
class Exported:
    container: Path
    report: Report
    submission_folder: Path | None
    signer: str


async def open_identity(path: Path, password: str) -> Pkcs12Signer:
    """Open a PKCS#12 signing identity; the password is only used here and never logged."""
    from protocol.errors import ProtocolError
    from protocol.signing import Pkcs12Signer

    if password:
        register_secret(password)
    try:
        return await asyncio.to_thread(Pkcs12Signer, path, password)
    except ProtocolError as e:
        raise FinishError(str(e)) from e


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None]:
    return lambda done, total: progress(stage, done, total) if progress else None


async def _verify(
    container: Path, trust_anchors_dir: Path | None, progress: Progress | None
) -> Report:
    from protocol.verify import async_verify_container

    report = await async_verify_container(
        container, trust_anchors_dir=trust_anchors_dir, progress=_stage(progress, "verify")
    )
    if not report.ok:
        failed = ", ".join(sorted({c.name for c in report.problems}))
        raise FinishError(f"the container {container} does not verify ({failed})")
    return report


async def sign_and_export(
    action_dir: Path,
    documents: Documents,
    *,
    signer: Pkcs12Signer,
    container: Path,
    outbox: Path | None,
    erdr_number: str,
    action_type: str,
    tsa_url: str = "",
    trust_anchors_dir: Path | None = None,
    progress: Progress | None = None,
) -> Exported:
    """Sign ``documents`` and the recording into ``container``, verify it, queue it in outbox."""
    from protocol.container import build_container
    from protocol.errors import ProtocolError
    from protocol.outbox import add_to_outbox

    try:
        await build_container(
            container,
            action_dir=action_dir,
            protocol_pdf=documents.pdf,
            protocol_json=documents.json,
            signer=signer,
            container_id=documents.document_id,
            tsa_url=tsa_url or None,
            progress=_stage(progress, "sign"),
        )
        report = await _verify(container, trust_anchors_dir, progress)
    except ProtocolError as e:
        raise FinishError(str(e)) from e
    folder = None
    if outbox is not None:
        try:
            submission = await asyncio.to_thread(
                add_to_outbox, outbox, container, erdr_number=erdr_number, action=action_type
            )
        except ProtocolError as e:
            raise FinishError(str(e)) from e
        folder = submission.folder
    return Exported(container, report, folder, signer_name(signer))


async def cosign(
    container: Path,
    *,
    signer: Pkcs12Signer,
    tsa_url: str = "",
    trust_anchors_dir: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Add a participant's co-signature (expert, defender, interpreter) and verify the result.

    Earlier signatures stay valid; if the container's data does not match its first manifest,
    nothing is changed and the error says so.
    """
    from protocol.container import add_signature
    from protocol.errors import ProtocolError

    await asyncio.to_thread(_check_participant, container, signer)
    try:
        await add_signature(
            container, signer, tsa_url=tsa_url or None, progress=_stage(progress, "sign")
        )
        return await _verify(container, trust_anchors_dir, progress)
    except ProtocolError as e:
        raise FinishError(str(e)) from e


_requeue_lock = asyncio.Lock()  # the outbox stages one container at a time per process


async def requeue(
    outbox: Path,
    container: Path,
    *,
    previous: Path | None,
    erdr_number: str,
    action_type: str,
) -> Path:
    """Queue ``container`` again after it changed (a co-signature was added).

    The entry it supersedes (``previous``) is dropped unless the case system already confirmed
    it; then both stay, and the new one is delivered as the newer version.
    """
    import shutil

    from protocol.errors import ProtocolError
    from protocol.outbox import add_to_outbox

    async with _requeue_lock:
        try:
            submission = await asyncio.to_thread(
                add_to_outbox, outbox, container, erdr_number=erdr_number, action=action_type
            )
        except ProtocolError as e:
            raise FinishError(str(e)) from e
        if (
            previous is not None
            and previous != submission.folder
            and previous.is_dir()
            and not (previous / "receipt.json").exists()
        ):
            await asyncio.to_thread(shutil.rmtree, previous)
        return submission.folder


async def upload(
    submission_folder: Path, *, endpoint: str, token: str, progress: Progress | None = None
) -> dict[str, object]:
    """Deliver an outbox entry to the case system (resumable); returns the receiver's receipt.

    The local copy stays until the receiver confirms the container's SHA-256. The token is
    used for this upload only and never stored or logged.
    """
    from protocol.errors import ProtocolError
    from protocol.outbox import load_submission
    from protocol.upload import HttpUploader

    if not endpoint:
        raise FinishError("no upload endpoint is configured (Settings → Upload)")
    if token:
        register_secret(token)
    try:
        submission = await asyncio.to_thread(load_submission, submission_folder)
        uploader = HttpUploader(endpoint, token)
        return await uploader.upload(submission, progress=_stage(progress, "upload"))
    except ProtocolError as e:
        raise FinishError(str(e)) from e


def _check_participant(container: Path, signer: Pkcs12Signer) -> None:
    """Refuse before signing when the signer's IIN is not a participant of the protocol, or the
    protocol records that participant's refusal to sign (the verifier would fail the container).
    """
    import json
    import zipfile

    iin = signer.identity.iin
    try:
        with zipfile.ZipFile(container) as zf:
            proto = json.loads(zf.read("protocol.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise FinishError(f"{container}: not a readable protocol container ({e})") from e
    participants = {
        str(p.get("iin")): str(p.get("id"))
        for p in proto.get("participants", [])
        if isinstance(p, dict) and p.get("iin")
    }
    if not iin or iin not in participants:
        raise FinishError(
            f"{signer_name(signer)} (IIN {iin or 'none'}) is not a participant of this protocol; "
            "only its participants sign it"
        )
    refused = {
        str(s.get("participant"))
        for s in proto.get("signatures", [])
        if isinstance(s, dict) and s.get("status") == "refused"
    }
    if participants[iin] in refused:
        raise FinishError(f"the protocol records that participant {participants[iin]} refused")


def signer_name(signer: Pkcs12Signer) -> str:
    return str(signer.certificate.subject.rfc4514_string())
