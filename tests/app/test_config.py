from __future__ import annotations

from pathlib import Path

import pytest

from app.core.config import KEYS, ConfigError, documented_default_toml, load_config, parse_config


def test_defaults_round_trip_and_every_key_documented() -> None:
    config = parse_config(documented_default_toml())
    for key in KEYS:
        assert key.doc.strip(), key.name
        assert f"{key.name} = " in documented_default_toml()
        config[f"{key.section}.{key.name}"]  # every key readable


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config["recording.segment_seconds"] == 2.0
    assert config["ui.language"] == "ru"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[recording]\nsegment_seconds = 20\n",
            "recording.segment_seconds = 20: expected a number from 1 to 10",
        ),
        ("[recording]\nsegment_second = 2\n", "unknown key recording.segment_second"),
        ("[recordings]\n", "unknown section [recordings]"),
        ("[signaling]\nport = 70000\n", "signaling.port = 70000: expected an integer port"),
        ("[ui]\nlanguage = 'de'\n", "ui.language = 'de': expected one of kk, ru, en"),
        ("[network]\nturn_servers = ['http://x']\n", "is not a turn/turns: URL"),
        ("[timestamp]\ntsa_url = 'ftp://x'\n", "timestamp.tsa_url = 'ftp://x'"),
        ("[signaling\n", "not valid TOML"),
        ("[signaling]\nhost = '0.0.0.0'\ntls = 'off'\n", "plain HTTP is only allowed on loopback"),
    ],
)
def test_invalid_values_name_key_value_and_rule(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert expected in str(info.value)


def test_tls_auto_is_on_off_loopback() -> None:
    assert not parse_config("[signaling]\nhost = '127.0.0.1'\n").signaling_uses_tls
    assert parse_config("[signaling]\nhost = '0.0.0.0'\n").signaling_uses_tls
    assert parse_config("[signaling]\nhost = 'tergeu.police.kz'\n").signaling_uses_tls
