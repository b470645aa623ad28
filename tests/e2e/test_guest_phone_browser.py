"""Every screen of the guest page on a phone in Chromium (390×844 CSS px, device scale 3, touch;
the session also on its side, 844×390): nothing wider than the screen, every button a thumb can
hit (≥ 44 px tall, inside the width), the main action reachable; a screenshot of each for a person
to look at (TERGEU_SCREENSHOTS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.signaling.guest_browser import BrowserPage, Chromium, pass_device_check, type_pin
from tests.e2e.session_env import Env, shot_dir, wait_state

pytestmark = pytest.mark.e2e

# layout problems of the visible screen, as text ('' when there are none)
PROBLEMS = """(() => {
  const out = [], w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > w) out.push('page wider than the screen: '
    + document.documentElement.scrollWidth + ' > ' + w);
  for (const el of document.querySelectorAll('button, input, meter, video, .rec')) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue; // not shown
    const r = el.getBoundingClientRect(), name = el.id || el.className || el.tagName;
    if (r.left < -0.5 || r.right > w + 0.5) out.push(name + ' outside the width: '
      + r.left.toFixed(0) + '..' + r.right.toFixed(0));
    if (el.tagName === 'BUTTON' && r.height < 44) out.push(name + ' too small to tap: '
      + r.height.toFixed(0) + ' px');
  }
  return out.join('; ');
})()"""


async def _check(page: BrowserPage, shots: Path, name: str, main_button: str | None) -> None:
    assert await page.evaluate(PROBLEMS) == "", name
    if main_button is not None:  # reachable: scrolled to, it lies inside the screen
        inside = (
            f"(() => {{ const b = document.getElementById('{main_button}');"
            " b.scrollIntoView({block: 'nearest'}); const r = b.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= innerHeight; })()"
        )
        assert await page.evaluate(inside), f"{name}: {main_button} cannot be reached"
        await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(shots / f"phone-{name}.png")


async def test_every_guest_screen_fits_a_phone(
    env: Env, chromium: Chromium, tmp_path: Path
) -> None:
    shots = shot_dir(tmp_path)
    issued = env.issue()
    page = await chromium.new_page(issued.link.replace("/join#", "/join?lang=kk#"))
    await page.set_viewport(390, 844, mobile=True)
    await page.wait_for("tergeuGuest.screen === 'rules' && tergeuGuest.state === 'invited'")
    assert await page.evaluate("[innerWidth, devicePixelRatio, navigator.maxTouchPoints > 0]") == [
        390,
        3,
        True,
    ]
    await _check(page, shots, "rules-kk", "rules-next")
    await page.evaluate("document.querySelector('.lang[data-lang=ru]').click()")
    await page.wait_for("document.documentElement.lang === 'ru'")
    await _check(page, shots, "rules-ru", "rules-next")
    await page.evaluate("document.getElementById('ack').click()")
    await page.evaluate("document.getElementById('rules-next').click()")
    await page.wait_for("!document.getElementById('dev-next').disabled")
    await page.wait_for("document.getElementById('preview').videoWidth > 0")
    # Web Audio runs in Chromium: the level meter is shown and moves with the fake beep
    await page.wait_for(
        "!document.getElementById('level-box').hidden"
        " && document.getElementById('level').value > 0.01",
        timeout=5,
    )
    await _check(page, shots, "devices-ru", "dev-next")
    await pass_device_check(page)
    await page.wait_for("tergeuGuest.screen === 'pin'")
    await _check(page, shots, "pin-ru", "pin-submit")
    bad = f"{(int(issued.pin) + 1) % 10**6:06d}"
    await type_pin(page, bad)
    await page.wait_for("document.getElementById('pin-error').textContent.length > 0")
    await _check(page, shots, "pin-wrong-ru", "pin-submit")
    await type_pin(page, issued.pin)
    await page.wait_for("tergeuGuest.screen === 'lobby'")
    await _check(page, shots, "lobby-ru", None)
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 10)", timeout=20)
    await page.wait_for("document.getElementById('remote').videoWidth > 0")
    await _check(page, shots, "session-ru", "hangup")
    # the stage and the hang-up button fit on one screen without scrolling
    fits = await page.evaluate(
        "(() => { const s = document.getElementById('stage').getBoundingClientRect();"
        " const h = document.getElementById('hangup').getBoundingClientRect();"
        " return [s.width, s.height, h.bottom <= innerHeight]; })()"
    )
    assert fits[0] >= 340 and fits[2], fits
    # the phone on its side: the investigator takes most of the height, hang-up at the right
    await page.set_viewport(844, 390, mobile=True)
    await page.wait_for("document.getElementById('stage').getBoundingClientRect().height > 0")
    side = await page.evaluate(
        "(() => { const s = document.getElementById('stage').getBoundingClientRect();"
        " const h = document.getElementById('hangup').getBoundingClientRect();"
        " return [s.height / innerHeight, h.left >= s.right, h.bottom <= innerHeight]; })()"
    )
    assert side[0] >= 0.75 and side[1] and side[2], side
    await _check(page, shots, "session-landscape-ru", "hangup")
    await page.set_viewport(390, 844, mobile=True)
    await page.evaluate("document.getElementById('hangup').click()")
    await page.wait_for("tergeuGuest.screen === 'ended'")
    await _check(page, shots, "ended-ru", None)
    await page.close()
