"""``tergeu record --synthetic N --seconds S --out DIR``: record synthetic participants, no network.

Each participant ``p1`` … ``pN`` gets a synthetic test-card video and a clicking audio track. The
action folder is printed as the last line. The log is signed with a fresh Ed25519 key made for
this run only (there is no investigator here).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.clock import SessionClock
from recorder.errors import RecorderError, UnreadableError
from recorder.recording import Recorder
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("record", help="record synthetic participants into an action folder")
    p.add_argument("--synthetic", type=int, required=True, metavar="N", help="participants (1-16)")
    p.add_argument("--seconds", type=float, required=True, metavar="S", help="length in seconds")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to create the action in")
    p.add_argument("--segment-seconds", type=float, default=2.0, help="segment length (1-10 s)")
    p.add_argument("--checkpoint-seconds", type=float, default=30.0, help="checkpoint interval")
    p.set_defaults(func=run)


async def record_synthetic(
    out: Path,
    participants: int,
    seconds: float,
    *,
    segment_seconds: float,
    checkpoint_seconds: float,
) -> Path:
    """Record ``participants`` synthetic participants for ``seconds``; returns the action folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    action_id = f"synthetic-{stamp}-{secrets.token_hex(3)}"
    action_dir = out / action_id
    print(f"recording into {action_dir}", file=sys.stderr, flush=True)
    clock = SessionClock.start()
    rec = await Recorder.start(
        action_dir,
        action_id=action_id,
        planned_seconds=seconds,
        segment_seconds=segment_seconds,
        checkpoint_seconds=checkpoint_seconds,
        signing_key=Ed25519PrivateKey.generate(),
        clock=clock,
        video_tracks=participants,
        audio_tracks=participants,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    frames = round(seconds * 30)
    for i in range(1, participants + 1):
        who = f"p{i}"
        await rec.event("participant_joined", {"participant": who, "role": "synthetic"})
        video = SyntheticVideoTrack(clock, shade=i, frames=frames)
        await rec.add_track(video, participant=who, name=f"{who}-video")
        await rec.add_track(SyntheticAudioTrack(clock, seconds=seconds), participant=who)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    await rec.stop()
    return action_dir


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.synthetic <= 16:
        print(f"tergeu record: --synthetic {args.synthetic}: expected 1 to 16", file=sys.stderr)
        return 2
    if not 0 < args.seconds <= 24 * 3600:
        print(f"tergeu record: --seconds {args.seconds}: expected > 0 and ≤ 86400", file=sys.stderr)
        return 2
    try:
        action_dir = asyncio.run(
            record_synthetic(
                Path(args.out),
                args.synthetic,
                args.seconds,
                segment_seconds=args.segment_seconds,
                checkpoint_seconds=args.checkpoint_seconds,
            )
        )
    except UnreadableError as e:
        print(f"tergeu record: {e}", file=sys.stderr)
        return 2
    except (RecorderError, ValueError) as e:
        print(f"tergeu record: {e}", file=sys.stderr)
        return 1
    print(action_dir)
    return 0
