"""``tergeu identity create-demo --out DIR``: a demo CA, TSA and signer identities (PKCS#12).

The password comes from ``--password``, else ``$TERGEU_DEMO_PASSWORD``, else a prompt; it is never
printed or logged. Everything made here is marked DEMO and never verifies as trusted.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from protocol.demo_pki import create_demo
from protocol.errors import ProtocolError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("identity", help="signing identities (demo PKI)")
    sub = p.add_subparsers(dest="identity_command", metavar="ACTION", required=True)
    demo = sub.add_parser(
        "create-demo", help="create a DEMO CA, TSA and signer identities (not for evidence)"
    )
    demo.add_argument("--out", required=True, help="folder to create (files are owner-only)")
    demo.add_argument("--password", help="PKCS#12 password (default: $TERGEU_DEMO_PASSWORD/prompt)")
    p.set_defaults(func=run)


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    env = os.environ.get("TERGEU_DEMO_PASSWORD")
    if env:
        return env
    first = getpass.getpass("Password for the demo key files: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ProtocolError("the two passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    try:
        pki = create_demo(Path(args.out), _password(args))
    except ProtocolError as e:
        print(f"tergeu identity: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"tergeu identity: cannot write {args.out}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"DEMO PKI written to {args.out} — NOT FOR EVIDENCE")
    print(f"  CA chain:   {pki.chain}")
    print(f"  TSA:        {pki.tsa}")
    for role, path in pki.identities.items():
        print(f"  {role:<13}{path}")
    return 0
