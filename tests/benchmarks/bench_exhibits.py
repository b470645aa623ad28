"""Exhibits benchmark: preparing a large file, and the hub's CPU while an exhibit is shown.

    .venv/bin/python tests/benchmarks/bench_exhibits.py [--quick] [--apart]

1. prepare: ``prepare_exhibit`` of a WAV file (400 MB; ``--quick``: 100 MB) — read, probe, SHA-256
   and durable copy into the evidence folder — against the same work done by the system tools in
   this run: ``openssl dgst -sha256`` + ``cp`` + ``sync`` of the same file. Ratio > 1: slower.
2. showing: an investigator hub (recording everything) and two aiortc participants in this
   process, 640×480 camera at 30 fps; process CPU (all threads, getrusage) per second while only
   the camera goes out, while a 1280×960 picture is shown to both, and while a 640×480 clip with
   sound plays to both. Figures are ratios to the camera-only phase. The exhibit goes out on its
   own track (the exhibit slot) beside the camera: the frames per second each participant
   decodes of the investigator's camera and of the exhibit are given for each phase. ``--apart``:
   each participant runs in a process of its own (as on their own computer), so the CPU figures
   are the hub's (and recorder's) alone and the participants' decoding does not share its GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fractions
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from PIL import Image  # noqa: E402

from app.core.exhibits import prepare_exhibit  # noqa: E402
from app.core.hub import Hub  # noqa: E402
from app.core.invites import InviteBook  # noqa: E402
from app.core.participant import Participant  # noqa: E402
from app.core.signaling.server import SignalingServer  # noqa: E402
from recorder.clock import SessionClock  # noqa: E402
from recorder.recording import Recorder  # noqa: E402
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack  # noqa: E402


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def write_wav(path: Path, megabytes: int) -> None:
    frames = megabytes * 1024 * 1024 // 4  # 48 kHz stereo s16
    rng = np.random.default_rng(1)
    block = (rng.standard_normal((48000, 2)) * 3000).astype(np.int16).tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(48000)
        left = frames
        while left > 0:
            n = min(left, 48000)
            w.writeframes(block[: n * 4])
            left -= n


def write_clip(path: Path, seconds: int) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=30, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = 640, 480, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="stereo")
        x = np.linspace(0, 255, 640, dtype=np.float32)
        for i in range(seconds * 30):
            rgb = np.zeros((480, 640, 3), np.uint8)
            rgb[:, :, 0] = (x + i * 4) % 256
            rgb[:, :, 2] = 255 - rgb[:, :, 0]
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, fractions.Fraction(1, 30)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        t = np.arange(seconds * 48000) / 48000
        tone = (np.sin(2 * np.pi * 440 * t) * 0.3).astype(np.float32)
        for s in range(0, len(tone), 1024):
            chunk = tone[s : s + 1024]
            sound = av.AudioFrame.from_ndarray(
                np.stack([chunk, chunk]), format="fltp", layout="stereo"
            )
            sound.sample_rate, sound.pts = 48000, s
            sound.time_base = fractions.Fraction(1, 48000)
            out.mux(audio.encode(sound))
        out.mux(audio.encode(None))


async def bench_prepare(tmp: Path, megabytes: int) -> dict[str, float]:
    src = tmp / "long-recording.wav"
    write_wav(src, megabytes)
    size = src.stat().st_size
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    subprocess.run(["openssl", "dgst", "-sha256", str(src)], check=True, capture_output=True)
    shutil.copyfile(src, tmp / "copy.wav")
    subprocess.run(["sync"], check=True)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    await prepare_exhibit(tmp / "action", src, number=1)
    ours = time.perf_counter() - start
    return {
        "MB": size / 1e6,
        "prepare_s": ours,
        "reference_s": reference,
        "ratio": ours / reference,
        "prepare_MB_per_s": size / 1e6 / ours,
    }


async def until(cond: object, timeout: float = 30.0) -> None:
    start = time.monotonic()
    while not cond():  # type: ignore[operator]
        if time.monotonic() - start > timeout:
            raise TimeoutError("benchmark setup timed out")
        await asyncio.sleep(0.05)


async def run_participant(link: str, pin: str) -> None:
    """``--participant``: one participant in this process; prints its frame counts (JSON lines)."""
    clock = SessionClock.start()
    frames: dict[str, int] = {}

    def count(name: str, frame: object) -> None:
        frames[name] = frames.get(name, 0) + 1

    p = Participant(
        link,
        pin,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock, shade=80),
        on_frame=count,
    )
    task = asyncio.ensure_future(p.run())
    while not task.done():
        print(json.dumps(frames), flush=True)
        await asyncio.sleep(0.25)


async def bench_showing(tmp: Path, seconds: float, separate: bool) -> dict[str, float]:
    clock = SessionClock.start()
    recorder = await Recorder.start(
        tmp / "live",
        action_id="bench",
        planned_seconds=600,
        clock=clock,
        signing_key=Ed25519PrivateKey.generate(),
    )
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    hub = Hub(
        action_id="bench",
        action_title="bench",
        invites=book,
        recorder=recorder,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
    )
    server.add_session(hub)
    await hub.start()
    tasks: list[asyncio.Future[Any]] = []
    frames: dict[str, int] = {}
    apart: dict[str, dict[str, int]] = {}  # participant -> its counts (--apart)
    children: list[asyncio.subprocess.Process] = []

    def count(name: str, frame: object) -> None:
        if name in ("1-video", "exhibit-video"):
            frames[name] = frames.get(name, 0) + 1

    async def follow(pid: str, child: asyncio.subprocess.Process) -> None:
        assert child.stdout is not None
        async for line in child.stdout:
            apart[pid] = json.loads(line)
            for name in ("1-video", "exhibit-video"):
                frames[name] = sum(c.get(name, 0) for c in apart.values())

    for pid in ("w1", "w2"):
        issued = hub.invite(pid, "witness", pid, base_url=server.base_url)
        if separate:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--participant",
                issued.link,
                issued.pin,
                stdout=asyncio.subprocess.PIPE,
            )
            children.append(child)
            tasks.append(asyncio.ensure_future(follow(pid, child)))
        else:
            p = Participant(
                issued.link,
                issued.pin,
                audio=SyntheticAudioTrack(clock),
                video=SyntheticVideoTrack(clock, shade=80),
                on_frame=count,
            )
            tasks.append(asyncio.ensure_future(p.run()))
        await until(lambda pid=pid: hub.participant_state(pid) == "waiting")
        await hub.admit(pid)
        await until(lambda pid=pid: hub.participant_state(pid) == "connected")
    await asyncio.sleep(2.0)  # encoders warmed up

    fps: dict[str, tuple[float, float]] = {}  # phase -> (camera, exhibit) fps per participant

    async def phase(name: str) -> float:
        c0, t0, f0 = cpu_seconds(), time.monotonic(), dict(frames)
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - t0
        fps[name] = tuple(  # type: ignore[assignment]
            (frames.get(k, 0) - f0.get(k, 0)) / elapsed / 2 for k in ("1-video", "exhibit-video")
        )
        return (cpu_seconds() - c0) / elapsed

    camera = await phase("camera")
    picture = tmp / "plan.png"
    rgb = np.zeros((960, 1280, 3), np.uint8)
    rgb[::40] = 255
    rgb[:, ::40] = 255
    Image.fromarray(rgb).save(picture)
    shown = await prepare_exhibit(tmp / "live", picture, number=1)
    await hub.show_exhibit(shown, ["w1", "w2"])
    await asyncio.sleep(1.0)
    picture_cpu = await phase("picture")
    await hub.stop_exhibit(1)
    clip = tmp / "clip.mp4"
    write_clip(clip, int(seconds) + 4)
    film = await prepare_exhibit(tmp / "live", clip, number=2)
    await hub.show_exhibit(film, ["w1", "w2"])
    await asyncio.sleep(1.0)
    clip_cpu = await phase("clip")
    await hub.close()
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
        await child.wait()
    await asyncio.gather(*tasks, return_exceptions=True)
    await recorder.stop()
    await server.stop()
    return {
        **{
            f"{p}_{k}_fps": v[i]
            for p, v in fps.items()
            for i, k in enumerate(("camera", "exhibit"))
        },
        "camera_cpu_per_s": camera,
        "picture_cpu_per_s": picture_cpu,
        "clip_cpu_per_s": clip_cpu,
        "picture_ratio": picture_cpu / camera,
        "clip_ratio": clip_cpu / camera,
    }


async def main_async(quick: bool, separate: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="tergeu-bench-exhibits-") as d:
        tmp = Path(d)
        prep = await bench_prepare(tmp, 100 if quick else 400)
        print(
            f"prepare {prep['MB']:.0f} MB WAV: {prep['prepare_s']:.2f} s "
            f"({prep['prepare_MB_per_s']:.0f} MB/s); openssl dgst + cp + sync: "
            f"{prep['reference_s']:.2f} s; ratio {prep['ratio']:.2f}"
        )
        show = await bench_showing(tmp, 5.0 if quick else 15.0, separate)
        print(
            f"hub process CPU (cores): camera only {show['camera_cpu_per_s']:.2f}, "
            f"picture shown {show['picture_cpu_per_s']:.2f} (ratio {show['picture_ratio']:.2f}), "
            f"clip playing {show['clip_cpu_per_s']:.2f} (ratio {show['clip_ratio']:.2f})"
        )
        print(
            "decoded per participant (camera / exhibit fps): "
            + ", ".join(
                f"{p} {show[f'{p}_camera_fps']:.1f} / {show[f'{p}_exhibit_fps']:.1f}"
                for p in ("camera", "picture", "clip")
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 MB file, 5 s phases")
    parser.add_argument("--apart", action="store_true", help="participants in their own processes")
    parser.add_argument("--participant", nargs=2, metavar=("LINK", "PIN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.participant:
        asyncio.run(run_participant(*args.participant))
        return 0
    asyncio.run(main_async(args.quick, args.apart))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
