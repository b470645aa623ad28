"""Crash repair of the action log and resuming it with a new key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.checkpoints import checkpoint_signature_valid, public_key_hex
from recorder.clock import SessionClock
from recorder.errors import UnreadableError
from recorder.kinds import LogFormatError
from recorder.log import ActionLog, read_log


def clock() -> SessionClock:
    return SessionClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))


def make(tmp_path: Path, n: int = 5) -> Path:
    log = ActionLog.create(
        tmp_path / "a", clock=clock(), signing_key=Ed25519PrivateKey.generate(), action_id="A"
    )
    for i in range(n):
        log.append("marker", {"note": f"m{i}"}, t=float(i))
    log.checkpoint()
    log.close()
    return tmp_path / "a"


@pytest.mark.parametrize("cut", [1, 17, -1])
def test_repair_cuts_only_a_torn_last_line(tmp_path: Path, cut: int) -> None:
    action = make(tmp_path)
    path = action / "log.jsonl"
    complete = path.read_bytes()
    entry = b'{"data":{"note":"torn"},"hash":"00","kind":"marker"}\n'
    torn = entry[:cut]  # cut -1: the whole line but its newline
    path.write_bytes(complete + torn)
    result = ActionLog.repair(action)
    assert path.read_bytes() == complete
    assert (result.entries_kept, result.entries_dropped) == (7, 1)
    assert result.bytes_dropped == len(torn) and result.tail == torn
    assert len(read_log(action)) == 7


def test_repair_of_an_intact_log_changes_nothing(tmp_path: Path) -> None:
    action = make(tmp_path)
    before = (action / "log.jsonl").read_bytes()
    result = ActionLog.repair(action)
    assert (result.entries_dropped, result.bytes_dropped) == (0, 0)
    assert (action / "log.jsonl").read_bytes() == before


def test_repair_never_removes_a_complete_entry(tmp_path: Path) -> None:
    action = make(tmp_path)
    path = action / "log.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"m2"', b'"mX"')  # a damaged complete entry in the middle
    damaged = b"\n".join(lines) + b"half an entry"
    path.write_bytes(damaged)
    with pytest.raises(LogFormatError, match=r"line 4: .*leaves complete entries alone"):
        ActionLog.repair(action)
    assert path.read_bytes() == damaged


def test_repair_of_a_log_without_a_complete_entry_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "log.jsonl").write_bytes(b'{"data":')
    with pytest.raises(UnreadableError, match="no complete entry"):
        ActionLog.repair(tmp_path / "a")


def test_resume_rotates_the_key_and_later_checkpoints_verify(tmp_path: Path) -> None:
    action = make(tmp_path)
    path = action / "log.jsonl"
    path.write_bytes(path.read_bytes() + b'{"torn')
    ActionLog.repair(action)
    new_key = Ed25519PrivateKey.generate()
    log = ActionLog.resume(action, clock=clock(), signing_key=new_key)
    log.append("crash_recovered", {"from": 5.0, "to": 9.0}, t=9.0)
    cp = log.checkpoint()
    log.close()
    entries = read_log(action)
    rotated = entries[7]
    assert rotated.kind == "key_rotated"
    assert rotated.data["public_key"] == public_key_hex(new_key)
    assert cp.data["tree_size"] == 9 and entries[-1] == cp
    assert checkpoint_signature_valid(cp.data, "A", public_key_hex(new_key))[0]


def test_resume_refuses_a_torn_log(tmp_path: Path) -> None:
    action = make(tmp_path)
    path = action / "log.jsonl"
    path.write_bytes(path.read_bytes() + b'{"torn')
    with pytest.raises(LogFormatError, match="incomplete last line"):
        ActionLog.resume(action, clock=clock(), signing_key=Ed25519PrivateKey.generate())
