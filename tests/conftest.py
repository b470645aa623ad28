"""Suite-wide rules: Qt offscreen, every test in its own data folder, no skips under CI."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test ever touches the user's real data or config folder."""
    root = tmp_path_factory.mktemp("tergeu-data")
    monkeypatch.setenv("TERGEU_DATA_DIR", str(root))
    monkeypatch.setenv("TERGEU_CONFIG", str(root / "no-such-config.toml"))


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


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
