"""The one adapter between the core thread and Qt (STYLE §2).

Core objects report plain event objects to listeners on the core thread; :class:`EventBridge`
re-emits each one as a Qt signal, which Qt queues onto the GUI thread because the bridge lives
there. Results of submitted coroutines arrive the same way, through :meth:`EventBridge.run`.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from app.core.runtime import CoreRuntime


class EventBridge(QObject):
    """Lives in the GUI thread; ``core_event`` is emitted there for every core event."""

    core_event = Signal(object)
    _done = Signal(object, object, object)  # callback, result, error

    def __init__(self, runtime: CoreRuntime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def listener(self, event: object) -> None:
        """Pass this to a core object's ``add_listener``; callable from any thread."""
        self.core_event.emit(event)

    def run(
        self,
        coro: Coroutine[Any, Any, Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> concurrent.futures.Future[Any]:
        """Run ``coro`` on the core loop; call back on the GUI thread with its outcome."""
        future = self.runtime.submit(coro)

        def finished(f: concurrent.futures.Future[Any]) -> None:
            if f.cancelled():
                return
            error = f.exception()
            callback = on_error if error is not None else on_result
            if callback is not None:
                self._done.emit(callback, None if error else f.result(), error)

        future.add_done_callback(finished)
        return future

    def _deliver(self, callback: Callable[[Any], None], result: Any, error: Any) -> None:
        callback(error if error is not None else result)
