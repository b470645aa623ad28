from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.core.hub import Hub, IceServer, ParticipantEvent, StillStored
from app.core.invites import InviteBook
from app.core.participant import Participant
from app.core.policy import MediaPolicy
from app.core.signaling.errors import SessionError
from app.core.signaling.server import SignalingServer
from recorder.clock import SessionClock
from recorder.recording import Recorder
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.live import start_hub


@dataclass
class MemoryLog:
    """The Recorder's EventLog protocol, kept in memory (the action log itself is R1's)."""

    clock: SessionClock
    entries: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)

    def append(self, kind: str, data: Mapping[str, Any], *, t: float | None = None) -> Any:
        self.entries.append((self.clock.now() if t is None else t, kind, dict(data)))

    def checkpoint(self) -> Any:
        return None

    def close(self) -> None:
        pass

    def kinds(self, participant: str) -> list[str]:
        return [k for _, k, d in self.entries if d.get("participant") == participant]


@dataclass
class Session:
    hub: Hub
    server: SignalingServer
    book: InviteBook
    clock: SessionClock
    log: MemoryLog
    recorder: Recorder
    tasks: list[asyncio.Task[str]] = field(default_factory=list)

    def join(self, pid: str, role: str, shade: int = 60) -> Participant:
        issued = self.hub.invite(pid, role, pid, base_url=self.server.base_url)
        p = Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(self.clock),
            video=SyntheticVideoTrack(self.clock, shade=shade),
        )
        self.tasks.append(asyncio.ensure_future(p.run()))
        return p

    async def state(self, pid: str, state: str, timeout: float = 10.0) -> float:
        start = time.monotonic()
        while self.hub.participant_state(pid) != state:
            assert time.monotonic() - start < timeout, (
                f"{pid} never {state}: {self.hub.participant_state(pid)}"
            )
            await asyncio.sleep(0.05)
        return time.monotonic() - start


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[Session]:
    log = MemoryLog(SessionClock.start())
    rig = await start_hub(tmp_path / "action", log=log)
    s = Session(rig.hub, rig.server, rig.book, rig.clock, log, rig.recorder)
    yield s
    await rig.hub.close()
    await asyncio.wait_for(asyncio.gather(*s.tasks, return_exceptions=True), 10)
    await rig.stop()


def forwarded_frames(p: Participant, kind: str = "video") -> int:
    return sum(
        n
        for name, n in p.stats.frames.items()
        if name.endswith(kind) and int(name.split("-")[0]) >= 2
    )


async def wait_frames(p: Participant, name: str, count: int, timeout: float = 10.0) -> None:
    start = time.monotonic()
    while p.stats.frames.get(name, 0) < count:
        assert time.monotonic() - start < timeout, f"{name}: {p.stats.frames}"
        await asyncio.sleep(0.05)


def test_policy_as_data() -> None:
    policy = MediaPolicy()
    assert policy.may_see("investigator", "witness") and policy.may_see("witness", "investigator")
    assert policy.may_see("expert", "witness")
    assert not policy.may_see("witness", "witness") and not policy.may_see("witness", "expert")
    with pytest.raises(ValueError, match="unknown role 'judge'"):
        MediaPolicy({"judge": frozenset({"witness"})})


def test_ice_server_config() -> None:
    turn = IceServer(("turns:turn.example.kz:443?transport=tcp",), "u", "secret")
    assert turn.to_aiortc().urls == ["turns:turn.example.kz:443?transport=tcp"]
    assert "secret" not in repr(turn)
    with pytest.raises(ValueError, match="needs a username"):
        IceServer(("turn:turn.example.kz:3478",))
    with pytest.raises(ValueError, match="must start with"):
        IceServer(("http://x",))


async def test_lobby_admit_policy_forwarding_and_recording(session: Session) -> None:
    events: list[ParticipantEvent] = []
    session.hub.add_listener(
        lambda e: events.append(e) if isinstance(e, ParticipantEvent) else None
    )
    w1 = session.join("w1", "witness", 40)
    w2 = session.join("w2", "witness", 120)
    e1 = session.join("e1", "expert", 200)
    for pid in ("w1", "w2", "e1"):
        await session.state(pid, "waiting")
    await asyncio.sleep(0.5)
    assert w1.stats.connections == 0 and not w1.admitted.is_set()  # no media before admission
    for pid in ("w1", "w2", "e1"):
        await session.hub.admit(pid)
    for pid in ("w1", "w2", "e1"):
        await session.state(pid, "connected")
    # everyone sees the investigator (mid 1); the expert sees both witnesses in slots
    for p in (w1, w2, e1):
        await wait_frames(p, "1-video", 20)
    await wait_frames(e1, "3-video", 15)
    await wait_frames(e1, "5-video", 15)
    assert forwarded_frames(w1) == 0 and forwarded_frames(w2) == 0  # one witness never sees another
    assert w1.stats.recording is True
    # the recording holds every participant's original tracks
    await asyncio.sleep(1.5)
    for pid in ("w1", "w2", "e1", "investigator"):
        for kind in ("audio", "video"):
            assert session.recorder.segments(f"{pid}-{kind}"), f"no segment sealed for {pid}-{kind}"
    states = [(e.participant_id, e.state) for e in events if e.participant_id == "w1"]
    assert states == [("w1", s) for s in ("invited", "waiting", "admitted", "connected")]
    assert session.log.kinds("w1")[:2] == ["rules_acknowledged", "participant_admitted"]


async def test_admission_cannot_overtake_the_lobby_announcement(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the rules acknowledgment is being logged the participant is not yet in the lobby:
    an admit then is refused, so "waiting" is never announced after "admitted" (seen once in a
    full run: events admitted, waiting, connected — the admitted witness back in the lobby)."""
    events: list[ParticipantEvent] = []
    session.hub.add_listener(
        lambda e: events.append(e) if isinstance(e, ParticipantEvent) else None
    )
    record = session.hub._record
    logging_rules = asyncio.Event()

    async def slow_rules(entry: str, peer: Any, /, **extra: Any) -> None:
        if entry == "rules_acknowledged":
            logging_rules.set()
            await asyncio.sleep(0.5)  # a slow disk
        await record(entry, peer, **extra)

    monkeypatch.setattr(session.hub, "_record", slow_rules)
    session.join("w1", "witness")
    await asyncio.wait_for(logging_rules.wait(), 20)
    assert session.hub.participant_state("w1") == "joining"
    with pytest.raises(ValueError, match="is joining, not waiting"):
        await session.hub.admit("w1")
    await session.state("w1", "waiting")
    await session.hub.admit("w1")
    await session.state("w1", "connected")
    states = [e.state for e in events if e.participant_id == "w1"]
    assert states == ["invited", "waiting", "admitted", "connected"]
    assert session.log.kinds("w1")[:2] == ["rules_acknowledged", "participant_admitted"]


async def test_revoked_invite_refused_and_decline_closes_lobby(session: Session) -> None:
    issued = session.hub.invite("w9", "witness", "W9", base_url=session.server.base_url)
    session.hub.revoke(issued.invite)
    p = Participant(
        issued.link,
        issued.pin,
        audio=SyntheticAudioTrack(session.clock),
        video=SyntheticVideoTrack(session.clock),
    )
    with pytest.raises(SessionError) as e:
        await asyncio.wait_for(p.run(), 10)
    assert e.value.code == "revoked"
    w2 = session.join("w2", "witness")
    await session.state("w2", "waiting")
    await session.hub.decline("w2", "wrong person")
    assert await asyncio.wait_for(session.tasks[-1], 10) == "wrong person"
    assert w2.stats.connections == 0 and session.hub.participant_state("w2") == "left"


async def test_network_cut_reconnects_and_recording_continues(session: Session) -> None:
    w1 = session.join("w1", "witness")
    e1 = session.join("e1", "expert")
    for pid in ("w1", "e1"):
        await session.state(pid, "waiting")
        await session.hub.admit(pid)
        await session.state(pid, "connected")
    await asyncio.sleep(1.5)
    before = len(session.recorder.segments("w1-video"))
    assert before >= 1
    e1_before = e1.stats.frames.get("1-video", 0)
    await w1.cut_network()
    await session.state("w1", "disconnected", timeout=5)
    took = await session.state("w1", "reconnected", timeout=10)
    assert took < 10 and w1.stats.connections == 2
    # the other participant's session and recording went on meanwhile
    assert e1.stats.frames.get("1-video", 0) > e1_before
    await wait_frames(w1, "1-video", 10)
    forwarded = forwarded_frames(e1)
    await asyncio.sleep(2.5)
    # the expert keeps seeing the witness after the witness's reconnect (the forward slot's
    # sender survives the witness's restarted video timestamps)
    assert forwarded_frames(e1) > forwarded + 20, (forwarded, e1.stats.frames)
    after = session.recorder.segments("w1-video")
    assert len(after) > before and [s.index for s in after] == list(range(len(after)))
    assert session.recorder.segments("e1-video")[-1].end > after[before - 1].end
    kinds = session.log.kinds("w1")
    left = kinds.index("participant_left")
    assert "participant_reconnected" in kinds[left:]
    times = {k: t for t, k, d in session.log.entries if d.get("participant") == "w1"}
    assert times["participant_reconnected"] > times["participant_left"]


def test_recorded_video_keeps_its_first_size() -> None:
    import av
    import numpy as np

    from app.core.peer import fit_frame

    small = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 200, np.uint8), format="rgb24")
    small.pts = 7
    same_ratio = fit_frame(small, (640, 480))
    assert (same_ratio.width, same_ratio.height, same_ratio.pts) == (640, 480, 7)
    portrait = av.VideoFrame.from_ndarray(np.full((640, 360, 3), 200, np.uint8), format="rgb24")
    boxed = fit_frame(portrait, (640, 480)).to_ndarray(format="rgb24")
    assert boxed.shape == (480, 640, 3)
    assert boxed[:, :100].max() < 20 and boxed[240, 320].min() > 150  # letterboxed, not stretched


async def test_desktop_participant_still_refused_when_damaged_then_stored(
    session: Session,
) -> None:
    events: list[object] = []
    session.hub.add_listener(events.append)
    expert = session.join("e1", "expert")
    await session.state("e1", "waiting")
    await session.hub.admit("e1")
    await session.state("e1", "connected")
    expert.corrupt_uploads = 1  # the first upload is damaged in transit
    request = await session.hub.request_still("e1", "scene", "Door lock, close-up")
    start = time.monotonic()
    while not [e for e in events if isinstance(e, StillStored)]:
        assert time.monotonic() - start < 10, expert.stills_sent
        await asyncio.sleep(0.05)
    stored = next(e for e in events if isinstance(e, StillStored))
    assert stored.request_id == request and (stored.width, stored.height) == (640, 480)
    data = (session.recorder.action_dir / stored.evidence.file).read_bytes()
    assert hashlib.sha256(data).hexdigest() == stored.evidence.sha256
    sent = expert.stills_sent[0]
    assert sent["refused"] == ["hash_mismatch"] and sent["stored"]
    assert sent["sha256"] == stored.evidence.sha256
    kinds = [k for _, k, d in session.log.entries if d.get("request_id") == request]
    assert kinds == ["still_requested", "still_refused", "still"]
    # the media connection went on while the still was taken
    assert session.hub.participant_state("e1") == "connected"
