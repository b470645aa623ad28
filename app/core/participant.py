"""The desktop participant: joins a live session through the same protocol as the guest page.

Used by ``tergeu join`` (expert, specialist, defender at their own computer) and by the demo and
tests as a synthetic participant. After admission it keeps the reconnect credential; when the
control channel or the media connection fails it resumes with a new connection, retrying every
second, so it is back within a few seconds of the network returning.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import ssl
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from app.core.expert_view import ExpertView
from app.core.invites import parse_join_link
from app.core.signaling.errors import SessionError
from app.core.signaling.messages import (
    MAX_SERVER_MESSAGE_BYTES,
    PROTOCOL_VERSION,
    SERVER_MESSAGES,
    Message,
    parse_message,
)

log = logging.getLogger(__name__)
FrameHook = Callable[[str, Any], None]


@dataclass(frozen=True)
class TextShown:
    """A procedure text the hub asked this participant to acknowledge or (read_back) confirm."""

    request_id: str
    purpose: str
    step: str
    title: str
    text: str
    draft: str | None

    @property
    def shown(self) -> str:
        """What the participant is shown: title, blank line, text (as the procedure hashes it)."""
        return f"{self.title}\n\n{self.text}"


@dataclass(frozen=True)
class Reply:
    """The participant's own answer: the name they typed, remarks, or a refusal with a reason."""

    typed_name: str
    remarks: str = ""
    refused_reason: str | None = None


# asks the person (terminal prompt) or, for a synthetic participant, answers for it
TextHook = Callable[[TextShown], Awaitable[Reply | None]]


def _sha256(text: str) -> str:
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


@dataclass
class ParticipantStats:
    """What the participant saw: frames received per slot track, connections made."""

    frames: dict[str, int] = field(default_factory=dict)
    connections: int = 0
    resumes: int = 0
    recording: bool = False


def track_name(pc: RTCPeerConnection, track: MediaStreamTrack) -> str:
    """What a track from the hub carries: ``exhibit-video`` / ``exhibit-audio`` on the hub's last
    audio+video pair (the exhibit slot), else ``<mid>-<kind>`` (``0-audio`` and ``1-video``: the
    investigator; ``2-audio``, ``3-video``, ...: forwarded participants)."""
    transceivers = pc.getTransceivers()
    mid = next((t.mid for t in transceivers if t.receiver.track is track), None)
    last = [t.receiver.track for t in transceivers[2:][-2:]]
    if len(transceivers) >= 4 and track in last:
        return f"exhibit-{track.kind}"
    return f"{mid}-{track.kind}"


class TeeTrack(MediaStreamTrack):
    """Passes the camera's frames to whoever pulls them (the sender) and lets a still take a
    look at the next one (``still_frame``), with no extra queue and no frame dropped."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._still_wanted: list[asyncio.Future[Any]] = []

    async def recv(self) -> Any:
        frame = await self._source.recv()
        wanted, self._still_wanted = self._still_wanted, []
        for fut in wanted:
            if not fut.done():
                fut.set_result(frame)
        return frame

    def still_frame(self) -> asyncio.Future[Any]:
        """The next frame sent (only while media flows)."""
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._still_wanted.append(fut)
        return fut

    def stop(self) -> None:
        self._source.stop()
        super().stop()


class _NextFrame:
    """``capture_still`` reads one frame through ``recv``."""

    def __init__(self, tee: TeeTrack) -> None:
        self._tee = tee

    async def recv(self) -> Any:
        return await self._tee.still_frame()


class Participant:
    """One participant client. ``run()`` returns when the session ends or ``leave()`` is called."""

    def __init__(
        self,
        link: str,
        pin: str,
        *,
        audio: MediaStreamTrack,
        video: MediaStreamTrack,
        language: str = "ru",
        fingerprint: str | None = None,
        on_frame: FrameHook | None = None,
        resume_deadline: float = 60.0,
        on_text: TextHook | None = None,
        signer: Any = None,
    ) -> None:
        base, self.action_id, self._token = parse_join_link(link)
        self._base = base
        self._ws_url = base.replace("https://", "wss://").replace("http://", "ws://") + "/ws"
        self._pin = pin
        # the camera's frames go to the hub as they are pulled; a still takes the next one
        self._audio, self._video = audio, TeeTrack(video)
        self.stills_sent: list[dict[str, Any]] = []
        self._language = language
        self._ssl: ssl.SSLContext | aiohttp.Fingerprint | bool = True
        if fingerprint:
            digest = bytes.fromhex(fingerprint.replace(":", ""))
            if len(digest) != 32:
                raise ValueError(f"fingerprint {fingerprint!r}: expected 32 bytes of SHA-256 hex")
            self._ssl = aiohttp.Fingerprint(digest)
        self._on_frame = on_frame
        self._on_text = on_text
        self._signer = signer  # protocol.signing.Signer proving identity to the hub, if any
        self.display_name: str | None = None
        self.role: str | None = None  # as invited (the gallery is for experts and specialists)
        self.act_results: dict[str, tuple[bool, str]] = {}
        self._resume_deadline = resume_deadline
        self._credential: str | None = None
        self._pc: RTCPeerConnection | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._leaving = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._act_tasks: set[asyncio.Task[None]] = set()  # replies to texts, across reconnects
        self.participant_id: str | None = None
        # the exhibit the hub shows on our exhibit tile now (number, title), or None
        self.exhibit: tuple[int, str] | None = None
        self.stats = ParticipantStats()
        self.state = "new"
        self.admitted = asyncio.Event()
        self.connected = asyncio.Event()
        # the stills gallery, still requests and annotations (experts and specialists)
        self.expert = ExpertView(base, self._send_now, self._ssl)

    async def run(self) -> str:
        """Join, then stay until the session ends; returns the reason it ended."""
        async with aiohttp.ClientSession() as http:
            reason = await self._session(http, resume=False)
            while reason == "lost" and not self._leaving and self._credential:
                reason = await self._resume_loop(http)
        await self._close_media()
        for task in list(self._act_tasks):
            task.cancel()
        self.expert.close()
        return reason

    async def leave(self) -> None:
        self._leaving = True
        if self._ws is not None and not self._ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self._ws.send_str(Message("leave").encode())
            await self._ws.close()

    async def cut_network(self) -> None:
        """Simulate a network failure: drop the WebSocket and the media connection abruptly."""
        await self._close_media()
        if self._ws is not None:
            await self._ws.close()

    async def _resume_loop(self, http: aiohttp.ClientSession) -> str:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self._resume_deadline
        while not self._leaving and loop.time() < give_up:
            await asyncio.sleep(1.0)
            try:
                self.stats.resumes += 1
                return await self._session(http, resume=True)
            except (aiohttp.ClientError, OSError) as e:
                log.info("resume failed, retrying: %s", type(e).__name__)
        return "gave up reconnecting"

    async def _session(self, http: aiohttp.ClientSession, *, resume: bool) -> str:
        async with http.ws_connect(self._ws_url, ssl=self._ssl, heartbeat=3.0) as ws:
            self._ws = ws
            if resume:
                assert self._credential is not None
                first = {"protocol": PROTOCOL_VERSION, "action": self.action_id}
                await self._send(Message("resume", {**first, "credential": self._credential}))
            else:
                await self._send(
                    Message(
                        "hello",
                        {
                            "protocol": PROTOCOL_VERSION,
                            "action": self.action_id,
                            "token": self._token,
                        },
                    )
                )
            async for raw in ws:
                if raw.type != aiohttp.WSMsgType.TEXT:
                    break
                msg = parse_message(
                    raw.data, allowed=SERVER_MESSAGES, limit=MAX_SERVER_MESSAGE_BYTES
                )
                ended = await self._handle(msg)
                if ended is not None:
                    return ended
        await self._close_media()
        return "left" if self._leaving else "lost"

    async def _send(self, msg: Message) -> None:
        assert self._ws is not None
        await self._ws.send_str(msg.encode())

    async def _send_now(self, msg: Message) -> None:
        """Send one of the participant's own acts; SessionError while not connected."""
        if self._ws is None or self._ws.closed or self.state != "admitted":
            raise SessionError("not_connected", "not in the session now: try again when back")
        await self._ws.send_str(msg.encode())

    async def _handle(self, msg: Message) -> str | None:
        if msg.type == "invite":
            self.participant_id = msg["participant_id"]
            self.display_name = msg["display_name"]
            self.role = msg["role"]
            await self._send(
                Message("pin", {"pin": self._pin, "acknowledged": True, "language": self._language})
            )
        elif msg.type == "lobby":
            self.state = "waiting"
        elif msg.type == "admitted":
            if msg.get("credential"):
                self._credential = msg["credential"]
            self._ice = [
                RTCIceServer(s["urls"], s.get("username"), s.get("credential"))
                for s in msg["ice_servers"]
            ]
            self.state = "admitted"
            self.admitted.set()
        elif msg.type == "recording":
            self.stats.recording = msg["active"]
        elif msg.type == "exhibit":
            active = msg["active"] and "number" in msg.data
            self.exhibit = (int(msg["number"]), str(msg.get("title", ""))) if active else None
        elif msg.type == "offer":
            await self._answer(msg["sdp"])
        elif msg.type == "show_text":
            shown = TextShown(
                msg["request_id"],
                msg["purpose"],
                msg["step"],
                msg["title"],
                msg["text"],
                msg.get("draft"),
            )
            self._spawn(self._reply(shown))
        elif msg.type == "act_result":
            self.act_results[msg["request_id"]] = (msg["ok"], msg["message"])
            code = str(msg.get("code", ""))
            if self.expert.on_act_result(msg["request_id"], msg["ok"], msg["message"], code):
                return None
            if not msg["ok"]:
                log.warning("acknowledgment not accepted: %s", msg["message"])
        elif msg.type == "roster":
            self.expert.on_roster(msg["slots"])
        elif msg.type == "still_available":
            self.expert.on_still_available(dict(msg.data))
        elif msg.type == "still_not_taken":
            self.expert.failed.append(f"the still was not taken: {msg['message']}")
        elif msg.type == "capture_still":
            self._spawn(self._still(dict(msg.data)))
        elif msg.type == "identity_challenge":
            self._spawn(self._prove_identity(dict(msg.data)))
        elif msg.type in ("declined", "bye"):
            self._leaving = True
            return str(msg["reason"])
        elif msg.type == "error":
            if msg["fatal"]:
                raise SessionError(msg["code"], f"refused: {msg['message']}")
            log.warning("server reported %s: %s", msg["code"], msg["message"])
        return None

    async def _prove_identity(self, data: dict[str, Any]) -> None:
        """Sign the hub's challenge with this participant's key (their own act, in their app)."""
        from app.core.identity import Challenge

        signature = b""
        if self._signer is not None:
            challenge = Challenge(
                data["action_id"], data["participant_id"], data["nonce"], data["issued_utc"]
            )
            signature = await self._signer.sign_detached(challenge.payload())
        payload = {"request_id": data["request_id"]}
        payload["signature"] = base64.b64encode(signature).decode()
        await self._send(Message("identity_response", payload))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._act_tasks.add(task)
        task.add_done_callback(self._act_tasks.discard)

    async def _still(self, ask: dict[str, Any]) -> None:
        """A still from our own camera at the size it delivers, uploaded with its SHA-256."""
        from app.core.evidence import capture_still

        try:
            png, width, height = await asyncio.wait_for(capture_still(_NextFrame(self._video)), 10)
        except Exception as e:
            data = {"request_id": ask["request_id"], "message": f"no picture: {e!r}"}
            await self._send(Message("still_failed", data))
            return
        digest = hashlib.sha256(png).hexdigest()
        headers = {
            "Content-Type": "image/png",
            "X-Tergeu-Ticket": ask["ticket"],
            "X-Tergeu-Sha256": digest,
        }
        record: dict[str, Any] = {"request_id": ask["request_id"], "sha256": digest}
        record |= {"width": width, "height": height, "refused": []}
        async with aiohttp.ClientSession() as http:
            for attempt in range(1, 6):
                body = self._damage(png)
                url = self._base + ask["upload_url"]
                try:
                    async with http.post(url, data=body, headers=headers, ssl=self._ssl) as r:
                        reply = await r.json()
                        status = r.status
                except (aiohttp.ClientError, OSError, ValueError) as e:
                    status, reply = 0, {"code": type(e).__name__}
                if status == 200:
                    record["stored"] = True
                    self.stills_sent.append(record)
                    return
                record["refused"].append(reply.get("code", str(status)))
                if status not in (0, 422) and status < 500:
                    break
                await asyncio.sleep(0.3 * attempt)
        record["stored"] = False
        self.stills_sent.append(record)
        message = f"upload refused: {', '.join(record['refused'])}"
        await self._send(
            Message("still_failed", {"request_id": ask["request_id"], "message": message})
        )

    corrupt_uploads = 0  # tests: damage the next uploads in transit (the hub must refuse them)

    def _damage(self, data: bytes) -> bytes:
        if self.corrupt_uploads <= 0:
            return data
        self.corrupt_uploads -= 1
        damaged = bytearray(data)
        damaged[len(damaged) // 2] ^= 0xFF
        return bytes(damaged)

    async def _reply(self, shown: TextShown) -> None:
        """Ask the person (hook) and send their own act with the hash of what they were shown."""
        if self._on_text is None:
            return
        reply = await self._on_text(shown)
        if reply is None or self._ws is None or self._ws.closed:
            return
        if shown.purpose == "read_back":
            refused = reply.refused_reason is not None
            data = {
                "request_id": shown.request_id,
                "decision": "refused" if refused else "acknowledged",
                "remarks": reply.remarks,
                "reason": reply.refused_reason or "",
                "typed_name": reply.typed_name,
                "text_sha256": _sha256(shown.shown),
                "draft_sha256": _sha256(shown.draft or ""),
            }
            await self._send(Message("read_back_reply", data))
        else:
            data = {
                "request_id": shown.request_id,
                "typed_name": reply.typed_name,
                "text_sha256": _sha256(shown.shown),
            }
            if self._signer is not None:  # signed with the participant's key, their own act
                text = unicodedata.normalize("NFC", shown.shown).encode("utf-8")
                signature = await self._signer.sign_detached(text)
                data["signature"] = base64.b64encode(signature).decode()
            await self._send(Message("acknowledge", data))

    async def _answer(self, sdp: str) -> None:
        await self._close_media()
        pc = RTCPeerConnection(
            RTCConfiguration(
                bundlePolicy=RTCBundlePolicy.MAX_BUNDLE, iceServers=getattr(self, "_ice", [])
            )
        )
        self._pc = pc
        self.stats.connections += 1

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.ensure_future(self._consume(track, track_name(pc, track)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc is not self._pc:
                return
            if pc.connectionState == "connected":
                self.connected.set()
            elif pc.connectionState == "failed" and self._ws is not None:
                await self._ws.close()

        self.exhibit = None  # the hub tells a new connection again
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        # after setRemoteDescription, so our tracks ride the hub's first sendrecv transceivers
        pc.addTrack(self._audio)
        pc.addTrack(self._video)
        await pc.setLocalDescription(await pc.createAnswer())
        await self._send(Message("answer", {"sdp": pc.localDescription.sdp}))

    async def _consume(self, track: MediaStreamTrack, name: str) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await track.recv()
                self.stats.frames[name] = self.stats.frames.get(name, 0) + 1
                if self._on_frame is not None:
                    self._on_frame(name, frame)

    async def _close_media(self) -> None:
        pc, self._pc = self._pc, None
        self.connected.clear()
        for task in list(self._tasks):
            task.cancel()
        if pc is not None:
            # our own tracks must survive the connection: the sender would stop them on close
            for sender in pc.getSenders():
                sender.replaceTrack(None)
            await pc.close()
