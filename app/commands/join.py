"""``tergeu join LINK [--pin PIN] [--synthetic]``: join a live session from this computer.

For experts, specialists and defenders at their own desk: the same protocol as the guest page,
with an aiortc client. Sources are synthetic (a test card and clicks) unless a camera or
microphone is named. The PIN comes from ``--pin``, else ``$TERGEU_PIN``, else a hidden prompt; it
is never printed. With ``--fingerprint`` the server's self-signed certificate is pinned. Media
uses the addresses of ``network.ice_host_addresses`` in the config file (default: all).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

from aiortc.mediastreams import MediaStreamTrack

from app.core.config import load_config
from app.core.errors import TergeuError
from app.core.ice_hosts import pin_host_addresses
from app.core.participant import Participant, Reply, TextShown
from app.core.paths import default_config_file
from app.core.signaling.errors import SessionError
from app.core.signaling.messages import LANGUAGES
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("join", help="join a live session as expert, specialist or defender")
    p.add_argument("link", help="the invitation link (…/a/<action>/join#<token>)")
    p.add_argument("--pin", help="the 6-digit PIN (default: $TERGEU_PIN or a hidden prompt)")
    p.add_argument(
        "--synthetic", action="store_true", help="send a test card and clicks (the default)"
    )
    p.add_argument("--camera", help="camera device to use instead, e.g. /dev/video0")
    p.add_argument("--microphone", help="ALSA microphone to use instead, e.g. default")
    p.add_argument("--fingerprint", help="SHA-256 fingerprint of the server certificate (AA:BB:…)")
    p.add_argument("--lang", choices=LANGUAGES, default="ru", help="language (kk, ru, en)")
    p.add_argument(
        "--identity",
        help="your PKCS#12 signing identity, to prove who you are when the investigator asks "
        "(password: $TERGEU_KEY_PASSWORD or a hidden prompt)",
    )
    p.add_argument("--seconds", type=float, help="leave after this many seconds")
    p.add_argument("--shade", type=int, default=90, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _sources(
    args: argparse.Namespace, clock: SessionClock
) -> tuple[MediaStreamTrack, MediaStreamTrack]:
    audio: MediaStreamTrack = SyntheticAudioTrack(clock)
    video: MediaStreamTrack = SyntheticVideoTrack(clock, shade=args.shade)
    if args.camera or args.microphone:
        from aiortc.contrib.media import MediaPlayer

        if args.camera:
            cam = MediaPlayer(args.camera, format="v4l2", options={"video_size": "640x480"})
            if cam.video is None:
                raise SessionError("device", f"camera {args.camera} gives no video")
            video = cam.video
        if args.microphone:
            mic = MediaPlayer(args.microphone, format="alsa")
            if mic.audio is None:
                raise SessionError("device", f"microphone {args.microphone} gives no audio")
            audio = mic.audio
    return audio, video


async def _join(args: argparse.Namespace, pin: str) -> str:
    config = load_config(Path(args.config) if args.config else default_config_file())
    pin_host_addresses(config["network.ice_host_addresses"])
    clock = SessionClock.start()
    audio, video = _sources(args, clock)
    participant: Participant

    async def on_text(shown: TextShown) -> Reply | None:
        """The participant's own act: a synthetic one types its invited name, a person types."""
        name = participant.display_name or ""
        if args.synthetic:
            return Reply(typed_name=name)
        print(f"\n{shown.shown}\n", file=sys.stderr, flush=True)
        if shown.draft is not None:
            print(f"---\n{shown.draft}\n---", file=sys.stderr, flush=True)
            remarks = await asyncio.to_thread(input, "Remarks (Enter for none): ")
            typed = await asyncio.to_thread(input, f"Type your full name ({name}) to confirm: ")
            return Reply(typed_name=typed, remarks=remarks)
        typed = await asyncio.to_thread(input, f"Type your full name ({name}) to confirm: ")
        return Reply(typed_name=typed)

    signer = None
    if args.identity:
        from app.core.finish import open_identity

        password = os.environ.get("TERGEU_KEY_PASSWORD")
        if password is None:
            password = await asyncio.to_thread(getpass.getpass, "Password of your key: ")
        signer = await open_identity(Path(args.identity), password)
    participant = Participant(
        args.link,
        pin,
        audio=audio,
        video=video,
        language=args.lang,
        fingerprint=args.fingerprint,
        on_text=on_text,
        signer=signer,
    )
    participant.expert.add_listener(  # experts and specialists: the action's stills gallery
        lambda item: print(
            f"still {item.number} of {item.participant_id} ({item.width}×{item.height}, "
            f"SHA-256 {item.sha256[:16]}…): {item.caption}",
            file=sys.stderr,
            flush=True,
        )
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(participant.leave()))
    session = asyncio.ensure_future(participant.run())

    async def report() -> None:
        await participant.admitted.wait()
        print("admitted", file=sys.stderr, flush=True)
        await participant.connected.wait()
        print("connected", file=sys.stderr, flush=True)

    reporter = asyncio.ensure_future(report())
    if args.seconds:
        done, _ = await asyncio.wait({session}, timeout=args.seconds)
        if not done:
            await participant.leave()
    reason = await session
    reporter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reporter
    print(f"frames received: {participant.stats.frames}", file=sys.stderr)
    return reason


def run(args: argparse.Namespace) -> int:
    pin = args.pin or os.environ.get("TERGEU_PIN") or getpass.getpass("PIN: ")
    if not re.fullmatch(r"[0-9]{6}", pin or ""):
        print("tergeu join: the PIN must be exactly 6 digits", file=sys.stderr)
        return 2
    try:
        reason = asyncio.run(_join(args, pin))
    except ValueError as e:  # a malformed link or fingerprint
        print(f"tergeu join: {e}", file=sys.stderr)
        return 2
    except SessionError as e:
        print(f"tergeu join: {e.message}", file=sys.stderr)
        return 2 if e.code in ("unknown", "expired", "used", "revoked", "foreign") else 1
    except OSError as e:
        print(f"tergeu join: cannot reach the server: {e}", file=sys.stderr)
        return 1
    except TergeuError as e:  # the signing identity could not be opened
        print(f"tergeu join: {e}", file=sys.stderr)
        return 2
    print(f"session ended: {reason}", file=sys.stderr)
    return 0 if reason != "gave up reconnecting" else 1
