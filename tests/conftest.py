"""Suite-wide rules: Qt offscreen, every test in its own data folder, no skips under CI, WebRTC
media on 127.0.0.1 only."""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from tests import loopback_media

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test ever touches the user's real data or config folder."""
    root = tmp_path_factory.mktemp("tergeu-data")
    monkeypatch.setenv("TERGEU_DATA_DIR", str(root))
    monkeypatch.setenv("TERGEU_CONFIG", str(root / "no-such-config.toml"))


@pytest.fixture(scope="session", autouse=True)
def _media_on_loopback() -> None:
    """WebRTC media of the test process on 127.0.0.1 only (see tests/loopback_media.py)."""
    loopback_media.install()


@pytest.fixture(autouse=True)
def _no_media_off_loopback() -> Generator[None, None, None]:
    """Each test starts pinned to 127.0.0.1 (a session started from a config without the key
    un-pins the process); a test whose aiortc peer gathered a host candidate off loopback fails."""
    loopback_media.install()
    found = loopback_media.gathered_off_loopback
    found.clear()
    yield
    seen, found[:] = list(found), []
    assert not seen, f"an aiortc peer gathered host candidates off loopback: {seen}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    """Under CI=true a skipped test is a failure: a missing tool must not hide a missing check."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true (not allowed): {reason}"


LEFT_OPEN: list[str] = []  # "test id: window class 'title'" for the summary


def _top_levels() -> set[int]:
    if "PySide6.QtWidgets" not in sys.modules:
        return set()
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return set()
    return {id(w) for w in QApplication.topLevelWidgets()}


@pytest.fixture(autouse=True)
def _windows_left_open(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """Note the top-level windows a test leaves behind (it should close them or hand them to
    qtbot.addWidget): they pile up for the rest of the run and are what PySide's exit handler
    crashed on (see pytest_sessionfinish). Listed at the end of the run."""
    before = _top_levels()
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    for w in QApplication.topLevelWidgets():
        if id(w) not in before and w.isVisible():
            LEFT_OPEN.append(f"{request.node.nodeid}: {type(w).__name__} {w.windowTitle()!r}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LEFT_OPEN:
        terminalreporter.section("top-level windows left open by tests")
        for line in LEFT_OPEN:
            terminalreporter.write_line(line)


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Destroy the windows tests left open while Qt is still whole.

    Otherwise PySide's exit handler deletes every still-wrapped widget in no particular order
    after the interpreter began finalising, and one whose native window was already gone made
    the process die with SIGSEGV after all tests had passed (seen under gdb: QWidget::destroy
    from PySide::destroyQCoreApplication). The product's own exit path is not involved.
    """
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    QThreadPool.globalInstance().waitForDone(10_000)
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
