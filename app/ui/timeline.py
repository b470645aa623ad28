"""The review timeline: one strip per track, each segment coloured by its verification status.

Green intact, red tampered, grey missing (a gap), amber recovered after a crash; event ticks
(markers, steps, reconnects) above the strips; a playhead. Clicking seeks.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.review import SegmentStatus, Timeline

COLORS = {
    SegmentStatus.INTACT: QColor("#2e7d32"),
    SegmentStatus.TAMPERED: QColor("#c62828"),
    SegmentStatus.MISSING: QColor("#9e9e9e"),
    SegmentStatus.RECOVERED: QColor("#f9a825"),
}
EVENT_COLORS = {"marker": "#1565c0", "step": "#6a1b9a", "crash": "#c62828", "warning": "#ef6c00"}
LABEL_WIDTH = 150
ROW = 26
TOP = 22


class TimelineView(QWidget):
    """Paints a :class:`Timeline`; emits ``seek_requested(t)`` on click."""

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self.position = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)

    def set_timeline(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.setFixedHeight(TOP + ROW * max(len(timeline.tracks), 1) + 8)
        self.update()

    def set_position(self, t: float) -> None:
        self.position = t
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, TOP + ROW * 3 + 8)

    def _x(self, t: float) -> float:
        assert self.timeline is not None
        span = max(self.timeline.duration, 1e-6)
        return LABEL_WIDTH + (self.width() - LABEL_WIDTH - 8) * t / span

    def _t(self, x: float) -> float:
        assert self.timeline is not None
        span = max(self.timeline.duration, 1e-6)
        return max(0.0, min(span, (x - LABEL_WIDTH) * span / (self.width() - LABEL_WIDTH - 8)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if self.timeline is None:
            return
        for row, (track, segments) in enumerate(sorted(self.timeline.tracks.items())):
            y = TOP + row * ROW
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(4, y, LABEL_WIDTH - 8, ROW - 4),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                track,
            )
            painter.fillRect(
                QRectF(LABEL_WIDTH, y + 3, self.width() - LABEL_WIDTH - 8, ROW - 8),
                COLORS[SegmentStatus.MISSING].lighter(150),
            )
            for segment in segments:
                x0, x1 = self._x(segment.start), self._x(segment.end)
                painter.fillRect(
                    QRectF(x0, y + 3, max(x1 - x0 - 1, 1.0), ROW - 8), COLORS[segment.status]
                )
        for ev in self.timeline.events:
            painter.setPen(QPen(QColor(EVENT_COLORS.get(ev.kind, "#455a64")), 2))
            x = self._x(ev.t)
            painter.drawLine(QPointF(x, 4), QPointF(x, TOP - 4))
        painter.setPen(QPen(QColor("#000000"), 2))
        x = self._x(self.position)
        painter.drawLine(QPointF(x, 2), QPointF(x, self.height() - 2))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.timeline is not None and event.position().x() >= LABEL_WIDTH:
            self.seek_requested.emit(self._t(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.timeline is None:
            return
        t = self._t(event.position().x())
        row = int((event.position().y() - TOP) // ROW)
        tracks = sorted(self.timeline.tracks)
        if 0 <= row < len(tracks):
            segment = self.timeline.at(tracks[row], t)
            if segment is not None:
                self.setToolTip(
                    f"{segment.track} #{segment.index} "
                    f"{_clock(segment.start)}–{_clock(segment.end)}: {segment.status.value}"
                )
                return
        event_near = [
            e for e in self.timeline.events if abs(self._x(e.t) - event.position().x()) < 4
        ]
        self.setToolTip("\n".join(f"{_clock(e.t)} {e.label}" for e in event_near))


def _clock(t: float) -> str:
    whole = int(max(t, 0))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
