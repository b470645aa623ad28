"""The stills gallery of a live action, as the hub keeps it for experts and specialists.

An expert (or specialist) participant asks for a scene still from the camera of someone their media
policy lets them see (``request_still``); every scene still stored is announced to each admitted
expert or specialist allowed to see that camera (``still_available``) with a download ticket of
their own (GET ``/a/<action>/stills/<sha256>``, :mod:`app.core.signaling.gallery_route`). Their
annotation of a still (``annotation``) is checked strictly, stored as a separate evidence file
(``tergeu-annotation/1``, :mod:`app.core.annotations`) that names the original by its SHA-256, and
logged as ``annotation_saved``; the original is read only to check that its bytes are still the
sealed ones, never written. Witnesses and other persons never receive the gallery.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.core.annotations import Annotation, AnnotationError, parse_shapes
from app.core.evidence import EvidenceError, EvidenceFile, store_evidence
from app.core.policy import INVESTIGATOR, MediaPolicy
from app.core.signaling.errors import ActRefused, SessionError
from app.core.signaling.messages import Message
from app.core.signaling.server import Channel
from recorder.clock import format_utc

log = logging.getLogger(__name__)
GALLERY_ROLES = frozenset({"expert", "specialist"})
GALLERY_MESSAGES = ("request_still", "annotation")
REQUESTS_PER_MINUTE = 6  # stills one expert may ask for in a minute (each interrupts a camera)


@dataclass(frozen=True)
class Viewer:
    """An admitted participant as the gallery sees them."""

    participant_id: str
    role: str
    channel: Channel


@dataclass(frozen=True)
class GalleryStill:
    """A scene still of the action: ``number`` as in the protocol's photo table."""

    number: int
    participant_id: str  # whose camera
    camera_role: str
    caption: str
    author: str
    evidence: EvidenceFile
    width: int
    height: int
    media_type: str
    taken_utc: str


@dataclass(frozen=True)
class SavedAnnotation:
    """An annotation stored as evidence (what ``annotation_saved`` logs)."""

    author: str
    evidence: EvidenceFile
    still: GalleryStill
    shapes: int
    note: str


class GalleryHost(Protocol):
    """What the gallery needs of the hub."""

    action_id: str
    policy: MediaPolicy
    evidence_dir: Path | None

    def admitted(self) -> Sequence[Viewer]: ...

    async def request_still(
        self, participant_id: str, kind: str, caption: str, *, author: str = ...
    ) -> str: ...

    async def log_for(self, participant_id: str, entry: str, /, **extra: Any) -> None: ...

    def annotation_saved(self, saved: SavedAnnotation) -> None: ...


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(b"tergeu-gallery-ticket\x00" + ticket.encode()).hexdigest()


def _file_part(participant_id: str) -> str:
    part = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in participant_id)
    return part.lower()[:40] or "p"


class StillGallery:
    """The hub's gallery: stills stored, who may see them, tickets, annotations."""

    def __init__(self, host: GalleryHost) -> None:
        self.host = host
        self.stills: list[GalleryStill] = []
        self.annotations: list[SavedAnnotation] = []
        self._tickets: dict[str, tuple[str, str]] = {}  # ticket hash → (viewer id, still sha256)
        self._asked: dict[str, list[float]] = {}  # author → monotonic times of requests
        self._storing = asyncio.Lock()  # annotation numbers are taken one at a time
        # the hub's still request id → (who asked, the id of their request_still)
        self._requests: dict[str, tuple[str, str]] = {}

    def may_view(self, viewer_role: str, camera_role: str) -> bool:
        """True if a ``viewer_role`` participant receives stills of ``camera_role``'s camera."""
        return viewer_role in GALLERY_ROLES and self.host.policy.may_see(viewer_role, camera_role)

    # ---- the hub tells the gallery ------------------------------------------------------------
    async def stored(self, still: GalleryStill, request_id: str = "") -> None:
        """A scene still arrived intact: announce it to every viewer allowed to see it."""
        self._requests.pop(request_id, None)
        self.stills.append(still)
        for viewer in self.host.admitted():
            if self.may_view(viewer.role, still.camera_role):
                await self._announce(viewer, still)

    def next_number(self) -> int:
        return len(self.stills) + 1

    async def catch_up(self, viewer: Viewer) -> None:
        """A viewer was admitted (or came back): send them the gallery so far."""
        for still in self.stills:
            if self.may_view(viewer.role, still.camera_role):
                await self._announce(viewer, still)

    async def on_message(self, viewer: Viewer, message: Message) -> dict[str, Any]:
        """Handle ``request_still`` or ``annotation``; the ``act_result`` fields to send back."""
        result: dict[str, Any] = {"request_id": message["request_id"], "ok": True}
        try:
            if viewer.role not in GALLERY_ROLES:
                raise ActRefused(
                    "not_allowed",
                    f"a {viewer.role} does not see the stills gallery; only an expert or a "
                    "specialist requests and annotates stills",
                )
            if message.type == "request_still":
                request_id = await self._request(viewer, message)
                result["message"] = f"still requested ({request_id})"
            else:
                saved = await self.annotate(
                    viewer, message["still_sha256"], message["shapes"], message["note"]
                )
                result["message"] = f"annotation saved as {saved.evidence.file}"
        except ActRefused as e:
            result |= {"ok": False, "code": e.code, "message": e.message}
        except Exception as e:  # a bug must not leave the expert waiting for an answer
            log.exception("gallery %s failed", message.type)
            result |= {"ok": False, "code": "internal", "message": type(e).__name__}
        return result

    # ---- downloads ------------------------------------------------------------------------------
    async def download(self, sha256: str, ticket: str) -> tuple[bytes, GalleryStill]:
        """The bytes of a gallery still for the viewer who holds ``ticket``, checked against the
        SHA-256 sealed on arrival; SessionError ``unknown_ticket`` or ``evidence_changed``."""
        held = self._tickets.get(_ticket_hash(ticket))
        viewer = held and next(
            (v for v in self.host.admitted() if v.participant_id == held[0]), None
        )
        still = next((s for s in self.stills if s.evidence.sha256 == sha256), None)
        if held is None or held[1] != sha256 or viewer is None or still is None:
            raise SessionError(
                "unknown_ticket", "this ticket does not open that still (or its holder has left)"
            )
        data = await asyncio.to_thread(self._read_original, still)
        return data, still

    def _read_original(self, still: GalleryStill) -> bytes:
        if self.host.evidence_dir is None:
            raise SessionError("no_evidence_dir", "this session keeps no evidence files")
        data = (self.host.evidence_dir / still.evidence.file).read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != still.evidence.sha256:
            raise SessionError(
                "evidence_changed",
                f"{still.evidence.file} has SHA-256 {actual[:16]}…, sealed as "
                f"{still.evidence.sha256[:16]}…: the original was altered",
            )
        return data

    # ---- requests and annotations ---------------------------------------------------------------
    async def _request(self, viewer: Viewer, message: Message) -> str:
        target_id = message["participant_id"]
        target = next((v for v in self.host.admitted() if v.participant_id == target_id), None)
        if target is None:
            raise ActRefused("not_in_session", f"participant {target_id!r} is not in the session")
        if (
            target.participant_id == viewer.participant_id
            or target.role == INVESTIGATOR
            or not self.host.policy.may_see(viewer.role, target.role)
        ):
            raise ActRefused(
                "not_allowed", f"a {viewer.role} may not take stills from {target_id!r}'s camera"
            )
        now = time.monotonic()
        recent = [t for t in self._asked.get(viewer.participant_id, []) if now - t < 60]
        if len(recent) >= REQUESTS_PER_MINUTE:
            raise ActRefused(
                "busy", f"at most {REQUESTS_PER_MINUTE} stills a minute; wait and ask again"
            )
        self._asked[viewer.participant_id] = [*recent, now]
        try:
            request_id = await self.host.request_still(
                target_id, "scene", message["caption"], author=viewer.participant_id
            )
        except (ValueError, KeyError) as e:
            raise ActRefused("bad_value", str(e)) from e
        self._requests[request_id] = (viewer.participant_id, message["request_id"])
        return request_id

    async def not_taken(self, still_request_id: str, reason: str) -> None:
        """The device could not take (or send) a still an expert asked for: tell that expert."""
        asked = self._requests.pop(still_request_id, None)
        viewer = asked and next(
            (v for v in self.host.admitted() if v.participant_id == asked[0]), None
        )
        if asked is not None and viewer is not None:
            data = {"request_id": asked[1], "message": reason[:2000]}
            await viewer.channel.send(Message("still_not_taken", data))

    async def annotate(
        self, viewer: Viewer, still_sha256: str, raw_shapes: Any, note: str
    ) -> SavedAnnotation:
        """Check and store ``viewer``'s annotation of the still ``still_sha256``; log it."""
        still = next((s for s in self.stills if s.evidence.sha256 == still_sha256), None)
        if still is None or not self.may_view(viewer.role, still.camera_role):
            raise ActRefused(
                "unknown_still", f"no still {still_sha256[:16]}… in the gallery you see"
            )
        try:
            annotation = Annotation(
                still_file=still.evidence.file,
                still_sha256=still.evidence.sha256,
                width=still.width,
                height=still.height,
                author=viewer.participant_id,
                created_utc=format_utc(datetime.now(UTC)),
                shapes=parse_shapes(raw_shapes, still.width, still.height),
                note=note.strip(),
            )
        except AnnotationError as e:
            raise ActRefused("bad_annotation", f"annotation refused: {e}") from e
        async with self._storing:
            try:
                evidence = await asyncio.to_thread(self._store, viewer.participant_id, annotation)
            except (EvidenceError, SessionError) as e:
                raise ActRefused("not_stored", f"the annotation could not be stored: {e}") from e
            saved = SavedAnnotation(
                viewer.participant_id, evidence, still, len(annotation.shapes), annotation.note
            )
            self.annotations.append(saved)
        extra: dict[str, Any] = {
            "author": viewer.participant_id,
            "still_sha256": still.evidence.sha256,
            "still_file": still.evidence.file,
            "still_number": still.number,
            "shapes": saved.shapes,
            **evidence.log_data(),
        }
        if saved.note:
            extra["note"] = saved.note
        await self.host.log_for(viewer.participant_id, "annotation_saved", **extra)
        self.host.annotation_saved(saved)
        return saved

    def _store(self, author: str, annotation: Annotation) -> EvidenceFile:
        # the original is read, never written: its bytes must still be the sealed ones
        still = next(s for s in self.stills if s.evidence.sha256 == annotation.still_sha256)
        self._read_original(still)
        assert self.host.evidence_dir is not None
        folder = self.host.evidence_dir / "evidence"
        n = len(self.annotations) + 1
        while (folder / f"annotation-{n:03d}-{_file_part(author)}.json").exists():
            n += 1
        name = f"annotation-{n:03d}-{_file_part(author)}.json"
        return store_evidence(self.host.evidence_dir, name, annotation.to_bytes())

    async def _announce(self, viewer: Viewer, still: GalleryStill) -> None:
        ticket = secrets.token_urlsafe(32)
        self._tickets[_ticket_hash(ticket)] = (viewer.participant_id, still.evidence.sha256)
        await viewer.channel.send(
            Message(
                "still_available",
                {
                    "number": still.number,
                    "sha256": still.evidence.sha256,
                    "participant_id": still.participant_id,
                    "caption": still.caption,
                    "width": still.width,
                    "height": still.height,
                    "taken_utc": still.taken_utc,
                    "media_type": still.media_type,
                    "url": f"/a/{self.host.action_id}/stills/{still.evidence.sha256}",
                    "ticket": ticket,
                },
            )
        )
