"""``network.ice_host_addresses``: the config key, the pin on aioice's address discovery, a guard
against aioice upgrades that would bypass it, and a live session whose media stays on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import aioice
import aioice.ice
import pytest

from app.core import ice_hosts
from app.core.config import documented_default_toml, parse_config
from app.core.errors import ConfigError
from app.core.participant import Participant
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.conftest import repo_root
from tests.ice_pairs import aiortc_selected_pairs
from tests.live import make_live_session


@pytest.fixture
def repin() -> Iterator[None]:
    """Put the suite's 127.0.0.1 pin back after a test that changes it."""
    yield
    ice_hosts.pin_host_addresses(["127.0.0.1"])


def test_config_key_documented_and_checked() -> None:
    assert "ice_host_addresses = []" in documented_default_toml()
    config = parse_config('[network]\nice_host_addresses = ["127.0.0.1", " ::0001 ", "::1"]')
    assert config["network.ice_host_addresses"] == ("127.0.0.1", "::1")
    assert parse_config("")["network.ice_host_addresses"] == ()
    for text, named in (
        ('ice_host_addresses = ["10.0.0.300"]', "'10.0.0.300' is not an IP address"),
        ('ice_host_addresses = ["eth0"]', "'eth0' is not an IP address"),
        ("ice_host_addresses = [5]", "5 is not an IP address"),
        ('ice_host_addresses = "10.0.0.5"', "expected a list of IP addresses"),
    ):
        with pytest.raises(ConfigError, match=re.escape(named)) as caught:
            parse_config(f"[network]\n{text}")
        assert "network.ice_host_addresses" in str(caught.value)


def test_pin_refuses_an_address_not_of_this_computer(repin: None) -> None:
    ice_hosts.pin_host_addresses(["127.0.0.1"])
    with pytest.raises(ConfigError) as caught:
        ice_hosts.pin_host_addresses(["203.0.113.7"])
    message = str(caught.value)
    assert "203.0.113.7 is not an address of this computer" in message
    assert "127.0.0.1" in message  # the addresses it could have been
    with pytest.raises(ConfigError, match="'lo' is not an IP address"):
        ice_hosts.pin_host_addresses(["lo"])
    assert ice_hosts.pinned_host_addresses() == ("127.0.0.1",)  # a refused pin changes nothing


def test_pin_gives_aioice_the_pinned_addresses_by_family(repin: None) -> None:
    assert ice_hosts.pin_host_addresses(["::1", "127.0.0.1"]) == ("::1", "127.0.0.1")
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False) == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses(use_ipv4=False, use_ipv6=True) == ["::1"]
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["::1", "127.0.0.1"]


def test_empty_pin_is_aioices_own_choice(repin: None) -> None:
    assert ice_hosts.pin_host_addresses([]) == ()
    assert ice_hosts._aioice_own is not None
    everything = ice_hosts._aioice_own(True, True)
    assert aioice.ice.get_host_addresses(True, True) == everything
    assert "127.0.0.1" not in everything  # aioice's own rule, which the tests' pin overrides
    assert set(everything) <= set(ice_hosts.machine_addresses())


async def test_aioice_still_gathers_through_the_hook() -> None:
    """Fails on an aioice upgrade that changes how host candidates are found: update
    app/core/ice_hosts.py (and this pin) together with constraints.txt."""
    pinned = re.search(r"^aioice==(\S+)$", (repo_root() / "constraints.txt").read_text(), re.M)
    assert pinned is not None and version("aioice") == pinned[1] == "0.13.0"
    ice_hosts.check_aioice()
    assert aioice.ice.get_host_addresses is ice_hosts._host_addresses
    connection = aioice.Connection(ice_controlling=True, components=1)
    try:
        await connection.gather_candidates()
        hosts = [(c.type, c.host) for c in connection.local_candidates]
    finally:
        await connection.close()
    assert hosts == [("host", "127.0.0.1")]


def test_changed_aioice_is_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    async def gather_elsewhere(self: aioice.Connection) -> None:
        self._local_candidates_end = True

    monkeypatch.setattr(aioice.ice.Connection, "gather_candidates", gather_elsewhere)
    with pytest.raises(ConfigError, match=r"no longer calls get_host_addresses.*aioice 0\.13\.0"):
        ice_hosts.check_aioice()
    with pytest.raises(ConfigError, match="cannot pin ICE host addresses"):
        ice_hosts.pin_host_addresses(["127.0.0.1"])


async def test_live_session_media_on_loopback_both_ends(tmp_path: Path) -> None:
    live = make_live_session(tmp_path, "L1")
    assert live.config["network.ice_host_addresses"] == ("127.0.0.1",)
    await live.start()
    assert live.hub is not None
    issued = live.invite("e1", "expert", "Expert")
    guest = Participant(
        issued.link,
        issued.pin,
        audio=SyntheticAudioTrack(live.clock),
        video=SyntheticVideoTrack(live.clock),
    )
    run = asyncio.ensure_future(guest.run())
    try:
        for _ in range(200):
            if live.hub.participant_state("e1") == "waiting":
                break
            await asyncio.sleep(0.05)
        await live.admit("e1")
        await asyncio.wait_for(guest.connected.wait(), 20)
        hub_pc = live.hub._peers["e1"].pc
        assert hub_pc is not None and guest._pc is not None
        for pc in (hub_pc, guest._pc):
            pairs = aiortc_selected_pairs(pc)
            assert pairs, "no nominated candidate pair"
            for pair in pairs:
                assert pair.hosts == ("127.0.0.1", "127.0.0.1"), pair
        hub_pair, guest_pair = aiortc_selected_pairs(hub_pc)[0], aiortc_selected_pairs(guest._pc)[0]
        assert (hub_pair.local, hub_pair.remote) == (guest_pair.remote, guest_pair.local)
    finally:
        await live.stop()
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)


def test_settings_dialog_edits_the_addresses(qtbot: object, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLineEdit

    from app.core.config import Config, load_config
    from app.ui.settings import SettingsDialog

    path = tmp_path / "tergeu.toml"
    dialog = SettingsDialog(Config(), path)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    editor = dialog.editors["network.ice_host_addresses"]
    assert isinstance(editor, QLineEdit)
    editor.setText("10.0.0.300")
    dialog.save()
    assert "'10.0.0.300' is not an IP address" in dialog.error.text()
    editor.setText("127.0.0.1, ::1")
    dialog.save()
    assert load_config(path)["network.ice_host_addresses"] == ("127.0.0.1", "::1")


def test_join_refuses_an_address_not_of_this_computer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    config = tmp_path / "tergeu.toml"
    config.write_text('[network]\nice_host_addresses = ["203.0.113.7"]\n', encoding="utf-8")
    link = "http://127.0.0.1:9/a/A1/join#token"
    assert main(["--config", str(config), "join", link, "--pin", "123456"]) == 2
    err = capsys.readouterr().err
    assert "tergeu join: network.ice_host_addresses: 203.0.113.7 is not an address" in err
    assert ice_hosts.pinned_host_addresses() == ("127.0.0.1",)
