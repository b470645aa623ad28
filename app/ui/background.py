"""Run blocking work off the GUI thread and get the outcome back on it (one helper, like Anki's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(object, object)  # result, error


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as e:  # delivered to the GUI thread, shown in the one error dialog
            self.signals.done.emit(None, e)
        else:
            self.signals.done.emit(result, None)


def run_in_background(
    fn: Callable[[], Any],
    on_result: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    *,
    owner: QObject,
) -> None:
    """Run ``fn`` on Qt's thread pool; call ``on_result`` or ``on_error`` on the GUI thread.

    ``owner`` keeps the signal connection alive as long as the window that asked for the work.
    """
    task = _Task(fn)
    task.signals.setParent(owner)

    def deliver(result: Any, error: Exception | None) -> None:
        task.signals.deleteLater()
        if error is not None:
            on_error(error)
        else:
            on_result(result)

    task.signals.done.connect(deliver)
    QThreadPool.globalInstance().start(task)
