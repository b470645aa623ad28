"""Tokens, PINs and key passwords never reach the log file."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

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


async def test_real_join_and_signing_leave_no_secret_in_the_log(tmp_path: Path) -> None:
    """A guest joins a real session with its token and PIN (a wrong PIN first), the investigator
    opens a PKCS#12 identity (a wrong password first); the DEBUG log holds none of them."""
    import asyncio

    from app.core.finish import FinishError, open_identity
    from app.core.participant import Participant
    from app.core.signaling.errors import InviteError
    from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
    from tests.live import make_live_session
    from tests.pki.fixtures import MAIN, PASSWORD

    path = setup_logging(DataPaths(tmp_path / "data").ensure(), level=logging.DEBUG)
    live = make_live_session(tmp_path, "act-2026-0003")
    clock = live.clock
    await live.start()
    try:
        issued = live.invite("w1", "witness", "Witness")
        wrong = "000000" if issued.pin != "000000" else "111111"
        with pytest.raises(InviteError, match="PIN"):
            live.invites.redeem("act-2026-0003", issued.token, wrong)
        guest = Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(clock),
            video=SyntheticVideoTrack(clock),
        )
        run = asyncio.ensure_future(guest.run())
        assert live.hub is not None
        for _ in range(200):
            if live.hub.participant_state("w1") == "waiting":
                break
            await asyncio.sleep(0.05)
        await live.admit("w1")
        await asyncio.wait_for(guest.connected.wait(), 15)
        with pytest.raises(FinishError, match="wrong password"):
            await open_identity(MAIN / "identities" / "investigator.p12", "wrong-" + PASSWORD)
        signer = await open_identity(MAIN / "identities" / "investigator.p12", PASSWORD)
        assert signer.identity.iin
        await guest.leave()
        await asyncio.wait_for(run, 15)
    finally:
        await live.stop()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "aiortc" in text and len(text.splitlines()) > 20  # the log did record the session
    for secret in (issued.token, issued.pin, PASSWORD, "wrong-" + PASSWORD):
        assert secret not in text, f"{secret[:3]}… leaked into the log"
