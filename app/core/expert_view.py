"""The expert's (or specialist's) view of a live action: the stills gallery, still requests and
annotations, on the participant's side (no Qt).

:class:`ExpertView` lives inside :class:`app.core.participant.Participant`. Each
``still_available`` from the hub is downloaded with the ticket that came with it (GET
``/a/<action>/stills/<sha256>``, header ``X-Tergeu-Ticket``) and kept only if its SHA-256 is the
announced one — a damaged download is fetched again, never shown. :meth:`request_still` asks for a
scene still from someone on the roster; :meth:`annotate` sends arrows, rectangles and text drawn
on a still (its pixels) with a note. Both wait for the hub's ``act_result``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import secrets
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from PIL import Image

from app.core.annotations import Shape
from app.core.signaling.errors import SessionError
from app.core.signaling.messages import Message

log = logging.getLogger(__name__)
DOWNLOAD_ATTEMPTS = 4


@dataclass(frozen=True)
class GalleryItem:
    """A still of the action's gallery, downloaded and checked against its SHA-256."""

    number: int
    sha256: str
    participant_id: str  # whose camera
    caption: str
    width: int
    height: int
    taken_utc: str
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class ActOutcome:
    """The hub's answer to a request or an annotation."""

    ok: bool
    message: str
    code: str = ""


Send = Callable[[Message], Awaitable[None]]
GalleryListener = Callable[[GalleryItem], None]


class ExpertView:
    """Gallery, still requests and annotations of one participant."""

    def __init__(
        self, base_url: str, send: Send, ssl_option: ssl.SSLContext | aiohttp.Fingerprint | bool
    ) -> None:
        self._base = base_url
        self._send = send
        self._ssl = ssl_option
        self.stills: dict[str, GalleryItem] = {}  # by SHA-256, in the order they arrived
        self.failed: list[str] = []  # downloads given up, with why
        self.visible: dict[str, str] = {}  # participant id → display name (from the roster)
        self._listeners: list[GalleryListener] = []
        self._waiting: dict[str, asyncio.Future[ActOutcome]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add_listener(self, listener: GalleryListener) -> None:
        """``listener(item)`` is called on the core thread for every still downloaded intact."""
        self._listeners.append(listener)

    # ---- from the participant's message loop -------------------------------------------------
    def on_roster(self, slots: Sequence[Any]) -> None:
        """Whom this participant sees now (the hub's forwarding slots)."""
        self.visible = {
            slot["participant_id"]: str(slot.get("display_name", ""))
            for slot in slots
            if isinstance(slot, dict) and isinstance(slot.get("participant_id"), str)
        }

    def on_still_available(self, data: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self._download(data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def on_act_result(self, request_id: str, ok: bool, message: str, code: str) -> bool:
        """Settle a request of ours; False if ``request_id`` is not one."""
        waiting = self._waiting.pop(request_id, None)
        if waiting is None:
            return False
        if not waiting.done():
            waiting.set_result(ActOutcome(ok, message, code))
        return True

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for waiting in self._waiting.values():
            if not waiting.done():
                waiting.set_result(ActOutcome(False, "the session has ended", "ended"))
        self._waiting.clear()

    # ---- the expert's own acts ----------------------------------------------------------------
    async def request_still(
        self, participant_id: str, caption: str, *, timeout: float = 15.0
    ) -> ActOutcome:
        """Ask for a scene still from ``participant_id``'s camera; it arrives in the gallery."""
        return await self._act(
            "request_still", {"participant_id": participant_id, "caption": caption}, timeout
        )

    async def annotate(
        self,
        still_sha256: str,
        shapes: Sequence[Shape],
        note: str = "",
        *,
        timeout: float = 15.0,
    ) -> ActOutcome:
        """Send an annotation of the gallery still ``still_sha256`` (shapes in its pixels)."""
        if still_sha256 not in self.stills:
            raise ValueError(f"still {still_sha256[:16]}… is not in this gallery")
        data = {
            "still_sha256": still_sha256,
            "shapes": [s.to_json() for s in shapes],
            "note": note,
        }
        return await self._act("annotation", data, timeout)

    async def _act(self, kind: str, data: dict[str, Any], timeout: float) -> ActOutcome:
        request_id = kind[:1] + secrets.token_hex(6)
        message = Message(kind, {"request_id": request_id, **data})  # validates before sending
        future: asyncio.Future[ActOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            await self._send(message)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return ActOutcome(False, f"no answer from the hub in {timeout:.0f} s", "timeout")
        finally:
            self._waiting.pop(request_id, None)

    # ---- downloads ----------------------------------------------------------------------------
    async def _download(self, ask: dict[str, Any]) -> None:
        sha256 = ask["sha256"]
        problems: list[str] = []
        async with aiohttp.ClientSession() as http:
            for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
                try:
                    async with http.get(
                        self._base + ask["url"],
                        headers={"X-Tergeu-Ticket": ask["ticket"]},
                        ssl=self._ssl,
                    ) as r:
                        body = await r.read()
                        status = r.status
                except (aiohttp.ClientError, OSError) as e:
                    status, body = 0, type(e).__name__.encode()
                if status == 200:
                    actual = hashlib.sha256(body).hexdigest()
                    if actual == sha256:
                        try:
                            self._keep(ask, body)
                            return
                        except SessionError as e:  # intact bytes, but not the still announced
                            problems.append(e.message)
                            break
                    problems.append(f"SHA-256 {actual[:12]}… instead of {sha256[:12]}…")
                else:
                    problems.append(f"HTTP {status}: {body[:200].decode(errors='replace')}")
                    if 400 <= status < 500:
                        break  # a refused ticket does not become valid by asking again
                await asyncio.sleep(0.3 * attempt)
        self.failed.append(f"still {ask['number']} ({sha256[:12]}…): {'; '.join(problems)}")
        log.warning("gallery still %s not downloaded: %s", sha256[:12], problems[-1])

    def _keep(self, ask: dict[str, Any], body: bytes) -> None:
        try:
            with Image.open(io.BytesIO(body)) as image:
                size = image.size
        except (OSError, ValueError) as e:
            raise SessionError("bad_image", f"gallery still {ask['number']}: {e}") from e
        if size != (ask["width"], ask["height"]):
            raise SessionError(
                "bad_image",
                f"gallery still {ask['number']} is {size[0]}×{size[1]}, announced as "
                f"{ask['width']}×{ask['height']}",
            )
        item = GalleryItem(
            ask["number"],
            ask["sha256"],
            ask["participant_id"],
            ask["caption"],
            ask["width"],
            ask["height"],
            ask["taken_utc"],
            ask["media_type"],
            body,
        )
        self.stills[item.sha256] = item
        for listener in self._listeners:
            try:
                listener(item)
            except Exception:
                log.exception("gallery listener failed")
