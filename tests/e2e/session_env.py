"""The live-session environment of the browser tests: recorder, server and hub on loopback."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from app.core.hub import Hub
from app.core.invites import InviteBook, IssuedInvite
from app.core.signaling.server import SignalingServer
from recorder.clock import SessionClock
from recorder.recording import Recorder
from tests.app.test_hub import MemoryLog
from tests.live import start_hub

SHOTS = os.environ.get("TERGEU_SCREENSHOTS")  # a folder to keep the screenshots in, if set


@dataclass
class Env:
    hub: Hub
    server: SignalingServer
    book: InviteBook
    recorder: Recorder
    log: MemoryLog

    def issue(self, pid: str = "g1", ttl: timedelta = timedelta(hours=1)) -> IssuedInvite:
        return self.book.issue(
            action_id="A1",
            participant_id=pid,
            role="witness",
            display_name="Айгерим Сәтбаева",
            base_url=self.server.base_url,
            ttl=ttl,
        )


async def session_env(tmp_path: Path) -> AsyncIterator[Env]:
    """Recorder (in-memory log), server and hub; the ``env`` fixture of tests/e2e."""
    log = MemoryLog(SessionClock.start())
    rig = await start_hub(tmp_path / "action", title="Допрос свидетеля", log=log)
    yield Env(rig.hub, rig.server, rig.book, rig.recorder, log)
    await rig.stop()


def shot_dir(tmp_path: Path) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def wait_state(hub: Hub, pid: str, state: str, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while hub.participant_state(pid) != state:
        assert time.monotonic() < end, f"{pid} is {hub.participant_state(pid)}, not {state}"
        await asyncio.sleep(0.05)
