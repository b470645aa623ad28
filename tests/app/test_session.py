"""The investigator's live session wired end to end: recorder, signaling, hub, procedure, presence.

A real aiortc participant joins over loopback through the real signaling server; the recording
that results is checked with the same verifier as ``tergeu verify``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from app.core.hub import HubError, ParticipantEvent
from app.core.participant import Participant
from app.core.presence import Presence, PresenceChanged
from app.core.session import LiveSession
from app.core.signaling.errors import SessionError
from recorder.log import read_log
from recorder.recording import SegmentSealed
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from recorder.verify import verify_recording
from tests.live import make_live_session


def _session(tmp_path: Path, **config: object) -> LiveSession:
    return make_live_session(
        tmp_path,
        "A1",
        **{key.replace(".", "__"): value for key, value in config.items()},
    )


async def _until(cond: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    start = time.monotonic()
    while not cond():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_live_session_records_procedure_presence_and_participant(tmp_path: Path) -> None:
    live = _session(tmp_path)
    events: list[object] = []
    live.add_listener(events.append)
    await live.start()
    assert live.server is not None and live.server.base_url.startswith("http://127.0.0.1:")
    clock = live.clock
    issued = live.invite("w1", "witness", "Aigerim Nurlanovna")
    guest = Participant(
        issued.link,
        issued.pin,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock, shade=90),
    )
    run = asyncio.ensure_future(guest.run())
    try:
        await _until(
            lambda: live.hub is not None and live.hub.participant_state("w1") == "waiting",
            "the lobby",
        )
        await live.admit("w1")
        await asyncio.wait_for(guest.connected.wait(), 15)
        await live.start_step("recording_announced")
        await live.complete_step("recording_announced")
        await live.marker("the witness shows a document")
        await _until(lambda: live.latest_frame("w1") is not None, "the witness's tile")
        await _until(lambda: live.latest_frame("investigator") is not None, "the self view")
        # the synthetic picture has no face: presence monitoring reports it absent
        await _until(
            lambda: any(
                isinstance(e, PresenceChanged) and e.state is Presence.ABSENT for e in events
            ),
            "a presence alert",
        )
        await live.pause("technical break requested by the witness")
        assert live.stats().paused
        await live.resume()
        await _until(lambda: live.sealed >= 6, "sealed segments")
        stats = live.stats()
        assert stats.sealed >= 6 and stats.last_seal_utc and stats.free_bytes > 0
    finally:
        await live.stop()
        reason = await asyncio.wait_for(run, 15)
    assert reason  # the guest was told the session ended

    tile = live.latest_frame("w1")
    assert tile is not None and tile.shape[1] == 320
    states = [e.state for e in events if isinstance(e, ParticipantEvent)]
    assert states[:3] == ["waiting", "admitted", "connected"]
    assert any(isinstance(e, SegmentSealed) for e in events)
    assert not [e for e in events if isinstance(e, HubError)]

    entries = read_log(live.action_dir)
    kinds = [e.kind for e in entries]
    for kind in (
        "session_started",
        "rules_acknowledged",
        "participant_admitted",
        "procedural_step",
        "marker",
        "recording_paused",
        "recording_resumed",
        "presence",
        "session_ended",
    ):
        assert kind in kinds, f"{kind} missing from {sorted(set(kinds))}"
    steps = [e.data for e in entries if e.kind == "procedural_step"]
    assert [s["event"] for s in steps] == ["started", "done"]
    presence = next(e.data for e in entries if e.kind == "presence")
    assert presence["participant"] == "w1" and presence["state"] == "absent"
    tracks = {e.data["track"] for e in entries if e.kind == "segment_sealed"}
    assert {"investigator-video", "investigator-audio", "w1-video", "w1-audio"} <= tracks

    report = verify_recording(live.action_dir)
    assert report.ok and not report.warnings, report.summary()


async def test_signaling_is_tls_when_configured_and_never_plain_off_loopback(
    tmp_path: Path,
) -> None:
    live = _session(tmp_path, **{"signaling.tls": "on"})
    await live.start()
    try:
        assert live.server is not None and live.server.tls is not None
        assert live.server.base_url.startswith("https://")
        fingerprint = live.server.tls.fingerprint
        assert (tmp_path / "tls" / "signaling.key").stat().st_mode & 0o077 == 0
        issued = live.invite("e1", "expert", "Expert")
        clock = live.clock
        expert = Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(clock),
            video=SyntheticVideoTrack(clock),
            fingerprint=fingerprint,
        )
        run = asyncio.ensure_future(expert.run())
        await _until(
            lambda: live.hub is not None and live.hub.participant_state("e1") == "waiting",
            "the lobby over TLS",
        )
        # a client that checks the certificate against the system store refuses the self-signed one
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await http.get(live.server.base_url + "/")
        await expert.leave()
        await asyncio.wait_for(run, 15)
    finally:
        await live.stop()

    # a non-loopback address with TLS off is refused before anything listens
    plain = _session(tmp_path / "plain", **{"signaling.host": "0.0.0.0", "signaling.tls": "off"})
    with pytest.raises(SessionError, match="not loopback"):
        await plain.start()
    await plain.stop()
