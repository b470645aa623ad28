"""Salvage what a crash left: a ``.part`` segment remuxed up to its last complete frame.

The partial file was being written when the process died, so its last PES packet may be cut short.
Every packet the demuxer returns is copied except the last one of the stream (it may be torn)
into a new MPEG-TS file with the same timestamps; the new file is fsynced, renamed to the
segment's ``.ts`` name and hashed. Only then is the ``.part`` file removed. A ``.ts`` file that was
renamed but never logged is complete by construction (rename happens after fsync) and is only
described, never rewritten.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from recorder.errors import RecorderError
from recorder.segments import (
    AAC_PRIMING,
    AUDIO_CODEC,
    PART_SUFFIX,
    VIDEO_CODEC,
    Media,
    SealedSegment,
    fsync_dir,
    pad_short_ts,
    segment_file,
    sha256_file,
)

_NAME = re.compile(r"(?P<track>[a-z0-9][a-z0-9_-]{0,62})-(?P<index>[0-9]{6})\.ts")


def parse_segment_name(name: str) -> tuple[str, int] | None:
    """``("witness-video", 7)`` for ``witness-video-000007.ts`` (``.part`` allowed), else None."""
    m = _NAME.fullmatch(name.removesuffix(PART_SUFFIX))
    return None if m is None else (m["track"], int(m["index"]))


def _packets(path: Path) -> tuple[Any, list[av.Packet]]:
    """The single stream of ``path`` and its packets (with data), tolerating a torn end."""
    container = av.open(str(path), format="mpegts")  # a short file may not probe as TS
    streams = [s for s in container.streams if s.type in ("audio", "video")]
    if len(streams) != 1:
        container.close()
        raise RecorderError(f"{path}: expected one audio or video stream, found {len(streams)}")
    packets: list[av.Packet] = []
    try:
        for packet in container.demux(streams[0]):
            if packet.size and packet.pts is not None:
                packets.append(packet)
    except av.FFmpegError:
        pass  # the torn end: keep what came before it
    return container, packets


def _pts(packet: av.Packet) -> int:
    if packet.pts is None:
        raise RecorderError("a media packet without a timestamp")
    return packet.pts


def _run_ends_at(action_dir: Path, track: str, index: int) -> float | None:
    """Where the audio of segment ``index - 1`` ends (session s), if that segment is on disk."""
    if index == 0:
        return None
    path = action_dir / segment_file(track, index - 1)
    if not path.is_file():
        return None
    try:
        container, packets = _packets(path)
    except (av.FFmpegError, RecorderError):
        return None
    with container:
        duration = packets[-1].duration if packets else None
        if duration is None:
            return None
        last = packets[-1]
        return float((_pts(last) + duration) * last.time_base)


def _primed(action_dir: Path, track: str, index: int, first: av.Packet) -> bool:
    """True if an audio segment starts a new encoder run (its first packet is AAC priming).

    A segment that continues a run starts exactly where the previous segment's audio ends
    (``recorder.aac``); any other start (the first segment, after a gap, a cut or a reconnect,
    or with the previous segment lost) began a new encoder.
    """
    before = _run_ends_at(action_dir, track, index)
    start = float(_pts(first) * first.time_base)
    return before is None or abs(start - before) > 2 / 90_000


def _describe(
    path: Path,
    track: str,
    index: int,
    media: Media,
    stream: Any,
    packets: list[av.Packet],
    *,
    primed: bool = True,
) -> SealedSegment:
    tb: Fraction = packets[0].time_base
    first_pts = _pts(packets[0])
    last = packets[-1]
    last_pts = _pts(last)
    if media == "video":
        frames = len(packets)
        step = Fraction(1, 30)
        if len(packets) > 1:
            step = (last_pts - first_pts) * tb / (len(packets) - 1)
        start, end = float(first_pts * tb), float(last_pts * tb + step)
        width, height, rate = stream.codec_context.width, stream.codec_context.height, None
    else:
        rate = stream.codec_context.sample_rate
        durations = [round(p.duration * tb * rate) if p.duration else 1024 for p in packets]
        # a run's first AAC packet is the encoder's priming (1024 samples before the first input)
        priming = AAC_PRIMING if primed else 0
        frames = max(0, sum(durations) - priming)
        start = float(first_pts * tb) + priming / rate
        end = float(last_pts * tb) + durations[-1] / rate
        width = height = None
    size, digest = sha256_file(path)
    return SealedSegment(
        track=track,
        index=index,
        file=segment_file(track, index),
        size=size,
        sha256=digest,
        start=start,
        end=end,
        frames=frames,
        media=media,
        codec=VIDEO_CODEC if media == "video" else AUDIO_CODEC,
        recovered=True,
        width=width,
        height=height,
        sample_rate=rate,
    )


def describe_complete(action_dir: Path, track: str, index: int) -> SealedSegment:
    """Describe a complete, unlogged ``.ts`` segment (hash, times, frames) without touching it."""
    path = action_dir / segment_file(track, index)
    try:
        container, packets = _packets(path)
    except av.FFmpegError as e:
        raise RecorderError(f"cannot read unlogged segment {path}: {e}") from e
    with container:
        stream = packets[0].stream if packets else None
        if stream is None:
            raise RecorderError(f"unlogged segment {path} holds no media packets")
        media: Media = "video" if stream.type == "video" else "audio"
        primed = media == "video" or _primed(action_dir, track, index, packets[0])
        return _describe(path, track, index, media, stream, packets, primed=primed)


def salvage_part(action_dir: Path, track: str, index: int) -> SealedSegment | None:
    """Remux ``<segment>.ts.part`` up to its last complete frame into ``<segment>.ts``.

    Returns the new segment (``recovered=True``), or None when nothing decodable was left (the
    ``.part`` file is then removed: it held no complete frame).
    """
    final = action_dir / segment_file(track, index)
    part = final.with_name(final.name + PART_SUFFIX)
    if final.exists():
        raise RecorderError(f"{final} exists next to {part.name}: will not overwrite a segment")
    try:
        container, packets = _packets(part) if part.stat().st_size else (None, [])
    except av.FFmpegError:
        container, packets = None, []
    packets = packets[:-1]  # the last packet may be torn
    if container is not None and packets and packets[0].stream.type == "video":
        # cannot happen with our writer; guards a segment that would not decode on its own
        while packets and not packets[0].is_keyframe:
            packets.pop(0)
    if container is None or not packets:
        if container is not None:
            container.close()
        part.unlink()
        fsync_dir(part.parent)
        return None
    tmp = final.with_name(final.name + ".salvage")
    with container:
        in_stream = packets[0].stream
        media: Media = "video" if in_stream.type == "video" else "audio"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                out = av.open(
                    f, "w", format="mpegts", options={"mpegts_flags": "+initial_discontinuity"}
                )
                out_stream = out.add_stream_from_template(in_stream)
                for packet in packets:
                    packet.stream = out_stream
                    out.mux(packet)
                out.close()
                pad_short_ts(f, f.tell())
                f.flush()
                os.fsync(f.fileno())
        except av.FFmpegError as e:
            tmp.unlink(missing_ok=True)
            # packets were found but cannot be remuxed: keep the partial file for a person
            raise RecorderError(f"cannot salvage {part} ({len(packets)} packets): {e}") from e
        os.rename(tmp, final)
        fsync_dir(final.parent)
        with av.open(str(final), format="mpegts") as check:
            check_stream = check.streams[0]
            kept = [p for p in check.demux(check_stream) if p.size and p.pts is not None]
            primed = media == "video" or _primed(action_dir, track, index, kept[0])
            segment = _describe(final, track, index, media, check_stream, kept, primed=primed)
    part.unlink()
    fsync_dir(part.parent)
    return segment


def scan_media(action_dir: Path) -> dict[str, dict[int, Path]]:
    """Segment files (``.ts`` and ``.ts.part``) under ``ACTION_DIR/media`` by track and index."""
    found: dict[str, dict[int, Path]] = defaultdict(dict)
    media = action_dir / "media"
    if not media.is_dir():
        return found
    for path in sorted(media.glob("*/*")):
        parsed = parse_segment_name(path.name)
        if parsed is None or parsed[0] != path.parent.name:
            continue
        track, index = parsed
        if index in found[track] and path.name.endswith(PART_SUFFIX):
            continue  # a sealed .ts wins; salvage_part refuses to overwrite it anyway
        found[track][index] = path
    return found


def salvage_unsealed(
    action_dir: Path, logged: Mapping[str, Collection[int]]
) -> tuple[list[SealedSegment], list[str]]:
    """Make every segment file not in ``logged`` (track → sealed indexes) a sealed segment.

    Returns (segments to log, in track/index order; lost partial files, relative paths).
    Logged segments are never opened for writing.
    """
    recovered: list[SealedSegment] = []
    lost: list[str] = []
    media = action_dir / "media"
    if media.is_dir():
        # temp files of a salvage or a playlist rewrite cut short: never evidence, never listed
        for leftover in [*media.glob("*/*.ts.salvage"), *media.glob("*/*.m3u8.tmp")]:
            leftover.unlink()
    for track, files in sorted(scan_media(action_dir).items()):
        done = logged.get(track, ())
        for index, path in sorted(files.items()):
            if index in done:
                continue
            if path.name.endswith(PART_SUFFIX):
                segment = salvage_part(action_dir, track, index)
                if segment is None:
                    lost.append(str(path.relative_to(action_dir)))
                    continue
            else:
                segment = describe_complete(action_dir, track, index)
            recovered.append(segment)
    return recovered, lost
