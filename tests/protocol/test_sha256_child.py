"""The stored members of a zip hashed in a child process: the same digests as hashlib, the same
refusals as the in-process hasher, and a clear error when the child cannot do the job."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from protocol import sha256_child
from protocol.sha256_child import ChildFailed, Span, hash_in_child


@dataclass(frozen=True)
class _Zip:
    path: Path
    names: list[str]
    spans: list[Span]
    limit: int  # where the central directory starts

    def hash(self, spans: list[Span] | None = None, **kw: Any) -> dict[str, bytes | str]:
        out: dict[str, bytes | str] = {}

        def store(k: int, result: bytes | str) -> None:
            assert self.names[k] not in out  # each member reported once
            out[self.names[k]] = result

        fd = os.open(self.path, os.O_RDONLY)
        try:
            hash_in_child(fd, spans or self.spans, limit=self.limit, on_result=store, **kw)
        finally:
            os.close(fd)
        return out


def _zip(path: Path, members: dict[str, bytes]) -> _Zip:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        limit = zf.start_dir
    spans = [(i.header_offset, i.file_size, i.filename.encode()) for i in infos]
    return _Zip(path, [i.filename for i in infos], spans, limit)


def _contents() -> dict[str, bytes]:
    rng = os.urandom
    sizes = [0, 1, 188, 8_000, 190_000, (2 << 20) + 17, 5 << 20]  # around the 2 MiB chunk
    return {f"recording/media/t/seg-{i:03d}.ts": rng(n) for i, n in enumerate(sizes)}


def test_digests_equal_hashlib_for_every_member_on_any_number_of_threads(
    tmp_path: Path,
) -> None:
    contents = _contents()
    z = _zip(tmp_path / "c.zip", contents)
    for threads in (1, 2, 3):
        got = z.hash(threads=threads)
        assert got == {name: hashlib.sha256(data).digest() for name, data in contents.items()}


def test_a_member_that_is_not_where_the_directory_says_is_named_with_the_reason(
    tmp_path: Path,
) -> None:
    z = _zip(tmp_path / "c.zip", {"a.ts": b"x" * 5000, "b.ts": b"y" * 5000, "c.ts": b"z"})
    (a_at, a_size, _), (b_at, b_size, b_raw), _c = z.spans
    got = z.hash(
        [
            (a_at, a_size, b"other.ts"),  # the header there names a.ts
            (b_at + 7, b_size, b_raw),  # not at a header
            (b_at, b_size + 40, b_raw),  # runs into c.ts's header: fine, then the directory
        ]
    )
    assert got["a.ts"] == "local header names another file"
    assert got["b.ts"] == f"bad local file header at {b_at + 7}"
    assert isinstance(got["c.ts"], str) and got["c.ts"].endswith("runs into the central directory")


def test_a_child_that_cannot_start_or_dies_fails_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    z = _zip(tmp_path / "c.zip", {"a.ts": b"x"})
    with monkeypatch.context() as m:
        m.setattr(sys, "executable", str(tmp_path / "no-python"))
        with pytest.raises(ChildFailed, match="cannot start"):
            z.hash()

    def cut_job(stdin: IO[bytes], *args: object) -> None:  # the job ends after two bytes
        stdin.write(b"\x00\x01")
        stdin.close()

    monkeypatch.setattr(sha256_child, "_send", cut_job)
    with pytest.raises(ChildFailed, match=r"ended with 1 after 0 of 1 members; .*EOFError"):
        z.hash()


def test_the_child_hashes_the_open_file_not_whatever_is_at_its_path_now(tmp_path: Path) -> None:
    contents = {"a.ts": os.urandom(10_000)}
    z = _zip(tmp_path / "c.zip", contents)
    fd = os.open(z.path, os.O_RDONLY)
    try:
        os.replace(_zip(tmp_path / "other.zip", {"a.ts": os.urandom(10_000)}).path, z.path)
        got: list[bytes | str] = []
        hash_in_child(fd, z.spans, limit=z.limit, on_result=lambda k, r: got.append(r))
    finally:
        os.close(fd)
    assert got == [hashlib.sha256(contents["a.ts"]).digest()]


def test_stop_ends_the_child_and_returns_what_was_reached(tmp_path: Path) -> None:
    contents = {f"m{i:04d}.ts": os.urandom(64_000) for i in range(400)}
    z = _zip(tmp_path / "c.zip", contents)
    stop = threading.Event()
    got: dict[int, bytes | str] = {}

    def store(k: int, result: bytes | str) -> None:
        got[k] = result
        if len(got) == 3:
            stop.set()

    fd = os.open(z.path, os.O_RDONLY)
    try:
        hash_in_child(fd, z.spans, limit=z.limit, on_result=store, threads=1, stop=stop)
    finally:
        os.close(fd)
    assert len(got) == 3
    assert all(got[k] == hashlib.sha256(contents[z.names[k]]).digest() for k in got)
