"""Which of this computer's addresses WebRTC offers as ICE host candidates.

The config key ``network.ice_host_addresses`` pins them: a department's machine with several
interfaces offers only the one its network uses, and the tests and ``tergeu demo`` stay on
127.0.0.1. Empty (the default) keeps aiortc's own choice: every address of every interface except
127.0.0.1 and ::1.

aiortc has no setting for this. Its ICE library, aioice, takes the addresses from the module
function ``aioice.ice.get_host_addresses(use_ipv4, use_ipv6)``, which ``Connection.
gather_candidates`` looks up by name at each call; :func:`pin_host_addresses` replaces that
function once per process with one that returns the pinned addresses. This depends on aioice's
internals (aioice==0.13.0 is pinned in constraints.txt): :func:`check_aioice` refuses to pin if
they changed, and tests/app/test_ice_hosts.py fails on such an upgrade instead of letting it
silently bypass the pin. The setting is process-wide: every peer of this process (the hub's and a
desktop participant's) gathers from the same addresses.
"""

from __future__ import annotations

import inspect
import ipaddress
from collections.abc import Callable, Sequence

import aioice.ice
import ifaddr

from app.core.config import ip_address_list
from app.core.errors import ConfigError

KEY = "network.ice_host_addresses"
AddressFinder = Callable[[bool, bool], list[str]]

_aioice_own: AddressFinder | None = None  # aioice's function, kept while ours is installed
_pinned: tuple[str, ...] = ()


def machine_addresses() -> tuple[str, ...]:
    """Every address of this computer that can carry a host candidate: IPv4 ones and IPv6 ones
    without a scope (link-local fe80:: addresses need one, and aioice leaves them out)."""
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):
                found.append(str(ipaddress.ip_address(ip.ip)))
            elif ip.ip[2] == 0:
                found.append(str(ipaddress.ip_address(ip.ip[0])))
    return tuple(dict.fromkeys(found))


def check_aioice() -> None:
    """Raise ConfigError if aioice no longer gathers host candidates the way this module hooks."""
    own = _aioice_own or getattr(aioice.ice, "get_host_addresses", None)
    gather = getattr(getattr(aioice.ice, "Connection", None), "gather_candidates", None)
    problem = ""
    if own is None or list(inspect.signature(own).parameters) != ["use_ipv4", "use_ipv6"]:
        problem = "aioice.ice.get_host_addresses(use_ipv4, use_ipv6) is gone or changed"
    elif gather is None or "get_host_addresses" not in inspect.unwrap(gather).__code__.co_names:
        problem = "Connection.gather_candidates no longer calls get_host_addresses"
    if problem:
        raise ConfigError(
            f"{KEY}: cannot pin ICE host addresses with aioice {_aioice_version()}: {problem} "
            "(app/core/ice_hosts.py was written for aioice 0.13.0)"
        )


def pin_host_addresses(values: Sequence[str]) -> tuple[str, ...]:
    """Make every peer of this process offer host candidates on ``values`` only; an empty list
    restores aioice's own choice (all interfaces). Returns the addresses now pinned.

    Raises ConfigError naming a value that is not an IP address or not an address of this
    computer, or if aioice changed so that it cannot be pinned.
    """
    global _aioice_own, _pinned
    try:
        addresses = ip_address_list(values)
    except ValueError as e:
        raise ConfigError(f"{KEY}: {e}") from None
    if not addresses:
        _pinned = ()
        return _pinned
    ours = machine_addresses()
    for address in addresses:
        if address not in ours:
            raise ConfigError(
                f"{KEY}: {address} is not an address of this computer; "
                f"expected one of {', '.join(ours)}"
            )
    check_aioice()
    if _aioice_own is None:
        _aioice_own = aioice.ice.get_host_addresses
        aioice.ice.get_host_addresses = _host_addresses
    _pinned = addresses
    return _pinned


def pinned_host_addresses() -> tuple[str, ...]:
    """The addresses pinned in this process; () when every interface is used."""
    return _pinned


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    """aioice's ``get_host_addresses`` with the pin applied (127.0.0.1 allowed if pinned)."""
    if not _pinned:
        assert _aioice_own is not None
        return _aioice_own(use_ipv4, use_ipv6)
    versions = {4} if use_ipv4 else set()
    versions |= {6} if use_ipv6 else set()
    return [a for a in _pinned if ipaddress.ip_address(a).version in versions]


def _aioice_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aioice")
    except PackageNotFoundError:
        return "(unknown version)"
