"""Stills uploaded over HTTP to the signaling server: hash checked on arrival, stored as evidence.

A raw WebSocket client plays the participant (hello, PIN, admitted) so the test holds the upload
ticket from ``capture_still`` and can send damaged, forged and wrong uploads itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import cv2
import numpy as np
import pytest

from app.core.hub import Hub, HubEvent, StillStored
from app.core.invites import InviteBook
from app.core.signaling.server import SignalingServer
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


class LogSink:
    """The part of the Recorder the hub logs through (``event``); tracks are not wanted here."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    async def add_track(self, track: Any, *, participant: str, name: str) -> Any:
        raise AssertionError("no media in this test")

    async def event(self, kind: str, data: dict[str, Any]) -> None:
        self.entries.append((kind, dict(data)))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self.entries if k == kind]


class Env:
    def __init__(self, server: SignalingServer, hub: Hub, book: InviteBook, log: LogSink) -> None:
        self.server, self.hub, self.book, self.log = server, hub, book, log
        self.http = aiohttp.ClientSession()
        self.events: list[HubEvent] = []
        hub.add_listener(self.events.append)

    async def admitted_guest(self) -> aiohttp.ClientWebSocketResponse:
        return await self.join("w1", "witness", display_name="W")

    async def join(
        self, pid: str, role: str, *, display_name: str | None = None
    ) -> aiohttp.ClientWebSocketResponse:
        """``pid`` invited as ``role``, through the PIN and the lobby, admitted by the hub."""
        issued = self.book.issue(
            action_id="A1",
            participant_id=pid,
            role=role,
            display_name=display_name or pid,
            base_url=self.server.base_url,
        )
        ws = await self.http.ws_connect(self.server.base_url + "/ws")
        await ws.send_str(
            json.dumps({"type": "hello", "protocol": 1, "action": "A1", "token": issued.token})
        )
        assert (await recv(ws))["type"] == "invite"
        await ws.send_str(
            json.dumps({"type": "pin", "pin": issued.pin, "acknowledged": True, "language": "ru"})
        )
        assert (await recv(ws))["type"] == "lobby"
        await self.hub.admit(pid)
        assert (await recv(ws))["type"] == "admitted"
        return ws

    async def post(
        self, ticket: str | None, body: bytes, sha: str, ctype: str = "image/png"
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": ctype, "X-Tergeu-Sha256": sha}
        if ticket is not None:
            headers["X-Tergeu-Ticket"] = ticket
        url = self.server.base_url + "/a/A1/still"
        async with self.http.post(url, data=body, headers=headers) as r:
            return r.status, await r.json()


async def recv(ws: aiohttp.ClientWebSocketResponse, kind: str | None = None) -> dict[str, Any]:
    while True:
        raw = await asyncio.wait_for(ws.receive(), 10)
        assert raw.type == aiohttp.WSMsgType.TEXT, raw
        msg: dict[str, Any] = json.loads(raw.data)
        if kind is None or msg["type"] == kind:
            return msg


E = TypeVar("E", bound=Env)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async for e in hub_env(tmp_path, Env):
        yield e


async def hub_env(tmp_path: Path, make: type[E]) -> AsyncIterator[E]:
    """A signaling server with one hub (action A1, synthetic camera, log sink) for ``make``."""
    clock = SessionClock.start()
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    log = LogSink()
    hub = Hub(
        action_id="A1",
        action_title="Inspection",
        invites=book,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
        recorder=log,
        evidence_dir=tmp_path / "action",
    )
    server.add_session(hub)
    e = make(server, hub, book, log)
    yield e
    await e.http.close()
    await hub.close()
    await server.stop()


def png(width: int, height: int) -> bytes:
    rng = np.random.default_rng(7)
    image = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return bytes(buf)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_still_damaged_in_transit_refused_then_stored_intact(
    env: Env, tmp_path: Path
) -> None:
    ws = await env.admitted_guest()
    request_id = await env.hub.request_still("w1", "document", "Identity card, front side")
    ask = await recv(ws, "capture_still")
    assert ask["request_id"] == request_id and ask["kind"] == "document"
    assert ask["upload_url"] == "/a/A1/still"
    data = png(1920, 1080)
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF

    status, reply = await env.post(ask["ticket"], bytes(damaged), sha(data))
    assert status == 422 and reply["code"] == "hash_mismatch", reply
    assert not (tmp_path / "action" / "evidence").exists() or not list(
        (tmp_path / "action" / "evidence").iterdir()
    )
    refused = env.log.of("still_refused")
    assert refused[0]["code"] == "hash_mismatch" and refused[0]["claimed_sha256"] == sha(data)

    status, reply = await env.post(ask["ticket"], data, sha(data))  # the retry
    assert status == 200 and reply["width"] == 1920 and reply["height"] == 1080, reply
    stored = await recv(ws, "still_stored")
    assert stored["sha256"] == sha(data) and stored["request_id"] == request_id
    files = list((tmp_path / "action" / "evidence").iterdir())
    assert [f.name for f in files] == ["still-001-document-w1.png"]
    assert files[0].read_bytes() == data and files[0].stat().st_mode & 0o077 == 0
    entry = env.log.of("still")[0]
    assert entry["sha256"] == sha(data) and entry["file"] == "evidence/still-001-document-w1.png"
    assert (entry["width"], entry["height"], entry["kind"]) == (1920, 1080, "document")
    assert entry["caption"] == "Identity card, front side" and entry["author"] == "investigator"
    event = next(e for e in env.events if isinstance(e, StillStored))
    assert event.evidence.sha256 == sha(data) and event.participant_id == "w1"

    # the ticket was single use
    status, reply = await env.post(ask["ticket"], data, sha(data))
    assert status == 403 and reply["code"] == "unknown_ticket"
    await ws.close()


@pytest.mark.parametrize(
    "case, status, code",
    [
        ("no_ticket", 403, "no_ticket"),
        ("forged_ticket", 403, "unknown_ticket"),
        ("bad_hash_header", 400, "bad_hash"),
        ("not_an_image", 400, "bad_image"),
        ("truncated_png", 400, "bad_image"),
        ("wrong_type", 415, "bad_type"),
    ],
)
async def test_bad_still_uploads_refused_and_nothing_stored(
    env: Env, tmp_path: Path, case: str, status: int, code: str
) -> None:
    ws = await env.admitted_guest()
    await env.hub.request_still("w1", "scene", "Door lock, close-up")
    ticket = (await recv(ws, "capture_still"))["ticket"]
    data = png(64, 48)
    body, digest, ctype, use = data, sha(data), "image/png", ticket
    if case == "no_ticket":
        use = None
    elif case == "forged_ticket":
        use = "x" * 43
    elif case == "bad_hash_header":
        digest = "zz"
    elif case == "not_an_image":
        body = b"%PDF-1.7 not a picture"
        digest = sha(body)
    elif case == "truncated_png":
        body = data[: len(data) // 3]
        digest = sha(body)
    elif case == "wrong_type":
        ctype = "application/octet-stream"
    got, reply = await env.post(use, body, digest, ctype)
    assert (got, reply["code"]) == (status, code), reply
    assert not (tmp_path / "action" / "evidence").exists()
    assert not env.log.of("still")
    await ws.close()


async def test_still_requests_validated(env: Env) -> None:
    ws = await env.admitted_guest()
    with pytest.raises(ValueError, match="still kind 'selfie'"):
        await env.hub.request_still("w1", "selfie", "x")
    with pytest.raises(ValueError, match="caption"):
        await env.hub.request_still("w1", "face", "  ")
    with pytest.raises(ValueError, match="fractions"):
        await env.hub.point("w1", 1.5, 0.2)
    await env.hub.point("w1", 0.25, 0.75, seconds=2, label="closer")
    assert (await recv(ws, "pointer")) == {
        "type": "pointer",
        "x": 0.25,
        "y": 0.75,
        "seconds": 2,
        "label": "closer",
    }
    assert env.log.of("pointer")[0]["x"] == 0.25
    await ws.close()
