"""Starting a planned action's live session from the start screen.

The camera and microphone are opened first (a missing device is a clear error, not a silent test
picture), then the session core starts on the core thread — recording before anything else — and
the live window opens when the signaling server is listening.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.core.config import Config
from app.core.devices import open_devices
from app.core.finish import Documents, Exported
from app.core.paths import DataPaths
from app.core.record_input import entered_for_action
from app.core.runtime import CoreRuntime
from app.core.session import LiveSession
from app.core.storage.db import Database
from app.core.storage.models import ActionState
from app.ui.bridge import EventBridge
from app.ui.cosign_requests_panel import configured_server
from app.ui.finish_window import FinishWindow
from app.ui.live_window import LiveWindow, PlannedPerson
from protocol.testimony import Statement
from recorder.clock import SessionClock

if TYPE_CHECKING:
    from protocol.signing import Pkcs12Signer

# Roles whose testimony the live window's editor takes by default (the person questioned).
QUESTIONED = ("witness", "witness_with_defence", "victim", "suspect", "accused")
DEFAULT_PLANNED_SECONDS = 2 * 3600.0


def participant_id(db_id: int) -> str:
    """The participant id that names a participant's recorded tracks (``p7-video``)."""
    return f"p{db_id}"


class LiveStarter:
    """Owns the core runtime for live sessions started from the main window."""

    def __init__(self, db: Database, actions_root: Path, config: Config) -> None:
        self.db = db
        self.actions_root = actions_root
        self.config = config
        self._runtime: CoreRuntime | None = None
        self._bridge: EventBridge | None = None
        self.windows: list[LiveWindow] = []
        self.finish_windows: list[FinishWindow] = []
        self.devices: dict[str, dict[str, str]] = {}

    @property
    def bridge(self) -> EventBridge:
        if self._bridge is None:
            self._runtime = CoreRuntime()
            self._bridge = EventBridge(self._runtime)
        return self._bridge

    def start(
        self,
        action_id: str,
        parent: QWidget | None,
        on_error: Callable[[str], None],
        on_window: Callable[[LiveWindow], None] | None = None,
    ) -> None:
        """Open devices, start the session core, then show the live window."""
        action = self.db.action(action_id)
        if action.state != ActionState.PLANNED.value:
            on_error(f"action {action_id} is {action.state}; only a planned action can start")
            return
        people = [
            PlannedPerson(participant_id(p.id), p.role, p.full_name, p.iin)
            for p in self.db.participants_of(action_id)
        ]
        questioned = next((p for p in people if p.role in QUESTIONED), None)
        bridge = self.bridge
        clock = SessionClock.start()
        try:
            devices = open_devices(
                self.config["devices.camera"], self.config["devices.microphone"], clock
            )
        except Exception as e:
            on_error(str(e))
            return
        planned = DEFAULT_PLANNED_SECONDS
        if action.planned_start and action.planned_end:
            planned = max(60.0, (action.planned_end - action.planned_start).total_seconds())
        session = LiveSession(
            action_dir=self.actions_root / action_id,
            action_id=action_id,
            action_type=action.type,
            title=action.type,
            language=action.language,
            config=self.config,
            planned_seconds=planned,
            audio=devices.audio,
            video=devices.video,
            clock=clock,
            tls_folder=DataPaths(self.actions_root.parent).tls,
            invites_path=DataPaths(self.actions_root.parent).root / "invites" / f"{action_id}.json",
        )
        session.add_listener(bridge.listener)

        def started(_: object) -> None:
            self.db.set_action_state(action_id, ActionState.LIVE)
            self.devices[action_id] = devices.describe()
            window = LiveWindow(
                session,
                bridge,
                questioned.participant_id if questioned else "",
                people,
                on_finished=lambda s: self.sealed(action_id, s),
            )
            self.windows.append(window)
            window.show()
            if on_window is not None:
                on_window(window)

        def failed(error: BaseException) -> None:
            devices.close()
            on_error(str(error))

        bridge.run(session.start(), on_result=started, on_error=failed)

    def sealed(self, action_id: str, session: LiveSession) -> FinishWindow:
        """The recording is sealed: mark it, then open the protocol preview and signing."""
        self.db.set_action_state(action_id, ActionState.SEALED)
        action_dir = session.action_dir
        language = self.db.action(action_id).language
        ids = {p.id: participant_id(p.id) for p in self.db.participants_of(action_id)}

        async def documents(signer: Pkcs12Signer, corrections: str) -> Documents:
            from protocol.from_log import protocol_from_action, signed_by
            from protocol.metadata import protocol_to_json
            from protocol.render import render_pdf

            entered = entered_for_action(
                self.db,
                action_id,
                signer.identity,
                position=self.config["investigator.position"],
                agency=self.config["investigator.agency"],
                participant_ids=ids,
                devices=tuple(
                    f"{kind}: {name}" for kind, name in self.devices.get(action_id, {}).items()
                ),
            )
            proto = await asyncio.to_thread(protocol_from_action, action_dir, entered)
            if corrections:  # the investigator's corrections and additions, made at the end
                note = Statement("investigator", "correction", corrections, proto.action.end)
                proto = dataclasses.replace(proto, statements=(*proto.statements, note))
            now = datetime.now(UTC)
            proto = signed_by(proto, "investigator", signer, now)  # signer named in the record
            pdf = await asyncio.to_thread(
                render_pdf, proto, language, created=now, action_dir=action_dir
            )
            return Documents(pdf, protocol_to_json(proto), action_id)

        def exported(_: Exported) -> None:
            self.db.set_action_state(action_id, ActionState.EXPORTED)

        anchors = self.config["trust.anchors_dir"]
        case = self.db.case(self.db.action(action_id).case_id)
        window = FinishWindow(
            self.bridge,
            action_dir,
            documents,
            identity=self.config["signing.identity"],
            outbox=DataPaths(self.actions_root.parent).outbox,
            erdr_number=case.erdr_number,
            action_type=self.db.action(action_id).type,
            tsa_url=self.config["timestamp.tsa_url"],
            trust_anchors_dir=Path(anchors) if anchors else None,
            on_exported=exported,
            upload_endpoint=self.config["upload.endpoint"],
            on_uploaded=lambda _: self.db.set_action_state(action_id, ActionState.UPLOADED),
            cosign_server=configured_server(self.config, DataPaths(self.actions_root.parent).tls),
            action_title=session.title,
        )
        self.finish_windows.append(window)
        window.show()
        return window

    def shutdown(self) -> None:
        if self._runtime is not None:
            self._runtime.stop()
