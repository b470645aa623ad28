"""Opening the database: SQLite in WAL mode, foreign keys on, schema upgraded by Alembic."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.core.errors import StorageError
from app.core.storage.models import Action, ActionState, Case, Participant

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


class Database:
    """The index database of one data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        new = not path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if new:
                path.touch(mode=0o600)
            self.engine: Engine = create_engine(f"sqlite:///{path}")
            event.listen(self.engine, "connect", _on_connect)
            self.upgrade()
        except (OSError, SQLAlchemyError) as e:
            raise StorageError(f"cannot open database {path}: {e}") from e
        os.chmod(path, 0o600)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is current)."""
        with self.engine.begin() as connection:
            cfg = _alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def journal_mode(self) -> str:
        with self.engine.connect() as connection:
            return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar())

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except IntegrityError as e:
                session.rollback()
                raise StorageError(f"database constraint violated: {e.orig}") from e
            except SQLAlchemyError as e:
                session.rollback()
                raise StorageError(f"database error: {e}") from e

    # --- the few queries the start screen needs --------------------------------------------

    def add_case(self, erdr_number: str, title: str = "") -> Case:
        with self.session() as s:
            existing = s.scalar(select(Case).where(Case.erdr_number == erdr_number))
            if existing is not None:
                raise StorageError(f"a case with ERDR number {erdr_number!r} already exists")
            case = Case(erdr_number=erdr_number, title=title, created_at=datetime.now(UTC))
            s.add(case)
        return case

    def cases(self) -> Sequence[Case]:
        with self.session() as s:
            return s.scalars(select(Case).order_by(Case.created_at.desc(), Case.id.desc())).all()

    def case(self, case_id: int) -> Case:
        with self.session() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise StorageError(f"no case with id {case_id}")
            return case

    def action(self, action_id: str) -> Action:
        with self.session() as s:
            action = s.get(Action, action_id)
            if action is None:
                raise StorageError(f"no action with id {action_id!r}")
            return action

    def actions_of(self, case_id: int) -> Sequence[Action]:
        with self.session() as s:
            return s.scalars(select(Action).where(Action.case_id == case_id)).all()

    def add_action(
        self,
        *,
        action_id: str,
        case_id: int,
        type: str,
        language: str,
        investigator_place: str,
        remote_place: str,
        planned_start: datetime | None,
        planned_end: datetime | None,
        participants: Sequence[tuple[str, str, str | None, str]],
        ground: str = "",
        ground_details: str = "",
    ) -> Action:
        """Create a planned action with its participants (role, full name, IIN, contact)."""
        with self.session() as s:
            if s.get(Case, case_id) is None:
                raise StorageError(f"no case with id {case_id}")
            action = Action(
                id=action_id,
                case_id=case_id,
                type=type,
                state=ActionState.PLANNED.value,
                language=language,
                ground=ground,
                ground_details=ground_details,
                investigator_place=investigator_place,
                remote_place=remote_place,
                planned_start=planned_start,
                planned_end=planned_end,
            )
            s.add(action)
            for role, full_name, iin, contact in participants:
                s.add(
                    Participant(
                        action_id=action_id,
                        role=role,
                        full_name=full_name,
                        iin=iin,
                        contact=contact,
                    )
                )
        return action

    def participants_of(self, action_id: str) -> Sequence[Participant]:
        with self.session() as s:
            return s.scalars(
                select(Participant)
                .where(Participant.action_id == action_id)
                .order_by(Participant.id)
            ).all()

    def set_action_state(self, action_id: str, state: ActionState) -> None:
        """Move an action on; going live stamps its actual start, sealing its actual end."""
        with self.session() as s:
            action = s.get(Action, action_id)
            if action is None:
                raise StorageError(f"no action with id {action_id!r}")
            action.state = state.value
            if state is ActionState.LIVE and action.actual_start is None:
                action.actual_start = datetime.now(UTC)
            elif state is ActionState.SEALED and action.actual_end is None:
                action.actual_end = datetime.now(UTC)

    def close(self) -> None:
        self.engine.dispose()
