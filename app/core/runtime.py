"""The core's event loop on its own thread (Qt owns the main thread).

The GUI hands coroutines to the core with :meth:`CoreRuntime.submit`, which returns a
``concurrent.futures.Future``; the core never touches a widget. Events travel back as plain
objects through listeners, which the Qt adapter (``app.ui.bridge``) re-emits as queued signals.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from app.core.errors import TergeuError

log = logging.getLogger(__name__)
T = TypeVar("T")


class CoreRuntime:
    """Owns one asyncio loop running on a daemon thread."""

    def __init__(self, name: str = "tergeu-core") -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        if pending:
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._loop.is_closed()

    def in_core_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the core loop; safe to call from any thread."""
        if not self.running:
            coro.close()
            raise TergeuError("the session core has stopped")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run a plain function on the core thread and wait for its result."""

        async def wrapper() -> T:
            return fn()

        return self.submit(wrapper()).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop after cancelling what still runs; wait for the thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("core thread did not stop within %.0f s", timeout)
