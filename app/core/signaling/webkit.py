"""WebKitGTK's MiniBrowser driven over W3C WebDriver (``WebKitWebDriver``), for tests.

The nearest thing to Safari on Linux: the same WebKit engine, started by ``WebKitWebDriver`` with
mock capture devices and WebRTC asked for. MiniBrowser needs an X display, so a private Xvfb is
started first. WebDriver classic drives one window: one page
per browser. Only aiohttp is needed.

Debian 12's WebKitGTK 2.50 is built without WebRTC (no ``RTCPeerConnection``; the library does
not contain GStreamer's ``webrtcbin``), so a WebKitGTK guest cannot take part in a session here;
WebKitGTK also treats ``http://127.0.0.1`` as not secure (``http://localhost`` is), so pages are
opened through ``localhost``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import glob
import json
import os
import socket
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

MINIBROWSER_ARGS = (
    "--automation",
    "--enable-media-stream=true",
    "--enable-mock-capture-devices=true",
    "--enable-webrtc=true",
)
KEY_CODES = {"Tab": "\ue004", "Enter": "\ue007", "Space": " "}

# the expression's JSON value, or the error it raised, through an async script's callback
_EVALUATE = (
    "const done = arguments[arguments.length - 1];"
    " Promise.resolve().then(() => (EXPRESSION))"
    ".then(v => done({ok: v === undefined ? 'null' : JSON.stringify(v)}),"
    " e => done({error: String((e && e.stack) || e)}));"
)


def find_minibrowser() -> str:
    for found in sorted(glob.glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser")):
        return found
    raise SessionError("no_browser", "no WebKitGTK MiniBrowser found (Debian: webkit2gtk-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class WebKitPage(BrowserPage):
    """The one window of a WebDriver session."""

    browser = "WebKitGTK"

    def __init__(self, http: aiohttp.ClientSession, session_url: str) -> None:
        super().__init__()
        self._http = http
        self._url = session_url

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self._http.request(method, self._url + path, json=body) as r:
            reply = await r.json()
        value = reply.get("value")
        if r.status != 200:
            error = value.get("error") if isinstance(value, dict) else value
            message = value.get("message") if isinstance(value, dict) else ""
            raise SessionError("browser", f"WebDriver {path} failed: {error}: {message}")
        return value

    async def evaluate(self, expression: str) -> Any:
        script = _EVALUATE.replace("EXPRESSION", expression)
        value = await self.call("POST", "/execute/async", {"script": script, "args": []})
        if "error" in value:
            raise SessionError("browser", f"page error: {value['error']}")
        return json.loads(value["ok"])

    async def navigate(self, url: str) -> None:
        await self.call("POST", "/url", {"url": url})

    async def set_viewport(self, width: int, height: int, *, mobile: bool) -> None:
        # WebDriver classic sizes the window (no device scale or touch emulation)
        await self.call("POST", "/window/rect", {"width": width, "height": height})

    async def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(await self.call("GET", "/screenshot")))
        return path

    async def _keys(self, values: list[str]) -> None:
        actions: list[dict[str, str]] = []
        for value in values:
            actions += [{"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]
        key_input = {"type": "key", "id": "keyboard", "actions": actions}
        await self.call("POST", "/actions", {"actions": [key_input]})

    async def press(self, key: str) -> None:
        await self._keys([KEY_CODES[check_key(key)]])

    async def type_text(self, text: str) -> None:
        await self._keys(list(text))

    async def close(self) -> None:
        """Nothing to do: the window lives as long as the session."""


class WebKit:
    """WebKitWebDriver + MiniBrowser on a private Xvfb display; use ``async with``."""

    name = "webkit"

    def __init__(self) -> None:
        self.driver = find_executable("WebKitWebDriver", ("WebKitWebDriver",))
        self.minibrowser = find_minibrowser()
        self.xvfb = find_executable("Xvfb", ("Xvfb",))
        self._procs: list[asyncio.subprocess.Process] = []
        self._http: aiohttp.ClientSession | None = None
        self._session = ""
        self._page: WebKitPage | None = None

    async def _display(self) -> str:
        """Start Xvfb on the first free display from :90 (as ``xvfb-run -a`` does) and return
        it once its socket is there."""
        for number in range(90, 190):
            if Path(f"/tmp/.X{number}-lock").exists():
                continue
            proc = await asyncio.create_subprocess_exec(
                self.xvfb, f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp",
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            socket_file = Path(f"/tmp/.X11-unix/X{number}")
            for _ in range(100):
                if proc.returncode is not None or socket_file.exists():
                    break
                await asyncio.sleep(0.05)
            if proc.returncode is None and socket_file.exists():
                self._procs.append(proc)
                return f":{number}"
            if proc.returncode is None:  # no socket within 5 s
                proc.kill()
            await proc.wait()  # taken meanwhile by another Xvfb: try the next number
        raise SessionError("browser", "Xvfb could not start on any display from :90 to :189")

    async def __aenter__(self) -> WebKit:
        try:
            display = await self._display()
            port = _free_port()
            driver = await asyncio.create_subprocess_exec(
                self.driver, f"--port={port}", "--host=127.0.0.1",
                env={**os.environ, "DISPLAY": display},
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            self._procs.append(driver)
            self._http = aiohttp.ClientSession()
            base = f"http://127.0.0.1:{port}"
            options = {"binary": self.minibrowser, "args": list(MINIBROWSER_ARGS)}
            capabilities = {"acceptInsecureCerts": True, "webkitgtk:browserOptions": options}
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    try:
                        async with self._http.post(
                            f"{base}/session",
                            json={"capabilities": {"alwaysMatch": capabilities}},
                            timeout=aiohttp.ClientTimeout(total=30),
                        ) as r:
                            reply = await r.json()
                    except TimeoutError as e:
                        raise SessionError(
                            "browser", f"MiniBrowser did not start within 30 s on {display}"
                        ) from e
                    break
                if driver.returncode is not None:
                    raise SessionError(
                        "browser", f"WebKitWebDriver exited with {driver.returncode}"
                    )
                await asyncio.sleep(0.1)
            else:
                raise SessionError("browser", "WebKitWebDriver did not answer within 10 s")
            if r.status != 200:
                raise SessionError("browser", f"no WebKitGTK session: {reply.get('value')}")
            self._session = f"{base}/session/{reply['value']['sessionId']}"
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def new_page(self, url: str) -> WebKitPage:
        """Load ``url`` in the session's window (WebDriver classic: one page per browser)."""
        assert self._http is not None
        if self._page is not None:
            raise SessionError("browser", "WebKitGTK drives one page per browser; start another")
        self._page = WebKitPage(self._http, self._session)
        await self._page.navigate(url)
        return self._page

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            if self._session:
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with self._http.delete(self._session, timeout=aiohttp.ClientTimeout(5)):
                        pass
            await self._http.close()
        for proc in reversed(self._procs):
            await stop_process(proc)
