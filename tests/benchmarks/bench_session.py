"""Live-session benchmark on loopback: join time, glass-to-glass latency, hub CPU/memory under load.

    .venv/bin/python tests/benchmarks/bench_session.py [--quick]

1. join time: a headless Chromium guest opens the page, acknowledges, types the PIN, is admitted
   (auto) and connects; measured until the Recorder seals the guest's first video segment.
2. glass-to-glass: the hub's synthetic camera carries its session time in every frame; an aiortc
   participant in the same process decodes it on arrival (same clock) → latency per frame.
3. load: 1 investigator + 3 participants (separate ``tergeu join --synthetic`` processes), 640×480
   at 30 fps, everything recorded, for 60 s (15 s with --quick): hub CPU (all threads), frames
   received / forwarded / recorded, hub RSS. CPU is also given as a ratio to ffmpeg encoding the
   same amount of 640×480/30 fps video with libx264 in this run (the recorder's own codec).
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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.config import save_config  # noqa: E402
from app.core.hub import Hub  # noqa: E402
from app.core.invites import InviteBook  # noqa: E402
from app.core.participant import Participant  # noqa: E402
from app.core.signaling.guest_browser import Chromium, pass_device_check, type_pin  # noqa: E402
from app.core.signaling.server import SignalingServer  # noqa: E402
from recorder.clock import SessionClock  # noqa: E402
from recorder.recording import Recorder, SegmentSealed  # noqa: E402
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack, read_counter  # noqa: E402
from tests import loopback_media  # noqa: E402


class MemoryLog:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    def append(self, kind: str, data: Mapping[str, Any], *, t: float | None = None) -> Any:
        self.entries.append((kind, dict(data)))

    def checkpoint(self) -> Any:
        return None

    def close(self) -> None:
        pass


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def setup(
    tmp: Path, *, auto_admit: bool
) -> tuple[SessionClock, Recorder, SignalingServer, Hub, InviteBook]:
    loopback_media.install()  # media on 127.0.0.1, as signaling (the tests' rule)
    clock = SessionClock.start()
    rec = await Recorder.start(
        tmp / "action",
        action_id="B1",
        planned_seconds=120,
        clock=clock,
        log=MemoryLog(),
        segment_seconds=1.0,
        video_tracks=4,
        audio_tracks=4,
    )
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    hub = Hub(
        action_id="B1",
        action_title="Benchmark",
        invites=book,
        recorder=rec,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
        auto_admit=auto_admit,
    )
    server.add_session(hub)
    await hub.start()
    return clock, rec, server, hub, book


async def teardown(rec: Recorder, server: SignalingServer, hub: Hub) -> None:
    await hub.close()
    await rec.stop()
    await server.stop()


STEPS = (
    ("page", "guest page ready (rules shown)"),
    ("hello", "WebSocket open, hello at the server"),
    ("devices", "camera and microphone checked"),
    ("pin", "PIN at the server"),
    ("waiting", "PIN accepted (lobby)"),
    ("admitted", "admitted"),
    ("offer", "offer sent"),
    ("answer", "answer at the hub"),
    ("ice", "ICE connected"),
    ("connected", "DTLS done (media connected)"),
    ("rtp", "first guest video frame at the hub"),
    ("opened", "first guest segment opened"),
    ("sealed", "first guest segment sealed (hash logged)"),
)
TIMELINES: list[dict[str, float]] = []  # per join: when each step was reached (s after opening)


async def bench_join(tmp: Path) -> float:
    _, rec, server, hub, book = await setup(tmp / "join", auto_admit=True)
    events = rec.subscribe()
    marks: dict[str, float] = {}

    def mark(step: str) -> None:
        marks.setdefault(step, time.monotonic())

    # observation only: wrappers that note when a step happens, then do what they did
    handle, connect, on_answer = server._handle, hub._connect, hub.on_answer

    async def handle_marked(conn: Any, raw: str) -> None:
        mark("hello" if '"hello"' in raw else "pin" if '"pin"' in raw else "other")
        await handle(conn, raw)

    async def connect_marked(peer: Any) -> None:
        await connect(peer)
        mark("offer")

    async def answer_marked(channel: Any, sdp: str) -> None:
        mark("answer")
        await on_answer(channel, sdp)

    server._handle = handle_marked  # type: ignore[method-assign]
    hub._connect = connect_marked  # type: ignore[method-assign]
    hub.on_answer = answer_marked  # type: ignore[method-assign]
    hub.add_listener(lambda e: mark(str(getattr(e, "state", ""))))
    part_dir = tmp / "join" / "action" / "media" / "g1-video"

    async def watch() -> None:
        while True:
            peer = hub._peers.get("g1")
            pc = peer.pc if peer is not None else None
            if pc is not None and pc.iceConnectionState == "completed":
                mark("ice")
            if hub.counts.received.get("g1-video"):
                mark("rtp")
            if part_dir.is_dir() and any(part_dir.iterdir()):
                mark("opened")
            await asyncio.sleep(0.002)

    issued = book.issue(
        action_id="B1",
        participant_id="g1",
        role="witness",
        display_name="Guest",
        base_url=server.base_url,
    )
    watcher = asyncio.ensure_future(watch())
    async with Chromium() as browser:
        await browser.new_page("about:blank")  # browser warm, like a person's open browser
        start = time.monotonic()
        page = await browser.new_page(issued.link)
        await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'")
        mark("page")
        await page.evaluate("document.getElementById('ack').click()")
        await page.evaluate("document.getElementById('rules-next').click()")
        await pass_device_check(page)
        mark("devices")
        await type_pin(page, issued.pin)
        while True:
            event = await asyncio.wait_for(events.get(), 30)
            if isinstance(event, SegmentSealed) and event.track == "g1-video":
                took = time.monotonic() - start
                mark("sealed")
                first = event
                break
        timeline = {k: marks[k] - start for k, _ in STEPS if k in marks}
        timeline["segment"] = first.end - first.start  # media seconds in the first segment
        TIMELINES.append(timeline)
        await page.close()
    watcher.cancel()
    await teardown(rec, server, hub)
    return took


def print_timelines() -> None:
    """Median time of each step over the joins, and the step's share (from the previous one)."""
    print("  join timeline, median over the joins (s after the page was opened; +step):")
    previous = 0.0
    for key, label in STEPS:
        values = [t[key] for t in TIMELINES if key in t]
        if not values:
            print(f"    {label:<44} not observed")
            continue
        at = statistics.median(values)
        print(f"    {label:<44} {at:5.2f}  (+{at - previous:.2f})")
        previous = at
    lengths = [t["segment"] for t in TIMELINES]
    print(f"    first segment holds (median) {statistics.median(lengths):.2f} s of video")
    for n, t in enumerate(TIMELINES, start=1):
        steps = ("page", "devices", "waiting", "connected", "rtp", "sealed")
        print(f"  join {n}: " + ", ".join(f"{k} {t[k]:.2f}" for k in steps if k in t))


async def bench_latency(tmp: Path, seconds: float) -> list[float]:
    clock, rec, server, hub, book = await setup(tmp / "latency", auto_admit=True)
    lat: list[float] = []

    def on_frame(name: str, frame: Any) -> None:
        if name == "1-video":
            counter = read_counter(frame.to_ndarray(format="gray"))
            if counter is not None:
                lat.append(clock.now() - counter.session_ms / 1000)

    issued = book.issue(
        action_id="B1",
        participant_id="e1",
        role="expert",
        display_name="E",
        base_url=server.base_url,
    )
    p = Participant(
        issued.link,
        issued.pin,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock, shade=50),
        on_frame=on_frame,
    )
    task = asyncio.ensure_future(p.run())
    await asyncio.sleep(seconds)
    await p.leave()
    await task
    await teardown(rec, server, hub)
    return lat[30:]  # skip the first second (keyframe/jitter-buffer warm-up)


async def bench_load(tmp: Path, seconds: float) -> dict[str, Any]:
    _, rec, server, hub, book = await setup(tmp / "load", auto_admit=True)
    roles = ("witness", "expert", "defender")
    loopback = tmp / "loopback.toml"  # the `tergeu join` processes: media on 127.0.0.1 too
    save_config({"network.ice_host_addresses": list(loopback_media.LOOPBACK)}, loopback)
    procs = []
    for n, role in enumerate(roles, start=1):
        issued = book.issue(
            action_id="B1",
            participant_id=f"p{n}",
            role=role,
            display_name=role,
            base_url=server.base_url,
        )
        env = {**os.environ, "TERGEU_PIN": issued.pin}
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app.cli",
                    "--config",
                    str(loopback),
                    "join",
                    issued.link,
                    "--synthetic",
                    "--seconds",
                    str(seconds + 6),
                    "--shade",
                    str(40 * n),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
            )
        )
    events: list[Any] = []
    hub.add_listener(events.append)
    end = time.monotonic() + 60
    while not all(
        hub.participant_state(f"p{n}") in ("connected", "reconnected") for n in (1, 2, 3)
    ):
        if time.monotonic() > end:
            states = {f"p{n}": hub.participant_state(f"p{n}") for n in (1, 2, 3)}
            raise SystemExit(f"participants did not connect within 60 s: {states}")
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    rss0, cpu0, t0 = rss_mb(), cpu_seconds(), time.monotonic()
    recv0 = dict(hub.counts.received)
    fwd0 = sum(hub.counts.forwarded.values())
    peak = rss0
    while time.monotonic() - t0 < seconds:
        await asyncio.sleep(1.0)
        peak = max(peak, rss_mb())
    cpu = cpu_seconds() - cpu0
    wall = time.monotonic() - t0
    drops = [e for e in events if getattr(e, "state", "") in ("disconnected", "reconnected")]
    received = {k: v - recv0.get(k, 0) for k, v in hub.counts.received.items()}
    forwarded = sum(hub.counts.forwarded.values()) - fwd0
    end = time.monotonic() + 30
    late_peak = rss_mb()
    while any(p.poll() is None for p in procs) and time.monotonic() < end:
        await asyncio.sleep(0.5)
        late_peak = max(late_peak, rss_mb())
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    await asyncio.sleep(0.5)
    rss_left = rss_mb()
    await teardown(rec, server, hub)
    handed = dict(hub.counts.to_recorder)
    video = [k for k in handed if k.endswith("-video")]
    recorded = {k: sum(s.frames for s in rec.segments(k)) for k in video}
    lost = {k: handed[k] - recorded[k] for k in video}
    return {
        "cores": cpu / wall,
        "wall": wall,
        "rss0": rss0,
        "peak": peak,
        "rss_end": rss_mb(),
        "late_peak": late_peak,
        "rss_left": rss_left,
        "received_video": sum(received[k] for k in received if k.endswith("-video")),
        "forwarded": forwarded,
        "recorded_video": sum(recorded.get(k, 0) for k in video),
        "lost": lost,
        "video_tracks": len(video),
        "reconnections": len([e for e in drops if e.state == "reconnected"]),
    }


def ffmpeg_reference(seconds: float) -> float:
    """CPU seconds per media second of ffmpeg libx264 (veryfast, zerolatency) at 640×480/30."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=640x480:rate=30:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-tune",
            "zerolatency",
            "-f",
            "null",
            "-",
        ],
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)) / seconds


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="15 s load instead of 60 s")
    ap.add_argument("--joins", type=int, default=3, help="guest joins to time (default 3)")
    ap.add_argument("--join-only", action="store_true", help="only the join time")
    args = ap.parse_args()
    load_seconds = 15.0 if args.quick else 60.0
    print(f"machine load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-session-") as d:
        tmp = Path(d)
        joins = [await bench_join(tmp / f"j{i}") for i in range(args.joins)]
        print(
            f"join time (page opened → first guest segment sealed, 1 s segments): "
            f"median {statistics.median(joins):.2f} s of {len(joins)} "
            f"({', '.join(f'{j:.2f}' for j in joins)}); target ≤ 1.5 s → "
            f"{statistics.median(joins) / 1.5:.2f}× target"
        )
        print_timelines()
        if args.join_only:
            return
        lat = sorted(await bench_latency(tmp, 10.0))
        p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
        print(
            f"glass-to-glass (hub camera → participant decoded, {len(lat)} frames): "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; target p95 ≤ 150 ms → "
            f"{p95 / 0.150:.2f}× target; frame interval 33 ms → p95 = {p95 / (1 / 30):.1f} frames"
        )
        load = await bench_load(tmp, load_seconds)
        ref = ffmpeg_reference(10.0)
        print(f"load: 1 investigator + 3 participants, 640×480@30, recorded, {load['wall']:.0f} s")
        print(f"  reconnections during the run: {load['reconnections']}")
        print(
            f"  hub CPU {load['cores']:.2f} cores (target ≤ 1.6) = "
            f"{load['cores'] / ref:.1f}× ffmpeg libx264 640×480@30 realtime "
            f"({ref:.2f} CPU-s per media-s in this run)"
        )
        print(
            f"  video frames received {load['received_video']} "
            f"({load['received_video'] / load['wall'] / 3:.1f} fps per participant), "
            f"forwarded {load['forwarded']}, recorded {load['recorded_video']} over the whole run"
        )
        print(f"  video frames handed to the Recorder but not in a segment: {load['lost']}")
        print(
            f"  hub RSS {load['rss0']:.0f} MB at start, peak {load['peak']:.0f} MB during load, "
            f"peak while participants leave {load['late_peak']:.0f} MB, before teardown "
            f"{load['rss_left']:.0f} MB, after teardown {load['rss_end']:.0f} MB"
        )
    print(f"machine load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
