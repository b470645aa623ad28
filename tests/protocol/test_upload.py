from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from protocol.outbox import OutboxError, add_to_outbox, load_submission, pending
from protocol.upload import HttpUploader, UploadError

TOKEN = "tok-Zq81-secret"
RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class Receiver:
    """A loopback receiver speaking the resumable protocol; can drop one PUT mid-body."""

    def __init__(self, *, drop_after: int | None = None) -> None:
        self.uploads: dict[str, dict[str, Any]] = {}
        self.drop_after = drop_after  # bytes of the body to keep before cutting the connection
        self.puts = 0
        self.announces = 0

    def state(self, sha: str) -> dict[str, Any]:
        u = self.uploads[sha]
        out = {
            "sha256": sha,
            "size": u["size"],
            "offset": len(u["data"]),
            "complete": u["complete"],
        }
        if u["complete"]:
            out["sha256"] = hashlib.sha256(u["data"]).hexdigest()
        return out

    def authorised(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized()

    async def announce(self, request: web.Request) -> web.Response:
        self.authorised(request)
        self.announces += 1
        body = await request.json()
        self.uploads.setdefault(
            body["sha256"], {"size": body["size"], "data": bytearray(), "complete": False}
        )
        return web.json_response(self.state(body["sha256"]))

    async def get(self, request: web.Request) -> web.Response:
        self.authorised(request)
        sha = request.match_info["sha"]
        if sha not in self.uploads:
            raise web.HTTPNotFound()
        return web.json_response(self.state(sha))

    async def put(self, request: web.Request) -> web.StreamResponse:
        self.authorised(request)
        sha = request.match_info["sha"]
        u = self.uploads[sha]
        m = RANGE.fullmatch(request.headers["Content-Range"])
        assert m is not None
        start = int(m.group(1))
        if start != len(u["data"]):
            return web.json_response({"offset": len(u["data"])}, status=409)
        self.puts += 1
        if self.drop_after is not None and self.puts == 2:
            kept = 0
            async for chunk in request.content.iter_chunked(4096):
                take = chunk[: max(0, self.drop_after - kept)]
                u["data"] += take
                kept += len(take)
                if kept >= self.drop_after:
                    break
            assert request.transport is not None
            request.transport.close()  # the connection drops mid-upload
            return web.Response()
        u["data"] += await request.read()
        if len(u["data"]) == u["size"]:
            u["complete"] = True
        return web.json_response(self.state(sha))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/uploads", self.announce)
        app.router.add_get("/uploads/{sha}", self.get)
        app.router.add_put("/uploads/{sha}", self.put)
        return app


def _queued(tmp: Path, size: int = 300_000) -> Any:
    c = tmp / "case.asice"
    c.write_bytes(os.urandom(size))
    return add_to_outbox(tmp / "outbox", c, erdr_number="251234567890123", action="interrogation")


def test_outbox_entry_has_manifest_and_is_idempotent(tmp_path: Path) -> None:
    sub = _queued(tmp_path)
    manifest = json.loads((sub.folder / "submission.json").read_text())
    assert (
        manifest["container"]["sha256"]
        == hashlib.sha256((tmp_path / "case.asice").read_bytes()).hexdigest()
    )
    assert manifest["container"]["size"] == 300_000 and manifest["erdr_number"] == "251234567890123"
    assert oct(sub.container.stat().st_mode & 0o777) == "0o600"
    again = add_to_outbox(
        tmp_path / "outbox",
        tmp_path / "case.asice",
        erdr_number="251234567890123",
        action="interrogation",
    )
    assert again.folder == sub.folder and load_submission(sub.folder) == sub
    assert pending(tmp_path / "outbox") == [sub]
    with pytest.raises(OutboxError, match=r"invalid ERDR number '12-34'"):
        add_to_outbox(tmp_path / "outbox", tmp_path / "case.asice", erdr_number="12-34", action="x")


async def test_upload_resumes_after_dropped_connection(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sub = _queued(tmp_path)
    receiver = Receiver(drop_after=50_000)
    async with TestServer(receiver.app(), host="127.0.0.1") as server:
        up = HttpUploader(str(server.make_url("")), TOKEN, chunk_size=100_000, backoff=0.01)
        seen: list[int] = []
        receipt = await up.upload(sub, progress=lambda done, total: seen.append(done))
    data = receiver.uploads[sub.sha256]["data"]
    assert hashlib.sha256(data).hexdigest() == sub.sha256 == receipt["sha256"]
    assert 150_000 in seen  # resumed from the receiver's offset, inside the dropped chunk
    assert receiver.puts >= 4
    assert sub.delivered and not sub.container.exists()  # local copy dropped after confirmation
    assert TOKEN not in caplog.text and TOKEN not in repr(up)


async def test_upload_is_idempotent_and_keeps_copy_on_hash_mismatch(tmp_path: Path) -> None:
    sub = _queued(tmp_path)
    receiver = Receiver()
    receiver.uploads[sub.sha256] = {
        "size": sub.size,
        "data": bytearray(b"\0" * sub.size),
        "complete": True,
    }
    async with TestServer(receiver.app(), host="127.0.0.1") as server:
        up = HttpUploader(str(server.make_url("")), TOKEN, backoff=0.01)
        with pytest.raises(OutboxError, match="keeping the local copy"):
            await up.upload(sub)
    assert receiver.puts == 0 and sub.container.exists() and not sub.delivered


async def test_wrong_token_is_refused_without_retrying(tmp_path: Path) -> None:
    sub = _queued(tmp_path)
    receiver = Receiver()
    async with TestServer(receiver.app(), host="127.0.0.1") as server:
        up = HttpUploader(str(server.make_url("")), "wrong", backoff=0.01)
        with pytest.raises(UploadError, match="refused the credentials"):
            await up.upload(sub)
    assert sub.container.exists()


async def test_unreachable_receiver_gives_up_after_retries(tmp_path: Path) -> None:
    sub = _queued(tmp_path)
    up = HttpUploader("http://127.0.0.1:9", TOKEN, max_retries=2, backoff=0.01)
    with pytest.raises(UploadError, match="after 2 retries"):
        await up.upload(sub)
    assert sub.container.exists()


def test_upload_queue_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main as tergeu

    c = tmp_path / "x.asice"
    c.write_bytes(b"container")
    box = tmp_path / "box"
    args = ["upload", "--outbox", str(box), "queue", str(c), "--erdr", "123456789012"]
    assert tergeu([*args, "--action", "inspection"]) == 0
    assert "queued x.asice" in capsys.readouterr().out
    assert [s.action for s in pending(box)] == ["inspection"]
    assert (
        tergeu(
            [
                "upload",
                "--outbox",
                str(box),
                "queue",
                str(c),
                "--erdr",
                "x",
                "--action",
                "inspection",
            ]
        )
        == 2
    )
