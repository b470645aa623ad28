"""Salvaging a segment torn by a crash, at many cut points, checked with the real ffmpeg."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from recorder.clock import SessionClock
from recorder.errors import RecorderError
from recorder.salvage import (
    describe_complete,
    parse_segment_name,
    salvage_part,
    salvage_unsealed,
)
from recorder.segments import SealedSegment, SegmentWriter
from recorder.syncprobe import click_offsets, video_stamps
from recorder.synthetic import AUDIO_RATE, SyntheticVideoTrack, click_table
from tests.recorder.media_helpers import decode_errors, first_video_frame_is_key


def _clock() -> SessionClock:
    return SessionClock(origin_monotonic=time.monotonic(), origin_utc=datetime.now(UTC))


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, SealedSegment]]:
    root = tmp_path_factory.mktemp("orig")
    card = SyntheticVideoTrack(_clock())
    writer = SegmentWriter(root, "c-video", 3, "video")
    for n in range(60):
        t = 6.0 + n / 30
        writer.write(card.frame_at(n, t), t, 1 / 30)
    video = writer.seal()
    table = click_table()
    writer = SegmentWriter(root, "c-audio", 3, "audio")
    for i in range(100):
        g = 6 * AUDIO_RATE + i * 960
        chunk = table[g % AUDIO_RATE : g % AUDIO_RATE + 960].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        writer.write(frame, g / AUDIO_RATE, 0.02)
    audio = writer.seal()
    return {"video": (root, video), "audio": (root, audio)}


@pytest.mark.parametrize(
    ("media", "fraction"),
    [("audio", 0.06)]  # a few TS packets: too short for ffmpeg to probe as MPEG-TS on its own
    + [(m, f) for m in ("video", "audio") for f in (0.1, 0.37, 0.5, 0.83, 0.999, 1.0)],
)
def test_torn_segment_is_salvaged_up_to_its_last_complete_frame(
    tmp_path: Path, originals: dict[str, tuple[Path, SealedSegment]], media: str, fraction: float
) -> None:
    root, original = originals[media]
    data = (root / original.file).read_bytes()
    part = tmp_path / (original.file + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(data[: int(len(data) * fraction)])
    seg = salvage_part(tmp_path, original.track, original.index)
    assert seg is not None and seg.recovered and not part.exists()
    path = tmp_path / seg.file
    assert hashlib.sha256(path.read_bytes()).hexdigest() == seg.sha256
    assert decode_errors(path) == ""
    assert seg.start == pytest.approx(original.start, abs=0.001)  # timestamps kept
    assert 0 < seg.frames < original.frames  # the last (maybe torn) frame is dropped
    if media == "video":
        assert first_video_frame_is_key(path)
        stamps = video_stamps([path])
        assert [s.counter.frame for s in stamps] == list(range(len(stamps)))
        assert len(stamps) == seg.frames and all(abs(s.offset) < 0.001 for s in stamps)
    else:
        assert all(abs(c) < 0.002 for c in click_offsets([path]))


def test_partial_without_a_complete_frame_is_removed(tmp_path: Path) -> None:
    part = tmp_path / "media/e-video/e-video-000000.ts.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\x47" + b"\0" * 500)
    assert salvage_part(tmp_path, "e-video", 0) is None
    assert not part.exists() and not (tmp_path / "media/e-video/e-video-000000.ts").exists()


def test_salvage_never_overwrites_a_segment(
    tmp_path: Path, originals: dict[str, tuple[Path, SealedSegment]]
) -> None:
    root, original = originals["video"]
    target = tmp_path / original.file
    target.parent.mkdir(parents=True)
    data = (root / original.file).read_bytes()
    target.write_bytes(data)
    (tmp_path / (original.file + ".part")).write_bytes(data[:5000])
    with pytest.raises(RecorderError, match="will not overwrite"):
        salvage_part(tmp_path, original.track, original.index)
    assert target.read_bytes() == data


def test_complete_unlogged_segment_is_described_not_rewritten(
    originals: dict[str, tuple[Path, SealedSegment]],
) -> None:
    for root, original in originals.values():
        before = (root / original.file).read_bytes()
        seg = describe_complete(root, original.track, original.index)
        assert (root / original.file).read_bytes() == before
        assert (seg.sha256, seg.size, seg.recovered) == (original.sha256, original.size, True)
        assert seg.start == pytest.approx(original.start, abs=0.001)
        assert seg.end == pytest.approx(original.end, abs=0.03)
        assert 0 <= seg.frames - original.frames < 1024  # audio: up to one AAC frame of padding
    assert describe_complete(*originals["video"][0:1], "c-video", 3).frames == 60


def test_segment_names_are_parsed_strictly() -> None:
    assert parse_segment_name("witness-video-000007.ts") == ("witness-video", 7)
    assert parse_segment_name("witness-video-000007.ts.part") == ("witness-video", 7)
    assert parse_segment_name("witness-video-7.ts") is None
    assert parse_segment_name("witness-video.m3u8") is None


def test_only_unlogged_files_are_salvaged_and_sealed_ones_are_untouched(
    tmp_path: Path, originals: dict[str, tuple[Path, SealedSegment]]
) -> None:
    root, original = originals["video"]
    data = (root / original.file).read_bytes()
    folder = tmp_path / "media" / "c-video"
    folder.mkdir(parents=True)
    for i in range(3):
        (folder / f"c-video-{i:06d}.ts").write_bytes(data)  # 0, 1 logged; 2 not logged
    (folder / "c-video-000003.ts.part").write_bytes(data[:30000])
    (folder / "c-video-000004.ts.part").write_bytes(b"")
    (folder / "c-video.m3u8").write_text("#EXTM3U\n")
    recovered, lost = salvage_unsealed(tmp_path, {"c-video": {0, 1}})
    assert [(s.index, s.recovered) for s in recovered] == [(2, True), (3, True)]
    assert recovered[0].sha256 == hashlib.sha256(data).hexdigest()
    assert lost == ["media/c-video/c-video-000004.ts.part"]
    for i in range(3):
        assert (folder / f"c-video-{i:06d}.ts").read_bytes() == data
    assert sorted(p.name for p in folder.iterdir()) == [
        "c-video-000000.ts",
        "c-video-000001.ts",
        "c-video-000002.ts",
        "c-video-000003.ts",
        "c-video.m3u8",
    ]
