"""An expert's view end to end on loopback: request a still, see the gallery, annotate a still.

Real parts: the Recorder with a signed action log, the signaling server, the hub and two aiortc
desktop participants (a witness whose synthetic camera is photographed, and a specialist who
requests, downloads and annotates). The annotation is a separate evidence file; the original
still keeps its SHA-256, and the protocol made from the log lists the annotation.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from PIL import Image

from app.core.annotations import Shape, parse_annotation, render
from app.core.participant import Participant
from protocol.from_log import protocol_from_action
from protocol.render import render_pdf
from recorder.clock import parse_utc
from recorder.log import read_log
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from recorder.verify import verify_recording
from tests.live import HubRig, start_hub
from tests.protocol.live_action import entered

CAPTION = "Замок двери склада, след орудия взлома"


@dataclass
class Live:
    rig: HubRig
    action_dir: Path
    participants: dict[str, Participant] = field(default_factory=dict)
    tasks: list[asyncio.Task[str]] = field(default_factory=list)

    async def join(self, pid: str, role: str) -> Participant:
        issued = self.rig.hub.invite(pid, role, pid, base_url=self.rig.server.base_url)
        p = Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(self.rig.clock),
            video=SyntheticVideoTrack(self.rig.clock, shade=80),
        )
        self.participants[pid] = p
        self.tasks.append(asyncio.ensure_future(p.run()))
        hub = self.rig.hub
        await until(lambda: hub.participant_state(pid) == "waiting", f"{pid} waiting")
        await hub.admit(pid)
        await until(lambda: hub.participant_state(pid) == "connected", f"{pid} connected")
        return p


async def until(cond: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    start = time.monotonic()
    while not cond():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    action_dir = tmp_path / "action"
    rig = await start_hub(action_dir)
    s = Live(rig, action_dir)
    yield s
    await rig.hub.close()
    await asyncio.wait_for(asyncio.gather(*s.tasks, return_exceptions=True), 10)
    await rig.stop()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def get(url: str, ticket: str | None) -> tuple[int, bytes]:
    headers = {"X-Tergeu-Ticket": ticket} if ticket is not None else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as r:
        return r.status, await r.read()


async def test_specialist_annotates_a_still_and_the_original_is_unchanged(
    live: Live, tmp_path: Path
) -> None:
    # the ids of the participants the protocol test data enters (tests/protocol/live_action.py)
    witness = await live.join("witness", "witness")
    specialist = await live.join("specialist", "specialist")
    await until(lambda: "witness" in specialist.expert.visible, "the specialist sees the witness")

    # the specialist asks for a still of the witness's camera; it arrives in their gallery
    asked = await specialist.expert.request_still("witness", CAPTION)
    assert asked.ok, asked
    await until(lambda: len(specialist.expert.stills) == 1, "the still in the gallery")
    item = next(iter(specialist.expert.stills.values()))
    assert (item.number, item.participant_id, item.caption) == (1, "witness", CAPTION)
    assert (item.width, item.height) == (640, 480)  # the synthetic camera's full size
    assert sha(item.data) == item.sha256
    original = live.action_dir / "evidence" / "still-001-scene-witness.png"
    assert original.read_bytes() == item.data
    sealed = sha(original.read_bytes())

    # a witness may neither ask for stills nor receive the gallery, nor annotate
    refused = await witness.expert.request_still("specialist", "anything")
    assert (refused.ok, refused.code) == (False, "not_allowed"), refused
    assert "only an expert or a specialist" in refused.message
    sneaky = await witness.expert._act(
        "annotation",
        {"still_sha256": item.sha256, "shapes": [{"kind": "rect", "points": [[1, 1], [9, 9]]}]}
        | {"note": ""},
        10,
    )
    assert (sneaky.ok, sneaky.code) == (False, "not_allowed")
    assert witness.expert.stills == {} and witness.expert.failed == []

    # the download route refuses a forged ticket, a missing one and a malformed hash
    url = live.rig.server.base_url + f"/a/A1/stills/{item.sha256}"
    assert (await get(url, "f" * 43))[0] == 403
    assert (await get(url, None))[0] == 403
    assert (await get(live.rig.server.base_url + "/a/A1/stills/xyz", "f" * 43))[0] == 400

    # a bad annotation is refused with the reason; nothing is stored
    bad = await specialist.expert.annotate(item.sha256, [Shape("arrow", ((10, 10), (700, 20)))])
    assert (bad.ok, bad.code) == (False, "bad_annotation") and "outside the 640×480" in bad.message

    shapes = [
        Shape("arrow", ((40, 40), (300, 220))),
        Shape("rect", ((320, 120), (520, 330))),
        Shape("text", ((40, 400),), "Іздер — следы"),
    ]
    saved = await specialist.expert.annotate(item.sha256, shapes, "Следы орудия взлома на дужке")
    assert saved.ok, saved
    assert sha(original.read_bytes()) == sealed == item.sha256  # the original is unchanged

    await live.rig.hub.close()
    await live.rig.recorder.stop()
    entries = read_log(live.action_dir)
    still = next(e for e in entries if e.kind == "still")
    assert still.data["author"] == "specialist" and still.data["sha256"] == sealed
    entry = next(e for e in entries if e.kind == "annotation_saved")
    assert entry.data["author"] == entry.data["participant"] == "specialist"
    assert entry.data["still_sha256"] == sealed and entry.data["shapes"] == 3
    assert entry.data["note"] == "Следы орудия взлома на дужке"
    file = live.action_dir / entry.data["file"]
    assert entry.data["file"] == "evidence/annotation-001-specialist.json"
    assert file.stat().st_mode & 0o077 == 0 and sha(file.read_bytes()) == entry.data["sha256"]
    annotation = parse_annotation(file.read_bytes())
    assert annotation.still_sha256 == sealed and annotation.shapes == tuple(shapes)
    assert annotation.still_file == "evidence/still-001-scene-witness.png"
    drawn = np.asarray(Image.open(io.BytesIO(render(original.read_bytes(), annotation))))
    assert (drawn[:, :, 0] > 180).sum() > 300  # the red shapes are on the copy
    assert sha(original.read_bytes()) == sealed
    assert [e.kind for e in entries].count("annotation_saved") == 1  # the bad one left no trace
    report = verify_recording(live.action_dir)
    assert report.ok, report.summary()

    protocol = await asyncio.to_thread(protocol_from_action, live.action_dir, entered())
    assert [(s.number, s.taken_by, s.file.sha256) for s in protocol.stills] == [
        (1, "specialist", sealed)
    ]
    assert [(a.author, a.still_sha256, a.shapes, a.note) for a in protocol.annotations] == [
        ("specialist", sealed, 3, "Следы орудия взлома на дужке")
    ]
    assert protocol.annotations[0].file.name == entry.data["file"]
    # ... and the signed document shows it beside the photo table
    created = parse_utc(entries[-1].utc, what="end")
    pdf = tmp_path / "protocol-ru.pdf"
    pdf.write_bytes(
        await asyncio.to_thread(
            render_pdf, protocol, "ru", created=created, action_dir=live.action_dir
        )
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    flat = "".join(text.stdout.split())
    assert "кфото№1" in flat and "Следыорудиявзломанадужке" in flat
    assert "annotation-001-specialist.json" in flat and entry.data["sha256"] in flat
    assert sealed in flat  # the photo table names the original by its SHA-256
