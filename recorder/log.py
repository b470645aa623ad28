"""The action log: one append-only, hash-chained, fsynced JSON Lines file per action.

``ACTION_DIR/log.jsonl`` (0o600) holds one canonical entry per line (``recorder.entries``), chained
by ``recorder.chain``, with signed checkpoints (``recorder.checkpoints``) over the RFC 6962 Merkle
tree of the entry lines (``recorder.merkle``). Format: ``docs/recorder-log.md``.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.chain import GENESIS
from recorder.checkpoints import public_key_hex, sign_checkpoint
from recorder.clock import SessionClock, format_utc
from recorder.entries import LogEntry, parse_chain, split_lines
from recorder.errors import RecorderError, UnreadableError
from recorder.kinds import LogFormatError
from recorder.merkle import MerkleAccumulator

__all__ = [
    "LOG_NAME",
    "ActionLog",
    "LogChangedError",
    "LogEntry",
    "LogInUseError",
    "RepairResult",
    "log_in_use",
    "read_log",
]

LOG_NAME = "log.jsonl"
FORMAT = "tergeu-action-log/1"
RESERVED = {"action_id", "public_key", "key_algorithm", "format"}
# kinds only the log itself writes
INTERNAL_KINDS = {"session_started", "checkpoint", "key_rotated"}


class LogChangedError(RecorderError):
    """The log file changed under its writer (someone else wrote to it): appending is refused."""


class LogInUseError(RecorderError):
    """A live writer (a running recorder, in this or another process) holds the log."""


def _lock_writer(fd: int, path: Path) -> None:
    """Take the log's exclusive writer lock on ``fd`` or close ``fd`` and refuse.

    The lock (``flock``) belongs to the open file, so the kernel releases it when the writer's
    process dies, even by ``kill -9``: a held lock means a recording is in progress, a free
    lock on an unfinished log means the recorder died (see :func:`log_in_use`).
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as e:
        os.close(fd)
        raise LogInUseError(
            f"{path} is being written by a running recorder (its writer lock is held); "
            "stop that recording first"
        ) from e


def log_in_use(action_dir_or_log_path: Path) -> bool:
    """True while a live :class:`ActionLog` writer holds the log (a recording in progress)."""
    path = _log_path(Path(action_dir_or_log_path))
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock taken just to probe
    return False


def _log_path(path: Path) -> Path:
    path = Path(path)
    return path / LOG_NAME if path.is_dir() else path


def read_log(action_dir_or_log_path: Path) -> list[LogEntry]:
    """Read and check a whole log strictly: every line complete, canonical and chained.

    Raises :class:`recorder.kinds.LogFormatError` naming the line and field, or
    :class:`UnreadableError` if the file is missing or empty.
    """
    path = _log_path(action_dir_or_log_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise UnreadableError(f"{path}: no action log (expected {LOG_NAME})") from e
    except OSError as e:
        raise UnreadableError(f"{path}: cannot read the action log: {e}") from e
    lines, tail = split_lines(raw)
    if tail:
        raise LogFormatError(
            f"{path} line {len(lines) + 1}: incomplete last line ({len(tail)} bytes without a "
            "newline): the log was cut mid-write; run `tergeu recover`"
        )
    if not lines:
        raise UnreadableError(f"{path}: the action log is empty")
    return parse_chain(lines, source=str(path))


@dataclass(frozen=True)
class RepairResult:
    """What :meth:`ActionLog.repair` cut: a torn last line, never a complete entry."""

    path: Path
    entries_kept: int
    entries_dropped: int
    bytes_dropped: int
    tail: bytes  # the bytes that were cut (kept for the crash report)

    def __post_init__(self) -> None:
        if self.entries_kept < 1 or self.bytes_dropped != len(self.tail):
            raise ValueError(f"inconsistent repair result {self!r}")
        if self.entries_dropped != (1 if self.tail else 0):
            raise ValueError(f"entries_dropped {self.entries_dropped} for {len(self.tail)} bytes")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ActionLog:
    """The writer of one action's log. Thread-safe; every append is fsynced.

    Build it with :meth:`create` (new action) or :meth:`resume` (after :meth:`repair`).
    """

    def __init__(
        self,
        path: Path,
        fd: int,
        clock: SessionClock,
        key: Ed25519PrivateKey,
        entries: Sequence[LogEntry],
    ) -> None:
        self.path = path
        self._fd: int | None = fd
        self._clock = clock
        self._key = key
        self._lock = threading.Lock()
        # only the last entry (for the chain) and the tree's frontier stay in memory: a long
        # session's log must not grow the recorder's memory (``entries`` reads the file)
        self._last: LogEntry | None = entries[-1] if entries else None
        self._count = len(entries)
        self._tree = MerkleAccumulator()
        for e in entries:
            self._tree.append(e.line())
        self._expected_size = os.fstat(fd).st_size
        self._inode = os.fstat(fd).st_ino
        self._broken: str | None = None
        self.action_id = str(entries[0].data["action_id"]) if entries else ""

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        action_dir: Path,
        *,
        clock: SessionClock,
        signing_key: Ed25519PrivateKey,
        action_id: str,
        data: Mapping[str, Any] | None = None,
    ) -> ActionLog:
        """Start ``ACTION_DIR/log.jsonl`` with ``session_started`` (seq 0) carrying the key.

        ``data`` adds fields to ``session_started``; it may not override ``action_id``,
        ``public_key``, ``key_algorithm`` or ``format``. Refuses an existing log.
        """
        extra = dict(data or {})
        clash = sorted(RESERVED & set(extra))
        if clash:
            raise ValueError(f"session_started data may not set {clash[0]!r} (set by the log)")
        if not isinstance(action_id, str) or not action_id:
            raise ValueError(f"action_id {action_id!r}: expected a non-empty string")
        action_dir = Path(action_dir)
        action_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = action_dir / LOG_NAME
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as e:
            raise RecorderError(f"{path} already exists: an action log is never overwritten") from e
        except OSError as e:
            raise RecorderError(f"cannot create {path}: {e}") from e
        _lock_writer(fd, path)
        os.fchmod(fd, 0o600)
        log = cls(path, fd, clock, signing_key, [])
        log.action_id = action_id
        first = {
            **extra,
            "action_id": action_id,
            "public_key": public_key_hex(signing_key),
            "key_algorithm": "Ed25519",
            "format": FORMAT,
        }
        try:
            with log._lock:
                log._append_locked("session_started", first, None)
            _fsync_dir(action_dir)
        except BaseException:
            log.close()
            raise
        return log

    @classmethod
    def resume(
        cls, action_dir: Path, *, clock: SessionClock, signing_key: Ed25519PrivateKey
    ) -> ActionLog:
        """Reopen a (repaired) log for appending with a new key, logged as ``key_rotated``.

        The old private key died with the process that held it; checkpoints after the
        ``key_rotated`` entry are signed with ``signing_key`` and verified with its public key.
        """
        path = Path(action_dir) / LOG_NAME
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as e:
            raise RecorderError(f"cannot open {path} for appending: {e}") from e
        _lock_writer(fd, path)
        try:
            entries = read_log(path)
        except BaseException:
            os.close(fd)
            raise
        log = cls(path, fd, clock, signing_key, entries)
        try:
            log._append_own(
                "key_rotated",
                {
                    "public_key": public_key_hex(signing_key),
                    "reason": "log resumed; the previous signing key was lost with its process",
                },
            )
        except BaseException:
            log.close()
            raise
        return log

    @staticmethod
    def repair(action_dir: Path) -> RepairResult:
        """Cut a torn last line (a crash mid-append) so the log ends with a complete entry.

        Never removes a complete line: if any complete line is not a valid chained entry the
        log is left untouched and :class:`LogFormatError` says which line is damaged.
        """
        path = _log_path(Path(action_dir))
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError as e:
            raise UnreadableError(f"{path}: cannot open the action log: {e}") from e
        _lock_writer(fd, path)  # a live writer's last line may be torn only for a moment
        try:
            try:
                raw = path.read_bytes()
            except OSError as e:
                raise UnreadableError(f"{path}: cannot read the action log: {e}") from e
            lines, tail = split_lines(raw)
            if not lines:
                raise UnreadableError(f"{path}: no complete entry to keep ({len(raw)} bytes)")
            try:
                entries = parse_chain(lines, source=str(path))
            except LogFormatError as e:
                raise LogFormatError(
                    f"{e}; repair only cuts a torn last line and leaves complete entries alone"
                ) from e
            if tail:
                size = os.fstat(fd).st_size
                if size != len(raw):
                    raise LogChangedError(f"{path} changed during repair ({size} bytes now)")
                os.ftruncate(fd, len(raw) - len(tail))
                os.fsync(fd)
        finally:
            os.close(fd)
        return RepairResult(path, len(entries), 1 if tail else 0, len(tail), tail)

    # -- writing -------------------------------------------------------------------------------

    def append(self, kind: str, data: Mapping[str, Any], *, t: float | None = None) -> LogEntry:
        """Append an entry of ``kind`` (registered in ``recorder.kinds``) and fsync it.

        ``t`` defaults to the clock's now. Raises :class:`LogFormatError` for an unknown kind or
        missing fields, :class:`LogChangedError` if the file changed under the writer.
        """
        if kind in INTERNAL_KINDS:
            raise RecorderError(f"entry kind {kind!r} is written by ActionLog itself")
        with self._lock:
            return self._append_locked(kind, data, t)

    def _append_own(self, kind: str, data: Mapping[str, Any]) -> LogEntry:
        with self._lock:
            return self._append_locked(kind, data, None)

    def checkpoint(self) -> LogEntry:
        """Append a checkpoint signing the Merkle root of every entry before it."""
        with self._lock:
            size = self._count
            data = sign_checkpoint(self._key, self.action_id, size, self._tree.root())
            return self._append_locked("checkpoint", data, None)

    def _append_locked(self, kind: str, data: Mapping[str, Any], t: float | None) -> LogEntry:
        if self._fd is None:
            raise RecorderError(f"{self.path} is closed; cannot append {kind}")
        if self._broken:
            raise RecorderError(f"{self.path} is unusable after a failed write: {self._broken}")
        when = self._clock.now() if t is None else t
        when = round(max(when, 0.0), 6)
        utc = format_utc(self._clock.to_utc(when))
        prev = self._last.hash if self._last is not None else GENESIS
        entry = LogEntry.make(self._count, kind, when, utc, dict(data), prev)
        self._write(entry.line() + b"\n")
        self._last = entry
        self._count += 1
        self._tree.append(entry.line())
        return entry

    def _write(self, payload: bytes) -> None:
        assert self._fd is not None
        fd = self._fd
        size = os.fstat(fd).st_size
        if size != self._expected_size:
            raise LogChangedError(
                f"refusing to append to {self.path}: it is {size} bytes, the writer expected "
                f"{self._expected_size} (someone else wrote to it)"
            )
        try:
            if os.stat(self.path).st_ino != self._inode:
                raise LogChangedError(f"refusing to append: {self.path} was replaced")
        except FileNotFoundError as e:
            raise LogChangedError(f"refusing to append: {self.path} was removed") from e
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as e:
            try:  # leave the log ending with the last complete entry
                os.ftruncate(fd, self._expected_size)
                os.fsync(fd)
            except OSError as e2:
                self._broken = f"could not cut a partial write: {e2}"
            reason = "disk full" if e.errno == errno.ENOSPC else str(e)
            raise RecorderError(f"cannot append to {self.path}: {reason}") from e
        self._expected_size += len(payload)

    def close(self) -> None:
        """Close the file (idempotent); later appends are refused."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    # -- reading -------------------------------------------------------------------------------

    @property
    def entries(self) -> Sequence[LogEntry]:
        """A snapshot of every entry written so far, read back from the file (not kept in RAM)."""
        with self._lock:
            return tuple(read_log(self.path)) if self._count else ()

    @property
    def root(self) -> bytes:
        """The RFC 6962 root over every entry line written so far."""
        with self._lock:
            return self._tree.root()

    @property
    def size(self) -> int:
        """The number of entries (= the Merkle tree size)."""
        with self._lock:
            return self._count

    @property
    def public_key(self) -> str:
        """The hex public key signing this writer's checkpoints."""
        return public_key_hex(self._key)
