"""A read-only zip reader for the verifier: a compact central directory and members read by offset.

Why not :mod:`zipfile`: it keeps a ``ZipInfo`` object per member (some 600 bytes each, measured:
8.7 MB for a two-hour recording's 14,400 members, growing with the recording), and all reads of
one ``ZipFile`` go through one shared file position. Here each member costs its name (a
``str``, the key of one dict) and one 32-byte record in a ``bytearray``; every read is a
``pread`` at the member's offset, so threads can read members of one reader at the same time.

Strict: one disk, the central directory followed only by its end records, names free of NUL
bytes, only stored and deflated members, no encryption, every member's data before the central
directory, its local header naming the same file. ZIP64 (APPNOTE 6.3.x, 4.3.14–4.3.16, 4.5.3)
is read for counts, sizes and offsets. A damaged member raises :class:`MemberError`.
"""

from __future__ import annotations

import itertools
import os
import struct
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from isal.isal_zlib import crc32

from protocol.errors import ProtocolError, UnreadableContainerError

LIMIT = 0xFFFFFFFF  # a 32-bit value at this limit is held in the ZIP64 extra field
_EOCD = struct.Struct("<IHHHHIIH")
_EOCD64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_RECORD = struct.Struct("<QQQIHH")  # header offset, compressed size, size, CRC-32, method, flags
_UTF8 = 0x0800
_ENCRYPTED = 0x0001
STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
READ_CHUNK = 1 << 20


class Members(Protocol):
    """What reading a container's small members needs: a :class:`ZipReader` or a
    :class:`zipfile.ZipFile` (``read`` raises KeyError for a name that is not there)."""

    def namelist(self) -> list[str]: ...

    def read(self, name: str) -> bytes: ...


class MemberError(ProtocolError, zipfile.BadZipFile):
    """A member cannot be read: damaged, encrypted, unknown compression, CRC-32 mismatch.

    Also a :class:`zipfile.BadZipFile`, so code written for :mod:`zipfile` catches it."""


@dataclass(frozen=True)
class ZipEnd:
    """The end records of a zip: the file's size and where its central directory is."""

    size: int
    directory_offset: int
    directory_size: int
    count: int


def read_end(fd: int) -> ZipEnd:
    """Read the end of central directory records (ZIP64 ones where needed) of the zip at ``fd``.

    Raises ProtocolError for anything but a single-disk zip whose central directory is followed
    only by its end records (no prepended data, no trailing bytes).
    """
    size = os.fstat(fd).st_size
    back = min(size, _EOCD.size + 0xFFFF)
    end = os.pread(fd, back, size - back)
    at = end.rfind(b"PK\x05\x06")
    if at < 0 or len(end) - at < _EOCD.size:
        raise ProtocolError("not a zip: no end of central directory record")
    _, disk, _, _, count, cd_size, cd_offset, comment = _EOCD.unpack_from(end, at)
    eocd_pos = size - back + at
    if eocd_pos + _EOCD.size + comment != size or disk != 0:
        raise ProtocolError("zip end record is not at the end of the file, or spans disks")
    tail_start = eocd_pos
    if count == 0xFFFF or cd_size == LIMIT or cd_offset == LIMIT:
        locator = os.pread(fd, _LOCATOR64.size, max(0, eocd_pos - _LOCATOR64.size))
        if len(locator) < _LOCATOR64.size:
            raise ProtocolError("zip end record needs ZIP64 values but has no ZIP64 locator")
        sig, _, eocd64_pos, _ = _LOCATOR64.unpack(locator)
        if sig != 0x07064B50:
            raise ProtocolError("zip end record needs ZIP64 values but has no ZIP64 locator")
        record = os.pread(fd, _EOCD64.size, eocd64_pos)
        if len(record) < _EOCD64.size or record[:4] != b"PK\x06\x06":
            raise ProtocolError("ZIP64 locator does not point at a ZIP64 end record")
        *_, count, cd_size, cd_offset = _EOCD64.unpack(record)
        tail_start = eocd64_pos
    if cd_offset + cd_size != tail_start:
        raise ProtocolError(
            f"zip central directory at {cd_offset} (+{cd_size}) does not end where the end "
            f"records start ({tail_start}): prepended or unknown data"
        )
    return ZipEnd(size, cd_offset, cd_size, count)


@dataclass(frozen=True)
class Member:
    """What the central directory says of one member (made on demand, not kept)."""

    index: int
    name: str
    header_offset: int
    compressed_size: int
    size: int
    crc: int
    method: int
    flags: int

    @property
    def raw_name(self) -> bytes:
        """The name as its bytes in the local header."""
        return _raw(self.name, self.flags)


class ZipReader:
    """The members of a zip file, read-only; close it (or use ``with``) when done.

    Iterating yields the member names in central directory order (a name given twice once;
    :attr:`duplicates` lists the repeats, whose records are otherwise ignored).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._fd: int | None = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError as e:
            raise UnreadableContainerError(f"{path}: no such file") from e
        except OSError as e:
            raise UnreadableContainerError(f"{path}: cannot be opened ({e})") from e
        try:
            self._end = read_end(self._fd)
            self._read_directory()
        except (ProtocolError, OSError) as e:
            self.close()
            raise UnreadableContainerError(
                f"{path}: not a readable ASiC-E zip container ({e})"
            ) from e

    def _read_directory(self) -> None:
        end = self._end
        directory = os.pread(self.fd, end.directory_size, end.directory_offset)
        if len(directory) != end.directory_size:
            raise ProtocolError("zip central directory is cut short")
        index: dict[str, int] = {}
        names: list[str] = []
        records = bytearray()
        duplicates: list[str] = []
        pos = 0
        unpack, record = _CENTRAL.unpack_from, _RECORD.pack
        for i in range(end.count):
            try:
                (sig, _, _, flags, method, _, _, crc, csize, size, n, n_extra, n_note, disk, _, _,
                 offset) = unpack(directory, pos)  # fmt: skip
            except struct.error:
                sig = 0
            if sig != 0x02014B50:
                raise ProtocolError(f"zip central directory record {i + 1} is damaged")
            if pos + 46 + n + n_extra + n_note > len(directory):
                raise ProtocolError(f"zip central directory record {i + 1} runs past its end")
            raw = directory[pos + 46 : pos + 46 + n]
            try:
                name = raw.decode("utf-8" if flags & _UTF8 or raw.isascii() else "cp437")
            except UnicodeDecodeError as e:
                raise ProtocolError(f"member name {raw!r} is not valid UTF-8") from e
            if "\x00" in name:
                raise ProtocolError(f"member name {name!r} holds a NUL byte")
            if LIMIT in (csize, size, offset) or disk == 0xFFFF:
                start = pos + 46 + n
                size, csize, offset = _zip64_values(
                    name, directory[start : start + n_extra], size, csize, offset
                )
            if name in index:
                duplicates.append(name)
            else:
                index[name] = len(names)
                names.append(name)
                records += record(offset, csize, size, crc, method, flags)
            pos += 46 + n + n_extra + n_note
        if pos != len(directory):
            raise ProtocolError(f"zip central directory holds {len(directory) - pos} stray bytes")
        self._index, self._names, self._records = index, names, records
        self.duplicates: tuple[str, ...] = tuple(duplicates)

    @property
    def fd(self) -> int:
        """The open file descriptor (read it with ``os.pread`` only: no shared position)."""
        if self._fd is None:
            raise ValueError(f"{self.path}: zip reader is closed")
        return self._fd

    @property
    def directory_offset(self) -> int:
        return self._end.directory_offset

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ZipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def namelist(self) -> list[str]:
        """Every member name once, in central directory order (as :mod:`zipfile` has it)."""
        return list(self._names)

    def name_at(self, i: int) -> str:
        return self._names[i]

    def index(self, name: str) -> int | None:
        """The position of member ``name`` in :meth:`namelist`, or None."""
        return self._index.get(name)

    def intern(self, name: str) -> str:
        """The reader's own ``str`` equal to ``name`` when it is a member (saves a copy each)."""
        i = self._index.get(name)
        return name if i is None else self._names[i]

    def member_at(self, i: int) -> Member:
        offset, csize, size, crc, method, flags = _RECORD.unpack_from(self._records, 32 * i)
        return Member(i, self._names[i], offset, csize, size, crc, method, flags)

    def member(self, name: str) -> Member:
        """The member called ``name``; KeyError if there is none."""
        i = self._index.get(name)
        if i is None:
            raise KeyError(name)
        return self.member_at(i)

    def stored_at(self, i: int) -> bool:
        """Whether member ``i`` is stored with equal sizes (its bytes are the file's)."""
        _, csize, size, _, method, _ = _RECORD.unpack_from(self._records, 32 * i)
        return method == STORED and csize == size

    def offset_at(self, i: int) -> int:
        return int(_RECORD.unpack_from(self._records, 32 * i)[0])

    def size_at(self, i: int) -> int:
        return int(_RECORD.unpack_from(self._records, 32 * i)[2])

    def stored_in_file_order(self, wanted: Callable[[str], bool]) -> tuple[array[int], int]:
        """(the positions of the ``wanted`` members that are stored with equal sizes, in the
        order of their offsets; the size of all ``wanted`` members together)."""
        positions, offsets, total = array("L"), array("Q"), 0
        records = _RECORD.iter_unpack(self._records)
        for i, (name, (offset, csize, size, _, method, _)) in enumerate(
            zip(self._names, records, strict=True)
        ):
            if wanted(name):
                total += size
                if method == STORED and csize == size:
                    positions.append(i)
                    offsets.append(offset)
        if any(a > b for a, b in itertools.pairwise(offsets)):
            order = sorted(range(len(offsets)), key=offsets.__getitem__)
            positions = array("L", (positions[k] for k in order))
        return positions, total

    def data_offset(self, m: Member) -> int:
        """Where ``m``'s data starts, after its local header (checked against the directory)."""
        return self._data_offset(m.name, m.raw_name, m.header_offset, m.compressed_size)

    def stored_span(self, i: int) -> tuple[int, int]:
        """(data offset, size) of stored member ``i``, its local header checked; MemberError
        if it is not stored with equal sizes. (No :class:`Member` made: the verifier calls
        this for every segment.)"""
        offset, csize, size, _, method, flags = _RECORD.unpack_from(self._records, 32 * i)
        name = self._names[i]
        if method != STORED or csize != size:
            raise MemberError(f"{name}: not a stored member")
        return self._data_offset(name, _raw(name, flags), offset, csize), size

    def _data_offset(self, name: str, raw_name: bytes, offset: int, csize: int) -> int:
        head = os.pread(self.fd, _LOCAL.size + len(raw_name), offset)
        if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise MemberError(f"{name}: bad local file header at {offset}")
        n, n_extra = _LOCAL.unpack_from(head)[-2:]
        if head[_LOCAL.size : _LOCAL.size + n] != raw_name:
            raise MemberError(f"{name}: local header names another file")
        start = offset + _LOCAL.size + n + n_extra
        if start + csize > self._end.directory_offset:
            raise MemberError(f"{name}: data at {start} (+{csize}) runs into the central directory")
        return start

    def read(self, name: str) -> bytes:
        """The whole content of member ``name`` (CRC-32 checked); KeyError if there is none.

        One read of the compressed bytes and one buffer for the content, at most one byte
        beyond the size listed (so a member that inflates to more is caught, not held)."""
        m = self.member(name)
        offset = self._readable_from(m)
        raw = os.pread(self.fd, m.compressed_size, offset)
        if len(raw) != m.compressed_size:
            raise MemberError(f"{name}: cut short, {m.compressed_size - len(raw)} bytes missing")
        if m.method == STORED:
            data = raw
        else:
            inflate = zlib.decompressobj(-15)
            try:
                data = inflate.decompress(raw, m.size + 1)
            except zlib.error as e:
                raise MemberError(f"{name}: deflated data is damaged ({e})") from e
            if len(data) > m.size:
                raise MemberError(f"{name}: holds more than the {m.size} bytes listed")
            if not inflate.eof:
                raise MemberError(f"{name}: deflated data ends early")
        return self._checked(m, data, len(data), crc32(data))

    def chunks(self, name: str, size: int = READ_CHUNK) -> Iterator[bytes]:
        """The content of member ``name`` in pieces of at most ``size`` bytes, inflated if
        deflated; its length and CRC-32 are checked before the last piece is given.
        KeyError if there is no such member."""
        m = self.member(name)
        return self._chunks(m, self._readable_from(m), size)

    def _readable_from(self, m: Member) -> int:
        """Where ``m``'s data starts; MemberError if it cannot be read."""
        if m.flags & _ENCRYPTED:
            raise MemberError(f"{m.name}: encrypted, cannot be read")
        if m.method not in (STORED, DEFLATED):
            raise MemberError(f"{m.name}: compression method {m.method}, expected 0 or 8")
        if m.method == STORED and m.compressed_size != m.size:
            raise MemberError(
                f"{m.name}: stored member of {m.compressed_size} bytes says it holds {m.size}"
            )
        return self.data_offset(m)

    @staticmethod
    def _checked(m: Member, data: bytes, produced: int, crc: int) -> bytes:
        if produced != m.size:
            raise MemberError(f"{m.name}: {produced} bytes, the directory lists {m.size}")
        if crc != m.crc:
            raise MemberError(f"Bad CRC-32 for {m.name}: {crc:08x}, expected {m.crc:08x}")
        return data

    def _chunks(self, m: Member, offset: int, size: int) -> Iterator[bytes]:
        inflate = zlib.decompressobj(-15) if m.method == DEFLATED else None
        left, produced, crc = m.compressed_size, 0, 0
        pending = b""
        while True:
            if inflate is not None and (inflate.unconsumed_tail or (left == 0 and not inflate.eof)):
                raw = inflate.unconsumed_tail  # or b"": what zlib holds back for lack of room
            elif left > 0:
                raw = os.pread(self.fd, min(size, left), offset)
                if not raw:
                    raise MemberError(f"{m.name}: cut short, {left} bytes missing")
                offset += len(raw)
                left -= len(raw)
            else:
                break
            try:
                data = raw if inflate is None else inflate.decompress(raw, size)
            except zlib.error as e:
                raise MemberError(f"{m.name}: deflated data is damaged ({e})") from e
            if not data and not raw:
                break  # nothing more comes out
            produced += len(data)
            if produced > m.size:
                raise MemberError(f"{m.name}: holds more than the {m.size} bytes listed")
            crc = crc32(data, crc)
            if pending:
                yield pending
            pending = data
        if inflate is not None and not inflate.eof:
            raise MemberError(f"{m.name}: deflated data ends early")
        pending = self._checked(m, pending, produced, crc)
        if pending:
            yield pending


def _raw(name: str, flags: int) -> bytes:
    # ASCII is the same in both encodings, and far quicker to encode than through cp437's table
    if name.isascii():
        return name.encode("ascii")
    return name.encode("utf-8" if flags & _UTF8 else "cp437")


def _zip64_values(
    name: str, extra: bytes, size: int, csize: int, offset: int
) -> tuple[int, int, int]:
    """Replace the 32-bit values at the limit by those of the ZIP64 extra field (id 1), which
    holds only those, in the order size, compressed size, header offset."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, n = struct.unpack_from("<HH", extra, pos)
        if tag == 1:
            values = list(struct.unpack_from(f"<{n // 8}Q", extra, pos + 4))
            wanted = [v == LIMIT for v in (size, csize, offset)]
            if sum(wanted) > len(values):
                break
            got = iter(values)
            size, csize, offset = (
                next(got) if w else v for w, v in zip(wanted, (size, csize, offset), strict=True)
            )
            return size, csize, offset
        pos += 4 + n
    raise ProtocolError(f"member {name!r} needs ZIP64 values but has no ZIP64 extra field")
