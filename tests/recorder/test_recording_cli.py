"""``tergeu record --synthetic`` end to end: a real subprocess, the real log and verifier."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from recorder.log import read_log
from recorder.verify import verify_recording
from tests.recorder.media_helpers import decode_errors

ROOT = Path(__file__).resolve().parents[2]


def _tergeu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_record_synthetic_prints_the_folder_and_it_verifies(tmp_path: Path) -> None:
    out = _tergeu(
        "record",
        "--synthetic",
        "2",
        "--seconds",
        "2.5",
        "--out",
        str(tmp_path),
        "--segment-seconds",
        "1",
    )
    assert out.returncode == 0, out.stderr
    action = Path(out.stdout.strip().splitlines()[-1])
    assert action.parent == tmp_path and (action / "log.jsonl").is_file()
    entries = read_log(action)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "session_started" and kinds[-1] == "checkpoint"
    assert kinds.count("participant_joined") == 2 and kinds.count("track_started") == 4
    sealed = [e.data for e in entries if e.kind == "segment_sealed"]
    assert {d["track"] for d in sealed} == {"p1-video", "p1-audio", "p2-video", "p2-audio"}
    for d in sealed:
        assert decode_errors(action / d["file"]) == ""
    for track in ("p1-video", "p1-audio"):
        # a new source's short first segment ends at the next 0.25 s of session time
        first, second = sorted(
            (d for d in sealed if d["track"] == track), key=lambda d: d["index"]
        )[:2]
        quarter = (math.floor(first["start"] / 0.25 + 1e-9) + 1) * 0.25
        assert first["end"] - 0.035 < quarter <= second["start"] + 1e-6, (first, second)
    report = verify_recording(action)
    assert report.ok and not report.warnings, report.summary()
    log_bytes = (action / "log.jsonl").read_bytes()
    again = _tergeu("recover", str(action))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"nothing to recover in {action}: the recording ended cleanly"
    assert (action / "log.jsonl").read_bytes() == log_bytes


def test_record_rejects_bad_arguments_with_one_clear_line(tmp_path: Path) -> None:
    out = _tergeu("record", "--synthetic", "0", "--seconds", "2", "--out", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip() == "tergeu record: --synthetic 0: expected 1 to 16"


def test_recover_names_a_missing_folder(tmp_path: Path) -> None:
    out = _tergeu("recover", str(tmp_path / "nope"))
    assert out.returncode == 2
    assert "is not an action folder" in out.stderr and len(out.stderr.strip().splitlines()) == 1
