"""``tergeu recover ACTION_DIR``: make a recording whose recorder died consistent again."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from recorder.errors import RecorderError, UnreadableError
from recorder.recover import recover


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "recover", help="repair the log and salvage media of a recording after a crash"
    )
    p.add_argument("action_dir", metavar="ACTION_DIR", help="the action folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        result = recover(args.action_dir)
    except UnreadableError as e:
        print(f"tergeu recover: {e}", file=sys.stderr)
        return 2
    except RecorderError as e:
        print(f"tergeu recover: {e}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0
