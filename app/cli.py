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


def build_parser() -> argparse.ArgumentParser:
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
    for info in sorted(pkgutil.iter_modules(app.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"app.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
