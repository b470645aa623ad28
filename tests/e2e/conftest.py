from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.core.signaling.guest_browser import Chromium


@pytest.fixture
async def chromium() -> AsyncIterator[Chromium]:
    """A headless Debian Chromium with fake camera/microphone and a throw-away profile."""
    async with Chromium() as browser:
        yield browser
