"""SegmentWriter, SealedSegment, TrackRecorder boundaries and HLS playlists."""

from __future__ import annotations

import asyncio
import fractions
import itertools
import math
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from recorder.clock import SessionClock
from recorder.errors import RecorderError
from recorder.hls import render_playlist
from recorder.recording import Recorder, RecorderSettings, RecorderWarning
from recorder.segments import SealedSegment, SegmentWriter, segment_file
from recorder.synthetic import SyntheticAudioTrack
from recorder.tracks import TrackTimer, segment_end
from tests.recorder.media_helpers import (
    MemoryLog,
    decode_errors,
    decode_through,
    ffprobe_json,
    first_video_frame_is_key,
)


def _frame(w: int, h: int, shade: int = 90) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.full((h * 3 // 2, w), shade, np.uint8), format="yuv420p")


def test_writer_seals_a_durable_keyframe_first_segment(tmp_path: Path) -> None:
    writer = SegmentWriter(tmp_path, "w-video", 7, "video")
    assert writer.path.name == "w-video-000007.ts.part"
    for n in range(10):
        writer.write(_frame(320, 240, 40 + n), 50.0 + n / 30, 1 / 30)
    seg = writer.seal()
    assert seg.file == "media/w-video/w-video-000007.ts" and not writer.path.exists()
    assert (seg.start, seg.frames, seg.width, seg.height) == (50.0, 10, 320, 240)
    assert seg.end == pytest.approx(50.0 + 10 / 30)
    info = ffprobe_json(tmp_path / seg.file, "-show_entries", "stream=codec_name,start_time")
    assert info["streams"][0]["codec_name"] == "h264"
    assert float(info["streams"][0]["start_time"]) == pytest.approx(50.0)  # PTS = session time
    assert decode_errors(tmp_path / seg.file) == ""


def test_writer_refuses_to_seal_nothing_and_discard_removes_empty_part(tmp_path: Path) -> None:
    writer = SegmentWriter(tmp_path, "w-audio", 0, "audio")
    with pytest.raises(RecorderError, match="no frames"):
        writer.seal()
    writer.discard()
    assert not writer.path.exists()


def test_writer_never_overwrites_an_existing_part(tmp_path: Path) -> None:
    SegmentWriter(tmp_path, "w-video", 0, "video")
    with pytest.raises(RecorderError, match=r"w-video-000000\.ts\.part"):
        SegmentWriter(tmp_path, "w-video", 0, "video")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("index", -1, "expected ≥ 0"),
        ("file", "media/a-video/other.ts", "expected 'media/a-video/a-video-000000.ts'"),
        ("sha256", "ABC", "64 lowercase hex"),
        ("track", "Bad Name", "track name"),
        ("end", 0.5, "before start"),
    ],
)
def test_sealed_segment_names_the_bad_value(field: str, value: object, message: str) -> None:
    fields: dict[str, object] = {
        "track": "a-video",
        "index": 0,
        "file": segment_file("a-video", 0),
        "size": 10,
        "sha256": "0" * 64,
        "start": 1.0,
        "end": 2.0,
        "frames": 30,
        "media": "video",
        "codec": "h264",
    }
    fields[field] = value
    with pytest.raises(ValueError, match=message):
        SealedSegment(**fields)  # type: ignore[arg-type]


def _seg(index: int, start: float, end: float, width: int | None = 640) -> SealedSegment:
    return SealedSegment(
        track="a-video",
        index=index,
        file=segment_file("a-video", index),
        size=1,
        sha256="0" * 64,
        start=start,
        end=end,
        frames=1,
        media="video",
        codec="h264",
        width=width,
        height=480 if width else None,
    )


def test_playlist_marks_gaps_and_picture_changes() -> None:
    text = render_playlist(
        [_seg(0, 0.4, 2.0), _seg(1, 2.0, 4.0), _seg(2, 9.0, 10.0), _seg(3, 10.0, 12.0, 320)],
        ended=False,
    )
    assert text.splitlines()[:5] == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
    ]
    assert text.count("#EXT-X-DISCONTINUITY") == 2 and "#EXT-X-ENDLIST" not in text
    assert "#EXTINF:1.600000,\na-video-000000.ts" in text
    assert render_playlist([_seg(0, 0.0, 2.0)], ended=True).endswith("#EXT-X-ENDLIST\n")


class ScriptedVideo(MediaStreamTrack):
    """Frames of given sizes at given pts (90 kHz), as fast as asked."""

    kind = "video"

    def __init__(self, script: list[tuple[int, int, int]]) -> None:
        super().__init__()
        self._script = list(script)

    async def recv(self) -> av.VideoFrame:
        if not self._script:
            self.stop()
            raise MediaStreamError
        w, h, pts = self._script.pop(0)
        frame = _frame(w, h)
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, 90_000)
        return frame


async def test_resolution_change_and_boundaries_start_new_segments(tmp_path: Path) -> None:
    clock = SessionClock(origin_monotonic=time.monotonic() - 10.0, origin_utc=datetime.now(UTC))
    log = MemoryLog(clock)
    rec = await Recorder.start(
        tmp_path / "a",
        action_id="T",
        planned_seconds=10,
        clock=clock,
        log=log,
        segment_seconds=1.0,
        first_segment_seconds=1.0,  # the plain grid: the short first segment has its own test
    )
    step = 3000  # 30 fps
    script = [(320, 240, i * step) for i in range(10)]  # 0.0-0.33 s after the anchor
    script += [(640, 480, (10 + i) * step) for i in range(10)]  # same window, new size
    script += [(640, 480, (30 + i) * step) for i in range(10)]  # the next window(s)
    await rec.add_track(ScriptedVideo(script), participant="s", name="s-video")
    for _ in range(200):
        if len(log.of("segment_sealed")) >= 2:
            break
        await asyncio.sleep(0.02)
    await rec.stop()
    sealed = log.of("segment_sealed")
    assert [d["index"] for d in sealed] == list(range(len(sealed)))
    assert [(d["width"], d["frames"]) for d in sealed[:2]] == [(320, 10), (640, 10)]
    assert sum(d["frames"] for d in sealed) == 30
    anchor = sealed[0]["start"]
    for d in sealed[2:]:
        assert int(d["start"] // 1.0) == int((d["end"] - 1 / 30 - 1e-6) // 1.0)  # one window
    assert sealed[2]["start"] == pytest.approx(anchor + 1.0)
    for d in sealed:
        assert decode_errors(tmp_path / "a" / d["file"]) == ""


async def test_frame_rate_change_starts_a_new_segment(tmp_path: Path) -> None:
    clock = SessionClock(origin_monotonic=time.monotonic() - 10.0, origin_utc=datetime.now(UTC))
    log = MemoryLog(clock)
    rec = await Recorder.start(
        tmp_path / "a",
        action_id="T",
        planned_seconds=10,
        clock=clock,
        log=log,
        segment_seconds=10.0,
        first_segment_seconds=10.0,  # the plain grid: the short first segment has its own test
    )
    script = [(320, 240, i * 3000) for i in range(30)]  # 1 s at 30 fps
    script += [(320, 240, 90_000 + i * 9000) for i in range(1, 31)]  # then 3 s at 10 fps
    await rec.add_track(ScriptedVideo(script), participant="s", name="s-video")
    await rec.drained()
    await rec.stop()
    sealed = log.of("segment_sealed")
    assert len(sealed) == 2 and sum(d["frames"] for d in sealed) == 60
    assert 30 < sealed[0]["frames"] < 40  # cut once the median interval shows the new rate
    assert int(sealed[0]["start"] // 10) == int(sealed[1]["end"] // 10)  # same window


def test_a_very_short_segment_is_still_recognised_as_mpeg_ts(tmp_path: Path) -> None:
    writer = SegmentWriter(tmp_path, "s-audio", 0, "audio")
    silence = np.zeros((1, 960), np.int16)
    for i in range(3):  # 60 ms: the tail of a recording stopped just after a boundary
        frame = av.AudioFrame.from_ndarray(silence, format="s16", layout="mono")
        frame.sample_rate = 48_000
        writer.write(frame, 300.0 + i * 0.02, 0.02)
    seg = writer.seal()
    assert seg.size % 188 == 0 and seg.size >= 16 * 188
    info = ffprobe_json(
        tmp_path / seg.file, "-show_entries", "stream=codec_name:format=format_name"
    )
    assert info["format"]["format_name"] == "mpegts"
    assert info["streams"][0]["codec_name"] == "aac"
    assert decode_errors(tmp_path / seg.file) == ""


def _silence(rate: int = 48_000, samples: int = 960) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(
        np.zeros((1, samples), np.int16), format="s16", layout="mono"
    )
    frame.sample_rate = rate
    return frame


def test_writer_refuses_audio_the_aac_priming_would_put_before_session_time_0(
    tmp_path: Path,
) -> None:
    writer = SegmentWriter(tmp_path, "e-audio", 0, "audio")
    with pytest.raises(RecorderError, match=r"session time 0\.010000 s .* expected ≥ 0\.021333"):
        writer.write(_silence(), 0.010, 0.02)
    writer.discard()


def test_track_timer_never_places_audio_before_the_aac_priming() -> None:
    frame = _silence(rate=16_000, samples=320)
    frame.pts, frame.time_base = 0, fractions.Fraction(1, 16_000)
    assert TrackTimer().session_time(frame, arrived=0.002) == pytest.approx(1024 / 16_000)
    video = _frame(320, 240)
    video.pts, video.time_base = 0, fractions.Fraction(1, 90_000)
    assert TrackTimer().session_time(video, arrived=0.002) == pytest.approx(0.002)  # no floor
    later = _silence()
    later.pts, later.time_base = 0, fractions.Fraction(1, 48_000)
    assert TrackTimer().session_time(later, arrived=5.0) == pytest.approx(5.0)


async def test_audio_from_the_first_instant_of_the_session_stays_on_the_session_clock(
    tmp_path: Path,
) -> None:
    """Audio arriving within the AAC priming (21 ms) of session start used to be shifted.

    The encoder's first packet then had a negative PTS and the MPEG-TS muxer moved the whole first
    segment later, so its clicks were ~20 ms off those of the next segments.
    """
    clock = SessionClock(origin_monotonic=time.monotonic() + 0.2, origin_utc=datetime.now(UTC))
    log = MemoryLog(clock)
    rec = await Recorder.start(
        tmp_path / "a", action_id="T", planned_seconds=10, clock=clock, log=log, segment_seconds=1
    )
    await asyncio.sleep(-clock.now())  # session time 0 is now: the source arrives at once
    await rec.add_track(SyntheticAudioTrack(clock, paced=False, seconds=2.5), participant="e")
    await rec.drained()
    await rec.stop()
    sealed = log.of("segment_sealed")
    # [0.021, 0.25) (a new source's short first segment), [0.25, 1), [1, 2), [2, 2.5)
    assert len(sealed) == 4 and sealed[0]["start"] >= 1024 / 48_000 - 1e-6
    assert [round(d["start"] * 4) / 4 for d in sealed[1:]] == [0.25, 1.0, 2.0]
    for i, d in enumerate(sealed):
        info = ffprobe_json(tmp_path / "a" / d["file"], "-show_entries", "stream=start_time")
        # only a run's first packet is priming: it starts 1024 samples before the first sample
        priming = 1024 / 48_000 if i == 0 else 0.0
        placed = float(info["streams"][0]["start_time"]) + priming
        assert placed == pytest.approx(d["start"], abs=1 / 48_000), d


async def test_audio_segments_of_one_run_are_seamless(tmp_path: Path) -> None:
    """One AAC encoder per contiguous run: segments meet exactly, no priming between them.

    Per-segment encoders put 1024 samples of priming before every segment, overlapping the one
    before: ffmpeg read the playlist with timestamps going backwards at every boundary and a
    remux played about 1 % more audio than was recorded.
    """
    clock = SessionClock(origin_monotonic=time.monotonic() - 10.0, origin_utc=datetime.now(UTC))
    log = MemoryLog(clock)
    rec = await Recorder.start(
        tmp_path / "a", action_id="T", planned_seconds=10, clock=clock, log=log, segment_seconds=1
    )
    await rec.add_track(SyntheticAudioTrack(clock, paced=False, seconds=3.3), participant="e")
    await rec.drained()
    await rec.stop()
    sealed = log.of("segment_sealed")
    # the short first segment up to the next 0.25 s of session time, then whole seconds
    assert len(sealed) == 5
    assert sum(d["frames"] for d in sealed) == rec.frames_in()["e-audio"] == round(3.3 * 48_000)
    for i, (a, b) in enumerate(itertools.pairwise(sealed)):
        assert b["start"] == pytest.approx(a["end"], abs=1e-6)  # seamless
        grid = 0.25 if i == 0 else 1.0
        k = int(b["start"] // grid)
        assert k * grid <= b["start"] <= k * grid + 1024 / 48_000  # cut at the first packet
    packets = []
    for d in sealed:
        info = ffprobe_json(tmp_path / "a" / d["file"], "-show_entries", "packet=pts,duration")
        packets += [(int(p["pts"]), int(p["duration"])) for p in info["packets"]]
        assert decode_errors(tmp_path / "a" / d["file"]) == ""  # each decodes on its own
    for (pts, duration), (next_pts, _) in itertools.pairwise(packets):
        assert next_pts == pts + duration  # 90 kHz: one packet after the other, no overlap
    playlist = tmp_path / "a" / "media" / "e-audio" / "e-audio.m3u8"
    _, reached = decode_through(playlist)  # no warning of timestamps going backwards
    assert reached >= sealed[-1]["end"] - sealed[0]["start"]


class ScriptedAudio(MediaStreamTrack):
    """20 ms mono frames at the given sample offsets (48 kHz pts), as fast as asked."""

    kind = "audio"

    def __init__(self, offsets: list[int]) -> None:
        super().__init__()
        self._offsets = list(offsets)

    async def recv(self) -> av.AudioFrame:
        if not self._offsets:
            self.stop()
            raise MediaStreamError
        frame = _silence()
        frame.pts = self._offsets.pop(0)
        frame.time_base = fractions.Fraction(1, 48_000)
        return frame


async def test_skipped_frames_and_samples_are_logged_and_audio_gaps_handled(
    tmp_path: Path,
) -> None:
    clock = SessionClock(origin_monotonic=time.monotonic() - 10.0, origin_utc=datetime.now(UTC))
    log = MemoryLog(clock)
    rec = await Recorder.start(
        tmp_path / "a",
        action_id="T",
        planned_seconds=10,
        clock=clock,
        log=log,
        segment_seconds=10,
        first_segment_seconds=10,  # the plain grid: one segment per audio run
    )
    queue = rec.subscribe()
    video = [(320, 240, n * 3000) for n in range(60) if not 20 <= n < 25]  # 5 frames lost
    audio = [i * 960 for i in range(100)]
    audio = audio[:30] + [a + 480 for a in audio[30:60]] + [a + 480 + 4800 for a in audio[60:]]
    await rec.add_track(ScriptedVideo(video), participant="s", name="s-video")
    await rec.add_track(ScriptedAudio(audio), participant="s")
    await rec.drained()
    await rec.stop()
    warnings = {d["track"]: d for d in log.of("warning") if d["code"] == "frames-dropped"}
    assert set(warnings) == {"s-video", "s-audio"}
    assert (warnings["s-video"]["missing"], warnings["s-video"]["unit"]) == (5, "frames")
    assert (warnings["s-audio"]["missing"], warnings["s-audio"]["unit"]) == (480 + 4800, "samples")
    assert warnings["s-video"]["message"].startswith("s-video: the source skipped 5 frames")
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    assert [e.code for e in events if isinstance(e, RecorderWarning)] == ["frames-dropped"] * 2

    sealed = [d for d in log.of("segment_sealed") if d["track"] == "s-audio"]
    # 10 ms (< one AAC frame) is filled with silence inside the run; 100 ms starts a new run
    assert len(sealed) == 2
    assert sum(d["frames"] for d in sealed) == rec.frames_in()["s-audio"] == 100 * 960
    assert sealed[1]["start"] - sealed[0]["end"] == pytest.approx(0.1, abs=1e-4)
    assert sealed[0]["end"] - sealed[0]["start"] == pytest.approx(60 * 0.02 + 0.01, abs=1e-4)
    for d in sealed:
        assert decode_errors(tmp_path / "a" / d["file"]) == ""


def _quarter_after(t: float) -> float:
    return (math.floor(t / 0.25 + 1e-9) + 1) * 0.25


async def test_a_new_source_gets_a_short_first_segment_that_starts_with_a_keyframe(
    tmp_path: Path,
) -> None:
    """A joining (or reconnecting) participant is on the record within a quarter second.

    The first segment of a new source ends at the next 0.25 s of session time instead of the
    next whole segment boundary; the next one runs to that boundary, so the track cuts with all
    the others from then on. Both start with an IDR frame and the playlist plays them seamlessly.
    """
    clock = SessionClock(origin_monotonic=time.monotonic() - 10.0, origin_utc=datetime.now(UTC))
    log = MemoryLog(clock)
    rec = await Recorder.start(
        tmp_path / "a", action_id="T", planned_seconds=10, clock=clock, log=log, segment_seconds=1
    )
    step = 3000  # 30 fps
    await rec.add_track(
        ScriptedVideo([(320, 240, i * step) for i in range(45)]), participant="s", name="s-video"
    )
    await rec.drained()
    for _ in range(500):  # the source ended: its last segment is sealed by the worker
        if sum(seg.frames for seg in rec.segments("s-video")) == 45:
            break
        await asyncio.sleep(0.01)
    joined = len(rec.segments("s-video"))
    # the participant comes back with a new stream whose clock starts again at 0
    await rec.add_track(
        ScriptedVideo([(320, 240, i * step) for i in range(45)]), participant="s", name="s-video"
    )
    await rec.drained()
    await rec.stop()
    sealed = log.of("segment_sealed")
    assert len(log.of("participant_reconnected")) == 1
    assert sum(d["frames"] for d in sealed) == 90
    for run in (sealed[:joined], sealed[joined:]):
        first, second, *rest = run
        quarter = _quarter_after(first["start"])
        assert first["end"] - 1 / 30 < quarter <= second["start"] + 1e-6  # cut at the quarter
        assert second["start"] < quarter + 1 / 30
        whole = math.floor(first["start"]) + 1.0
        if quarter < whole:  # the second segment runs to the whole second, then the usual grid
            assert second["end"] - 1 / 30 < whole <= rest[0]["start"] + 1e-6
        for a, b in itertools.pairwise(run):
            assert b["start"] == pytest.approx(a["end"], abs=1e-3)  # no gap, no overlap
    for d in sealed:
        assert first_video_frame_is_key(tmp_path / "a" / d["file"]), d["file"]
    playlist = tmp_path / "a" / "media" / "s-video" / "s-video.m3u8"
    text = playlist.read_text()
    extinf = re.search(r"#EXTINF:([0-9.]+),\ns-video-000000\.ts", text)
    assert extinf, text  # the log's times are rounded to microseconds: compare within that
    assert float(extinf[1]) == pytest.approx(sealed[0]["end"] - sealed[0]["start"], abs=2e-6)
    assert text.count("#EXT-X-DISCONTINUITY") <= 1  # at most at the reconnection
    frames, _ = decode_through(playlist)
    assert frames == 90


def test_first_segment_grid_is_checked() -> None:
    with pytest.raises(ValueError, match=r"first_segment_seconds 3\.0: expected 0\.1 to .*2\.0"):
        RecorderSettings(segment_seconds=2.0, first_segment_seconds=3.0)
    assert segment_end(10.01, 1.0) == pytest.approx(11.0)
    assert segment_end(10.01, 1.0, first=0.25) == pytest.approx(10.25)
    assert segment_end(10.9, 1.0, first=0.25) == pytest.approx(11.0)
    assert segment_end(10.25, 2.0, first=0.25) == pytest.approx(10.5)  # on a boundary: the next
