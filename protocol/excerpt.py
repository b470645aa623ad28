"""Excerpts: a container cut down to one time range that still verifies against the signatures.

Design: the excerpt keeps every member of the original container — ``container.json``, the
protocol, the full ``recording/log.jsonl`` (small), playlists, evidence, the ASiCManifests and the
original signatures — and drops only the segment files outside ``[start, end)``. The signatures
still verify because the ASiCManifests are unchanged; included segments are checked against their
signed digests, omitted ones are listed in ``META-INF/tergeu-excerpt.json`` (the only member added,
not signed, and checked entirely against signed data)::

    {"format": "tergeu-excerpt/1",
     "source": {"container_id": "...", "merkle_root": "<hex>", "tree_size": N, "checkpoint_seq": S},
     "range": {"from": 12.0, "to": 95.5},           # session seconds
     "first_entry": {"leaf_index": 0, "proof": ["<hex>", ...]},
     "segments": [{"uri": "recording/media/...ts", "seq": 17, "leaf_index": 17,
                   "proof": ["<hex>", ...]}, ...],
     "omitted": ["recording/media/...ts", ...]}

Each included segment's log entry comes with an RFC 6962 inclusion proof against the root of the
last signed checkpoint, so a reader holding only the excerpt can show that the segment belongs to
that record. Segments logged after the last checkpoint cannot be proven and are not included.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from protocol.asic import ZipOut, mime_for, odf_manifest_xml, open_zip, parse_odf_manifest
from protocol.errors import ProtocolError, UnreadableContainerError
from protocol.zipread import Members
from recorder.canonical import parse_json_object
from recorder.report import Check, Status

if TYPE_CHECKING:
    from protocol.recording_checks import LogRead

EXCERPT_JSON = "META-INF/tergeu-excerpt.json"
EXCERPT_FORMAT = "tergeu-excerpt/1"


@dataclass(frozen=True)
class Excerpt:
    """A parsed ``tergeu-excerpt.json``."""

    container_id: str
    merkle_root: str
    tree_size: int
    checkpoint_seq: int
    start: float
    end: float
    first_proof: tuple[str, ...]
    segments: tuple[dict[str, Any], ...]
    omitted: frozenset[str]

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ProtocolError(f"excerpt range {self.start}..{self.end}: start must be before end")
        if self.tree_size < 1:
            raise ProtocolError(f"excerpt tree_size {self.tree_size}: expected at least 1")

    def describe(self) -> dict[str, Any]:
        return {
            "container_id": self.container_id,
            "merkle_root": self.merkle_root,
            "tree_size": self.tree_size,
            "from": self.start,
            "to": self.end,
            "segments": len(self.segments),
            "omitted": len(self.omitted),
        }


def read_excerpt(zf: Members) -> Excerpt:
    """Parse the excerpt description of ``zf`` strictly."""
    d = parse_json_object(zf.read(EXCERPT_JSON), what=EXCERPT_JSON)
    try:
        if d["format"] != EXCERPT_FORMAT:
            raise ProtocolError(
                f"{EXCERPT_JSON}: format {d['format']!r}, expected {EXCERPT_FORMAT}"
            )
        src, rng = d["source"], d["range"]
        return Excerpt(
            container_id=str(src["container_id"]),
            merkle_root=str(src["merkle_root"]),
            tree_size=int(src["tree_size"]),
            checkpoint_seq=int(src["checkpoint_seq"]),
            start=float(rng["from"]),
            end=float(rng["to"]),
            first_proof=tuple(str(p) for p in d["first_entry"]["proof"]),
            segments=tuple(dict(s) for s in d["segments"]),
            omitted=frozenset(str(u) for u in d["omitted"]),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ProtocolError(f"{EXCERPT_JSON}: malformed ({e!r})") from e


def make_excerpt(container: Path, out: Path, *, start: float, end: float) -> dict[str, Any]:
    """Write an excerpt of ``container`` for session seconds ``[start, end)`` to ``out``."""
    from protocol.recording_checks import log_lines, scan_log_view, segment_uri
    from recorder.merkle import leaf_hash

    if not start < end:
        raise ProtocolError(f"excerpt range {start}..{end}: start must be before end")
    with open_zip(Path(container)) as zf, tempfile.TemporaryDirectory() as tmp:
        if EXCERPT_JSON in zf.namelist():
            raise ProtocolError(f"{container} is already an excerpt; cut from the full container")
        try:
            meta = parse_json_object(zf.read("container.json"), what="container.json")
            log_path = Path(tmp) / "log.jsonl"
            log_path.write_bytes(zf.read("recording/log.jsonl"))
        except KeyError as e:
            raise UnreadableContainerError(f"{container}: missing {e.args[0]}") from e
        view = scan_log_view(log_path)  # one pass, no entries kept; raises if not intact
        if view.checkpoint is None:
            raise ProtocolError(f"{container}: the action log has no checkpoint to prove against")
        cp = view.checkpoint.data
        tree_size = int(cp["tree_size"])
        hashes = bytearray()  # 32 bytes per leaf: the lines themselves are not kept
        for i, line in enumerate(log_lines(log_path)):
            if i == tree_size:
                break
            hashes += leaf_hash(line)
        prove = _Prover(bytes(hashes)).proof
        chosen = [
            s for s in view.segments if s.leaf_index < tree_size and s.end > start and s.start < end
        ]
        if not chosen:
            raise ProtocolError(
                f"no signed segment lies in {start}..{end} s (recording covers {_span(view)})"
            )
        keep = {segment_uri(s) for s in chosen}
        all_segments = {segment_uri(s) for s in view.segments}
        present = set(zf.namelist())
        omitted = sorted((all_segments - keep) & present)
        description = {
            "format": EXCERPT_FORMAT,
            "source": {
                "container_id": meta.get("container_id"),
                "merkle_root": cp["root"],
                "tree_size": tree_size,
                "checkpoint_seq": int(view.checkpoint.seq),
            },
            "range": {"from": start, "to": end},
            "first_entry": {"leaf_index": 0, "proof": _hex(prove(0))},
            "segments": [
                {
                    "uri": segment_uri(s),
                    "seq": s.seq,
                    "leaf_index": s.leaf_index,
                    "proof": _hex(prove(s.leaf_index)),
                }
                for s in chosen
            ],
            "omitted": omitted,
        }
        z = ZipOut(Path(out))
        try:
            for zi in zf.infolist():
                if zi.filename == "mimetype" or zi.filename in omitted:
                    continue
                if zi.filename == "META-INF/manifest.xml":  # unsigned: list what is kept
                    kept = [n for n in parse_odf_manifest(zf.read(zi)) if n not in omitted]
                    z.add_bytes(zi.filename, odf_manifest_xml((n, mime_for(n)) for n in kept))
                    continue
                with zf.open(zi) as src:
                    compress = zi.compress_type != zipfile.ZIP_STORED
                    z.add_stream(zi.filename, src, zi.file_size, compress=compress)
            z.add_bytes(EXCERPT_JSON, json.dumps(description, indent=1).encode())
            z.commit()
        except BaseException:
            z.abort()
            raise
    return description


class _Prover:
    """RFC 6962 audit paths for many leaves of one tree, each subtree root computed once.

    ``recorder.merkle.inclusion_proof`` rehashes the whole tree per call; an excerpt of a long
    recording needs hundreds of proofs, so subtree roots are memoised here (same hashes:
    ``recorder.merkle.leaf_hash`` / ``node_hash``; the tests check the result against
    ``recorder.merkle.verify_inclusion``).
    """

    def __init__(self, leaf_hashes: bytes) -> None:
        """``leaf_hashes``: the leaves' hashes (``recorder.merkle.leaf_hash``), 32 bytes each."""
        self._hashes = leaf_hashes
        self._size = len(leaf_hashes) // 32
        self._roots: dict[tuple[int, int], bytes] = {}

    def _root(self, lo: int, hi: int) -> bytes:
        from recorder.merkle import node_hash

        if hi - lo == 1:
            return self._hashes[32 * lo : 32 * lo + 32]
        key = (lo, hi)
        if key not in self._roots:
            k = 1 << ((hi - lo - 1).bit_length() - 1)
            self._roots[key] = node_hash(self._root(lo, lo + k), self._root(lo + k, hi))
        return self._roots[key]

    def proof(self, index: int) -> list[bytes]:
        if not 0 <= index < self._size:
            raise ProtocolError(f"leaf {index} is outside the tree of {self._size}")
        path: list[bytes] = []
        lo, hi = 0, self._size
        while hi - lo > 1:
            k = 1 << ((hi - lo - 1).bit_length() - 1)
            if index < lo + k:
                path.append(self._root(lo + k, hi))
                hi = lo + k
            else:
                path.append(self._root(lo, lo + k))
                lo = lo + k
        return path[::-1]


def _int(value: Any) -> int:
    """``value`` as a leaf index, -1 (never one) for anything that is not an integer."""
    return value if type(value) is int else -1


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _span(view: Any) -> str:
    if not view.segments:
        return "no segments"
    return f"{min(s.start for s in view.segments)}..{max(s.end for s in view.segments)} s"


def _hex(proof: Any) -> list[str]:
    return [p.hex() if isinstance(p, bytes | bytearray) else str(p) for p in proof]


def _unhex(values: Any) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def excerpt_checks(
    excerpt: Excerpt, log_path: Path, zf: Members, *, read: LogRead | None = None
) -> list[Check]:
    """``excerpt``: the source matches the signed log and every inclusion proof holds.

    ``read``: the log as the verifier's one pass read it (else it is read here, the same way);
    the lines to prove are then picked from the file in one more pass, never held all at once.
    """
    from protocol.recording_checks import lines_at, scan_log_view, segment_uri
    from recorder.merkle import verify_inclusion

    try:
        if read is None:
            view = scan_log_view(log_path)
        elif isinstance(read, Exception):
            raise read
        else:
            view = read
    except Exception as e:  # any unreadable log is reported, not raised
        return [Check("excerpt", Status.FAILED, f"action log unreadable: {e}")]
    cp = view.checkpoint
    if (
        cp is None
        or cp.data.get("root") != excerpt.merkle_root
        or int(cp.data.get("tree_size", -1)) != excerpt.tree_size
        or int(cp.seq) != excerpt.checkpoint_seq
    ):
        return [
            Check(
                "excerpt", Status.FAILED, "excerpt source does not match the log's last checkpoint"
            )
        ]
    root = bytes.fromhex(excerpt.merkle_root)
    checks: list[Check] = []
    by_uri = {segment_uri(s): s for s in view.segments}
    names = set(zf.namelist())
    wanted = {0} | {_int(seg.get("leaf_index", -1)) for seg in excerpt.segments}
    leaves = lines_at(log_path, (i for i in wanted if 0 <= i < view.entry_count))

    def proven(index: int, proof: Any) -> bool:
        leaf = leaves.get(index)
        if leaf is None:
            return False
        try:
            return bool(verify_inclusion(leaf, index, excerpt.tree_size, _unhex(proof), root))
        except Exception:  # a malformed proof is a failed proof
            return False

    if not proven(0, excerpt.first_proof):
        checks.append(
            Check("excerpt", Status.FAILED, "proof of the first log entry does not match")
        )
    for seg in excerpt.segments:
        uri = str(seg.get("uri"))
        ref = by_uri.get(uri)
        idx = _int(seg.get("leaf_index", -1))
        if ref is None or ref.leaf_index != idx or uri not in names:
            checks.append(
                Check("excerpt", Status.FAILED, "segment not in the log or the excerpt", uri)
            )
        elif not proven(idx, seg.get("proof", [])):
            checks.append(Check("excerpt", Status.FAILED, "inclusion proof does not match", uri))
    for uri in excerpt.omitted:
        if uri not in by_uri or uri in names:
            checks.append(
                Check("excerpt", Status.FAILED, "omitted entry is not an absent segment", uri)
            )
    if not checks:
        # a warning, not OK: the report is intact, but a reader must know it is partial
        checks.append(
            Check(
                "excerpt",
                Status.WARNING,
                f"EXCERPT of {excerpt.container_id} (Merkle root {excerpt.merkle_root}, "
                f"{excerpt.tree_size} entries), session {_hms(excerpt.start)}–"
                f"{_hms(excerpt.end)}: {len(excerpt.segments)} segments proven, "
                f"{len(excerpt.omitted)} omitted",
            )
        )
    return checks
