from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.access_log import AccessLog, AccessLogError
from recorder.canonical import canonical_json

RULES = "Данные досудебного расследования не подлежат разглашению (ст. 201 УПК РК)."


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "action.asice"
    path.write_bytes(b"PK\x03\x04 container bytes")
    return path


def test_acceptances_are_chained_and_survive_reopening(tmp_path: Path, record: Path) -> None:
    log = AccessLog(tmp_path / "access-log.jsonl")
    first = log.accept(
        reviewer="Иванов И.И.", role="prosecutor", record=record, rules_text=RULES, language="ru"
    )
    second = log.accept(
        reviewer="Smith", role="defender", record=record, rules_text=RULES, language="en"
    )
    assert second.prev == first.hash
    assert first.record_sha256 == second.record_sha256
    again = AccessLog(tmp_path / "access-log.jsonl")
    assert [e.reviewer for e in again.entries] == ["Иванов И.И.", "Smith"]
    assert stat.S_IMODE((tmp_path / "access-log.jsonl").stat().st_mode) == 0o600


def test_signed_acceptance_verifies_with_the_reviewers_key(tmp_path: Path, record: Path) -> None:
    key = Ed25519PrivateKey.generate()
    entry = AccessLog(tmp_path / "a.jsonl").accept(
        reviewer="Judge",
        role="judge",
        record=record,
        rules_text=RULES,
        language="en",
        sign=key.sign,
    )
    import base64

    assert entry.signature is not None
    key.public_key().verify(base64.b64decode(entry.signature), canonical_json(entry.body()))


def test_edited_entry_is_detected(tmp_path: Path, record: Path) -> None:
    path = tmp_path / "a.jsonl"
    AccessLog(path).accept(
        reviewer="A", role="judge", record=record, rules_text=RULES, language="kk"
    )
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["reviewer"] = "B"
    path.write_text(json.dumps(raw) + "\n", encoding="utf-8")
    with pytest.raises(AccessLogError, match="line 1: hash mismatch"):
        AccessLog(path)


def test_writer_refuses_when_file_changed_behind_it(tmp_path: Path, record: Path) -> None:
    path = tmp_path / "a.jsonl"
    log = AccessLog(path)
    log.accept(reviewer="A", role="judge", record=record, rules_text=RULES, language="kk")
    with path.open("ab") as f:
        f.write(b"junk\n")
    with pytest.raises(AccessLogError, match="changed size behind the writer"):
        log.accept(reviewer="B", role="judge", record=record, rules_text=RULES, language="kk")


def test_empty_reviewer_is_refused_and_nothing_written(tmp_path: Path, record: Path) -> None:
    path = tmp_path / "a.jsonl"
    with pytest.raises(AccessLogError, match="reviewer name is empty"):
        AccessLog(path).accept(
            reviewer=" ", role="judge", record=record, rules_text=RULES, language="kk"
        )
    assert not path.exists()
