"""The guest page in WebKit (WebKitGTK's MiniBrowser over WebKitWebDriver), the engine of Safari.

Debian 12's WebKitGTK 2.50 is built without WebRTC, so a WebKit guest cannot join a session on
this machine. What the page must do in such a browser — say at once, in the guest's language,
that this browser cannot take part, before the invitation is used — is tested here in a real
engine without WebRTC. The test asserts that precondition too: when a WebKitGTK with WebRTC is
installed it fails, asking to extend this test to a full join like the Firefox one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core.signaling.webkit import WebKit
from tests.e2e.session_env import Env, shot_dir

pytestmark = pytest.mark.e2e


@pytest.fixture
async def webkit() -> AsyncIterator[WebKit]:
    """WebKitWebDriver + MiniBrowser (Debian: webkit2gtk-driver) on a private Xvfb; a missing
    one fails here (``make system-deps`` installs it)."""
    async with WebKit() as browser:
        yield browser


async def test_webkit_without_webrtc_is_told_at_once_and_invite_stays_unused(
    env: Env, webkit: WebKit, tmp_path: Path
) -> None:
    issued = env.issue()
    # WebKitGTK counts http://localhost as a secure context, http://127.0.0.1 not
    link = issued.link.replace("/join#", "/join?lang=ru#").replace("//127.0.0.1:", "//localhost:")
    page = await webkit.new_page(link)
    await page.wait_for("window.tergeuGuest && tergeuGuest.screen === 'ended'")
    engine = await page.evaluate(
        "[typeof RTCPeerConnection, navigator.userAgent, window.isSecureContext,"
        " typeof navigator.mediaDevices]"
    )
    assert engine[0] == "undefined", (
        f"this WebKitGTK has WebRTC ({engine[1]}): extend this test to a full join"
    )
    _, agent, secure, media = engine
    assert secure and media == "object" and "AppleWebKit" in agent
    # the camera and microphone themselves work in this engine (mock devices): only WebRTC lacks
    tracks = await page.evaluate(
        "navigator.mediaDevices.getUserMedia({audio: true, video: true})"
        ".then(s => s.getTracks().map(t => { t.stop(); return t.kind; }))"
    )
    assert sorted(tracks) == ["audio", "video"]
    assert await page.evaluate("tergeuGuest.error") == "no_webrtc"
    text = await page.evaluate("document.getElementById('ended-text').textContent")
    assert "не поддерживает видеосвязь" in text
    await page.evaluate("document.querySelector('.lang[data-lang=kk]').click()")
    await page.wait_for("document.documentElement.lang === 'kk'")
    assert "бейнебайланысты қолдамайды" in await page.evaluate(
        "document.getElementById('ended-text').textContent"
    )
    await page.screenshot(shot_dir(tmp_path) / "webkit-no-webrtc-kk.png")
    # the page never spoke to the server: the invitation is still unused, its PIN still works
    assert env.hub.participant_state("g1") is None
    env.book.redeem("A1", issued.token, issued.pin)
