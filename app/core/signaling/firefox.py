"""Headless Firefox driven over WebDriver BiDi (for tests): the guest page in a second engine.

Firefox speaks WebDriver BiDi itself (no geckodriver): started with ``--remote-debugging-port`` it
writes the port to ``WebDriverBiDiServer.json`` in its profile and accepts a WebSocket session at
``ws://127.0.0.1:<port>/session``. The fresh profile's ``user.js`` gives it fake camera and
microphone without a permission prompt, ICE on loopback asked for (not given: see PREFS), and a
dead proxy so that HTTP reaches nothing but 127.0.0.1. Only aiohttp is needed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from app.core.signaling.browser_page import (
    BrowserPage,
    check_key,
    find_executable,
    stop_process,
)
from app.core.signaling.errors import SessionError

PREFS: dict[str, bool | int | str] = {
    # fake camera and microphone, granted without asking (as Chromium's fake-ui flag does)
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    "media.volume_scale": "0.0",
    # WebRTC host candidates on loopback too, unobfuscated. Firefox ESR 153 here still offers
    # none on loopback (its answer lists eth0's addresses only), so its media cannot be kept on
    # 127.0.0.1 (tests/loopback_media.py)
    "media.peerconnection.ice.loopback": True,
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    # nothing but 127.0.0.1: a dead proxy for the rest (loopback never goes through a proxy)
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.socks_remote_dns": True,
    "network.dns.disablePrefetch": True,
    "network.connectivity-service.enabled": False,
    "network.captive-portal-service.enabled": False,
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.update.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
}

KEY_CODES = {"Tab": "\ue004", "Enter": "\ue007", "Space": " "}


def find_firefox() -> str:
    return find_executable("Firefox", ("firefox-esr", "firefox"))


class BiDiConnection:
    """One WebDriver BiDi session: commands by id, events to listeners."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._next = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.pages: dict[str, FirefoxPage] = {}  # by browsing context
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for raw in self._ws:
            if raw.type != aiohttp.WSMsgType.TEXT:
                break
            msg = json.loads(raw.data)
            if msg.get("type") == "event":
                self._event(msg["method"], msg.get("params", {}))
            elif msg.get("id") in self._pending:
                self._pending.pop(msg["id"]).set_result(msg)
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(SessionError("browser", "WebDriver BiDi connection closed"))

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "log.entryAdded":
            page = self.pages.get(params.get("source", {}).get("context", ""))
            if page is not None:
                page.console.append(str(params.get("text", "")))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = fut
        await self._ws.send_str(json.dumps({"id": self._next, "method": method, "params": params}))
        reply = await asyncio.wait_for(fut, 30)
        if reply.get("type") == "error":
            raise SessionError(
                "browser", f"{method} failed: {reply.get('error')}: {reply.get('message')}"
            )
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def close(self) -> None:
        with contextlib.suppress(SessionError, ConnectionError, TimeoutError):
            await self.call("session.end")
        self._reader.cancel()
        await self._ws.close()


class FirefoxPage(BrowserPage):
    """One Firefox tab (a top-level browsing context)."""

    browser = "Firefox"

    def __init__(self, bidi: BiDiConnection, context: str) -> None:
        super().__init__()
        self._bidi = bidi
        self.context = context
        bidi.pages[context] = self

    async def evaluate(self, expression: str) -> Any:
        # the value crosses as JSON text, as Chromium's returnByValue gives it
        wrapped = (
            f"(async () => {{ const v = await ({expression});"
            " return v === undefined ? 'null' : JSON.stringify(v); })()"
        )
        reply = await self._bidi.call(
            "script.evaluate",
            expression=wrapped,
            target={"context": self.context},
            awaitPromise=True,
            resultOwnership="none",
            userActivation=True,
        )
        if reply.get("type") == "exception":
            details = reply.get("exceptionDetails", {})
            raise SessionError("browser", f"page error: {details.get('text', details)}")
        value = reply.get("result", {})
        if value.get("type") != "string":
            raise SessionError("browser", f"page value of {expression[:80]!r}: {value}")
        return json.loads(value["value"])

    async def navigate(self, url: str) -> None:
        await self._bidi.call(
            "browsingContext.navigate", context=self.context, url=url, wait="interactive"
        )

    async def set_viewport(self, width: int, height: int, *, mobile: bool) -> None:
        await self._bidi.call(
            "browsingContext.setViewport",
            context=self.context,
            viewport={"width": width, "height": height},
            devicePixelRatio=3 if mobile else 1,
        )

    async def screenshot(self, path: Path) -> Path:
        data = await self._bidi.call("browsingContext.captureScreenshot", context=self.context)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    async def _keys(self, values: list[str]) -> None:
        actions: list[dict[str, str]] = []
        for value in values:
            actions += [{"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]
        await self._bidi.call(
            "input.performActions",
            context=self.context,
            actions=[{"type": "key", "id": "keyboard", "actions": actions}],
        )

    async def press(self, key: str) -> None:
        await self._keys([KEY_CODES[check_key(key)]])

    async def type_text(self, text: str) -> None:
        await self._keys(list(text))

    async def close(self) -> None:
        with contextlib.suppress(SessionError):
            await self._bidi.call("browsingContext.close", context=self.context)
        self._bidi.pages.pop(self.context, None)


class Firefox:
    """A headless Firefox process with a temporary profile; use ``async with``."""

    name = "firefox"

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or find_firefox()
        self._proc: asyncio.subprocess.Process | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._bidi: BiDiConnection | None = None

    def _write_profile(self, folder: Path) -> None:
        lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in PREFS.items()]
        (folder / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")

    async def __aenter__(self) -> Firefox:
        self._profile = tempfile.TemporaryDirectory(prefix="tergeu-firefox-")
        folder = Path(self._profile.name)
        self._write_profile(folder)
        self._proc = await asyncio.create_subprocess_exec(
            self.executable,
            "--headless",
            "--no-remote",
            "--profile",
            str(folder),
            "--remote-debugging-port=0",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            port = await self._port(folder / "WebDriverBiDiServer.json")
            self._http = aiohttp.ClientSession()
            ws = await self._http.ws_connect(f"ws://127.0.0.1:{port}/session", max_msg_size=0)
            self._bidi = BiDiConnection(ws)
            await self._bidi.call("session.new", capabilities={"acceptInsecureCerts": True})
            await self._bidi.call("session.subscribe", events=["log.entryAdded"])
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def _port(self, server_file: Path) -> int:
        assert self._proc is not None
        for _ in range(400):
            with contextlib.suppress(OSError, ValueError, KeyError):
                return int(json.loads(server_file.read_text())["ws_port"])
            if self._proc.returncode is not None:
                raise SessionError("browser", f"Firefox exited with {self._proc.returncode}")
            await asyncio.sleep(0.05)
        raise SessionError("browser", "Firefox did not open its WebDriver BiDi port within 20 s")

    async def new_page(self, url: str, *, init_script: str = "") -> FirefoxPage:
        """Open ``url`` in a new tab; ``init_script`` (JavaScript, for test instrumentation) runs
        in every document before the page's own."""
        assert self._bidi is not None
        created = await self._bidi.call("browsingContext.create", type="tab")
        page = FirefoxPage(self._bidi, created["context"])
        if init_script:
            await self._bidi.call(
                "script.addPreloadScript",
                functionDeclaration=f"() => {{ {init_script} }}",
                contexts=[created["context"]],
            )
        await page.navigate(url)
        return page

    async def __aexit__(self, *exc: object) -> None:
        if self._bidi is not None:
            await self._bidi.close()
        if self._http is not None:
            await self._http.close()
        await stop_process(self._proc)
        if self._profile is not None:
            with contextlib.suppress(OSError):
                self._profile.cleanup()
