"""The ``tergeu`` command: with no subcommand it starts the desktop app.

Subcommands live one per module in :mod:`app.commands`; each module defines
``register(subparsers)`` which adds its parser and sets ``func`` to a callable taking the parsed
arguments and returning the exit code. Adding a file there adds a command.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import app.commands
from app.core.memory import limit_malloc_arenas


def _command_in(argv: Sequence[str], names: set[str]) -> str | None:
    """The subcommand ``argv`` asks for, if it names one of ``names`` (global options skipped)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--data-dir")
    pre.add_argument("--config")
    try:
        _, rest = pre.parse_known_args(argv)
    except SystemExit:  # a global option without its value: the full parser says so
        return None
    return rest[0] if rest and rest[0] in names else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv`` naming a subcommand, only that command's module is imported.

    The modules of live sessions (aiortc, PyAV, OpenCV, aiohttp) cost some 70 MB of memory and
    a second to import; ``tergeu verify`` on a reviewer's machine needs none of them.
    """
    parser = argparse.ArgumentParser(
        prog="tergeu",
        description="Tergeu — remote investigative actions with verified identities, "
        "evidence-grade recording and signed electronic protocols.",
    )
    parser.add_argument("--data-dir", help="data folder (default: per-user; env TERGEU_DATA_DIR)")
    parser.add_argument(
        "--config", help="config file (default: per-user tergeu.toml; env TERGEU_CONFIG)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(app.commands.__path__)
        if not info.name.startswith("_")
    )
    wanted = _command_in(argv, set(names)) if argv is not None else None
    for name in [wanted] if wanted else names:
        importlib.import_module(f"app.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    limit_malloc_arenas()  # before any recording or network thread starts
    if args.command is None:
        from app.commands._gui import run_gui

        return run_gui(args)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except KeyboardInterrupt:
        print("tergeu: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
