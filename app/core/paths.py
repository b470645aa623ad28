"""Where Tergeu keeps its files.

The data folder holds ``tergeu.db`` (an index only), ``actions/<id>/`` (the evidence: log,
segments, documents), ``outbox/`` and ``logs/``. ``--data-dir`` or ``TERGEU_DATA_DIR`` override the
per-user default; tests always point it at a temp folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "tergeu"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it owner-only (0o700)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


@dataclass(frozen=True)
class DataPaths:
    """The folders under one data root."""

    root: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
        """``data_dir`` if given, else ``$TERGEU_DATA_DIR``, else the per-user data folder."""
        chosen = data_dir or os.environ.get("TERGEU_DATA_DIR")
        root = (
            Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        )
        return cls(root.expanduser().resolve())

    @property
    def database(self) -> Path:
        return self.root / "tergeu.db"

    @property
    def actions(self) -> Path:
        return self.root / "actions"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def translations(self) -> Path:
        """Compiled ``.qm`` files (built from ``resources/i18n`` at start when stale)."""
        return self.root / "i18n"

    @property
    def tls(self) -> Path:
        """The signaling server's self-signed certificate and key (made when first needed)."""
        return self.root / "tls"

    def action_dir(self, action_id: str) -> Path:
        return self.actions / action_id

    def ensure(self) -> DataPaths:
        """Create every folder owner-only; evidence lives below this root."""
        for folder in (self.root, self.actions, self.outbox, self.logs, self.translations):
            private_dir(folder)
        return self


def default_config_file() -> Path:
    """``$TERGEU_CONFIG`` if set, else ``tergeu.toml`` in the per-user config folder."""
    env = os.environ.get("TERGEU_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "tergeu.toml"
