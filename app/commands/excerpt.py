"""``tergeu excerpt FILE.asice --from HH:MM:SS --to HH:MM:SS -o OUT.asice``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from protocol.errors import ProtocolError, UnreadableContainerError
from recorder.errors import RecorderError

_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")


def parse_clock(text: str) -> float:
    """``HH:MM:SS`` (or ``MM:SS``, fractions allowed) as seconds of the session."""
    m = _TIME.fullmatch(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(f"invalid time {text!r}: expected HH:MM:SS")
    hours, minutes, seconds = int(m.group(1) or 0), int(m.group(2)), float(m.group(3))
    if minutes >= 60 or seconds >= 60:
        raise argparse.ArgumentTypeError(f"invalid time {text!r}: minutes and seconds below 60")
    return hours * 3600 + minutes * 60 + seconds


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("excerpt", help="cut a verifiable excerpt of a time range")
    p.add_argument("container", help="the signed .asice container")
    p.add_argument("--from", dest="start", type=parse_clock, required=True, help="HH:MM:SS")
    p.add_argument("--to", dest="end", type=parse_clock, required=True, help="HH:MM:SS")
    p.add_argument("-o", "--out", required=True, help="the excerpt .asice to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from protocol.excerpt import make_excerpt

    try:
        info = make_excerpt(Path(args.container), Path(args.out), start=args.start, end=args.end)
    except UnreadableContainerError as e:
        print(f"tergeu excerpt: not readable: {e}", file=sys.stderr)
        return 2
    except (ProtocolError, RecorderError) as e:
        print(f"tergeu excerpt: {e}", file=sys.stderr)
        return 2
    print(
        f"excerpt {args.out}: {len(info['segments'])} segments of "
        f"{info['source']['container_id']} (root {info['source']['merkle_root']})"
    )
    return 0
