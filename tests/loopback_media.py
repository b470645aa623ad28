"""The tests' network rule for WebRTC media: this process's aiortc peers use 127.0.0.1 only.

Three parts, installed once by tests/conftest.py:

* the app's own pin (``network.ice_host_addresses`` = 127.0.0.1, see app/core/ice_hosts.py):
  peers gather their host candidates there only;
* a test-only rule on the far end: remote candidates off loopback are ignored, and so are
  connectivity checks arriving from an address off loopback. A browser still offers its other
  interfaces (Chromium has no switch to gather on loopback only), and without this rule aioice
  could nominate a pair from the browser's eth0 address to our 127.0.0.1 (Linux routes it);
* a watch, independent of the pin, that notes every host candidate gathered off loopback, so that
  a test whose peer gathered one fails (see the ``_no_media_off_loopback`` fixture).

Firefox does not offer loopback candidates here whatever its prefs say, so a Firefox guest needs
:func:`media_off_loopback` (every interface, for that test only).
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from collections.abc import Iterator
from typing import Any

import aioice.ice

from app.core.ice_hosts import pin_host_addresses

LOOPBACK = ("127.0.0.1",)
gathered_off_loopback: list[str] = []  # "host:port" of host candidates gathered off loopback
_rule = {"on": True}


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # an mDNS name (….local): not loopback
        return False


def install() -> None:
    """Pin this process to 127.0.0.1 and install the remote rule and the watch (once)."""
    pin_host_addresses(LOOPBACK)
    connection = aioice.ice.Connection
    if getattr(connection.gather_candidates, "_tergeu_test_rule", False):
        return
    gather = connection.gather_candidates
    add_remote = connection.add_remote_candidate
    received = connection.request_received

    @functools.wraps(gather)
    async def watched(self: aioice.ice.Connection, *args: Any, **kwargs: Any) -> None:
        await gather(self, *args, **kwargs)
        if _rule["on"]:
            gathered_off_loopback.extend(
                f"{c.host}:{c.port}"
                for c in self.local_candidates
                if c.type == "host" and not is_loopback(c.host)
            )

    @functools.wraps(add_remote)
    async def loopback_remote(
        self: aioice.ice.Connection, candidate: aioice.Candidate | None
    ) -> None:
        if candidate is not None and _rule["on"] and not is_loopback(candidate.host):
            return
        await add_remote(self, candidate)

    @functools.wraps(received)
    def loopback_checks(self: aioice.ice.Connection, message: Any, addr: Any, *rest: Any) -> None:
        if _rule["on"] and not is_loopback(addr[0]):
            return
        received(self, message, addr, *rest)

    watched._tergeu_test_rule = True  # type: ignore[attr-defined]
    connection.gather_candidates = watched  # type: ignore[method-assign]
    connection.add_remote_candidate = loopback_remote  # type: ignore[method-assign,assignment]
    connection.request_received = loopback_checks  # type: ignore[method-assign,assignment]


def config_addresses() -> tuple[str, ...]:
    """The value of ``network.ice_host_addresses`` for a session built now: 127.0.0.1, or every
    interface (``()``) inside :func:`media_off_loopback`."""
    return LOOPBACK if _rule["on"] else ()


@contextlib.contextmanager
def media_off_loopback() -> Iterator[None]:
    """Every interface for the duration (a Firefox guest, which offers no loopback candidate)."""
    pin_host_addresses([])
    _rule["on"] = False
    try:
        yield
    finally:
        _rule["on"] = True
        pin_host_addresses(LOOPBACK)
