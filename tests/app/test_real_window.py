"""`tergeu` opens a real window on an X server (Xvfb); the screenshot is checked and kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.conftest import repo_root


def test_tergeu_shows_main_window_under_xvfb(tmp_path: Path) -> None:
    assert shutil.which("xvfb-run"), "xvfb-run is required (Debian package xvfb)"
    shot = tmp_path / "main-window.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(TERGEU_SCREENSHOT=str(shot), TERGEU_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "app.cli"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 800)
    # The window (light Qt background) covers its default 1000x640 area; the rest of the bare X
    # screen stays black.
    window_area = image.crop((0, 0, 1000, 640))
    colors = window_area.getcolors(maxcolors=1 << 20) or []
    assert len(colors) > 20, "window area is (nearly) uniform: nothing was drawn"
    light = sum(n for n, (r, g, b) in colors if r > 200 and g > 200 and b > 200)
    assert light > 0.8 * 1000 * 640
    assert image.getpixel((1200, 780)) == (0, 0, 0)
    artefacts = repo_root() / "artifacts" / "screenshots"
    artefacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artefacts / "main-window.png")
