"""Deliver outbox entries to a receiver: an :class:`Uploader` interface and its HTTP form.

Resumable upload protocol (all JSON bodies; ``Authorization: Bearer <token>`` on every call)::

    POST {endpoint}/uploads            {"sha256", "size", "submission": {...}}
         -> 200 {"sha256", "size", "offset": N, "complete": bool}   (idempotent by sha256)
    GET  {endpoint}/uploads/{sha256}   -> 200 same state, 404 if unknown
    PUT  {endpoint}/uploads/{sha256}   Content-Range: bytes START-END/SIZE, body = those bytes
         -> 200 state; 409 {"offset": N} when START is not the receiver's offset
    When offset reaches size the receiver hashes what it holds and answers
         {"complete": true, "sha256": "<what it computed>"}; a mismatch is 422.

The client asks for the offset before each chunk after an error, so a dropped connection
resumes where the receiver's data ends. Transient failures (connection errors, 5xx, 409)
are retried with exponential backoff. The local copy is removed only once the receiver's
confirmed SHA-256 equals the submission's (:func:`protocol.outbox.confirm_delivery`).
The token is never logged or shown in ``repr``.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from protocol.errors import ProtocolError
from protocol.outbox import Submission, confirm_delivery

log = logging.getLogger(__name__)


class UploadError(ProtocolError):
    """The receiver refused the container or could not be reached after all retries."""


class Uploader(abc.ABC):
    """Something that delivers an outbox entry and returns the receiver's receipt."""

    @abc.abstractmethod
    async def upload(
        self, sub: Submission, *, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Any]:
        """Deliver ``sub``; return the receipt once the receiver confirmed the SHA-256."""


class _Retry(Exception):
    pass


class HttpUploader(Uploader):
    """Chunked, resumable HTTP upload with retries (see the module docstring)."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        *,
        chunk_size: int = 8 << 20,
        max_retries: int = 8,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout: float = 120.0,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise UploadError(f"invalid upload endpoint {endpoint!r}: expected http(s)://")
        if chunk_size < 1:
            raise UploadError(f"chunk size {chunk_size}: expected a positive number")
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    def __repr__(self) -> str:
        return f"HttpUploader({self.endpoint!r}, token=<hidden>)"

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def upload(
        self, sub: Submission, *, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Any]:
        if sub.delivered:
            raise UploadError(f"{sub.folder} was already delivered")
        url = f"{self.endpoint}/uploads/{sub.sha256}"
        attempt = 0
        async with aiohttp.ClientSession(timeout=self.timeout, headers=self._headers) as http:
            state = await self._retrying(
                lambda: self._json(
                    http.post(
                        f"{self.endpoint}/uploads",
                        json={"sha256": sub.sha256, "size": sub.size, "submission": sub.manifest()},
                    )
                ),
                "announce",
            )
            with open(sub.container, "rb") as f:
                while not state.get("complete"):
                    offset = int(state["offset"])
                    if progress is not None:
                        progress(offset, sub.size)
                    try:
                        state = await self._send_chunk(http, url, f, offset, sub.size)
                        attempt = 0
                    except _Retry as e:
                        attempt += 1
                        if attempt > self.max_retries:
                            raise UploadError(
                                f"upload of {sub.file_name} failed after "
                                f"{self.max_retries} retries: {e}"
                            ) from e
                        delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                        log.info(
                            "upload of %s interrupted (%s); retry %d in %.1f s",
                            sub.file_name,
                            e,
                            attempt,
                            delay,
                        )
                        await asyncio.sleep(delay)
                        state = await self._retrying(lambda: self._json(http.get(url)), "resume")
        if progress is not None:
            progress(sub.size, sub.size)
        receipt = {
            "sha256": state.get("sha256"),
            "size": state.get("size", sub.size),
            "receiver": self.endpoint,
        }
        await asyncio.to_thread(confirm_delivery, sub, receipt)
        return receipt

    async def _send_chunk(
        self, http: aiohttp.ClientSession, url: str, f: Any, offset: int, size: int
    ) -> dict[str, Any]:
        def read() -> bytes:
            f.seek(offset)
            data: bytes = f.read(self.chunk_size)
            return data

        data = await asyncio.to_thread(read)
        if not data and offset < size:
            raise UploadError(f"container shrank: nothing to read at offset {offset} of {size}")
        headers = {"Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{size}"}
        return await self._json(http.put(url, data=data, headers=headers))

    async def _json(self, request: Any) -> dict[str, Any]:
        try:
            async with request as resp:
                if resp.status == 409 or resp.status >= 500:
                    raise _Retry(f"receiver answered {resp.status}")
                if resp.status in (401, 403):
                    raise UploadError(f"receiver refused the credentials (HTTP {resp.status})")
                if resp.status != 200:
                    text = (await resp.text())[:200]
                    raise UploadError(f"receiver answered HTTP {resp.status}: {text}")
                body: dict[str, Any] = await resp.json()
                return body
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as e:
            raise _Retry(f"{type(e).__name__}: {e}") from e

    async def _retrying(self, call: Callable[[], Any], what: str) -> dict[str, Any]:
        for attempt in range(self.max_retries + 1):
            try:
                result: dict[str, Any] = await call()
                return result
            except _Retry as e:
                if attempt == self.max_retries:
                    raise UploadError(f"{what} failed after {self.max_retries} retries: {e}") from e
                await asyncio.sleep(min(self.max_backoff, self.backoff * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover
