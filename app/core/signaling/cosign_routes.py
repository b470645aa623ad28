"""HTTP routes of co-signature requests (see :mod:`app.core.cosign_requests`).

``GET  /a/{action}/cosign``                   a short page: open this link in the Tergeu app
``POST /a/{action}/cosign/open``              token (header) + PIN (JSON) → ticket and the request
``GET  /a/{action}/cosign/part/{part}``       ``manifest``, ``signature`` or ``pdf`` (ticket header)
``POST /a/{action}/cosign/signature``         the DER CMS over ASiCManifestNNN (number header)
``POST /a/{action}/cosign/refuse``            ``{"reason": "…"}``

Tokens and tickets travel in headers, never in URLs, so access logs cannot leak them. Every
refusal is JSON ``{"ok": false, "code", "message"}`` with a fitting HTTP status.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from app.core.cosign_link import CosignError
from app.core.cosign_requests import CosignDesk

log = logging.getLogger(__name__)
MAX_SIGNATURE_BYTES = 60 * 1024  # a CAdES signature with its chain and a time-stamp fits
_PAGE = (
    "<!doctype html><meta charset=utf-8><title>Tergeu</title>"
    "<p>Open this link in the Tergeu desktop app: File → Co-sign from a link…, "
    "or run <code>tergeu cosign LINK</code>.</p>"
)


def add_routes(app: web.Application, desks: dict[str, CosignDesk]) -> None:
    """Serve the co-sign requests of ``desks`` (by action id) from ``app``."""
    routes = _Routes(desks)
    app.router.add_get("/a/{action}/cosign", routes.page)
    app.router.add_post("/a/{action}/cosign/open", routes.open)
    app.router.add_get("/a/{action}/cosign/part/{part}", routes.part)
    app.router.add_post("/a/{action}/cosign/signature", routes.signature)
    app.router.add_post("/a/{action}/cosign/refuse", routes.refuse)


def _refuse(e: CosignError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "code": e.code, "message": e.message}
    if e.attempts_left is not None:
        body["attempts_left"] = e.attempts_left
    if e.number is not None:
        body["number"] = e.number
    return web.json_response(body, status=e.status)


class _Routes:
    def __init__(self, desks: dict[str, CosignDesk]) -> None:
        self.desks = desks

    def _desk(self, request: web.Request) -> CosignDesk:
        desk = self.desks.get(request.match_info["action"])
        if desk is None:
            raise CosignError(
                "unknown_session", "No co-sign requests for this action here.", status=404
            )
        return desk

    @staticmethod
    def _header(request: web.Request, name: str) -> str:
        value = request.headers.get(name, "")
        if not 20 <= len(value) <= 200:
            raise CosignError("no_token", f"header {name}: missing or malformed", status=403)
        return value

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text=_PAGE, content_type="text/html")

    async def _guarded(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except CosignError as e:
            return _refuse(e)
        except Exception as e:  # a bug must not take the server down
            log.exception("error in a co-sign route")
            return web.json_response(
                {"ok": False, "code": "internal", "message": f"internal error: {type(e).__name__}"},
                status=500,
            )

    async def open(self, request: web.Request) -> web.StreamResponse:
        async def handle(request: web.Request) -> web.Response:
            desk = self._desk(request)
            token = self._header(request, "X-Tergeu-Token")
            try:
                body = await request.json()
                pin = body["pin"]
                if set(body) != {"pin"} or not isinstance(pin, str):
                    raise ValueError
            except (ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
                raise CosignError("bad_request", 'expected JSON {"pin": "<6 digits>"}') from e
            found, ticket = await asyncio.to_thread(desk.open, token, pin)
            return web.json_response(
                {
                    "ok": True,
                    "ticket": ticket,
                    "request_id": found.request_id,
                    "participant_id": found.participant_id,
                    "role": found.role,
                    "display_name": found.display_name,
                    "action_title": desk.action_title,
                    "manifest_sha256": found.manifest_sha256,
                    "number": await asyncio.to_thread(desk.next_number),
                    "expires_at": found.expires_at.isoformat(),
                }
            )

        return await self._guarded(request, handle)

    async def part(self, request: web.Request) -> web.StreamResponse:
        async def handle(request: web.Request) -> web.Response:
            desk = self._desk(request)
            desk.by_ticket(self._header(request, "X-Tergeu-Ticket"))
            data, media_type = await asyncio.to_thread(desk.part, request.match_info["part"])
            return web.Response(body=data, content_type=media_type)

        return await self._guarded(request, handle)

    async def signature(self, request: web.Request) -> web.StreamResponse:
        async def handle(request: web.Request) -> web.Response:
            desk = self._desk(request)
            ticket = self._header(request, "X-Tergeu-Ticket")
            number = request.headers.get("X-Tergeu-Number", "")
            if not number.isdigit() or not 2 <= int(number) <= 999:
                raise CosignError("bad_number", "header X-Tergeu-Number: expected 2 to 999")
            data = await request.read()
            if not data or len(data) > MAX_SIGNATURE_BYTES:
                raise CosignError(
                    "bad_size",
                    f"a signature of {len(data)} bytes: expected 1 to {MAX_SIGNATURE_BYTES}",
                    status=413 if data else 400,
                )
            done, report = await desk.accept(ticket, int(number), data)
            return web.json_response(
                {
                    "ok": True,
                    "signature": done.signature,
                    "verified": report.ok,
                    "summary": report.summary(),
                }
            )

        return await self._guarded(request, handle)

    async def refuse(self, request: web.Request) -> web.StreamResponse:
        async def handle(request: web.Request) -> web.Response:
            desk = self._desk(request)
            ticket = self._header(request, "X-Tergeu-Ticket")
            try:
                body = await request.json()
                reason = body["reason"]
                if set(body) != {"reason"} or not isinstance(reason, str):
                    raise ValueError
            except (ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
                raise CosignError("bad_request", 'expected JSON {"reason": "…"}') from e
            done = await asyncio.to_thread(desk.refuse, ticket, reason)
            return web.json_response(
                {"ok": True, "request_id": done.request_id, "state": "refused"}
            )

        return await self._guarded(request, handle)
