"""``tergeu upload``: queue a container in the outbox and deliver the outbox to a receiver.

``tergeu upload queue FILE.asice --erdr N --action interrogation`` copies it into the outbox;
``tergeu upload send --endpoint URL`` delivers every pending entry. The auth token is read from the
environment variable named by ``--token-env`` (default ``TERGEU_UPLOAD_TOKEN``), never from the
command line (visible to other users) and never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from app.core.paths import DataPaths
from protocol.errors import ProtocolError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("upload", help="queue containers and deliver them to a receiver")
    p.add_argument("--outbox", help="outbox folder (default: DATA_DIR/outbox)")
    sub = p.add_subparsers(dest="upload_command", metavar="ACTION", required=True)
    q = sub.add_parser("queue", help="copy a container into the outbox with its manifest")
    q.add_argument("container")
    q.add_argument("--erdr", required=True, help="ERDR registration number")
    q.add_argument("--action", required=True, help="investigative action, e.g. interrogation")
    s = sub.add_parser("send", help="upload every pending outbox entry")
    s.add_argument("--endpoint", required=True, help="receiver base URL")
    s.add_argument("--token-env", default="TERGEU_UPLOAD_TOKEN", help="env var holding the token")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from protocol.outbox import add_to_outbox, pending
    from protocol.upload import HttpUploader

    outbox = Path(args.outbox) if args.outbox else DataPaths.resolve(args.data_dir).outbox
    try:
        if args.upload_command == "queue":
            sub = add_to_outbox(
                outbox, Path(args.container), erdr_number=args.erdr, action=args.action
            )
            print(f"queued {sub.file_name} ({sub.size} bytes, sha256 {sub.sha256}) in {sub.folder}")
            return 0
        token = os.environ.get(args.token_env, "")
        if not token:
            print(f"tergeu upload: set the token in ${args.token_env}", file=sys.stderr)
            return 2
        uploader = HttpUploader(args.endpoint, token)
        entries = pending(outbox)
        for sub in entries:
            receipt = asyncio.run(uploader.upload(sub))
            print(f"delivered {sub.file_name}: receiver confirmed sha256 {receipt['sha256']}")
        if not entries:
            print(f"nothing pending in {outbox}")
        return 0
    except ProtocolError as e:
        print(f"tergeu upload: {e}", file=sys.stderr)
        return 1 if args.upload_command == "send" else 2
