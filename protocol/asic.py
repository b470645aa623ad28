"""ASiC-E building blocks (ETSI EN 319 162-1): the manifests and a streaming zip writer.

* ``mimetype`` is the first member, stored, holding :data:`MIMETYPE`.
* ``META-INF/manifest.xml`` is an OpenDocument manifest of the data files.
* ``META-INF/ASiCManifestNNN.xml`` lists every data object with its SHA-256 and names, in a
  ``SigReference``, the CAdES detached signature ``META-INF/signatureNNN.p7s`` computed over it.

XML is written by hand (the shapes are fixed) and parsed strictly: no DTDs, known elements only.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, cast
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from protocol.digests import CHUNK, Buffer, HashThread
from protocol.digests import hash_file as hash_file
from protocol.errors import ProtocolError, UnreadableContainerError
from protocol.writeback import Writeback
from protocol.zipwriter import ZipTail, ZipWriter, read_tail

MIMETYPE = "application/vnd.etsi.asic-e+zip"
NS_ASIC = "http://uri.etsi.org/02918/v1.2.1#"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
CADES_MIME = "application/pkcs7-signature"
ASIC_MANIFEST_RE = re.compile(r"^META-INF/ASiCManifest(\d{3})\.xml$")
SIGNATURE_RE = re.compile(r"^META-INF/signature(\d{3})\.p7s$")
Progress = Callable[[int, int], None]


class _ReadInto(Protocol):
    # Every binary file object Python makes (FileIO, BufferedReader, BytesIO, zipfile's member
    # reader) has readinto; typeshed's IO[bytes] just does not declare it.
    def readinto(self, buffer: memoryview, /) -> int | None: ...


@dataclass(frozen=True, slots=True)  # one per member: tens of thousands for a long recording
class DataObject:
    """One data object of an ASiCManifest: its URI in the container, MIME type and SHA-256."""

    uri: str
    mime: str
    sha256: bytes

    def __post_init__(self) -> None:
        check_member_name(self.uri)
        if len(self.sha256) != 32:
            raise ProtocolError(f"digest of {self.uri!r} has {len(self.sha256)} bytes, expected 32")


@dataclass(frozen=True)
class AsicManifest:
    """A parsed ASiCManifest: the signature it belongs to and the objects it covers."""

    sig_uri: str
    objects: tuple[DataObject, ...]

    def __post_init__(self) -> None:
        if not SIGNATURE_RE.match(self.sig_uri):
            raise ProtocolError(
                f"SigReference {self.sig_uri!r}: expected META-INF/signatureNNN.p7s"
            )
        uris = [o.uri for o in self.objects]
        if len(set(uris)) != len(uris):
            raise ProtocolError("ASiCManifest lists a data object twice")

    def by_uri(self) -> dict[str, DataObject]:
        return {o.uri: o for o in self.objects}

    @property
    def uris(self) -> tuple[str, ...]:
        """The data objects' URIs, in document order."""
        return tuple(o.uri for o in self.objects)


def check_member_name(name: str) -> str:
    """Reject absolute paths, ``..``, backslashes and empty parts in a member name."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise ProtocolError(f"unsafe member name {name!r}: expected a relative path")
    return name


def asic_manifest_xml(sig_uri: str, objects: Iterable[DataObject]) -> bytes:
    """Serialise an ASiCManifest for ``sig_uri`` covering ``objects``.

    Built as bytes, one piece per object (an eight-hour recording lists some 58,000 objects:
    a list of text lines, joined and then encoded, held the document four times over).
    """
    out = bytearray(
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<asic:ASiCManifest xmlns:asic="{NS_ASIC}" xmlns:ds="{NS_DS}">\n'
            f"  <asic:SigReference URI={quoteattr(sig_uri)} MimeType={quoteattr(CADES_MIME)}/>\n"
        ).encode()
    )
    for o in objects:
        digest = base64.b64encode(o.sha256).decode()
        out += (
            f"  <asic:DataObjectReference URI={quoteattr(o.uri)} MimeType={quoteattr(o.mime)}>\n"
            f'    <ds:DigestMethod Algorithm="{SHA256_URI}"/>\n'
            f"    <ds:DigestValue>{digest}</ds:DigestValue>\n"
            "  </asic:DataObjectReference>\n"
        ).encode()
    out += b"</asic:ASiCManifest>\n"
    return bytes(out)


def _parse_xml(data: bytes, what: str) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ProtocolError(f"{what}: DTDs and entities are not allowed")
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise ProtocolError(f"{what}: not well-formed XML ({e})") from e


def parse_asic_manifest(data: bytes, *, what: str = "ASiCManifest") -> AsicManifest:
    """Parse an ASiCManifest strictly (one SigReference, SHA-256 digests only)."""
    root = _parse_xml(data, what)
    if root.tag != f"{{{NS_ASIC}}}ASiCManifest":
        raise ProtocolError(f"{what}: root element is {root.tag}, expected asic:ASiCManifest")
    sig_refs = root.findall(f"{{{NS_ASIC}}}SigReference")
    if len(sig_refs) != 1:
        raise ProtocolError(f"{what}: {len(sig_refs)} SigReference elements, expected 1")
    objects = []
    for el in root:
        if el.tag == f"{{{NS_ASIC}}}SigReference":
            continue
        if el.tag != f"{{{NS_ASIC}}}DataObjectReference":
            raise ProtocolError(f"{what}: unexpected element {el.tag}")
        uri = el.get("URI", "")
        method = el.find(f"{{{NS_DS}}}DigestMethod")
        value = el.find(f"{{{NS_DS}}}DigestValue")
        if method is None or method.get("Algorithm") != SHA256_URI:
            raise ProtocolError(f"{what}: {uri!r} digest method is not SHA-256")
        if value is None or not value.text:
            raise ProtocolError(f"{what}: {uri!r} has no DigestValue")
        try:
            digest = base64.b64decode(value.text.strip(), validate=True)
        except ValueError as e:
            raise ProtocolError(f"{what}: {uri!r} DigestValue is not base64") from e
        objects.append(DataObject(uri, el.get("MimeType", "application/octet-stream"), digest))
    return AsicManifest(sig_refs[0].get("URI", ""), tuple(objects))


def odf_manifest_xml(entries: Iterable[tuple[str, str]]) -> bytes:
    """Serialise ``META-INF/manifest.xml`` for ``(path, media type)`` entries (built as bytes,
    one piece per entry, like :func:`asic_manifest_xml`)."""
    out = bytearray(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<manifest:manifest xmlns:manifest="{NS_MANIFEST}" manifest:version="1.2">\n'
            f'  <manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>\n'
        ).encode()
    )
    for path, mime in entries:
        out += (
            f"  <manifest:file-entry manifest:full-path={quoteattr(path)} "
            f"manifest:media-type={quoteattr(mime)}/>\n"
        ).encode()
    out += b"</manifest:manifest>\n"
    return bytes(out)


def parse_odf_manifest(data: bytes) -> list[str]:
    """The file paths listed in ``META-INF/manifest.xml`` (without ``/``)."""
    root = _parse_xml(data, "META-INF/manifest.xml")
    if root.tag != f"{{{NS_MANIFEST}}}manifest":
        raise ProtocolError(f"META-INF/manifest.xml: root element is {root.tag}")
    key = f"{{{NS_MANIFEST}}}full-path"
    return [p for el in root if (p := el.get(key, "")) and p != "/"]


def mime_for(name: str) -> str:
    """The MIME type Tergeu records for a member name."""
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "pdf": "application/pdf",
        "json": "application/json",
        "jsonl": "application/jsonl",
        "ts": "video/mp2t",
        "m3u8": "application/vnd.apple.mpegurl",
        "jpg": "image/jpeg",
        "png": "image/png",
        "xml": "text/xml",
    }.get(ext, "application/octet-stream")


class ZipOut:
    """Writes a new ASiC-E zip to a temp file, then fsyncs and renames it into place (0o600).

    Each source is read once into a pooled buffer: this thread computes the CRC-32 and writes
    the buffer, a :class:`~protocol.digests.HashThread` computes the SHA-256 on the other
    core, so building costs about one hashing pass. The disk writes while the build goes on
    (:class:`~protocol.writeback.Writeback`: writeback started behind the writer, not
    ``fdatasync``, which waits for it and was tried: it added ~0.3 s of system time per 1.4 GB
    and made the build slower), so the final fsync has little left.
    """

    def __init__(self, out: Path, *, progress: Progress | None = None, total: int = 0) -> None:
        self.out = Path(out)
        self.tmp = self.out.with_name(f".{self.out.name}.{os.getpid()}.tmp")
        self._fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.zip = ZipWriter(self._fd)
        self._writeback = Writeback(self._fd)  # the disk writes while the build goes on
        self._hasher = HashThread()
        self.progress = progress
        self.total = total
        self.done = 0
        self._batch: Buffer | None = None
        self._batch_end = 0
        self._batch_items: list[tuple[str, int, int]] = []
        self.zip.add("mimetype", MIMETYPE.encode())

    def add_bytes(self, name: str, data: bytes, *, compress: bool = True) -> bytes:
        """Add ``data`` as ``name``; return its SHA-256."""
        self._flush_batch()
        self.zip.add(check_member_name(name), data, compress=compress)
        return hashlib.sha256(data).digest()

    def add_stream(self, name: str, src: IO[bytes], size: int, *, compress: bool = False) -> None:
        """Copy ``size`` bytes from ``src`` into member ``name``; its SHA-256 is in
        :meth:`digests` (asked for once at the end: each call copies every digest so far)."""
        self._flush_batch()
        self._copy(name, cast(_ReadInto, src).readinto, size, compress)

    def add_file(
        self, name: str, path: str | Path, *, size: int | None = None, compress: bool = False
    ) -> None:
        """Copy the file at ``path`` into member ``name``; its SHA-256 is in :meth:`digests`.

        ``size`` is what a directory scan saw (saves a stat); the copy checks it. Small stored
        files are read back to back into one pooled buffer and written and hashed together
        (see :meth:`_batch_file`); others are streamed.
        """
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            if size is None:
                size = os.fstat(fd).st_size
            if not compress and size < CHUNK:
                self._batch_file(name, fd, size)
            else:
                self._flush_batch()
                self._copy(name, lambda view: os.readv(fd, [view]), size, compress)
        finally:
            os.close(fd)

    def digests(self) -> dict[str, bytes]:
        """The SHA-256 of every member copied from a stream or file so far, by name."""
        self._flush_batch()
        return self._hasher.results()

    def _batch_file(self, name: str, fd: int, size: int) -> None:
        """Read a whole small file into the batch buffer (one byte more is asked for, so a
        file that grew since it was listed shows)."""
        if self._batch is not None and self._batch_end + size + 1 > len(self._batch):
            self._flush_batch()
        if self._batch is None:
            self._batch, self._batch_end = self._hasher.buffer(), 0
        start = self._batch_end
        n = os.readv(fd, [memoryview(self._batch)[start : start + size + 1]])
        if n > size:
            raise ProtocolError(f"{name}: grew beyond {size} bytes while being written")
        if n < size:
            raise ProtocolError(f"{name}: {size} bytes expected, {n} read")
        self._batch_items.append((check_member_name(name), start, start + n))
        self._batch_end += n

    def _flush_batch(self) -> None:
        """Write the batched files as members in one go and hand their bytes to the hasher."""
        if self._batch is None:
            return
        buf, items, size = self._batch, self._batch_items, self._batch_end
        self._batch, self._batch_items = None, []
        view = memoryview(buf)
        try:
            self.zip.add_stored([(name, view[a:b]) for name, a, b in items])
        except BaseException:
            self._hasher.give_back(buf)
            raise
        self._hasher.hash_slices(buf, items)
        self._wrote(size)

    def _wrote(self, n: int) -> None:
        self._writeback.wrote(self.zip.pos)
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)

    def _copy(
        self, name: str, readinto: Callable[[memoryview], int | None], size: int, compress: bool
    ) -> None:
        """Stream ``size`` bytes into member ``name``, the SHA-256 computed on the hashing thread.

        A source that ends early, or holds more than ``size`` bytes, raises ProtocolError: each
        read asks for one byte more than is left, so growth shows without an extra read.
        """
        member = self.zip.open(check_member_name(name), size, compress=compress)
        h = hashlib.sha256()
        left = size
        while True:
            buf = self._hasher.buffer()
            want = min(len(buf), left + 1)
            try:
                n = readinto(memoryview(buf)[:want]) or 0
                if n == 0 and left > 0:
                    raise ProtocolError(f"{name}: {size} bytes expected, {size - left} read")
                if n:
                    member.write(memoryview(buf)[:n])  # raises if the source grew
            except BaseException:
                self._hasher.give_back(buf)
                raise
            if n == 0:
                self._hasher.give_back(buf)
                break
            self._hasher.update(h, buf, n)
            left -= n
            self._wrote(n)
            if left == 0 and n < want:  # asked for a byte more than was left: the end
                break
        member.close()
        self._hasher.finish(name, h)

    def commit(self) -> None:
        """Finish the zip, fsync it, rename it over ``out`` and fsync the folder."""
        self._flush_batch()
        self._hasher.close()
        self.zip.finish()
        self._writeback.close()
        os.fsync(self._fd)
        os.close(self._fd)
        os.replace(self.tmp, self.out)
        dir_fd = os.open(self.out.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def abort(self) -> None:
        """Drop the temp file; ``out`` is never touched."""
        self._writeback.close()
        self._hasher.close()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self.tmp.unlink(missing_ok=True)


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open ``path`` as a zip or raise UnreadableContainerError naming the file."""
    try:
        return zipfile.ZipFile(path, "r")
    except FileNotFoundError as e:
        raise UnreadableContainerError(f"{path}: no such file") from e
    except (zipfile.BadZipFile, OSError) as e:
        raise UnreadableContainerError(f"{path}: not a readable ASiC-E zip container ({e})") from e


_JOURNAL_HEAD = b"tergeu-append/1\n"


def _journal_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.append-journal")


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _restore(fd: int, size: int, directory_offset: int, old_tail: bytes) -> None:
    os.pwrite(fd, old_tail, directory_offset)
    os.ftruncate(fd, size)
    os.fsync(fd)


def recover_append(path: Path) -> bool:
    """Undo an append to ``path`` that was interrupted (a crash): put the old end back.

    Returns True if there was one to undo. The journal holds the file's old size and the bytes
    from its old central directory to its end, written and fsynced before the append began.
    """
    path = Path(path)
    journal = _journal_path(path)
    if not journal.exists():
        return False
    data = journal.read_bytes()
    if not data.startswith(_JOURNAL_HEAD) or len(data) < len(_JOURNAL_HEAD) + 16:
        raise ProtocolError(f"{journal}: not an append journal; remove it only after checking")
    at = len(_JOURNAL_HEAD)
    size, offset = (
        int.from_bytes(data[at : at + 8], "big"),
        int.from_bytes(data[at + 8 : at + 16], "big"),
    )
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        _restore(fd, size, offset, data[at + 16 :])
    finally:
        os.close(fd)
    journal.unlink()
    _fsync_dir(path.parent)
    return True


def append_members(path: Path, members: Sequence[tuple[str, bytes, bool]]) -> None:
    """Append whole members ``(name, data, compress)`` to the ASiC-E zip at ``path``, in place.

    Append-only: the bytes of every member already in the zip stay exactly where they are, so
    their signatures still verify byte for byte. The new members are written over the old
    central directory, followed by the old central records (unchanged) and the new ones.
    Before anything is written, the old end of the file is saved in a journal (fsynced); a
    failure restores it at once, a crash is undone by :func:`recover_append` (called first
    here). A name already in the zip is refused.
    """
    path = Path(path)
    if not members:
        raise ProtocolError("nothing to append")
    recover_append(path)
    journal = _journal_path(path)
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        tail: ZipTail = read_tail(fd)
        for name, _, _ in members:
            if check_member_name(name) in tail.names:
                raise ProtocolError(f"{path}: already holds a member {name!r}")
        old_tail = os.pread(fd, tail.size - tail.directory_offset, tail.directory_offset)
        head = tail.size.to_bytes(8, "big") + tail.directory_offset.to_bytes(8, "big")
        jfd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(jfd, _JOURNAL_HEAD + head + old_tail)
            os.fsync(jfd)
        finally:
            os.close(jfd)
        _fsync_dir(path.parent)
        try:
            zw = ZipWriter.resume(fd, tail)
            for name, data, compress in members:
                zw.add(name, data, compress=compress)
            zw.finish()
            os.ftruncate(fd, zw.pos)
            os.fsync(fd)
        except BaseException:
            _restore(fd, tail.size, tail.directory_offset, old_tail)
            journal.unlink()  # restored; a crash before this line is undone by recover_append
            raise
        journal.unlink()
        _fsync_dir(path.parent)
    finally:
        os.close(fd)
