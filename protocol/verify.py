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
import itertools
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from protocol.addenda import ADDENDA, addendum_checks, split_addenda
from protocol.asic import (
    ASIC_MANIFEST_RE,
    MIMETYPE,
    SIGNATURE_RE,
    Progress,
    check_member_name,
)
from protocol.container import CONTAINER_JSON, RECORDING, read_container_json
from protocol.digests import MemberDigests, hash_file, hash_stored_members
from protocol.errors import ProtocolError, UnreadableContainerError
from protocol.excerpt import EXCERPT_JSON, excerpt_checks, read_excerpt
from protocol.recording_checks import log_checks
from protocol.signed_objects import SignedObjects, listed_but_missing, read_signed_manifests
from protocol.trust import load_trust_anchors
from protocol.verify_signature import validate_signature
from protocol.zipread import STORED, MemberError, ZipReader
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
    zr = ZipReader(path)
    try:
        with _gc_paused():
            return await _verify(zr, path, anchors, media_dir, progress)
    finally:
        zr.close()


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


def _structure(
    zr: ZipReader, manifest_bytes: dict[int, bytes]
) -> tuple[list[Check], dict[int, SignedObjects], dict[str, Any]]:
    """Structure checks; raises UnreadableContainerError when it is no ASiC-E at all.

    The bytes of each ASiCManifest read go to ``manifest_bytes`` (its signature is over them).
    """
    if not len(zr) or zr.name_at(0) != "mimetype":
        raise UnreadableContainerError("not an ASiC-E container: first member is not 'mimetype'")
    try:
        mimetype = zr.read("mimetype")
    except MemberError as e:
        raise UnreadableContainerError(f"not an ASiC-E container: {e}") from e
    if mimetype != MIMETYPE.encode():
        raise UnreadableContainerError(f"mimetype is {mimetype[:60]!r}, expected {MIMETYPE}")
    checks: list[Check] = []
    if zr.member_at(0).method != STORED:
        checks.append(Check("structure", Status.FAILED, "mimetype is compressed, must be stored"))
    # manifest.xml is read first, so its bytes are gone before the ASiCManifests' are read
    # (they are kept for the signatures); a fault in it is reported in its turn, as before.
    listed_missing: list[str] = []
    odf_error: KeyError | ProtocolError | None = None
    try:
        listed_missing = listed_but_missing(zr.read("META-INF/manifest.xml"), zr)
    except (KeyError, ProtocolError) as e:
        odf_error = e
    try:
        # Signed addenda (protocol/addenda.py) have manifests of their own, checked apart below.
        manifests, addendum_members = split_addenda(
            read_signed_manifests(zr, intern=zr.intern, keep=manifest_bytes)
        )
        meta = read_container_json(zr)
        if odf_error is not None:
            raise odf_error
    except KeyError as e:
        checks.append(Check("structure", Status.FAILED, f"missing {e.args[0]}"))
        return checks, {}, {}
    except ProtocolError as e:
        checks.append(Check("structure", Status.FAILED, str(e)))
        return checks, {}, {}
    if not manifests:
        checks.append(Check("structure", Status.FAILED, "no META-INF/ASiCManifestNNN.xml"))
        return checks, {}, meta
    if zr.duplicates:
        checks.append(Check("structure", Status.FAILED, "a member name occurs twice in the zip"))
    first = manifests[min(manifests)]
    covered = bytearray(len(zr))  # by member position: listed in the first manifest
    for uri in first.uris:
        if (i := zr.index(uri)) is not None:
            covered[i] = 1
    for number, manifest in sorted(manifests.items()):
        if manifest.sig_uri != f"META-INF/signature{number:03d}.p7s":
            msg = f"ASiCManifest{number:03d} references {manifest.sig_uri}"
            checks.append(Check("structure", Status.FAILED, msg))
        if manifest.sig_uri not in zr:
            checks.append(Check("structure", Status.FAILED, f"missing {manifest.sig_uri}"))
        if manifest.uris != first.uris and set(manifest.uris) != set(first.uris):
            msg = f"ASiCManifest{number:03d} covers other data objects than the first one"
            checks.append(Check("structure", Status.FAILED, msg))
    if CONTAINER_JSON not in first.uris:
        checks.append(Check("structure", Status.FAILED, f"{CONTAINER_JSON} is not signed"))
    for i, name in enumerate(zr):
        if covered[i] or name == "mimetype" or name in _META_ALLOWED:
            continue
        if name in addendum_members:  # verified by protocol.addenda.addendum_checks
            continue
        if ASIC_MANIFEST_RE.match(name) or (
            SIGNATURE_RE.match(name) and _referenced(name, manifests)
        ):
            continue
        checks.append(Check("structure", Status.FAILED, f"unlisted file {name!r}", name))
    for name in listed_missing:
        checks.append(Check("structure", Status.FAILED, f"manifest.xml lists missing {name}"))
    if not any(c.status is Status.FAILED for c in checks):
        checks.append(
            Check(
                "structure",
                Status.OK,
                f"ASiC-E with {len(first.uris)} data objects, {len(manifests)} signature(s)",
            )
        )
    return checks, manifests, meta


def _may_have_addenda(zr: ZipReader, manifests: dict[int, SignedObjects]) -> bool:
    """False only if the container has no ``addenda/`` member and every ASiCManifest is one
    of the protocol's (``manifests``): :func:`addendum_checks` then reports nothing, and its
    second read of every manifest is skipped."""
    if any(n.startswith(ADDENDA) for n in zr):
        return True
    return sum(1 for n in zr if ASIC_MANIFEST_RE.match(n)) != len(manifests)


def _referenced(name: str, manifests: dict[int, SignedObjects]) -> bool:
    return any(m.sig_uri == name for m in manifests.values())


def _signed_digests(manifests: dict[int, SignedObjects]) -> Iterator[tuple[str, list[bytes]]]:
    """Each data object any manifest lists, in URI order, with the digest of each manifest
    that lists it (one manifest, or co-signatures over the same objects: no dict is built)."""
    ordered = [manifests[n] for n in sorted(manifests)]
    first = ordered[0]
    if any(m.uris != first.uris for m in ordered[1:]):  # reported by the structure check
        objects: dict[str, list[bytes]] = {}
        for m in ordered:
            for k, uri in enumerate(m.uris):
                objects.setdefault(uri, []).append(m.digest(k))
        yield from sorted(objects.items())
        return
    uris = first.uris
    in_order = all(a < b for a, b in itertools.pairwise(uris))
    for k in range(len(uris)) if in_order else sorted(range(len(uris)), key=uris.__getitem__):
        yield uris[k], [m.digests[32 * k : 32 * k + 32] for m in ordered]


def _digests(
    zr: ZipReader,
    manifests: dict[int, SignedObjects],
    meta: dict[str, Any],
    media_dir: Path | None,
    omitted_ok: Callable[[str], bool],
    stored: MemberDigests,
    extracted: dict[str, bytes],
    tick: Callable[[int], None],
) -> tuple[list[Check], list[str]]:
    """Compare each data object's digest with every manifest; return checks and omitted.

    ``stored`` holds the digests of the stored members, hashed while the structure was read
    (see :func:`_verify`), ``extracted`` those of the members extracted for the recording's
    checks; the other members (small deflated text) are hashed here.
    """
    if (matched := _all_match(zr, manifests, stored, extracted, tick)) is not None:
        return [Check("digest", Status.OK, f"{matched} data objects match their digests")], []
    checks: list[Check] = []
    omitted: list[str] = []
    matched = 0
    for uri, wanted in _signed_digests(manifests):
        i = zr.index(uri)
        if i is not None:
            digest_or_error = stored.get(i)
            if digest_or_error is None:
                digest_or_error = _text_digest(zr, uri, extracted, tick)
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
        if all(w == digest for w in wanted):
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


def _all_match(
    zr: ZipReader,
    manifests: dict[int, SignedObjects],
    stored: MemberDigests,
    extracted: dict[str, bytes],
    tick: Callable[[int], None],
) -> int | None:
    """The number of data objects if every one is in the zip, readable and has the digest
    every manifest lists (compared all at once); None to look at each (:func:`_digests`)."""
    first = manifests[min(manifests)]
    if any(m.uris != first.uris for m in manifests.values()):
        return None
    indices = [zr.index(uri) for uri in first.uris]
    present = [i for i in indices if i is not None]
    if len(present) != len(indices):
        return None
    for i in present:
        if i not in stored:  # deflated text: extracted already, or read here
            digest = _text_digest(zr, zr.name_at(i), extracted, tick)
            if isinstance(digest, ProtocolError):
                return None  # reported by the look at each
            stored.set(i, digest)
    together = stored.gather(present)
    if together is None or any(m.digests != together for m in manifests.values()):
        return None
    return len(present)


def _is_data(name: str) -> bool:
    return name != "mimetype" and not name.startswith("META-INF/")


def _text_digest(
    zr: ZipReader, uri: str, extracted: dict[str, bytes], tick: Callable[[int], None]
) -> bytes | ProtocolError:
    """SHA-256 of a member that was not hashed from its offset: taken from the extraction,
    else read through the reader."""
    if (digest := extracted.get(uri)) is not None:
        tick(zr.member(uri).size)
        return digest
    return _hash_through_reader(zr, uri, tick)


def _hash_through_reader(
    zr: ZipReader, uri: str, tick: Callable[[int], None]
) -> bytes | ProtocolError:
    """SHA-256 of a member read through the reader, which checks its CRC-32 (deflated text)."""
    h = hashlib.sha256()
    try:
        for chunk in zr.chunks(uri):
            h.update(chunk)
    except (ProtocolError, OSError) as e:
        return e if isinstance(e, ProtocolError) else ProtocolError(f"{uri}: {e}")
    tick(zr.member(uri).size)
    return h.digest()


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
    zr: ZipReader,
    path: Path,
    anchors: list[Any] | None,
    media_dir: Path | None,
    progress: Progress | None,
) -> Report:
    # The stored members (nearly all the bytes) are hashed on worker threads while everything
    # that does not need their digests runs: the structure and the manifests, the signatures,
    # and the recording's checks (the log's segment digests are compared with the *signed*
    # ones, so they need no computed hash). The computed digests are compared last.
    # Stored members whose two sizes differ are left out: read through the reader, they fail.
    stored, total = zr.stored_in_file_order(_is_data)
    tick = _Ticker(progress, total)
    stop = threading.Event()
    # run_in_executor submits at once; a to_thread task would not start before the next await.
    hashing = asyncio.get_running_loop().run_in_executor(
        None, functools.partial(hash_stored_members, zr, stored, progress=tick, stop=stop)
    )
    try:
        return await _verify_while_hashing(zr, path, anchors, media_dir, hashing, tick)
    finally:
        if not hashing.done():  # an early return or an error: stop reading, then wait
            stop.set()
            await asyncio.gather(hashing, return_exceptions=True)


async def _verify_while_hashing(
    zr: ZipReader,
    path: Path,
    anchors: list[Any] | None,
    media_dir: Path | None,
    hashing: asyncio.Future[MemberDigests],
    tick: _Ticker,
) -> Report:
    manifest_bytes: dict[int, bytes] = {}
    checks, manifests, meta = _structure(zr, manifest_bytes)
    facts: dict[str, Any] = {"container_id": meta.get("container_id"), "format": meta.get("format")}
    kind = "container"
    excerpt = None
    if EXCERPT_JSON in zr:
        kind = "excerpt"
        try:
            excerpt = read_excerpt(zr)
        except ProtocolError as e:
            checks.append(Check("excerpt", Status.FAILED, str(e), EXCERPT_JSON))
    if not manifests:
        return Report.build(kind, str(path), checks, facts)

    signature_checks: list[Check] = []
    signers = []
    for number, manifest in sorted(manifests.items()):
        try:
            p7s = zr.read(manifest.sig_uri)
        except (KeyError, ProtocolError, OSError):
            continue  # reported by the structure check
        result = await validate_signature(manifest.sig_uri, manifest_bytes[number], p7s, anchors)
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
    manifest_bytes.clear()  # megabytes for a long recording: not kept through the log checks

    # --- signed addenda (refusals recorded after signing): protocol/addenda.py ---
    facts["addenda"] = []
    if _may_have_addenda(zr, manifests):  # else addendum_checks has nothing to say
        addenda = await addendum_checks(zr, anchors)
        signature_checks += addenda.checks
        facts["addenda"] = list(addenda.facts)

    omitted_ok: Callable[[str], bool] = (
        (lambda uri: uri in excerpt.omitted) if excerpt is not None else (lambda uri: False)
    )
    with tempfile.TemporaryDirectory(prefix="tergeu-verify-") as tmp:
        action_dir = Path(tmp) / "action"
        extracted_digests = await asyncio.to_thread(
            _extract_recording, zr, action_dir, media_dir, meta
        )
        proto = _read_or_none(zr, "protocol.json")
        signed = manifests[min(manifests)].as_dict()
        recording = asyncio.ensure_future(
            asyncio.to_thread(
                log_checks, action_dir, proto, signers, meta.get("container_id"), signed
            )
        )
        try:
            digest_checks, _omitted = await asyncio.to_thread(
                _digests,
                zr,
                manifests,
                meta,
                media_dir,
                omitted_ok,
                await hashing,
                extracted_digests,
                tick,
            )
        finally:
            rec_checks, rec_facts, log_read = await recording
        checks += digest_checks
        checks += signature_checks
        checks += rec_checks
        facts["recording"] = rec_facts
        if excerpt is not None:
            checks += excerpt_checks(excerpt, action_dir / "log.jsonl", zr, read=log_read)
            facts["excerpt"] = excerpt.describe()
    return Report.build(kind, str(path), checks, facts)


def _extract_recording(
    zr: ZipReader, action_dir: Path, media_dir: Path | None, meta: dict[str, Any]
) -> dict[str, bytes]:
    """Extract ``recording/`` except the segment files into ``action_dir``; return the SHA-256
    of each member extracted (hashed on the way: the digest check does not read them again).

    Segments are not copied: their bytes were hashed against the signed ASiCManifest and the
    log's SHA-256 of each is compared with that digest (``segment`` checks), so the recorder's
    verifier checks the log, chain, checkpoints and playlists without hashing them twice.
    """
    action_dir.mkdir(mode=0o700)
    digests: dict[str, bytes] = {}
    for name in zr:
        if not name.startswith(RECORDING) or name.endswith("/") or _is_segment(name):
            continue
        try:
            check_member_name(name)
        except ProtocolError:
            continue  # never write outside the temp folder; reported as unlisted/unsafe
        target = action_dir / name[len(RECORDING) :]
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            h = hashlib.sha256()
            with open(target, "wb") as dst:
                for chunk in zr.chunks(name):
                    dst.write(chunk)
                    h.update(chunk)
            digests[name] = h.digest()
        except (ProtocolError, OSError):
            target.unlink(missing_ok=True)  # reported by the digest check
    if meta.get("media_outside") and media_dir is not None:  # playlists kept beside
        for playlist in Path(media_dir).glob("*/*.m3u8"):
            target = action_dir / "media" / playlist.relative_to(media_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(playlist.read_bytes())
    return digests


def _is_segment(name: str) -> bool:
    return name.startswith(RECORDING + "media/") and name.endswith(".ts")


def _read_or_none(zr: ZipReader, name: str) -> bytes | None:
    """Member ``name``, or None if it is missing or unreadable (reported by other checks)."""
    try:
        return zr.read(name)
    except (KeyError, ProtocolError, OSError):
        return None
