from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from app.core.errors import StorageError
from app.core.paths import DataPaths
from app.core.storage.db import Database, head_revision


def test_schema_created_by_migrations_in_wal_mode(tmp_path: Path) -> None:
    db = Database(tmp_path / "tergeu.db")
    assert db.revision() == head_revision()
    assert db.journal_mode() == "wal"
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "tergeu.db").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"cases", "actions", "participants", "alembic_version"} <= tables
    assert stat.S_IMODE((tmp_path / "tergeu.db").stat().st_mode) == 0o600


def test_reopen_keeps_data_and_does_not_remigrate(tmp_path: Path) -> None:
    Database(tmp_path / "tergeu.db").add_case("123456789012", "Кража")
    again = Database(tmp_path / "tergeu.db")
    assert [(c.erdr_number, c.title) for c in again.cases()] == [("123456789012", "Кража")]


def test_duplicate_case_is_a_clear_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "tergeu.db")
    db.add_case("123456789012")
    with pytest.raises(StorageError, match="already exists"):
        db.add_case("123456789012")


def test_unreadable_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "tergeu.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot open database"):
        Database(bad)


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERGEU_DATA_DIR", str(tmp_path / "env"))
    assert DataPaths.resolve().root == (tmp_path / "env").resolve()
    assert DataPaths.resolve(tmp_path / "arg").root == (tmp_path / "arg").resolve()
    monkeypatch.delenv("TERGEU_DATA_DIR")
    assert "tergeu" in str(DataPaths.resolve().root)
    paths = DataPaths.resolve(tmp_path / "d").ensure()
    assert stat.S_IMODE(paths.actions.stat().st_mode) == 0o700


def test_upgrade_from_0001_keeps_actions_and_adds_the_ground(tmp_path: Path) -> None:
    """A database made by the first release is upgraded in place at start, data intact."""
    import sqlalchemy as sa
    from alembic import command

    from app.core.storage.db import _alembic_config

    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        cfg = _alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
        connection.execute(
            sa.text(
                "INSERT INTO cases (id, erdr_number, title, created_at) "
                "VALUES (1, '123456789012345', 'Old case', '2026-11-01 10:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO actions (id, case_id, type, state, language, investigator_place, "
                "remote_place) VALUES ('old-1', 1, 'remote_interrogation_witness', 'sealed', "
                "'ru', 'Astana', 'Almaty')"
            )
        )
    engine.dispose()
    db = Database(path)
    assert db.revision() == head_revision() != "0001"
    action = db.action("old-1")
    assert (action.state, action.ground, action.remote_place) == ("sealed", "", "Almaty")
    db.close()
