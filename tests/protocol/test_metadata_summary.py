"""The recording summary from a real action log (R1's writer), and P2's check of it."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocol.metadata import protocol_from_json, protocol_to_json
from protocol.recording_checks import protocol_checks
from protocol.samples import sample_protocol
from protocol.summary import SummaryError, summarize_log
from recorder.clock import SessionClock
from recorder.log import ActionLog
from recorder.merkle import merkle_root
from recorder.report import Status

ORIGIN = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)  # 10:00 in Astana
Z = zoneinfo.ZoneInfo("Asia/Almaty")


def _segment(track: str, i: int, seconds: float = 2.0) -> dict[str, object]:
    return {
        "track": track,
        "index": i,
        "file": f"media/{track}/{i:05d}.ts",
        "size": 1000 + i,
        "sha256": hashlib.sha256(f"{track}{i}".encode()).hexdigest(),
        "start": seconds * i,
        "end": seconds * (i + 1),
        "start_utc": "2026-11-27T05:00:00.000000Z",
        "end_utc": "2026-11-27T05:00:02.000000Z",
        "frames": 60,
        "recovered": False,
    }


def _write_log(action: Path, *, checkpoint: bool = True, resume: bool = True) -> None:
    clock = SessionClock(origin_monotonic=0.0, origin_utc=ORIGIN)
    log = ActionLog.create(
        action, clock=clock, signing_key=Ed25519PrivateKey.generate(), action_id="a1"
    )
    log.append("track_started", {"track": "witness-video", "media": "video"}, t=0.5)
    log.append("track_started", {"track": "witness-audio", "media": "audio"}, t=0.5)
    for i in range(3):
        log.append("segment_sealed", _segment("witness-video", i), t=2.0 * (i + 1))
    log.append("segment_sealed", _segment("witness-audio", 0, 2.5), t=3.0)
    log.append("recording_paused", {"reason": "перерыв"}, t=60.0)
    if resume:
        log.append("recording_resumed", {}, t=360.0)
    log.append("participant_left", {"participant": "witness", "reason": "network"}, t=400.0)
    log.append(
        "participant_reconnected", {"participant": "witness", "track": "witness-video"}, t=430.0
    )
    log.append("crash_recovered", {"from": 500.0, "to": 512.5}, t=520.0)
    log.append("marker", {"note": "показ видеозаписи"}, t=600.0)
    if checkpoint:
        log.checkpoint()
    log.close()


def test_summary_from_a_real_log(tmp_path: Path) -> None:
    action = tmp_path / "action"
    _write_log(action)
    s = summarize_log(action, zone=Z)
    assert [(t.track, t.media, t.segments, t.duration_seconds) for t in s.tracks] == [
        ("witness-video", "video", 3, 6.0),
        ("witness-audio", "audio", 1, 2.5),
    ]
    assert s.segments == {"witness-video": 3, "witness-audio": 1}
    kinds = [(i.kind, i.start.astimezone(Z).strftime("%H:%M:%S"), i.subject) for i in s.intervals]
    assert kinds == [
        ("break", "10:01:00", "перерыв"),
        ("disconnection", "10:06:40", "witness"),
        ("crash", "10:08:20", "crash_recovered"),
    ]
    assert s.intervals[0].end is not None and s.intervals[0].end - s.intervals[
        0
    ].start == dt.timedelta(minutes=5)
    assert [(m.session_t, m.note) for m in s.markers] == [(600.0, "показ видеозаписи")]
    raw = (action / "log.jsonl").read_bytes()
    lines = raw.rstrip(b"\n").split(b"\n")
    assert s.log_entries == len(lines) == 14
    assert s.tree_size == 13  # the checkpoint signs the entries before it
    assert s.merkle_root == merkle_root(lines[:13]).hex()
    assert s.last_checkpoint is not None and s.last_checkpoint.seq == 13
    assert s.log_sha256 == hashlib.sha256(raw).hexdigest()


def test_open_break_and_missing_checkpoint(tmp_path: Path) -> None:
    action = tmp_path / "action"
    _write_log(action, checkpoint=False, resume=False)
    s = summarize_log(action)
    assert s.intervals[0].kind == "break" and s.intervals[0].end is None
    assert s.last_checkpoint is None and s.tree_size == s.log_entries


def test_protocol_with_log_summary_passes_the_container_summary_check(tmp_path: Path) -> None:
    action = tmp_path / "action"
    _write_log(action)
    p = sample_protocol(recording=summarize_log(action, zone=Z))
    data = protocol_to_json(p)
    assert protocol_from_json(data) == p
    checks = protocol_checks(data, action / "log.jsonl", [])
    assert [(c.name, c.status) for c in checks] == [("summary", Status.OK)]


def test_tampered_log_is_not_summarised(tmp_path: Path) -> None:
    action = tmp_path / "action"
    _write_log(action)
    log = action / "log.jsonl"
    log.write_bytes(log.read_bytes().replace("показ".encode(), "ПОКАЗ".encode()))
    with pytest.raises(SummaryError, match="cannot summarise"):
        summarize_log(action)


def test_missing_log_is_a_summary_error(tmp_path: Path) -> None:
    with pytest.raises(SummaryError, match="no action log"):
        summarize_log(tmp_path)
