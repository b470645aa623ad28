"""SHA-256 of files and of stored zip members, streamed through reused buffers.

Two shapes of parallelism on a small machine (``hashlib`` releases the GIL on large buffers):

* :class:`HashThread` — a writer reads each file once into a buffer from a small pool, writes
  it, and hands the buffer to this thread for SHA-256; the buffer comes back when hashed.
* :func:`hash_stored_members` — a verifier hashes the members of a zip straight from their
  offsets, the members split between a few threads (``pread``: no shared file position).

Buffers are reused (``readv``/``preadv``), never allocated per chunk: a fresh megabyte per
read costs page faults that show up as system time.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import mmap
import os
import queue
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from protocol.errors import ProtocolError
from protocol.sha256_child import ChildFailed, hash_in_child
from protocol.zipread import ZipReader

_log = logging.getLogger(__name__)

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


class MemberDigests:
    """SHA-256 of members of a :class:`~protocol.zipread.ZipReader`, by member position.

    32 bytes each in one ``bytearray`` (a dict of ``bytes`` would cost some 100 bytes a member);
    members that could not be read hold their error instead.
    """

    def __init__(self, count: int) -> None:
        self._digests = bytearray(32 * count)
        self._done = bytearray(count)
        self.errors: dict[int, ProtocolError] = {}

    def set(self, i: int, digest: bytes) -> None:
        self._digests[32 * i : 32 * i + 32] = digest
        self._done[i] = 1

    def fail(self, i: int, error: ProtocolError) -> None:
        self.errors[i] = error

    def get(self, i: int) -> bytes | ProtocolError | None:
        """Member ``i``'s digest, the error that stopped it, or None if it was not hashed."""
        if self._done[i]:
            return bytes(self._digests[32 * i : 32 * i + 32])
        return self.errors.get(i)

    def matches(self, i: int, digest: bytes | memoryview) -> bool:
        """Whether member ``i`` was hashed and its digest is ``digest``."""
        return bool(self._done[i]) and self._digests[32 * i : 32 * i + 32] == digest

    def gather(self, indices: list[int]) -> bytes | None:
        """The digests of members ``indices`` back to back, or None if one is missing."""
        if not all(map(self._done.__getitem__, indices)):
            return None
        d = self._digests
        return b"".join([d[32 * i : 32 * i + 32] for i in indices])

    def __contains__(self, i: object) -> bool:
        return isinstance(i, int) and (bool(self._done[i]) or i in self.errors)


def hash_stored_members(
    zr: ZipReader,
    members: Sequence[int],
    *,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> MemberDigests:
    """SHA-256 of each stored member of ``zr`` (positions in ``zr``, in file order), read from
    its offset — in a child process (:mod:`protocol.sha256_child`), which has its own
    interpreter lock: on threads here, hashing waited for the lock behind the verifier's
    Python checks and the two ran one after the other. If the child cannot do the job, the
    members it did not report are hashed here (:func:`hash_stored_members_here`).

    A member that cannot be read gets a ProtocolError naming it. Setting ``stop`` ends the
    work early (the members not reached are left out).
    """
    out = MemberDigests(len(zr))
    spans = _Spans(zr, members)

    def store(k: int, result: bytes | str) -> None:
        i = members[k]
        if isinstance(result, bytes):
            out.set(i, result)
        else:
            out.fail(i, ProtocolError(f"{zr.name_at(i)}: {result}"))
        if progress is not None:
            progress(zr.size_at(i))

    try:
        hash_in_child(
            zr.fd, spans, limit=zr.directory_offset, on_result=store, threads=threads, stop=stop
        )
    except ChildFailed as e:
        rest = [i for i in members if i not in out]
        _log.warning("hashing %d members in this process: %s", len(rest), e)
        hash_stored_members_here(zr, rest, threads=threads, progress=progress, stop=stop, out=out)
    return out


class _Spans(Sequence[tuple[int, int, bytes]]):
    """(local header offset, size, raw name) of each of ``members``, made when asked for: a
    list of them would hold some 190 bytes per member while the child hashes."""

    def __init__(self, zr: ZipReader, members: Sequence[int]) -> None:
        self._zr, self._members = zr, members

    def __len__(self) -> int:
        return len(self._members)

    @overload
    def __getitem__(self, k: int) -> tuple[int, int, bytes]: ...
    @overload
    def __getitem__(self, k: slice) -> Sequence[tuple[int, int, bytes]]: ...
    def __getitem__(
        self, k: int | slice
    ) -> tuple[int, int, bytes] | Sequence[tuple[int, int, bytes]]:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        m = self._zr.member_at(self._members[k])
        return m.header_offset, m.size, m.raw_name


def hash_stored_members_here(
    zr: ZipReader,
    members: Sequence[int],
    *,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    out: MemberDigests | None = None,
) -> MemberDigests:
    """:func:`hash_stored_members` on threads of this process (into ``out`` if given).

    No CRC-32 pass: each digest is compared with a signed one, which the CRC adds nothing to.
    The members are split into ``threads`` runs of about equal bytes, each read in file order.
    """
    runs = [array("L") for _ in range(max(1, threads))]
    total = sum(map(zr.size_at, members)) or 1
    done = 0
    for i in members:  # contiguous runs, each read forward
        runs[min(len(runs) - 1, done * len(runs) // total)].append(i)
        done += zr.size_at(i)
    lock = threading.Lock()

    def tick(n: int) -> None:
        if progress is not None:
            with lock:
                progress(n)

    if out is None:
        out = MemberDigests(len(zr))
    with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
        list(pool.map(lambda run: _hash_run(zr, run, out, tick, stop), runs))
    return out


def _hash_run(
    zr: ZipReader,
    run: Sequence[int],
    out: MemberDigests,
    tick: Callable[[int], None],
    stop: threading.Event | None,
) -> None:
    view = memoryview(new_buffer(CHUNK))
    fd = zr.fd
    for i in run:
        if stop is not None and stop.is_set():
            break
        try:
            offset, left = zr.stored_span(i)
            h = hashlib.sha256()
            while left > 0:
                n = os.preadv(fd, [view[: min(CHUNK, left)]], offset)
                if n == 0:
                    raise ProtocolError(f"{zr.name_at(i)}: member truncated, {left} bytes missing")
                h.update(view[:n])
                offset += n
                left -= n
                tick(n)
            out.set(i, h.digest())
        except ProtocolError as e:
            out.fail(i, e)
        except OSError as e:
            out.fail(i, ProtocolError(f"{zr.name_at(i)}: {e}"))
