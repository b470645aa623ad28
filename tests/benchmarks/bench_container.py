"""Benchmark: build + sign, and verify, a container for a synthetic 2-hour, 2-person recording.

Run: ``.venv/bin/python tests/benchmarks/bench_container.py [--quick | --big [--huge-member]]``.
Segment files are random bytes of realistic sizes (≈1.5 GB in all; ``--quick`` ≈200 MB; ``--big``
≈4.3 GB at ≈2.4 Mbit/s video, so member offsets pass 4 GiB and the zip needs ZIP64;
``--huge-member`` adds one 4.3 GiB sparse segment, a member that itself needs ZIP64). Times are
printed as ratios to ``openssl dgst -sha256`` over the same files in the same run (wall time, and
CPU time, which other load on a shared machine hardly changes); peak memory is
ru_maxrss of this process (the build and the verify run here, openssl in a child). With ``--big``
the container is also checked with ``unzip -t`` and for its ZIP64 end-of-central-directory record.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from protocol.container import build_container  # noqa: E402
from protocol.verify import verify_container  # noqa: E402
from tests.pki.fixtures import signer  # noqa: E402

SEGMENT_SECONDS = 2
VIDEO_SEGMENT = 190_000  # ≈760 kbit/s video
AUDIO_SEGMENT = 8_000  # ≈32 kbit/s audio
BIG_VIDEO_SEGMENT = 600_000  # ≈2.4 Mbit/s video: 2 h × 2 people ≈ 4.3 GB
HUGE_MEMBER = (1 << 32) + (300 << 20)  # 4.3 GiB: one member beyond the 32-bit zip limit


def make_recording(folder: Path, seconds: int, video_segment: int = VIDEO_SEGMENT) -> int:
    """Write segment-sized random files for 2 participants (video + audio each)."""
    pool = os.urandom(video_segment + 4096)
    total = 0
    n = seconds // SEGMENT_SECONDS
    for person in ("investigator", "witness"):
        for media, size in (("video", video_segment), ("audio", AUDIO_SEGMENT)):
            track = f"{person}-{media}"
            d = folder / "media" / track
            d.mkdir(parents=True)
            lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2"]
            for i in range(n):
                name = f"{track}-{i:06d}.ts"
                off = (i * 4099) % 4096
                data = i.to_bytes(8, "big") + pool[off : off + size - 8]
                (d / name).write_bytes(data)
                total += len(data)
                lines += ["#EXTINF:2.0,", name]
            (d / f"{track}.m3u8").write_text("\n".join(lines) + "\n#EXT-X-ENDLIST\n")
    (folder / "log.jsonl").write_text('{"synthetic": true}\n')
    return total


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU seconds used so far by this process (all threads) or its children."""
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


CPU: dict[str, float] = {}  # CPU seconds of the last openssl / build / verify run


def openssl_seconds(files: list[Path]) -> float:
    c = cpu_seconds(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    for i in range(0, len(files), 500):  # batches keep the command line short
        subprocess.run(
            ["openssl", "dgst", "-sha256", *map(str, files[i : i + 500])],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    CPU["openssl"] = cpu_seconds(resource.RUSAGE_CHILDREN) - c
    return time.perf_counter() - t


def prefault(folder: Path, size: int) -> float:
    """Write and delete ``size`` bytes once: on fresh VMs the first touch of page-cache memory
    costs ~10x a later write, which would measure the hypervisor, not the container code."""
    block = bytes(1 << 20)
    t = time.perf_counter()
    with open(folder / "prefault", "wb") as f:
        for _ in range(size // len(block) + 1):
            f.write(block)
    (folder / "prefault").unlink()
    return time.perf_counter() - t


def plain_zip_seconds(files: list[Path], out: Path) -> float:
    """Reference: the same files copied into a stored zip by zipfile, no hashing, no fsync."""
    t = time.perf_counter()
    with zipfile.ZipFile(out, "w") as zf:
        for p in files:
            big = p.stat().st_size > 1 << 31
            name = p.name + str(len(p.parts))
            with open(p, "rb") as src, zf.open(name, "w", force_zip64=big) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    seconds = time.perf_counter() - t
    out.unlink()
    return seconds


def zip64_checks(out: Path) -> None:
    """The container has a ZIP64 end record, and Info-ZIP's ``unzip -t`` accepts every member."""
    with open(out, "rb") as f:
        f.seek(-(1 << 16), os.SEEK_END)
        tail = f.read()
    has_zip64 = b"PK\x06\x06" in tail
    print(f"ZIP64 end of central directory record: {has_zip64}")
    t = time.perf_counter()
    unzip = subprocess.run(["unzip", "-tq", str(out)], capture_output=True, text=True)
    print(
        f"unzip -t: exit {unzip.returncode} ({time.perf_counter() - t:.1f} s) "
        f"{unzip.stdout.strip()[:200]}"
    )
    with zipfile.ZipFile(out) as zf:
        big = max(zf.infolist(), key=lambda i: i.file_size)
        last = max(zf.infolist(), key=lambda i: i.header_offset)
    print(
        f"largest member {big.file_size / 2**30:.2f} GiB, last local header at "
        f"{last.header_offset / 2**30:.2f} GiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="≈200 MB instead of ≈1.5 GB")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--cold", action="store_true", help="skip the page-cache pre-fault")
    ap.add_argument("--big", action="store_true", help="≈4.3 GB: offsets past 4 GiB (ZIP64)")
    ap.add_argument(
        "--huge-member", action="store_true", help="with --big: one 4.3 GiB sparse segment"
    )
    args = ap.parse_args()
    seconds = 960 if args.quick else 7200
    tmp = Path(tempfile.mkdtemp(prefix="bench-container-"))
    try:
        action = tmp / "action"
        t = time.perf_counter()
        total = make_recording(action, seconds, BIG_VIDEO_SEGMENT if args.big else VIDEO_SEGMENT)
        if args.huge_member:
            with open(action / "media" / "witness-video" / "witness-video-huge.ts", "wb") as f:
                f.truncate(HUGE_MEMBER)  # sparse: no disk, reads as zeros
            total += HUGE_MEMBER
        files = sorted(p for p in action.rglob("*") if p.is_file())
        print(
            f"synthetic recording: {seconds / 3600:.2f} h, 4 tracks, {len(files)} files, "
            f"{total / 1e6:.0f} MB (made in {time.perf_counter() - t:.1f} s)"
        )
        openssl_seconds(files[:50])  # warm the page cache path
        if not args.cold:
            print(f"pre-fault {total / 1e6:.0f} MB of page cache: {prefault(tmp, total):.2f} s")
        ref = openssl_seconds(files)
        print(f"openssl dgst -sha256 over the files: {ref:.2f} s ({total / ref / 1e6:.0f} MB/s)")
        plain = plain_zip_seconds(files, tmp / "plain.zip")
        print(
            f"plain stored zip of the files (no hash): {plain:.2f} s = {plain / ref:.2f}x openssl"
        )
        out = tmp / "bench.asice"
        s = signer("investigator")
        fsync_time = [0.0]
        real_fsync = os.fsync

        def timed_fsync(fd: Any) -> None:
            t0 = time.perf_counter()
            real_fsync(fd)
            fsync_time[0] += time.perf_counter() - t0

        os.fsync = timed_fsync
        c = cpu_seconds()
        t = time.perf_counter()
        asyncio.run(
            build_container(
                out,
                action_dir=action,
                protocol_pdf=b"%PDF-1.7 bench",
                protocol_json=b"{}",
                signer=s,
                container_id="BENCH",
            )
        )
        build = time.perf_counter() - t
        CPU["build"] = cpu_seconds() - c
        c = cpu_seconds()
        os.fsync = real_fsync
        t = time.perf_counter()
        report = verify_container(out)
        verify = time.perf_counter() - t
        CPU["verify"] = cpu_seconds() - c
        digest = [c for c in report.checks if c.name in ("digest", "signature")]
        assert all(c.status.value == "ok" for c in digest), report.summary()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"build + sign: {build:.2f} s = {build / ref:.2f}x openssl (target <= 1.5x); "
            f"of which fsync to disk {fsync_time[0]:.2f} s, without it "
            f"{(build - fsync_time[0]) / ref:.2f}x"
        )
        print(f"verify:       {verify:.2f} s = {verify / ref:.2f}x openssl (target <= 1.2x)")
        ref_cpu = CPU["openssl"]
        print(
            f"CPU seconds (user+sys, robust to other load): openssl {ref_cpu:.2f}, build "
            f"{CPU['build']:.2f} = {CPU['build'] / ref_cpu:.2f}x, verify {CPU['verify']:.2f} = "
            f"{CPU['verify'] / ref_cpu:.2f}x"
        )
        print(f"container:    {out.stat().st_size / 1e6:.0f} MB")
        print(f"peak memory (ru_maxrss): {peak:.0f} MB (target <= 200 MB)")
        if args.big:
            zip64_checks(out)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
