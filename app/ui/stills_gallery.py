"""The expert's stills gallery in the participant window: thumbnails, "Request still…" and the
annotate dialog (arrows, rectangles and text drawn with the mouse on the still, in its pixels).

Qt only: the gallery's downloads, requests and annotations are :class:`app.core.expert_view.
ExpertView`'s; the window connects them. What is drawn here is sent as shapes; the hub stores the
annotation as a separate evidence file and the still itself is never changed.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.annotations import MAX_NOTE, MAX_TEXT, Shape
from app.core.expert_view import ActOutcome, GalleryItem
from recorder.clock import parse_utc

RED = QColor(215, 38, 61)
THUMB = QSize(176, 132)


def _local_time(utc: str) -> str:
    try:
        return parse_utc(utc, what="taken").astimezone().strftime("%H:%M:%S")
    except ValueError:
        return ""


def _image(item: GalleryItem) -> QImage:
    return QImage.fromData(item.data)


class StillsPanel(QWidget):
    """Thumbnails of the action's stills with number, caption and time; request and annotate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stillsPanel")
        self.items: dict[str, GalleryItem] = {}
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight:bold")
        self.list = QListWidget()
        self.list.setObjectName("stillsList")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 16, THUMB.height() + 58))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color:#666")
        self.request_button = QPushButton()
        self.request_button.setObjectName("requestStillButton")
        self.annotate_button = QPushButton()
        self.annotate_button.setObjectName("annotateButton")
        self.annotate_button.setEnabled(False)
        self.status = QLabel()
        self.status.setObjectName("stillsStatus")
        self.status.setWordWrap(True)
        self.list.itemSelectionChanged.connect(
            lambda: self.annotate_button.setEnabled(self.selected() is not None)
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.annotate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Stills of the action"))
        self.empty.setText(
            self.tr("No stills yet: each is taken on the participant's device at full size.")
        )
        self.request_button.setText(self.tr("Request still…"))
        self.annotate_button.setText(self.tr("Annotate…"))
        self.list.setAccessibleName(self.tr("Stills of the action"))

    def add(self, item: GalleryItem) -> None:
        """Show a still that arrived (intact: its SHA-256 was checked on download)."""
        if item.sha256 in self.items:
            return
        self.items[item.sha256] = item
        thumb = QPixmap.fromImage(_image(item)).scaled(
            THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        entry = QListWidgetItem(
            QIcon(thumb), f"{item.number}. {item.caption}\n{_local_time(item.taken_utc)}"
        )
        entry.setData(Qt.ItemDataRole.UserRole, item.sha256)
        entry.setToolTip(f"{item.caption}\n{item.width}×{item.height}, SHA-256 {item.sha256}")
        self.list.addItem(entry)
        self.empty.setVisible(False)
        if self.list.currentItem() is None:
            self.list.setCurrentItem(entry)

    def selected(self) -> GalleryItem | None:
        current = self.list.currentItem()
        return self.items.get(current.data(Qt.ItemDataRole.UserRole)) if current else None

    def say(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color:#b71c1c" if error else "color:#1b5e20")
        self.status.setText(text)


class RequestStillDialog(QDialog):
    """Whose camera, and what the still should show."""

    def __init__(self, visible: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestStillDialog")
        self.whom = QComboBox()
        self.whom.setObjectName("stillWhom")
        for pid, name in sorted(visible.items(), key=lambda kv: kv[1] or kv[0]):
            self.whom.addItem(name or pid, pid)
        self.caption = QLineEdit()
        self.caption.setObjectName("stillCaption")
        self.caption.setMaxLength(500)
        self.nobody = QLabel()
        self.nobody.setWordWrap(True)
        self.nobody.setVisible(not visible)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.caption.textChanged.connect(self._check)
        self.labels = [QLabel(), QLabel()]
        form = QFormLayout()
        form.addRow(self.labels[0], self.whom)
        form.addRow(self.labels[1], self.caption)
        layout = QVBoxLayout(self)
        layout.addWidget(self.nobody)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate()
        self._check()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Request a still"))
        self.labels[0].setText(self.tr("Whose camera"))
        self.labels[1].setText(self.tr("What the still shows"))
        self.nobody.setText(self.tr("Nobody whose camera you may see is in the session now."))
        self.ok_button.setText(self.tr("Request"))

    def _check(self) -> None:
        self.ok_button.setEnabled(self.whom.count() > 0 and bool(self.caption.text().strip()))

    def choice(self) -> tuple[str, str]:
        """(participant id, caption)."""
        return str(self.whom.currentData()), self.caption.text().strip()


class AnnotationCanvas(QWidget):
    """The still scaled to fit; press, drag and release draws an arrow or a rectangle, a click
    places the text (tool ``text``). Shapes are kept in the still's own pixels."""

    changed = Signal()

    def __init__(self, item: GalleryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationCanvas")
        self.item = item
        self.image = _image(item)
        self.tool = "arrow"
        self.text = ""  # what the text tool places
        self.shapes: list[Shape] = []
        self._start: tuple[int, int] | None = None
        self._now: tuple[int, int] | None = None
        self.setMinimumSize(480, 360)
        self.setMouseTracking(False)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    def target(self) -> QRectF:
        """Where the still is drawn in the widget (aspect kept, centred)."""
        w, h = self.image.width() or 1, self.image.height() or 1
        scale = min(self.width() / w, self.height() / h)
        x = (self.width() - w * scale) / 2
        y = (self.height() - h * scale) / 2
        return QRectF(x, y, w * scale, h * scale)

    def to_image(self, pos: QPointF) -> tuple[int, int]:
        t = self.target()
        scale = t.width() / max(self.image.width(), 1)
        x = int((pos.x() - t.x()) / scale)
        y = int((pos.y() - t.y()) / scale)
        return (
            min(max(x, 0), self.image.width() - 1),
            min(max(y, 0), self.image.height() - 1),
        )

    def to_widget(self, point: tuple[int, int]) -> QPointF:
        t = self.target()
        scale = t.width() / max(self.image.width(), 1)
        return QPointF(t.x() + point[0] * scale, t.y() + point[1] * scale)

    def undo(self) -> None:
        if self.shapes:
            self.shapes.pop()
            self.changed.emit()
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.to_image(event.position())
        if self.tool == "text":
            if self.text.strip():
                self.shapes.append(Shape("text", (point,), self.text.strip()[:MAX_TEXT]))
                self.changed.emit()
                self.update()
            return
        self._start = self._now = point

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._start is not None:
            self._now = self.to_image(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._start is None or event.button() != Qt.MouseButton.LeftButton:
            return
        start, end = self._start, self.to_image(event.position())
        self._start = self._now = None
        if math.hypot(end[0] - start[0], end[1] - start[1]) >= 3:
            self.shapes.append(Shape("rect" if self.tool == "rect" else "arrow", (start, end)))
            self.changed.emit()
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#222"))
        target = self.target()
        painter.drawImage(target, self.image)
        scale = target.width() / max(self.image.width(), 1)
        shapes = list(self.shapes)
        if self._start is not None and self._now is not None and self._now != self._start:
            kind = "rect" if self.tool == "rect" else "arrow"
            shapes.append(Shape(kind, (self._start, self._now)))
        painter.setPen(QPen(RED, 3))
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(10, int(max(16, self.image.width() // 40) * scale)))
        painter.setFont(font)
        for shape in shapes:
            self._paint(painter, shape)
        painter.end()

    def _paint(self, painter: QPainter, shape: Shape) -> None:
        if shape.kind == "text":
            origin = self.to_widget(shape.points[0])
            top = origin + QPointF(0, painter.fontMetrics().ascent())
            painter.drawText(top, shape.text)
            return
        a, b = (self.to_widget(p) for p in shape.points)
        if shape.kind == "rect":
            painter.drawRect(QRectF(a, b).normalized())
            return
        painter.drawLine(a, b)
        angle = math.atan2(b.y() - a.y(), b.x() - a.x())
        head = min(max(10.0, math.hypot(b.x() - a.x(), b.y() - a.y()) * 0.2), 24.0)
        for side in (-0.45, 0.45):
            tip = QPointF(
                b.x() - head * math.cos(angle + side), b.y() - head * math.sin(angle + side)
            )
            painter.drawLine(b, tip)


class AnnotateDialog(QDialog):
    """Draw on one still, add a note, save: the annotation goes to the hub as shapes."""

    save_requested = Signal(object)  # (still sha256, shapes, note)

    def __init__(self, item: GalleryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotateDialog")
        self.item = item
        self.canvas = AnnotationCanvas(item)
        self.arrow_button = QPushButton()
        self.arrow_button.setObjectName("toolArrow")
        self.rect_button = QPushButton()
        self.rect_button.setObjectName("toolRect")
        self.text_button = QPushButton()
        self.text_button.setObjectName("toolText")
        self.tools = QButtonGroup(self)
        for button, tool in (
            (self.arrow_button, "arrow"),
            (self.rect_button, "rect"),
            (self.text_button, "text"),
        ):
            button.setCheckable(True)
            self.tools.addButton(button)
            button.clicked.connect(lambda _=False, t=tool: self._tool(t))
        self.arrow_button.setChecked(True)
        self.text = QLineEdit()
        self.text.setObjectName("annotationText")
        self.text.setMaxLength(MAX_TEXT)
        self.text.textChanged.connect(lambda t: setattr(self.canvas, "text", t))
        self.undo_button = QPushButton()
        self.undo_button.setObjectName("undoShape")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.note = QPlainTextEdit()
        self.note.setObjectName("annotationNote")
        self.note.setMaximumHeight(70)
        self.count = QLabel()
        self.status = QLabel()
        self.status.setObjectName("annotationStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveAnnotation")
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.reject)
        self.canvas.changed.connect(self._update)
        tools = QHBoxLayout()
        for button in (self.arrow_button, self.rect_button, self.text_button):
            tools.addWidget(button)
        tools.addWidget(self.text, 1)
        tools.addWidget(self.undo_button)
        self.labels = [QLabel()]
        form = QFormLayout()
        form.addRow(self.labels[0], self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.count)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(880, 780)
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        self.setWindowTitle(
            self.tr("Annotate still %1: %2")
            .replace("%1", str(self.item.number))
            .replace("%2", self.item.caption)
        )
        self.arrow_button.setText(self.tr("Arrow"))
        self.rect_button.setText(self.tr("Rectangle"))
        self.text_button.setText(self.tr("Text"))
        self.text.setPlaceholderText(self.tr("Text to place: choose Text, then click the still"))
        self.undo_button.setText(self.tr("Undo"))
        self.labels[0].setText(self.tr("Note"))
        self.save_button.setText(self.tr("Save annotation"))
        self.cancel_button.setText(self.tr("Close"))
        self._update()

    def _tool(self, tool: str) -> None:
        self.canvas.tool = tool
        if tool == "text":
            self.text.setFocus()

    def _update(self) -> None:
        n = len(self.canvas.shapes)
        self.count.setText(
            self.tr(
                "Shapes: %1. The still itself is never changed: the annotation is kept beside it."
            ).replace("%1", str(n))
        )
        self.save_button.setEnabled(n > 0)
        self.undo_button.setEnabled(n > 0)

    def _save(self) -> None:
        if not self.canvas.shapes:
            return
        self.save_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Saving…"))
        note = self.note.toPlainText().strip()[:MAX_NOTE]
        self.save_requested.emit((self.item.sha256, tuple(self.canvas.shapes), note))

    def result_arrived(self, outcome: ActOutcome) -> None:
        """The hub's answer: saved (the dialog closes) or refused (why, and try again)."""
        if outcome.ok:
            self.status.setText(self.tr("Annotation saved"))
            self.accept()
            return
        self.status.setStyleSheet("color:#b71c1c")
        self.status.setText(outcome.message)
        self.save_button.setEnabled(True)
