"""One live action from the investigator's side: the pieces of the session core wired together.

A :class:`LiveSession` starts the recorder (before any procedural step, DOMAIN §2), the signaling
server and the hub; issues invites; runs the procedure, the testimony draft and presence
monitoring; and reports everything to listeners as plain events for the UI. All its coroutines
run on the core loop (``app.core.runtime``); blocking work (log fsyncs, file writes) goes to
threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.config import Config
from app.core.evidence import EvidenceFile
from app.core.guest_acts import GuestActs
from app.core.guest_identity import DocumentCheck, GuestIdentity, GuestIdentityError
from app.core.hub import Hub, HubEvent, IceServer, ParticipantEvent, StillStored
from app.core.ice_hosts import pin_host_addresses
from app.core.identity import (
    Challenge,
    IdentityError,
    IdentityResult,
    Refusal,
    verify_identity,
    verify_signed_payload,
)
from app.core.invites import InviteBook, IssuedInvite
from app.core.link_stats import LinkStats, LinkWatch
from app.core.presence import PresenceEvent, PresenceInterval, PresenceMonitor
from app.core.procedure import Procedure, ProcedureRun
from app.core.signaling.server import SignalingServer
from app.core.signaling.tls import choose_tls
from app.core.testimony import Testimony
from protocol.errors import ProtocolError
from protocol.trust import load_trust_anchors
from recorder.clock import SessionClock
from recorder.recording import Recorder, RecorderEvent, SegmentSealed

log = logging.getLogger(__name__)
GUEST_ROLES = frozenset({"witness", "victim", "witness_with_defence", "suspect", "accused"})
TILE_WIDTH = 320


@dataclass(frozen=True)
class SessionStats:
    """What the REC indicator shows."""

    elapsed: float
    sealed: int
    last_seal_utc: str
    free_bytes: int
    paused: bool


SessionEvent = HubEvent | RecorderEvent | PresenceEvent | IdentityResult


class FrameTap:
    """Keeps the latest picture of a video track, downscaled for a tile (read from any thread)."""

    def __init__(self) -> None:
        self.latest: np.ndarray | None = None
        self.frames = 0

    async def run(self, track: MediaStreamTrack, fps: float = 10.0) -> None:
        last = 0.0
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.VideoFrame):
                continue
            now = time.monotonic()
            if now - last < 1.0 / fps:
                continue
            last = now
            scale = TILE_WIDTH / max(frame.width, 1)
            small = frame.reformat(
                width=TILE_WIDTH, height=max(2, int(frame.height * scale) // 2 * 2), format="rgb24"
            )
            self.latest = small.to_ndarray()
            self.frames += 1


class LiveSession:
    """Signaling server + hub + recorder + procedure + testimony + presence for one action."""

    def __init__(
        self,
        *,
        action_dir: Path,
        action_id: str,
        action_type: str,
        title: str,
        language: str,
        config: Config,
        planned_seconds: float,
        audio: MediaStreamTrack,
        video: MediaStreamTrack,
        clock: SessionClock | None = None,
        port: int | None = None,
        tls_folder: Path,
        invites_path: Path | None = None,
    ) -> None:
        self.action_dir = action_dir
        self.action_id = action_id
        self.title = title
        self.config = config
        self.planned_seconds = planned_seconds
        self.clock = clock or SessionClock.start()
        self.procedure = ProcedureRun(Procedure.load(action_type), self._log_sync, language)
        # kept outside the action folder (everything there goes into the signed container): the
        # book holds salted PIN hashes, and keeps invites and admissions across an app restart
        self.invites = InviteBook(path=invites_path)
        self._audio, self._video = audio, video
        self._port = config["signaling.port"] if port is None else port
        self._tls_folder = tls_folder
        self._listeners: list[Callable[[SessionEvent], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._flush: set[asyncio.Task[Any]] = set()  # presence watchers and their log entries
        self.taps: dict[str, FrameTap] = {"investigator": FrameTap()}
        self.presence_alerts: list[PresenceInterval] = []
        self.sealed = 0
        self.last_seal_utc = ""
        self.paused = False
        self.recorder: Recorder | None = None
        self.server: SignalingServer | None = None
        self.hub: Hub | None = None
        self.testimony: dict[str, Testimony] = {}
        self.acts: GuestActs | None = None
        self.identities: dict[str, GuestIdentity] = {}
        self.certificates: dict[str, IdentityResult] = {}
        self._invited_iin: dict[str, str | None] = {}
        self._last_counts: tuple[float, dict[str, int]] | None = None
        self._issued: dict[str, str] = {}
        self.link_watch: LinkWatch | None = None
        self._identity_stills: dict[str, dict[str, EvidenceFile]] = {}

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Recording first, then the server and the hub (nothing happens unrecorded)."""
        pin_host_addresses(self.config["network.ice_host_addresses"])  # a bad address: no start
        self.recorder = await Recorder.start(
            self.action_dir,
            action_id=self.action_id,
            planned_seconds=self.planned_seconds,
            segment_seconds=self.config["recording.segment_seconds"],
            checkpoint_seconds=self.config["recording.checkpoint_seconds"],
            signing_key=Ed25519PrivateKey.generate(),
            clock=self.clock,
            data={"title": self.title, "language": self.procedure.language},
        )
        self._spawn(self._pump_recorder(self.recorder.subscribe()))
        ice = []
        if self.config["network.stun_servers"]:
            ice.append(IceServer(tuple(self.config["network.stun_servers"])))
        if self.config["network.turn_servers"]:
            ice.append(
                IceServer(
                    tuple(self.config["network.turn_servers"]),
                    self.config["network.turn_username"],
                    self.config["network.turn_credential"],
                )
            )
        host = self.config["signaling.host"]
        tls = await asyncio.to_thread(
            choose_tls,
            self.config["signaling.tls"],
            host,
            certificate=self.config["signaling.certificate"],
            private_key=self.config["signaling.private_key"],
            folder=self._tls_folder,
        )
        self.server = SignalingServer(self.invites, host=host, port=self._port, tls=tls)
        await self.server.start()
        self.hub = Hub(
            action_id=self.action_id,
            action_title=self.title,
            invites=self.invites,
            recorder=self.recorder,
            audio=self._audio,
            video=self._video,
            ice_servers=ice,
        )
        self.hub.add_listener(self._on_hub_event)
        self.acts = GuestActs(self.hub, self.procedure, self._log_sync)
        self.hub.identity_handler = self._check_certificate
        self.acts.signature_check = self._check_signed_text
        self.server.add_session(self.hub)
        await self.hub.start()
        self.link_watch = LinkWatch(self.hub)
        self._spawn(self.link_watch.run())
        own = self.hub.subscribe_local("video")
        self._spawn(self.taps["investigator"].run(own))

    async def stop(self) -> Path:
        """Hang up, stop recording (sealing what is open), stop the server."""
        if self.hub is not None:
            await self.hub.close()
        if self._flush:  # watchers see their tracks end and log the intervals still open
            await asyncio.wait(set(self._flush), timeout=5)
        if self._flush:
            await asyncio.wait(set(self._flush), timeout=5)
        if self.recorder is not None:
            await self.recorder.stop()
        if self.server is not None:
            await self.server.stop()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        return self.action_dir

    # --- participants ---------------------------------------------------------------------

    def invite(
        self, participant_id: str, role: str, display_name: str, iin: str | None = None
    ) -> IssuedInvite:
        """Issue the link and PIN; ``iin`` (from the plan) is what the document check expects."""
        assert self.server is not None, "start the session first"
        issued = self.invites.issue(
            action_id=self.action_id,
            participant_id=participant_id,
            role=role,
            display_name=display_name,
            base_url=self.server.base_url,
            ttl=timedelta(hours=4),
        )
        self._issued[participant_id] = issued.invite.invite_id
        self._invited_iin[participant_id] = iin
        if role in GUEST_ROLES:
            self.identities[participant_id] = GuestIdentity(participant_id, iin, self._log_sync)
        return issued

    async def admit(self, participant_id: str) -> None:
        """Admit from the lobby; for a guest, link and PIN are the first identity step."""
        assert self.hub is not None
        await self.hub.admit(participant_id)
        identity = self.identities.get(participant_id)
        if identity is not None and participant_id in self._issued:
            await asyncio.to_thread(identity.possession, invite_id=self._issued[participant_id])

    # --- guest identity (DOMAIN §3, issue 6) -----------------------------------------------

    async def capture_identity_stills(self, participant_id: str) -> None:
        """Ask the guest's device for full-resolution stills of the ID document and the face."""
        assert self.hub is not None
        if participant_id not in self.identities:
            raise GuestIdentityError(f"{participant_id} is not a guest whose document is checked")
        self._identity_stills[participant_id] = {}
        # one still at a time: each one briefly reconfigures the guest's camera
        await self.hub.request_still(participant_id, "document", "identity document")

    async def enter_document(
        self, participant_id: str, *, iin: str, document_number: str, mrz: list[str] | None
    ) -> DocumentCheck:
        """The investigator enters what the document shows; checked (IIN, MRZ) and logged."""
        identity = self._identity(participant_id)
        return await asyncio.to_thread(
            identity.document_data,
            by="investigator",
            iin=iin,
            document_number=document_number,
            mrz=mrz,
            today=self.clock.to_utc(self.clock.now()).date(),
        )

    async def attest_identity(self, participant_id: str, note: str = "") -> None:
        identity = self._identity(participant_id)
        await asyncio.to_thread(identity.attest, investigator="investigator", note=note)

    async def request_certificate(self, participant_id: str) -> str:
        """Ask a desktop participant (expert, specialist, defender) to sign a fresh challenge."""
        assert self.hub is not None, "start the session first"
        return await self.hub.request_certificate(participant_id)

    async def _check_certificate(
        self, participant_id: str, challenge: Challenge, signature: bytes
    ) -> None:
        """Check the signed challenge against the trust anchors and the invited IIN; log it."""
        if not signature:
            result = IdentityResult(
                participant_id,
                Refusal.BAD_SIGNATURE,
                "the participant's app has no signing identity to answer the challenge with",
            )
        else:
            result = await self._verify(participant_id, challenge.payload(), signature, challenge)
        await asyncio.to_thread(self._log_sync, "identity_check", result.log_data())
        self.certificates[participant_id] = result
        self._emit(result)

    async def _check_signed_text(
        self, participant_id: str, text: bytes, signature: bytes
    ) -> IdentityResult:
        """A desktop participant's signature over a procedure text they acknowledge."""
        return await self._verify(participant_id, text, signature, None)

    async def _verify(
        self, pid: str, payload: bytes, signature: bytes, challenge: Challenge | None
    ) -> IdentityResult:
        folder = self.config["trust.anchors_dir"]
        try:
            anchors = await asyncio.to_thread(load_trust_anchors, Path(folder)) if folder else []
        except ProtocolError as e:
            return IdentityResult(pid, Refusal.UNTRUSTED, str(e))
        expected = self._invited_iin.get(pid)
        now = datetime.now(UTC)
        try:
            if challenge is not None:
                return await verify_identity(
                    challenge, signature, expected_iin=expected, anchors=anchors, now=now
                )
            return await verify_signed_payload(
                pid, payload, signature, expected_iin=expected, anchors=anchors, now=now
            )
        except IdentityError as e:
            return IdentityResult(pid, Refusal.BAD_SIGNATURE, str(e))

    def _identity(self, participant_id: str) -> GuestIdentity:
        identity = self.identities.get(participant_id)
        if identity is None:
            raise GuestIdentityError(f"{participant_id} is not a guest whose document is checked")
        return identity

    def _on_still(self, event: StillStored) -> None:
        """Both identity stills arrived intact: log them as the document step."""
        waiting = self._identity_stills.get(event.participant_id)
        if waiting is None or event.kind not in ("document", "face"):
            return
        waiting[event.kind] = event.evidence
        if event.kind == "document" and "face" not in waiting and self.hub is not None:
            self._spawn(
                self.hub.request_still(event.participant_id, "face", "face of the participant")
            )
        if len(waiting) == 2:
            del self._identity_stills[event.participant_id]
            identity = self.identities[event.participant_id]
            self._spawn(
                asyncio.to_thread(
                    identity.document_stills,
                    by="investigator",
                    document=waiting["document"],
                    face=waiting["face"],
                ),
                flush=True,
            )

    async def decline(self, participant_id: str, reason: str) -> None:
        assert self.hub is not None
        await self.hub.decline(participant_id, reason)

    # --- procedure, testimony, markers ----------------------------------------------------

    def _log_sync(self, kind: str, data: Any) -> None:
        assert self.recorder is not None
        self.recorder.log.append(kind, dict(data))

    async def start_step(self, step_id: str, deviation_reason: str | None = None) -> None:
        await asyncio.to_thread(
            self.procedure.start, step_id, by="investigator", deviation_reason=deviation_reason
        )

    async def complete_step(self, step_id: str, note: str = "") -> None:
        await asyncio.to_thread(self.procedure.complete, step_id, by="investigator", note=note)

    async def request_acknowledgment(self, participant_id: str, step_id: str) -> str:
        """Show the step's text on the participant's screen; they acknowledge it themselves."""
        assert self.acts is not None, "start the session first"
        return await self.acts.request_acknowledgment(participant_id, step_id)

    async def request_read_back(self, participant_id: str) -> str:
        """Show the testimony draft for read-back: remarks, then confirm or refuse."""
        assert self.acts is not None, "start the session first"
        draft = self.testimony_of(participant_id).plain_text()
        return await self.acts.request_read_back(participant_id, draft)

    async def request_still(self, participant_id: str, kind: str, caption: str) -> str:
        """A full-resolution still from the participant's camera (uploaded and hash-checked)."""
        assert self.hub is not None, "start the session first"
        return await self.hub.request_still(participant_id, kind, caption)

    async def show_exhibit(
        self, source: Path, to: list[str], *, page: int | None = None, title: str | None = None
    ) -> int:
        """Store ``source`` as the next exhibit and show it to ``to`` under ``title`` (default:
        the file's name); returns its number."""
        from app.core.exhibits import next_number, prepare_exhibit

        assert self.hub is not None, "start the session first"
        number = await asyncio.to_thread(next_number, self.action_dir)
        exhibit = await prepare_exhibit(self.action_dir, source, number=number, page=page)
        await self.hub.show_exhibit(exhibit, to, title=title)
        return number

    async def stop_exhibit(self) -> None:
        assert self.hub is not None, "start the session first"
        shown = self.hub.exhibit_shown
        if shown is not None:
            await self.hub.stop_exhibit(shown.number)

    def testimony_of(self, participant_id: str) -> Testimony:
        if participant_id not in self.testimony:
            path = self.action_dir / f"testimony-{participant_id}.json"
            self.testimony[participant_id] = Testimony(path, participant_id, self.clock.now)
        return self.testimony[participant_id]

    async def marker(self, note: str) -> None:
        assert self.recorder is not None
        await self.recorder.marker(note)

    async def pause(self, reason: str) -> None:
        assert self.recorder is not None
        await self.recorder.pause(reason)
        self.paused = True

    async def resume(self) -> None:
        assert self.recorder is not None
        await self.recorder.resume()
        self.paused = False

    def stats(self) -> SessionStats:
        try:
            free = shutil.disk_usage(self.action_dir).free
        except OSError:
            free = 0
        return SessionStats(self.clock.now(), self.sealed, self.last_seal_utc, free, self.paused)

    def link_quality(self) -> dict[str, float]:
        """Video frames per second received from each participant since the previous call
        (the live window's per-participant network quality; ~30 is a healthy camera)."""
        now = time.monotonic()
        counts = dict(self.hub.counts.to_recorder) if self.hub is not None else {}
        rates: dict[str, float] = {}
        if self._last_counts is not None and self.hub is not None:
            then, before = self._last_counts
            for name, n in counts.items():
                pid = name.removesuffix("-video")
                if pid != name and self.hub.participant_state(pid) is not None:
                    rates[pid] = (n - before.get(name, 0)) / max(now - then, 1e-3)
        self._last_counts = (now, counts)
        return rates

    def link_stats(self) -> dict[str, LinkStats]:
        """Each connected participant's latest link reading (round-trip time, loss, jitter,
        fps, with a good/fair/poor grade), refreshed every couple of seconds."""
        return dict(self.link_watch.latest) if self.link_watch is not None else {}

    def latest_frame(self, participant_id: str) -> np.ndarray | None:
        tap = self.taps.get(participant_id)
        return tap.latest if tap is not None else None

    # --- events ---------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[SessionEvent], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: SessionEvent) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("session listener failed")

    def _spawn(self, coro: Any, *, flush: bool = False) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if flush:
            self._flush.add(task)
            task.add_done_callback(self._flush.discard)

    async def _pump_recorder(self, queue: asyncio.Queue[RecorderEvent]) -> None:
        while True:
            event = await queue.get()
            if isinstance(event, SegmentSealed):
                self.sealed += 1
                self.last_seal_utc = self.clock.to_utc(event.end).strftime("%H:%M:%S")
            self._emit(event)

    def _on_hub_event(self, event: HubEvent) -> None:
        self._emit(event)
        if isinstance(event, StillStored):
            self._on_still(event)
        if not isinstance(event, ParticipantEvent) or self.hub is None:
            return
        if event.state in ("connected", "reconnected"):
            self._spawn(self._watch(event.participant_id, event.role))

    async def _watch(self, participant_id: str, role: str) -> None:
        """Tile frames for everyone; presence monitoring for the persons being questioned."""
        assert self.hub is not None
        for _ in range(50):  # the track arrives with the connection; wait for it briefly
            track = self.hub.subscribe_participant(participant_id, "video")
            if track is not None:
                break
            await asyncio.sleep(0.1)
        else:
            return
        tap = self.taps.setdefault(participant_id, FrameTap())
        self._spawn(tap.run(track))
        if role in GUEST_ROLES:
            monitored = self.hub.subscribe_participant(participant_id, "video")
            if monitored is not None:
                monitor = PresenceMonitor(participant_id, self._on_presence, self.clock.now)
                self._spawn(monitor.watch(monitored), flush=True)

    def _on_presence(self, event: PresenceEvent) -> None:
        if isinstance(event, PresenceInterval):
            self.presence_alerts.append(event)
            if self.recorder is not None:
                self._spawn(self.recorder.event("presence", event.log_data()), flush=True)
        self._emit(event)
