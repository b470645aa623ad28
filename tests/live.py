"""Live-session helpers for tests: a session on loopback, and reading its log while it runs."""

from __future__ import annotations

from pathlib import Path

from app.core.config import Config
from app.core.session import LiveSession
from recorder.clock import SessionClock
from recorder.errors import RecorderError
from recorder.kinds import LogFormatError
from recorder.log import LogEntry, read_log
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


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
    (``recording__segment_seconds=1.0``); segments default to 1 s.
    """
    clock = SessionClock.start()
    values = {"recording.segment_seconds": 1.0, "recording.checkpoint_seconds": 5.0}
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
