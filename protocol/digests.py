"""SHA-256 of files and of stored zip members, streamed through reused buffers.

Two shapes of parallelism on a small machine (``hashlib`` releases the GIL on large buffers):

* :class:`HashThread` — a writer reads each file once into a buffer from a small pool, writes
  it, and hands the buffer to this thread for SHA-256; the buffer comes back when hashed.
* :func:`hash_stored_members` — a verifier hashes the members of a zip straight from their
  offsets, the members split between a few threads.

Buffers are reused (``readv``/``preadv``), never allocated per chunk: a fresh megabyte per
read costs page faults that show up as system time.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import mmap
import os
import queue
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from protocol.errors import ProtocolError

CHUNK = 2 << 20
POOL = 8  # buffers in flight between the writer and the hashing thread: 16 MiB at most
Buffer = mmap.mmap


def new_buffer(size: int) -> Buffer:
    """A reusable read buffer of ``size`` bytes, mapped straight from the kernel.

    Not a bytearray: glibc serves a large allocation freed once from its heap afterwards and
    keeps that memory, so a long-lived process (the desktop app building several containers)
    would grow by the pool's size each time. An anonymous mapping goes back when dropped.
    """
    return mmap.mmap(-1, size)


class HashThread:
    """A thread that hashes buffers handed to it, in order, and returns them to a pool.

    Digests are collected by name rather than as one future per member: a two-hour recording
    has over ten thousand members, and a future costs a lock and a condition each.
    """

    def __init__(self, buffers: int = POOL, size: int = CHUNK) -> None:
        self._free: queue.SimpleQueue[Buffer] = queue.SimpleQueue()
        for _ in range(buffers):
            self._free.put(new_buffer(size))
        self._todo: queue.SimpleQueue[_Work | _Slices | threading.Event | None] = (
            queue.SimpleQueue()
        )
        self._digests: dict[str, bytes] = {}
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def buffer(self) -> Buffer:
        """A free buffer; blocks while every buffer waits to be hashed (memory stays flat)."""
        return self._free.get()

    def give_back(self, buf: Buffer) -> None:
        """Return a buffer that was not handed over."""
        self._free.put(buf)

    def update(self, h: hashlib._Hash, buf: Buffer, n: int) -> None:
        """Hash ``buf[:n]`` into ``h`` on the thread; ``buf`` returns to the pool afterwards."""
        self._todo.put(_Work(h, buf, n, None))

    def hash_slices(self, buf: Buffer, slices: list[tuple[str, int, int]]) -> None:
        """Record the SHA-256 of each ``buf[start:end]`` as its name; ``buf`` then returns."""
        self._todo.put(_Slices(buf, slices))

    def finish(self, name: str, h: hashlib._Hash) -> None:
        """Record the digest of ``h`` as ``name`` once everything handed over is hashed."""
        self._todo.put(_Work(h, None, 0, name))

    def results(self) -> dict[str, bytes]:
        """Every digest finished so far, by name (waits for the pending work)."""
        done = threading.Event()
        self._todo.put(done)
        done.wait()
        return dict(self._digests)

    def close(self) -> None:
        """Finish the pending work and stop the thread."""
        self._todo.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (work := self._todo.get()) is not None:
            if isinstance(work, threading.Event):
                work.set()
            elif isinstance(work, _Slices):
                view = memoryview(work.buf)
                for name, start, end in work.slices:
                    self._digests[name] = hashlib.sha256(view[start:end]).digest()
                self._free.put(work.buf)
            elif work.buf is not None:
                work.h.update(memoryview(work.buf)[: work.n])
                self._free.put(work.buf)
            elif work.name is not None:
                self._digests[work.name] = work.h.digest()


@dataclass(frozen=True)
class _Work:
    """Hash ``buf[:n]`` into ``h``, or, with ``name``, record the digest of ``h`` as ``name``."""

    h: hashlib._Hash
    buf: Buffer | None
    n: int
    name: str | None


@dataclass(frozen=True)
class _Slices:
    """Several whole files read back to back into ``buf``: (name, start, end) each."""

    buf: Buffer
    slices: list[tuple[str, int, int]]


def hash_file(path: str | Path) -> bytes:
    """SHA-256 of a file, streamed."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


@dataclass(frozen=True)
class StoredMember:
    """Where a stored member's local header is, and what the central directory says of it."""

    name: str
    header_offset: int
    size: int
    raw_name: bytes


def hash_stored_members(
    path: Path,
    members: Sequence[StoredMember],
    *,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> dict[str, bytes | ProtocolError]:
    """SHA-256 of each stored member of the zip at ``path``, read from its offset.

    No CRC-32 pass: each digest is compared with a signed one, which the CRC adds nothing to.
    The members are split into ``threads`` runs of about equal bytes, each read in file order.
    A member that cannot be read maps to a ProtocolError naming it. Setting ``stop`` ends the
    work early (the members not reached are left out).
    """
    runs: list[list[StoredMember]] = [[] for _ in range(max(1, threads))]
    total = sum(m.size for m in members) or 1
    done = 0
    for m in members:  # contiguous runs: each thread reads forward through its part
        runs[min(len(runs) - 1, done * len(runs) // total)].append(m)
        done += m.size
    lock = threading.Lock()

    def tick(n: int) -> None:
        if progress is not None:
            with lock:
                progress(n)

    fd = os.open(path, os.O_RDONLY)
    try:
        with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
            parts = list(pool.map(lambda run: _hash_run(fd, run, tick, stop), runs))
    finally:
        os.close(fd)
    return {k: v for part in parts for k, v in part.items()}


def _hash_run(
    fd: int, run: list[StoredMember], tick: Callable[[int], None], stop: threading.Event | None
) -> dict[str, bytes | ProtocolError]:
    view = memoryview(new_buffer(CHUNK))
    out: dict[str, bytes | ProtocolError] = {}
    for m in run:
        if stop is not None and stop.is_set():
            break
        try:
            out[m.name] = _hash_one(fd, m, view, tick)
        except (ProtocolError, OSError) as e:
            out[m.name] = ProtocolError(f"{m.name}: {e}")
    return out


def _hash_one(fd: int, m: StoredMember, view: memoryview, tick: Callable[[int], None]) -> bytes:
    header = os.pread(fd, 30 + len(m.raw_name), m.header_offset)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ProtocolError("bad local file header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    if header[30 : 30 + name_len] != m.raw_name:
        raise ProtocolError("local header names another file")
    h = hashlib.sha256()
    offset = m.header_offset + 30 + name_len + extra_len
    left = m.size
    while left > 0:
        n = os.preadv(fd, [view[: min(CHUNK, left)]], offset)
        if n == 0:
            raise ProtocolError(f"member truncated, {left} bytes missing")
        h.update(view[:n])
        offset += n
        left -= n
        tick(n)
    return h.digest()
