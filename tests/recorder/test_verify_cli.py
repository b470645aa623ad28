"""``tergeu verify ACTION_DIR``: the printed report, ``--json``, and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from app.cli import main
from recorder import verify as verify_module
from recorder.verify import Segment
from tests.recorder.test_verify_recording import build_recording

SEG = "media/witness-video/witness-video-000002.ts"


def _verify(path: Path, tmp_path: Path, *extra: str) -> int:
    # explicit (empty) trust anchors: the user's config file must not matter to the test
    anchors = tmp_path / "anchors"
    anchors.mkdir(exist_ok=True)
    return main(["verify", str(path), "--trust-anchors", str(anchors), *extra])


def test_intact_recording_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    action = build_recording(tmp_path)
    assert _verify(action, tmp_path) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"recording {action}: INTACT — ") and "FAILED" not in out


def test_tampered_segment_exits_1_naming_track_segment_and_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    action = build_recording(tmp_path)
    data = bytearray((action / SEG).read_bytes())
    data[500] ^= 0x80
    (action / SEG).write_bytes(bytes(data))
    assert _verify(action, tmp_path) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "PROBLEMS FOUND — " in lines[0] and "1 failed" in lines[0]
    assert lines[1].startswith(
        f"  FAILED  witness-video segment 2 (00:00:04–00:00:06): sha256 mismatch: {SEG} has "
    )


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    action = build_recording(tmp_path)
    (action / SEG).unlink()
    assert _verify(action, tmp_path, "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "recording" and report["ok"] is False
    failed = [c for c in report["checks"] if c["status"] == "failed"]
    assert failed == [
        {
            "name": "segment",
            "status": "failed",
            "message": f"file missing: {SEG}",
            "subject": "witness-video segment 2 (00:00:04–00:00:06)",
            "details": {},
        }
    ]
    assert report["facts"]["segments"] == 12 and len(report["facts"]["merkle_root"]) == 64
    assert {c["name"] for c in report["checks"]} >= {
        "log-parse",
        "chain",
        "merkle",
        "checkpoint",
        "segment",
        "continuity",
        "unlisted-file",
    }


def test_torn_log_is_a_problem_not_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    action = build_recording(tmp_path)
    log = action / "log.jsonl"
    log.write_bytes(log.read_bytes()[:-30])
    assert _verify(action, tmp_path) == 1
    assert "incomplete last line" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "is not a recording: no log.jsonl"),
        (b"hello\n", "is not a recording"),
        (b'{"kind":"marker"}\n', "is not a recording"),
    ],
)
def test_not_a_recording_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    if content is not None:
        (folder / "log.jsonl").write_bytes(content)
    assert _verify(folder, tmp_path) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert captured.err.startswith("tergeu verify: not readable: ")


def test_segment_subject_reads_like_the_issue_example() -> None:
    seg = Segment(1, "witness-video", 413, "f", 1, "0" * 64, 826.0, 828.0, False)
    assert seg.subject == "witness-video segment 413 (00:13:46–00:13:48)"
    assert Segment(1, "a", 0, "f", 1, "0" * 64, 3725.4, 3727.4, False).subject.endswith(
        "(01:02:05–01:02:07)"
    )


def test_files_are_hashed_in_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every segment is hashed by a pool of threads, more than one at a time."""
    action = build_recording(tmp_path, segments=8)
    real = verify_module.sha256_file
    barrier = threading.Barrier(2, timeout=10)  # passes only if two hashes run at once
    threads: set[str] = set()

    def hashing(path: Path) -> str:
        threads.add(threading.current_thread().name)
        barrier.wait()
        return real(path)

    monkeypatch.setattr(verify_module, "sha256_file", hashing)
    report = verify_module.verify_recording(action)
    assert report.ok, report.summary()
    assert len(threads) >= 2 and all(t.startswith("verify-hash") for t in threads)
