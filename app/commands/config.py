"""``tergeu config``: show where the config file is, check it, or print every key documented."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.config import KEYS, documented_default_toml, load_config
from app.core.errors import ConfigError
from app.core.paths import DataPaths, default_config_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("config", help="show, check or document the configuration")
    p.add_argument(
        "--defaults", action="store_true", help="print a complete documented config file"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.defaults:
        sys.stdout.write(documented_default_toml())
        return 0
    path = Path(args.config) if args.config else default_config_file()
    try:
        config = load_config(path)
    except ConfigError as e:
        print(f"tergeu config: {e}", file=sys.stderr)
        return 2
    print(f"config file: {path}{'' if path.exists() else ' (absent: all defaults)'}")
    print(f"data folder: {DataPaths.resolve(args.data_dir).root}")
    for key in KEYS:
        dotted = f"{key.section}.{key.name}"
        value = config[dotted]
        shown = "***" if key.name == "turn_credential" and value else repr(value)
        print(f"  {dotted} = {shown}")
    return 0
