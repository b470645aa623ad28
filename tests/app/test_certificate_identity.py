"""Certificate identity over the real signaling path: the hub sends a challenge bound to the
action, the desktop participant's app signs it with its PKCS#12 key, the session checks the chain
against the configured anchors and the invited IIN, and logs the result either way."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from pathlib import Path

import pytest

from app.core.participant import Participant
from app.core.session import LiveSession
from protocol.signing import Pkcs12Signer
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.live import entries_now, make_live_session
from tests.pki.fixtures import MAIN, OTHER, PASSWORD, anchors_dir


async def _session(tmp_path: Path) -> LiveSession:
    live = make_live_session(
        tmp_path,
        "act-2026-0005",
        action_type="expert_participation",
        trust__anchors_dir=str(anchors_dir(tmp_path)),
    )
    await live.start()
    return live


async def _checked(live: LiveSession, pid: str, signer: Pkcs12Signer | None, iin: str) -> dict:
    issued = live.invite(pid, "expert", "Expert", iin=iin)
    clock = live.clock
    expert = Participant(
        issued.link,
        issued.pin,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
        signer=signer,
    )
    run = asyncio.ensure_future(expert.run())
    assert live.hub is not None
    end = time.monotonic() + 15
    while live.hub.participant_state(pid) != "waiting":
        assert time.monotonic() < end
        await asyncio.sleep(0.05)
    await live.admit(pid)
    await asyncio.wait_for(expert.connected.wait(), 15)
    await live.request_certificate(pid)
    while pid not in live.certificates:
        assert time.monotonic() < end + 15
        await asyncio.sleep(0.05)
    await expert.leave()
    await asyncio.wait_for(run, 15)
    entry = next(
        e.data
        for e in entries_now(live.action_dir)
        if e.kind == "identity_check" and e.data["participant"] == pid
    )
    return dict(entry)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("valid", None),
        ("wrong-iin", "iin-mismatch"),
        ("other-ca", "untrusted-chain"),
        ("no-key", "bad-signature"),
    ],
)
async def test_expert_signs_the_challenge(tmp_path: Path, case: str, reason: str | None) -> None:
    expert = Pkcs12Signer(MAIN / "identities" / "expert.p12", PASSWORD)
    iin = expert.identity.iin
    signer: Pkcs12Signer | None = expert
    if case == "wrong-iin":
        iin = Pkcs12Signer(MAIN / "identities" / "defender.p12", PASSWORD).identity.iin
    elif case == "other-ca":
        signer = Pkcs12Signer(OTHER / "identities" / "expert.p12", PASSWORD)
        iin = signer.identity.iin
    elif case == "no-key":
        signer = None
    live = await _session(tmp_path)
    try:
        entry = await _checked(live, "e1", signer, iin)
    finally:
        await live.stop()
    assert entry["method"] == "certificate"
    if reason is None:
        assert entry["result"] == "accepted", entry
        assert entry["subject"]["iin"] == iin and entry["demo"] is True
        assert len(entry["certificate_sha256"]) == 64
        der = base64.b64decode(entry["certificate"])  # the certificate itself is on the record
        assert hashlib.sha256(der).hexdigest() == entry["certificate_sha256"]
    else:
        assert entry["result"] == "refused" and entry["reason"] == reason, entry
        assert entry["message"]


async def test_signed_acknowledgment_from_an_untrusted_key_is_refused(tmp_path: Path) -> None:
    """A desktop participant's acknowledgment signed with a key from another CA does not count."""
    from app.core.participant import Reply, TextShown

    signer = Pkcs12Signer(OTHER / "identities" / "expert.p12", PASSWORD)
    live = await _session(tmp_path)
    try:
        issued = live.invite("e2", "expert", "Expert", iin=signer.identity.iin)

        async def typed(shown: TextShown) -> Reply:
            return Reply(typed_name="Expert")

        expert = Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(live.clock),
            video=SyntheticVideoTrack(live.clock),
            signer=signer,
            on_text=typed,
        )
        run = asyncio.ensure_future(expert.run())
        assert live.hub is not None
        end = time.monotonic() + 20
        while live.hub.participant_state("e2") != "waiting":
            assert time.monotonic() < end
            await asyncio.sleep(0.05)
        await live.admit("e2")
        await asyncio.wait_for(expert.connected.wait(), 15)
        await live.start_step("confidentiality", deviation_reason="expert joins for this part")
        request = await live.request_acknowledgment("e2", "confidentiality")
        while request not in expert.act_results:
            assert time.monotonic() < end
            await asyncio.sleep(0.05)
        ok, message = expert.act_results[request]
        assert not ok and "trust anchor" in message, message
        assert not [e for e in entries_now(live.action_dir) if e.kind == "acknowledgment"]
        await expert.leave()
        await asyncio.wait_for(run, 15)
    finally:
        await live.stop()
