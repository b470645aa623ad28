"""SHA-256 of the stored members of a zip file, computed in a child process.

Why a process: the verifier's own checks (the action log: some 15,000 entries parsed, re-encoded
and chained for two hours) are Python code that holds the interpreter lock, while hashing a
member from a thread needs that lock a few times per member (reads and updates are released,
the calls between them are not). Measured on the 2-hour bench container (14,405 members): the
two hashing threads took 0.53 s alone and 1.12 s next to a 0.6 s Python thread — the two ran one
after the other. A child process has its own lock: it hashes while the parent checks.

This file is also the child's program: it is run as a script (``python -I -S <this file>``) and
uses the standard library only, so it starts in a few tens of milliseconds without importing
the application.

The child reads the parent's own open file (the descriptor is inherited), never a path: a file
replaced at that path meanwhile cannot be hashed in place of the one being verified.

Wire format (little-endian). Parent → child on stdin: ``u32 descriptor, u8 threads, u64 limit
(the central directory's offset), u32 count``, then per
member ``u64 local-header offset, u64 size, u16 name length, raw name bytes``. Child → parent
on stdout, one record per member in the order each thread finishes it: ``u32 position, u8
status`` then 32 digest bytes (status 0) or ``u16 length, UTF-8 message`` (status 1: the
member cannot be read as the directory says).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import subprocess
import sys
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import IO

CHUNK = 2 << 20
_JOB = struct.Struct("<IBQI")  # descriptor, threads, limit (the directory's offset), count
_MEMBER = struct.Struct("<QQH")  # local header offset, size, raw name length
_RECORD = struct.Struct("<IB")  # member index, status
_LENGTH = struct.Struct("<H")
_LOCAL = struct.Struct("<4s22xHH")  # local file header: signature … name length, extra length
FLUSH_BYTES = 8 << 20  # the child flushes its records at least this often (progress)


class ChildFailed(Exception):
    """The child process could not be started or ended before reporting every member."""


Span = tuple[int, int, bytes]  # a stored member: local header offset, size, raw name


def hash_in_child(
    fd: int,
    members: Sequence[Span],
    *,
    limit: int,
    on_result: Callable[[int, bytes | str], None],
    threads: int = 2,
    stop: threading.Event | None = None,
) -> None:
    """Hash each of ``members`` (positions into the sequence) of the zip file open at ``fd`` in
    a child process (which inherits ``fd``) and hand each
    result to ``on_result(position, digest or message)`` as it arrives: the SHA-256 of the
    member's data, or why it cannot be read as the directory says (its local header, or data
    running past ``limit``, the central directory's offset).

    Raises :class:`ChildFailed` if the child cannot run or stops before reporting every member
    (the results handed over stand; the caller hashes the rest itself). When ``stop`` is set the
    child is ended and the members not reached are left out.
    """
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            pass_fds=(fd,),
        )
    except (OSError, ValueError) as e:  # ValueError: no pass_fds on this platform
        raise ChildFailed(f"cannot start {sys.executable}: {e}") from e
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    reported = 0
    try:
        try:
            _send(proc.stdin, fd, members, threads, limit)
        except OSError as e:  # the child died at once (BrokenPipeError): say why below
            proc.wait()
            raise ChildFailed(f"hashing process refused the job: {e}; {_stderr(proc)}") from e
        for position, result in _records(proc.stdout):
            on_result(position, result)
            reported += 1
            if stop is not None and stop.is_set():
                proc.kill()
                return
        code = proc.wait()
        if code != 0 or reported != len(members):
            raise ChildFailed(
                f"hashing process ended with {code} after {reported} of {len(members)} "
                f"members; {_stderr(proc)}"
            )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def _send(stdin: IO[bytes], fd: int, members: Sequence[Span], threads: int, limit: int) -> None:
    parts = [_JOB.pack(fd, threads, limit, len(members))]
    for offset, size, raw_name in members:
        parts += [_MEMBER.pack(offset, size, len(raw_name)), raw_name]
    try:
        stdin.write(b"".join(parts))
    finally:
        stdin.close()


def _records(stdout: IO[bytes]) -> Iterator[tuple[int, bytes | str]]:
    while head := stdout.read(_RECORD.size):
        if len(head) < _RECORD.size:
            return
        index, status = _RECORD.unpack(head)
        if status == 0:
            digest = stdout.read(32)
            if len(digest) < 32:
                return
            yield index, digest
        else:
            (n,) = _LENGTH.unpack(stdout.read(_LENGTH.size))
            yield index, stdout.read(n).decode("utf-8", "replace")


def _stderr(proc: subprocess.Popen[bytes]) -> str:
    assert proc.stderr is not None
    text = proc.stderr.read(2000).decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else "no message"


# --- the child -------------------------------------------------------------------------------


def _read_exact(f: IO[bytes], n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise EOFError(f"job ended after {len(data)} of {n} bytes")
    return data


class _Table:
    """The job's members, compactly: two arrays of 8-byte numbers and the names (an eight-hour
    recording has some 58,000 members; a tuple each cost three times as much)."""

    def __init__(self, inp: IO[bytes], count: int) -> None:
        self.offsets, self.sizes = array("Q"), array("Q")
        self.names: list[bytes] = []
        for _ in range(count):
            offset, size, name_len = _MEMBER.unpack(_read_exact(inp, _MEMBER.size))
            self.offsets.append(offset)
            self.sizes.append(size)
            self.names.append(_read_exact(inp, name_len))

    def runs(self, parts: int) -> list[array[int]]:
        """Positions in contiguous runs of about equal bytes, each read forward through its
        part of the file."""
        runs = [array("L") for _ in range(max(1, parts))]
        total = sum(self.sizes) or 1
        done = 0
        for k in sorted(range(len(self.offsets)), key=self.offsets.__getitem__):
            runs[min(len(runs) - 1, done * len(runs) // total)].append(k)
            done += self.sizes[k]
        return [r for r in runs if r]


def _child() -> None:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    fd, threads, limit, count = _JOB.unpack(_read_exact(inp, _JOB.size))
    table = _Table(inp, count)
    lock = threading.Lock()
    pending = [0]  # bytes hashed since the last flush

    def report(record: bytes, size: int) -> None:
        with lock:
            out.write(record)
            pending[0] += size
            if pending[0] >= FLUSH_BYTES:
                out.flush()
                pending[0] = 0

    def run(part: array[int]) -> None:
        view = memoryview(mmap.mmap(-1, CHUNK))
        for k in part:
            size = table.sizes[k]
            try:
                digest = _hash_member(fd, table.offsets[k], size, table.names[k], limit, view)
            except (OSError, ValueError) as e:
                message = str(e).encode("utf-8")[:1000]
                report(_RECORD.pack(k, 1) + _LENGTH.pack(len(message)) + message, size)
            else:
                report(_RECORD.pack(k, 0) + digest, size)

    workers = [threading.Thread(target=run, args=(part,)) for part in table.runs(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.flush()


def _hash_member(
    fd: int, offset: int, size: int, raw_name: bytes, limit: int, view: memoryview
) -> bytes:
    # the same checks, in the same words, as protocol.zipread.ZipReader.stored_span
    header = os.pread(fd, _LOCAL.size + len(raw_name), offset)
    if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise ValueError(f"bad local file header at {offset}")
    _, name_len, extra_len = _LOCAL.unpack(header[: _LOCAL.size])
    if header[_LOCAL.size : _LOCAL.size + name_len] != raw_name:
        raise ValueError("local header names another file")
    pos = offset + _LOCAL.size + name_len + extra_len
    if pos + size > limit:
        raise ValueError(f"data at {pos} (+{size}) runs into the central directory")
    h = hashlib.sha256()
    left = size
    while left > 0:
        n = os.preadv(fd, [view[: min(CHUNK, left)]], pos)
        if n == 0:
            raise ValueError(f"member truncated, {left} bytes missing")
        h.update(view[:n])
        pos += n
        left -= n
    return h.digest()


if __name__ == "__main__":
    try:
        _child()
    except BrokenPipeError:  # the parent stopped reading (stop): nothing to say
        sys.exit(1)
    except Exception as e:  # anything else: one line for the parent's error
        print(f"hashing process: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
