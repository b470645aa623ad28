"""Adversarial recordings: each scenario asserts WHICH verifier check fails."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.checkpoints import public_key_hex, sign_checkpoint
from recorder.log import ActionLog
from recorder.report import Status
from recorder.verify import verify_recording
from tests.recorder.test_verify_recording import (
    CLOCK,
    build_recording,
    log_lines,
    names,
    seal,
    write_lines,
)

SEG = "media/witness-video/witness-video-000002.ts"


def test_segment_byte_flipped(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    data = bytearray((action / SEG).read_bytes())
    data[100] ^= 0x01
    (action / SEG).write_bytes(bytes(data))
    report = verify_recording(action)
    assert names(report) == {"segment"}
    [c] = report.failed("segment")
    assert c.subject == "witness-video segment 2 (00:00:04–00:00:06)"
    assert c.message.startswith("sha256 mismatch: media/witness-video/witness-video-000002.ts")


def test_segment_deleted(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    (action / SEG).unlink()
    report = verify_recording(action)
    assert names(report) == {"segment"}
    assert [c.message for c in report.failed("segment")] == [f"file missing: {SEG}"]


def test_segments_swapped(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    a, b = action / SEG, action / "media/witness-video/witness-video-000003.ts"
    da, db = a.read_bytes(), b.read_bytes()
    pad = max(len(da), len(db))  # equal sizes, so only the hashes can tell
    da, db = da.ljust(pad, b"\0"), db.ljust(pad, b"\0")
    a.write_bytes(da)
    b.write_bytes(db)
    content = {SEG: da, b.relative_to(action).as_posix(): db}
    objs = log_lines(action)
    for o in objs:  # an honest log of the padded files (size and hash) ...
        if o["kind"] == "segment_sealed" and o["data"]["file"] in content:
            o["data"]["size"] = pad
            o["data"]["sha256"] = hashlib.sha256(content[o["data"]["file"]]).hexdigest()
    write_lines(action, objs, rechain=True)
    assert not verify_recording(action).failed("segment")
    a.write_bytes(db)  # ... then the two files swapped
    b.write_bytes(da)
    report = verify_recording(action)
    assert "segment" in names(report)
    assert {c.subject.split(" (")[0] for c in report.failed("segment")} == {
        "witness-video segment 2",
        "witness-video segment 3",
    }


def test_log_entry_edited(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    objs[5]["t"] = objs[5]["t"] + 1
    write_lines(action, objs, rechain=False)
    report = verify_recording(action)
    assert names(report) == {"chain", "merkle"}  # the changed line also changes the tree
    [c] = report.failed("chain")
    assert c.subject.startswith("log.jsonl line 6") and "entry edited" in c.message


def test_log_entry_edited_and_rechained_breaks_the_signed_root(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    objs[5]["t"] = objs[5]["t"] + 1
    write_lines(action, objs, rechain=True)  # a forger recomputes every later hash
    report = verify_recording(action)
    assert "chain" not in names(report)
    assert "merkle" in names(report)
    assert all("an earlier entry was changed" in c.message for c in report.failed("merkle"))


def test_log_entry_removed(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    del objs[4]
    write_lines(action, objs, rechain=False)
    report = verify_recording(action)
    assert "chain" in names(report)
    assert "seq is 5, expected 4" in report.failed("chain")[0].message


def test_log_entry_reordered(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    objs[4], objs[5] = objs[5], objs[4]
    write_lines(action, objs, rechain=False)
    report = verify_recording(action)
    assert "chain" in names(report)
    assert report.failed("chain")[0].subject.startswith("log.jsonl line 5")


def test_log_truncated_mid_line_then_repaired(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    path = action / "log.jsonl"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 60])
    report = verify_recording(action)
    assert names(report) == {"log-parse"}
    assert "incomplete last line" in report.failed("log-parse")[0].message

    result = ActionLog.repair(action)
    assert result.entries_dropped == 1
    repaired = verify_recording(action)
    assert repaired.ok, repaired.summary()
    assert any("after the last signed checkpoint" in c.message for c in repaired.warnings)


def test_checkpoint_signature_replaced(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    last = objs[-1]
    assert last["kind"] == "checkpoint"
    other = Ed25519PrivateKey.generate()
    forged = sign_checkpoint(
        other, "A-7", last["data"]["tree_size"], bytes.fromhex(last["data"]["root"])
    )
    forged["public_key"] = last["data"]["public_key"]  # claim the real key
    last["data"] = forged
    write_lines(action, objs, rechain=True)
    report = verify_recording(action)
    assert names(report) == {"checkpoint"}
    assert report.failed("checkpoint")[0].message == "Ed25519 signature does not verify"


def test_whole_log_resigned_with_another_key(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    other = Ed25519PrivateKey.generate()
    for o in objs:
        if o["kind"] == "checkpoint":
            o["data"] = dict(o["data"], public_key=public_key_hex(other))
    write_lines(action, objs, rechain=True)
    report = verify_recording(action)
    assert "checkpoint" in names(report)
    assert "but the key in force is" in report.failed("checkpoint")[0].message


def test_unlisted_file(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    (action / "media" / "witness-video" / "witness-video-000099.ts").write_bytes(b"x" * 1000)
    (action / "media" / "stray.part").write_bytes(b"y")
    report = verify_recording(action)
    assert names(report) == {"unlisted-file"}
    assert sorted(c.message for c in report.failed("unlisted-file")) == [
        "unlisted file media/stray.part",
        "unlisted file media/witness-video/witness-video-000099.ts",
    ]


def test_missing_index_in_a_track(tmp_path: Path) -> None:
    action = build_recording(tmp_path, skip=lambda track, i: track == "witness-audio" and i == 3)
    report = verify_recording(action)
    assert names(report) == {"continuity"}
    messages = [c.message for c in report.failed("continuity")]
    assert "witness-audio segment(s) 3 missing" in messages
    assert any(m.startswith("unexplained gap of 2.000 s after segment 2") for m in messages)


def test_overlapping_segments(tmp_path: Path) -> None:
    def times(track: str, i: int) -> tuple[float, float]:
        return i * 1.5, i * 1.5 + 2.0

    report = verify_recording(build_recording(tmp_path, times=times))
    assert names(report) == {"continuity"}
    assert "overlaps witness-audio segment 0 by 0.500 s (tolerance 0.1 s)" in {
        c.message for c in report.failed("continuity")
    }


def test_track_ended_count_mismatch(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    objs = log_lines(action)
    for o in objs:
        if o["kind"] == "track_ended" and o["data"]["track"] == "witness-video":
            o["data"]["segments"] = 7
    write_lines(action, objs, rechain=True)
    report = verify_recording(action)
    assert "track_ended says 7 segments, the log has 6" in {
        c.message for c in report.failed("continuity")
    }


def test_crash_recovered_recording_with_a_rotated_key(tmp_path: Path) -> None:
    action = build_recording(tmp_path, final_checkpoint=False)
    path = action / "log.jsonl"
    path.write_bytes(path.read_bytes() + b'{"data":{"tra')  # torn by the crash
    assert names(verify_recording(action)) == {"log-parse"}
    ActionLog.repair(action)
    log = ActionLog.resume(action, clock=CLOCK, signing_key=Ed25519PrivateKey.generate())
    log.append("crash_recovered", {"from": 12.0, "to": 40.0}, t=40.0)
    log.append("track_started", {"track": "witness-video2", "media": "video"}, t=40.0)
    seal(log, action, "witness-video2", 0, 40.0, 42.0, recovered=False, rng=random.Random(3))
    log.checkpoint()
    log.close()
    report = verify_recording(action)
    assert report.ok, report.summary()
    assert any("signing key replaced" in c.message for c in report.warnings)
    assert len(report.facts["public_keys"]) == 2
    assert not any(c.status is Status.FAILED for c in report.checks)


def test_segment_replaced_by_a_symlink(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    outside = tmp_path / "outside.ts"
    outside.write_bytes((action / SEG).read_bytes())
    (action / SEG).unlink()
    (action / SEG).symlink_to(outside)
    report = verify_recording(action)
    assert names(report) == {"segment"}
    assert report.failed("segment")[0].message == f"{SEG} is not a regular file"
