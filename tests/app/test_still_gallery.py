"""The stills gallery over the real signaling server, with raw WebSocket clients as participants.

Raw clients hold the tickets themselves, so the test can try what a real participant's app never
would: another holder's ticket, a ticket for another still, a witness asking for the gallery, an
annotation of an original altered on disk, malformed messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import cv2
import numpy as np
import pytest
from aiohttp import web

from app.core.expert_view import ExpertView, GalleryItem
from app.core.signaling.errors import ProtocolViolation
from app.core.signaling.messages import SERVER_MESSAGES, Message, parse_message
from tests.app.test_stills import Env as StillsEnv
from tests.app.test_stills import hub_env, recv

WS = aiohttp.ClientWebSocketResponse


class Env(StillsEnv):
    async def scene_still(self, ws: WS, data: bytes) -> str:
        """Answer the next ``capture_still`` on ``ws`` with ``data``; its SHA-256."""
        ask = await recv(ws, "capture_still")
        digest = hashlib.sha256(data).hexdigest()
        headers = {"Content-Type": "image/png", "X-Tergeu-Sha256": digest}
        headers["X-Tergeu-Ticket"] = ask["ticket"]
        async with self.http.post(
            self.server.base_url + ask["upload_url"], data=data, headers=headers
        ) as r:
            assert r.status == 200, await r.text()
        return digest

    async def get(self, sha256: str, ticket: str | None) -> tuple[int, bytes, dict[str, str]]:
        headers = {"X-Tergeu-Ticket": ticket} if ticket is not None else {}
        url = f"{self.server.base_url}/a/A1/stills/{sha256}"
        async with self.http.get(url, headers=headers) as r:
            return r.status, await r.read(), dict(r.headers)


async def send(ws: WS, kind: str, **data: Any) -> None:
    await ws.send_str(json.dumps({"type": kind, **data}))


async def act(ws: WS, kind: str, request_id: str, **data: Any) -> dict[str, Any]:
    await send(ws, kind, request_id=request_id, **data)
    while True:
        reply = await recv(ws, "act_result")
        if reply["request_id"] == request_id:
            return reply


async def nothing_of(ws: WS, kind: str, seconds: float = 0.5) -> None:
    """No message of ``kind`` arrives on ``ws`` within ``seconds``."""
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(recv(ws, kind), seconds)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async for e in hub_env(tmp_path, Env):
        yield e


def png(width: int, height: int, seed: int = 7) -> bytes:
    image = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return bytes(buf)


RECT = [{"kind": "rect", "points": [[10, 10], [100, 80]]}]


async def test_gallery_goes_to_experts_only_with_tickets_of_their_own(
    env: Env, tmp_path: Path
) -> None:
    expert = await env.join("e1", "expert")
    w1 = await env.join("w1", "witness")
    w2 = await env.join("w2", "witness")

    # the expert asks for a still of w1's camera: logged with the expert as author
    reply = await act(expert, "request_still", "r1", participant_id="w1", caption="Lock, close")
    assert reply["ok"], reply
    data = png(800, 600)
    digest = await env.scene_still(w1, data)
    requested = env.log.of("still_requested")[0]
    assert (requested["author"], requested["participant"]) == ("e1", "w1")
    assert env.log.of("still")[0]["author"] == "e1"

    shown = await recv(expert, "still_available")
    assert (shown["number"], shown["sha256"], shown["participant_id"]) == (1, digest, "w1")
    assert (shown["width"], shown["height"], shown["caption"]) == (800, 600, "Lock, close")
    assert shown["url"] == f"/a/A1/stills/{digest}"
    await nothing_of(w2, "still_available")  # one witness never sees another's pictures
    await nothing_of(w1, "still_available")

    status, body, headers = await env.get(digest, shown["ticket"])
    assert status == 200 and body == data and headers["X-Tergeu-Sha256"] == digest
    assert headers["Content-Type"] == "image/png"

    # a second still by the investigator: the expert gets it too, with another ticket
    await env.hub.request_still("w2", "scene", "Footprints")
    other = await env.scene_still(w2, png(320, 240, seed=8))
    second = await recv(expert, "still_available")
    assert second["number"] == 2 and second["ticket"] != shown["ticket"]
    # document and face stills are identity evidence, never in the gallery
    await env.hub.request_still("w1", "document", "Identity card")
    await env.scene_still(w1, png(64, 48, seed=9))
    await nothing_of(expert, "still_available")

    # tickets open only their own still, and only for a holder in the session
    assert (await env.get(other, shown["ticket"]))[0] == 403
    assert (await env.get(digest, "x" * 43))[0] == 403
    assert (await env.get(digest, None))[0] == 403
    assert (await env.get("ab" * 20, shown["ticket"]))[0] == 400

    # an expert admitted later receives the gallery so far
    late = await env.join("e2", "specialist")
    caught = [await recv(late, "still_available"), await recv(late, "still_available")]
    assert [c["sha256"] for c in caught] == [digest, other]
    await send(expert, "leave")
    await recv(expert, "bye")
    await asyncio.sleep(0.2)
    assert (await env.get(digest, shown["ticket"]))[0] == 403  # its holder has left
    assert (await env.get(digest, caught[0]["ticket"]))[0] == 200
    for ws in (w1, w2, late):
        await ws.close()


async def test_who_may_request_and_annotate(env: Env, tmp_path: Path) -> None:
    expert = await env.join("e1", "expert")
    w1 = await env.join("w1", "witness")
    defender = await env.join("d1", "defender")
    await env.hub.request_still("w1", "scene", "Window frame")
    digest = await env.scene_still(w1, png(640, 480))
    await recv(expert, "still_available")
    original = tmp_path / "action" / "evidence" / "still-001-scene-w1.png"

    cases: list[tuple[WS, str, dict[str, Any], str]] = [
        (w1, "request_still", {"participant_id": "e1", "caption": "x"}, "not_allowed"),
        (w1, "annotation", {"still_sha256": digest, "shapes": RECT, "note": ""}, "not_allowed"),
        (defender, "request_still", {"participant_id": "w1", "caption": "x"}, "not_allowed"),
        (
            expert,
            "request_still",
            {"participant_id": "investigator", "caption": "x"},
            "not_in_session",
        ),
        (expert, "request_still", {"participant_id": "e1", "caption": "x"}, "not_allowed"),
        (expert, "request_still", {"participant_id": "nobody", "caption": "x"}, "not_in_session"),
        (
            expert,
            "annotation",
            {"still_sha256": "0" * 64, "shapes": RECT, "note": ""},
            "unknown_still",
        ),
        (
            expert,
            "annotation",
            {
                "still_sha256": digest,
                "shapes": [{"kind": "circle", "points": [[1, 1]]}],
                "note": "",
            },
            "bad_annotation",
        ),
        (
            expert,
            "annotation",
            {"still_sha256": digest, "shapes": [{"kind": "text", "points": [[1, 1]]}], "note": ""},
            "bad_annotation",
        ),
    ]
    for i, (ws, kind, data, code) in enumerate(cases):
        reply = await act(ws, kind, f"q{i}", **data)
        assert (reply["ok"], reply.get("code")) == (False, code), (kind, data, reply)
    assert not env.log.of("annotation_saved")
    assert not (tmp_path / "action" / "evidence" / "annotation-001-e1.json").exists()

    saved = await act(expert, "annotation", "ok1", still_sha256=digest, shapes=RECT, note="")
    assert saved["ok"], saved
    entry = env.log.of("annotation_saved")[0]
    assert entry["file"] == "evidence/annotation-001-e1.json" and "note" not in entry
    assert entry["still_sha256"] == digest == hashlib.sha256(original.read_bytes()).hexdigest()

    # an original altered on disk is neither served nor annotated
    tampered = bytearray(original.read_bytes())
    tampered[-20] ^= 0xFF
    original.chmod(0o600)
    original.write_bytes(bytes(tampered))
    refused = await act(expert, "annotation", "ok2", still_sha256=digest, shapes=RECT, note="")
    assert (refused["ok"], refused["code"]) == (False, "not_stored")
    assert "the original was altered" in refused["message"]
    late = await env.join("e2", "expert")
    ticket = (await recv(late, "still_available"))["ticket"]
    status, body, _ = await env.get(digest, ticket)
    assert status == 500 and json.loads(body)["code"] == "evidence_changed"
    assert len(env.log.of("annotation_saved")) == 1
    for ws in (expert, w1, defender, late):
        await ws.close()


async def test_expert_requests_are_limited(env: Env) -> None:
    expert = await env.join("e1", "expert")
    w1 = await env.join("w1", "witness")  # kept: a dropped WebSocket object closes
    codes = []
    for i in range(8):
        reply = await act(expert, "request_still", f"r{i}", participant_id="w1", caption="x")
        codes.append(reply.get("code", "ok"))
    assert codes == ["ok"] * 6 + ["busy", "busy"]
    assert len(env.log.of("still_requested")) == 6
    await w1.close()


@pytest.mark.parametrize(
    ("message", "code", "text"),
    [
        (
            {"type": "request_still", "request_id": "r", "participant_id": "w1", "caption": " "},
            "bad_value",
            "caption has 1 characters; expected 1 to 500, not blank",
        ),
        (
            {
                "type": "request_still",
                "request_id": "r",
                "participant_id": "w1",
                "caption": "x" * 501,
            },
            "bad_value",
            "caption has 501 characters",
        ),
        (
            {"type": "request_still", "request_id": "r", "participant_id": "w 1", "caption": "x"},
            "bad_value",
            "participant_id 'w 1' is not a participant id",
        ),
        (
            {"type": "request_still", "request_id": "r", "participant_id": "w1"},
            "missing_field",
            "required field 'caption' missing",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "ab",
                "shapes": RECT,
                "note": "",
            },
            "bad_value",
            "still_sha256 must be 64 lower-case hex digits",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "a" * 64,
                "shapes": [],
                "note": "",
            },
            "bad_value",
            "0 shapes; expected 1 to 200",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "a" * 64,
                "shapes": RECT * 201,
                "note": "",
            },
            "bad_value",
            "201 shapes; expected 1 to 200",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "a" * 64,
                "shapes": ["rect"],
                "note": "",
            },
            "bad_value",
            "shapes[0] must be an object",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "a" * 64,
                "shapes": {},
                "note": "",
            },
            "wrong_type",
            "field 'shapes' must be array, got object",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "a" * 64,
                "shapes": RECT,
                "note": "n" * 2001,
            },
            "bad_value",
            "field 'note' has 2001 characters",
        ),
        (
            {
                "type": "annotation",
                "request_id": "r",
                "still_sha256": "a" * 64,
                "shapes": RECT,
                "note": "",
                "author": "someone else",
            },
            "unknown_field",
            "unknown field 'author'",
        ),
    ],
)
def test_bad_gallery_messages_refused_with_the_reason(
    message: dict[str, Any], code: str, text: str
) -> None:
    with pytest.raises(ProtocolViolation) as caught:
        parse_message(json.dumps(message))
    assert caught.value.code == code and text in caught.value.message, caught.value.message


def test_still_available_is_a_server_message_only() -> None:
    sample = {
        "number": 1,
        "sha256": "a" * 64,
        "participant_id": "w1",
        "caption": "c",
        "width": 1,
        "height": 1,
        "taken_utc": "2026-12-02T08:00:00.000000Z",
        "media_type": "image/png",
        "url": "/a/A1/stills/" + "a" * 64,
        "ticket": "t" * 43,
    }
    raw = Message("still_available", sample).encode()
    assert parse_message(raw, allowed=SERVER_MESSAGES).data == sample
    with pytest.raises(ProtocolViolation, match="unknown message type 'still_available'"):
        parse_message(raw)  # a client may not send it
    with pytest.raises(ProtocolViolation, match="sha256 must be 64 lower-case hex"):
        parse_message(raw.replace("a" * 64, "A" * 64, 1), allowed=SERVER_MESSAGES)


@pytest.mark.parametrize("damaged_times", [1, 10])
async def test_client_keeps_only_a_download_with_the_announced_hash(damaged_times: int) -> None:
    """``ExpertView`` against a loopback server that damages the first downloads in transit."""
    data = png(320, 240)
    digest = hashlib.sha256(data).hexdigest()
    served: list[str] = []

    async def still(request: web.Request) -> web.Response:
        served.append(request.headers.get("X-Tergeu-Ticket", ""))
        body = bytearray(data)
        if len(served) <= damaged_times:
            body[len(body) // 2] ^= 0xFF
        return web.Response(body=bytes(body), content_type="image/png")

    app = web.Application()
    app.router.add_get("/a/A1/stills/{sha256}", still)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    view = ExpertView(f"http://127.0.0.1:{port}", send, False)
    shown: list[GalleryItem] = []
    view.add_listener(shown.append)
    ticket = "t" * 43
    view.on_still_available(
        {
            "number": 1,
            "sha256": digest,
            "participant_id": "w1",
            "caption": "Lock",
            "width": 320,
            "height": 240,
            "taken_utc": "2026-12-02T08:00:00.000000Z",
            "media_type": "image/png",
            "url": f"/a/A1/stills/{digest}",
            "ticket": ticket,
        }
    )
    try:
        for _ in range(100):
            if shown or view.failed:
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()
    assert set(served) == {ticket}  # the ticket travels in the header
    if damaged_times == 1:  # damaged once: fetched again, the intact bytes kept
        assert len(served) == 2 and [i.data for i in shown] == [data] and not view.failed
        assert view.stills[digest].data == data
    else:  # damaged every time: given up with the reason, nothing shown
        assert len(served) == 4 and shown == [] and view.stills == {}
        assert "SHA-256" in view.failed[0] and f"instead of {digest[:12]}" in view.failed[0]


async def test_expert_told_when_the_still_asked_for_is_not_taken(env: Env) -> None:
    expert = await env.join("e1", "expert")
    w1 = await env.join("w1", "witness")
    reply = await act(expert, "request_still", "mine", participant_id="w1", caption="Lock")
    assert reply["ok"], reply
    ask = await recv(w1, "capture_still")
    await send(w1, "still_failed", request_id=ask["request_id"], message="no camera")
    told = await recv(expert, "still_not_taken")
    assert told == {"type": "still_not_taken", "request_id": "mine", "message": "no camera"}
    assert env.log.of("still_failed")[0]["message"] == "no camera"
    # a still the investigator asked for fails quietly for the expert (not theirs)
    await env.hub.request_still("w1", "scene", "Window")
    ask = await recv(w1, "capture_still")
    await send(w1, "still_failed", request_id=ask["request_id"], message="no camera")
    await nothing_of(expert, "still_not_taken")
    for ws in (expert, w1):
        await ws.close()
