"""The hub process dies (SIGKILL) while a browser guest is in the session: the page says so and
keeps trying; when ``tergeu serve`` is started again with the same invite book and port, the guest
comes back through the lobby and media flows again."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.signaling.guest_browser import Chromium, join_as_guest
from tests.e2e.session_env import shot_dir

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "--data-dir",
            str(tmp_path / "data"),
            "serve",
            "--port",
            str(port),
            "--action",
            "A9",
            "--auto-admit",
            "--state",
            str(tmp_path / "invites.json"),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def read_until(proc: subprocess.Popen[str], pattern: str, timeout: float = 20) -> re.Match[str]:
    assert proc.stdout is not None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r} from tergeu serve")


async def test_guest_rejoins_after_hub_process_killed_and_restarted(
    chromium: Chromium, tmp_path: Path
) -> None:
    port = free_port()
    first = serve(tmp_path, port, "--invite", "witness:Айгерим Сәтбаева")
    second: subprocess.Popen[str] | None = None
    try:
        found = await asyncio.to_thread(
            read_until, first, r"invite p1 \(witness, .*\): (\S+)  PIN (\d{6})"
        )
        link, pin = found.group(1), found.group(2)
        page = await chromium.new_page(link.replace("/join#", "/join?lang=ru#"))
        await join_as_guest(page, pin, timeout=20)
        await page.wait_for("tergeuGuest.state === 'connected'", timeout=20)
        await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 5)", timeout=20)
        assert (tmp_path / "invites.json").stat().st_mode & 0o077 == 0

        first.send_signal(signal.SIGKILL)  # the investigator's process dies: no goodbye
        first.wait(10)
        await page.wait_for("tergeuGuest.state === 'reconnecting'", timeout=15)
        banner = await page.evaluate("document.getElementById('banner').textContent")
        assert "Связь со следователем потеряна" in banner
        assert await page.evaluate("document.getElementById('rec').hidden")
        await page.wait_for("tergeuGuest.screen === 'session'")
        await page.set_viewport(390, 844, mobile=True)
        await page.screenshot(shot_dir(tmp_path) / "phone-hub-lost-ru.png")

        second = serve(tmp_path, port)  # the same invite book and port, no new invitations
        await asyncio.to_thread(read_until, second, r"serving http://127\.0\.0\.1:")
        start = time.monotonic()
        await page.wait_for("tergeuGuest.state === 'connected'", timeout=20)
        assert time.monotonic() - start < 15
        await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 5)", timeout=20)
        assert await page.evaluate("document.getElementById('banner').hidden")
        await page.close()
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
