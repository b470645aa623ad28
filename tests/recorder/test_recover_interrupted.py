"""Start-up recovery: find the actions whose recorder died, recover them, leave live ones alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.log import ActionLog, LogInUseError, log_in_use, read_log
from recorder.recover import find_interrupted, recover, recover_interrupted
from recorder.segments import SegmentWriter
from recorder.synthetic import SyntheticVideoTrack
from recorder.verify import verify_recording
from tests.recorder.test_verify_recording import CLOCK, build_recording


def _frames(writer: SegmentWriter, first: int, count: int) -> None:
    card = SyntheticVideoTrack(CLOCK)
    for n in range(first, first + count):
        writer.write(card.frame_at(n, n / 30), n / 30, 1 / 30)


def _start(action: Path) -> ActionLog:
    log = ActionLog.create(
        action, clock=CLOCK, signing_key=Ed25519PrivateKey.generate(), action_id=action.name
    )
    log.append(
        "track_started",
        {"track": "w-video", "participant": "w", "media": "video", "codec": "h264"},
        t=0.0,
    )
    writer = SegmentWriter(action, "w-video", 0, "video")
    _frames(writer, 0, 60)
    log.append("segment_sealed", writer.seal().log_data(CLOCK), t=2.05)
    log.checkpoint()
    return log


def _crashed(action: Path) -> None:
    """A recorder that died while writing segment 1 and in the middle of a log line."""
    log = _start(action)
    writer = SegmentWriter(action, "w-video", 1, "video")
    _frames(writer, 60, 20)
    writer.discard()  # the process died: the .part stays
    log.close()  # the kernel closes the file (and releases the writer lock) of a dead process
    with (action / "log.jsonl").open("ab") as f:
        f.write(b'{"data":{"track":"w-vi')


@pytest.fixture
def actions(tmp_path: Path) -> Path:
    root = tmp_path / "actions"
    root.mkdir()
    shutil.move(build_recording(tmp_path / "clean"), root / "clean")  # stopped normally
    (root / "prepared").mkdir()  # made by the wizard, never recorded
    _crashed(root / "crashed")
    shutil.move(build_recording(tmp_path / "damaged"), root / "damaged")
    log = root / "damaged" / "log.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b'"t":', b'"t" :')  # a complete line no longer canonical
    log.write_bytes(b"".join(lines))
    (root / "notes.txt").write_text("not an action")
    return root


def test_finds_only_recordings_that_did_not_end_and_have_no_live_writer(actions: Path) -> None:
    live = _start(actions / "live")  # a recording in progress in this process
    partial = SegmentWriter(actions / "live", "w-video", 1, "video")
    _frames(partial, 60, 5)
    try:
        assert log_in_use(actions / "live") and not log_in_use(actions / "crashed")
        assert find_interrupted(actions) == [actions / "crashed", actions / "damaged"]
        before = (actions / "live" / "log.jsonl").read_bytes()
        with pytest.raises(LogInUseError, match="being written by a running recorder"):
            recover(actions / "live")
        assert (actions / "live" / "log.jsonl").read_bytes() == before
        assert partial.path.exists()
    finally:
        partial.discard()
        live.close()
    assert not log_in_use(actions / "live")  # closed (or killed): now it is interrupted
    assert actions / "live" in find_interrupted(actions)


def test_recover_interrupted_recovers_each_and_reports_the_damaged_one(actions: Path) -> None:
    clean_log = (actions / "clean" / "log.jsonl").read_bytes()
    outcomes = {o.action_dir.name: o for o in recover_interrupted(actions)}
    assert set(outcomes) == {"crashed", "damaged"}

    crashed = outcomes["crashed"]
    assert crashed.error is None and crashed.result is not None
    assert [s.file for s in crashed.result.recovered] == ["media/w-video/w-video-000001.ts"]
    assert crashed.result.log_repaired.entries_dropped == 1
    report = verify_recording(actions / "crashed")
    assert report.ok, report.summary()
    kinds = [e.kind for e in read_log(actions / "crashed")]
    assert "crash_recovered" in kinds and kinds[-2:] == ["session_ended", "checkpoint"]

    damaged = outcomes["damaged"]
    assert damaged.result is None and damaged.error is not None
    assert "log.jsonl line 4: not in canonical form" in damaged.error

    assert (actions / "clean" / "log.jsonl").read_bytes() == clean_log
    assert find_interrupted(actions) == [actions / "damaged"]  # reported again, never hidden
    assert find_interrupted(actions / "missing") == []
