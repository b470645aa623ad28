"""A signed container whose protocol names test-PKI co-signers, and a loopback signaling server."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.core.finish import Documents, sign_and_export
from app.core.invites import InviteBook
from app.core.signaling.server import SignalingServer
from protocol.metadata import protocol_to_json
from protocol.render import render_pdf
from protocol.samples import sample_protocol
from tests.pki.fixtures import MAIN, signer

# protocol participant → the test identity that holds their key
HOLDERS = {"investigator": "investigator", "remote-official": "expert", "specialist": "interpreter"}


def record(out: Path) -> Path:
    """A short real recording (one synthetic participant) made by ``tergeu record``."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "record",
            "--synthetic",
            "1",
            "--seconds",
            "2",
            *("--out", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


async def documents(action_dir: Path) -> Documents:
    from app.commands.demo import recording_summary

    summary = await asyncio.to_thread(recording_summary, action_dir)
    iins = {pid: signer(holder).identity.iin for pid, holder in HOLDERS.items()}
    proto = sample_protocol(recording=summary)
    people = tuple(dataclasses.replace(p, iin=iins.get(p.id, p.iin)) for p in proto.participants)
    # the sample's specialist refused to sign on paper; here they are asked to sign remotely
    signatures = tuple(s for s in proto.signatures if s.participant != "specialist")
    proto = dataclasses.replace(
        proto, participants=people, signatures=signatures, document_id=action_dir.name
    )
    pdf = await asyncio.to_thread(render_pdf, proto, "ru", created=datetime.now(UTC))
    return Documents(pdf, protocol_to_json(proto), action_dir.name)


async def signed_container(action_dir: Path, out: Path, anchors: Path) -> Path:
    """The investigator's signed, verified container of ``action_dir`` at ``out``."""
    exported = await sign_and_export(
        action_dir,
        await documents(action_dir),
        signer=signer("investigator"),
        container=out,
        outbox=None,
        erdr_number="123456789012345",
        action_type="remote_interrogation_witness",
        trust_anchors_dir=anchors,
    )
    return exported.container


async def loopback_server() -> SignalingServer:
    server = SignalingServer(InviteBook(), host="127.0.0.1", port=0)
    await server.start()
    return server


__all__ = ["MAIN", "documents", "loopback_server", "record", "signed_container"]
