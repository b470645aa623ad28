"""The hub: the investigator's side of a live session, one RTCPeerConnection per participant.

The hub offers (its transceivers fix the layout: audio+video both ways with the investigator, then
``forward_slots`` send-only audio+video pairs for other participants the policy lets this one see,
then one send-only audio+video pair for exhibits, silent until one is shown: docs/exhibits.md),
records every original track through the Recorder, forwards tracks through aiortc's MediaRelay and
reports what happens as plain :class:`ParticipantEvent` / :class:`HubError` values on a queue.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
    RTCStatsReport,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from app.core.evidence import EvidenceFile
from app.core.exhibits import Exhibit, ExhibitDesk, ExhibitSlot
from app.core.identity import Challenge
from app.core.invites import Admission, Invite, InviteBook, IssuedInvite
from app.core.media_sources import SwitchTrack
from app.core.peer import FrameCounts, IsolatedTrack, SlotTrack, drain
from app.core.policy import INVESTIGATOR, MediaPolicy
from app.core.signaling.errors import ActRefused, SessionError
from app.core.signaling.messages import Message
from app.core.signaling.server import Channel, StillUpload
from app.core.still_gallery import (
    GALLERY_MESSAGES,
    GalleryStill,
    SavedAnnotation,
    StillGallery,
    Viewer,
)
from app.core.stills import STILL_KINDS, StillRequest, store_still
from recorder.clock import format_utc

log = logging.getLogger(__name__)
STATES = ("invited", "waiting", "admitted", "connected", "disconnected", "reconnected", "left")


class RecorderLike(Protocol):
    """What the hub needs of ``recorder.recording.Recorder``."""

    async def add_track(self, track: MediaStreamTrack, *, participant: str, name: str) -> Any: ...

    async def event(self, kind: str, data: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class IceServer:
    """A STUN or TURN server for RTCConfiguration (``turns:host:443?transport=tcp`` for TLS)."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for url in self.urls:
            if url.split(":", 1)[0] not in ("stun", "stuns", "turn", "turns"):
                raise ValueError(f"ICE server URL {url!r} must start with stun:, turn: or turns:")
            if url.startswith("turn") and not (self.username and self.credential):
                raise ValueError(f"TURN server {url!r} needs a username and credential")

    def to_aiortc(self) -> RTCIceServer:
        return RTCIceServer(list(self.urls), self.username, self.credential)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"urls": list(self.urls)}
        if self.username:
            out["username"] = self.username
            out["credential"] = self.credential
        return out


@dataclass(frozen=True)
class ParticipantEvent:
    """A participant changed state (one of :data:`STATES`)."""

    participant_id: str
    display_name: str
    role: str
    state: str
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class HubError:
    """Something went wrong that the investigator should see."""

    message: str
    participant_id: str | None
    at: datetime


@dataclass(frozen=True)
class GuestAct:
    """A participant's own act for the session layer: ``acknowledge`` or ``read_back_reply``."""

    participant_id: str
    display_name: str
    role: str
    message: Message
    at: datetime


@dataclass(frozen=True)
class StillStored:
    """A still from a participant's camera arrived intact and is stored as an evidence file."""

    participant_id: str
    request_id: str
    kind: str
    caption: str
    author: str
    evidence: EvidenceFile
    width: int
    height: int
    at: datetime


@dataclass(frozen=True)
class AnnotationStored:
    """An expert's annotation of scene still ``still_number`` is stored as evidence and logged."""

    author: str
    still_number: int
    still: EvidenceFile
    camera_of: str  # whose camera took the still
    evidence: EvidenceFile  # the annotation file
    shapes: int
    note: str
    at: datetime


HubEvent = ParticipantEvent | HubError | GuestAct | StillStored | AnnotationStored
ActHandler = Callable[[GuestAct], Awaitable[None]]
IdentityHandler = Callable[[str, "Challenge", bytes], Awaitable[None]]


@dataclass(frozen=True)
class _Offer:
    """A peer connection for one participant with its offer made (ICE candidates gathered)."""

    participant_id: str
    pc: RTCPeerConnection
    slots: list[tuple[SlotTrack, SlotTrack]]
    exhibit: dict[str, SwitchTrack]  # the exhibit slot (the last audio+video pair)


@dataclass
class _Peer:
    invite: Invite
    channel: Channel | None
    # "joining" until the lobby is announced (its log entry written first): admit() wants
    # "waiting", so it cannot overtake the announcement (seen: admitted, waiting, connected —
    # the admitted participant put back in the lobby). Never announced as an event.
    state: str = "joining"
    language: str = "ru"
    pc: RTCPeerConnection | None = None
    sources: dict[str, MediaStreamTrack] = field(default_factory=dict)
    slots: list[tuple[SlotTrack, SlotTrack]] = field(default_factory=list)
    exhibit: dict[str, SwitchTrack] | None = None  # of ``pc``
    was_connected: bool = False
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def pid(self) -> str:
        return self.invite.participant_id


class Hub:
    """Hosts one action's session on a :class:`~app.core.signaling.server.SignalingServer`."""

    def __init__(
        self,
        *,
        action_id: str,
        action_title: str,
        invites: InviteBook,
        audio: MediaStreamTrack,
        video: MediaStreamTrack,
        recorder: RecorderLike | None = None,
        ice_servers: Sequence[IceServer] = (),
        policy: MediaPolicy | None = None,
        forward_slots: int = 3,
        auto_admit: bool = False,
        evidence_dir: Path | None = None,
    ) -> None:
        if not 0 <= forward_slots <= 8:
            raise ValueError(f"forward_slots {forward_slots}: expected 0..8")
        self.action_id = action_id
        self.action_title = action_title
        self.invites = invites
        self.recorder = recorder
        self.ice_servers = tuple(ice_servers)
        self.policy = policy or MediaPolicy()
        self.forward_slots = forward_slots
        self.auto_admit = auto_admit
        # stills are stored in <action folder>/evidence (the recorder's folder by default)
        self.evidence_dir: Path | None = evidence_dir or getattr(recorder, "action_dir", None)
        self.act_handler: ActHandler | None = None  # see app.core.guest_acts.GuestActs
        # checks a signed certificate challenge: (participant id, challenge, CMS signature)
        self.identity_handler: IdentityHandler | None = None
        self._challenges: dict[str, Challenge] = {}
        self._stills: dict[str, StillRequest] = {}  # by ticket hash
        self.counts = FrameCounts()
        self.events: asyncio.Queue[HubEvent] = asyncio.Queue()
        self._listeners: list[Callable[[HubEvent], None]] = []
        self._relay = MediaRelay()
        self._local = {"audio": audio, "video": video}
        self._peers: dict[str, _Peer] = {}
        self._started = False
        self._closed = False
        # offers made while a PIN is checked, by channel (see on_pin)
        self._prepared: dict[Channel, asyncio.Task[_Offer]] = {}
        self._exhibits = ExhibitDesk(
            relay=self._relay,
            counts=self.counts,
            recorder=recorder,
            slot=self._exhibit_slot,
            on_error=lambda message: self._error(None, message),
            on_view=self._exhibit_view,
        )
        # the stills gallery of experts and specialists (app/core/still_gallery.py)
        self.gallery = StillGallery(self)

    # ---- public API -------------------------------------------------------------------------
    def add_listener(self, listener: Callable[[HubEvent], None]) -> None:
        self._listeners.append(listener)

    @property
    def recording(self) -> bool:
        return self.recorder is not None and not self._closed

    def subscribe_local(self, kind: str) -> MediaStreamTrack:
        """A new copy of the investigator's own camera or microphone (for the self view)."""
        if kind not in self._local:
            raise ValueError(f"track kind {kind!r}: expected 'audio' or 'video'")
        return self._relay.subscribe(self._local[kind], buffered=False)

    def subscribe_participant(self, participant_id: str, kind: str) -> MediaStreamTrack | None:
        """A new copy of a participant's incoming track, or None while it has not arrived."""
        peer = self._peers.get(participant_id)
        source = peer.sources.get(kind) if peer is not None else None
        return self._relay.subscribe(source, buffered=False) if source is not None else None

    def participant_state(self, participant_id: str) -> str | None:
        peer = self._peers.get(participant_id)
        return peer.state if peer else None

    async def start(self) -> None:
        """Start recording the investigator's own camera and microphone."""
        if self._started:
            return
        self._started = True
        for kind, track in self._local.items():
            name = f"{INVESTIGATOR}-{kind}"
            if self.recorder is not None:
                await self.recorder.add_track(
                    IsolatedTrack(self._relay.subscribe(track, buffered=True), self.counts, name),
                    participant=INVESTIGATOR,
                    name=name,
                )
            else:
                self._spawn(None, drain(self._relay.subscribe(track), self.counts, name))

    def invite(
        self,
        participant_id: str,
        role: str,
        display_name: str,
        *,
        base_url: str,
        ttl: timedelta = timedelta(hours=2),
    ) -> IssuedInvite:
        """Issue an invitation to this session (state ``invited``); hand out link and PIN."""
        issued = self.invites.issue(
            action_id=self.action_id,
            participant_id=participant_id,
            role=role,
            display_name=display_name,
            base_url=base_url,
            ttl=ttl,
        )
        self._emit(ParticipantEvent(participant_id, display_name, role, "invited", _now()))
        return issued

    def revoke(self, invite: Invite) -> None:
        """Withdraw an invitation: its link, PIN and any reconnect credential stop working."""
        revoked = self.invites.revoke(invite.invite_id)
        self._emit(
            ParticipantEvent(
                revoked.participant_id,
                revoked.display_name,
                revoked.role,
                "left",
                _now(),
                "revoked",
            )
        )

    async def admit(self, participant_id: str) -> None:
        """Let a waiting participant in: issue a reconnect credential and start media."""
        peer = self._peer(participant_id)
        if peer.state != "waiting" or peer.channel is None:
            raise ValueError(f"participant {participant_id!r} is {peer.state}, not waiting")
        credential = self.invites.issue_credential(peer.invite)
        peer.channel.state = "admitted"
        self._set_state(peer, "admitted")
        await self._record("participant_admitted", peer, language=peer.language)
        await self._send_admitted(peer, credential, resumed=False)
        await self._connect(peer)

    async def decline(
        self, participant_id: str, reason: str = "declined by the investigator"
    ) -> None:
        peer = self._peer(participant_id)
        if peer.channel is not None:
            await peer.channel.send(Message("declined", {"reason": reason}))
            await peer.channel.close()
        self._set_state(peer, "left", reason)

    async def close(self) -> None:
        """Hang up on everyone and stop forwarding."""
        if self._closed:
            return
        self._closed = True
        await self._exhibits.close("the session has ended")
        for peer in list(self._peers.values()):
            if peer.channel is not None:
                await peer.channel.send(Message("bye", {"reason": "the session has ended"}))
                await peer.channel.close()
            await self._drop_media(peer)
            for task in peer.tasks:
                task.cancel()
        for channel in list(self._prepared):
            await self._discard_prepared(channel)
        for track in self._local.values():
            track.stop()

    async def show_text(
        self,
        participant_id: str,
        *,
        request_id: str,
        purpose: str,
        step: str,
        title: str,
        text: str,
        draft: str | None = None,
    ) -> None:
        """Show a procedure text on the participant's page (``acknowledge`` or ``read_back``)."""
        if purpose not in ("acknowledge", "read_back", "confirm_identity"):
            raise ValueError(
                f"purpose {purpose!r}: expected 'acknowledge', 'read_back' or 'confirm_identity'"
            )
        channel = self._admitted_channel(participant_id)
        data = {"request_id": request_id, "purpose": purpose, "step": step}
        data |= {"title": title, "text": text}
        if draft is not None:
            data["draft"] = draft
        await channel.send(Message("show_text", data))

    async def request_still(
        self, participant_id: str, kind: str, caption: str, *, author: str = INVESTIGATOR
    ) -> str:
        """Ask the participant's device for a full-resolution still; returns the request id.

        The page uploads it over HTTP(S) with its SHA-256 (:meth:`on_still`); a :class:`StillStored`
        event follows when it arrived intact.
        """
        if kind not in STILL_KINDS:
            raise ValueError(f"still kind {kind!r}: expected one of {', '.join(STILL_KINDS)}")
        if not caption.strip() or len(caption) > 500:
            raise ValueError("a still needs a caption of 1-500 characters")
        channel = self._admitted_channel(participant_id)
        ticket = secrets.token_urlsafe(32)
        request = StillRequest(
            participant_id=participant_id,
            request_id="s" + secrets.token_hex(6),
            kind=kind,
            caption=caption.strip(),
            author=author,
        )
        self._stills[_ticket_hash(ticket)] = request
        await self._record(
            "still_requested",
            self._peer(participant_id),
            request_id=request.request_id,
            kind=kind,
            caption=request.caption,
            author=author,
        )
        await channel.send(
            Message(
                "capture_still",
                {
                    "request_id": request.request_id,
                    "kind": kind,
                    "caption": request.caption,
                    "upload_url": f"/a/{self.action_id}/still",
                    "ticket": ticket,
                },
            )
        )
        return request.request_id

    async def point(
        self, participant_id: str, x: float, y: float, *, seconds: float = 4.0, label: str = ""
    ) -> None:
        """Show a temporary marker on the participant's own camera view (logged)."""
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise ValueError(f"pointer at ({x}, {y}): expected fractions of the picture, 0..1")
        if not 0.5 <= seconds <= 30:
            raise ValueError(f"pointer for {seconds} s: expected 0.5 to 30 s")
        channel = self._admitted_channel(participant_id)
        data: dict[str, Any] = {"x": x, "y": y, "seconds": seconds}
        if label:
            data["label"] = label
        await channel.send(Message("pointer", data))
        await self._record("pointer", self._peer(participant_id), **data)

    async def request_certificate(self, participant_id: str) -> str:
        """Send a fresh challenge bound to this action; the participant's app signs it with
        their key and :attr:`identity_handler` checks the signature; returns the request id."""
        channel = self._admitted_channel(participant_id)
        challenge = Challenge.new(self.action_id, participant_id, _now())
        request_id = "c" + secrets.token_hex(6)
        self._challenges[request_id] = challenge
        data = {"request_id": request_id, "action_id": challenge.action_id}
        data |= {"participant_id": participant_id, "nonce": challenge.nonce}
        data["issued_utc"] = challenge.issued_utc
        await channel.send(Message("identity_challenge", data))
        return request_id

    # ---- called by the signaling server -------------------------------------------------------
    async def on_act(self, channel: Channel, message: Message) -> None:
        peer = self._current(channel)
        if peer is None:
            return
        if message.type == "identity_response":
            await self._identity_response(peer, channel, message)
            return
        if message.type == "camera_switched":
            await self._record(
                "camera_switched", peer, facing=message["facing"], label=message["label"]
            )
            self._set_state(peer, peer.state, f"camera switched to {message['facing']}")
            return
        if message.type == "still_capture":
            # the camera is reconfigured to its native size for one frame and back: the live
            # video of this participant pauses briefly, and the log says why
            entry = "camera_interrupted" if message["phase"] == "start" else "camera_resumed"
            extra = {"reason": "full-resolution still"} if entry == "camera_interrupted" else {}
            await self._record(entry, peer, request_id=message["request_id"], **extra)
            return
        if message.type in GALLERY_MESSAGES:
            viewer = Viewer(peer.pid, peer.invite.role, channel)
            await channel.send(
                Message("act_result", await self.gallery.on_message(viewer, message))
            )
            return
        if message.type == "still_failed":
            for key, req in list(self._stills.items()):
                if req.request_id == message["request_id"] and req.participant_id == peer.pid:
                    del self._stills[key]
                    await self._record(
                        "still_failed",
                        peer,
                        request_id=req.request_id,
                        kind=req.kind,
                        message=message["message"],
                    )
                    self._error(peer, f"no still from {peer.pid}: {message['message']}")
                    await self.gallery.not_taken(req.request_id, message["message"])
            return
        inv = peer.invite
        act = GuestAct(inv.participant_id, inv.display_name, inv.role, message, _now())
        self._emit(act)
        result: dict[str, Any] = {"request_id": message["request_id"], "ok": True}
        result["message"] = "recorded"
        if self.act_handler is None:
            result |= {"ok": False, "code": "not_open", "message": "nothing to confirm now"}
        else:
            try:
                await self.act_handler(act)
            except ActRefused as e:
                result |= {"ok": False, "code": e.code, "message": e.message}
            except Exception as e:
                log.exception("act handler failed")
                result |= {"ok": False, "code": "internal", "message": type(e).__name__}
        await channel.send(Message("act_result", result))

    async def _identity_response(self, peer: _Peer, channel: Channel, message: Message) -> None:
        request_id = message["request_id"]
        challenge = self._challenges.get(request_id)
        result: dict[str, Any] = {"request_id": request_id, "ok": True, "message": "checked"}
        if challenge is None or challenge.participant_id != peer.pid:
            result |= {"ok": False, "code": "not_open", "message": "no such challenge is open"}
        elif self.identity_handler is None:
            result |= {"ok": False, "code": "not_open", "message": "identity is not checked here"}
        else:
            del self._challenges[request_id]  # a challenge is answered once
            try:
                signature = base64.b64decode(message["signature"], validate=True)
            except ValueError:
                signature = b""
            try:
                await self.identity_handler(peer.pid, challenge, signature)
            except Exception as e:
                log.exception("identity handler failed")
                result |= {"ok": False, "code": "internal", "message": type(e).__name__}
        await channel.send(Message("act_result", result))

    async def on_still(self, upload: StillUpload) -> dict[str, object]:
        request = self._stills.get(_ticket_hash(upload.ticket))
        peer = self._peers.get(request.participant_id) if request else None
        if request is None or peer is None:
            raise SessionError("unknown_ticket", "this upload ticket is not valid (or was used)")
        if self.evidence_dir is None:
            raise SessionError("no_evidence_dir", "this session keeps no evidence files")
        try:
            stored = await store_still(self.evidence_dir, request, upload)
        except SessionError as e:
            await self._record(
                "still_refused",
                peer,
                request_id=request.request_id,
                code=e.code,
                reason=e.message,
                claimed_sha256=upload.claimed_sha256,
                size=len(upload.data),
            )
            raise
        del self._stills[_ticket_hash(upload.ticket)]
        await self._record(
            "still",
            peer,
            request_id=request.request_id,
            kind=request.kind,
            caption=request.caption,
            author=request.author,
            width=stored.width,
            height=stored.height,
            media_type=upload.media_type,
            **stored.evidence.log_data(),
        )
        self._emit(
            StillStored(
                peer.pid,
                request.request_id,
                request.kind,
                request.caption,
                request.author,
                stored.evidence,
                stored.width,
                stored.height,
                _now(),
            )
        )
        if request.kind == "scene":
            await self.gallery.stored(
                GalleryStill(
                    self.gallery.next_number(),
                    peer.pid,
                    peer.invite.role,
                    request.caption,
                    request.author,
                    stored.evidence,
                    stored.width,
                    stored.height,
                    upload.media_type,
                    format_utc(_now()),
                ),
                request.request_id,
            )
        if peer.channel is not None:
            await peer.channel.send(
                Message(
                    "still_stored",
                    {
                        "request_id": request.request_id,
                        "sha256": stored.evidence.sha256,
                        "width": stored.width,
                        "height": stored.height,
                    },
                )
            )
        return {
            "request_id": request.request_id,
            "sha256": stored.evidence.sha256,
            "width": stored.width,
            "height": stored.height,
        }

    async def on_waiting(self, invite: Invite, language: str, channel: Channel) -> None:
        peer = _Peer(invite=invite, channel=channel, language=language)
        self._peers[invite.participant_id] = peer
        channel.participant_id = invite.participant_id
        await self._record("rules_acknowledged", peer, language=language)
        if peer.state != "joining":  # the channel closed meanwhile: already "left"
            return
        self._set_state(peer, "waiting")
        await channel.send(Message("lobby"))
        if self.auto_admit:
            await self.admit(invite.participant_id)

    async def on_resume(self, admission: Admission, channel: Channel) -> None:
        peer = self._peers.get(admission.participant_id)
        if peer is None:
            # a valid credential this hub has not seen: the hub was restarted (its invite book
            # is kept on disk). The participant comes back to the lobby; the investigator admits
            # again, and the recording of that participant continues under the same track names.
            invite = self.invites.invite_of(self.action_id, admission.participant_id)
            if invite is None or invite.revoked_at is not None:
                await channel.send(
                    Message(
                        "error", {"code": "not_admitted", "message": "not admitted", "fatal": True}
                    )
                )
                await channel.close()
                return
            peer = _Peer(invite=invite, channel=channel)
            self._peers[invite.participant_id] = peer
            channel.participant_id = invite.participant_id
            channel.state = "waiting"
            await self._record("participant_joined", peer, after="hub restart")
            if peer.state != "joining":  # the channel closed meanwhile: already "left"
                return
            self._set_state(peer, "waiting", "rejoined after the hub restarted")
            await channel.send(Message("lobby"))
            if self.auto_admit:
                await self.admit(invite.participant_id)
            return
        if peer.state in ("waiting", "left"):
            await channel.send(
                Message("error", {"code": "not_admitted", "message": "not admitted", "fatal": True})
            )
            await channel.close()
            return
        old = peer.channel
        peer.channel = channel
        channel.participant_id = peer.pid
        if old is not None and old is not channel:
            await old.close()
        await self._drop_media(peer)
        await self._send_admitted(peer, None, resumed=True)
        await self._connect(peer)

    async def on_answer(self, channel: Channel, sdp: str) -> None:
        peer = self._current(channel)
        if peer is None or peer.pc is None or peer.pc.signalingState != "have-local-offer":
            await channel.send(
                Message(
                    "error",
                    {"code": "unexpected", "message": "no offer is pending", "fatal": False},
                )
            )
            return
        try:
            await peer.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        except Exception as e:  # aiortc raises ValueError and others on bad SDP
            await channel.send(
                Message(
                    "error", {"code": "bad_sdp", "message": f"answer refused: {e}", "fatal": False}
                )
            )

    async def on_leave(self, channel: Channel) -> None:
        peer = self._current(channel)
        if peer is None:
            return
        peer.channel = None
        was_in = peer.state in ("admitted", "connected", "reconnected")
        await self._drop_media(peer)
        self._set_state(peer, "left", "hung up")
        if was_in:
            await self._record("participant_left", peer, reason="hung up")

    def on_pin(self, invite: Invite, channel: Channel) -> None:
        """A PIN is being checked (slow on purpose): make the peer connection and its offer
        meanwhile, so that admission sends the offer at once. Nothing reaches the participant
        before they are admitted; a wrong PIN keeps the offer for the next try, and a closed
        channel drops it."""
        if not self._closed and channel not in self._prepared:
            self._prepared[channel] = asyncio.ensure_future(self._new_offer(invite.participant_id))

    async def _discard_prepared(self, channel: Channel) -> None:
        task = self._prepared.pop(channel, None)
        if task is None:
            return
        try:
            offer = await task
        except Exception:  # nothing was made; the error surfaces if the offer is needed
            return
        await offer.pc.close()

    async def on_closed(self, channel: Channel, reason: str) -> None:
        await self._discard_prepared(channel)
        peer = self._current(channel)
        if peer is None:
            return
        peer.channel = None
        if self._closed:
            reason = "the session has ended"
            self._set_state(peer, "left", reason)
        elif peer.state in ("admitted", "connected", "reconnected"):
            await self._drop_media(peer)
            self._set_state(peer, "disconnected", reason)
            await self._record("participant_left", peer, reason=reason)
        elif peer.state in ("joining", "waiting"):
            self._set_state(peer, "left", reason)

    # ---- for the stills gallery (app/core/still_gallery.py) ------------------------------------
    def admitted(self) -> list[Viewer]:
        """The participants in the session now, with their control channels."""
        return [
            Viewer(p.pid, p.invite.role, p.channel)
            for p in self._peers.values()
            if p.channel is not None and p.state in ("admitted", "connected", "reconnected")
        ]

    async def log_for(self, participant_id: str, entry: str, /, **extra: Any) -> None:
        await self._record(entry, self._peer(participant_id), **extra)

    def annotation_saved(self, saved: SavedAnnotation) -> None:
        """The gallery stored and logged an annotation: tell the investigator's views."""
        still = saved.still
        self._emit(
            AnnotationStored(
                saved.author,
                still.number,
                still.evidence,
                still.participant_id,
                saved.evidence,
                saved.shapes,
                saved.note,
                _now(),
            )
        )

    async def gallery_still(self, sha256: str, ticket: str) -> tuple[bytes, str]:
        """A gallery still's bytes and media type for the holder of ``ticket`` (GET route)."""
        data, still = await self.gallery.download(sha256, ticket)
        return data, still.media_type

    # ---- internals ----------------------------------------------------------------------------
    def _admitted_channel(self, participant_id: str) -> Channel:
        peer = self._peer(participant_id)
        if peer.state not in ("admitted", "connected", "reconnected") or peer.channel is None:
            raise ValueError(f"participant {participant_id!r} is {peer.state}, not in the session")
        return peer.channel

    def _peer(self, participant_id: str) -> _Peer:
        peer = self._peers.get(participant_id)
        if peer is None:
            raise KeyError(f"no participant {participant_id!r} in this session")
        return peer

    def _current(self, channel: Channel) -> _Peer | None:
        peer = self._peers.get(channel.participant_id or "")
        return peer if peer is not None and peer.channel is channel else None

    def _emit(self, event: HubEvent) -> None:
        self.events.put_nowait(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("hub event listener failed")

    def _set_state(self, peer: _Peer, state: str, detail: str = "") -> None:
        peer.state = state
        inv = peer.invite
        self._emit(
            ParticipantEvent(inv.participant_id, inv.display_name, inv.role, state, _now(), detail)
        )

    def _error(self, peer: _Peer | None, message: str) -> None:
        self._emit(HubError(message, peer.pid if peer else None, _now()))

    async def _record(self, entry: str, peer: _Peer, /, **extra: Any) -> None:
        if self.recorder is None:
            return
        data = {"participant": peer.pid, "role": peer.invite.role, **extra}
        try:
            await self.recorder.event(entry, data)
        except Exception as e:
            self._error(peer, f"could not log {entry}: {e}")

    def _spawn(self, peer: _Peer | None, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        if peer is not None:
            peer.tasks.add(task)
            task.add_done_callback(peer.tasks.discard)

    async def _send_admitted(self, peer: _Peer, credential: str | None, *, resumed: bool) -> None:
        assert peer.channel is not None
        data: dict[str, Any] = {
            "ice_servers": [s.to_json() for s in self.ice_servers],
            "resumed": resumed,
        }
        if credential is not None:
            data["credential"] = credential
        await peer.channel.send(Message("admitted", data))
        await peer.channel.send(Message("recording", {"active": self.recording}))
        await self.gallery.catch_up(Viewer(peer.pid, peer.invite.role, peer.channel))

    async def _new_offer(self, participant_id: str) -> _Offer:
        config = RTCConfiguration(
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
            iceServers=[s.to_aiortc() for s in self.ice_servers],
        )
        pc = RTCPeerConnection(config)
        for kind in ("audio", "video"):
            pc.addTransceiver(self._relay.subscribe(self._local[kind], buffered=False), "sendrecv")
        slots = []
        for i in range(self.forward_slots):
            pair = (
                SlotTrack("audio", self.counts, f"{participant_id}-slot{i}-audio"),
                SlotTrack("video", self.counts, f"{participant_id}-slot{i}-video"),
            )
            for track in pair:
                pc.addTransceiver(track, "sendonly")
            slots.append(pair)
        # the exhibit slot: no source, so nothing is sent until an exhibit is put on it; a
        # SwitchTrack keeps the encoders' timestamps and audio format across exhibits
        exhibit = {kind: SwitchTrack(kind, None, None) for kind in ("audio", "video")}
        for switch in exhibit.values():
            pc.addTransceiver(switch, "sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        return _Offer(participant_id, pc, slots, exhibit)

    async def _connect(self, peer: _Peer) -> None:
        channel = peer.channel
        offer: _Offer | None = None
        prepared = self._prepared.pop(channel, None) if channel is not None else None
        if prepared is not None:
            try:
                offer = await prepared
            except Exception as e:  # make it again below; a second failure is reported
                log.warning("the offer prepared for %s failed: %s", peer.pid, e)
            if offer is not None and offer.participant_id != peer.pid:
                await offer.pc.close()
                offer = None
        if offer is None:
            offer = await self._new_offer(peer.pid)
        pc = offer.pc
        if peer.channel is None or peer.channel is not channel or peer.pc is not None:
            await pc.close()  # gone, or connected anew, while the offer was made
            return
        peer.pc, peer.slots, peer.exhibit = pc, offer.slots, offer.exhibit

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if peer.pc is pc:
                self._spawn(peer, self._on_track(peer, track))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if peer.pc is not pc:
                return
            if pc.connectionState == "connected":
                resumed = peer.was_connected
                peer.was_connected = True
                self._set_state(peer, "reconnected" if resumed else "connected")
                # the Recorder logs participant_reconnected when the same track names return
            elif pc.connectionState == "failed" and peer.channel is not None:
                # close the control channel too: the participant resumes with a new connection
                self._error(peer, f"media connection of {peer.pid} failed")
                await peer.channel.close()

        await peer.channel.send(Message("offer", {"sdp": pc.localDescription.sdp}))

    async def _on_track(self, peer: _Peer, track: MediaStreamTrack) -> None:
        kind = track.kind
        name = f"{peer.pid}-{kind}"
        peer.sources[kind] = track
        if self.recorder is not None:
            try:
                await self.recorder.add_track(
                    IsolatedTrack(self._relay.subscribe(track, buffered=True), self.counts, name),
                    participant=peer.pid,
                    name=name,
                )
            except Exception as e:
                self._error(peer, f"cannot record {name}: {e}")
        self._spawn(peer, drain(self._relay.subscribe(track, buffered=False), self.counts, name))
        await self._update_forwarding()

    async def _drop_media(self, peer: _Peer) -> None:
        pc, peer.pc = peer.pc, None
        exhibit, peer.exhibit = peer.exhibit, None
        for track in (exhibit or {}).values():
            track.stop()
        peer.sources = {}
        for task in list(peer.tasks):
            task.cancel()
        if pc is not None:
            await pc.close()
        await self._update_forwarding()

    async def _update_forwarding(self) -> None:
        viewers = [p for p in self._peers.values() if p.pc is not None]
        for viewer in viewers:
            visible = [
                p
                for p in self._peers.values()
                if p is not viewer
                and p.sources
                and self.policy.may_see(viewer.invite.role, p.invite.role)
            ][: self.forward_slots]
            roster: list[dict[str, str] | None] = []
            for i, pair in enumerate(viewer.slots):
                source = visible[i] if i < len(visible) else None
                roster.append(
                    {"participant_id": source.pid, "display_name": source.invite.display_name}
                    if source
                    else None
                )
                for slot in pair:
                    track = source.sources.get(slot.kind) if source else None
                    wanted = f"{source.pid}-{slot.kind}" if track is not None and source else None
                    if slot.source_name != wanted:
                        proxy = self._relay.subscribe(track, buffered=False) if track else None
                        slot.set_source(proxy, wanted)
            if viewer.channel is not None:
                with contextlib.suppress(ConnectionError):
                    await viewer.channel.send(Message("roster", {"slots": roster}))

    # ---- exhibits (app/core/exhibits.py, docs/exhibits.md) -----------------------------------
    async def show_exhibit(
        self, exhibit: Exhibit, to: Sequence[str], *, title: str | None = None
    ) -> Exhibit:
        """Show a prepared exhibit to the participants ``to`` (ids) on their exhibit slot, beside
        the investigator's camera and microphone, until it ends; it is recorded as
        ``exhibit-<n>-video``/``-audio`` and ``exhibit_shown`` logged. ``title``: what the
        participants and the protocol call it (default: the file's name). Returns the exhibit as
        shown (with that title)."""
        return await self._exhibits.show(exhibit, to, title)

    async def stop_exhibit(self, number: int, reason: str = "stopped by the investigator") -> None:
        """End the exhibit shown (clips also end by themselves); logs ``exhibit_ended``."""
        await self._exhibits.stop(number, reason)

    @property
    def exhibit_shown(self) -> Exhibit | None:
        """The exhibit being shown now, if any."""
        return self._exhibits.showing

    def _exhibit_view(self, participant_id: str, exhibit: Exhibit | None) -> None:
        """Tell the participant's page that its exhibit tile shows an exhibit (or nothing now)."""
        peer = self._peers.get(participant_id)
        if peer is None or peer.channel is None:
            return
        data: dict[str, Any] = {"active": exhibit is not None}
        if exhibit is not None:
            data |= {"number": exhibit.number, "title": exhibit.display_title}
        channel = peer.channel

        async def send() -> None:
            with contextlib.suppress(ConnectionError):
                await channel.send(Message("exhibit", data))

        self._spawn(peer, send())

    def _exhibit_slot(self, participant_id: str) -> ExhibitSlot | None:
        peer = self._peers.get(participant_id)
        return peer.exhibit if peer is not None and peer.pc is not None else None

    def _connection_of(self, participant_id: str) -> RTCPeerConnection | None:
        peer = self._peers.get(participant_id)
        return peer.pc if peer is not None else None

    async def peer_stats(self, participant_id: str) -> RTCStatsReport | None:
        """``getStats()`` of the participant's connection (read only); None when not connected."""
        pc = self._connection_of(participant_id)
        return await pc.getStats() if pc is not None else None


def _now() -> datetime:
    return datetime.now(UTC)


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(b"tergeu-still-ticket\x00" + ticket.encode()).hexdigest()
