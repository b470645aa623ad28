"""Diagnostic logging: a rotating file in the data folder, with secrets scrubbed.

Tokens, PINs and key passwords must never reach a log. Code should not pass them to the logger at
all; this module is the safety net: :class:`SecretFilter` masks every value registered with
:func:`register_secret` and anything shaped like ``token=…``, ``pin=…`` or ``password=…`` in every
record, including its arguments and exception text, before any handler formats it.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

from app.core.paths import DataPaths, private_dir

MASK = "***"
_PATTERN = re.compile(
    r"(?i)\b(token|pin|password|passphrase|secret|credential)(['\"]?\s*[=:]\s*['\"]?)([^\s'\"&,;}]+)"
)
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Mask ``value`` wherever it would appear in a log record from now on."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def forget_secret(value: str) -> None:
    with _lock:
        _secrets.discard(value)


def scrub(text: str) -> str:
    """``text`` with registered secrets and ``key=value`` secrets masked."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    return _PATTERN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


class SecretFilter(logging.Filter):
    """Rewrites each record so that no handler ever sees a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


_factory_installed = False


def install_record_factory() -> None:
    """Scrub every record where it is created, so that no handler (ours, pytest's, a
    console) ever sees a secret."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()
    scrubber = SecretFilter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrubber.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


class _ScrubbingHandler(logging.handlers.RotatingFileHandler):
    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8")
        self.addFilter(SecretFilter())

    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        Path(self.baseFilename).chmod(0o600)
        return stream


def setup_logging(paths: DataPaths, level: int = logging.INFO) -> Path:
    """Send all logging to ``logs/tergeu.log`` (rotating, owner-only) and return its path."""
    install_record_factory()
    private_dir(paths.logs)
    path = paths.logs / "tergeu.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _ScrubbingHandler):
            root.removeHandler(handler)
            handler.close()
    handler = _ScrubbingHandler(path)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    return path
