"""The Tergeu ASiC-E container: build it, co-sign it, read its parts.

Layout (``.asice``)::

    mimetype                        stored, first
    container.json                  Tergeu facts: format, container id, created, media_outside
    protocol.pdf  protocol.json     the protocol (P1)
    recording/log.jsonl             the action log
    recording/media/<track>/...     segments (stored) and playlists
    recording/evidence/...          identity evidence
    META-INF/manifest.xml           OpenDocument manifest of the data files
    META-INF/ASiCManifestNNN.xml    SHA-256 of every data object + SigReference to signatureNNN
    META-INF/signatureNNN.p7s       CAdES detached signature over ASiCManifestNNN.xml

Every write goes to a temp file which is fsynced and renamed, so a failure never damages an
existing container; co-signing rewrites the zip by streaming the members into a new file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pyhanko.sign.timestamps import TimeStamper

from protocol.asic import (
    ASIC_MANIFEST_RE,
    AsicManifest,
    DataObject,
    Progress,
    ZipOut,
    asic_manifest_xml,
    hash_file,
    mime_for,
    odf_manifest_xml,
    open_zip,
    parse_asic_manifest,
)
from protocol.errors import ProtocolError, UnreadableContainerError
from protocol.signing import Signer
from protocol.timestamp import add_signature_timestamp, http_timestamper
from protocol.zipread import Members
from recorder.canonical import canonical_json, parse_json_object

FORMAT = "tergeu-asice/1"
RECORDING = "recording/"
CONTAINER_JSON = "container.json"
_TEXT_SUFFIXES = (".json", ".jsonl", ".m3u8", ".xml", ".txt", ".pdf")


@dataclass(frozen=True)
class ContainerInfo:
    """What was written: the file, its id, how many data objects and signatures it holds."""

    path: Path
    container_id: str
    data_objects: int
    signatures: int
    media_outside: bool


def _recording_files(action_dir: Path) -> list[tuple[str, str, int]]:
    """(member name, path, size) of every file of the action folder, in path order.

    Names starting with a dot are temp files and skipped. One ``scandir`` pass with a single
    stat per file, paths kept as strings (a ``Path`` each cost more than the stat): a two-hour
    action holds over ten thousand segments.
    """
    if not (action_dir / "log.jsonl").is_file():
        raise ProtocolError(f"action folder {action_dir} has no log.jsonl")
    out: list[tuple[str, str, int]] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    out.append((prefix + entry.name, entry.path, entry.stat().st_size))

    walk(str(action_dir), RECORDING)
    out.sort(key=lambda f: f[0].split("/"))
    return out


def _is_media(name: str) -> bool:
    return name.startswith(RECORDING + "media/")


async def _sign_manifest(
    manifest_xml: bytes, signer: Signer, timestamper: TimeStamper | None
) -> bytes:
    sig = await signer.sign_detached(manifest_xml)
    if timestamper is not None:
        sig = await add_signature_timestamp(sig, timestamper)
    return sig


def _timestamper(tsa_url: str | None, timestamper: TimeStamper | None) -> TimeStamper | None:
    if tsa_url and timestamper is not None:
        raise ProtocolError("give either tsa_url or timestamper, not both")
    return http_timestamper(tsa_url) if tsa_url else timestamper


async def build_container(
    out: Path,
    *,
    action_dir: Path,
    protocol_pdf: bytes,
    protocol_json: bytes,
    signer: Signer,
    container_id: str,
    tsa_url: str | None = None,
    timestamper: TimeStamper | None = None,
    media_outside: bool = False,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> ContainerInfo:
    """Write a signed ASiC-E container for ``action_dir`` and the protocol to ``out``.

    Hashing and writing run in a worker thread; memory stays flat whatever the media size.
    With ``media_outside`` the media stay in ``action_dir/media`` (listed by digest only).
    An existing ``out`` is refused unless ``overwrite`` (then replaced only on success).
    """
    if Path(out).exists() and not overwrite:
        raise ProtocolError(f"{out} already exists; refusing to replace a container")
    if not container_id or "/" in container_id:
        raise ProtocolError(f"invalid container id {container_id!r}: expected a non-empty name")
    ts = _timestamper(tsa_url, timestamper)
    action_dir = Path(action_dir)
    info = {
        "format": FORMAT,
        "container_id": container_id,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "media_outside": media_outside,
    }
    first = (
        (CONTAINER_JSON, canonical_json(info)),
        ("protocol.pdf", protocol_pdf),
        ("protocol.json", protocol_json),
    )

    def write_data() -> tuple[ZipOut, list[DataObject], list[str]]:
        # per member only its name, its DataObject and the writer's 60-byte directory record
        # outlive this function: the file list goes when the copy is done
        files = _recording_files(action_dir)
        z = ZipOut(out, progress=progress, total=sum(size for _, _, size in files))
        try:
            objects: list[DataObject] = []
            for name, data in first:
                objects.append(DataObject(name, mime_for(name), z.add_bytes(name, data)))
            copied: list[str] = []
            for name, path, size in files:
                if media_outside and _is_media(name):
                    objects.append(DataObject(name, mime_for(name), hash_file(path)))
                else:
                    compress = name.endswith(_TEXT_SUFFIXES)
                    z.add_file(name, path, size=size, compress=compress)
                    copied.append(name)
            del files
            digests = z.digests()
            objects += [DataObject(name, mime_for(name), digests[name]) for name in copied]
            objects.sort(key=lambda o: o.uri)
            return z, objects, [name for name, _ in first] + copied
        except BaseException:
            z.abort()
            raise

    z, objects, listed = await asyncio.to_thread(write_data)
    try:
        manifest = asic_manifest_xml("META-INF/signature001.p7s", objects)
        signature = await _sign_manifest(manifest, signer, ts)

        def finish() -> None:
            z.add_bytes("META-INF/manifest.xml", odf_manifest_xml((n, mime_for(n)) for n in listed))
            z.add_bytes("META-INF/ASiCManifest001.xml", manifest)
            z.add_bytes("META-INF/signature001.p7s", signature, compress=False)
            z.commit()

        await asyncio.to_thread(finish)
    except BaseException:
        z.abort()
        raise
    return ContainerInfo(Path(out), container_id, len(objects), 1, media_outside)


def read_manifests(zf: Members) -> dict[int, AsicManifest]:
    """Every ``META-INF/ASiCManifestNNN.xml`` by number (raises ProtocolError on a bad one)."""
    out = {}
    for name in zf.namelist():
        if m := ASIC_MANIFEST_RE.match(name):
            out[int(m.group(1))] = parse_asic_manifest(zf.read(name), what=name)
    return out


def read_container_json(zf: Members) -> dict[str, object]:
    """The parsed ``container.json`` (format checked)."""
    try:
        data = zf.read(CONTAINER_JSON)
    except KeyError as e:
        raise ProtocolError(f"container has no {CONTAINER_JSON}") from e
    value = parse_json_object(data, what=CONTAINER_JSON)
    if value.get("format") != FORMAT:
        raise ProtocolError(
            f"{CONTAINER_JSON}: format {value.get('format')!r}, expected {FORMAT!r}"
        )
    return value


async def add_signature(
    container: Path,
    signer: Signer,
    *,
    tsa_url: str | None = None,
    timestamper: TimeStamper | None = None,
    progress: Progress | None = None,
) -> ContainerInfo:
    """Add a co-signature (new ASiCManifest + signature) without touching the earlier ones.

    The data objects are re-hashed while being copied; a mismatch with the first ASiCManifest
    raises ProtocolError and leaves ``container`` unchanged.
    """
    ts = _timestamper(tsa_url, timestamper)
    container = Path(container)

    def copy() -> tuple[ZipOut, AsicManifest, int, dict[str, object]]:
        with open_zip(container) as zf:
            try:
                manifests = read_manifests(zf)
                meta = read_container_json(zf)
            except ProtocolError as e:
                raise UnreadableContainerError(f"{container}: {e}") from e
            if not manifests:
                raise UnreadableContainerError(f"{container}: no ASiCManifest, nothing to co-sign")
            first = manifests[min(manifests)]
            expected = first.by_uri()
            names = [n for n in zf.namelist() if n != "mimetype"]
            total = sum(zf.getinfo(n).file_size for n in names)
            z = ZipOut(container, progress=progress, total=total)
            try:
                for name in names:
                    zi = zf.getinfo(name)
                    with zf.open(zi) as src:
                        compress = zi.compress_type != zipfile.ZIP_STORED
                        z.add_stream(name, src, zi.file_size, compress=compress)
                digests = z.digests()  # once: a copy per member made this quadratic
                for name in names:
                    want = expected.get(name)
                    if want is not None and want.sha256 != digests[name]:
                        raise ProtocolError(
                            f"{container}: {name} does not match its signed digest; "
                            "refusing to co-sign a changed container"
                        )
            except BaseException:
                z.abort()
                raise
            return z, first, max(manifests) + 1, meta

    z, first, number, meta = await asyncio.to_thread(copy)
    try:
        sig_uri = f"META-INF/signature{number:03d}.p7s"
        manifest = asic_manifest_xml(sig_uri, first.objects)
        signature = await _sign_manifest(manifest, signer, ts)

        def finish() -> None:
            z.add_bytes(f"META-INF/ASiCManifest{number:03d}.xml", manifest)
            z.add_bytes(sig_uri, signature, compress=False)
            z.commit()

        await asyncio.to_thread(finish)
    except BaseException:
        z.abort()
        raise
    os.chmod(container, 0o600)
    return ContainerInfo(
        container,
        str(meta.get("container_id", "")),
        len(first.objects),
        number,
        bool(meta.get("media_outside")),
    )
