"""The hub makes a participant's offer while the PIN is checked, and sends it on admission."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from app.core.hub import Hub
from app.core.invites import InviteBook, IssuedInvite
from app.core.signaling.server import SignalingServer
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


class Env:
    def __init__(self, server: SignalingServer, book: InviteBook, hub: Hub) -> None:
        self.server, self.book, self.hub = server, book, hub
        self.http = aiohttp.ClientSession()

    def issue(self) -> IssuedInvite:
        return self.book.issue(
            action_id="A1",
            participant_id="w1",
            role="witness",
            display_name="W",
            base_url=self.server.base_url,
        )

    async def join(self, issued: IssuedInvite) -> aiohttp.ClientWebSocketResponse:
        ws = await self.http.ws_connect(self.server.base_url + "/ws")
        hello = {"type": "hello", "protocol": 1, "action": "A1", "token": issued.token}
        assert (await send(ws, hello))["type"] == "invite"
        return ws


async def send(ws: aiohttp.ClientWebSocketResponse, msg: dict[str, object]) -> dict[str, object]:
    await ws.send_str(json.dumps(msg))
    return await recv(ws)


async def recv(ws: aiohttp.ClientWebSocketResponse) -> dict[str, object]:
    raw = await asyncio.wait_for(ws.receive(), 10)
    assert raw.type == aiohttp.WSMsgType.TEXT, raw
    message: dict[str, object] = json.loads(raw.data)
    return message


def pin(value: str) -> dict[str, object]:
    return {"type": "pin", "pin": value, "acknowledged": True, "language": "ru"}


def wrong(issued: IssuedInvite) -> str:
    return "000000" if issued.pin != "000000" else "111111"


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    clock = SessionClock.start()
    hub = Hub(
        action_id="A1",
        action_title="Interrogation",
        invites=book,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
    )
    server.add_session(hub)
    e = Env(server, book, hub)
    yield e
    await e.http.close()
    await hub.close()
    await server.stop()


async def test_offer_made_while_the_pin_is_checked_is_the_one_sent_on_admission(env: Env) -> None:
    issued = env.issue()
    ws = await env.join(issued)
    assert (await send(ws, pin(wrong(issued))))["code"] == "pin_wrong"
    prepared = list(env.hub._prepared.values())
    assert len(prepared) == 1  # made during the first try, kept for the next
    assert (await send(ws, pin(issued.pin)))["type"] == "lobby"
    assert list(env.hub._prepared.values()) == prepared  # still one: the second try reused it
    offer = await prepared[0]
    await env.hub.admit("w1")  # the investigator admits later: the offer goes out at once
    assert [(await recv(ws))["type"] for _ in range(2)] == ["admitted", "recording"]
    sent = await recv(ws)
    assert sent["type"] == "offer" and sent["sdp"] == offer.pc.localDescription.sdp
    assert env.hub._connection_of("w1") is offer.pc and not env.hub._prepared
    assert "a=candidate:" in str(sent["sdp"])  # gathered: the guest needs no trickle
    await ws.close()


@pytest.mark.parametrize("how", ["hung_up", "locked"])
async def test_offer_for_a_guest_never_admitted_is_closed(env: Env, how: str) -> None:
    issued = env.issue()
    ws = await env.join(issued)
    assert (await send(ws, pin(wrong(issued))))["code"] == "pin_wrong"
    (task,) = env.hub._prepared.values()
    if how == "hung_up":
        await ws.close()
    else:
        for _ in range(3):
            assert (await send(ws, pin(wrong(issued))))["code"] == "pin_wrong"
        assert (await send(ws, pin(wrong(issued))))["code"] == "pin_locked"
        closing = await asyncio.wait_for(ws.receive(), 10)  # the server hangs up; we agree
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), closing
    offer = await task
    for _ in range(200):
        if not env.hub._prepared:
            break
        await asyncio.sleep(0.01)
    assert not env.hub._prepared and offer.pc.connectionState == "closed"
    assert env.hub._connection_of("w1") is None
