"""The streaming ZIP writer and ZipOut's copy paths, checked with zipfile and Info-ZIP's unzip."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from protocol.asic import MIMETYPE, ZipOut
from protocol.digests import CHUNK, hash_stored_members
from protocol.errors import ProtocolError
from protocol.zipread import ZipReader
from protocol.zipwriter import ZipWriter

SIZES = (0, 1, 4096, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 7)


def _data(n: int, seed: int) -> bytes:
    block = hashlib.sha256(seed.to_bytes(4, "big")).digest() * 2048  # 64 KiB, not compressible
    return (block * (n // len(block) + 1))[:n]


def _local_headers(path: Path) -> dict[str, tuple[int, int, int, int]]:
    """(flags, crc, compressed size, size) from each member's local header."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as f:
        for info in zf.infolist():
            f.seek(info.header_offset)
            head = f.read(30)
            flags, crc, csize, size, name_len = struct.unpack("<6xH6xIIIH", head[:28])
            out[f.read(name_len).decode()] = (flags, crc, csize, size)
    return out


def _unzip_ok(path: Path) -> None:
    r = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_stored_deflated_batched_and_streamed_members_read_back(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    z = ZipOut(tmp_path / "c.asice")
    expected: dict[str, bytes] = {}
    for i, n in enumerate(SIZES):
        data = _data(n, i)
        (sources / f"f{i}").write_bytes(data)
        for mode in ("stored", "deflated"):
            name = f"{mode}/{n}.bin"
            z.add_file(name, sources / f"f{i}", compress=mode == "deflated")
            expected[name] = data
    expected["text/ünïcode.json"] = b'{"a": 1}'
    z.add_bytes("text/ünïcode.json", expected["text/ünïcode.json"])
    digests = z.digests()
    z.commit()
    out = tmp_path / "c.asice"
    assert set(digests) == {n for n in expected if not n.startswith("text/")}
    for name, digest in digests.items():
        assert digest == hashlib.sha256(expected[name]).digest(), name
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None  # every CRC-32 checked
        assert zf.infolist()[0].filename == "mimetype"
        assert zf.read("mimetype") == MIMETYPE.encode()
        for name, data in expected.items():
            assert zf.read(name) == data, name
        central = {i.filename: (i.CRC, i.compress_size, i.file_size) for i in zf.infolist()}
    for name, (flags, crc, csize, size) in _local_headers(out).items():
        assert flags & 0x08 == 0, f"{name}: data descriptor (Java's ZipInputStream rejects it)"
        assert (crc, csize, size) == central[name], name  # rewritten headers match the directory
    _unzip_ok(out)


@pytest.mark.parametrize(
    "scenario, listed, actual, message",
    [
        ("batched_file_grew", 100, 101, "grew beyond 100 bytes"),
        ("batched_file_shrank", 100, 60, "100 bytes expected, 60 read"),
        ("streamed_file_grew", CHUNK, CHUNK + 1, f"grew beyond {CHUNK} bytes"),
        ("streamed_file_shrank", 2 * CHUNK, CHUNK + 5, f"{2 * CHUNK} bytes expected"),
    ],
)
def test_file_whose_size_differs_from_the_listing_is_refused(
    scenario: str, listed: int, actual: int, message: str, tmp_path: Path
) -> None:
    src = tmp_path / "segment.ts"
    src.write_bytes(_data(actual, 1))
    z = ZipOut(tmp_path / "c.asice")
    with pytest.raises(ProtocolError, match=message):
        z.add_file("recording/media/a/a-000000.ts", src, size=listed)
        z.digests()
    z.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segment.ts"]


def test_more_than_65535_members_get_a_zip64_end_record(tmp_path: Path) -> None:
    out = tmp_path / "many.zip"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        zw = ZipWriter(fd)
        data = memoryview(b"x")
        for start in range(0, 70_000, 1000):
            zw.add_stored([(f"m/{i:05d}", data) for i in range(start, start + 1000)])
        zw.finish()
    finally:
        os.close(fd)
    with open(out, "rb") as f:
        f.seek(-200, os.SEEK_END)
        assert b"PK\x06\x06" in f.read()
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
        assert len(infos) == 70_000 and zf.read("m/69999") == b"x"
    _unzip_ok(out)


def test_duplicate_member_name_is_refused(tmp_path: Path) -> None:
    z = ZipOut(tmp_path / "c.asice")
    z.add_bytes("protocol.json", b"{}")
    with pytest.raises(ProtocolError, match="already in the zip"):
        z.add_bytes("protocol.json", b"{}")
    z.abort()


def test_stored_members_hash_from_their_offsets_on_threads(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    z = ZipOut(tmp_path / "c.asice")
    for i, n in enumerate(SIZES):
        (src / f"f{i}").write_bytes(_data(n, i))
        z.add_file(f"m{i}", src / f"f{i}")
    digests = z.digests()
    z.commit()
    with ZipReader(tmp_path / "c.asice") as zr:
        members = [i for i, name in enumerate(zr) if name in digests]
        ticks: list[int] = []
        got = hash_stored_members(zr, members, threads=2, progress=ticks.append)
        assert {zr.name_at(i): got.get(i) for i in members} == digests
        assert sum(ticks) == sum(SIZES)
        assert got.get(zr.index("mimetype") or 0) is None  # not asked for: not hashed
    # A member whose local header names another file is reported, not hashed.
    out = tmp_path / "c.asice"
    with ZipReader(out) as zr:
        m1 = zr.member("m1")
        with open(out, "r+b") as f:
            f.seek(m1.header_offset + 30)
            f.write(b"mX")  # the local header now names "mX"
        error = hash_stored_members(zr, [m1.index]).get(m1.index)
    assert isinstance(error, ProtocolError) and "names another file" in str(error)
