"""Where a browser guest's media runs, read at both ends: the hub's aiortc peer (pinned by
``network.ice_host_addresses``) and the page's own getStats must name the same selected pair.

Chromium (started with --allow-loopback-in-peer-connection): 127.0.0.1 at both ends. Firefox
offers no loopback candidate here whatever its prefs say, so its test runs with every interface
(tests/loopback_media.py) and checks that the pair joins two addresses of this computer.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from app.core.ice_hosts import machine_addresses
from app.core.signaling.guest_browser import BrowserPage, Chromium, Firefox, join_as_guest
from tests.e2e.session_env import Env, wait_state
from tests.ice_pairs import RECORD_PEERS_JS, SelectedPair, aiortc_selected_pairs, page_selected_pair

pytestmark = pytest.mark.e2e


async def _pairs(env: Env, browser: Chromium | Firefox) -> tuple[SelectedPair, SelectedPair]:
    """A guest joins and is admitted; the selected pair as the page sees it and as the hub does."""
    issued = env.issue()
    page: BrowserPage = await browser.new_page(issued.link, init_script=RECORD_PEERS_JS)
    await join_as_guest(page, issued.pin)
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 5)", timeout=20)
    end = time.monotonic() + 10
    while (seen := (await page_selected_pair(page))[0]) is None:
        assert time.monotonic() < end, "the page never selected a candidate pair"
        await asyncio.sleep(0.2)
    hub_pc = env.hub._peers["g1"].pc
    assert hub_pc is not None
    hub_pairs = aiortc_selected_pairs(hub_pc)
    assert len(hub_pairs) == 1, hub_pairs  # max-bundle: one transport
    await page.close()
    return seen, hub_pairs[0]


async def test_chromium_guest_media_on_loopback_both_ends(env: Env, chromium: Chromium) -> None:
    page_pair, hub_pair = await _pairs(env, chromium)
    assert page_pair.hosts == ("127.0.0.1", "127.0.0.1"), page_pair
    assert hub_pair.hosts == ("127.0.0.1", "127.0.0.1"), hub_pair
    assert (page_pair.local, page_pair.remote) == (hub_pair.remote, hub_pair.local)


async def test_firefox_guest_media_between_this_computers_addresses(
    env: Env, firefox: Firefox
) -> None:
    page_pair, hub_pair = await _pairs(env, firefox)
    ours = machine_addresses()
    assert set(page_pair.hosts) <= set(ours), (page_pair, ours)
    assert (page_pair.local, page_pair.remote) == (hub_pair.remote, hub_pair.local)
