"""ASiC-E building blocks (ETSI EN 319 162-1): the manifests and a streaming zip writer.

* ``mimetype`` is the first member, stored, holding :data:`MIMETYPE`.
* ``META-INF/manifest.xml`` is an OpenDocument manifest of the data files.
* ``META-INF/ASiCManifestNNN.xml`` lists every data object with its SHA-256 and names, in a
  ``SigReference``, the CAdES detached signature ``META-INF/signatureNNN.p7s`` computed over it.

XML is written by hand (the shapes are fixed) and parsed strictly: no DTDs, known elements only.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import hashlib
import os
import re
import struct
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from protocol.errors import ProtocolError, UnreadableContainerError

MIMETYPE = "application/vnd.etsi.asic-e+zip"
NS_ASIC = "http://uri.etsi.org/02918/v1.2.1#"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
CADES_MIME = "application/pkcs7-signature"
ASIC_MANIFEST_RE = re.compile(r"^META-INF/ASiCManifest(\d{3})\.xml$")
SIGNATURE_RE = re.compile(r"^META-INF/signature(\d{3})\.p7s$")
CHUNK = 1 << 20
QUEUED_CHUNKS = 16  # at most 16 MiB waiting for the hashing thread
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
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


def check_member_name(name: str) -> str:
    """Reject absolute paths, ``..``, backslashes and empty parts in a member name."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise ProtocolError(f"unsafe member name {name!r}: expected a relative path")
    return name


def asic_manifest_xml(sig_uri: str, objects: Iterable[DataObject]) -> bytes:
    """Serialise an ASiCManifest for ``sig_uri`` covering ``objects``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<asic:ASiCManifest xmlns:asic="{NS_ASIC}" xmlns:ds="{NS_DS}">',
        f"  <asic:SigReference URI={quoteattr(sig_uri)} MimeType={quoteattr(CADES_MIME)}/>",
    ]
    for o in objects:
        digest = base64.b64encode(o.sha256).decode()
        lines += [
            f"  <asic:DataObjectReference URI={quoteattr(o.uri)} MimeType={quoteattr(o.mime)}>",
            f'    <ds:DigestMethod Algorithm="{SHA256_URI}"/>',
            f"    <ds:DigestValue>{digest}</ds:DigestValue>",
            "  </asic:DataObjectReference>",
        ]
    lines.append("</asic:ASiCManifest>")
    return ("\n".join(lines) + "\n").encode()


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
    """Serialise ``META-INF/manifest.xml`` for ``(path, media type)`` entries."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<manifest:manifest xmlns:manifest="{NS_MANIFEST}" manifest:version="1.2">',
        f'  <manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>',
    ]
    for path, mime in entries:
        lines.append(
            f"  <manifest:file-entry manifest:full-path={quoteattr(path)} "
            f"manifest:media-type={quoteattr(mime)}/>"
        )
    lines.append("</manifest:manifest>")
    return ("\n".join(lines) + "\n").encode()


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
    """Writes a new ASiC-E zip to a temp file, then fsyncs and renames it into place (0o600)."""

    def __init__(self, out: Path, *, progress: Progress | None = None, total: int = 0) -> None:
        self.out = Path(out)
        self.tmp = self.out.with_name(f".{self.out.name}.{os.getpid()}.tmp")
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file: IO[bytes] = os.fdopen(fd, "w+b")
        self.zip = zipfile.ZipFile(self._file, "w", allowZip64=True)
        self._hasher = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="asic-hash")
        self._slots = threading.BoundedSemaphore(QUEUED_CHUNKS)
        self.progress = progress
        self.total = total
        self.done = 0
        info = zipfile.ZipInfo("mimetype", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        self.zip.writestr(info, MIMETYPE)

    def _info(self, name: str, size: int, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(check_member_name(name), date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.file_size = size  # lets zipfile switch to ZIP64 for members over 4 GiB
        info.external_attr = 0o600 << 16
        return info

    def add_bytes(self, name: str, data: bytes, *, compress: bool = True) -> bytes:
        """Add ``data`` as ``name``; return its SHA-256."""
        self.zip.writestr(self._info(name, len(data), compress), data)
        return hashlib.sha256(data).digest()

    def add_stream(self, name: str, src: IO[bytes], size: int, *, compress: bool = False) -> bytes:
        """Copy ``size`` bytes from ``src`` into member ``name`` in chunks; return the SHA-256."""
        return self.add_stream_later(name, src, size, compress=compress).result()

    def add_stream_later(
        self, name: str, src: IO[bytes], size: int, *, compress: bool = False
    ) -> concurrent.futures.Future[bytes]:
        """Like :meth:`add_stream`, but the SHA-256 is a future computed on a second thread.

        SHA-256 runs on another core while zipfile computes the CRC-32 and writes (both
        release the GIL on large buffers), so the build costs about one hash pass. At most
        :data:`QUEUED_CHUNKS` chunks wait for the hasher, which keeps memory flat.
        """
        h = hashlib.sha256()
        left = size
        digest: concurrent.futures.Future[bytes] | None = None
        with self.zip.open(self._info(name, size, compress), "w") as dst:
            while chunk := src.read(CHUNK):
                if digest is not None:
                    raise ProtocolError(f"{name}: grew beyond {size} bytes while being written")
                left -= len(chunk)
                self._slots.acquire()
                if left == 0:  # the last chunk: hash and finish in one hand-over
                    digest = self._hasher.submit(self._final, h, chunk)
                else:
                    self._hasher.submit(self._update, h, chunk)
                dst.write(chunk)
                self.done += len(chunk)
                if self.progress is not None:
                    self.progress(self.done, self.total)
        if left != 0:
            raise ProtocolError(f"{name}: {size} bytes expected, {size - left} read")
        return digest if digest is not None else self._hasher.submit(h.digest)

    def _update(self, h: hashlib._Hash, chunk: bytes) -> None:
        try:
            h.update(chunk)
        finally:
            self._slots.release()

    def _final(self, h: hashlib._Hash, chunk: bytes) -> bytes:
        self._update(h, chunk)
        return h.digest()

    def add_file(self, name: str, path: Path, *, compress: bool = False) -> bytes:
        return self.add_file_later(name, path, compress=compress).result()

    def add_file_later(
        self, name: str, path: Path, *, compress: bool = False
    ) -> concurrent.futures.Future[bytes]:
        with open(path, "rb") as src:
            size = os.fstat(src.fileno()).st_size
            return self.add_stream_later(name, src, size, compress=compress)

    def commit(self) -> None:
        """Finish the zip, fsync it, rename it over ``out`` and fsync the folder."""
        self._hasher.shutdown()
        self.zip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.tmp, self.out)
        dir_fd = os.open(self.out.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def abort(self) -> None:
        """Drop the temp file; ``out`` is never touched."""
        self._hasher.shutdown()
        with contextlib.suppress(OSError, ValueError):
            self.zip.close()
        self._file.close()
        self.tmp.unlink(missing_ok=True)


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open ``path`` as a zip or raise UnreadableContainerError naming the file."""
    try:
        return zipfile.ZipFile(path, "r")
    except FileNotFoundError as e:
        raise UnreadableContainerError(f"{path}: no such file") from e
    except (zipfile.BadZipFile, OSError) as e:
        raise UnreadableContainerError(f"{path}: not a readable ASiC-E zip container ({e})") from e


def hash_file(path: Path) -> bytes:
    """SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.digest()


def hash_member(zf: zipfile.ZipFile, name: str, progress: Callable[[int], None] | None) -> bytes:
    """SHA-256 of a member, streamed.

    Stored members are read straight from the file (the SHA-256 is checked against a signed
    digest, which the CRC-32 adds nothing to, and skipping it keeps verification near the speed
    of hashing alone); deflated members go through zipfile, which also checks their CRC.
    """
    info = zf.getinfo(name)
    h = hashlib.sha256()
    if info.compress_type == zipfile.ZIP_STORED and zf.filename is not None:
        with open(zf.filename, "rb") as f:
            f.seek(info.header_offset)
            header = f.read(30)
            if len(header) != 30 or header[:4] != b"PK\x03\x04":
                raise ProtocolError(f"{name}: bad local file header")
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
            if f.read(name_len) != info.orig_filename.encode(encoding):
                raise ProtocolError(f"{name}: local header names another file")
            if info.compress_size != info.file_size:
                raise ProtocolError(f"{name}: stored member with differing sizes")
            f.seek(extra_len, os.SEEK_CUR)
            left = info.file_size
            while left > 0:
                chunk = f.read(min(CHUNK, left))
                if not chunk:
                    raise ProtocolError(f"{name}: member truncated, {left} bytes missing")
                h.update(chunk)
                left -= len(chunk)
                if progress is not None:
                    progress(len(chunk))
        return h.digest()
    with zf.open(name) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return h.digest()
