"""How the container verifier looks at the recording: R1's log, Merkle tree and verifier.

Everything that depends on the action-log format is here, so the container code does not:
which entries are segments and checkpoints, what a Merkle leaf is, how protocol.json summarises
the recording. Checks: ``summary`` (protocol.json vs the log), ``signer`` (signer IIN is a
participant), ``evidence`` (every file protocol.json names — identity stills, exhibits, the photo
table, annotations — is signed with the SHA-256 the protocol states), ``recording`` (the recorder
verifier ran) plus the recorder's own checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protocol.errors import ProtocolError
from recorder.canonical import parse_json_object
from recorder.errors import RecorderError
from recorder.report import Check, Report, Status

RECORDING = "recording/"


@dataclass(frozen=True)
class LogView:
    """The parts of the action log the container code needs.

    ``segments`` are :class:`recorder.verify.Segment` records (``seq``, ``leaf_index``,
    ``track``, ``index``, ``file``, ``sha256``, ``start``, ``end``; :func:`segment_uri` names
    one in the container). ``entries`` is kept only by :func:`read_log_view`; the verifier's one
    pass keeps none and counts them.
    """

    entry_count: int
    segments: tuple[Any, ...]  # recorder.verify.Segment
    checkpoint: Any | None  # the last checkpoint LogEntry
    log_sha256: str | None = None  # of the log file, when the pass that read it computed it
    entries: tuple[Any, ...] = ()  # recorder.log.LogEntry, for read_log_view only

    @classmethod
    def of_scan(cls, scan: Any) -> LogView:
        """The view of what the recorder's one pass kept (a recorder.verify.LogScan)."""
        return cls(scan.entries, tuple(scan.segments), scan.checkpoint, scan.sha256)


def log_lines(log_path: Path) -> Iterator[bytes]:
    """The complete lines of the action log (without newlines), read 1 MiB at a time."""
    with open(log_path, "rb") as f:
        rest = b""
        while chunk := f.read(1 << 20):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            yield from lines


def lines_at(log_path: Path, indices: Iterable[int]) -> dict[int, bytes]:
    """The raw lines (Merkle leaf data) at ``indices`` of the log, in one pass."""
    wanted = set(indices)
    out: dict[int, bytes] = {}
    for i, line in enumerate(log_lines(log_path)):
        if i in wanted:
            out[i] = line
            if len(out) == len(wanted):
                break
    return out


def scan_log_view(log_path: Path) -> LogView:
    """The view of the log in ``log_path``'s folder from the recorder's one pass (no entries
    kept); a log that is not whole and chained raises read_log's own error."""
    from recorder.verify import scan_recording

    _, scan = scan_recording(log_path.parent, segment_files=False)
    if not scan.intact:
        return read_log_view(log_path)  # raises, naming what is wrong
    return LogView.of_scan(scan)


def segment_uri(segment: Any) -> str:
    """The member name of a logged segment in the container (``recording/media/...``)."""
    return RECORDING + str(segment.file)


def read_log_view(log_path: Path) -> LogView:
    """Read the whole action log with R1's reader (keeping its entries) and index it."""
    from recorder.log import read_log
    from recorder.verify import Segment

    entries = tuple(read_log(log_path))
    segments = tuple(Segment.of(e) for e in entries if e.kind == "segment_sealed")
    checkpoints = [e for e in entries if e.kind == "checkpoint"]
    return LogView(
        len(entries), segments, checkpoints[-1] if checkpoints else None, entries=entries
    )


#: a log read once for several checks: the view, or what reading it raised
LogRead = LogView | Exception


def _view(log_path: Path, read: LogRead | None) -> LogView:
    """The view of ``read`` (raising what reading raised), or the log read now."""
    if read is None:
        return read_log_view(log_path)
    if isinstance(read, Exception):
        raise read
    return read


def log_checks(
    action_dir: Path,
    proto_bytes: bytes | None,
    signers: Sequence[dict[str, Any]],
    container_id: str | None,
    signed: Mapping[str, bytes],
) -> tuple[list[Check], dict[str, Any], LogRead]:
    """Every check of the extracted recording, in this order: ``summary`` / ``signer``
    (:func:`protocol_checks`), ``evidence``, ``segment`` (:func:`segment_checks`) and the
    recorder's own (:func:`recorder.verify.scan_recording` without looking at the segment files,
    which are not extracted: :func:`segment_checks` compares their signed digests instead).

    The log is read once, entry by entry, keeping only a record per segment: the recorder's
    verifier returns what it kept when the log is whole and chained (read_log would accept it),
    and only otherwise is it read again, for read_log's own error. A two-hour log has some
    15,000 entries, each checked for canonical form and hash on parsing. Returns the checks,
    the recorder's facts and the log as read (for :func:`protocol.excerpt.excerpt_checks`).
    """
    log_path = action_dir / "log.jsonl"
    report, scan = _run_recorder(action_dir)
    read: LogRead
    if scan is not None and scan.intact:
        read = LogView.of_scan(scan)
    else:
        try:
            read = read_log_view(log_path)
        except Exception as e:  # each check reports it its own way
            read = e
    checks = protocol_checks(proto_bytes, log_path, signers, container_id, read=read)
    checks += evidence_checks(proto_bytes, signed)
    checks += segment_checks(log_path, signed, read=read)[0]
    rec_checks, facts = _merge_recorder(report)
    checks += rec_checks
    return checks, facts, read


def segment_checks(
    log_path: Path, signed: Mapping[str, bytes], *, read: LogRead | None = None
) -> tuple[list[Check], set[str]]:
    """``segment``: each logged segment's SHA-256 equals its signed ASiCManifest digest, and
    every signed ``.ts`` file is a logged segment. Returns the checks and the segment URIs.
    ``read``: the log already read (see :func:`log_checks`)."""
    try:
        view = _view(log_path, read)
    except Exception as e:  # reported by the summary check too; never raise from a verifier
        return [Check("segment", Status.FAILED, f"action log unreadable: {e}")], set()
    checks: list[Check] = []
    logged = set()
    for s in view.segments:
        uri = segment_uri(s)
        logged.add(uri)
        digest = signed.get(uri)
        if digest is None:
            checks.append(
                Check("segment", Status.FAILED, "logged but not in the ASiCManifest", uri)
            )
        elif digest.hex() != s.sha256:
            checks.append(
                Check(
                    "segment",
                    Status.FAILED,
                    f"log says SHA-256 {s.sha256}, signed digest is {digest.hex()}",
                    uri,
                )
            )
    for uri in signed:
        if uri.startswith(RECORDING + "media/") and uri.endswith(".ts") and uri not in logged:
            checks.append(Check("segment", Status.FAILED, "segment file not in the log", uri))
    if not checks:
        checks.append(
            Check("segment", Status.OK, f"{len(logged)} logged segments match their signed digests")
        )
    return checks, logged


def _run_recorder(action_dir: Path) -> tuple[Report | Check, Any | None]:
    """The recorder verifier's report and what its pass over the log kept
    (:class:`recorder.verify.LogScan`), or the failed ``recording`` check saying why it could
    not run (and None)."""
    try:
        from recorder.verify import scan_recording
    except ImportError as e:
        return Check("recording", Status.FAILED, f"recorder verifier unavailable: {e}"), None
    try:
        # segment files are not extracted: segment_checks compares their signed digests
        return scan_recording(action_dir, segment_files=False)
    except RecorderError as e:  # not a recording at all: no log, or no session_started first
        return Check("recording", Status.FAILED, str(e), "log.jsonl"), None


def _merge_recorder(report: Report | Check) -> tuple[list[Check], dict[str, Any]]:
    if isinstance(report, Check):
        return [report], {}
    return list(report.checks), dict(report.facts)


def _summary(proto: dict[str, Any]) -> dict[str, Any] | None:
    rec = proto.get("recording")
    return rec if isinstance(rec, dict) else None


def protocol_checks(
    proto_bytes: bytes | None,
    log_path: Path,
    signers: Sequence[dict[str, Any]],
    container_id: str | None = None,
    *,
    read: LogRead | None = None,
) -> list[Check]:
    """``summary``: protocol.json's recording summary matches the log; ``signer``: IINs.
    ``read``: the log already read (see :func:`log_checks`)."""
    if proto_bytes is None:
        return [Check("summary", Status.FAILED, "container has no protocol.json")]
    try:
        proto = parse_json_object(proto_bytes, what="protocol.json")
    except Exception as e:  # CanonicalJSONError from the recorder's strict parser
        return [Check("summary", Status.FAILED, str(e), "protocol.json")]
    checks: list[Check] = []
    doc_id = proto.get("document_id")
    if container_id is not None and doc_id is not None and doc_id != container_id:
        msg = f"protocol document_id {doc_id!r} is not the container id {container_id!r}"
        checks.append(Check("summary", Status.FAILED, msg, "protocol.json"))
    summary = _summary(proto)
    try:
        view = _view(log_path, read)
    except (ImportError, OSError, ProtocolError, RecorderError, KeyError, ValueError) as e:
        view = None
        checks.append(Check("summary", Status.FAILED, f"action log unreadable: {e}", "log.jsonl"))
    if summary is None:
        checks.append(Check("summary", Status.FAILED, "protocol.json has no recording summary"))
    elif view is not None:
        checks += _compare_summary(summary, view, log_path)
    checks += _signer_checks(proto, signers)
    return checks


def _evidence_files(node: Any) -> list[dict[str, Any]]:
    """Every evidence-file object (``{name, sha256, size}``) anywhere in protocol.json."""
    if isinstance(node, list):
        return [f for item in node for f in _evidence_files(item)]
    if not isinstance(node, dict):
        return []
    if set(node) == {"name", "sha256", "size"}:
        return [node]
    return [f for value in node.values() for f in _evidence_files(value)]


def evidence_checks(proto_bytes: bytes | None, signed: Mapping[str, bytes]) -> list[Check]:
    """``evidence``: each file protocol.json names has the signed digest the protocol states.

    A file the protocol names with another SHA-256 than the signed one fails; a file it names
    that the container does not hold is a warning (the record refers to something not kept).
    """
    if proto_bytes is None:
        return []
    try:
        proto = parse_json_object(proto_bytes, what="protocol.json")
    except Exception:  # reported by the summary check
        return []
    out: list[Check] = []
    files = {str(f["name"]): str(f["sha256"]) for f in _evidence_files(proto)}
    for name, sha in sorted(files.items()):
        uri = RECORDING + name
        digest = signed.get(uri)
        if digest is None:
            msg = "named in protocol.json but not kept in the container"
            out.append(Check("evidence", Status.WARNING, msg, uri))
        elif digest.hex() != sha:
            msg = f"protocol.json says SHA-256 {sha}, the signed digest is {digest.hex()}"
            out.append(Check("evidence", Status.FAILED, msg, uri))
    if files and not out:
        msg = f"{len(files)} evidence files named in protocol.json match their signed digests"
        out.append(Check("evidence", Status.OK, msg))
    return out


def _compare_summary(summary: dict[str, Any], view: LogView, log_path: Path) -> list[Check]:
    if view.checkpoint is None:
        return [Check("summary", Status.FAILED, "the action log has no checkpoint")]
    cp = view.checkpoint.data
    counts: dict[str, int] = {}
    for s in view.segments:
        counts[s.track] = counts.get(s.track, 0) + 1
    actual: dict[str, Any] = {
        "merkle_root": cp.get("root"),
        "tree_size": cp.get("tree_size"),
        "segments": counts,
    }
    optional = {
        "log_entries": view.entry_count,
        "log_sha256": view.log_sha256 or hashlib.sha256(log_path.read_bytes()).hexdigest(),
    }
    actual |= {k: v for k, v in optional.items() if k in summary}
    problems = [
        f"{k} is {summary.get(k)!r} in protocol.json but {v!r} in the log"
        for k, v in actual.items()
        if summary.get(k) != v
    ]
    if problems:
        return [Check("summary", Status.FAILED, "; ".join(problems), "protocol.json")]
    return [Check("summary", Status.OK, f"recording summary matches the log ({cp.get('root')})")]


def _signer_checks(proto: dict[str, Any], signers: Sequence[dict[str, Any]]) -> list[Check]:
    """Each signer's IIN must be a participant's; that participant must not have refused."""
    participants = proto.get("participants")
    if not isinstance(participants, list):
        return [Check("signer", Status.FAILED, "protocol.json lists no participants")]
    by_iin = {
        str(p["iin"]): str(p.get("id", ""))
        for p in participants
        if isinstance(p, dict) and p.get("iin")
    }
    status = {
        str(s.get("participant")): str(s.get("status"))
        for s in proto.get("signatures") or []
        if isinstance(s, dict)
    }
    out = []
    for s in signers:
        sub = s["signature"]
        pid = by_iin.get(str(s["iin"])) if s["iin"] else None
        if pid is None:
            msg = f"signer IIN {s['iin']!r} is not a participant of the protocol"
            out.append(Check("signer", Status.FAILED, msg, sub))
        elif status.get(pid) == "refused":
            msg = f"{s['name']} (IIN {s['iin']}) refused to sign according to the protocol"
            out.append(Check("signer", Status.FAILED, msg, sub))
        elif status.get(pid) == "signed":
            msg = f"{s['name']} (IIN {s['iin']}) is participant {pid}, who signed"
            out.append(Check("signer", Status.OK, msg, sub))
        else:
            msg = f"{s['name']} (IIN {s['iin']}) is participant {pid}; no signature recorded"
            out.append(Check("signer", Status.WARNING, msg, sub))
    return out
