from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.signaling.guest_browser import (
    Chromium,
    Firefox,
    join_as_guest,
    pass_device_check,
    type_pin,
)
from tests.e2e.session_env import Env, shot_dir, wait_state

pytestmark = pytest.mark.e2e


async def test_browser_guest_joins_media_flows_both_ways_and_is_recorded(
    env: Env, chromium: Chromium, tmp_path: Path
) -> None:
    issued = env.issue()
    page = await chromium.new_page(issued.link.replace("/join#", "/join?lang=ru#"))
    await page.set_viewport(390, 844, mobile=True)
    shots = shot_dir(tmp_path)
    await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'")
    await page.screenshot(shots / "phone-rules-ru.png")
    # the fragment (token) is gone from the address bar
    assert "#" not in await page.evaluate("location.href")
    await join_as_guest(page, issued.pin)
    assert env.hub.participant_state("g1") == "waiting"
    await page.screenshot(shots / "phone-lobby-ru.png")
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 30)", timeout=20)
    stats = await page.evaluate("tergeuGuest.stats()")
    assert stats["audioPacketsReceived"] > 20 and stats["videoFramesSent"] > 10
    assert await page.evaluate("!document.getElementById('rec').hidden")
    await page.screenshot(shots / "phone-session-ru.png")
    await page.set_viewport(1280, 800, mobile=False)
    await page.evaluate("document.querySelector('.lang[data-lang=kk]').click()")
    await page.wait_for("document.documentElement.lang === 'kk'")
    await asyncio.sleep(0.5)
    await page.screenshot(shots / "desktop-session-kk.png")
    # the hub received the browser's camera and microphone, and the recording holds them
    end = time.monotonic() + 10
    while not (env.recorder.segments("g1-video") and env.recorder.segments("g1-audio")):
        assert time.monotonic() < end, f"no guest segments: {env.hub.counts.received}"
        await asyncio.sleep(0.1)
    assert env.hub.counts.received["g1-video"] > 10 and env.hub.counts.received["g1-audio"] > 20
    # hang up from the page
    await page.evaluate("document.getElementById('hangup').click()")
    await wait_state(env.hub, "g1", "left")
    # "left" is announced as the hub starts logging it (a fresh-clone run checked the log in
    # between and found the entry before it last)
    end = time.monotonic() + 10
    while env.log.kinds("g1")[-1] != "participant_left":
        assert time.monotonic() < end, env.log.kinds("g1")[-3:]
        await asyncio.sleep(0.05)
    assert await page.evaluate("tergeuGuest.screen") == "ended"
    await page.close()


@pytest.mark.parametrize("case", ["expired", "revoked", "reused"])
async def test_refused_invite_explained_on_page(
    env: Env, chromium: Chromium, tmp_path: Path, case: str
) -> None:
    issued = env.issue(ttl=timedelta(milliseconds=30) if case == "expired" else timedelta(hours=1))
    if case == "expired":
        await asyncio.sleep(0.1)
    elif case == "revoked":
        env.book.revoke(issued.invite.invite_id)
    elif case == "reused":
        env.book.redeem("A1", issued.token, issued.pin)
    page = await chromium.new_page(issued.link.replace("/join#", "/join?lang=en#"))
    await page.wait_for("tergeuGuest.screen === 'ended'")
    assert await page.evaluate("tergeuGuest.error") == {"reused": "used"}.get(case, case)
    text = await page.evaluate("document.getElementById('ended-text').textContent")
    assert {"expired": "expired", "revoked": "withdrawn", "reused": "already used"}[case] in text
    if case == "expired":
        await page.set_viewport(390, 844, mobile=True)
        await page.screenshot(shot_dir(tmp_path) / "phone-expired-en.png")
    await page.close()


async def test_wrong_pin_shown_then_locked(
    env: Env, browser: Chromium | Firefox, tmp_path: Path
) -> None:
    issued = env.issue()
    bad = f"{(int(issued.pin) + 1) % 10**6:06d}"
    page = await browser.new_page(issued.link.replace("/join#", "/join?lang=en#"))
    await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'")
    await page.evaluate("document.getElementById('ack').click()")
    await page.evaluate("document.getElementById('rules-next').click()")
    await pass_device_check(page)
    for left in (4, 3, 2, 1):
        await type_pin(page, bad)
        await page.wait_for(
            f"document.getElementById('pin-error').textContent.includes('Attempts left: {left}')"
        )
    await page.set_viewport(390, 844, mobile=True)
    await page.screenshot(shot_dir(tmp_path) / f"phone-pin-wrong-en-{browser.name}.png")
    await type_pin(page, bad)
    await page.wait_for("tergeuGuest.error === 'pin_locked'")
    assert "locked" in await page.evaluate("document.getElementById('ended-text').textContent")
    assert env.hub.participant_state("g1") is None
    await page.close()


async def test_browser_guest_reconnects_after_network_loss(
    env: Env, browser: Chromium | Firefox, tmp_path: Path
) -> None:
    issued = env.issue()
    page = await browser.new_page(issued.link.replace("/join#", "/join?lang=kk#"))
    await join_as_guest(page, issued.pin)
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 10)", timeout=20)
    await page.evaluate("tergeuGuest.simulateNetworkLoss()")
    await wait_state(env.hub, "g1", "disconnected", timeout=10)
    start = time.monotonic()
    await wait_state(env.hub, "g1", "reconnected", timeout=10)
    assert time.monotonic() - start < 10
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 10)", timeout=20)
    end = time.monotonic() + 10
    while "participant_reconnected" not in env.log.kinds("g1"):
        assert time.monotonic() < end, env.log.kinds("g1")
        await asyncio.sleep(0.1)
    kinds = env.log.kinds("g1")
    assert kinds.index("participant_left") < kinds.index("participant_reconnected")
    await page.close()


async def test_camera_that_never_answers_is_said_and_try_again_works(
    env: Env, chromium: Chromium
) -> None:
    issued = env.issue()
    page = await chromium.new_page(issued.link.replace("/join#", "/join?lang=en#"))
    await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'")
    # the camera hangs: getUserMedia never settles
    await page.evaluate(
        "(() => { window.realGum = navigator.mediaDevices.getUserMedia.bind("
        "navigator.mediaDevices); navigator.mediaDevices.getUserMedia = "
        "() => new Promise(() => {}); })()"
    )
    await page.evaluate("document.getElementById('ack').click()")
    await page.evaluate("document.getElementById('rules-next').click()")
    banner = await page.wait_for(
        "!document.getElementById('banner').hidden && document.getElementById('banner')"
        ".textContent",
        timeout=20,
    )
    assert banner and await page.evaluate("document.getElementById('dev-next').disabled")
    # the camera answers again: "try again" gets the guest through
    await page.evaluate("navigator.mediaDevices.getUserMedia = window.realGum")
    await page.evaluate("document.getElementById('dev-retry').click()")
    await page.wait_for("!document.getElementById('dev-next').disabled")
    assert await page.evaluate("document.getElementById('banner').hidden")
