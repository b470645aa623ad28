"""One continuous AAC encoder per run of contiguous audio of a track.

Why not one encoder per segment (as for video): every AAC encoder starts with 1024 samples of
priming, so each segment's first packet would lie 21 ms (at 48 kHz) before its first sample,
overlapping the previous segment. Players and ``ffmpeg`` reading the HLS playlist then see
timestamps going backwards at every boundary, and a remux to MP4 plays the primings one after the
other: about 1 % more audio than was recorded, a minute per hour against the video.

So a track's audio goes through one encoder for as long as it is contiguous; the recorder cuts
segments between packets (as ffmpeg's own HLS muxer does). Only the first segment of a run starts
with priming. An AAC packet decodes on its own (the first 21 ms of a segment played alone lack the
previous packet's overlap, as in any HLS audio); read back to back the segments are seamless.

A source's short gaps (less than one AAC frame, e.g. a lost RTP packet) are filled with silence
so the run stays contiguous; the filled samples are not counted as recorded. A longer gap, a jump
back, or a new sample rate or layout ends the run (the caller seals the segment).
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass

import av
import numpy as np

from recorder.errors import RecorderError
from recorder.segments import AAC_PRIMING, AUDIO_BITRATE, audio_floor

TOLERANCE_SAMPLES = 1  # float rounding of session time: not a gap


@dataclass(frozen=True)
class AudioPacket:
    """An encoded packet with what it holds: ``start``/``end`` in samples, real samples in it."""

    packet: av.Packet
    start: int  # first real sample (after priming) on the session clock, in samples
    end: int
    samples: int  # recorded samples (priming and filled silence excluded)


class AacEncoder:
    """Encodes one contiguous run of a track's audio into AAC packets on the session clock."""

    def __init__(self, sample_rate: int, layout: str) -> None:
        self.sample_rate = sample_rate
        self.layout = layout
        try:
            ctx = av.CodecContext.create("aac", "w")
            ctx.sample_rate = sample_rate
            ctx.layout = layout
            ctx.format = "fltp"
            ctx.bit_rate = AUDIO_BITRATE
            ctx.time_base = fractions.Fraction(1, sample_rate)
            ctx.open()
        except av.FFmpegError as e:
            raise RecorderError(
                f"cannot open the AAC encoder ({sample_rate} Hz {layout}): {e}"
            ) from e
        self._ctx = ctx
        self.first: int | None = None  # session sample of the first real sample
        self._next: int | None = None  # session sample the next input must start at
        self._fills: list[tuple[int, int]] = []  # silence inserted: [start, end) in samples

    def accepts(self, frame: av.AudioFrame, t: float) -> bool:
        """False if ``frame`` at session time ``t`` cannot continue this run (see module doc)."""
        if (frame.sample_rate, frame.layout.name) != (self.sample_rate, self.layout):
            return False
        if self._next is None:
            return True
        gap = round(t * self.sample_rate) - self._next
        return -TOLERANCE_SAMPLES <= gap < AAC_PRIMING

    def encode(self, frame: av.AudioFrame, t: float) -> list[AudioPacket]:
        """Encode ``frame`` (which :meth:`accepts`) at session time ``t``; returns packets out."""
        rate = self.sample_rate
        pts = round(t * rate)
        out: list[AudioPacket] = []
        if self._next is None:
            if pts < AAC_PRIMING:
                raise RecorderError(
                    f"audio at session time {t:.6f} s: expected ≥ {audio_floor(rate):.6f} s (the "
                    f"AAC encoder's {AAC_PRIMING} samples of priming must not fall before 0)"
                )
            self.first = pts
        else:
            gap = pts - self._next
            if gap > TOLERANCE_SAMPLES:
                self._fills.append((self._next, pts))
                out += self._feed(self._silence(gap, frame), self._next)
            else:
                pts = self._next  # contiguous (a rounding difference is not a gap)
        out += self._feed(frame, pts)
        return out

    def flush(self) -> list[AudioPacket]:
        """End the run: the packets still inside the encoder."""
        return self._packets(self._encode(None))

    def _silence(self, samples: int, like: av.AudioFrame) -> av.AudioFrame:
        channels = len(like.layout.channels)
        silence = av.AudioFrame.from_ndarray(
            np.zeros((1, samples * channels), np.int16), format="s16", layout=like.layout.name
        )
        silence.sample_rate = self.sample_rate
        return silence

    def _feed(self, frame: av.AudioFrame, pts: int) -> list[AudioPacket]:
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        self._next = pts + frame.samples
        return self._packets(self._encode(frame))

    def _encode(self, frame: av.AudioFrame | None) -> list[av.Packet]:
        try:
            return list(self._ctx.encode(frame))
        except av.FFmpegError as e:
            raise RecorderError(f"cannot encode audio: {e}") from e

    def _packets(self, packets: list[av.Packet]) -> list[AudioPacket]:
        assert self.first is not None or not packets
        out: list[AudioPacket] = []
        for p in packets:
            if p.pts is None:
                raise RecorderError("the AAC encoder gave a packet without a timestamp")
            first = self.first if self.first is not None else p.pts
            start = max(p.pts, first)
            end = p.pts + (p.duration or AAC_PRIMING)
            filled = sum(max(0, min(end, b) - max(start, a)) for a, b in self._fills)
            out.append(AudioPacket(p, start, end, max(0, end - start - filled)))
        if out:
            self._fills = [(a, b) for a, b in self._fills if b > out[-1].end]
        return out
