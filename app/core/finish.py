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

from app.core.errors import TergeuError
from app.core.logs import register_secret
from recorder.report import Report

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


async def sign_and_export(
    action_dir: Path,
    documents: Documents,
    *,
    identity: Path,
    password: str,
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
    from protocol.signing import Pkcs12Signer
    from protocol.verify import async_verify_container

    if password:
        register_secret(password)

    def step(stage: str) -> Callable[[int, int], None]:
        return lambda done, total: progress(stage, done, total) if progress else None

    try:
        signer = await asyncio.to_thread(Pkcs12Signer, identity, password)
    except ProtocolError as e:
        raise FinishError(str(e)) from e
    try:
        await build_container(
            container,
            action_dir=action_dir,
            protocol_pdf=documents.pdf,
            protocol_json=documents.json,
            signer=signer,
            container_id=documents.document_id,
            tsa_url=tsa_url or None,
            progress=step("sign"),
        )
        report = await async_verify_container(
            container, trust_anchors_dir=trust_anchors_dir, progress=step("verify")
        )
    except ProtocolError as e:
        raise FinishError(str(e)) from e
    if not report.ok:
        failed = ", ".join(sorted({c.name for c in report.problems}))
        raise FinishError(f"the container {container} does not verify ({failed}); not exported")
    folder = None
    if outbox is not None:
        try:
            submission = await asyncio.to_thread(
                add_to_outbox, outbox, container, erdr_number=erdr_number, action=action_type
            )
        except ProtocolError as e:
            raise FinishError(str(e)) from e
        folder = submission.folder
    subject = signer.certificate.subject.rfc4514_string()
    return Exported(container, report, folder, subject)
