"""The manifests of a container as the verifier needs them: compact, and fast to read.

A two-hour recording's ASiCManifest lists some 14,400 data objects. Parsed into an element
tree and a :class:`~protocol.asic.DataObject` each, one manifest cost ~0.15 s and ~5 MB held
(~30 MB while parsing); :class:`SignedObjects` keeps a URI (the zip reader's own ``str`` when
the member exists) and 32 digest bytes per object.

Manifests in exactly the layout Tergeu writes (:func:`~protocol.asic.asic_manifest_xml`,
:func:`~protocol.asic.odf_manifest_xml`) are read with one regular expression over the whole
text; the matches must tile the body exactly, so nothing between them goes unseen. Anything
else — another producer's layout, escaped characters, a name or digest the fast reader does
not accept — goes to the strict XML parsers of :mod:`protocol.asic`, which decide and name
the error. The fast reader never accepts what those parsers would reject or read otherwise.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

from protocol.asic import (
    ASIC_MANIFEST_RE,
    CADES_MIME,
    MIMETYPE,
    NS_ASIC,
    NS_DS,
    NS_MANIFEST,
    SHA256_URI,
    SIGNATURE_RE,
    parse_asic_manifest,
    parse_odf_manifest,
)
from protocol.errors import ProtocolError
from protocol.zipread import Members


@dataclass(frozen=True)
class SignedObjects:
    """One ASiCManifest: the signature it belongs to, its data objects' URIs in document order
    and their SHA-256 digests (``digests[32*k : 32*k + 32]`` is that of ``uris[k]``)."""

    sig_uri: str
    uris: tuple[str, ...]
    digests: bytes

    def __post_init__(self) -> None:
        if len(self.digests) != 32 * len(self.uris):
            raise ProtocolError(
                f"{len(self.digests)} digest bytes for {len(self.uris)} data objects, "
                "expected 32 each"
            )

    def digest(self, k: int) -> bytes:
        """The signed SHA-256 of ``uris[k]``."""
        return self.digests[32 * k : 32 * k + 32]

    def as_dict(self) -> dict[str, bytes]:
        """URI → signed SHA-256."""
        return {u: self.digest(k) for k, u in enumerate(self.uris)}


_PIECE = 1 << 18  # bytes of a manifest matched at a time

# An attribute value the fast reader takes: printable ASCII without quote, ampersand, angle
# brackets or backslash (an XML parser would unescape or normalise the rest).
_VALUE = rb"[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*"
_ASIC_HEAD = re.compile(
    rb'<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>\n'
    + re.escape(f'<asic:ASiCManifest xmlns:asic="{NS_ASIC}" xmlns:ds="{NS_DS}">\n'.encode())
    + rb'  <asic:SigReference URI="('
    + _VALUE
    + rb')" MimeType="'
    + re.escape(CADES_MIME.encode())
    + rb'"/>\n'
)
_ASIC_ENTRY_HEAD = b'  <asic:DataObjectReference URI="'
_ASIC_ENTRY = re.compile(
    re.escape(_ASIC_ENTRY_HEAD)
    + rb"("
    + _VALUE
    + rb')" MimeType="('
    + _VALUE
    + rb')">\n'
    + re.escape(f'    <ds:DigestMethod Algorithm="{SHA256_URI}"/>\n'.encode())
    + rb"    <ds:DigestValue>([A-Za-z0-9+/]{43}=)</ds:DigestValue>\n"
    + rb"  </asic:DataObjectReference>\n"
)
_ASIC_TAIL = b"</asic:ASiCManifest>\n"

_ODF_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<manifest:manifest xmlns:manifest="{NS_MANIFEST}" manifest:version="1.2">\n'
    f'  <manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>\n'
).encode()
_ODF_ENTRY_HEAD = b'  <manifest:file-entry manifest:full-path="'
_ODF_ENTRY = re.compile(
    re.escape(_ODF_ENTRY_HEAD) + rb"(" + _VALUE + rb')" '
    rb'manifest:media-type="(' + _VALUE + rb')"/>\n'
)
_ODF_TAIL = b"</manifest:manifest>\n"


def _entry_size(pattern: re.Pattern[bytes], sample: bytes) -> int:
    """Length of an entry of ``pattern`` minus its captured values (measured on ``sample``)."""
    m = pattern.fullmatch(sample)
    if m is None:  # pragma: no cover - the samples below are written to match
        raise AssertionError(f"sample does not match {pattern.pattern!r}")
    return len(sample) - sum(len(g) for g in m.groups())


_ASIC_ENTRY_FIXED = _entry_size(
    _ASIC_ENTRY,
    _ASIC_ENTRY_HEAD
    + b'a" MimeType="b">\n'
    + f'    <ds:DigestMethod Algorithm="{SHA256_URI}"/>\n'.encode()
    + b"    <ds:DigestValue>"
    + b"A" * 43
    + b"=</ds:DigestValue>\n"
    + b"  </asic:DataObjectReference>\n",
)
_ODF_ENTRY_FIXED = _entry_size(
    _ODF_ENTRY, b'  <manifest:file-entry manifest:full-path="a" manifest:media-type="b"/>\n'
)


def _tiled(size: int, fixed: int, found: list[tuple[bytes, ...]]) -> bool:
    """Whether the non-overlapping matches ``found`` (their groups) cover ``size`` bytes
    exactly: their lengths, the fixed part plus the captured values, add up to it."""
    return fixed * len(found) + sum(map(len, chain.from_iterable(found))) == size


def _pieces(data: bytes, start: int, end: int, entry_head: bytes) -> Iterator[tuple[int, int]]:
    """``data[start:end]`` as spans of about :data:`_PIECE` bytes, each cut where an entry
    begins: matched a span at a time, the lists of matches stay small. (An entry's opening
    text cannot occur inside a value, which admits no "<"; elsewhere it fails the tiling.)"""
    while start < end:
        cut = data.find(entry_head, start + _PIECE, end)
        stop = end if cut < 0 else cut
        yield start, stop
        start = stop


def _values(found: list[tuple[bytes, ...]], group: int) -> list[str]:
    """Group ``group`` of every match as text (the value pattern admits ASCII only)."""
    if not found:
        return []
    return b"\n".join(map(itemgetter(group), found)).decode("ascii").split("\n")


def _all_safe(names: list[str]) -> bool:
    """Whether :func:`~protocol.asic.check_member_name` accepts every name (values of the
    fast reader: no backslash). Joined by "/" with one around them, the names' parts are the
    joined text's parts: an empty name, an empty part or a leading or trailing "/" shows as
    "//", a part "." or ".." as "/./" or "/../"."""
    joined = "/" + "/".join(names) + "/"
    return not ("//" in joined or "/./" in joined or "/../" in joined)


def read_signed_objects(
    data: bytes, *, what: str = "ASiCManifest", intern: Callable[[str], str] = str
) -> SignedObjects:
    """Read an ASiCManifest (as strictly as :func:`~protocol.asic.parse_asic_manifest`).

    ``intern`` maps a URI to an equal ``str`` kept elsewhere (the zip reader's member name), so
    the manifest holds no copy of it.
    """
    fast = _fast_asic(data, intern)
    if fast is not None:
        return fast
    m = parse_asic_manifest(data, what=what)
    return SignedObjects(
        m.sig_uri, tuple(intern(o.uri) for o in m.objects), b"".join(o.sha256 for o in m.objects)
    )


def _fast_asic(data: bytes, intern: Callable[[str], str]) -> SignedObjects | None:
    head = _ASIC_HEAD.match(data)
    if head is None or not data.endswith(_ASIC_TAIL):
        return None
    sig_uri = head.group(1).decode()
    if not SIGNATURE_RE.match(sig_uri):
        return None
    uris: list[str] = []
    digests = bytearray()
    for start, end in _pieces(data, head.end(), len(data) - len(_ASIC_TAIL), _ASIC_ENTRY_HEAD):
        found = _ASIC_ENTRY.findall(data, start, end)
        if not _tiled(end - start, _ASIC_ENTRY_FIXED, found):
            return None
        names = _values(found, 0)
        if not _all_safe(names):
            return None  # the full parser names the unsafe one
        uris += map(intern, names)
        digests += b"".join(map(binascii.a2b_base64, map(itemgetter(2), found)))
    if len(set(uris)) != len(uris):
        return None
    return SignedObjects(sig_uri, tuple(uris), bytes(digests))


def listed_but_missing(data: bytes, present: Container[str]) -> list[str]:
    """The paths ``META-INF/manifest.xml`` lists (as :func:`~protocol.asic.parse_odf_manifest`
    reads them) that are not in ``present``: each once, in document order."""
    missing = _fast_odf_missing(data, present)
    if missing is None:
        missing = [p for p in parse_odf_manifest(data) if p not in present]
    return list(dict.fromkeys(missing))


def _fast_odf_missing(data: bytes, present: Container[str]) -> list[str] | None:
    if not (data.startswith(_ODF_HEAD) and data.endswith(_ODF_TAIL)):
        return None
    missing: list[str] = []
    for start, end in _pieces(data, len(_ODF_HEAD), len(data) - len(_ODF_TAIL), _ODF_ENTRY_HEAD):
        found = _ODF_ENTRY.findall(data, start, end)
        if not _tiled(end - start, _ODF_ENTRY_FIXED, found):
            return None
        missing += (p for p in _values(found, 0) if p not in present and p and p != "/")
    return missing


def read_signed_manifests(
    zf: Members, *, intern: Callable[[str], str] = str, keep: dict[int, bytes] | None = None
) -> dict[int, SignedObjects]:
    """Every ``META-INF/ASiCManifestNNN.xml`` of ``zf`` by number (ProtocolError on a bad one,
    KeyError if one cannot be found); their bytes go to ``keep`` if given (for the
    signatures, so they are not read twice)."""
    out = {}
    for name in zf.namelist():
        if m := ASIC_MANIFEST_RE.match(name):
            data = zf.read(name)
            out[int(m.group(1))] = read_signed_objects(data, what=name, intern=intern)
            if keep is not None:
                keep[int(m.group(1))] = data
    return out
