"""Crash recovery: ``tergeu recover ACTION_DIR`` after the recorder died (kill -9, power cut).

Steps, in an order that never damages anything sealed:

1. ``ActionLog.repair`` cuts a torn last log line (the log is append-only, fsynced per entry).
2. Every segment named in a ``segment_sealed`` entry is left untouched.
3. A ``.ts`` file that is not in the log was complete (rename follows fsync) but its entry was lost:
   it is hashed and logged as it is, ``recovered: true``.
4. A ``.ts.part`` file was being written: :func:`recorder.salvage.salvage_part` remuxes it up to
   its last complete frame into the ``.ts`` name and it is logged ``recovered: true``.
5. The log is resumed with a new Ed25519 key (the old one died with the process), a
   ``crash_recovered`` entry names the gap (``from``/``to`` session seconds), open tracks are
   ended (final playlists), ``session_ended`` is logged and a checkpoint is signed.

Session time continues across the crash: the new clock keeps the log's UTC origin.

A recording in progress is never touched: its writer holds the log's lock (released by the kernel
when the recorder dies), and :func:`recover` refuses a locked log. :func:`find_interrupted` and
:func:`recover_interrupted` do the same for every action under a folder, for the app's start-up.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.clock import SessionClock
from recorder.errors import RecorderError, UnreadableError
from recorder.hls import track_end_entries
from recorder.medialog import LoggedSession
from recorder.salvage import salvage_unsealed, scan_media
from recorder.segments import SealedSegment


@dataclass(frozen=True)
class RecoveryResult:
    """What :func:`recover` did."""

    action_dir: Path
    recovered: tuple[SealedSegment, ...]  # salvaged partials and adopted unlogged segments
    lost: tuple[str, ...]  # partial files with no complete frame (removed)
    gap_from: float
    gap_to: float
    log_repaired: Any  # recorder.log.RepairResult
    needed: bool = True  # False: the recording had ended cleanly and nothing was changed

    def __post_init__(self) -> None:
        if self.gap_to < self.gap_from:
            raise ValueError(f"gap ends ({self.gap_to}) before it starts ({self.gap_from})")

    def summary(self) -> str:
        """One line for the command line."""
        if not self.needed:
            return f"nothing to recover in {self.action_dir}: the recording ended cleanly"
        return (
            f"recovered {self.action_dir}: {len(self.recovered)} segment(s) salvaged, "
            f"{len(self.lost)} empty partial(s) removed, "
            f"gap {self.gap_from:.3f}–{self.gap_to:.3f} s"
        )


def _needs_recovery(path: Path) -> bool:
    """True if ``path``'s recording did not end cleanly (read-only; the log is not repaired)."""
    from recorder.log import LOG_NAME, read_log

    raw = (path / LOG_NAME).read_bytes()
    if not raw.endswith(b"\n"):
        return True  # torn by a crash mid-append
    read_log(path)  # a damaged complete line raises: recover() will report it too
    session = LoggedSession.read(path)
    logged = {track: set(segs) for track, segs in session.segments.items()}
    unsealed = any(
        index not in logged.get(track, ())
        for track, files in scan_media(path).items()
        for index in files
    )
    return unsealed or not session.cleanly_ended


def find_interrupted(actions_root: Path | str) -> list[Path]:
    """Action folders directly under ``actions_root`` whose recorder died before it stopped.

    A folder counts if it has an action log, no live writer holds that log (a recording in
    progress, in this process or another, is left alone) and the recording did not end cleanly
    (torn log, unsealed media, or no final ``session_ended`` + checkpoint). Folders without a log
    (an action prepared but never recorded) are skipped. A log too damaged to read is listed too,
    so that :func:`recover_interrupted` reports it instead of hiding it.
    """
    from recorder.kinds import LogFormatError
    from recorder.log import LOG_NAME, log_in_use

    root = Path(actions_root)
    if not root.is_dir():
        return []
    found: list[Path] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not (folder / LOG_NAME).is_file() or log_in_use(folder):
            continue
        try:
            if _needs_recovery(folder):
                found.append(folder)
        except (LogFormatError, UnreadableError, OSError):
            found.append(folder)
    return found


@dataclass(frozen=True)
class InterruptedOutcome:
    """What start-up recovery did with one interrupted action: ``result`` or ``error``."""

    action_dir: Path
    result: RecoveryResult | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        if (self.result is None) == (self.error is None):
            raise ValueError("an outcome has exactly one of result and error")


def recover_interrupted(actions_root: Path | str) -> list[InterruptedOutcome]:
    """Recover every action :func:`find_interrupted` lists (call it when the app starts).

    One damaged folder does not stop the others: its error is returned in its outcome. Blocking
    (salvage remuxes media): run it on a worker thread, not on the event loop or the GUI thread.
    """
    outcomes: list[InterruptedOutcome] = []
    for folder in find_interrupted(actions_root):
        try:
            outcomes.append(InterruptedOutcome(folder, result=recover(folder)))
        except (RecorderError, OSError) as e:
            outcomes.append(InterruptedOutcome(folder, error=str(e)))
    return outcomes


def _clock_continuing(origin_utc: datetime) -> SessionClock:
    """A session clock whose time 0 is the original session's start."""
    elapsed = (datetime.now(UTC) - origin_utc).total_seconds()
    return SessionClock(origin_monotonic=time.monotonic() - elapsed, origin_utc=origin_utc)


def recover(
    action_dir: Path | str, *, signing_key: Ed25519PrivateKey | None = None
) -> RecoveryResult:
    """Repair the log, salvage unsealed media and log the crash (see the module docstring)."""
    path = Path(action_dir)
    if not path.is_dir():
        raise UnreadableError(f"{path} is not an action folder (no such directory)")
    from recorder.log import ActionLog

    repaired = ActionLog.repair(path)
    session = LoggedSession.read(path)
    logged = {track: set(segs) for track, segs in session.segments.items()}
    unsealed = [
        p
        for track, files in scan_media(path).items()
        for index, p in files.items()
        if index not in logged.get(track, ())
    ]
    if not unsealed and session.cleanly_ended:
        return RecoveryResult(path, (), (), session.last_t, session.last_t, repaired, needed=False)
    clock = _clock_continuing(session.origin_utc)
    log = ActionLog.resume(
        path, clock=clock, signing_key=signing_key or Ed25519PrivateKey.generate()
    )
    try:
        recovered, lost = salvage_unsealed(path, logged)
        for segment in recovered:
            if segment.track not in session.started:
                raise RecorderError(
                    f"{segment.file}: track {segment.track!r} was never started in the log"
                )
            log.append("segment_sealed", segment.log_data(clock))
        last_media = max((s.end for s in recovered), default=0.0)
        gap_from = max(session.last_t, last_media)
        gap_to = max(clock.now(), gap_from)
        log.append(
            "crash_recovered",
            {
                "from": round(gap_from, 6),
                "to": round(gap_to, 6),
                "recovered": [s.file for s in recovered],
                "lost": lost,
            },
        )
        all_segments: dict[str, list[SealedSegment]] = defaultdict(list)
        for s in [*session.sealed, *recovered]:
            all_segments[s.track].append(s)
        for track in session.started:
            if track not in session.ended:
                segments = sorted(all_segments[track], key=lambda s: s.index)
                for kind, data in track_end_entries(path, track, segments):
                    log.append(kind, data)
        log.append("session_ended", {"reason": "recovered after a crash"})
        log.checkpoint()
    finally:
        log.close()
    return RecoveryResult(path, tuple(recovered), tuple(lost), gap_from, gap_to, repaired)
