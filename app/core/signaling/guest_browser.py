"""Go through the guest page in a real browser like a person (for the demo and tests).

The steps (rules, devices, PIN) use only ``BrowserPage``, so they run the same in headless
Chromium (DevTools protocol, ``chromium.py``) and headless Firefox (WebDriver BiDi,
``firefox.py``): tick the box, press the buttons, type the PIN.
"""

from __future__ import annotations

import json

from app.core.signaling.browser_page import BrowserPage
from app.core.signaling.chromium import CHROMIUM_FLAGS, Chromium, ChromiumPage, find_chromium
from app.core.signaling.errors import SessionError
from app.core.signaling.firefox import Firefox, FirefoxPage, find_firefox

__all__ = [
    "BROWSERS",
    "CHROMIUM_FLAGS",
    "BrowserPage",
    "Chromium",
    "ChromiumPage",
    "Firefox",
    "FirefoxPage",
    "Page",
    "find_chromium",
    "find_firefox",
    "join_as_guest",
    "open_browser",
    "pass_device_check",
    "type_pin",
]

Page = BrowserPage  # the name the tests and the demo have used for a tab
BROWSERS = ("chromium", "firefox")


def open_browser(name: str) -> Chromium | Firefox:
    """``Chromium()`` or ``Firefox()`` by name (not started: use ``async with``)."""
    if name == "chromium":
        return Chromium()
    if name == "firefox":
        return Firefox()
    raise ValueError(f"browser {name!r}: expected one of {', '.join(BROWSERS)}")


async def join_as_guest(page: BrowserPage, pin: str, *, timeout: float = 15.0) -> None:
    """Go through the guest page like a person: rules, devices, PIN; returns in the lobby."""
    await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'", timeout=timeout)
    await page.evaluate("(() => { const a = document.getElementById('ack'); a.click(); })()")
    await page.evaluate("document.getElementById('rules-next').click()")
    await pass_device_check(page, timeout)
    await type_pin(page, pin)
    await page.wait_for(
        "['waiting', 'admitted', 'connected'].includes(tergeuGuest.state)", timeout=timeout
    )


async def pass_device_check(page: BrowserPage, timeout: float = 15.0) -> None:
    """Wait until the camera and microphone check lets the guest go on; like a person, press
    "try again" once when the page says the camera did not answer (the page gives up on a
    camera after 12 s)."""
    ready = "!document.getElementById('dev-next').disabled"
    try:
        await page.wait_for(ready, timeout=timeout)
    except SessionError:
        await page.evaluate("document.getElementById('dev-retry').click()")
        await page.wait_for(ready, timeout=2 * timeout)
    await page.evaluate("document.getElementById('dev-next').click()")


async def type_pin(page: BrowserPage, pin: str) -> None:
    """Type ``pin`` into the PIN field and submit the form."""
    script = "(() => { document.getElementById('pin').value = PIN;"
    script += " document.getElementById('pin-submit').click(); })()"
    await page.evaluate(script.replace("PIN", json.dumps(pin)))
