"""The browser guest page in headless Firefox (WebDriver BiDi), against the real signaling server
and hub: keyboard only through rules, devices and PIN, media both ways, the recording holds the
guest's audio and video (checked with ffprobe), hang-up from the page."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import pytest

from app.core.signaling.firefox import Firefox
from recorder.segments import SealedSegment
from tests.e2e.session_env import Env, shot_dir, wait_state

pytestmark = pytest.mark.e2e


async def _full_segment(env: Env, track: str, timeout: float = 10) -> SealedSegment:
    """A whole 1 s segment (the first ones are cut where the recording starts: few frames)."""
    end = time.monotonic() + timeout
    while len(env.recorder.segments(track)) < 3:
        assert time.monotonic() < end, f"no whole {track} segment: {env.hub.counts.received}"
        await asyncio.sleep(0.1)
    return env.recorder.segments(track)[2]


def _probe(path: Path) -> dict[str, object]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    streams = json.loads(out)["streams"]
    assert len(streams) == 1, streams
    stream: dict[str, object] = streams[0]
    return stream


async def test_firefox_guest_by_keyboard_media_both_ways_recorded(
    env: Env, firefox: Firefox, tmp_path: Path
) -> None:
    issued = env.issue()
    page = await firefox.new_page(issued.link.replace("/join#", "/join?lang=kk#"))
    shots = shot_dir(tmp_path)
    await page.wait_for("tergeuGuest.screen === 'rules' && tergeuGuest.state === 'invited'")
    assert "#" not in await page.evaluate("location.href")  # the token left the address bar
    await page.screenshot(shots / "firefox-rules-kk.png")
    assert await page.focused() == "ack"
    await page.press("Space")
    await page.press("Tab")
    assert await page.focused() == "rules-next"
    await page.press("Enter")
    await page.wait_for("document.activeElement.id === 'dev-next'")  # the camera works
    await page.wait_for("document.getElementById('preview').videoWidth > 0", timeout=5)
    # the level meter moves, or (no audio output device here: Web Audio does not run) is hidden
    await page.wait_for(
        "document.getElementById('level-box').hidden"
        " || document.getElementById('level').value > 0.01",
        timeout=5,
    )
    await page.screenshot(shots / "firefox-devices-kk.png")
    await page.press("Enter")
    await page.wait_for("tergeuGuest.screen === 'pin'")
    await page.type_text(issued.pin)
    await page.press("Enter")
    await page.wait_for("tergeuGuest.state === 'waiting'")
    assert env.hub.participant_state("g1") == "waiting"
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    # both ways: the page decodes the investigator, the hub receives and records the guest
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 30)", timeout=20)
    stats = await page.evaluate("tergeuGuest.stats()")
    assert stats["audioPacketsReceived"] > 20 and stats["videoFramesSent"] > 10, stats
    await page.wait_for("document.getElementById('remote').videoWidth === 640", timeout=5)
    assert await page.evaluate("!document.getElementById('rec').hidden")
    await page.screenshot(shots / "firefox-session-kk.png")
    video = await _full_segment(env, "g1-video")
    audio = await _full_segment(env, "g1-audio")
    assert env.hub.counts.received["g1-video"] > 10 and env.hub.counts.received["g1-audio"] > 20
    action = env.recorder.action_dir
    probed = _probe(action / video.file)
    assert probed["codec_type"] == "video" and probed["width"] == video.width == 640
    assert int(str(probed["nb_read_frames"])) == video.frames > 10
    probed = _probe(action / audio.file)
    assert probed["codec_type"] == "audio" and int(str(probed["nb_read_frames"])) > 10
    await page.evaluate("document.getElementById('hangup').click()")
    await wait_state(env.hub, "g1", "left")
    assert await page.evaluate("tergeuGuest.screen") == "ended"
    errors = [line for line in page.console if "error" in line.lower()]
    assert not errors, errors
    await page.close()
