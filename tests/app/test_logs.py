"""Tokens, PINs and key passwords never reach the log file."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from app.core.logs import register_secret, scrub, setup_logging
from app.core.paths import DataPaths

TOKEN = "Zx9_kq3sD0cP1vB7nM2lT8wR4yU6iO5aE3hJ0gF1dS8"
PIN = "482915"
KEY_PASSWORD = "s3cret-Пароль!"


def test_secrets_never_appear_in_the_log(tmp_path: Path) -> None:
    path = setup_logging(DataPaths(tmp_path).ensure())
    log = logging.getLogger("tergeu.test")
    register_secret(TOKEN)
    register_secret(KEY_PASSWORD)
    log.info("guest joined with link https://127.0.0.1:8765/join#%s", TOKEN)
    log.info("pin=%s accepted", PIN)
    log.info("signing with password: %s", KEY_PASSWORD)
    log.warning("payload %s", {"token": TOKEN, "pin": PIN})
    try:
        raise ValueError(f"bad password={KEY_PASSWORD}")
    except ValueError:
        log.exception("signing failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "guest joined" in text and "signing failed" in text
    for secret in (TOKEN, PIN, KEY_PASSWORD):
        assert secret not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_scrub_masks_key_value_shapes() -> None:
    assert scrub("pin: 123456") == "pin: ***"
    assert scrub('{"token": "abc123xyz"}') == '{"token": "***"}'
    assert scrub("nothing secret here") == "nothing secret here"
