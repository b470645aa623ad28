"""``tergeu serve``: run the signaling server and a session hub on their own (no desktop window).

The hub's own camera and microphone are synthetic. Each ``--invite ROLE:NAME`` issues an
invitation; its link and PIN are printed once to stdout for the operator to hand out (the PIN by a
separate channel) and a QR code of the link is written next to it when ``--qr-dir`` is given.
Off loopback the server uses TLS: a configured certificate or a self-signed one (fingerprint
printed). Waiting participants are admitted automatically only with ``--auto-admit``. With
``--state FILE`` the invite book survives the process: if it dies and is started again with the
same file and port, participants who were admitted reconnect by themselves and wait in the lobby.
With ``--cosign CONTAINER --cosign-request PARTICIPANT`` the server also serves co-signature
requests for a signed container (link and PIN printed once; co-signatures are added to it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.cosign_link import CosignError
from app.core.cosign_requests import CosignDesk, CosignEvent
from app.core.hub import Hub, IceServer, ParticipantEvent
from app.core.invites import ROLES, InviteBook
from app.core.paths import DataPaths
from app.core.signaling.errors import SessionError
from app.core.signaling.server import SignalingServer
from app.core.signaling.tls import TlsIdentity, choose_tls
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="run the signaling server and a session hub standalone")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="TCP port (default 8765; 0: any)")
    p.add_argument("--public-host", help="host name or address participants use in links")
    p.add_argument("--cert", help="PEM certificate (default off loopback: self-signed)")
    p.add_argument("--key", help="PEM private key for --cert")
    p.add_argument("--action", default="demo-action", help="action id of the hosted session")
    p.add_argument("--title", default="Remote interrogation", help="action title shown to guests")
    p.add_argument(
        "--invite",
        action="append",
        default=[],
        metavar="ROLE:NAME",
        help=f"issue an invite; ROLE one of {', '.join(ROLES)}",
    )
    p.add_argument("--qr-dir", help="write a QR code PNG of each link into this folder")
    p.add_argument("--stun", action="append", default=[], help="STUN server URL (repeatable)")
    p.add_argument("--auto-admit", action="store_true", help="admit waiting participants at once")
    p.add_argument(
        "--state",
        help="keep the invite book (hashes only) in this file: after a restart with the same "
        "file, address and port, admitted participants rejoin (back through the lobby)",
    )
    p.add_argument(
        "--cosign",
        metavar="CONTAINER",
        help="serve co-signature requests for this signed container (.asice)",
    )
    p.add_argument(
        "--cosign-request",
        action="append",
        default=[],
        metavar="PARTICIPANT",
        help="ask this participant of the protocol to co-sign (with --cosign; repeatable); "
        "the link and PIN are printed once",
    )
    p.add_argument("--trust-anchors", help="trusted root certificates for checking co-signatures")
    p.set_defaults(func=run)


def _tls(args: argparse.Namespace) -> TlsIdentity | None:
    return choose_tls(
        "auto",
        args.host,
        certificate=args.cert or "",
        private_key=args.key or "",
        folder=DataPaths.resolve(getattr(args, "data_dir", None)).tls,
        public_host=args.public_host,
    )


async def _serve(args: argparse.Namespace) -> None:
    book = InviteBook(path=Path(args.state) if args.state else None)
    tls = _tls(args)
    server = SignalingServer(
        book, host=args.host, port=args.port, tls=tls, public_host=args.public_host
    )
    await server.start()
    clock = SessionClock.start()
    hub = Hub(
        action_id=args.action,
        action_title=args.title,
        invites=book,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
        ice_servers=[IceServer((url,)) for url in args.stun],
        auto_admit=args.auto_admit,
    )
    server.add_session(hub)
    await hub.start()
    print(f"serving {server.base_url}", flush=True)
    if server.fingerprint:
        print(f"certificate SHA-256 fingerprint: {server.fingerprint}", flush=True)
    for n, spec in enumerate(args.invite, start=1):
        role, _, name = spec.partition(":")
        issued = book.issue(
            action_id=args.action,
            participant_id=f"p{n}",
            role=role,
            display_name=name or role,
            base_url=server.base_url,
        )
        print(f"invite p{n} ({role}, {name}): {issued.link}  PIN {issued.pin}", flush=True)
        if args.qr_dir:
            folder = Path(args.qr_dir)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            issued.qr_png(folder / f"invite-p{n}.png")

    if args.cosign:
        desk = await asyncio.to_thread(
            CosignDesk,
            Path(args.cosign),
            action_title=args.title,
            trust_anchors_dir=Path(args.trust_anchors) if args.trust_anchors else None,
        )
        server.cosign_desks[desk.action_id] = desk
        for pid in args.cosign_request:
            cosign = await asyncio.to_thread(desk.issue, pid, base_url=server.base_url)
            print(f"co-sign {pid}: {cosign.link}  PIN {cosign.pin}", flush=True)

        def show_cosign(event: CosignEvent) -> None:
            if event.kind == "state":
                r = event.request
                state = r.state(_now())
                note = r.reason or r.signature or r.last_error
                print(f"co-sign {r.participant_id}: {state} {note}", file=sys.stderr, flush=True)

        desk.add_listener(show_cosign)

    def show(event: object) -> None:
        if isinstance(event, ParticipantEvent):
            print(
                f"{event.participant_id} ({event.role}): {event.state} {event.detail}",
                file=sys.stderr,
                flush=True,
            )

    hub.add_listener(show)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(asyncio.CancelledError):
        await stop.wait()
    await hub.close()
    await server.stop()


def run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_serve(args))
    except SessionError as e:
        print(f"tergeu serve: {e.message}", file=sys.stderr)
        return 2
    except CosignError as e:  # an unreadable container or a participant who cannot co-sign
        print(f"tergeu serve: {e.message}", file=sys.stderr)
        return 2
    except ValueError as e:  # an unknown role in --invite
        print(f"tergeu serve: {e}", file=sys.stderr)
        return 2
    return 0


def _now() -> datetime:
    return datetime.now(UTC)
