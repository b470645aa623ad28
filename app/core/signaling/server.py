"""The signaling server (aiohttp): serves the guest page and the ``/ws`` WebSocket.

One server can host several sessions (one :class:`SessionHost` per action id). Each WebSocket runs
a small state machine (new → invited → waiting → admitted) and every message is validated by
:mod:`app.core.signaling.messages`; a bad message gets an ``error`` reply and never affects other
connections. Tokens travel only inside WebSocket messages (never in URLs), so access logs cannot
leak them. Plain HTTP is refused unless the address is loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aiohttp import WSMsgType, web

import resources
from app.core.cosign_requests import CosignDesk
from app.core.invites import Admission, Invite, InviteBook
from app.core.signaling.cosign_routes import add_routes as add_cosign_routes
from app.core.signaling.errors import InviteError, ProtocolViolation, SessionError
from app.core.signaling.gallery_route import add_gallery_route
from app.core.signaling.messages import (
    MAX_MESSAGE_BYTES,
    Message,
    error,
    parse_message,
)
from app.core.signaling.tls import TlsIdentity

log = logging.getLogger(__name__)
MAX_VIOLATIONS = 20
_WIRE_LIMIT = 1024 * 1024  # frames above this are dropped by aiohttp itself (connection closed)
MAX_STILL_BYTES = 48 * 1024 * 1024  # a 12-megapixel PNG fits
STILL_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
_HEX64 = re.compile(r"[0-9a-f]{64}")
ACT_MESSAGES = (
    "acknowledge",
    "read_back_reply",
    "confirm_reply",
    "still_failed",
    "camera_switched",
    "still_capture",
    "identity_response",
    "request_still",
    "annotation",
)


@dataclass(frozen=True)
class StillUpload:
    """One still as it arrived over HTTP: bytes, the hash the page claims, the ticket it used."""

    ticket: str
    data: bytes
    claimed_sha256: str
    media_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class Channel:
    """One participant's WebSocket, as the hub sees it."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self._ws = ws
        self._lock = asyncio.Lock()
        self.participant_id: str | None = None
        self.state = "new"

    @property
    def closed(self) -> bool:
        return self._ws.closed

    async def send(self, message: Message) -> None:
        if self._ws.closed:
            return
        async with self._lock:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self._ws.send_str(message.encode())

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._ws.close()


class SessionHost(Protocol):
    """What a session (the hub) must provide to the server."""

    action_id: str
    action_title: str

    def on_pin(self, invite: Invite, channel: Channel) -> None: ...
    async def on_waiting(self, invite: Invite, language: str, channel: Channel) -> None: ...
    async def on_resume(self, admission: Admission, channel: Channel) -> None: ...
    async def on_answer(self, channel: Channel, sdp: str) -> None: ...
    async def on_leave(self, channel: Channel) -> None: ...
    async def on_closed(self, channel: Channel, reason: str) -> None: ...
    async def on_act(self, channel: Channel, message: Message) -> None: ...
    async def on_still(self, upload: StillUpload) -> dict[str, object]: ...


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class _Conn:
    channel: Channel
    token: str | None = None
    invite: Invite | None = None
    host: SessionHost | None = None
    violations: int = 0


class SignalingServer:
    """HTTP + WebSocket server; ``start()`` binds, ``base_url`` is what invite links use."""

    def __init__(
        self,
        invites: InviteBook,
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        tls: TlsIdentity | None = None,
        public_host: str | None = None,
        heartbeat: float = 3.0,
    ) -> None:
        if tls is None and not is_loopback(host):
            raise SessionError(
                "tls_required",
                f"plain HTTP is allowed only on loopback; {host!r} needs a TLS certificate",
            )
        self.invites = invites
        self.host, self.port, self.tls = host, port, tls
        self.public_host = public_host or host
        self.heartbeat = heartbeat
        self._hosts: dict[str, SessionHost] = {}
        self._runner: web.AppRunner | None = None
        self._connections: set[Channel] = set()
        self.cosign_desks: dict[str, CosignDesk] = {}  # co-sign requests by action id

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.public_host}:{self.port}"

    @property
    def fingerprint(self) -> str | None:
        return self.tls.fingerprint if self.tls else None

    def add_session(self, session: SessionHost) -> None:
        self._hosts[session.action_id] = session

    def remove_session(self, action_id: str) -> None:
        self._hosts.pop(action_id, None)

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE_BYTES)
        guest = resources.path("guest")
        app.router.add_get("/ws", self._ws_handler)
        app.router.add_get("/a/{action}/join", self._page)
        app.router.add_post("/a/{action}/still", self._still)
        add_cosign_routes(app, self.cosign_desks)
        add_gallery_route(app, self._hosts)
        app.router.add_get("/healthz", self._health)
        app.router.add_static("/guest/", guest, show_index=False, follow_symlinks=False)
        app.on_response_prepare.append(_security_headers)
        return app

    async def start(self) -> None:
        """Bind and serve; with ``port=0`` the chosen port is stored in ``self.port``."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        ssl_ctx = self.tls.ssl_context() if self.tls else None
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=ssl_ctx)
        try:
            await site.start()
        except OSError as e:
            raise SessionError("bind", f"cannot listen on {self.host}:{self.port}: {e}") from e
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for channel in list(self._connections):
            await channel.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "sessions": len(self._hosts)})

    async def _still(self, request: web.Request) -> web.Response:
        """A still from a participant's camera: checked against its SHA-256, then stored.

        The ticket (from a ``capture_still`` message, sent only to an admitted participant over
        the WebSocket) rides in a header, never in the URL. A hash mismatch is refused with 422 so
        the page retries; nothing damaged is ever stored.
        """

        def refuse(status: int, code: str, message: str) -> web.Response:
            return web.json_response({"ok": False, "code": code, "message": message}, status=status)

        host = self._hosts.get(request.match_info["action"])
        if host is None:
            return refuse(404, "unknown_session", "There is no such session on this server.")
        ticket = request.headers.get("X-Tergeu-Ticket", "")
        claimed = request.headers.get("X-Tergeu-Sha256", "").lower()
        media_type = request.content_type
        if not 20 <= len(ticket) <= 200:
            return refuse(403, "no_ticket", "header X-Tergeu-Ticket: missing or malformed")
        if not _HEX64.fullmatch(claimed):
            return refuse(400, "bad_hash", "header X-Tergeu-Sha256: expected 64 hex digits")
        if media_type not in STILL_TYPES:
            return refuse(
                415, "bad_type", f"content type {media_type!r}: expected image/png or image/jpeg"
            )
        if request.content_length is not None and request.content_length > MAX_STILL_BYTES:
            return refuse(413, "too_large", f"a still may have at most {MAX_STILL_BYTES} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > MAX_STILL_BYTES:
                return refuse(413, "too_large", f"a still may have at most {MAX_STILL_BYTES} bytes")
            chunks.append(chunk)
        upload = StillUpload(ticket, b"".join(chunks), claimed, media_type)
        try:
            result = await host.on_still(upload)
        except SessionError as e:
            status = {"unknown_ticket": 403, "hash_mismatch": 422}.get(e.code, 400)
            return refuse(status, e.code, e.message)
        except Exception as e:  # a bug must not take the server down
            log.exception("error while storing a still")
            return refuse(500, "internal", f"internal error: {type(e).__name__}")
        return web.json_response({"ok": True, **result})

    async def _page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(Path(resources.path("guest", "index.html")))

    async def _ws_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=self.heartbeat, max_msg_size=_WIRE_LIMIT)
        try:
            await ws.prepare(request)
        except ConnectionError:  # the client went away during the handshake (aiohttp's reset)
            log.info("a WebSocket client left during the handshake")
            return web.Response(status=499)  # never sent: aiohttp drops it on the closed socket
        conn = _Conn(Channel(ws))
        self._connections.add(conn.channel)
        reason = "connection closed"
        try:
            async for raw in ws:
                if raw.type == WSMsgType.TEXT:
                    await self._handle(conn, raw.data)
                elif raw.type == WSMsgType.BINARY:
                    await self._violation(
                        conn,
                        ProtocolViolation(
                            "binary", "binary frames are not accepted; send JSON text"
                        ),
                    )
                elif raw.type == WSMsgType.ERROR:
                    reason = f"network error: {ws.exception()}"
                    break
                if conn.violations >= MAX_VIOLATIONS:
                    await conn.channel.send(
                        error("too_many_errors", "too many invalid messages; closing", fatal=True)
                    )
                    break
        finally:
            self._connections.discard(conn.channel)
            await conn.channel.close()
            if conn.host is not None:
                try:
                    await conn.host.on_closed(conn.channel, reason)
                except Exception:
                    log.exception("session failed to handle a closed connection")
        return ws

    async def _violation(self, conn: _Conn, e: SessionError) -> None:
        conn.violations += 1
        await conn.channel.send(error(e.code, e.message))

    async def _handle(self, conn: _Conn, raw: str) -> None:
        try:
            msg = parse_message(raw)
            await self._dispatch(conn, msg)
        except ProtocolViolation as e:
            await self._violation(conn, e)
        except InviteError as e:
            fatal = e.code not in ("pin_wrong",)
            await conn.channel.send(
                error(e.code, e.message, fatal=fatal, attempts_left=e.attempts_left)
            )
            if fatal:
                await conn.channel.close()
        except Exception as e:  # a bug in one session must not take the server down
            log.exception("error while handling a %s message", conn.channel.state)
            await conn.channel.send(error("internal", f"internal error: {type(e).__name__}"))

    def _session(self, action: str) -> SessionHost:
        host = self._hosts.get(action)
        if host is None:
            raise InviteError("unknown_session", "There is no such session on this server.")
        return host

    async def _dispatch(self, conn: _Conn, msg: Message) -> None:
        ch = conn.channel
        expected = {
            "new": ("hello", "resume", "ping"),
            "invited": ("pin", "leave", "ping"),
            "waiting": ("leave", "ping"),
            "admitted": ("answer", "leave", "ping", *ACT_MESSAGES),
        }[ch.state]
        if msg.type not in expected:
            raise ProtocolViolation(
                "unexpected",
                f"message {msg.type!r} is not expected now (state {ch.state}); "
                f"expected {', '.join(expected)}",
            )
        if msg.type == "ping":
            await ch.send(Message("pong"))
        elif msg.type == "hello":
            host = self._session(msg["action"])
            invite = self.invites.check(msg["action"], msg["token"])
            conn.token, conn.invite, conn.host = msg["token"], invite, host
            ch.state = "invited"
            await ch.send(
                Message(
                    "invite",
                    {
                        "participant_id": invite.participant_id,
                        "role": invite.role,
                        "display_name": invite.display_name,
                        "action_title": host.action_title,
                        "attempts_left": self.invites.attempts_left(invite),
                    },
                )
            )
        elif msg.type == "resume":
            host = self._session(msg["action"])
            admission = self.invites.check_credential(msg["action"], msg["credential"])
            conn.host = host
            ch.state = "admitted"
            await host.on_resume(admission, ch)
        elif msg.type == "pin":
            if not msg["acknowledged"]:
                raise ProtocolViolation(
                    "rules_not_acknowledged", "the confidentiality rules must be acknowledged first"
                )
            assert conn.host is not None and conn.invite is not None and conn.token is not None
            conn.host.on_pin(conn.invite, ch)  # the host may get media ready meanwhile
            invite = await asyncio.to_thread(
                self.invites.redeem, conn.invite.action_id, conn.token, msg["pin"]
            )
            conn.token = None
            ch.state = "waiting"
            await conn.host.on_waiting(invite, msg["language"], ch)
        elif msg.type == "answer":
            assert conn.host is not None
            await conn.host.on_answer(ch, msg["sdp"])
        elif msg.type in ACT_MESSAGES:
            assert conn.host is not None
            await conn.host.on_act(ch, msg)
        elif msg.type == "leave":
            if conn.host is not None:
                await conn.host.on_leave(ch)
            await ch.send(Message("bye", {"reason": "you left the session"}))
            await ch.close()


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
        "media-src 'self' blob: mediastream:; style-src 'self'; script-src 'self'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
