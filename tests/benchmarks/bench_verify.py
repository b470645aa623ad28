"""Benchmark: ``verify_recording`` throughput against ``openssl dgst -sha256`` on the same files.

Creates ~2 GB of fake segment files (1000 x 2 MiB random; ``--quick``: 100 x 2 MiB) with a
signed action log, then times, in the same run and with the files in the page cache,
``openssl dgst -sha256`` over every file and ``verify_recording`` over the folder (best of
several rounds each). Prints the throughput ratio (target >= 0.9).

    .venv/bin/python tests/benchmarks/bench_verify.py [--quick] [--dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recorder.clock import SessionClock, format_utc  # noqa: E402
from recorder.log import ActionLog  # noqa: E402
from recorder.verify import verify_recording  # noqa: E402

SEGMENT = 2 * 1024 * 1024
TRACK = "bench-video"


def build(action: Path, count: int) -> list[Path]:
    clock = SessionClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))
    log = ActionLog.create(
        action, clock=clock, signing_key=Ed25519PrivateKey.generate(), action_id="BENCH"
    )
    log.append("track_started", {"track": TRACK, "media": "video"}, t=0.0)
    folder = action / "media" / TRACK
    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        data = os.urandom(SEGMENT)
        rel = f"media/{TRACK}/{TRACK}-{i:06d}.ts"
        (action / rel).write_bytes(data)
        paths.append(action / rel)
        start, end = 2.0 * i, 2.0 * (i + 1)
        log.append(
            "segment_sealed",
            {
                "track": TRACK,
                "index": i,
                "file": rel,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "start": start,
                "end": end,
                "start_utc": format_utc(clock.to_utc(start)),
                "end_utc": format_utc(clock.to_utc(end)),
                "frames": 60,
                "recovered": False,
            },
            t=end,
        )
        if i % 15 == 14:
            log.checkpoint()
    log.append("track_ended", {"track": TRACK, "segments": count})
    log.checkpoint()
    log.close()
    return paths


def time_openssl(paths: list[Path]) -> float:
    start = time.perf_counter()
    for i in range(0, len(paths), 200):  # a few invocations keep argv short
        subprocess.run(
            ["openssl", "dgst", "-sha256", *map(str, paths[i : i + 200])],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def time_verify(action: Path) -> float:
    start = time.perf_counter()
    report = verify_recording(action)
    elapsed = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"benchmark recording did not verify:\n{report.summary()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~200 MB instead of ~2 GB")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the files")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    count = 100 if args.quick else 1000
    tmp = Path(tempfile.mkdtemp(prefix="bench-verify-", dir=args.dir))
    try:
        t0 = time.perf_counter()
        paths = build(tmp / "action", count)
        total = count * SEGMENT
        print(f"built {count} segments, {total / 1e9:.2f} GB in {time.perf_counter() - t0:.1f} s")
        openssl, verify = [], []
        for _ in range(args.rounds):  # interleaved, so both see the same machine load
            openssl.append(time_openssl(paths))
            verify.append(time_verify(tmp / "action"))
        o, v = min(openssl), min(verify)
        print(f"openssl dgst -sha256: best {o:.2f} s  ({total / o / 1e9:.2f} GB/s)")
        print(f"verify_recording:     best {v:.2f} s  ({total / v / 1e9:.2f} GB/s)")
        rounds = sorted(a / b for a, b in zip(openssl, verify, strict=True))
        print("per-round ratios (load varies): " + ", ".join(f"{r:.2f}" for r in rounds))
        print(
            f"verify/openssl throughput ratio: {o / v:.2f} (target >= 0.90), cpus {os.cpu_count()}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
