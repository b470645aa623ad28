"""One media segment: an MPEG-TS file that decodes on its own, sealed by fsync + SHA-256.

A segment is written to ``<track>-<index:06d>.ts.part`` with its own encoder (so a video segment
starts with an IDR frame carrying SPS/PPS), timestamps taken from session time (90 kHz PTS =
session seconds × 90000), then flushed, fsynced, hashed and renamed to ``.ts``. A ``.ts`` file is
therefore always complete; a ``.part`` file is what a crash left behind (:mod:`recorder.salvage`).
"""

from __future__ import annotations

import contextlib
import errno
import fractions
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import av

from recorder.clock import SessionClock, format_utc
from recorder.errors import RecorderError

Media = Literal["audio", "video"]
VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)
VIDEO_CODEC = "h264"
AUDIO_CODEC = "aac"
X264_OPTIONS = {"preset": "veryfast", "tune": "zerolatency", "crf": "23"}
AUDIO_BITRATE = 96_000
# The AAC encoder puts this many samples of priming before the first input sample: its first
# packet's PTS is the first sample's PTS minus this. MPEG-TS cannot carry a negative PTS, so the
# muxer would shift the whole file later (by up to 21 ms at 48 kHz) and the segment would no
# longer sit on the session clock; audio is therefore never placed before this delay.
AAC_PRIMING = 1024
TRACK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
PART_SUFFIX = ".part"


class DiskFullError(RecorderError):
    """The disk filled up (ENOSPC) while recording; everything complete was sealed."""


def check_track_name(name: str) -> str:
    """Return ``name`` if it is a valid track name (lowercase, digits, '-' '_', ≤ 63 chars)."""
    if not TRACK_NAME.fullmatch(name):
        raise ValueError(f"track name {name!r}: expected lowercase letters, digits, '-' or '_'")
    return name


def audio_floor(sample_rate: int) -> float:
    """Earliest session time (seconds) audio at ``sample_rate`` can be encoded at (AAC priming)."""
    return AAC_PRIMING / sample_rate


def segment_file(track: str, index: int) -> str:
    """The segment's path relative to the action folder: ``media/<track>/<track>-<index>.ts``."""
    return f"media/{track}/{track}-{index:06d}.ts"


def sha256_file(path: Path) -> tuple[int, str]:
    """Size and SHA-256 (hex) of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents owner-only (0o700), whatever the umask."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for p in reversed(missing):
        p.mkdir(mode=0o700, exist_ok=True)
        os.chmod(p, 0o700)
    return path


TS_PACKET = 188
MIN_TS_PACKETS = 16
NULL_TS_PACKET = b"\x47\x1f\xff\x10" + b"\xff" * 184


def pad_short_ts(f: BinaryIO, size: int) -> None:
    """Append MPEG-TS null packets (PID 0x1FFF) until the file has 16 packets.

    ffmpeg's format probe needs more than ten packets' worth of bytes to recognise MPEG-TS; a very
    short segment (the last one before a stop) would otherwise be misread as MPEG audio. Null
    packets are the standard's own stuffing and every demuxer drops them.
    """
    missing = MIN_TS_PACKETS - size // TS_PACKET
    if size % TS_PACKET == 0 and missing > 0:
        f.write(NULL_TS_PACKET * missing)


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename or a new file in it survives a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class SealedSegment:
    """A segment that is complete on disk: its hash is what the log entry commits to."""

    track: str
    index: int
    file: str
    size: int
    sha256: str
    start: float
    end: float
    frames: int
    media: Media
    codec: str
    recovered: bool = False
    width: int | None = None
    height: int | None = None
    sample_rate: int | None = None

    def __post_init__(self) -> None:
        check_track_name(self.track)
        if self.index < 0:
            raise ValueError(f"segment index {self.index}: expected ≥ 0")
        if self.file != segment_file(self.track, self.index):
            raise ValueError(
                f"segment file {self.file!r}: expected {segment_file(self.track, self.index)!r}"
            )
        if not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise ValueError(f"sha256 {self.sha256!r}: expected 64 lowercase hex digits")
        if self.end < self.start:
            raise ValueError(f"segment {self.file}: end {self.end} before start {self.start}")
        if self.frames < 0 or self.size <= 0:
            raise ValueError(f"segment {self.file}: frames={self.frames}, size={self.size}")

    def log_data(self, clock: SessionClock) -> dict[str, Any]:
        """The ``segment_sealed`` entry data (fixed fields plus codec and picture/sound format)."""
        data: dict[str, Any] = {
            "track": self.track,
            "index": self.index,
            "file": self.file,
            "size": self.size,
            "sha256": self.sha256,
            "start": round(self.start, 6),
            "end": round(self.end, 6),
            "start_utc": format_utc(clock.to_utc(self.start)),
            "end_utc": format_utc(clock.to_utc(self.end)),
            "frames": self.frames,
            "recovered": self.recovered,
            "media": self.media,
            "codec": self.codec,
        }
        if self.width is not None:
            data["width"] = self.width
            data["height"] = self.height
        if self.sample_rate is not None:
            data["sample_rate"] = self.sample_rate
        return data


def _wrap_os_error(e: OSError, path: Path) -> RecorderError:
    if e.errno == errno.ENOSPC:
        return DiskFullError(f"disk full while writing {path}")
    return RecorderError(f"cannot write segment {path}: {e}")


class SegmentWriter:
    """Encodes frames of one track into one segment file; :meth:`seal` makes it durable."""

    def __init__(
        self, action_dir: Path, track: str, index: int, media: Media, *, fps: int = 30
    ) -> None:
        self.track = check_track_name(track)
        self.index = index
        self.media = media
        self.file = segment_file(track, index)
        self.path = action_dir / (self.file + PART_SUFFIX)
        self.final_path = action_dir / self.file
        self.frames = 0
        self.start: float | None = None
        self.end = 0.0
        self.width: int | None = None
        self.height: int | None = None
        self.sample_rate: int | None = None
        self.layout: str | None = None
        self._fps = fps
        self._last_pts = -1
        try:
            private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._file = os.fdopen(fd, "wb", buffering=0)
        except OSError as e:
            raise _wrap_os_error(e, self.path) from e
        self._container: Any = None
        self._stream: Any = None
        self._external = False  # audio packets muxed from a track's encoder (mux_audio)

    def accepts(self, frame: av.VideoFrame | av.AudioFrame) -> bool:
        """False if the frame's format differs from this segment's (a change starts a new one)."""
        if self._stream is None:
            return True
        if isinstance(frame, av.VideoFrame):
            return (frame.width, frame.height) == (self.width, self.height)
        return (frame.sample_rate, frame.layout.name) == (self.sample_rate, self.layout)

    def _open(self, frame: av.VideoFrame | av.AudioFrame) -> None:
        # The discontinuity flag tells a demuxer reading the segments back to back (HLS) that the
        # continuity counters restart here, so the previous segment's last frame is not "corrupt".
        # flush_packets + an unbuffered file: every muxed frame reaches the OS at once, so a
        # killed process loses at most the frame in flight (salvage keeps the rest).
        stream: Any
        container = av.open(
            self._file,
            "w",
            format="mpegts",
            options={"mpegts_flags": "+initial_discontinuity", "flush_packets": "1"},
            buffer_size=4096,
        )
        if isinstance(frame, av.VideoFrame):
            self.width, self.height = frame.width, frame.height
            stream = container.add_stream("libx264", rate=self._fps, options=dict(X264_OPTIONS))
            stream.width, stream.height = frame.width, frame.height
            stream.pix_fmt = "yuv420p"
            stream.codec_context.time_base = VIDEO_TIME_BASE
        else:
            self.sample_rate, self.layout = frame.sample_rate, frame.layout.name
            stream = container.add_stream("aac", rate=frame.sample_rate, layout=frame.layout.name)
            stream.bit_rate = AUDIO_BITRATE
        self._container, self._stream = container, stream

    def _open_audio(self, sample_rate: int, layout: str) -> None:
        # the stream's own encoder only describes the format (the muxer's ADTS headers need its
        # AudioSpecificConfig); the packets come from the track's continuous encoder
        container = av.open(
            self._file,
            "w",
            format="mpegts",
            options={"mpegts_flags": "+initial_discontinuity", "flush_packets": "1"},
            buffer_size=4096,
        )
        stream: Any = container.add_stream("aac", rate=sample_rate, layout=layout)
        stream.bit_rate = AUDIO_BITRATE
        self.sample_rate, self.layout = sample_rate, layout
        self._container, self._stream = container, stream
        self._external = True

    def mux_audio(
        self,
        packet: av.Packet,
        *,
        sample_rate: int,
        layout: str,
        start: float,
        end: float,
        samples: int,
    ) -> None:
        """Mux one packet of the track's continuous AAC encoder (``recorder.aac``).

        ``start``/``end`` (session seconds) are the real samples it holds (after any priming);
        ``samples`` is how many were recorded (priming and filled silence excluded).
        """
        if self.media != "audio":
            raise RecorderError(f"{self.file} is a video segment: cannot mux audio into it")
        if self._stream is not None and not self._external:
            raise RecorderError(f"{self.file} encodes its own audio: cannot mux packets into it")
        try:
            if self._stream is None:
                self._open_audio(sample_rate, layout)
            elif (sample_rate, layout) != (self.sample_rate, self.layout):
                raise RecorderError(
                    f"{self.file}: audio {sample_rate} Hz {layout}, expected {self.sample_rate} "
                    f"Hz {self.layout} (a new format starts a new segment)"
                )
            packet.stream = self._stream
            self._container.mux(packet)
        except OSError as e:
            raise _wrap_os_error(e, self.path) from e
        except av.FFmpegError as e:
            raise RecorderError(f"cannot mux audio into {self.file}: {e}") from e
        self.frames += samples
        if self.start is None:
            self.start = start
        self.end = max(self.end, end)

    def write(self, frame: av.VideoFrame | av.AudioFrame, t: float, duration: float) -> None:
        """Encode ``frame`` at session time ``t`` (seconds); it lasts ``duration`` seconds."""
        if self._external:
            raise RecorderError(f"{self.file} muxes encoded audio: cannot encode frames into it")
        try:
            if self._stream is None:
                self._open(frame)
            if isinstance(frame, av.VideoFrame):
                pts = max(round(t * 90_000), self._last_pts + 1)
                frame.time_base = VIDEO_TIME_BASE
                self.frames += 1
            else:
                rate = frame.sample_rate
                if round(t * rate) < AAC_PRIMING:
                    raise RecorderError(
                        f"audio frame at session time {t:.6f} s in {self.file}: expected ≥ "
                        f"{audio_floor(rate):.6f} s (the AAC encoder's {AAC_PRIMING} samples of "
                        "priming must not fall before session time 0)"
                    )
                pts = max(round(t * rate), self._last_pts + 1)
                frame.time_base = fractions.Fraction(1, rate)
                self.frames += frame.samples
            frame.pts = pts
            self._last_pts = pts
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except OSError as e:
            raise _wrap_os_error(e, self.path) from e
        except av.FFmpegError as e:
            raise RecorderError(f"cannot encode {self.media} frame into {self.file}: {e}") from e
        if self.start is None:
            self.start = t
        self.end = max(self.end, t + duration)

    @property
    def empty(self) -> bool:
        """True if no frame was written."""
        return self.start is None

    def seal(self) -> SealedSegment:
        """Flush the encoder, fsync, rename ``.part`` → ``.ts``, fsync the folder, hash."""
        if self.start is None:
            raise RecorderError(f"segment {self.file} has no frames to seal")
        try:
            if not self._external:
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
            self._container.close()
            pad_short_ts(self._file, self._file.tell())
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.rename(self.path, self.final_path)
            fsync_dir(self.final_path.parent)
            size, digest = sha256_file(self.final_path)
        except OSError as e:
            raise _wrap_os_error(e, self.path) from e
        except av.FFmpegError as e:
            raise RecorderError(f"cannot finish segment {self.file}: {e}") from e
        return SealedSegment(
            track=self.track,
            index=self.index,
            file=self.file,
            size=size,
            sha256=digest,
            start=self.start,
            end=self.end,
            frames=self.frames,
            media=self.media,
            codec=VIDEO_CODEC if self.media == "video" else AUDIO_CODEC,
            width=self.width,
            height=self.height,
            sample_rate=self.sample_rate,
        )

    def discard(self) -> None:
        """Close without sealing, leaving the ``.part`` file for recovery (removed if empty)."""
        try:
            if self._container is not None:
                self._container.close()
        except (OSError, av.FFmpegError):
            pass
        with contextlib.suppress(OSError):
            self._file.close()
        if self.start is None:
            self.path.unlink(missing_ok=True)
