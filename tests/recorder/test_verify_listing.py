"""The recorder verifier finds missing segment files from one walk of media/ (no lstat each);
folders the walk does not list are still looked up file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

from recorder.report import Status
from recorder.verify import MAX_LISTED, verify_recording
from tests.recorder.test_verify_recording import build_recording, names

TRACK = "media/witness-video"


def test_track_folder_behind_a_symlink_is_still_found(tmp_path: Path) -> None:
    action = build_recording(tmp_path / "rec")
    real = tmp_path / "elsewhere"
    shutil.move(action / TRACK, real)
    (action / TRACK).symlink_to(real, target_is_directory=True)
    report = verify_recording(action)
    assert not report.failed("segment"), report.summary()
    assert report.facts["bytes_hashed"] > 0


def test_every_segment_missing_is_listed_up_to_the_limit_with_subjects(tmp_path: Path) -> None:
    action = build_recording(tmp_path)
    media = action / "media"
    for seg in media.rglob("*.ts"):
        seg.unlink()
    report = verify_recording(action)
    assert names(report) == {"segment"}
    failed = report.failed("segment")
    missing = [c for c in failed if c.message.startswith("file missing: ")]
    assert missing and all(c.subject.endswith(")") and " segment " in c.subject for c in missing)
    assert len(missing) <= MAX_LISTED
    assert all(c.status is Status.FAILED for c in failed)
