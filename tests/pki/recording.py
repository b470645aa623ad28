"""A real recorded action for container tests: recorded once per test session, copied per use.

The recording is made by the real recorder (``tergeu record --synthetic``'s coroutine): one
synthetic participant for 4 s in 1 s segments, so there are real MPEG-TS segments, playlists,
a hash-chained log and a signed checkpoint.
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import datetime as dt
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from app.commands.record import record_synthetic
from protocol.container import build_container
from protocol.metadata import protocol_to_json
from protocol.model import Protocol
from protocol.recording_checks import read_log_view
from protocol.render import render_pdf
from protocol.samples import sample_protocol
from protocol.technical import Checkpoint, RecordingSummary, TrackSummary
from recorder.clock import parse_utc
from tests.pki.fixtures import signer

DOC_ID = "tergeu-2026-000123"  # document_id of protocol.samples.sample_protocol()
_CACHE: dict[str, Path] = {}
_DOCS: dict[str, bytes] = {}


def _recording() -> Path:
    if "dir" not in _CACHE:
        base = Path(tempfile.mkdtemp(prefix="tergeu-p2-rec-"))
        atexit.register(shutil.rmtree, base, True)
        _CACHE["dir"] = asyncio.run(
            record_synthetic(base, 1, 4.0, segment_seconds=1.0, checkpoint_seconds=30.0)
        )
    return _CACHE["dir"]


#: sample participant id -> the demo identity whose IIN it gets (the specialist refused to sign)
IDENTITIES = {
    "investigator": "investigator",
    "remote-official": "expert",
    "specialist": "defender",
}


def recording_summary(action: Path) -> RecordingSummary:
    """P1's RecordingSummary for ``action``, read from its log."""
    view = read_log_view(action / "log.jsonl")
    cp = view.checkpoint
    assert cp is not None
    tracks: dict[str, list[Any]] = {}
    for entry in view.entries:
        if entry.kind == "segment_sealed":
            tracks.setdefault(entry.data["track"], []).append(entry.data)
    return RecordingSummary(
        tracks=tuple(
            TrackSummary(
                track, segs[0]["media"], sum(d["end"] - d["start"] for d in segs), len(segs)
            )
            for track, segs in sorted(tracks.items())
        ),
        segments={track: len(segs) for track, segs in sorted(tracks.items())},
        intervals=(),
        markers=(),
        merkle_root=cp.data["root"],
        tree_size=cp.data["tree_size"],
        log_entries=len(view.entries),
        log_sha256=hashlib.sha256((action / "log.jsonl").read_bytes()).hexdigest(),
        last_checkpoint=Checkpoint(
            seq=cp.seq,
            at=parse_utc(cp.utc, what="checkpoint utc"),
            tree_size=cp.data["tree_size"],
            root=cp.data["root"],
        ),
    )


def protocol_for(action: Path) -> Protocol:
    """P1's sample protocol with the recording of ``action``; participants carry demo IINs."""
    base = sample_protocol(recording=recording_summary(action))
    people = tuple(
        dataclasses.replace(p, iin=signer(IDENTITIES[p.id]).identity.iin)
        if p.id in IDENTITIES
        else p
        for p in base.participants
    )
    return dataclasses.replace(base, participants=people)


def recorded_action(tmp: Path) -> tuple[Path, bytes, bytes]:
    """(copy of the session's recording in ``tmp``, protocol.pdf bytes, protocol.json bytes)."""
    action = tmp / "action"
    shutil.copytree(_recording(), action)
    if "pdf" not in _DOCS:
        protocol = protocol_for(action)
        _DOCS["json"] = protocol_to_json(protocol)
        created = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
        _DOCS["pdf"] = render_pdf(protocol, "ru", created=created)
    return action, _DOCS["pdf"], _DOCS["json"]


def signed_container(tmp: Path, name: str = "base.asice", *, timestamper: Any = None) -> Path:
    """A container of :func:`recorded_action`, signed by the demo investigator, in ``tmp``."""
    action, pdf, proto = recorded_action(tmp)
    out = tmp / name
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=pdf,
            protocol_json=proto,
            signer=signer("investigator"),
            container_id=DOC_ID,
            timestamper=timestamper,
        )
    )
    return out
