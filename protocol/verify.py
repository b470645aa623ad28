"""Verify a Tergeu ASiC-E container (or an excerpt of one) offline.

Checks, by name: ``structure`` (mimetype first and stored, manifests parse, nothing unlisted),
``digest`` (every data object against every ASiCManifest), ``signature`` / ``trust`` /
``key-usage`` / ``timestamp`` (each CAdES signature, see :mod:`protocol.verify_signature`),
``summary`` (protocol.json's recording summary against the log), ``signer`` (each signer's IIN is
a participant of protocol.json), ``excerpt`` (inclusion proofs of an excerpt), plus the checks of
:func:`recorder.verify.verify_recording` run on the extracted action folder.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import hashlib
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from protocol.addenda import ADDENDA, addendum_checks, split_addenda
from protocol.asic import (
    ASIC_MANIFEST_RE,
    MIMETYPE,
    SIGNATURE_RE,
    AsicManifest,
    DataObject,
    Progress,
    check_member_name,
    open_zip,
    parse_odf_manifest,
)
from protocol.container import CONTAINER_JSON, RECORDING, read_container_json, read_manifests
from protocol.digests import StoredMember, hash_file, hash_stored_members
from protocol.errors import ProtocolError, UnreadableContainerError
from protocol.excerpt import EXCERPT_JSON, excerpt_checks, read_excerpt
from protocol.recording_checks import log_checks
from protocol.trust import load_trust_anchors
from protocol.verify_signature import validate_signature
from recorder.report import Check, Report, Status

_META_ALLOWED = ("META-INF/manifest.xml", EXCERPT_JSON)


def verify_container(
    path: Path,
    *,
    trust_anchors_dir: Path | None = None,
    media_dir: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Verify the container at ``path``; raise UnreadableContainerError if it is not one."""
    coro = async_verify_container(
        path, trust_anchors_dir=trust_anchors_dir, media_dir=media_dir, progress=progress
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # called from a loop: own loop
        return pool.submit(asyncio.run, coro).result()


async def async_verify_container(
    path: Path,
    *,
    trust_anchors_dir: Path | None = None,
    media_dir: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Async form of :func:`verify_container` (hashing runs in a worker thread)."""
    path = Path(path)
    anchors = load_trust_anchors(trust_anchors_dir) if trust_anchors_dir else None
    zf = open_zip(path)
    try:
        with _gc_paused():
            return await _verify(zf, path, anchors, media_dir, progress)
    finally:
        zf.close()


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # verifications running, whether the collector was enabled before


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a verification runs (several may overlap).

    A two-hour container allocates some half a million objects that live until the report
    (manifest entries, log entries with their data): the collector would walk them again and
    again as they grow — measured 0.3–0.5 CPU-seconds of a 2.5 s verify. They hold no cycles;
    the collector runs as usual again afterwards.
    """
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


def _structure(zf: zipfile.ZipFile) -> tuple[list[Check], dict[int, AsicManifest], dict[str, Any]]:
    """Structure checks; raises UnreadableContainerError when it is no ASiC-E at all."""
    infos = zf.infolist()
    if not infos or infos[0].filename != "mimetype":
        raise UnreadableContainerError("not an ASiC-E container: first member is not 'mimetype'")
    if zf.read("mimetype") != MIMETYPE.encode():
        raise UnreadableContainerError(
            f"mimetype is {zf.read('mimetype')[:60]!r}, expected {MIMETYPE}"
        )
    checks: list[Check] = []
    if infos[0].compress_type != zipfile.ZIP_STORED:
        checks.append(Check("structure", Status.FAILED, "mimetype is compressed, must be stored"))
    try:
        # Signed addenda (protocol/addenda.py) have manifests of their own, checked apart below.
        manifests, addendum_members = split_addenda(read_manifests(zf))
        meta = read_container_json(zf)
        listed = set(parse_odf_manifest(zf.read("META-INF/manifest.xml")))
    except KeyError as e:
        checks.append(Check("structure", Status.FAILED, f"missing {e.args[0]}"))
        return checks, {}, {}
    except ProtocolError as e:
        checks.append(Check("structure", Status.FAILED, str(e)))
        return checks, {}, {}
    if not manifests:
        checks.append(Check("structure", Status.FAILED, "no META-INF/ASiCManifestNNN.xml"))
        return checks, {}, meta
    listing = zf.namelist()
    names = set(listing)
    if len(names) != len(listing):
        checks.append(Check("structure", Status.FAILED, "a member name occurs twice in the zip"))
    first = manifests[min(manifests)]
    covered = set(first.by_uri())
    for number, manifest in sorted(manifests.items()):
        if manifest.sig_uri != f"META-INF/signature{number:03d}.p7s":
            msg = f"ASiCManifest{number:03d} references {manifest.sig_uri}"
            checks.append(Check("structure", Status.FAILED, msg))
        if manifest.sig_uri not in names:
            checks.append(Check("structure", Status.FAILED, f"missing {manifest.sig_uri}"))
        if set(manifest.by_uri()) != covered:
            msg = f"ASiCManifest{number:03d} covers other data objects than the first one"
            checks.append(Check("structure", Status.FAILED, msg))
    if CONTAINER_JSON not in covered:
        checks.append(Check("structure", Status.FAILED, f"{CONTAINER_JSON} is not signed"))
    for name in listing:
        if name == "mimetype" or name in covered or name in _META_ALLOWED:
            continue
        if name in addendum_members:  # verified by protocol.addenda.addendum_checks
            continue
        if ASIC_MANIFEST_RE.match(name) or (
            SIGNATURE_RE.match(name) and _referenced(name, manifests)
        ):
            continue
        checks.append(Check("structure", Status.FAILED, f"unlisted file {name!r}", name))
    for name in listed:
        if name not in names:
            checks.append(Check("structure", Status.FAILED, f"manifest.xml lists missing {name}"))
    if not any(c.status is Status.FAILED for c in checks):
        checks.append(
            Check(
                "structure",
                Status.OK,
                f"ASiC-E with {len(covered)} data objects, {len(manifests)} signature(s)",
            )
        )
    return checks, manifests, meta


def _may_have_addenda(zf: zipfile.ZipFile, manifests: dict[int, AsicManifest]) -> bool:
    """False only if the container has no ``addenda/`` member and every ASiCManifest is one
    of the protocol's (``manifests``): :func:`addendum_checks` then reports nothing, and its
    second parse of every manifest (0.25 s for a two-hour recording) is skipped."""
    names = zf.namelist()
    if any(n.startswith(ADDENDA) for n in names):
        return True
    return sum(1 for n in names if ASIC_MANIFEST_RE.match(n)) != len(manifests)


def _referenced(name: str, manifests: dict[int, AsicManifest]) -> bool:
    return any(m.sig_uri == name for m in manifests.values())


def _digests(
    zf: zipfile.ZipFile,
    manifests: dict[int, AsicManifest],
    meta: dict[str, Any],
    media_dir: Path | None,
    omitted_ok: Callable[[str], bool],
    stored: dict[str, bytes | ProtocolError],
    tick: Callable[[int], None],
) -> tuple[list[Check], list[str]]:
    """Compare each data object's digest with every manifest; return checks and omitted.

    ``stored`` holds the digests of the stored members, hashed while the structure was read
    (see :func:`_verify`); the other members (small deflated text) are hashed here.
    """
    names = set(zf.namelist())
    objects: dict[str, list[DataObject]] = {}
    for m in manifests.values():
        for o in m.objects:
            objects.setdefault(o.uri, []).append(o)
    checks: list[Check] = []
    omitted: list[str] = []
    matched = 0
    in_zip = [uri for uri in objects if uri in names and uri not in stored]
    hashed: dict[str, bytes | Exception] = {**stored, **_hash_through_zipfile(zf, in_zip, tick)}
    for uri, wanted in sorted(objects.items()):
        if uri in names:
            digest_or_error = hashed[uri]
            if isinstance(digest_or_error, Exception):
                msg = f"member unreadable: {digest_or_error}"
                checks.append(Check("digest", Status.FAILED, msg, uri))
                continue
            digest = digest_or_error
        elif meta.get("media_outside") and uri.startswith(RECORDING + "media/"):
            if media_dir is None:
                omitted.append(uri)
                continue
            outside = Path(media_dir) / uri[len(RECORDING + "media/") :]
            if not outside.is_file():
                checks.append(
                    Check("digest", Status.FAILED, f"missing in media folder: {outside}", uri)
                )
                continue
            digest = hash_file(outside)
        elif omitted_ok(uri):
            omitted.append(uri)
            continue
        else:
            checks.append(
                Check("digest", Status.FAILED, "listed in the ASiCManifest but missing", uri)
            )
            continue
        if all(w.sha256 == digest for w in wanted):
            matched += 1
        else:
            checks.append(
                Check(
                    "digest", Status.FAILED, f"SHA-256 is {digest.hex()}, not the signed one", uri
                )
            )
    if matched:
        checks.append(Check("digest", Status.OK, f"{matched} data objects match their digests"))
    if omitted and meta.get("media_outside") and media_dir is None:
        checks.append(
            Check(
                "digest",
                Status.WARNING,
                f"{len(omitted)} media files kept outside the "
                "container were not checked (give the media folder)",
            )
        )
    return checks, omitted


def _stored_members(zf: zipfile.ZipFile) -> list[StoredMember]:
    """Every stored data member (the bulk: media), in file order, to hash from its offset."""
    out = []
    for info in zf.infolist():
        if not _is_data(info.filename) or info.compress_type != zipfile.ZIP_STORED:
            continue
        if info.compress_size != info.file_size:
            continue  # left to zipfile, which reports it
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        raw = info.orig_filename.encode(encoding)
        out.append(StoredMember(info.filename, info.header_offset, info.file_size, raw))
    return sorted(out, key=lambda m: m.header_offset)


def _is_data(name: str) -> bool:
    return name != "mimetype" and not name.startswith("META-INF/")


def _hash_through_zipfile(
    zf: zipfile.ZipFile, uris: list[str], tick: Callable[[int], None]
) -> dict[str, bytes | Exception]:
    """SHA-256 of members through zipfile, which also checks their CRC-32 (deflated text)."""
    out: dict[str, bytes | Exception] = {}
    for uri in uris:
        info = zf.getinfo(uri)
        try:
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise ProtocolError(f"{uri}: stored member with differing sizes")
            with zf.open(info) as f:
                h = hashlib.sha256()
                while chunk := f.read(1 << 20):
                    h.update(chunk)
                out[uri] = h.digest()
            tick(info.file_size)
        except (zipfile.BadZipFile, zlib.error, ProtocolError, OSError, EOFError) as e:
            out[uri] = e
    return out


class _Ticker:
    """Counts hashed bytes from any thread and reports ``(done, total)``."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self._lock = threading.Lock()

    def __call__(self, n: int) -> None:
        if self.progress is not None:
            with self._lock:
                self.done += n
                self.progress(self.done, self.total)


async def _verify(
    zf: zipfile.ZipFile,
    path: Path,
    anchors: list[Any] | None,
    media_dir: Path | None,
    progress: Progress | None,
) -> Report:
    # The stored members (nearly all the bytes) are hashed on worker threads while everything
    # that does not need their digests runs: the structure and the manifests, the signatures,
    # and the recording's checks (the log's segment digests are compared with the *signed*
    # ones, so they need no computed hash). The computed digests are compared last.
    stored = _stored_members(zf)
    tick = _Ticker(progress, sum(i.file_size for i in zf.infolist() if _is_data(i.filename)))
    stop = threading.Event()
    # run_in_executor submits at once; a to_thread task would not start before the next await.
    hashing = asyncio.get_running_loop().run_in_executor(
        None, functools.partial(hash_stored_members, path, stored, progress=tick, stop=stop)
    )
    try:
        return await _verify_while_hashing(zf, path, anchors, media_dir, hashing, tick)
    finally:
        if not hashing.done():  # an early return or an error: stop reading, then wait
            stop.set()
            await asyncio.gather(hashing, return_exceptions=True)


async def _verify_while_hashing(
    zf: zipfile.ZipFile,
    path: Path,
    anchors: list[Any] | None,
    media_dir: Path | None,
    hashing: asyncio.Future[dict[str, bytes | ProtocolError]],
    tick: _Ticker,
) -> Report:
    checks, manifests, meta = _structure(zf)
    facts: dict[str, Any] = {"container_id": meta.get("container_id"), "format": meta.get("format")}
    kind = "container"
    excerpt = None
    if EXCERPT_JSON in zf.namelist():
        kind = "excerpt"
        try:
            excerpt = read_excerpt(zf)
        except ProtocolError as e:
            checks.append(Check("excerpt", Status.FAILED, str(e), EXCERPT_JSON))
    if not manifests:
        return Report.build(kind, str(path), checks, facts)

    signature_checks: list[Check] = []
    signers = []
    for number, manifest in sorted(manifests.items()):
        name = f"ASiCManifest{number:03d}.xml"
        try:
            p7s = zf.read(manifest.sig_uri)
        except (KeyError, zipfile.BadZipFile, zlib.error, OSError):
            continue  # reported by the structure check
        result = await validate_signature(
            manifest.sig_uri, zf.read(f"META-INF/{name}"), p7s, anchors
        )
        signature_checks += result.checks
        signers.append(
            {
                "signature": manifest.sig_uri,
                "name": result.identity.display_name if result.identity else None,
                "iin": result.identity.iin if result.identity else None,
                "demo": result.demo,
                "timestamp": result.signing_time,
            }
        )
    facts["signers"] = signers

    # --- signed addenda (refusals recorded after signing): protocol/addenda.py ---
    facts["addenda"] = []
    if _may_have_addenda(zf, manifests):  # else addendum_checks has nothing to say
        addenda = await addendum_checks(zf, anchors)
        signature_checks += addenda.checks
        facts["addenda"] = list(addenda.facts)

    omitted_ok: Callable[[str], bool] = (
        (lambda uri: uri in excerpt.omitted) if excerpt is not None else (lambda uri: False)
    )
    with tempfile.TemporaryDirectory(prefix="tergeu-verify-") as tmp:
        action_dir = Path(tmp) / "action"
        extracted = await asyncio.to_thread(_extract_recording, zf, action_dir, media_dir, meta)
        proto = zf.read("protocol.json") if "protocol.json" in zf.namelist() else None
        signed = {u: o.sha256 for u, o in manifests[min(manifests)].by_uri().items()}
        absent = {u for u in signed if u.startswith(RECORDING) and u not in extracted}
        recording = asyncio.ensure_future(
            asyncio.to_thread(
                log_checks, action_dir, proto, signers, meta.get("container_id"), signed, absent
            )
        )
        try:
            digest_checks, _omitted = await asyncio.to_thread(
                _digests, zf, manifests, meta, media_dir, omitted_ok, await hashing, tick
            )
        finally:
            rec_checks, rec_facts = await recording
        checks += digest_checks
        checks += signature_checks
        checks += rec_checks
        facts["recording"] = rec_facts
        if excerpt is not None:
            checks += excerpt_checks(excerpt, action_dir / "log.jsonl", zf)
            facts["excerpt"] = excerpt.describe()
    return Report.build(kind, str(path), checks, facts)


def _extract_recording(
    zf: zipfile.ZipFile, action_dir: Path, media_dir: Path | None, meta: dict[str, Any]
) -> set[str]:
    """Extract ``recording/`` except the segment files into ``action_dir``; return the member
    names (``recording/...``) now present there.

    Segments are not copied: their bytes were hashed against the signed ASiCManifest and the
    log's SHA-256 of each is compared with that digest (``segment`` checks), so the recorder's
    verifier checks the log, chain, checkpoints and playlists without hashing them twice.
    """
    action_dir.mkdir(mode=0o700)
    extracted: set[str] = set()
    for name in zf.namelist():
        if not name.startswith(RECORDING) or name.endswith("/") or _is_segment(name):
            continue
        try:
            check_member_name(name)
        except ProtocolError:
            continue  # never write outside the temp folder; reported as unlisted/unsafe
        target = action_dir / name[len(RECORDING) :]
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with zf.open(name) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            extracted.add(name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            target.unlink(missing_ok=True)  # reported by the digest check
    if meta.get("media_outside") and media_dir is not None:  # playlists kept beside
        for playlist in Path(media_dir).glob("*/*.m3u8"):
            target = action_dir / "media" / playlist.relative_to(media_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(playlist.read_bytes())
            extracted.add(f"{RECORDING}media/{playlist.relative_to(media_dir).as_posix()}")
    return extracted


def _is_segment(name: str) -> bool:
    return name.startswith(RECORDING + "media/") and name.endswith(".ts")
