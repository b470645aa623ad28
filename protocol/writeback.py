"""Early writeback of a large file being written, so the final ``fsync`` has little left to do.

A container is fsynced before it is renamed into place (evidence must be on disk). Without
help the kernel keeps the whole container dirty in the page cache until that fsync — 1.4 GB for
two hours, some 0.6 s of disk writing with nothing else left to do. Here a thread asks the
kernel, every few tens of megabytes written, to start writing those bytes out
(``sync_file_range(SYNC_FILE_RANGE_WRITE)``: it starts the writeback and does not wait for it,
nor does it make anything durable — the final fsync still does that). The disk then writes while
the builder is still reading, hashing and writing.

Measured on this machine (1.4 GB written from memory): write 0.25 s + fsync 0.59 s without,
write 0.62 s + fsync 0.01 s with the writeback started from the writing thread itself; from
this thread, the writer is not held up by it.

Linux only (``sync_file_range`` through ctypes); elsewhere :class:`Writeback` does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading

SYNC_FILE_RANGE_WRITE = 2
STEP = 32 << 20  # start writing back every 32 MiB written

_log = logging.getLogger(__name__)


def _sync_file_range() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_SYNC_FILE_RANGE = _sync_file_range()


class Writeback:
    """Starts the writeback of ``fd`` behind the writer: call :meth:`wrote` with the file's
    length so far after each write, :meth:`close` before the final fsync."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._upto = 0  # what the writer has written
        self._done = 0  # what writeback was started for
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if _SYNC_FILE_RANGE is not None:
            self._thread = threading.Thread(target=self._run, name="writeback", daemon=True)
            self._thread.start()

    def wrote(self, upto: int) -> None:
        """The file now holds ``upto`` bytes written by the writer."""
        if self._thread is None or upto - self._done < STEP:
            return
        with self._wake:
            self._upto = upto
            self._wake.notify()

    def close(self) -> None:
        """Stop (the caller fsyncs next)."""
        if self._thread is None:
            return
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        assert _SYNC_FILE_RANGE is not None
        while True:
            with self._wake:
                while not self._closed and self._upto - self._done < STEP:
                    self._wake.wait()
                if self._closed:
                    return
                start, end = self._done, self._upto
            # ctypes releases the interpreter lock for the call; it may wait for the device
            if _SYNC_FILE_RANGE(self.fd, start, end - start, SYNC_FILE_RANGE_WRITE) != 0:
                err = ctypes.get_errno()
                _log.debug("sync_file_range failed (errno %d); the final fsync does it all", err)
                return
            self._done = end
