"""Headless Chromium driven over the DevTools protocol (for the demo and tests).

Chromium runs with fake camera and microphone (``--use-fake-device-for-media-stream``) and a fresh
profile in a temporary folder; the page is driven through ``Runtime.evaluate`` and
``Input.dispatchKeyEvent`` exactly as a person would use it. Only aiohttp is needed.
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

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
    # WebRTC host candidates on 127.0.0.1 (Chromium leaves loopback out by default), so that
    # media between this test browser and a hub pinned to 127.0.0.1 stays on loopback
    "--allow-loopback-in-peer-connection",
)


def find_chromium() -> str:
    return find_executable("Chromium", ("chromium", "chromium-browser", "google-chrome"))


class ChromiumPage(BrowserPage):
    """One Chromium tab, through its DevTools WebSocket."""

    browser = "Chromium"

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        super().__init__()
        self._ws = ws
        self._next = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for raw in self._ws:
            if raw.type != aiohttp.WSMsgType.TEXT:
                break
            msg = json.loads(raw.data)
            if "id" in msg and msg["id"] in self._pending:
                self._pending.pop(msg["id"]).set_result(msg)
            elif msg.get("method") == "Runtime.consoleAPICalled":
                args = msg["params"].get("args", [])
                self.console.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in args)
                )
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(SessionError("browser", "DevTools connection closed"))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = fut
        await self._ws.send_str(json.dumps({"id": self._next, "method": method, "params": params}))
        reply = await asyncio.wait_for(fut, 30)
        if "error" in reply:
            raise SessionError("browser", f"{method} failed: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise SessionError("browser", f"page error: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def set_viewport(self, width: int, height: int, *, mobile: bool) -> None:
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=3 if mobile else 1,
            mobile=mobile,
        )
        await self.call("Emulation.setTouchEmulationEnabled", enabled=mobile, maxTouchPoints=5)

    async def screenshot(self, path: Path) -> Path:
        data = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    async def press(self, key: str) -> None:
        codes = {"Tab": 9, "Enter": 13, "Space": 32}
        check_key(key)
        text = {"Enter": "\r", "Space": " "}.get(key, "")
        name = " " if key == "Space" else key
        common = {"key": name, "code": key, "windowsVirtualKeyCode": codes[key]}
        await self.call("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **common)

    async def type_text(self, text: str) -> None:
        await self.call("Input.insertText", text=text)

    async def navigate(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()


class Chromium:
    """A headless Chromium process with a temporary profile; use ``async with``."""

    name = "chromium"

    def __init__(self, executable: str | None = None, *, cameras: int = 1) -> None:
        if not 1 <= cameras <= 4:
            raise ValueError(f"cameras {cameras}: expected 1 to 4 fake cameras")
        self.executable = executable or find_chromium()
        self.cameras = cameras
        self._proc: asyncio.subprocess.Process | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._port = 0

    async def __aenter__(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(prefix="tergeu-chromium-")
        self._proc = await asyncio.create_subprocess_exec(
            self.executable,
            *CHROMIUM_FLAGS,
            *(
                [f"--use-fake-device-for-media-stream=device-count={self.cameras}"]
                if self.cameras > 1
                else []
            ),
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={self._profile.name}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        for _ in range(300):
            if port_file.is_file() and port_file.read_text().strip():
                self._port = int(port_file.read_text().split()[0])
                break
            if self._proc.returncode is not None:
                raise SessionError("browser", f"Chromium exited with {self._proc.returncode}")
            await asyncio.sleep(0.05)
        else:
            await self.__aexit__()
            raise SessionError("browser", "Chromium did not open its DevTools port within 15 s")
        self._http = aiohttp.ClientSession()
        return self

    async def new_page(self, url: str, *, init_script: str = "") -> ChromiumPage:
        """Open ``url`` in a new tab and return it once DevTools is attached; ``init_script``
        (JavaScript, for test instrumentation) runs in every document before the page's own."""
        assert self._http is not None
        async with self._http.put(f"http://127.0.0.1:{self._port}/json/new?about:blank") as r:
            target = await r.json()
        ws = await self._http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = ChromiumPage(ws)
        await page.call("Runtime.enable")
        await page.call("Page.enable")
        if init_script:
            await page.call("Page.addScriptToEvaluateOnNewDocument", source=init_script)
        await page.navigate(url)
        return page

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        await stop_process(self._proc)
        if self._profile is not None:
            with contextlib.suppress(OSError):
                self._profile.cleanup()
