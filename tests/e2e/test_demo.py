from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.demo import DRAFT
from app.core.guest_acts import text_sha256
from app.core.procedure import Procedure
from protocol.verify import verify_container

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("browser", [False, True], ids=["processes", "browser-guest"])
def test_demo_runs_end_to_end(tmp_path: Path, browser: bool) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "--data-dir",
            str(tmp_path / "data"),
            "demo",
            "--seconds",
            "5",
            "--guests",
            "1",
            "--experts",
            "1",
            "--lang",
            "kk",
            "--out",
            str(out),
            *(["--browser"] if browser else []),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    container = Path(proc.stdout.strip().splitlines()[-1])
    assert container.suffix == ".asice" and container.parent == out
    assert container.stat().st_mode & 0o777 == 0o600
    # an independent verification of what the demo produced
    report = verify_container(container, trust_anchors_dir=out / "pki" / "ca")
    assert report.ok, report.summary()
    entries = [json.loads(line) for line in (out / "action" / "log.jsonl").read_text().splitlines()]
    # the real procedure ran: every step started and done, in order
    procedure = Procedure.load("remote_interrogation_witness")
    steps = [
        (e["data"]["step"], e["data"]["event"]) for e in entries if e["kind"] == "procedural_step"
    ]
    assert steps == [(s.id, event) for s in procedure.steps for event in ("started", "done")]
    # each acknowledgment is the witness's own act on the text version shown, in Kazakh
    acks = {e["data"]["step"]: e["data"] for e in entries if e["kind"] == "acknowledgment"}
    assert set(acks) == {s.id for s in procedure.steps if s.acknowledge}
    for step_id, ack in acks.items():
        assert ack["participant"] == "w1" and ack["typed_name"] == "Witness w1"
        assert ack["text_sha256"] == procedure.step(step_id).text_sha256("kk")
    read_back = next(e["data"] for e in entries if e["kind"] == "read_back")
    assert read_back["decision"] == "acknowledged"
    assert read_back["draft_sha256"] == text_sha256(DRAFT["kk"])
    tracks = {e["data"]["track"] for e in entries if e["kind"] == "segment_sealed"}
    assert {"w1-video", "w1-audio", "e1-video", "e1-audio", "investigator-video"} <= tracks
    for pid in ("w1", "e1"):
        mine = [e["kind"] for e in entries if e["data"].get("participant") == pid]
        assert mine[:2] == ["rules_acknowledged", "participant_admitted"]
    if browser:
        # the browser guest's document and face stills, at the fake camera's full resolution
        stills = [e["data"] for e in entries if e["kind"] == "still"]
        assert [s["kind"] for s in stills] == ["document", "face"]
        assert all((s["width"], s["height"]) == (3840, 2160) for s in stills)
        check = next(
            e["data"]
            for e in entries
            if e["kind"] == "identity_check" and e["data"]["method"] == "document-stills"
        )
        assert check["document"]["sha256"] == stills[0]["sha256"]
    # the protocol in the container is made from this log, not from a sample
    import zipfile

    with zipfile.ZipFile(container) as zf:
        document = json.loads(zf.read("protocol.json"))
    assert {p["id"] for p in document["participants"]} == {"investigator", "w1", "e1"}
    acknowledged = {
        (a["participant"], a["text_sha256"]) for a in document.get("acknowledgments", [])
    }
    assert {("w1", ack["text_sha256"]) for ack in acks.values()} <= acknowledged
