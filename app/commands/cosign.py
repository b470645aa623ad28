"""``tergeu cosign LINK --identity FILE.p12 [--save-pdf FILE] [--refuse REASON]``: co-sign remotely.

Opens the investigator's co-sign link with the PIN (``--pin``, else ``$TERGEU_PIN``, else a
hidden prompt), checks what the server sends (the manifest is the one the link names, the PDF is
the one it lists, the investigator's signature verifies), writes the protocol PDF for reading
(``--save-pdf``), then signs it with the key (password: ``$TERGEU_KEY_PASSWORD`` or a hidden
prompt) after a yes/no question (``--yes`` skips it), or sends a refusal with ``--refuse REASON``.
Exit 0 signed or refused, 1 refused by the server or a check, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys
from pathlib import Path
from typing import Any

from app.core.cosign_client import CosignClient
from app.core.cosign_link import CosignError
from app.core.errors import TergeuError
from protocol.errors import ProtocolError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("cosign", help="co-sign a protocol from the investigator's link")
    p.add_argument("link", help="the co-sign link (…/a/<action>/cosign#…)")
    p.add_argument("--identity", help="your PKCS#12 signing identity (needed to sign)")
    p.add_argument("--pin", help="the 6-digit PIN (default: $TERGEU_PIN or a hidden prompt)")
    p.add_argument("--fingerprint", help="SHA-256 fingerprint of the server certificate (AA:BB:…)")
    p.add_argument("--trust-anchors", help="folder of trusted root certificates (PEM/DER)")
    p.add_argument("--save-pdf", help="write the protocol PDF here to read it before signing")
    p.add_argument("--refuse", metavar="REASON", help="refuse to sign, giving the reason")
    p.add_argument("--yes", action="store_true", help="sign without asking once more")
    p.set_defaults(func=run)


def _private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


async def _cosign(args: argparse.Namespace, pin: str) -> int:
    from app.core.finish import open_identity

    client = CosignClient(
        args.link,
        fingerprint=args.fingerprint,
        trust_anchors_dir=Path(args.trust_anchors) if args.trust_anchors else None,
    )
    package = await client.open(pin)
    print(f"request for: {package.display_name} ({package.role})")
    print(f"action: {package.action_title or package.link.action_id}")
    print(f"investigator's signature verified: {package.investigator}")
    if package.demo:
        print("DEMO certificates — not a qualified signature")
    if args.save_pdf:
        _private(Path(args.save_pdf), package.pdf)
        print(f"protocol PDF written to {args.save_pdf}")
    if args.refuse is not None:
        await client.refuse(package, args.refuse)
        print("refusal sent")
        return 0
    if not args.yes:
        answer = await asyncio.to_thread(input, "Sign this protocol with your key? [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "д", "да", "и", "иә"):
            print("not signed (run again with --refuse REASON to refuse)")
            return 1
    password = os.environ.get("TERGEU_KEY_PASSWORD")
    if password is None:
        password = await asyncio.to_thread(getpass.getpass, "Password of your key: ")
    signer = await open_identity(Path(args.identity), password)
    result = await client.sign(package, signer)
    print(f"signed: {result.get('signature')}; the investigator's check: {result.get('summary')}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.refuse is None and not args.identity:
        print(
            "tergeu cosign: give --identity FILE.p12 to sign, or --refuse REASON", file=sys.stderr
        )
        return 2
    if args.refuse is not None and not args.refuse.strip():
        print("tergeu cosign: --refuse needs a reason", file=sys.stderr)
        return 2
    pin = args.pin or os.environ.get("TERGEU_PIN") or getpass.getpass("PIN: ")
    if not re.fullmatch(r"[0-9]{6}", pin or ""):
        print("tergeu cosign: the PIN must be exactly 6 digits", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_cosign(args, pin))
    except ValueError as e:  # a malformed link or fingerprint
        print(f"tergeu cosign: {e}", file=sys.stderr)
        return 2
    except (CosignError, TergeuError, ProtocolError) as e:
        print(f"tergeu cosign: {e}", file=sys.stderr)
        return 1
