"""What the guest-page drivers need from a browser tab, whichever browser runs it.

``BrowserPage`` is the common face of a Chromium tab (DevTools protocol, ``chromium.py``) and a
Firefox tab (WebDriver BiDi, ``firefox.py``): evaluate JavaScript, wait for a condition, press
keys, type, resize, take a screenshot. The guest steps in ``guest_browser.py`` use only this, so
the same steps run in every browser.
"""

from __future__ import annotations

import asyncio
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from app.core.signaling.errors import SessionError

KEYS = ("Tab", "Enter", "Space")

# what a person would see when a wait times out: the page's banner (errors) and its state
_SEEN = (
    "(() => { try { const b = document.getElementById('banner');"
    " const g = window.tergeuGuest; const a = document.getElementById('ack');"
    " return (b ? b.textContent : '') + ' | state ' + (g ? g.state : '?') +"
    " ' | screen ' + (g ? g.screen : '?') + ' | ack ' + (a ? a.checked : '?'); }"
    " catch (e) { return String(e); } })()"
)


def find_executable(browser: str, names: tuple[str, ...]) -> str:
    """The first of ``names`` on PATH; SessionError naming them all when none is installed."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise SessionError("no_browser", f"no {browser} found (looked for {', '.join(names)})")


async def stop_process(proc: asyncio.subprocess.Process | None, grace: float = 5.0) -> None:
    """End a browser (or driver) process: terminate, then kill if it has not gone in ``grace`` s."""
    if proc is None or proc.returncode is not None:
        return
    proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        proc.kill()
        await proc.wait()


def check_key(key: str) -> str:
    if key not in KEYS:
        raise ValueError(f"key {key!r}: expected one of {', '.join(KEYS)}")
    return key


class BrowserPage(ABC):
    """One browser tab showing (usually) the guest page."""

    browser: str = "browser"

    def __init__(self) -> None:
        self.console: list[str] = []  # console messages of the page, in order

    @abstractmethod
    async def evaluate(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page (promises awaited); its JSON value."""

    @abstractmethod
    async def navigate(self, url: str) -> None:
        """Load ``url`` in this tab."""

    @abstractmethod
    async def set_viewport(self, width: int, height: int, *, mobile: bool) -> None:
        """Resize the page's viewport (CSS pixels); ``mobile`` also emulates a phone (device
        scale 3, touch) where the browser can."""

    @abstractmethod
    async def screenshot(self, path: Path) -> Path:
        """Save a PNG of the viewport to ``path``."""

    @abstractmethod
    async def press(self, key: str) -> None:
        """Press and release a key (``Tab``, ``Enter``, ``Space``) as the keyboard would."""

    @abstractmethod
    async def type_text(self, text: str) -> None:
        """Type ``text`` into the focused field."""

    @abstractmethod
    async def close(self) -> None:
        """Stop driving the tab."""

    async def wait_for(self, expression: str, *, timeout: float = 15.0) -> Any:
        """Poll ``expression`` until it is truthy; SessionError naming it after ``timeout``."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        guarded = f"(() => {{ try {{ return ({expression}); }} catch (e) {{ return false; }} }})()"
        while True:
            value = await self.evaluate(guarded)
            if value:
                return value
            if loop.time() > end:
                seen = await self.evaluate(_SEEN)
                raise SessionError(
                    "browser",
                    f"{self.browser}: timed out after {timeout}s waiting for {expression}; "
                    f"the page shows: {seen}",
                )
            await asyncio.sleep(0.02)

    async def focused(self) -> str:
        """The id of the focused element ('' if it has none)."""
        return str(await self.evaluate("document.activeElement ? document.activeElement.id : ''"))
