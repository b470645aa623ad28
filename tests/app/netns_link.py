"""Run a live session with one real aiortc participant, then throttle the loopback link.

Run inside a fresh network namespace (``unshare -rn``), where ``lo`` is ours alone: the script
brings it up (with a second loopback address for ICE), reads the hub's link statistics on a
clean link, then puts a token-bucket filter (``tc qdisc … tbf``: a slow link with a short queue,
so packets queue up and are dropped) on ``lo`` and reads them again. Prints one JSON object:
the clean reading, the impaired readings and the raw getStats rows behind them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.core.link_stats import LinkStats
from app.core.participant import Participant
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.live import make_live_session

THROTTLE = ["tc", "qdisc", "add", "dev", "lo", "root", "tbf"]
THROTTLE += ["rate", "120kbit", "burst", "3000", "limit", "6000"]


async def _until(cond: object, what: str, timeout: float = 20.0) -> None:
    start = time.monotonic()
    while not cond():  # type: ignore[operator]
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def main() -> dict[str, object]:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # ICE leaves out 127.0.0.1 itself; a second loopback address gives it a host candidate
    subprocess.run(["ip", "addr", "add", "127.0.0.2/32", "dev", "lo"], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="tergeu-netns-"))
    live = make_live_session(tmp, "N1")
    await live.start()
    assert live.link_watch is not None and live.hub is not None
    live.link_watch.interval = 1.0
    issued = live.invite("e1", "expert", "Expert")
    guest = Participant(
        issued.link,
        issued.pin,
        audio=SyntheticAudioTrack(live.clock),
        video=SyntheticVideoTrack(live.clock),
    )
    run = asyncio.ensure_future(guest.run())
    hub = live.hub
    try:
        await _until(lambda: hub.participant_state("e1") == "waiting", "the lobby")
        await live.admit("e1")
        await asyncio.wait_for(guest.connected.wait(), 20)
        await _until(
            lambda: (s := live.link_stats().get("e1")) is not None and s.rtt_ms is not None,
            "a round-trip time from RTCP",
        )
        await asyncio.sleep(3)
        clean = live.link_stats()["e1"]
        clean_rows = live.link_watch.rows["e1"]
        subprocess.run(THROTTLE, check=True)
        impaired: list[LinkStats] = []
        for _ in range(12):
            await asyncio.sleep(1.0)
            if (s := live.link_stats().get("e1")) is not None:
                impaired.append(s)
        impaired_rows = live.link_watch.rows.get("e1", [])
        subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"], check=True)
    finally:
        await live.stop()
        run.cancel()
    return {
        "clean": dataclasses.asdict(clean) | {"grade": clean.grade},
        "impaired": [dataclasses.asdict(s) | {"grade": s.grade} for s in impaired],
        "clean_rows": clean_rows,
        "impaired_rows": impaired_rows,
    }


if __name__ == "__main__":
    result = asyncio.run(main())
    json.dump(result, sys.stdout, default=str)
