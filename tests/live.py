"""Live-session helpers for tests: a session on loopback, and reading its log while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.config import Config
from app.core.hub import Hub
from app.core.invites import InviteBook
from app.core.session import LiveSession
from app.core.signaling.server import SignalingServer
from recorder.clock import SessionClock
from recorder.errors import RecorderError
from recorder.kinds import LogFormatError
from recorder.log import LogEntry, read_log
from recorder.recording import EventLog, Recorder
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests import loopback_media


def entries_now(action: Path) -> list[LogEntry]:
    """The complete entries so far; [] while the writer is between the bytes of one line."""
    try:
        return read_log(action)
    except (LogFormatError, RecorderError):
        return []


def make_live_session(
    tmp_path: Path,
    action_id: str,
    *,
    action_type: str = "remote_interrogation_witness",
    language: str = "ru",
    **config: object,
) -> LiveSession:
    """A LiveSession on loopback (port 0) with synthetic investigator sources; not started.

    ``config`` holds config values by their dotted keys with ``.`` written as ``__``
    (``recording__segment_seconds=1.0``); segments default to 1 s, ICE host candidates to
    127.0.0.1 (see tests/loopback_media.py).
    """
    clock = SessionClock.start()
    values: dict[str, object] = {
        "recording.segment_seconds": 1.0,
        "recording.checkpoint_seconds": 5.0,
        # media on 127.0.0.1 as signaling (every interface while a Firefox guest takes part)
        "network.ice_host_addresses": loopback_media.config_addresses(),
    }
    values |= {key.replace("__", "."): value for key, value in config.items()}
    return LiveSession(
        action_dir=tmp_path / "actions" / action_id,
        action_id=action_id,
        action_type=action_type,
        title=f"Test action {action_id}",
        language=language,
        config=Config(values=values),
        planned_seconds=120,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
        clock=clock,
        port=0,
        tls_folder=tmp_path / "tls",
    )


@dataclass
class HubRig:
    """A recorder, a signaling server on loopback and a hub with synthetic investigator sources."""

    clock: SessionClock
    recorder: Recorder
    book: InviteBook
    server: SignalingServer
    hub: Hub

    async def stop(self) -> None:
        await self.hub.close()
        await self.recorder.stop()  # idempotent
        await self.server.stop()


async def start_hub(
    action_dir: Path, *, title: str = "Interrogation", log: EventLog | None = None
) -> HubRig:
    """Start the rig recording into ``action_dir`` (action ``A1``, 1 s segments); with ``log``
    (and its clock) the entries go there instead of a real signed action log. Its media is on
    127.0.0.1 through the suite-wide pin of tests/conftest.py (the hub has no config)."""
    clock = getattr(log, "clock", None) or SessionClock.start()
    recorder = await Recorder.start(
        action_dir,
        action_id="A1",
        planned_seconds=60,
        clock=clock,
        log=log,
        signing_key=None if log is not None else Ed25519PrivateKey.generate(),
        segment_seconds=1.0,
    )
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    hub = Hub(
        action_id="A1",
        action_title=title,
        invites=book,
        recorder=recorder,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
    )
    server.add_session(hub)
    await hub.start()
    return HubRig(clock, recorder, book, server, hub)
