"""The verifier's zip reader against zipfile, ZIP64, damaged members and many threads at once."""

from __future__ import annotations

import hashlib
import os
import struct
import threading
import zipfile
import zlib
from pathlib import Path

import pytest

from protocol.asic import MIMETYPE, ZipOut
from protocol.digests import CHUNK, hash_stored_members
from protocol.errors import UnreadableContainerError
from protocol.zipread import MemberError, ZipReader


def _data(n: int, seed: int) -> bytes:
    block = hashlib.sha256(seed.to_bytes(4, "big")).digest() * 2048  # 64 KiB, not compressible
    return (block * (n // len(block) + 1))[:n]


def _text(n: int) -> bytes:
    lines = (
        f'{{"seq": {i}, "kind": "segment_sealed", "pad": "{"x" * (i % 50)}"}}\n' for i in range(n)
    )
    return "".join(lines).encode()


MEMBERS = {
    "container.json": b'{"format": "tergeu-asice/1"}',
    "recording/log.jsonl": _text(30_000),  # ≈1.8 MB, deflated: read in several pieces
    "recording/media/a/a-000000.ts": _data(CHUNK + 17, 1),
    "recording/media/a/a-000001.ts": _data(1000, 2),
    "recording/media/a/a.m3u8": b"#EXTM3U\n",
    "evidence/ünïcode.json": b"{}",
    "empty.txt": b"",
}


def _container(path: Path) -> Path:
    z = ZipOut(path)
    for name, data in MEMBERS.items():
        z.add_bytes(name, data, compress=not name.endswith(".ts"))
    z.commit()
    return path


@pytest.fixture
def container(tmp_path: Path) -> Path:
    return _container(tmp_path / "c.asice")


def test_reader_agrees_with_zipfile(container: Path) -> None:
    with ZipReader(container) as zr, zipfile.ZipFile(container) as zf:
        assert zr.namelist() == zf.namelist() == ["mimetype", *MEMBERS]
        assert zr.read("mimetype") == MIMETYPE.encode()
        for info in zf.infolist():
            m = zr.member(info.filename)
            assert (m.header_offset, m.compressed_size, m.size, m.crc, m.method) == (
                info.header_offset,
                info.compress_size,
                info.file_size,
                info.CRC,
                info.compress_type,
            )
            want = MIMETYPE.encode() if info.filename == "mimetype" else MEMBERS[info.filename]
            assert zr.read(info.filename) == zf.read(info) == want
            assert b"".join(zr.chunks(info.filename, 4096)) == want
        assert "nope" not in zr and zr.index("nope") is None
        with pytest.raises(KeyError):
            zr.read("nope")
        positions, total = zr.stored_in_file_order(lambda n: n != "mimetype")
        assert [zr.name_at(i) for i in positions] == [n for n in MEMBERS if n.endswith(".ts")]
        assert total == sum(map(len, MEMBERS.values()))


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
LIMIT = 0xFFFFFFFF


def _local(name: bytes, crc: int, size: int, extra: bytes = b"") -> bytes:
    sizes = (LIMIT, LIMIT) if extra else (size, size)
    return (
        _LOCAL.pack(0x04034B50, 45, 0, 0, 0, 33, crc, *sizes, len(name), len(extra)) + name + extra
    )


def _central(name: bytes, crc: int, sizes: tuple[int, int], offset: int, extra: bytes) -> bytes:
    head = (0x02014B50, 45, 45, 0, 0, 0, 33, crc, *sizes, len(name), len(extra), 0, 0, 0, 0)
    return _CENTRAL.pack(*head, offset) + name + extra


def _zip64_sparse(path: Path) -> tuple[int, int, bytes]:
    """A zip whose first member ``big.bin`` holds 4.3 GiB (a hole in a sparse file: no disk) and
    whose second, ``after.json``, starts beyond 4 GiB: its offset, the big size and the sizes
    all need ZIP64 values. (``big.bin``'s content is never read: its CRC-32 is left 0.)"""
    big, small = (1 << 32) + (300 << 20), b'{"after": 4294967296}'
    sizes64 = struct.pack("<HHQQ", 1, 16, big, big)
    crc = zlib.crc32(small)
    with open(path, "wb") as f:
        f.write(_local(b"big.bin", 0, big, sizes64))
        f.seek(big, os.SEEK_CUR)  # the hole
        second = f.tell()
        f.write(_local(b"after.json", crc, len(small)) + small)
        directory = f.tell()
        f.write(_central(b"big.bin", 0, (LIMIT, LIMIT), 0, sizes64))
        offset64 = struct.pack("<HHQ", 1, 8, second)
        f.write(_central(b"after.json", crc, (len(small), len(small)), LIMIT, offset64))
        end64 = f.tell()
        size = end64 - directory
        f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 2, 2, size, directory))
        f.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, size, LIMIT, 0))
    return big, second, small


def test_zip64_sizes_and_offsets_are_read(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    big, second, small = _zip64_sparse(path)
    with ZipReader(path) as zr, zipfile.ZipFile(path) as zf:
        assert zr.member("big.bin").size == zr.member("big.bin").compressed_size == big
        assert zr.member("after.json").header_offset == second > 1 << 32
        assert zr.read("after.json") == zf.read("after.json") == small
        assert [(i.filename, i.file_size, i.header_offset) for i in zf.infolist()] == [
            (m.name, m.size, m.header_offset) for m in map(zr.member, zr)
        ]
        i = zr.index("after.json")
        assert i is not None
        assert hash_stored_members(zr, [i]).get(i) == hashlib.sha256(small).digest()


def test_more_than_65535_members(tmp_path: Path) -> None:
    z = ZipOut(tmp_path / "many.asice")
    for i in range(70_000):
        z.add_bytes(f"m/{i:05d}", b"x", compress=False)
    z.commit()
    with ZipReader(tmp_path / "many.asice") as zr:
        assert len(zr) == 70_001 and zr.read("m/69999") == b"x"


def _patch(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def _record(path: Path, name: str) -> int:
    """Offset of ``name``'s central directory record."""
    with ZipReader(path) as zr:
        at = zr.directory_offset
    data, raw = path.read_bytes(), name.encode()
    while data[at + 46 : at + 46 + len(raw)] != raw:
        at = data.index(b"PK\x01\x02", at + 4)
    return at


@pytest.mark.parametrize(
    "scenario, name, message",
    [
        ("deflated_member_byte_flipped", "recording/log.jsonl", "recording/log.jsonl"),
        ("stored_member_byte_flipped", "recording/media/a/a-000001.ts", "Bad CRC-32 for"),
        ("local_header_names_another_file", "container.json", "names another file"),
        ("sizes_run_into_the_central_directory", "recording/media/a/a.m3u8", "central directory"),
        ("unknown_compression_method", "container.json", "compression method 12"),
        ("encrypted", "container.json", "encrypted"),
        (
            "inflates_beyond_its_listed_size",
            "recording/log.jsonl",
            "holds more than the 1000 bytes",
        ),
        ("stored_sizes_differ", "recording/media/a/a-000001.ts", "stored member of"),
    ],
)
def test_damaged_member_is_refused_naming_it(
    scenario: str, name: str, message: str, container: Path
) -> None:
    with ZipReader(container) as zr:
        m = zr.member(name)
        data_at = zr.data_offset(m)
    record = _record(container, name)
    if scenario.endswith("byte_flipped"):
        old = container.read_bytes()[data_at + 500 : data_at + 501]
        _patch(container, data_at + 500, bytes([old[0] ^ 0x55]))
    elif scenario == "local_header_names_another_file":
        _patch(container, m.header_offset + 30, b"X")
    elif scenario == "sizes_run_into_the_central_directory":
        _patch(container, record + 20, struct.pack("<II", 1 << 30, 1 << 30))
    elif scenario == "unknown_compression_method":
        _patch(container, record + 10, struct.pack("<H", 12))
    elif scenario == "encrypted":
        _patch(container, record + 8, struct.pack("<H", 1))
    elif scenario == "inflates_beyond_its_listed_size":
        _patch(container, record + 24, struct.pack("<I", 1000))
    elif scenario == "stored_sizes_differ":
        _patch(container, record + 24, struct.pack("<I", 999))
    with ZipReader(container) as zr:
        with pytest.raises(MemberError, match=message) as read:
            zr.read(name)
        assert name in str(read.value)
        with pytest.raises(MemberError, match=message):
            b"".join(zr.chunks(name, 4096))
        with pytest.raises(zipfile.BadZipFile):  # code written for zipfile catches it too
            zr.read(name)


@pytest.mark.parametrize(
    "scenario, message",
    [
        ("not_a_zip", "no end of central directory record"),
        ("central_directory_record_damaged", "record 2 is damaged"),
        ("bytes_after_the_end_record", "not at the end of the file"),
        ("central_directory_record_runs_past_its_end", "record 8 runs past its end"),
        ("no_such_file", "no such file"),
    ],
)
def test_unreadable_zip_names_the_file(scenario: str, message: str, container: Path) -> None:
    if scenario == "not_a_zip":
        container.write_bytes(b"not a zip at all" * 100)
    elif scenario == "central_directory_record_damaged":
        _patch(container, _record(container, "container.json"), b"PK\x09\x09")
    elif scenario == "central_directory_record_runs_past_its_end":
        _patch(container, _record(container, "empty.txt") + 28, struct.pack("<H", 5000))
    elif scenario == "bytes_after_the_end_record":
        with open(container, "ab") as f:
            f.write(b"junk")
    else:
        container.unlink()
    with pytest.raises(UnreadableContainerError, match=message) as e:
        ZipReader(container)
    assert str(container) in str(e.value)


def test_members_read_from_many_threads_at_once(container: Path) -> None:
    """Every read is a pread at the member's offset: threads sharing one reader cannot move
    each other's position (zipfile shares one file position between all reads of a ZipFile)."""
    errors: list[str] = []
    start = threading.Barrier(8)

    def reader(seed: int) -> None:
        start.wait()
        with_pieces = seed % 2 == 0
        for round_ in range(15):
            for name, data in MEMBERS.items():
                got = b"".join(zr.chunks(name, 1 << 12)) if with_pieces else zr.read(name)
                if got != data:
                    errors.append(f"thread {seed}, round {round_}: {name} differs")

    with ZipReader(container) as zr:
        threads = [threading.Thread(target=reader, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
