from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core.signaling.guest_browser import BROWSERS, Chromium, Firefox, open_browser
from tests.e2e.session_env import Env, session_env
from tests.loopback_media import media_off_loopback


@pytest.fixture
async def chromium() -> AsyncIterator[Chromium]:
    """A headless Debian Chromium with fake camera/microphone and a throw-away profile."""
    async with Chromium() as browser:
        yield browser


@pytest.fixture
async def firefox() -> AsyncIterator[Firefox]:
    """Debian's Firefox ESR, headless, fake camera and microphone, a throw-away profile; a missing
    Firefox fails here (``make system-deps`` installs it). Its media may use every interface:
    Firefox here offers no loopback candidate (see tests/loopback_media.py)."""
    with media_off_loopback():
        async with Firefox() as browser:
            yield browser


@pytest.fixture(params=BROWSERS)
async def browser(request: pytest.FixtureRequest) -> AsyncIterator[Chromium | Firefox]:
    """Each engine in turn: headless Chromium (DevTools) and headless Firefox (WebDriver BiDi)."""
    with media_off_loopback() if request.param == "firefox" else contextlib.nullcontext():
        async with open_browser(request.param) as running:
            yield running


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    """The real recorder, signaling server and hub on loopback (action log kept in memory)."""
    async for value in session_env(tmp_path):
        yield value
