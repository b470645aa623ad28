"""The reviewer's view on a real recording: report first, timeline, verified playback.

A recording made by the real recorder (``tergeu record --synthetic``) is reviewed as is, then
with one segment tampered: the timeline marks it, the player refuses it, and the window's verdict
is the same as ``tergeu verify``'s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from app.core.playback import FrameState, Player
from app.core.review import SegmentStatus, TamperedSegmentError, build_timeline, decode_segment
from app.ui.review_window import ReviewWindow
from recorder.log import read_log
from recorder.synthetic import read_counter


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rec")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "record",
            "--synthetic",
            "2",
            "--seconds",
            "5",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def copy(recording: Path, tmp_path: Path) -> Path:
    target = tmp_path / "action"
    shutil.copytree(recording, target)
    return target


def verify_cli(path: Path) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, json.loads(result.stdout)


def test_timeline_and_verified_decoding(copy: Path) -> None:
    timeline = build_timeline(copy, read_log(copy))
    assert set(timeline.tracks) == {"p1-video", "p1-audio", "p2-video", "p2-audio"}
    assert all(s.status is SegmentStatus.INTACT for segs in timeline.tracks.values() for s in segs)
    assert timeline.duration >= 4.5
    # the first segment is short (it ends on the next quarter second of the session clock),
    # the next one is a whole second: each decodes to its length's worth of 30 fps frames
    first, full = timeline.tracks["p1-video"][:2]
    assert full.end - full.start > 0.95
    for segment in (first, full):
        decoded = [f for f in decode_segment(copy, segment) if f.video is not None]
        assert len(decoded) >= round(30 * (segment.end - segment.start)) - 2
    frames = [f for f in decode_segment(copy, first) if f.video is not None]
    # the synthetic picture carries its frame counter: decoding gives the recorded frames in order
    counters = [read_counter(f.video[:, :, 0]) for f in frames[:5]]
    numbers = [c.frame for c in counters if c is not None]
    assert numbers == sorted(numbers) and len(numbers) >= 3
    # frames are timed on the session clock, inside their segment
    assert all(first.start - 0.05 <= f.t <= first.end + 0.05 for f in frames)


def test_tampered_segment_is_marked_and_never_decoded(copy: Path) -> None:
    segment_file = copy / "media" / "p2-video" / "p2-video-000001.ts"
    raw = bytearray(segment_file.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    segment_file.write_bytes(bytes(raw))
    timeline = build_timeline(copy, read_log(copy))
    tampered = timeline.tracks["p2-video"][1]
    assert tampered.status is SegmentStatus.TAMPERED
    with pytest.raises(TamperedSegmentError, match="p2-video segment 1: sha256"):
        list(decode_segment(copy, tampered))
    player = Player(copy, timeline)
    try:
        mid = (tampered.start + tampered.end) / 2
        frame = player.frame("p2-video", mid)
        assert frame.state is FrameState.TAMPERED and frame.image is None
        assert ("p2-video", 1) in player.refused
    finally:
        player.close()
    code, report = verify_cli(copy)
    assert code == 1 and not report["ok"]
    assert any(
        c["status"] == "failed" and "p2-video" in c["subject"] + c["message"]
        for c in report["checks"]
    )


def test_missing_segment_is_a_gap(copy: Path) -> None:
    (copy / "media" / "p1-audio" / "p1-audio-000000.ts").unlink()
    timeline = build_timeline(copy, read_log(copy))
    assert timeline.tracks["p1-audio"][0].status is SegmentStatus.MISSING


@pytest.mark.parametrize("tamper", [False, True])
def test_review_window_shows_the_same_verdict_as_tergeu_verify(
    qtbot, copy: Path, tamper: bool
) -> None:
    if tamper:
        target = copy / "media" / "p1-video" / "p1-video-000000.ts"
        raw = bytearray(target.read_bytes())
        raw[-100] ^= 0x01
        target.write_bytes(bytes(raw))
    code, cli = verify_cli(copy)
    window = ReviewWindow(copy)
    qtbot.addWidget(window)
    window.show()
    loaded: list[bool] = []
    window.load(on_loaded=lambda: loaded.append(True))
    qtbot.waitUntil(lambda: bool(loaded), timeout=60000)
    assert window.report is not None
    assert window.report.ok == cli["ok"] == (code == 0)
    assert ("INTACT" in window.banner.text()) != tamper
    failed_in_window = sorted(c.name for c in window.report.problems)
    assert failed_in_window == sorted(c["name"] for c in cli["checks"] if c["status"] == "failed")
    assert window.checks.topLevelItemCount() == len(cli["checks"])
    # playback: the first video segment is either shown or refused
    label = window.findChild(QLabel, "video_p1-video")
    assert label is not None
    expected = "tampered" if tamper else "picture"
    qtbot.waitUntil(
        lambda: (window.render_frames(), label.property("frameState"))[1] == expected,
        timeout=20000,
    )
    if tamper:
        assert "NOT PLAYED" in label.text()
    window.close()
