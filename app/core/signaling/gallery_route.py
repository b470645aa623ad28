"""``GET /a/<action>/stills/<sha256>``: an expert downloads a still of the action's gallery.

The ticket comes from the ``still_available`` message sent to that expert alone over the WebSocket
and travels in the ``X-Tergeu-Ticket`` header (never in the URL, so no access log can hold it). It
opens only that still, only while its holder is in the session. The bytes served are the evidence
file, checked against the SHA-256 sealed on arrival; the response names that hash in
``X-Tergeu-Sha256`` and the client checks it again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from aiohttp import web

from app.core.signaling.errors import SessionError

log = logging.getLogger(__name__)
_HEX64 = re.compile(r"[0-9a-f]{64}")


@runtime_checkable
class GalleryHost(Protocol):
    """A session that serves gallery stills (the hub)."""

    async def gallery_still(self, sha256: str, ticket: str) -> tuple[bytes, str]: ...


def add_gallery_route(app: web.Application, hosts: Mapping[str, Any]) -> None:
    """Serve gallery stills of the sessions in ``hosts`` (action id → session)."""

    async def still(request: web.Request) -> web.StreamResponse:
        def refuse(status: int, code: str, message: str) -> web.Response:
            return web.json_response({"ok": False, "code": code, "message": message}, status=status)

        host = hosts.get(request.match_info["action"])
        if not isinstance(host, GalleryHost):
            return refuse(404, "unknown_session", "There is no such session on this server.")
        sha256 = request.match_info["sha256"]
        ticket = request.headers.get("X-Tergeu-Ticket", "")
        if not _HEX64.fullmatch(sha256):
            return refuse(400, "bad_hash", f"still {sha256[:80]!r}: expected 64 hex digits")
        if not 20 <= len(ticket) <= 200:
            return refuse(403, "no_ticket", "header X-Tergeu-Ticket: missing or malformed")
        try:
            data, media_type = await host.gallery_still(sha256, ticket)
        except SessionError as e:
            status = {"unknown_ticket": 403, "no_evidence_dir": 404}.get(e.code, 500)
            if status == 500:
                log.error("gallery still %s not served: %s", sha256[:16], e.message)
            return refuse(status, e.code, e.message)
        except Exception as e:  # a bug must not take the server down
            log.exception("error while serving a gallery still")
            return refuse(500, "internal", f"internal error: {type(e).__name__}")
        return web.Response(body=data, content_type=media_type, headers={"X-Tergeu-Sha256": sha256})

    app.router.add_get("/a/{action}/stills/{sha256}", still)
