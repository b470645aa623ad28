"""The stored members of a zip hashed in a child process: the same digests as hashlib, the same
refusals as the in-process hasher, and a clear error when the child cannot do the job."""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from protocol.sha256_child import ChildFailed, hash_in_child


@dataclass(frozen=True)
class _Member:
    name: str
    header_offset: int
    size: int
    raw_name: bytes


def _zip(path: Path, members: dict[str, bytes]) -> list[_Member]:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        return [
            _Member(i.filename, i.header_offset, i.file_size, i.filename.encode())
            for i in zf.infolist()
        ]


def _contents() -> dict[str, bytes]:
    rng = os.urandom
    sizes = [0, 1, 188, 8_000, 190_000, (2 << 20) + 17, 5 << 20]  # around the 2 MiB chunk
    return {f"recording/media/t/seg-{i:03d}.ts": rng(n) for i, n in enumerate(sizes)}


def test_digests_equal_hashlib_for_every_member_and_progress_counts_every_byte(
    tmp_path: Path,
) -> None:
    contents = _contents()
    members = _zip(tmp_path / "c.zip", contents)
    ticks: list[int] = []
    for threads in (1, 2, 3):
        ticks.clear()
        got = hash_in_child(tmp_path / "c.zip", members, threads=threads, progress=ticks.append)
        assert got == {name: hashlib.sha256(data).digest() for name, data in contents.items()}
        assert sum(ticks) == sum(len(d) for d in contents.values())


def test_a_member_that_is_not_where_the_directory_says_is_named_with_the_reason(
    tmp_path: Path,
) -> None:
    members = _zip(tmp_path / "c.zip", {"a.ts": b"x" * 5000, "b.ts": b"y" * 5000})
    a, b = members
    wrong_name = _Member("a.ts", a.header_offset, a.size, b"other.ts")
    not_a_header = _Member("b.ts", b.header_offset + 7, b.size, b.raw_name)
    too_long = _Member("c.ts", b.header_offset, 1 << 30, b.raw_name)
    got = hash_in_child(tmp_path / "c.zip", [wrong_name, not_a_header, too_long])
    assert got["a.ts"] == "local header names another file"
    assert got["b.ts"] == "bad local file header"
    assert isinstance(got["c.ts"], str) and got["c.ts"].startswith("member truncated")


def test_a_missing_file_fails_with_the_childs_reason(tmp_path: Path) -> None:
    members = _zip(tmp_path / "c.zip", {"a.ts": b"x"})
    with pytest.raises(ChildFailed, match="FileNotFoundError"):
        hash_in_child(tmp_path / "gone.zip", members)


def test_stop_ends_the_child_and_returns_what_was_reached(tmp_path: Path) -> None:
    contents = {f"m{i:04d}.ts": os.urandom(64_000) for i in range(400)}
    members = _zip(tmp_path / "c.zip", contents)
    stop = threading.Event()
    seen: list[int] = []

    def progress(n: int) -> None:
        seen.append(n)
        if len(seen) == 3:
            stop.set()

    got = hash_in_child(tmp_path / "c.zip", members, threads=1, progress=progress, stop=stop)
    assert 3 <= len(got) < len(members)
    assert all(got[n] == hashlib.sha256(contents[n]).digest() for n in got)
