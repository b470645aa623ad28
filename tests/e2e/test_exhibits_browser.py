"""A browser guest (headless Chromium, then Firefox) sees exhibits on their own tile.

The exhibit arrives on the hub's exhibit slot (its last audio+video pair) and fills the stage with
its label ("Доказательство 1: Схема двора", the title typed when it was shown), while the
investigator's camera goes on in a small tile: the browser decodes frames on both receivers. A
picture until the investigator stops it (the tile is gone, the camera goes on), then a clip that
ends by itself. On a phone upright and on its side, nothing leaves the screen.
"""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from app.core.exhibits import prepare_exhibit
from app.core.signaling.guest_browser import BrowserPage, Chromium, Firefox, join_as_guest
from tests.e2e.session_env import Env, shot_dir, wait_state
from tests.e2e.test_guest_phone_browser import PROBLEMS

pytestmark = pytest.mark.e2e


def tile(element: str) -> str:
    """The picture in a video element: its size and the colour at its centre (null: none)."""
    return f"""(() => {{
  const v = document.getElementById('{element}');
  if (!v.videoWidth || v.hidden) return null;
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0);
  const d = g.getImageData(c.width / 2, c.height / 2, 1, 1).data;
  return [v.videoWidth, v.videoHeight, d[0], d[1], d[2]];
}})()"""


CAMERA, EXHIBIT = tile("remote"), tile("exhibit")
LABEL = "document.getElementById('exhibit-label').textContent"
# the two tiles on the screen: the exhibit fills the stage, the investigator's tile is smaller
# and inside it
BOXES = """(() => {
  const box = (id) => { const r = document.getElementById(id).getBoundingClientRect();
    return [r.left, r.top, r.width, r.height]; };
  return { stage: box('stage'), exhibit: box('exhibit'), camera: box('remote') };
})()"""


def _clip(path: Path) -> None:
    """A blue 320×240 clip of 3 s with a 440 Hz tone."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="stereo")
        rgb = np.zeros((240, 320, 3), np.uint8)
        rgb[:] = (40, 60, 220)  # blue
        for i in range(75):  # 3 s
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, fractions.Fraction(1, 25)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        tone = (np.sin(2 * np.pi * 440 * np.arange(3 * 48000) / 48000) * 0.3).astype(np.float32)
        for start in range(0, len(tone), 1024):
            chunk = tone[start : start + 1024]
            sound = av.AudioFrame.from_ndarray(
                np.stack([chunk, chunk]), format="fltp", layout="stereo"
            )
            sound.sample_rate, sound.pts = 48000, start
            sound.time_base = fractions.Fraction(1, 48000)
            out.mux(audio.encode(sound))
        out.mux(audio.encode(None))


async def both_tiles_decode(page: BrowserPage) -> None:
    """Frames are decoded on the investigator's receiver and on the exhibit's, both going on."""
    before = await page.evaluate("tergeuGuest.tileFrames()")
    await page.wait_for(
        f"tergeuGuest.tileFrames().then(f => f.investigator > {before['investigator']} + 10"
        f" && f.exhibit > {before['exhibit']} + 10)",
        timeout=20,
    )


async def check_layout(page: BrowserPage) -> None:
    assert await page.evaluate(PROBLEMS) == ""
    boxes = await page.evaluate(BOXES)
    sx, sy, sw, sh = boxes["stage"]
    ex, ey, ew, eh = boxes["exhibit"]
    cx, cy, cw, ch = boxes["camera"]
    assert (ex, ey, ew, eh) == pytest.approx((sx, sy, sw, sh), abs=1), boxes  # fills the stage
    assert 0 < cw * ch < ew * eh / 4, boxes  # the investigator: a small tile...
    assert sx <= cx and cx + cw <= sx + sw + 0.5 and sy <= cy and cy + ch <= sy + sh + 0.5, boxes


async def test_guest_page_shows_exhibit_tile_beside_the_camera(
    env: Env, browser: Chromium | Firefox, tmp_path: Path
) -> None:
    issued = env.issue()
    page = await browser.new_page(issued.link.replace("/join#", "/join?lang=ru#"))
    await page.set_viewport(390, 844, mobile=True)
    await page.wait_for("window.tergeuGuest && tergeuGuest.state === 'invited'")
    await join_as_guest(page, issued.pin)
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for(f"(t => t && t[0] === 640)({CAMERA})", timeout=20)  # the camera
    assert await page.evaluate(EXHIBIT) is None
    assert await page.evaluate("document.getElementById('remote-label').textContent") == (
        "Следователь"
    )

    picture = tmp_path / "scheme.png"
    Image.new("RGB", (800, 600), (30, 200, 60)).save(picture)
    shown = await prepare_exhibit(env.recorder.action_dir, picture, number=1)
    await env.hub.show_exhibit(shown, ["g1"], title="Схема двора")
    await page.wait_for(f"(t => t && t[0] === 800 && t[1] === 600)({EXHIBIT})", timeout=20)
    _, _, r, g, b = await page.evaluate(EXHIBIT)
    assert g > 150 and r < 90 and b < 110, (r, g, b)  # the picture, decoded by the browser
    assert (await page.evaluate(CAMERA))[0] == 640  # the investigator is still there
    await both_tiles_decode(page)
    await page.wait_for(f"{LABEL} === 'Доказательство 1: Схема двора'")
    await page.evaluate("document.querySelector('.lang[data-lang=kk]').click()")
    await page.wait_for(f"{LABEL} === 'Заттай дәлел 1: Схема двора'")  # follows the language
    await page.evaluate("document.querySelector('.lang[data-lang=ru]').click()")
    await page.wait_for(f"{LABEL} === 'Доказательство 1: Схема двора'")
    await check_layout(page)
    shots = shot_dir(tmp_path)
    await page.screenshot(shots / f"phone-exhibit-ru-{browser.name}.png")
    await page.set_viewport(844, 390, mobile=True)  # the phone on its side
    await page.wait_for("innerWidth === 844")
    await check_layout(page)
    await page.screenshot(shots / f"phone-exhibit-landscape-ru-{browser.name}.png")
    await page.set_viewport(390, 844, mobile=True)

    await env.hub.stop_exhibit(1)
    await page.wait_for(f"{EXHIBIT} === null && document.getElementById('exhibit-label').hidden")
    before = await page.evaluate("tergeuGuest.tileFrames()")
    await page.wait_for(  # the camera goes on in the full tile
        f"tergeuGuest.tileFrames().then(f => f.investigator > {before['investigator']} + 10)",
        timeout=20,
    )
    box = (await page.evaluate(BOXES))["camera"]
    stage = (await page.evaluate(BOXES))["stage"]
    assert box[2:] == pytest.approx(stage[2:], abs=1)

    # a second exhibit on the same slot: a clip that ends by itself, titled with its file name
    clip = tmp_path / "cctv.mp4"
    _clip(clip)
    film = await prepare_exhibit(env.recorder.action_dir, clip, number=2)
    await env.hub.show_exhibit(film, ["g1"])
    await page.wait_for(f"(t => t && t[0] === 320 && t[4] > 150)({EXHIBIT})", timeout=20)
    assert await page.evaluate(LABEL) == "Доказательство 2: cctv.mp4"
    await both_tiles_decode(page)
    # its sound arrives on the exhibit's audio receiver (50 packets: a second) and the tile plays
    await page.wait_for("tergeuGuest.tileFrames().then(f => f.exhibitAudio > 50 && f.playing)")
    await page.wait_for(f"{EXHIBIT} === null", timeout=20)  # it ended by itself
    assert env.hub.exhibit_shown is None
    assert (await page.evaluate(CAMERA))[0] == 640
    kinds = [k for _, k, _ in env.log.entries if k.startswith("exhibit_")]
    assert kinds == ["exhibit_shown", "exhibit_ended"] * 2
    titles = [d["title"] for _, k, d in env.log.entries if k == "exhibit_shown"]
    assert titles == ["Схема двора", "cctv.mp4"]
    await page.close()
