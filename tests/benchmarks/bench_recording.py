"""Recording benchmarks: CPU cost against ffmpeg, sealing latency, memory growth, A/V offset.

    .venv/bin/python tests/benchmarks/bench_recording.py [--quick]

1. Cost: 4 synthetic participants (640×480 at 30 fps + 48 kHz audio) recorded unpaced (as fast as
   the encoders go) vs Debian's ffmpeg encoding the same synthetic frames (piped raw) and audio
   (a WAV file) with the same settings into 2 s MPEG-TS segments. CPU = this process (all threads)
   for ours; the generator's CPU plus ffmpeg's for the reference. Ratio target ≤ 1.15.
2. Sealing latency p50/p99 and 3. RSS growth, from one paced (real-time) recording of 4
   participants into the real action log (fsynced, signed checkpoints): 10 min (2 min with
   --quick). Growth is the least-squares slope of RSS (sampled every second at moments with no
   encoder backlog) times the duration, so one noisy sample does not decide it.
4. A/V offset over a long unpaced recording (60 min; 5 min with --quick), read from the recorded
   clicks and counter strips in 10 s windows from start to end (the drift trend); the same trend
   is printed for the paced recording of part 2 (real time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recorder.clock import SessionClock
from recorder.log import LogEntry, read_log
from recorder.recording import Recorder
from recorder.syncprobe import click_offsets, video_stamps
from recorder.synthetic import (
    AUDIO_RATE,
    SyntheticAudioTrack,
    SyntheticVideoTrack,
    click_table,
)


class Entries:
    """The entries of a finished recording's log, by kind."""

    def __init__(self, entries: list[LogEntry]) -> None:
        self._entries = entries

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [dict(e.data) for e in self._entries if e.kind == kind]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def record(
    out: Path,
    participants: int,
    seconds: float,
    *,
    paced: bool,
    rss: list[tuple[float, int]] | None = None,
) -> tuple[Recorder, Entries]:
    rec = await Recorder.start(
        out,
        action_id="bench",
        planned_seconds=seconds,
        signing_key=Ed25519PrivateKey.generate(),  # the real, fsynced, signed action log
        video_tracks=participants,
        audio_tracks=participants,
    )
    clock = rec.clock
    for i in range(1, participants + 1):
        video = SyntheticVideoTrack(clock, shade=i, paced=paced, frames=round(seconds * 30))
        await rec.add_track(video, participant=f"p{i}")
        await rec.add_track(
            SyntheticAudioTrack(clock, paced=paced, seconds=seconds), participant=f"p{i}"
        )
    if rss is not None:

        async def sample() -> None:
            while True:
                rss.append((rss_mib(), sum(rec.backlog().values())))
                await asyncio.sleep(1.0)

        sampler = asyncio.create_task(sample())
    await rec.drained()
    if rss is not None:
        sampler.cancel()
        rss.append((rss_mib(), sum(rec.backlog().values())))
    await rec.stop()
    return rec, Entries(read_log(out))


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def ffmpeg_reference(out: Path, participants: int, seconds: float) -> tuple[float, int]:
    """CPU seconds (generator + ffmpeg) and frames written by ffmpeg for the same input."""
    clock = SessionClock.start()
    wav = out / "audio.wav"
    table = click_table()
    audio = np.tile(table, int(seconds) + 1)[: round(seconds * AUDIO_RATE)]
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(AUDIO_RATE)
        w.writeframes(audio.tobytes())
    frames = round(seconds * 30)
    self0, child0 = cpu_self(), cpu_children()
    for i in range(1, participants + 1):
        card = SyntheticVideoTrack(clock, shade=i, paced=False)
        seg = out / f"ff{i}"
        seg.mkdir()
        proc = subprocess.Popen(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "yuv420p",
                "-s",
                "640x480",
                "-r",
                "30",
                "-i",
                "-",
                "-i",
                str(wav),
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-tune",
                "zerolatency",
                "-crf",
                "23",
                "-force_key_frames",
                "expr:gte(t,n_forced*2)",
                "-c:a",
                "aac",
                "-b:a",
                "96k",
                "-f",
                "segment",
                "-segment_time",
                "2",
                "-segment_format",
                "mpegts",
                str(seg / "s%06d.ts"),
            ],
            stdin=subprocess.PIPE,
        )
        assert proc.stdin is not None
        for n in range(frames):
            proc.stdin.write(card.frame_at(n, n / 30).to_ndarray().tobytes())
        proc.stdin.close()
        if proc.wait() != 0:
            raise RuntimeError("ffmpeg reference failed")
    cpu = cpu_self() - self0 + cpu_children() - child0
    counted = 0
    for i in range(1, participants + 1):
        for ts in sorted((out / f"ff{i}").glob("*.ts")):
            probe = subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-select_streams",
                    "v",
                    "-count_packets",
                    "-show_entries",
                    "stream=nb_read_packets",
                    "-of",
                    "csv=p=0",
                    str(ts),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            counted += int(probe.stdout.split()[0])
    return cpu, counted


def av_offset(action: Path, log: Entries, participant: str, at: float) -> tuple[float, ...]:
    """(A/V offset, video offset, audio offset) in ms over the 10 s of media from session ``at``."""
    sealed = log.of("segment_sealed")

    def files(track: str) -> list[Path]:
        return [
            action / d["file"]
            for d in sealed
            if d["track"] == track and d["end"] > at and d["start"] < at + 10.0
        ]

    v = statistics.mean(s.offset for s in video_stamps(files(f"{participant}-video")))
    a = statistics.mean(click_offsets(files(f"{participant}-audio")))
    return (a - v) * 1000, v * 1000, a * 1000


def print_trend(action: Path, log: Entries, label: str) -> None:
    """A/V offset of p1 over 10 s windows spread evenly from the start to the end."""
    sealed = log.of("segment_sealed")
    start = min(d["start"] for d in sealed)
    end = max(d["end"] for d in sealed)
    points = [start + (end - 10.0 - start) * i / 6 for i in range(7)]
    trend = [(t, av_offset(action, log, "p1", t)) for t in points]
    print(f"A/V offset over {label}:")
    for t, (av_ms, v_ms, a_ms) in trend:
        print(f"  at {t / 60:6.2f} min: A/V {av_ms:+.2f} ms (video {v_ms:+.2f}, audio {a_ms:+.2f})")
    drift = trend[-1][1][0] - trend[0][1][0]
    print(
        f"  at the end {trend[-1][1][0]:+.2f} ms, drift start->end {drift:+.2f} ms "
        "(target |offset| <= 40)"
    )


def cost(root: Path, cost_seconds: float) -> None:
    """Part 1: CPU per media second against ffmpeg with the same settings, same input."""
    ref_dir = root / "ref"
    ref_dir.mkdir()
    ref_cpu, ref_frames = ffmpeg_reference(ref_dir, 4, cost_seconds)
    c0, w0 = cpu_self(), time.monotonic()
    rec, log = asyncio.run(record(root / "cost", 4, cost_seconds, paced=False))
    our_cpu, wall = cpu_self() - c0, time.monotonic() - w0
    media = 4 * cost_seconds
    recorded = sum(d["frames"] for d in log.of("segment_sealed") if d["media"] == "video")
    fed = sum(v for k, v in rec.frames_in().items() if k.endswith("-video"))
    print(f"cost: 4 participants x {cost_seconds:.0f} s, unpaced ({wall:.1f} s wall)")
    print(
        f"  tergeu  {our_cpu / media:.4f} CPU-s per media-s; video frames in {fed}, "
        f"recorded {recorded}"
    )
    print(f"  ffmpeg  {ref_cpu / media:.4f} CPU-s per media-s; video frames {ref_frames}")
    print(f"  ratio tergeu/ffmpeg = {our_cpu / ref_cpu:.3f} (target <= 1.15)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--long-minutes", type=float, help="length of part 4 (default 60; 5 quick)")
    parser.add_argument(
        "--parts", default="cost,paced,long", help="comma-separated: cost, paced, long"
    )
    parser.add_argument("--default-arenas", action="store_true", help="leave glibc's arenas")
    args = parser.parse_args()
    from app.core.memory import limit_malloc_arenas

    # the same process setting as the app (app/cli.py); --default-arenas measures without it
    capped = not args.default_arenas and limit_malloc_arenas()
    print(f"malloc arenas capped at 2: {capped}")
    parts = set(args.parts.split(","))
    cost_seconds = 20.0 if args.quick else 60.0
    paced_seconds = 120.0 if args.quick else 600.0
    long_seconds = 300.0 if args.quick else 3600.0
    if args.long_minutes:
        long_seconds = args.long_minutes * 60
    with tempfile.TemporaryDirectory(prefix="bench-rec-") as tmp:
        root = Path(tmp)

        # 1. cost against ffmpeg
        if "cost" in parts:
            cost(root, cost_seconds)

        # 2 + 3. sealing latency and memory, real time (paced, like a live session)
        if "paced" in parts:
            rss: list[tuple[float, int]] = []
            load0 = os.getloadavg()[0]
            rec, log = asyncio.run(record(root / "paced", 4, paced_seconds, paced=True, rss=rss))
            lat = sorted(rec.seal_latencies)
            p50 = lat[len(lat) // 2] * 1000
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
            print(
                f"sealing latency (paced, 4 participants, {paced_seconds:.0f} s, {len(lat)} "
                f"segments, load average {load0:.1f} -> {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} CPUs): p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                f"max {lat[-1] * 1000:.1f} ms (target p99 <= 200)"
            )
            # frames waiting for an encoder are memory by design (bounded: 60 per track); compare
            # moments when the encoders had caught up, so a backlog does not pass for a leak
            start = len(rss) // 10  # after the encoders and caches have warmed up
            idle = [(i, m) for i, (m, backlog) in enumerate(rss) if i >= start and backlog <= 8]
            all_rss = [m for m, _ in rss]
            if len(idle) >= 2:
                xs = np.array([i for i, _ in idle], float)
                ys = np.array([m for _, m in idle], float)
                slope = float(np.polyfit(xs, ys, 1)[0])  # MiB per second (one sample a second)
                print(
                    f"RSS over {paced_seconds / 60:.0f} min (paced, 4 participants, real log), at "
                    f"moments with no encoder backlog ({len(idle)} of {len(rss)} samples, from "
                    f"{start} s): first {ys[0]:.1f} MiB, last {ys[-1]:.1f} MiB; trend "
                    f"{slope * 60:+.3f} MiB/min = {slope * paced_seconds:+.1f} MiB over the "
                    f"recording (target <= 10); peak {max(all_rss):.1f} MiB, largest backlog "
                    f"{max(b for _, b in rss)} frames"
                )
            else:
                print(f"RSS: the encoders never caught up (backlog in every sample): {rss[-5:]}")
            print_trend(root / "paced", log, f"{paced_seconds / 60:.1f} min in real time (paced)")

        # 4. A/V offset at the end of a long recording
        if "long" not in parts:
            return
        w0 = time.monotonic()
        rec, log = asyncio.run(record(root / "long", 1, long_seconds, paced=False))
        label = f"{long_seconds / 60:.1f} min of media (unpaced, 1 participant, "
        print_trend(root / "long", log, label + f"{time.monotonic() - w0:.0f} s wall)")


if __name__ == "__main__":
    main()
