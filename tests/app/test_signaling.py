from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from app.core.hub import Hub
from app.core.invites import InviteBook
from app.core.signaling.errors import ProtocolViolation, SessionError
from app.core.signaling.messages import MAX_MESSAGE_BYTES, parse_message
from app.core.signaling.server import SignalingServer
from app.core.signaling.tls import ensure_self_signed
from recorder.clock import SessionClock
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

# ---- message validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("not json{", "not_json", "not valid JSON"),
        ("[1, 2]", "not_object", "got array"),
        ('{"token": "x"}', "missing_type", "'type'"),
        ('{"type": "launch"}', "unknown_type", "'launch'"),
        ('{"type": "ping", "extra": 1}', "unknown_field", "'extra'"),
        ('{"type": "hello", "protocol": 1, "action": "A1"}', "missing_field", "'token'"),
        (
            '{"type": "hello", "protocol": "1", "action": "A", "token": "t"}',
            "wrong_type",
            "got string",
        ),
        (
            '{"type": "hello", "protocol": true, "action": "A", "token": "t"}',
            "wrong_type",
            "boolean",
        ),
        (
            '{"type": "hello", "protocol": 2, "action": "A", "token": "t"}',
            "unsupported_protocol",
            "2",
        ),
        (
            '{"type": "pin", "pin": "12345", "acknowledged": true, "language": "ru"}',
            "bad_pin_format",
            "6",
        ),
        (
            '{"type": "pin", "pin": "123456", "acknowledged": true, "language": "de"}',
            "bad_language",
            "de",
        ),
        ('{"type": "answer", "sdp": "hello"}', "bad_sdp", "v=0"),
        (
            '{"type": "acknowledge", "request_id": "t1", "typed_name": "A", "text_sha256": "ab"}',
            "bad_value",
            "64 lower-case hex",
        ),
        (
            json.dumps(
                {
                    "type": "acknowledge",
                    "request_id": "t 1/..",
                    "typed_name": "A",
                    "text_sha256": "a" * 64,
                }
            ),
            "bad_value",
            "request_id",
        ),
        (
            json.dumps(
                {
                    "type": "acknowledge",
                    "request_id": "t1",
                    "typed_name": "A" * 2001,
                    "text_sha256": "a" * 64,
                }
            ),
            "bad_value",
            "2001 characters",
        ),
        (
            json.dumps(
                {
                    "type": "read_back_reply",
                    "request_id": "t1",
                    "decision": "maybe",
                    "remarks": "",
                    "reason": "",
                    "typed_name": "A",
                    "text_sha256": "a" * 64,
                    "draft_sha256": "b" * 64,
                }
            ),
            "bad_value",
            "'maybe'",
        ),
        ('{"type": "camera_switched", "facing": "left", "label": ""}', "bad_value", "'left'"),
        ('{"type": "still_capture", "request_id": "s1", "phase": "middle"}', "bad_value", "middle"),
    ],
)
def test_malformed_message_named(raw: str, code: str, words: str) -> None:
    with pytest.raises(ProtocolViolation) as e:
        parse_message(raw)
    assert e.value.code == code and words in e.value.message


def test_oversized_message_refused() -> None:
    raw = json.dumps({"type": "answer", "sdp": "v=0" + "a" * MAX_MESSAGE_BYTES})
    with pytest.raises(ProtocolViolation) as e:
        parse_message(raw)
    assert e.value.code == "too_large" and str(MAX_MESSAGE_BYTES) in e.value.message


def test_valid_message_round_trips() -> None:
    msg = parse_message('{"type":"pin","pin":"012345","acknowledged":true,"language":"kk"}')
    assert msg.type == "pin" and msg["pin"] == "012345"
    assert parse_message(msg.encode()) == msg


# ---- the server ---------------------------------------------------------------------------------


class Env:
    def __init__(self, server: SignalingServer, book: InviteBook, hub: Hub) -> None:
        self.server, self.book, self.hub = server, book, hub
        self.http = aiohttp.ClientSession()

    def issue(self, action: str = "A1", pid: str = "w1", **kw):
        return self.book.issue(
            action_id=action,
            participant_id=pid,
            role="witness",
            display_name="W",
            base_url=self.server.base_url,
            **kw,
        )

    async def ws(self) -> aiohttp.ClientWebSocketResponse:
        return await self.http.ws_connect(self.server.base_url + "/ws")


async def send(ws: aiohttp.ClientWebSocketResponse, **msg: object) -> dict:
    await ws.send_str(json.dumps(msg))
    return await recv(ws)


async def recv(ws: aiohttp.ClientWebSocketResponse) -> dict:
    raw = await asyncio.wait_for(ws.receive(), 10)
    assert raw.type == aiohttp.WSMsgType.TEXT, raw
    return json.loads(raw.data)


def make_hub(book: InviteBook, action: str) -> Hub:
    clock = SessionClock.start()
    return Hub(
        action_id=action,
        action_title=f"Interrogation {action}",
        invites=book,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
    )


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    hub = make_hub(book, "A1")
    server.add_session(hub)
    server.add_session(make_hub(book, "B7"))
    e = Env(server, book, hub)
    yield e
    await e.http.close()
    await hub.close()
    await server.stop()


def hello(action: str, token: str) -> dict:
    return {"type": "hello", "protocol": 1, "action": action, "token": token}


def pin(value: str) -> dict:
    return {"type": "pin", "pin": value, "acknowledged": True, "language": "ru"}


async def test_join_reaches_lobby_and_hub_sees_waiting(env: Env) -> None:
    issued = env.issue()
    ws = await env.ws()
    invite = await send(ws, **hello("A1", issued.token))
    assert invite["type"] == "invite" and invite["role"] == "witness"
    assert invite["action_title"] == "Interrogation A1" and invite["attempts_left"] == 5
    assert (await send(ws, **pin(issued.pin)))["type"] == "lobby"
    assert env.hub.participant_state("w1") == "waiting"
    await env.hub.decline("w1", "not today")
    assert (await recv(ws)) == {"type": "declined", "reason": "not today"}


@pytest.mark.parametrize("case", ["expired", "reused", "revoked", "foreign", "unknown"])
async def test_invite_misuse_refused_with_clear_error(env: Env, case: str) -> None:
    issued = env.issue(ttl=timedelta(milliseconds=50) if case == "expired" else timedelta(hours=1))
    action, token = "A1", issued.token
    if case == "expired":
        await asyncio.sleep(0.1)
    elif case == "reused":
        first = await env.ws()
        await send(first, **hello("A1", token))
        assert (await send(first, **pin(issued.pin)))["type"] == "lobby"
    elif case == "revoked":
        env.book.revoke(issued.invite.invite_id)
    elif case == "foreign":
        action = "B7"
    elif case == "unknown":
        token = "Q" * 43
    ws = await env.ws()
    reply = await send(ws, **hello(action, token))
    code = {"reused": "used"}.get(case, case)
    assert reply["type"] == "error" and reply["code"] == code and reply["fatal"] is True
    assert (await ws.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_wrong_pin_then_lockout(env: Env) -> None:
    issued = env.issue()
    bad = f"{(int(issued.pin) + 1) % 10**6:06d}"
    ws = await env.ws()
    await send(ws, **hello("A1", issued.token))
    for left in (4, 3, 2, 1):
        reply = await send(ws, **pin(bad))
        assert (reply["code"], reply["attempts_left"], reply["fatal"]) == ("pin_wrong", left, False)
    reply = await send(ws, **pin(bad))
    assert (reply["code"], reply["fatal"]) == ("pin_locked", True)
    # a new connection with the right PIN is refused too
    ws2 = await env.ws()
    reply = await send(ws2, **hello("A1", issued.token))
    assert reply["code"] == "pin_locked"
    assert env.hub.participant_state("w1") is None


async def test_rules_must_be_acknowledged(env: Env) -> None:
    issued = env.issue()
    ws = await env.ws()
    await send(ws, **hello("A1", issued.token))
    reply = await send(ws, type="pin", pin=issued.pin, acknowledged=False, language="ru")
    assert reply["code"] == "rules_not_acknowledged"
    assert (await send(ws, **pin(issued.pin)))["type"] == "lobby"


async def test_junk_oversized_and_out_of_order_do_not_disturb_others(env: Env) -> None:
    good = env.issue(pid="w2")
    other = await env.ws()
    await send(other, **hello("A1", good.token))
    bad = await env.ws()
    assert (await send(bad, type="answer", sdp="v=0"))["code"] == "unexpected"
    assert (await send(bad, type="pin", pin="123456", acknowledged=True, language="ru"))[
        "code"
    ] == "unexpected"
    await bad.send_str("\x00\xff junk")
    assert (await recv(bad))["code"] == "not_json"
    await bad.send_str(json.dumps({"type": "ping", "pad": "x" * (MAX_MESSAGE_BYTES + 10)}))
    assert (await recv(bad))["code"] == "too_large"
    await bad.send_bytes(b"\x01\x02")
    assert (await recv(bad))["code"] == "binary"
    # the guest's acts are accepted only from an admitted participant
    ack = {"request_id": "t1", "typed_name": "W", "text_sha256": "a" * 64}
    assert (await send(bad, type="acknowledge", **ack))["code"] == "unexpected"
    assert (await send(bad, type="camera_switched", facing="user", label="x"))[
        "code"
    ] == "unexpected"
    assert (await send(bad, type="ping")) == {"type": "pong"}  # still served
    # the other participant's session goes on undisturbed
    assert (await send(other, **pin(good.pin)))["type"] == "lobby"


async def test_too_many_violations_close_connection(env: Env) -> None:
    ws = await env.ws()
    for _ in range(19):
        await ws.send_str("{}")
        assert (await recv(ws))["code"] == "missing_type"
    await ws.send_str("{}")
    await recv(ws)
    assert (await recv(ws))["code"] == "too_many_errors"


async def test_guest_page_served_with_strict_headers(env: Env) -> None:
    async with env.http.get(env.server.base_url + "/a/A1/join") as r:
        assert r.status == 200 and "guest.js" in await r.text()
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "no-referrer"
    for lang in ("kk", "ru", "en"):
        async with env.http.get(f"{env.server.base_url}/guest/i18n/{lang}.json") as r:
            assert r.status == 200 and "rules_ack" in await r.json()
    async with env.http.get(env.server.base_url + "/guest/../invites.py") as r:
        assert r.status in (403, 404)


def test_i18n_catalogues_have_the_same_keys() -> None:
    import resources

    keys = [
        set(json.loads(resources.path("guest", "i18n", f"{lang}.json").read_text()))
        for lang in ("kk", "ru", "en")
    ]
    assert keys[0] == keys[1] == keys[2]


async def test_plain_http_refused_off_loopback() -> None:
    with pytest.raises(SessionError) as e:
        SignalingServer(InviteBook(), host="0.0.0.0", port=0)
    assert e.value.code == "tls_required" and "0.0.0.0" in e.value.message


async def test_tls_self_signed_reused_and_pinned_by_fingerprint(tmp_path: Path) -> None:
    ident = ensure_self_signed(tmp_path / "tls", ["127.0.0.1"])
    assert (tmp_path / "tls" / "signaling.key").stat().st_mode & 0o777 == 0o600
    assert ensure_self_signed(tmp_path / "tls", ["127.0.0.1"]).fingerprint == ident.fingerprint
    book = InviteBook()
    server = SignalingServer(book, host="127.0.0.1", port=0, tls=ident)
    await server.start()
    try:
        assert server.base_url.startswith("https://")
        digest = bytes.fromhex(ident.fingerprint.replace(":", ""))
        async with aiohttp.ClientSession() as http:
            async with http.get(server.base_url + "/healthz", ssl=aiohttp.Fingerprint(digest)) as r:
                assert (await r.json())["ok"] is True
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await http.get(server.base_url + "/healthz", ssl=ssl.create_default_context())
            wrong = aiohttp.Fingerprint(bytes(32))
            with pytest.raises(aiohttp.ServerFingerprintMismatch):
                await http.get(server.base_url + "/healthz", ssl=wrong)
    finally:
        await server.stop()


async def test_token_and_pin_never_logged(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    issued = env.issue()
    ws = await env.ws()
    await send(ws, **hello("A1", issued.token))
    await send(ws, **pin(f"{(int(issued.pin) + 1) % 10**6:06d}"))
    await send(ws, **pin(issued.pin))
    assert issued.token not in caplog.text and issued.pin not in caplog.text


async def test_client_gone_during_handshake_is_not_an_error(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    port = env.server.port
    request = (
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with caplog.at_level(logging.ERROR):
        for _ in range(30):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request.encode())
            writer.transport.abort()  # gone at once, as a phone losing its network
        await asyncio.sleep(0.3)
        ws = await env.ws()
        assert (await send(ws, type="ping")) == {"type": "pong"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
