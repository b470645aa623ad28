"""A browser guest (headless Chromium, then Firefox) sees exhibits in the investigator's tile.

A picture until the investigator stops it, then a clip that ends by itself; the camera in between.
The tile's label says which exhibit it shows ("Доказательство 1: scheme"), in the guest's language.
"""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from app.core.exhibits import prepare_exhibit
from app.core.signaling.guest_browser import (
    Chromium,
    Firefox,
    join_as_guest,
)
from tests.e2e.session_env import Env, shot_dir, wait_state

pytestmark = pytest.mark.e2e

# the picture in the investigator's tile: its size and the colour at its centre
TILE = """(() => {
  const v = document.getElementById('remote');
  if (!v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0);
  const d = g.getImageData(c.width / 2, c.height / 2, 1, 1).data;
  return [v.videoWidth, v.videoHeight, d[0], d[1], d[2]];
})()"""
LABEL = "document.getElementById('remote-label').textContent"


def _clip(path: Path) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        rgb = np.zeros((240, 320, 3), np.uint8)
        rgb[:] = (40, 60, 220)  # blue
        for i in range(100):  # 4 s
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, fractions.Fraction(1, 25)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))


async def test_guest_page_shows_picture_and_clip_then_camera(
    env: Env, browser: Chromium | Firefox, tmp_path: Path
) -> None:
    issued = env.issue()
    page = await browser.new_page(issued.link.replace("/join#", "/join?lang=ru#"))
    await page.set_viewport(390, 844, mobile=True)
    await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'")
    await join_as_guest(page, issued.pin)
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for(f"(t => t && t[0] === 640)({TILE})", timeout=20)  # the camera
    assert await page.evaluate(LABEL) == "Следователь"

    picture = tmp_path / "scheme.png"
    Image.new("RGB", (800, 600), (30, 200, 60)).save(picture)
    shown = await prepare_exhibit(env.recorder.action_dir, picture, number=1)
    await env.hub.show_exhibit(shown, ["g1"])
    await page.wait_for(f"(t => t && t[0] === 800 && t[1] === 600)({TILE})", timeout=20)
    _, _, r, g, b = await page.evaluate(TILE)
    assert g > 150 and r < 90 and b < 110, (r, g, b)  # the picture, decoded by the browser
    await page.wait_for(f"{LABEL} === 'Доказательство 1: scheme'")
    await page.evaluate("document.querySelector('.lang[data-lang=kk]').click()")
    await page.wait_for(f"{LABEL} === 'Заттай дәлел 1: scheme'")  # the label follows the language
    await page.evaluate("document.querySelector('.lang[data-lang=ru]').click()")
    await page.wait_for(f"{LABEL} === 'Доказательство 1: scheme'")
    await page.screenshot(shot_dir(tmp_path) / f"phone-exhibit-ru-{browser.name}.png")
    await env.hub.stop_exhibit(1)
    await page.wait_for(f"(t => t && t[0] === 640)({TILE})", timeout=20)
    await page.wait_for(f"{LABEL} === 'Следователь'")

    clip = tmp_path / "cctv.mp4"
    _clip(clip)
    film = await prepare_exhibit(env.recorder.action_dir, clip, number=2)
    await env.hub.show_exhibit(film, ["g1"])
    await page.wait_for(f"(t => t && t[0] === 320 && t[4] > 150)({TILE})", timeout=20)
    assert await page.evaluate(LABEL) == "Доказательство 2: cctv"
    await page.wait_for(f"(t => t && t[0] === 640)({TILE})", timeout=20)  # it ended by itself
    assert env.hub.exhibit_shown is None
    await page.wait_for(f"{LABEL} === 'Следователь'")
    kinds = [k for _, k, _ in env.log.entries if k.startswith("exhibit_")]
    assert kinds == ["exhibit_shown", "exhibit_ended"] * 2
    await page.close()
