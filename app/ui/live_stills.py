"""The investigator's "Stills" dock in the live window: the action's scene stills and the experts'
annotations as they are logged, and a viewer that opens a still with its annotations drawn.

Driven by the session core's events (:class:`app.core.hub.StillStored` and
:class:`app.core.hub.AnnotationStored`, re-emitted on the GUI thread by the bridge). Stills are
numbered as in the protocol's photo table. Opening one reads the sealed files on the core's
thread (:func:`app.core.annotations.annotated_still` checks each file's SHA-256 and draws the
marks on a copy); nothing here writes evidence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.annotations import annotated_still
from app.core.evidence import EvidenceFile
from app.core.hub import AnnotationStored, ParticipantEvent, StillStored
from app.ui.bridge import EventBridge

VIEW_MAX = (1000, 700)  # the viewer's picture at most, in screen pixels
MIN_WIDTH = 280
DOCK_WIDTH = 340


def _time(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M:%S")


@dataclass
class LiveStill:
    """A scene still of the action and the annotations logged on it so far."""

    number: int
    event: StillStored
    item: QTreeWidgetItem  # its row in the list
    annotations: list[AnnotationStored] = field(default_factory=list)


class LiveStillsPanel(QWidget):
    """Stills (number, caption, whose camera, time, who took it) with their annotations below."""

    COLUMNS = 2  # the number; the caption over whose camera, when and by whom

    def __init__(
        self,
        bridge: EventBridge,
        action_dir: Path,
        name_of: Callable[[str], str] = str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("liveStillsPanel")
        self.bridge = bridge
        self.action_dir = action_dir
        self.name_of = name_of
        self.names: dict[str, str] = {}
        self.stills: dict[str, LiveStill] = {}  # by the still's SHA-256
        self.viewers: list[StillViewer] = []
        self.open_button = QPushButton()
        self.open_button.setObjectName("openStillButton")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected)
        self.tree = QTreeWidget()
        self.tree.setObjectName("liveStillsList")
        self.tree.setColumnCount(self.COLUMNS)
        self.tree.setRootIsDecorated(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setWordWrap(False)  # one line each: caption, camera, time and author
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setMinimumWidth(MIN_WIDTH)
        self.tree.itemDoubleClicked.connect(lambda *_: self.open_selected())
        self.tree.itemSelectionChanged.connect(
            lambda: self.open_button.setEnabled(self.selected() is not None)
        )
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color:#666")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        bridge.core_event.connect(self.on_event)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        dock = self.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.setWindowTitle(self.tr("Stills"))
        self.tree.setHeaderLabels([self.tr("No."), self.tr("Still")])
        self.tree.setAccessibleName(self.tr("Stills and annotations"))
        self.empty.setText(
            self.tr("No stills yet. Stills taken and experts' annotations appear here.")
        )
        self.open_button.setText(self.tr("Open still…"))
        for still in self.stills.values():
            self._fill(still)

    # --- events ----------------------------------------------------------------------------

    def on_event(self, event: object) -> None:
        if isinstance(event, ParticipantEvent):
            self.names[event.participant_id] = event.display_name
        elif isinstance(event, StillStored) and event.kind == "scene":
            self._add_still(event)
        elif isinstance(event, AnnotationStored):
            self._add_annotation(event)

    def _name(self, pid: str) -> str:
        named = self.name_of(pid)
        return self.names.get(pid, named) if named == pid else named

    def _add_still(self, event: StillStored) -> None:
        if event.evidence.sha256 in self.stills:
            return
        item = QTreeWidgetItem()
        item.setData(0, Qt.ItemDataRole.UserRole, event.evidence.sha256)
        still = LiveStill(len(self.stills) + 1, event, item)
        self.stills[event.evidence.sha256] = still
        self.tree.addTopLevelItem(item)
        self._fill(still)
        self.empty.setVisible(False)
        if self.tree.currentItem() is None:
            self.tree.setCurrentItem(item)

    def _add_annotation(self, event: AnnotationStored) -> None:
        still = self.stills.get(event.still.sha256)
        if still is None:  # stored before this window listened: nothing to hang it on
            return
        still.annotations.append(event)
        self._fill(still)
        still.item.setExpanded(True)
        for viewer in self.viewers:
            if viewer.still is still and viewer.isVisible():
                self._load(viewer)

    def _fill(self, still: LiveStill) -> None:
        """Row of a still: its number, then the caption, whose camera, and when and by whom;
        one row under it per annotation (what, the note, when and by whom)."""
        e, item = still.event, still.item
        item.setText(0, str(still.number))
        camera = self.tr("camera: %1").replace("%1", self._name(e.participant_id))
        by = self.tr("%1 · by %2").replace("%1", _time(e.at)).replace("%2", self._name(e.author))
        details = f"{camera}\n{by}"
        item.setText(1, f"{e.caption}\n{details}")
        tip = f"{e.width}×{e.height}, {e.evidence.file}, SHA-256 {e.evidence.sha256}"
        item.setToolTip(1, f"{e.caption}\n{details}\n{tip}")
        while item.childCount() < len(still.annotations):
            item.addChild(QTreeWidgetItem())
        for i, a in enumerate(still.annotations):
            child = item.child(i)
            assert child is not None
            child.setData(0, Qt.ItemDataRole.UserRole, e.evidence.sha256)
            child.setText(0, "✎")
            marks = self.tr("Annotation, marks: %1").replace("%1", str(a.shapes))
            head = f"{marks} — {a.note}" if a.note else marks
            by = (
                self.tr("%1 · by %2").replace("%1", _time(a.at)).replace("%2", self._name(a.author))
            )
            child.setText(1, f"{head}\n{by}")
            child.setToolTip(1, f"{head}\n{by}\n{a.evidence.file}, SHA-256 {a.evidence.sha256}")

    # --- viewer ----------------------------------------------------------------------------

    def selected(self) -> LiveStill | None:
        current = self.tree.currentItem()
        return self.stills.get(current.data(0, Qt.ItemDataRole.UserRole)) if current else None

    def open_selected(self) -> StillViewer | None:
        """Open the selected still with every annotation logged on it drawn on a copy."""
        still = self.selected()
        if still is None:
            return None
        viewer = StillViewer(still, self._name, self)
        self.viewers = [v for v in self.viewers if v.isVisible()] + [viewer]
        viewer.show()
        self._load(viewer)
        return viewer

    def _load(self, viewer: StillViewer) -> None:
        still = viewer.still
        annotations: list[EvidenceFile] = [a.evidence for a in still.annotations]
        count = len(annotations)
        viewer.loading()
        self.bridge.run(
            asyncio.to_thread(annotated_still, self.action_dir, still.event.evidence, annotations),
            on_result=lambda png: viewer.show_image(png, count),
            on_error=viewer.show_error,
        )


class StillViewer(QDialog):
    """One still at a readable size with the experts' marks drawn on a copy, and its details."""

    def __init__(
        self, still: LiveStill, name_of: Callable[[str], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stillViewer")
        self.still = still
        self.name_of = name_of
        self.drawn = 0  # how many annotations the picture shows
        self.image = QImage()
        self.picture = QLabel()
        self.picture.setObjectName("stillPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        self.details = QLabel()
        self.details.setObjectName("stillDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setObjectName("stillViewerStatus")
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(VIEW_MAX[0] + 40, VIEW_MAX[1] + 200)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        s, e = self.still, self.still.event
        self.setWindowTitle(
            self.tr("Still No. %1 — %2").replace("%1", str(s.number)).replace("%2", e.caption)
        )
        lines = [
            self.tr("Camera of %1, taken by %2 at %3; %4×%5")
            .replace("%1", self.name_of(e.participant_id))
            .replace("%2", self.name_of(e.author))
            .replace("%3", _time(e.at))
            .replace("%4", str(e.width))
            .replace("%5", str(e.height)),
            f"{e.evidence.file}, SHA-256 {e.evidence.sha256}",
        ]
        for a in s.annotations[: self.drawn]:
            note = f" — {a.note}" if a.note else ""
            lines.append(
                self.tr("Annotation by %1 at %2, marks: %3")
                .replace("%1", self.name_of(a.author))
                .replace("%2", _time(a.at))
                .replace("%3", str(a.shapes))
                + note
                + f" ({a.evidence.file}, SHA-256 {a.evidence.sha256[:16]}…)"
            )
        self.details.setText("\n".join(lines))
        if self.drawn:
            self.status.setText(
                self.tr("The marks are drawn on a copy; the original still is unchanged.")
            )

    def loading(self) -> None:
        self.status.setStyleSheet("color:#666")
        self.status.setText(self.tr("Opening the still and checking its SHA-256…"))

    def show_image(self, png: bytes, drawn: int) -> None:
        self.image = QImage.fromData(png)
        self.drawn = drawn
        pixmap = QPixmap.fromImage(self.image).scaled(
            *VIEW_MAX,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.picture.setPixmap(pixmap)
        self.status.setStyleSheet("color:#1b5e20")
        self.status.setText("")
        self.retranslate()

    def show_error(self, error: BaseException) -> None:
        self.status.setStyleSheet("color:#b71c1c")
        self.status.setText(self.tr("The still cannot be shown: %1").replace("%1", str(error)))


def add_stills_dock(
    window: QMainWindow, bridge: EventBridge, action_dir: Path, name_of: Callable[[str], str]
) -> LiveStillsPanel:
    """Put the "Stills" dock on the right of ``window``; returns its panel."""
    dock = QDockWidget(window)
    dock.setObjectName("stillsDock")
    panel = LiveStillsPanel(bridge, action_dir, name_of, dock)
    dock.setWidget(panel)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
    panel.retranslate()  # the dock's title
    return panel
