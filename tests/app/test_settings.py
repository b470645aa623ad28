from __future__ import annotations

import stat
from pathlib import Path

from app.core.config import Config, load_config
from app.ui.settings import SettingsDialog


def test_settings_save_only_valid_values_owner_only(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "conf" / "tergeu.toml"
    dialog = SettingsDialog(Config(), path)
    qtbot.addWidget(dialog)
    dialog.editors["signaling.port"].setText("port")
    dialog.save()
    assert "signaling.port = 'port': expected an integer port" in dialog.error.text()
    assert not path.exists()

    dialog.editors["signaling.port"].setText("9443")
    dialog.editors["network.turn_servers"].setText("turns:turn.example.kz:443?transport=tcp")
    dialog.editors["network.turn_credential"].setText("s3cret")
    dialog.editors["ui.language"].setCurrentText("kk")
    dialog.save()
    assert dialog.result() == 1
    config = load_config(path)
    assert config["signaling.port"] == 9443
    assert config["network.turn_servers"] == ("turns:turn.example.kz:443?transport=tcp",)
    assert config["ui.language"] == "kk"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # only changed keys are written
    assert "segment_seconds" not in path.read_text(encoding="utf-8")
