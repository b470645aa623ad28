"""Benchmark: build + sign, and verify, a container for a synthetic 2-hour, 2-person recording.

Run: ``.venv/bin/python tests/benchmarks/bench_container.py [--quick] [--rounds N]
[--big [--huge-member]]``. Segment files are random bytes of realistic sizes (≈1.4 GB in all;
``--quick`` ≈190 MB; ``--big`` ≈4.3 GB at ≈2.4 Mbit/s video, so member offsets pass 4 GiB and the
zip needs ZIP64; ``--huge-member`` adds one 4.3 GiB sparse segment, a member that itself needs
ZIP64). The action log is a real one (:func:`make_recording`: ~14,700 hash-chained entries for
2 hours, one ``segment_sealed`` per segment, a signed checkpoint every 30 s) and protocol.json
carries its summary, so the verify's log, chain, Merkle, checkpoint, segment and summary checks
all run and must pass.

Fair comparison, like for like: the page cache is warm for both sides (the recording is read once
before the first round; the container is read right after it is written), and each round runs, in
this order, ``openssl dgst -sha256`` over the recording's files, the build (which reads those same
files), ``openssl dgst -sha256`` over the container, and the verify (which reads that container).
Before each build, page-cache memory is pre-faulted, untimed (see :func:`prefault`; ``--cold``
skips it).
Ratios are taken within a round, so both sides see the same machine load, and the median over
the rounds is reported with the best and the worst. Wall time is the target; CPU time (user +
system, all threads) is printed beside it because other load on a shared machine hardly changes
it; the verify's CPU includes its hashing process (protocol/sha256_child.py). Peak memory is
this process's peak RSS (the build and the verify run here) plus the peak of the verify's
hashing process (sampled, see :class:`ChildPeak`), also given while building and while verifying
(VmHWM reset before each, Linux). With
``--big`` the container is also checked with ``unzip -t`` and for its ZIP64
end-of-central-directory record.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from protocol.container import build_container  # noqa: E402
from protocol.signing import Signer  # noqa: E402
from protocol.verify import verify_container  # noqa: E402
from recorder.clock import SessionClock, format_utc  # noqa: E402
from recorder.log import ActionLog  # noqa: E402
from tests.pki.fixtures import signer  # noqa: E402

# document_id of protocol.samples.sample_protocol() (tests.pki.recording.DOC_ID: not imported,
# that module pulls in the recorder app — aiortc, PyAV, NumPy — some 70 MB of this process's peak)
DOC_ID = "tergeu-2026-000123"
SEGMENT_SECONDS = 2
VIDEO_SEGMENT = 190_000  # ≈760 kbit/s video
AUDIO_SEGMENT = 8_000  # ≈32 kbit/s audio
BIG_VIDEO_SEGMENT = 600_000  # ≈2.4 Mbit/s video: 2 h × 2 people ≈ 4.3 GB
HUGE_MEMBER = (1 << 32) + (300 << 20)  # 4.3 GiB: one member beyond the 32-bit zip limit
FIRST_FRAME = 0.259884  # session time of the first frame; segments follow on from it
HUGE_NAME = "witness-video-huge.ts"  # not in the log: its segment checks fail, as expected


class _ScriptedClock(SessionClock):
    """A session clock whose ``now`` is set by the script (a 2-hour log made in seconds)."""

    at = 0.0

    def now(self) -> float:
        return self.at

    def set(self, t: float) -> None:
        object.__setattr__(self, "at", t)  # the dataclass is frozen


PEOPLE = ("investigator", "witness")


def make_recording(folder: Path, seconds: int, video_segment: int = VIDEO_SEGMENT) -> int:
    """Write a recording as the recorder leaves it: segment-sized random files for 2
    participants (video + audio each), their playlists and a real action log — hash-chained,
    one ``segment_sealed`` per segment with its size and SHA-256, a signed checkpoint every
    30 s, ``playlist_written`` / ``track_ended`` per track and a final checkpoint — so that
    verify's log, chain, Merkle, checkpoint, continuity and summary checks do their real work.
    The log is fsynced once at the end, not per entry as the live recorder does."""
    pool = os.urandom(video_segment + 4096)
    total = 0
    n = seconds // SEGMENT_SECONDS
    clock = _ScriptedClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))
    real_fsync = os.fsync
    os.fsync = lambda fd: None  # 15,000 appends; one fsync below
    try:
        log = ActionLog.create(
            folder,
            clock=clock,
            signing_key=Ed25519PrivateKey.generate(),
            action_id="BENCH",
            data={"segment_seconds": SEGMENT_SECONDS, "first_segment_seconds": SEGMENT_SECONDS},
        )
        tracks = [
            (p, m, s)
            for p in PEOPLE
            for m, s in (("video", video_segment), ("audio", AUDIO_SEGMENT))
        ]
        for person in PEOPLE:
            log.append("participant_joined", {"participant": person, "role": person}, t=0.0)
        for person, media, _size in tracks:
            track = f"{person}-{media}"
            (folder / "media" / track).mkdir(parents=True)
            codec = "h264" if media == "video" else "aac"
            log.append(
                "track_started",
                {"track": track, "media": media, "participant": person, "codec": codec},
                t=0.0,
            )
        for i in range(n):
            # session seconds as the recorder logs them: microseconds, never whole numbers
            start = i * SEGMENT_SECONDS + FIRST_FRAME
            end = (i + 1) * SEGMENT_SECONDS + FIRST_FRAME
            for person, media, size in tracks:
                track = f"{person}-{media}"
                name = f"{track}-{i:06d}.ts"
                off = (i * 4099) % 4096
                data = i.to_bytes(8, "big") + pool[off : off + size - 8]
                (folder / "media" / track / name).write_bytes(data)
                total += len(data)
                entry: dict[str, Any] = {
                    "track": track,
                    "index": i,
                    "file": f"media/{track}/{name}",
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "start": start,
                    "end": end,
                    "start_utc": format_utc(clock.to_utc(start)),
                    "end_utc": format_utc(clock.to_utc(end)),
                    "frames": 60 if media == "video" else 94,
                    "recovered": False,
                    "media": media,
                    "codec": "h264" if media == "video" else "aac",
                }
                entry |= (
                    {"width": 640, "height": 480} if media == "video" else {"sample_rate": 48000}
                )
                log.append("segment_sealed", entry, t=end + 0.01)
            if (i + 1) * SEGMENT_SECONDS % 30 == 0:
                clock.set(end + 0.02)
                log.checkpoint()
        clock.set(n * SEGMENT_SECONDS + FIRST_FRAME + 0.1)
        for person, media, _size in tracks:
            track = f"{person}-{media}"
            lines = ["#EXTM3U", f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}"]
            for i in range(n):
                lines += [f"#EXTINF:{SEGMENT_SECONDS}.0,", f"{track}-{i:06d}.ts"]
            playlist = ("\n".join(lines) + "\n#EXT-X-ENDLIST\n").encode()
            rel = f"media/{track}/{track}.m3u8"
            (folder / rel).write_bytes(playlist)
            digest = hashlib.sha256(playlist).hexdigest()
            log.append("playlist_written", {"file": rel, "sha256": digest, "track": track})
            log.append("track_ended", {"track": track, "segments": n})
        log.append("session_ended", {"reason": "stopped"})
        log.checkpoint()
        log.close()
    finally:
        os.fsync = real_fsync
    with open(folder / "log.jsonl", "rb") as f:
        os.fsync(f.fileno())
    return total


def protocol_json(action: Path) -> bytes:
    """The sample protocol with this recording's summary (Merkle root, tree size, segments
    per track, log SHA-256), so verify's summary and signer checks pass as for a real one.

    Made in a child process: reading the 15,000-entry log here would leave its memory in this
    process's heap and inflate the peak reported for the build and the verify."""
    code = (
        "import sys; from pathlib import Path; "
        "from protocol.metadata import protocol_to_json; "
        "from tests.pki.recording import protocol_for; "
        "sys.stdout.buffer.write(protocol_to_json(protocol_for(Path(sys.argv[1]))))"
    )
    child = subprocess.run(
        [sys.executable, "-c", code, str(action)], cwd=ROOT, check=True, capture_output=True
    )
    return child.stdout


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU seconds used so far by this process (all threads) or its children."""
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


CPU: dict[str, float] = {}  # CPU seconds of the last openssl / build / verify run


PEAKS: list[float] = []  # peak RSS of each window closed by reset_peak


def reset_peak() -> None:
    """Start a new peak-RSS window (Linux: VmHWM, and with it ru_maxrss, drops to the current
    RSS; elsewhere a no-op). The closing window's peak is kept in PEAKS."""
    PEAKS.append(peak_mb())
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    """Peak RSS in MB since :func:`reset_peak` (Linux), else since the process started."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ChildPeak:
    """Samples the peak RSS (VmHWM) of the verify's hashing process (protocol/sha256_child.py)
    every 10 ms while it runs (Linux). Not ``RUSAGE_CHILDREN``'s ru_maxrss: a child started by
    fork or vfork is charged the parent's RSS at that moment, which it never used after exec."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ChildPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            for pid in _children():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if b"sha256_child" not in f.read():
                            continue  # not (yet: between fork and exec) the hashing process
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
                except OSError:
                    pass  # ended meanwhile


def _children() -> list[str]:
    out: list[str] = []
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as f:
                out += f.read().split()
    except OSError:
        pass
    return out


CHILD_PEAKS: list[float] = []  # peak RSS of the verify's hashing process, each round


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
    """Write and delete ``size`` bytes, so the build's writes get memory the guest just used.

    On these VMs memory that stays free for a few seconds is handed back to the host (free
    page reporting), and the next touch of it costs several times the write itself: measured,
    a 1.4 GB build spends ~1.7 s of system time instead of ~0.6 s when openssl and the verify
    ran between it and the previous container's deletion. That measures the hypervisor, not
    the container code, and a desktop has no such cost; so it runs before every build (not
    timed) unless ``--cold``."""
    block = bytes(1 << 20)
    t = time.perf_counter()
    with open(folder / "prefault", "wb") as f:
        for _ in range(size // len(block) + 1):
            f.write(block)
    (folder / "prefault").unlink()
    return time.perf_counter() - t


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


def build_once(action: Path, out: Path, key: Signer, proto: bytes) -> tuple[float, float, float]:
    """Build + sign a container; (wall seconds, CPU seconds, seconds spent in fsync).

    The signer is loaded beforehand: unlocking a PKCS#12 file is the person's key, not the
    container work."""
    fsync_time = [0.0]
    real_fsync = os.fsync

    def timed_fsync(fd: Any) -> None:
        t0 = time.perf_counter()
        real_fsync(fd)
        fsync_time[0] += time.perf_counter() - t0

    os.fsync = timed_fsync
    try:
        c = cpu_seconds()
        t = time.perf_counter()
        asyncio.run(
            build_container(
                out,
                action_dir=action,
                protocol_pdf=b"%PDF-1.7 bench",
                protocol_json=proto,
                signer=key,
                container_id=DOC_ID,
                overwrite=True,
            )
        )
        return time.perf_counter() - t, cpu_seconds() - c, fsync_time[0]
    finally:
        os.fsync = real_fsync


def verify_once(out: Path, unlogged: str | None = None) -> tuple[float, float]:
    """Verify the container; (wall seconds, CPU seconds of this process and of the process
    that hashes the members, see protocol/sha256_child.py). Fails unless every check passes
    (warnings allowed: the DEMO certificate chain, no time-stamp); failures naming the file
    ``unlogged`` (``--huge-member``'s segment, which the log does not list) are expected."""
    c = cpu_seconds() + cpu_seconds(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with ChildPeak() as child:
        report = verify_container(out)
    wall = time.perf_counter() - t
    CHILD_PEAKS.append(child.peak_mb)
    cpu = cpu_seconds() + cpu_seconds(resource.RUSAGE_CHILDREN) - c
    failed = [
        c
        for c in report.checks
        if c.status.value == "failed" and not (unlogged and unlogged in f"{c.subject} {c.message}")
    ]
    names = {c.name for c in report.checks}
    wanted = {"digest", "signature", "segment", "summary", "chain", "merkle", "checkpoint"}
    assert not failed and wanted <= names, report.summary()
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="≈200 MB instead of ≈1.5 GB")
    ap.add_argument("--rounds", type=int, default=0, help="rounds (default 5, --quick 7)")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--cold", action="store_true", help="skip the page-cache pre-faults")
    ap.add_argument("--big", action="store_true", help="≈4.3 GB: offsets past 4 GiB (ZIP64)")
    ap.add_argument(
        "--huge-member", action="store_true", help="with --big: one 4.3 GiB sparse segment"
    )
    args = ap.parse_args()
    seconds = 960 if args.quick else 7200
    rounds = args.rounds or (7 if args.quick else 5)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tmp = Path(tempfile.mkdtemp(prefix="bench-container-"))
    try:
        action = tmp / "action"
        t = time.perf_counter()
        total = make_recording(action, seconds, BIG_VIDEO_SEGMENT if args.big else VIDEO_SEGMENT)
        if args.huge_member:
            with open(action / "media" / "witness-video" / HUGE_NAME, "wb") as f:
                f.truncate(HUGE_MEMBER)  # sparse: no disk, reads as zeros
            total += HUGE_MEMBER
        files = sorted(p for p in action.rglob("*") if p.is_file())
        print(
            f"synthetic recording: {seconds / 3600:.2f} h, 4 tracks, {len(files)} files, "
            f"{total / 1e6:.0f} MB (made in {time.perf_counter() - t:.1f} s); "
            f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs"
        )
        if not args.cold:
            print(f"pre-fault {total / 1e6:.0f} MB of page cache: {prefault(tmp, total):.2f} s")
        openssl_seconds(files)  # both sides then read from a warm page cache
        out = tmp / "bench.asice"
        key = signer("investigator")
        proto = protocol_json(action)
        rows: list[dict[str, float]] = []
        for i in range(rounds):  # interleaved: each round's ratios see the same machine load
            row: dict[str, float] = {"openssl": openssl_seconds(files)}
            row["openssl_cpu"] = CPU["openssl"]
            if not args.cold:
                prefault(tmp, total)
            reset_peak()
            row["build"], row["build_cpu"], row["fsync"] = build_once(action, out, key, proto)
            row["build_peak"] = peak_mb()
            row["openssl_out"] = openssl_seconds([out])
            row["openssl_out_cpu"] = CPU["openssl"]
            reset_peak()
            row["verify"], row["verify_cpu"] = verify_once(
                out, HUGE_NAME if args.huge_member else None
            )
            row["verify_peak"] = peak_mb()
            rows.append(row)
            print(
                f"round {i + 1}: openssl {row['openssl']:.2f} s, build {row['build']:.2f} s "
                f"({row['build'] / row['openssl']:.2f}x, fsync {row['fsync']:.2f} s); "
                f"openssl over the container {row['openssl_out']:.2f} s, verify "
                f"{row['verify']:.2f} s ({row['verify'] / row['openssl_out']:.2f}x); "
                f"load {os.getloadavg()[0]:.1f}"
            )
            if i < rounds - 1:
                out.unlink()

        def ratio(key: str, ref: str) -> str:
            values = sorted(r[key] / r[ref] for r in rows)
            mid = statistics.median(values)
            return f"median {mid:.2f}x (best {values[0]:.2f}x, worst {values[-1]:.2f}x)"

        def med(key: str) -> float:
            return statistics.median([r[key] for r in rows])

        print(f"--- {rounds} rounds, page cache warm for both sides ---")
        print(f"openssl dgst -sha256 over the files: median {med('openssl'):.2f} s")
        print(
            f"build + sign: median {med('build'):.2f} s (fsync {med('fsync'):.2f} s), "
            f"wall {ratio('build', 'openssl')} (target <= 1.5x)"
        )
        print(f"              CPU (user+sys, all threads) {ratio('build_cpu', 'openssl_cpu')}")
        print(f"openssl dgst -sha256 over the container: median {med('openssl_out'):.2f} s")
        print(
            f"verify:       median {med('verify'):.2f} s, "
            f"wall {ratio('verify', 'openssl_out')} (target <= 1.2x)"
        )
        print(f"              CPU {ratio('verify_cpu', 'openssl_out_cpu')}")
        peak = max([peak_mb(), *PEAKS])
        child = max(CHILD_PEAKS)
        print(f"container:    {out.stat().st_size / 1e6:.0f} MB")
        print(
            f"peak memory (RSS): {peak + child:.0f} MB (target <= 200 MB) = this process "
            f"{peak:.0f} MB + the verify's hashing process {child:.0f} MB, counted as if at "
            "the same time"
        )
        build_peak = max(r["build_peak"] for r in rows)
        verify_peak = max(r["verify_peak"] for r in rows)
        print(
            f"              process RSS peak while building {build_peak:.0f} MB, while verifying "
            f"{verify_peak:.0f} MB (worst round; imports alone {base:.0f} MB)"
        )
        if args.big:
            zip64_checks(out)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
