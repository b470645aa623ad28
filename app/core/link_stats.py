"""Per-participant network quality from the hub's RTCPeerConnection statistics (Qt-free).

Every couple of seconds :class:`LinkWatch` reads ``getStats()`` of each connected participant's
connection and turns it into :class:`LinkStats`:

* what arrives from the participant — ``inbound-rtp``: packets lost since the previous reading
  (as a share of the packets expected) and interarrival jitter;
* what the participant reports about our stream — ``remote-inbound-rtp`` (their RTCP receiver
  reports): round-trip time, fraction lost and their jitter;
* video frames per second handed to the recorder.

:func:`grade` turns the numbers into good / fair / poor by :class:`Thresholds` (the worst metric
wins); the live window shows the grade and the numbers in a tooltip. RTP jitter is counted in
RTP clock ticks: 90 kHz for video, 48 kHz for Opus audio.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)
GRADES = ("good", "fair", "poor")
CLOCK_RATE = {"video": 90_000, "audio": 48_000}
INTERVAL = 2.0
CONNECTED = ("connected", "reconnected", "identity verified")


@dataclass(frozen=True)
class Thresholds:
    """Where a metric turns fair and where poor (rtt and jitter in ms, loss in %, fps)."""

    rtt_fair: float = 150.0
    rtt_poor: float = 400.0
    loss_fair: float = 2.0
    loss_poor: float = 8.0
    jitter_fair: float = 30.0
    jitter_poor: float = 80.0
    fps_fair: float = 15.0  # below this: fair
    fps_poor: float = 8.0  # below this: poor

    def __post_init__(self) -> None:
        for name in ("rtt", "loss", "jitter"):
            fair, poor = getattr(self, f"{name}_fair"), getattr(self, f"{name}_poor")
            if not 0 <= fair <= poor:
                raise ValueError(f"{name} thresholds: fair {fair} must be ≤ poor {poor}, ≥ 0")
        if not 0 <= self.fps_poor <= self.fps_fair:
            raise ValueError(f"fps thresholds: poor {self.fps_poor} must be ≤ fair {self.fps_fair}")


@dataclass(frozen=True)
class LinkStats:
    """One reading of a participant's link; None where the connection has no figure yet."""

    fps: float | None = None
    rtt_ms: float | None = None
    loss_in_pct: float | None = None  # of the packets the participant sent us
    loss_out_pct: float | None = None  # of the packets we sent, as the participant reports
    jitter_in_ms: float | None = None
    jitter_out_ms: float | None = None

    @property
    def grade(self) -> str:
        return grade(self)

    def describe(self) -> dict[str, str]:
        """The figures as short texts by name (for a tooltip); absent figures are left out."""
        out = {}
        for name, value, unit in (
            ("rtt", self.rtt_ms, "ms"),
            ("loss_in", self.loss_in_pct, "%"),
            ("loss_out", self.loss_out_pct, "%"),
            ("jitter_in", self.jitter_in_ms, "ms"),
            ("jitter_out", self.jitter_out_ms, "ms"),
            ("fps", self.fps, ""),
        ):
            if value is not None:
                digits = 1 if unit == "%" else 0
                out[name] = f"{value:.{digits}f} {unit}".strip()
        return out


def _level(value: float | None, fair: float, poor: float, *, lower_is_better: bool = True) -> int:
    if value is None:
        return 0
    if lower_is_better:
        return 2 if value >= poor else 1 if value >= fair else 0
    return 2 if value < poor else 1 if value < fair else 0


def grade(stats: LinkStats, thresholds: Thresholds = Thresholds()) -> str:
    """``good``, ``fair`` or ``poor``: the worst of round-trip time, loss, jitter and fps."""
    t = thresholds
    levels = [
        _level(stats.rtt_ms, t.rtt_fair, t.rtt_poor),
        _level(stats.loss_in_pct, t.loss_fair, t.loss_poor),
        _level(stats.loss_out_pct, t.loss_fair, t.loss_poor),
        _level(stats.jitter_in_ms, t.jitter_fair, t.jitter_poor),
        _level(stats.jitter_out_ms, t.jitter_fair, t.jitter_poor),
        _level(stats.fps, t.fps_fair, t.fps_poor, lower_is_better=False),
    ]
    return GRADES[max(levels)]


def report_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An aiortc ``RTCStatsReport`` as plain dicts (what :class:`LinkMeter` reads)."""
    rows = []
    for stats in report.values():
        # a shallow copy: asdict's deep copy costs ten times more, every two seconds
        row = dict(vars(stats)) if hasattr(stats, "__dict__") else dict(stats)
        row["timestamp"] = str(row.get("timestamp", ""))
        rows.append(row)
    return rows


class LinkMeter:
    """Successive statistics of one connection → :class:`LinkStats` (loss over each interval)."""

    def __init__(self) -> None:
        self._counters: dict[int, tuple[int, int]] = {}  # inbound ssrc → (received, lost)

    def sample(self, rows: Iterable[Mapping[str, Any]], fps: float | None = None) -> LinkStats:
        received = lost = 0
        jitter_in: list[float] = []
        rtts: list[float] = []
        loss_out: list[float] = []
        jitter_out: list[float] = []
        for row in rows:
            kind = str(row.get("kind", ""))
            rate = CLOCK_RATE.get(kind)
            if row.get("type") == "inbound-rtp":
                ssrc = int(row.get("ssrc", 0))
                now = (int(row.get("packetsReceived") or 0), int(row.get("packetsLost") or 0))
                before = self._counters.get(ssrc, (0, 0))
                self._counters[ssrc] = now
                received += max(now[0] - before[0], 0)
                lost += max(now[1] - before[1], 0)
                if rate and row.get("jitter") is not None:
                    jitter_in.append(float(row["jitter"]) / rate * 1000)
            elif row.get("type") == "remote-inbound-rtp":
                if row.get("roundTripTime") is not None:
                    rtts.append(float(row["roundTripTime"]) * 1000)
                if row.get("fractionLost") is not None:
                    loss_out.append(float(row["fractionLost"]) / 256 * 100)
                if rate and row.get("jitter") is not None:
                    jitter_out.append(float(row["jitter"]) / rate * 1000)
        expected = received + lost
        return LinkStats(
            fps=fps,
            rtt_ms=max(rtts) if rtts else None,
            loss_in_pct=lost / expected * 100 if expected else None,
            loss_out_pct=max(loss_out) if loss_out else None,
            jitter_in_ms=max(jitter_in) if jitter_in else None,
            jitter_out_ms=max(jitter_out) if jitter_out else None,
        )


class HubLike(Protocol):
    counts: Any

    def participant_state(self, participant_id: str) -> str | None: ...
    async def peer_stats(self, participant_id: str) -> Mapping[str, Any] | None: ...


class LinkWatch:
    """Reads every connected participant's link every ``interval`` seconds into ``latest``."""

    def __init__(self, hub: HubLike, *, interval: float = INTERVAL) -> None:
        self.hub = hub
        self.interval = interval
        self.latest: dict[str, LinkStats] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}  # the last raw reading, for diagnostics
        self._meters: dict[str, LinkMeter] = {}
        self._frames: tuple[float, dict[str, int]] | None = None

    def _fps(self) -> dict[str, float]:
        now = time.monotonic()
        counts = dict(self.hub.counts.to_recorder)
        rates: dict[str, float] = {}
        if self._frames is not None:
            then, before = self._frames
            for name, n in counts.items():
                if name.endswith("-video"):
                    rates[name.removesuffix("-video")] = (n - before.get(name, 0)) / max(
                        now - then, 1e-3
                    )
        self._frames = (now, counts)
        return rates

    async def read_once(self) -> dict[str, LinkStats]:
        fps = self._fps()
        seen = set()
        for pid in sorted(fps):
            if self.hub.participant_state(pid) not in CONNECTED:
                continue
            report = await self.hub.peer_stats(pid)
            if report is None:
                continue
            rows = report_rows(report)
            self.rows[pid] = rows
            self.latest[pid] = self._meters.setdefault(pid, LinkMeter()).sample(rows, fps[pid])
            seen.add(pid)
        for pid in set(self.latest) - seen:
            del self.latest[pid]
        return dict(self.latest)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.read_once()
            except Exception:  # statistics must never disturb the session
                log.exception("reading link statistics failed")
