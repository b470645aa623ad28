from __future__ import annotations

import asyncio
import threading

import pytest

from app.core.errors import TergeuError
from app.core.runtime import CoreRuntime
from app.ui.bridge import EventBridge


@pytest.fixture
def runtime():
    rt = CoreRuntime()
    yield rt
    rt.stop()


def test_results_and_events_arrive_on_the_gui_thread(qtbot, runtime: CoreRuntime) -> None:
    bridge = EventBridge(runtime)
    gui = threading.get_ident()
    seen: list[tuple[str, object, int]] = []
    bridge.core_event.connect(lambda e: seen.append(("event", e, threading.get_ident())))

    async def work() -> int:
        assert runtime.in_core_thread()
        bridge.listener({"state": "admitted"})  # a core event from the core thread
        await asyncio.sleep(0.01)
        return 42

    bridge.run(work(), on_result=lambda r: seen.append(("result", r, threading.get_ident())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert [(k, v) for k, v, _ in seen] == [("event", {"state": "admitted"}), ("result", 42)]
    assert all(thread == gui for _, _, thread in seen)


def test_errors_reach_the_error_callback(qtbot, runtime: CoreRuntime) -> None:
    bridge = EventBridge(runtime)
    errors: list[BaseException] = []

    async def fail() -> None:
        raise TergeuError("hub is gone")

    bridge.run(fail(), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert str(errors[0]) == "hub is gone"


def test_submit_after_stop_is_a_clear_error() -> None:
    rt = CoreRuntime()
    rt.stop()

    async def nothing() -> None:
        return None

    with pytest.raises(TergeuError, match="session core has stopped"):
        rt.submit(nothing())
