"""The recording verifier on intact recordings, and the helpers the tamper tests share."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.canonical import canonical_json
from recorder.chain import GENESIS, entry_hash
from recorder.clock import SessionClock, format_utc
from recorder.errors import UnreadableError
from recorder.log import ActionLog
from recorder.report import Status
from recorder.verify import verify_recording

TRACKS = ("witness-video", "witness-audio")
CLOCK = SessionClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))


def seal(
    log: ActionLog,
    action: Path,
    track: str,
    index: int,
    start: float,
    end: float,
    *,
    recovered: bool = False,
    rng: random.Random,
) -> dict[str, Any]:
    """Write a fake segment file (random bytes) and log it as sealed."""
    rel = f"media/{track}/{track}-{index:06d}.ts"
    data = rng.randbytes(1024 + 188 * rng.randrange(1, 20))
    path = action / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    fields = {
        "track": track,
        "index": index,
        "file": rel,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "start": start,
        "end": end,
        "start_utc": format_utc(CLOCK.to_utc(start)),
        "end_utc": format_utc(CLOCK.to_utc(end)),
        "frames": 50,
        "recovered": recovered,
    }
    log.append("segment_sealed", fields, t=end + 0.05)
    return fields


def build_recording(
    root: Path,
    *,
    segments: int = 6,
    seconds: float = 2.0,
    checkpoint_every: int = 3,
    final_checkpoint: bool = True,
    skip: Callable[[str, int], bool] = lambda track, i: False,
    times: Callable[[str, int], tuple[float, float]] | None = None,
    between: Callable[[ActionLog, int], None] = lambda log, i: None,
    key: Ed25519PrivateKey | None = None,
) -> Path:
    """An action folder with ``segments`` fake segments per track and a signed log."""
    action = root / "action"
    rng = random.Random(1)
    log = ActionLog.create(
        action, clock=CLOCK, signing_key=key or Ed25519PrivateKey.generate(), action_id="A-7"
    )
    for track in TRACKS:
        media = "video" if track.endswith("video") else "audio"
        log.append(
            "track_started",
            {"track": track, "participant": "witness", "media": media, "codec": "x"},
            t=0.0,
        )
    for i in range(segments):
        for track in TRACKS:
            if skip(track, i):
                continue
            start, end = times(track, i) if times else (i * seconds, (i + 1) * seconds)
            seal(log, action, track, i, start, end, rng=rng)
        between(log, i)
        if (i + 1) % checkpoint_every == 0:
            log.checkpoint()
    for track in TRACKS:
        count = sum(1 for i in range(segments) if not skip(track, i))
        log.append("track_ended", {"track": track, "segments": count})
    if final_checkpoint:
        log.checkpoint()
    log.close()
    for track in TRACKS:  # playlists are derived files the log need not list
        (action / "media" / track / f"{track}.m3u8").write_text("#EXTM3U\n")
    return action


def log_lines(action: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (action / "log.jsonl").read_bytes().splitlines()]


def write_lines(action: Path, objs: list[dict[str, Any]], *, rechain: bool) -> None:
    """Write entries back; with ``rechain`` recompute seq/prev/hash as a forger would."""
    out = []
    prev = GENESIS
    for i, o in enumerate(objs):
        if rechain:
            o = {k: v for k, v in o.items() if k != "hash"}
            o["seq"], o["prev"] = i, prev
            o["hash"] = entry_hash(prev, o)
            prev = o["hash"]
        out.append(canonical_json(o))
    (action / "log.jsonl").write_bytes(b"".join(x + b"\n" for x in out))


def names(report: Any, status: Status = Status.FAILED) -> set[str]:
    return {c.name for c in report.checks if c.status is status}


def test_intact_recording_verifies(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    report = verify_recording(action)
    assert report.ok, report.summary()
    assert not report.warnings, report.summary()
    assert names(report, Status.OK) == {
        "log-parse",
        "chain",
        "merkle",
        "checkpoint",
        "segment",
        "continuity",
        "unlisted-file",
    }
    assert report.facts["segments"] == 12
    assert report.facts["checkpoints"] == 3
    assert report.facts["tree_size"] == len(log_lines(action))
    assert report.facts["tracks"] == sorted(TRACKS)


def test_not_a_recording_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableError, match=r"no log\.jsonl"):
        verify_recording(tmp_path)
    (tmp_path / "log.jsonl").write_text("hello\n")
    with pytest.raises(UnreadableError, match="not a recording"):
        verify_recording(tmp_path)
    action = build_recording(tmp_path / "x")
    objs = log_lines(action)
    write_lines(action, objs[1:], rechain=True)  # first line now a track_started
    with pytest.raises(UnreadableError, match="expected a complete session_started"):
        verify_recording(action)


def test_entries_after_the_last_checkpoint_are_a_warning(tmp_path: Path) -> None:
    action = build_recording(tmp_path, final_checkpoint=False)
    report = verify_recording(action)
    assert report.ok, report.summary()
    [w] = [c for c in report.warnings if c.name == "checkpoint"]
    assert w.message.startswith("2 entries after the last signed checkpoint")


def test_no_checkpoint_at_all_fails(tmp_path: Path) -> None:
    action = build_recording(tmp_path, checkpoint_every=100, final_checkpoint=False)
    report = verify_recording(action)
    assert [c.message for c in report.failed("checkpoint")] == ["the log has no signed checkpoint"]


def test_paused_gap_is_a_warning_with_the_reason(tmp_path: Path) -> None:
    def times(track: str, i: int) -> tuple[float, float]:
        shift = 30.0 if i >= 3 else 0.0
        return i * 2.0 + shift, (i + 1) * 2.0 + shift

    def between(log: ActionLog, i: int) -> None:
        if i == 2:
            log.append("recording_paused", {"reason": "break requested by witness"}, t=6.0)
            log.append("recording_resumed", {}, t=36.0)

    action = build_recording(tmp_path, times=times, between=between)
    report = verify_recording(action)
    assert report.ok, report.summary()
    gaps = [c for c in report.warnings if c.name == "continuity"]
    assert len(gaps) == 2
    assert "gap of 30.000 s after segment 2, explained: recording paused (break requested" in (
        gaps[0].message
    )
    assert gaps[0].subject.endswith("segment 3 (00:00:36–00:00:38)")


def test_reconnect_gap_is_a_warning(tmp_path: Path) -> None:
    def times(track: str, i: int) -> tuple[float, float]:
        shift = 5.0 if i >= 4 else 0.0
        return i * 2.0 + shift, (i + 1) * 2.0 + shift

    def between(log: ActionLog, i: int) -> None:
        if i == 3:
            log.append("participant_left", {"participant": "witness"}, t=8.0)
            log.append("participant_reconnected", {"participant": "witness"}, t=13.0)

    report = verify_recording(build_recording(tmp_path, times=times, between=between))
    assert report.ok, report.summary()
    assert any("left and came back" in c.message for c in report.warnings)


def test_gap_within_tolerance_passes_and_tolerance_is_configurable(tmp_path: Path) -> None:
    def times(track: str, i: int) -> tuple[float, float]:
        return i * 2.05, i * 2.05 + 2.0  # 0.05 s between segments

    action = build_recording(tmp_path, times=times)
    assert verify_recording(action).ok
    strict = verify_recording(action, gap_tolerance=0.01)
    assert strict.failed("continuity")
    assert all("unexplained gap of 0.050 s" in c.message for c in strict.failed("continuity"))


def test_recovered_segment_is_flagged(tmp_path: Path) -> None:
    action = tmp_path / "a"
    log = ActionLog.create(
        action, clock=CLOCK, signing_key=Ed25519PrivateKey.generate(), action_id="A"
    )
    log.append("track_started", {"track": "t-video", "media": "video"}, t=0.0)
    rng = random.Random(2)
    seal(log, action, "t-video", 0, 0.0, 2.0, rng=rng)
    seal(log, action, "t-video", 1, 2.0, 3.1, recovered=True, rng=rng)
    log.append("crash_recovered", {"from": 3.1, "to": 20.0}, t=20.0)
    log.checkpoint()
    log.close()
    report = verify_recording(action)
    assert report.ok, report.summary()
    [rec] = [c for c in report.warnings if c.name == "recovered"]
    assert rec.subject == "t-video segment 1 (00:00:02–00:00:03)"


@pytest.mark.parametrize(("resumed", "explained"), [(7.5, True), (6.5, False)])
def test_camera_interruption_explains_a_gap_until_the_encoder_settles(
    tmp_path: Path, resumed: float, explained: bool
) -> None:
    """A still reconfigures the guest's camera (logged from 6.0 s to ``resumed``); the video
    gap after segment 3 (8.0–8.4 s) is explained while it starts within CAMERA_SETTLE_SECONDS
    of the logged resumption, not later."""
    from recorder.verify import CAMERA_SETTLE_SECONDS

    assert 6.5 + CAMERA_SETTLE_SECONDS < 8.0 - 0.1 < 7.5 + CAMERA_SETTLE_SECONDS

    def times(track: str, i: int) -> tuple[float, float]:
        shift = 0.4 if track.endswith("video") and i >= 4 else 0.0
        return i * 2.0 + shift, (i + 1) * 2.0 + shift

    def between(log: ActionLog, i: int) -> None:
        if i == 2:
            request = {"participant": "witness", "request_id": "s1"}
            log.append("camera_interrupted", {**request, "reason": "full-resolution still"}, t=6.0)
            log.append("camera_resumed", request, t=resumed)

    report = verify_recording(build_recording(tmp_path, times=times, between=between))
    assert report.ok == explained, report.summary()
    if explained:
        assert any("camera of witness interrupted" in c.message for c in report.warnings)
    else:
        assert any("unexplained gap of 0.400 s" in c.message for c in report.failed("continuity"))


@pytest.mark.parametrize(
    ("track", "explained"), [("witness-video", True), ("witness-audio", False)]
)
def test_frames_dropped_warning_explains_a_gap_of_its_own_track_only(
    tmp_path: Path, track: str, explained: bool
) -> None:
    """The recorder logs a ``frames-dropped`` warning when a source's timestamps jump (lost
    packets); that explains the video gap it caused, but a warning about another track does not."""

    def times(name: str, i: int) -> tuple[float, float]:
        shift = 0.6 if name.endswith("video") and i >= 4 else 0.0
        return i * 2.0 + shift, (i + 1) * 2.0 + shift

    def between(log: ActionLog, i: int) -> None:
        if i == 3:
            data = {
                "code": "frames-dropped",
                "message": f"{track}: the source skipped media",
                "track": track,
                "missing": 18,
                "unit": "frames",
                "from": 8.6,
                "to": 8.6,
            }
            log.append("warning", data, t=9.0)

    report = verify_recording(build_recording(tmp_path, times=times, between=between))
    assert report.ok == explained, report.summary()
    if not explained:
        assert any("unexplained gap of 0.600 s" in c.message for c in report.failed("continuity"))
