"""The recording verifier: is this action folder exactly what was recorded?

Checks (names are stable; tests and ``tergeu verify`` rely on them): ``log-parse`` (every line
complete, canonical, of a known kind), ``chain`` (hash links), ``merkle`` (each checkpoint's
tree size and root recomputed from the entries before it), ``checkpoint`` (Ed25519 signatures by
the key in force; entries after the last one), ``segment`` (file exists with the logged size and
SHA-256), ``continuity`` (per track: consecutive indexes, no unexplained gap or overlap),
``unlisted-file`` (nothing in ``media/`` the log does not list) and ``recovered``.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recorder.checkpoints import checkpoint_signature_valid
from recorder.entries import LogEntry, link_problem, parse_line
from recorder.errors import UnreadableError
from recorder.kinds import LogFormatError
from recorder.log import LOG_NAME
from recorder.merkle import MerkleAccumulator
from recorder.report import Check, Report, Status

CHUNK = 1 << 20
MAX_LISTED = 50  # problems of one check listed one by one before being summarised


def hms(seconds: float) -> str:
    """Session seconds as ``HH:MM:SS``."""
    s = max(int(seconds), 0)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@dataclass(frozen=True, slots=True)  # one per segment: some 15,000 for two hours
class Segment:
    """A ``segment_sealed`` entry as the verifier uses it."""

    seq: int
    track: str
    index: int
    file: str
    size: int
    sha256: str
    start: float
    end: float
    recovered: bool

    @classmethod
    def of(cls, e: LogEntry) -> Segment:
        d = e.data
        return cls(
            e.seq,
            sys.intern(d["track"]),  # a handful of tracks, thousands of segments each
            d["index"],
            d["file"],
            d["size"],
            d["sha256"],
            float(d["start"]),
            float(d["end"]),
            d["recovered"],
        )

    @property
    def leaf_index(self) -> int:
        """Its index among the Merkle tree's leaves (one leaf per log entry, in order)."""
        return self.seq

    @property
    def subject(self) -> str:
        return f"{self.track} segment {self.index} ({hms(self.start)}–{hms(self.end)})"


def sha256_file(path: Path | str) -> str:
    """SHA-256 (hex) of a file, streamed in 1 MiB chunks (hashlib releases the GIL)."""
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


class _Checks:
    def __init__(self) -> None:
        self.items: list[Check] = []
        self.counts: dict[str, int] = defaultdict(int)

    def add(
        self, name: str, status: Status, message: str, subject: str = "", **details: Any
    ) -> None:
        if status is not Status.OK:
            self.counts[name] += 1
            if self.counts[name] == MAX_LISTED + 1:
                self.items.append(Check(name, status, "further problems of this kind not listed"))
            if self.counts[name] > MAX_LISTED:
                return
        self.items.append(Check(name, status, message, subject, details))

    def listed(self, name: str) -> bool:
        """Whether the next problem of check ``name`` is listed (rather than only counted)."""
        return self.counts[name] < MAX_LISTED

    def ok_unless_failed(self, name: str, message: str) -> None:
        if not any(c.name == name and c.status is Status.FAILED for c in self.items):
            self.items.append(Check(name, Status.OK, message))


@dataclass
class LogScan:
    """What one pass over the action log keeps: little per entry, so memory does not grow with
    the length of the recording beyond one small record per segment.

    ``events`` are the parsed entries of the kinds the continuity check looks at (tracks,
    pauses, departures, camera interruptions, crashes, warnings); segments and checkpoints are
    kept as :class:`Segment` records and the last checkpoint entry.
    """

    entries: int = 0  # complete lines
    segments: list[Segment] = field(default_factory=list)
    events: list[LogEntry] = field(default_factory=list)
    checkpoint: LogEntry | None = None  # the last one parsed
    intact: bool = False  # every line complete, parsed and chained
    sha256: str = ""  # of the whole file as read


# the kinds _explanations and _check_continuity read
EVENT_KINDS = frozenset(
    {
        "track_started",
        "track_ended",
        "crash_recovered",
        "recording_paused",
        "recording_resumed",
        "participant_left",
        "participant_joined",
        "participant_admitted",
        "participant_reconnected",
        "camera_interrupted",
        "camera_resumed",
        "warning",
    }
)


class _LogReader:
    """Reads the log once, entry by entry: parses each line (``log-parse``), checks its link
    (``chain``), recomputes the Merkle tree and checks each checkpoint against it and its
    signature (``merkle``, ``checkpoint``), and keeps a :class:`LogScan`.

    Each check keeps its own list, so the report lists them in the same order as ever: every
    ``log-parse`` problem, then ``chain``, then ``merkle``/``checkpoint``.
    """

    def __init__(self, offer: Callable[[LogEntry], None]) -> None:
        self.parse, self.chain, self.cps = _Checks(), _Checks(), _Checks()
        self.scan = LogScan()
        self._offer = offer
        self._tree = MerkleAccumulator()
        self._prev: str | None = None
        self._chained = True
        self._action_id = ""
        self._key = ""
        self._keys: list[str] = []
        self._last_good: int | None = None
        self._count = 0

    def read(self, log_path: Path) -> None:
        digest = hashlib.sha256()
        try:
            with open(log_path, "rb") as f:
                rest = b""
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                    lines = (rest + chunk).split(b"\n")
                    rest = lines.pop()
                    for line in lines:
                        self._line(line, log_path)
        except FileNotFoundError as e:
            raise UnreadableError(f"{log_path.parent} is not a recording: no {LOG_NAME}") from e
        except OSError as e:
            raise UnreadableError(f"cannot read {log_path}: {e}") from e
        if self.scan.entries == 0:  # not even one complete line
            self._first(rest, log_path)
        self.scan.sha256 = digest.hexdigest()
        if rest:
            self.parse.add(
                "log-parse",
                Status.FAILED,
                f"incomplete last line ({len(rest)} bytes without a newline): the log was cut "
                "mid-write; run `tergeu recover`",
                f"{LOG_NAME} line {self.scan.entries + 1}",
            )
        self.scan.intact = self._chained and not rest

    def _first(self, raw: bytes, log_path: Path) -> LogEntry:
        try:
            first = parse_line(raw, what=f"{LOG_NAME} line 1")
        except LogFormatError as e:
            raise UnreadableError(f"{log_path.parent} is not a recording: {e}") from e
        if first.kind != "session_started" or self.scan.entries == 0:
            raise UnreadableError(
                f"{log_path.parent} is not a recording: the first log line is {first.kind!r}, "
                "expected a complete session_started entry"
            )
        return first

    def _line(self, line: bytes, log_path: Path) -> None:
        i = self.scan.entries
        self.scan.entries = i + 1
        if i == 0:
            first = self._first(line, log_path)
            self._action_id = str(first.data["action_id"])
            self._key = str(first.data["public_key"])
            self._keys.append(self._key)
        try:
            entry: LogEntry | None = parse_line(line, what=f"line {i + 1}", kept=False)
        except LogFormatError as e:
            entry = None
            self.parse.add("log-parse", Status.FAILED, str(e), f"{LOG_NAME} line {i + 1}")
        if entry is None:
            self._prev = None
            self._chained = False
        else:
            problem = link_problem(entry, i, self._prev)
            if problem:
                subject = f"{LOG_NAME} line {i + 1} ({entry.kind})"
                self.chain.add("chain", Status.FAILED, problem, subject)
                self._chained = False
            self._prev = entry.hash
            kind = entry.kind
            if kind == "segment_sealed":
                self.scan.segments.append(Segment.of(entry))
                self._offer(entry)
            elif kind == "checkpoint":
                self._checkpoint(entry, i)
            else:
                if kind == "key_rotated":
                    self._rotated(entry, i)
                if kind in EVENT_KINDS:
                    self.scan.events.append(entry)
        self._tree.append(line)

    def _rotated(self, e: LogEntry, i: int) -> None:
        self._key = str(e.data["public_key"])
        self._keys.append(self._key)
        self.cps.add(
            "checkpoint",
            Status.WARNING,
            f"signing key replaced by {self._key[:16]}… ({e.data['reason']}); later entries "
            "are authenticated by the new key only",
            f"{LOG_NAME} line {i + 1}",
        )

    def _checkpoint(self, e: LogEntry, i: int) -> None:
        self._count += 1
        self.scan.checkpoint = e
        subject = f"checkpoint at line {i + 1}"
        d = e.data
        root = self._tree.root().hex()
        ok = True
        if d["tree_size"] != i:
            self.cps.add(
                "merkle",
                Status.FAILED,
                f"tree_size is {d['tree_size']}, but {i} entries precede it",
                subject,
            )
            ok = False
        elif d["root"] != root:
            self.cps.add(
                "merkle",
                Status.FAILED,
                f"signed root {d['root'][:16]}… but the entries before it give {root[:16]}… "
                "(an earlier entry was changed)",
                subject,
            )
            ok = False
        valid, why = checkpoint_signature_valid(d, self._action_id, self._key)
        if not valid:
            self.cps.add("checkpoint", Status.FAILED, why, subject)
            ok = False
        if ok:
            self._last_good = i

    def finish(self, checks: _Checks, facts: dict[str, Any]) -> None:
        """Add every check in the report's order to ``checks`` and the log's facts."""
        n = self.scan.entries
        self.parse.ok_unless_failed("log-parse", f"{n} entries parsed")
        self.chain.ok_unless_failed("chain", f"{n} entries chained")
        root = self._tree.root().hex()
        facts.update(
            tree_size=n,
            merkle_root=root,
            checkpoints=self._count,
            public_keys=self._keys,
            action_id=self._action_id,
        )
        cps = self.cps
        cps.ok_unless_failed("merkle", f"root of {n} entries {root}")
        if self._count == 0:
            cps.add("checkpoint", Status.FAILED, "the log has no signed checkpoint")
        else:
            if self._last_good is not None:
                after = n - self._last_good - 1
                facts["signed_entries"] = self._last_good
                if after:
                    cps.add(
                        "checkpoint",
                        Status.WARNING,
                        f"{after} entries after the last signed checkpoint (line "
                        f"{self._last_good + 1}) are not authenticated by a signature",
                    )
            cps.ok_unless_failed("checkpoint", f"{self._count} checkpoint signature(s) valid")
        for part in (self.parse, self.chain, cps):
            checks.items += part.items


def _hash_one(p: str) -> str | OSError:
    try:
        return sha256_file(p)
    except OSError as e:
        return e


def _join(folder: str, file: str) -> str:
    """``folder/file`` for a logged file: a relative path under media/ without empty, ``.`` or
    ``..`` parts (recorder.kinds checks it), so os.path.join would give the same string."""
    return f"{folder}/{file}"


class _Listing:
    """The names in every folder below ``media/``, from one walk: a segment file that its
    folder does not list is missing without an lstat of its own.

    The container verifier extracts no segment files (it checks their digests itself), so
    there every one of some 15,000 segments would otherwise cost two failing lstat calls.
    A folder the walk did not list (unreadable, or reached through a symlink) says nothing:
    its files are looked up one by one as before.
    """

    def __init__(self, media: str) -> None:
        self._names: dict[str, set[str]] = {}
        for root, dirs, files in os.walk(media):
            self._names[root] = {*dirs, *files}

    def absent(self, path: str) -> bool:
        """True if ``path``'s folder was listed without ``path`` in it."""
        folder, _, name = path.rpartition("/")  # paths from _join: no trailing slash
        names = self._names.get(folder)
        return names is not None and name not in names


class _Hasher:
    """Hashes segment files on a pool of threads, starting while the log is still being read.

    A file is hashed early only if it is a regular file of the logged size (never a symlink,
    FIFO or device: the checks in :func:`_check_segments` decide what it is).
    """

    def __init__(self, action_dir: Path) -> None:
        self.action_dir = str(action_dir)  # paths as strings: a Path each costs more than its lstat
        self.listing = _Listing(os.path.join(self.action_dir, "media"))
        workers = max(2, min(8, (os.cpu_count() or 2)))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verify-hash")
        self._futures: dict[str, Future[str | OSError]] = {}

    def offer(self, e: LogEntry) -> None:
        """Start hashing the file of a ``segment_sealed`` entry as soon as it is parsed."""
        if e.kind != "segment_sealed":
            return
        path = _join(self.action_dir, str(e.data["file"]))
        if self.listing.absent(path):
            return
        try:
            st = os.lstat(path)
        except OSError:
            return
        if stat.S_ISREG(st.st_mode) and st.st_size == e.data["size"]:
            self._futures.setdefault(path, self._pool.submit(_hash_one, path))

    def hash_all(self, paths: Iterable[str]) -> dict[str, str | OSError]:
        """The SHA-256 of every path (reusing hashes started early)."""
        todo = {p: self._futures.get(p) or self._pool.submit(_hash_one, p) for p in paths}
        return {p: f.result() for p, f in todo.items()}

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _check_segments(
    action_dir: Path,
    segments: list[Segment],
    checks: _Checks,
    facts: dict[str, Any],
    hasher: _Hasher | None,
) -> None:
    """``segment`` checks of each logged segment's file; with no ``hasher`` (the caller checks
    the files itself) only that no file is logged twice."""
    to_hash: dict[str, Segment] = {}
    folder = str(action_dir)
    seen: dict[str, Segment] = {}
    for s in segments:
        if s.file in seen:
            checks.add(
                "segment",
                Status.FAILED,
                f"file {s.file} is also logged as {seen[s.file].subject}",
                s.subject,
            )
            continue
        seen[s.file] = s
        if hasher is None:
            continue
        path = _join(folder, s.file)
        try:
            if hasher.listing.absent(path):
                raise FileNotFoundError(path)
            st = os.lstat(path)
        except FileNotFoundError:
            subject = s.subject if checks.listed("segment") else ""  # else only counted
            checks.add("segment", Status.FAILED, f"file missing: {s.file}", subject)
            continue
        except OSError as e:
            checks.add("segment", Status.FAILED, f"cannot read {s.file}: {e}", s.subject)
            continue
        if not stat.S_ISREG(st.st_mode):
            checks.add("segment", Status.FAILED, f"{s.file} is not a regular file", s.subject)
        elif st.st_size != s.size:
            checks.add(
                "segment",
                Status.FAILED,
                f"{s.file} is {st.st_size} bytes, the log says {s.size}",
                s.subject,
            )
        else:
            to_hash[path] = s
    results = hasher.hash_all(to_hash) if hasher is not None else {}
    for path, s in to_hash.items():
        got = results[path]
        if isinstance(got, OSError):
            checks.add("segment", Status.FAILED, f"cannot read {s.file}: {got}", s.subject)
        elif got != s.sha256:
            checks.add(
                "segment",
                Status.FAILED,
                f"sha256 mismatch: {s.file} has {got[:16]}…, the log says {s.sha256[:16]}…",
                s.subject,
            )
    facts["segments"] = len(segments)
    facts["bytes_hashed"] = sum(s.size for s in to_hash.values())
    if hasher is not None:
        checks.ok_unless_failed("segment", f"{len(segments)} segments match their size and sha256")
    for s in segments:
        if s.recovered:
            checks.add(
                "recovered",
                Status.WARNING,
                f"{s.file} was salvaged by crash recovery, not sealed by the recorder",
                s.subject,
            )


CAMERA_SETTLE_SECONDS = 1.0


def _explanations(entries: list[LogEntry]) -> list[tuple[float, float, str, str | None]]:
    """Intervals that explain a gap: (from, to, what, participant or None for all tracks)."""
    out: list[tuple[float, float, str, str | None]] = []
    end = float("inf")
    paused: float | None = None
    left: dict[str, float] = {}
    camera: dict[str, tuple[float, str]] = {}  # participant → (since, why)
    for e in entries:
        d = e.data
        if e.kind == "crash_recovered":
            out.append((float(d["from"]), float(d["to"]), "crash recovered", None))
        elif e.kind == "recording_paused":
            paused = e.t
        elif e.kind == "recording_resumed" and paused is not None:
            out.append((paused, e.t, f"recording paused ({_reason(entries, paused)})", None))
            paused = None
        elif e.kind == "participant_left" and isinstance(d.get("participant"), str):
            left[d["participant"]] = e.t
        elif e.kind == "camera_interrupted" and isinstance(d.get("participant"), str):
            camera[d["participant"]] = (e.t, str(d.get("reason") or "camera reconfigured"))
        elif e.kind == "camera_resumed" and d.get("participant") in camera:
            since, why = camera.pop(d["participant"])
            who = d["participant"]
            # the participant's device logs "resumed" when its camera delivers again; its video
            # encoder then settles on the restored size before frames reach the recorder
            until = e.t + CAMERA_SETTLE_SECONDS
            out.append((since, until, f"camera of {who} interrupted ({why})", who))
        elif (
            e.kind == "warning"
            and d.get("code") == "frames-dropped"
            and isinstance(d.get("track"), str)
            and isinstance(d.get("from"), int | float)
            and isinstance(d.get("to"), int | float)
        ):
            # logged live by the recorder when a source's own timestamps jumped (lost packets,
            # a stalled device): a gap of that track is explained, not a gap of any other
            what = f"the source of {d['track']} skipped media (lost packets or a stalled device)"
            out.append((float(d["from"]), float(d["to"]), what, f"track:{d['track']}"))
        elif e.kind in ("participant_reconnected", "participant_joined", "participant_admitted"):
            who = d.get("participant")
            if isinstance(who, str) and who in left:
                out.append((left.pop(who), e.t, f"participant {who} left and came back", who))
    if paused is not None:
        out.append((paused, end, f"recording paused ({_reason(entries, paused)})", None))
    for who, t in left.items():
        out.append((t, end, f"participant {who} left", who))
    return out


def _reason(entries: list[LogEntry], t: float) -> str:
    for e in entries:
        if e.kind == "recording_paused" and e.t == t:
            return str(e.data["reason"])
    return ""


def _check_continuity(
    entries: list[LogEntry], segments: list[Segment], checks: _Checks, tolerance: float
) -> None:
    participants: dict[str, str | None] = {}
    ended: dict[str, int] = {}
    for e in entries:
        if e.kind == "track_started":
            who = e.data.get("participant")
            participants[e.data["track"]] = who if isinstance(who, str) else None
        elif e.kind == "track_ended":
            ended[e.data["track"]] = e.data["segments"]
    explain = _explanations(entries)
    by_track: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        by_track[s.track].append(s)
    for track, segs in by_track.items():
        if track not in participants:
            checks.add(
                "continuity", Status.FAILED, "segment of a track never started", segs[0].subject
            )
        segs.sort(key=lambda s: (s.index, s.seq))
        expected = 0
        prev: Segment | None = None
        for s in segs:
            if s.index < expected:
                checks.add("continuity", Status.FAILED, f"index {s.index} logged twice", s.subject)
                continue
            if s.index > expected:
                missing = f"{expected}" if s.index == expected + 1 else f"{expected}–{s.index - 1}"
                checks.add(
                    "continuity", Status.FAILED, f"{track} segment(s) {missing} missing", s.subject
                )
            if prev is not None:
                _check_gap(track, prev, s, participants.get(track), explain, checks, tolerance)
            prev = s
            expected = s.index + 1
        if track in ended and ended[track] != len(segs):
            checks.add(
                "continuity",
                Status.FAILED,
                f"track_ended says {ended[track]} segments, the log has {len(segs)}",
                track,
            )
    checks.ok_unless_failed("continuity", f"{len(by_track)} track(s) continuous")


def _check_gap(
    track: str,
    a: Segment,
    b: Segment,
    who: str | None,
    explain: list[tuple[float, float, str, str | None]],
    checks: _Checks,
    tolerance: float,
) -> None:
    gap = b.start - a.end
    if gap < -tolerance:
        checks.add(
            "continuity",
            Status.FAILED,
            f"overlaps {track} segment {a.index} by {-gap:.3f} s (tolerance {tolerance} s)",
            b.subject,
        )
        return
    if gap <= tolerance:
        return
    lo, hi = a.end - tolerance, b.start + tolerance

    def concerns(person: str | None) -> bool:
        if person is not None and person.startswith("track:"):
            return person == f"track:{track}"
        return person is None or who is None or person == who

    reasons = [
        what
        for start, stop, what, person in explain
        if start <= hi and stop >= lo and concerns(person)
    ]
    if reasons:
        checks.add(
            "continuity",
            Status.WARNING,
            f"gap of {gap:.3f} s after segment {a.index}, explained: {'; '.join(reasons)}",
            b.subject,
        )
    else:
        checks.add(
            "continuity",
            Status.FAILED,
            f"unexplained gap of {gap:.3f} s after segment {a.index} (tolerance {tolerance} s)",
            b.subject,
        )


def _check_unlisted(action_dir: Path, segments: list[Segment], checks: _Checks) -> None:
    listed = {s.file for s in segments}
    media = action_dir / "media"
    found = 0
    if media.is_dir():
        for root, _dirs, files in os.walk(media):
            for name in files:
                rel = (Path(root) / name).relative_to(action_dir).as_posix()
                found += 1
                if rel in listed:
                    continue
                parts = rel.split("/")
                if len(parts) == 3 and parts[2] == f"{parts[1]}.m3u8":
                    continue  # the track's playlist: derived, rewritten whole (docs)
                checks.add("unlisted-file", Status.FAILED, f"unlisted file {rel}", rel)
    checks.ok_unless_failed("unlisted-file", f"no unlisted files among {found} in media/")


def _ignore(entry: LogEntry) -> None:
    return None


def verify_recording(action_dir: Path, *, gap_tolerance: float = 0.1) -> Report:
    """Verify the action folder ``action_dir``; returns a ``recording`` :class:`Report`.

    Raises :class:`UnreadableError` only when the folder is not a recording at all (no
    ``log.jsonl``, or its first line is not a ``session_started`` entry).
    """
    return scan_recording(action_dir, gap_tolerance=gap_tolerance)[0]


def scan_recording(
    action_dir: Path, *, gap_tolerance: float = 0.1, segment_files: bool = True
) -> tuple[Report, LogScan]:
    """:func:`verify_recording`, also returning what the pass over the log kept (the segments,
    the last checkpoint, the log's SHA-256, whether it is whole and chained — exactly when
    :func:`recorder.log.read_log` would accept it), so a caller that needs those too (the
    container verifier) reads a long log once.

    ``segment_files=False``: the segment files are not looked at (``segment`` then only checks
    that no file is logged twice) — for a caller that checks each logged SHA-256 against a
    signed digest of the file itself, as the container verifier does.
    """
    if gap_tolerance < 0:
        raise ValueError(f"gap_tolerance {gap_tolerance}: expected >= 0 seconds")
    action_dir = Path(action_dir)
    checks = _Checks()
    facts: dict[str, Any] = {}
    hasher = _Hasher(action_dir) if segment_files else None
    try:
        # segment files are hashed on worker threads while this thread reads and checks the log
        reader = _LogReader(hasher.offer if hasher is not None else _ignore)
        reader.read(action_dir / LOG_NAME)
        reader.finish(checks, facts)
        scan = reader.scan
        _check_segments(action_dir, scan.segments, checks, facts, hasher)
    finally:
        if hasher is not None:
            hasher.close()
    _check_continuity(scan.events, scan.segments, checks, gap_tolerance)
    _check_unlisted(action_dir, scan.segments, checks)
    facts["tracks"] = sorted({s.track for s in scan.segments})
    return Report.build("recording", str(action_dir), checks.items, facts), scan
