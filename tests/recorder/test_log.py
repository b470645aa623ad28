"""The action log writer and strict reader: chain, checkpoints, kinds, durability, repair."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.canonical import canonical_json
from recorder.chain import GENESIS, entry_hash
from recorder.checkpoints import checkpoint_signature_valid, public_key_hex
from recorder.clock import SessionClock, format_utc
from recorder.errors import RecorderError, UnreadableError
from recorder.kinds import LogFormatError, UnknownKindError, register_kind
from recorder.log import ActionLog, LogChangedError, read_log
from recorder.merkle import inclusion_proof, merkle_root, verify_inclusion

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def clock() -> SessionClock:
    return SessionClock(0.0, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))


def new_log(tmp_path: Path, key: Ed25519PrivateKey = KEY) -> ActionLog:
    return ActionLog.create(
        tmp_path / "action", clock=clock(), signing_key=key, action_id="A-1", data={"case": "7"}
    )


def test_create_writes_session_started_with_the_public_key(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.close()
    path = tmp_path / "action" / "log.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [first] = read_log(path)
    assert first.seq == 0 and first.kind == "session_started" and first.prev == GENESIS
    assert first.data["public_key"] == public_key_hex(KEY)
    assert first.data["action_id"] == "A-1" and first.data["case"] == "7"
    assert path.read_bytes() == first.line() + b"\n"
    assert first.line() == canonical_json(json.loads(first.line()))


def test_entries_are_chained_and_timed(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    a = log.append("marker", {"note": "start of questioning"}, t=12.5)
    b = log.append("recording_paused", {"reason": "break"}, t=60.0)
    log.close()
    assert a.prev == log.entries[0].hash and b.prev == a.hash
    body = {k: v for k, v in json.loads(a.line()).items() if k != "hash"}
    assert a.hash == entry_hash(a.prev, body)
    assert a.utc == format_utc(clock().to_utc(12.5)) == "2026-11-29T06:00:12.500000Z"
    assert read_log(tmp_path / "action") == [log.entries[0], a, b]


def test_checkpoint_signs_the_root_of_the_entries_before_it(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    for i in range(4):
        log.append("marker", {"note": f"n{i}"})
    lines = [e.line() for e in log.entries]
    cp = log.checkpoint()
    log.close()
    assert cp.data["tree_size"] == 5 == cp.seq
    assert cp.data["root"] == merkle_root(lines).hex()
    assert checkpoint_signature_valid(cp.data, "A-1", public_key_hex(KEY)) == (True, "")
    other = public_key_hex(Ed25519PrivateKey.generate())
    assert not checkpoint_signature_valid(cp.data, "A-1", other)[0]
    assert not checkpoint_signature_valid(cp.data, "A-2", public_key_hex(KEY))[0]
    assert log.size == 6 and log.root == merkle_root([e.line() for e in log.entries])
    root = bytes.fromhex(cp.data["root"])
    assert verify_inclusion(lines[3], 3, 5, inclusion_proof(lines, 3), root)


def test_unknown_kind_is_refused_on_append_and_on_read(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    with pytest.raises(UnknownKindError, match="unknown entry kind 'exhibit_shwn'"):
        log.append("exhibit_shwn", {})
    with pytest.raises(RecorderError, match="'checkpoint' is written by ActionLog"):
        log.append("checkpoint", {})
    with pytest.raises(LogFormatError, match="segment_sealed data has no field 'file'"):
        log.append("segment_sealed", {"track": "w", "index": 0})
    log.close()
    assert len(read_log(tmp_path / "action")) == 1  # nothing refused reached the file

    # a well-formed, correctly chained entry of an unregistered kind is still refused on read
    path = tmp_path / "action" / "log.jsonl"
    first = read_log(path)[0]
    body = {"seq": 1, "kind": "mystery", "t": 1, "utc": first.utc, "data": {}, "prev": first.hash}
    body["hash"] = entry_hash(first.hash, body)
    with path.open("ab") as f:
        f.write(canonical_json(body) + b"\n")
    with pytest.raises(UnknownKindError, match=r"line 2: .*unknown entry kind 'mystery'"):
        read_log(path)


def test_registered_kinds_can_be_added(tmp_path: Path) -> None:
    register_kind("test_exhibit_shown", {"exhibit": (str,)})
    log = new_log(tmp_path)
    e = log.append("test_exhibit_shown", {"exhibit": "photo 3"})
    with pytest.raises(LogFormatError, match="field 'exhibit' is 3, expected string"):
        log.append("test_exhibit_shown", {"exhibit": 3})
    log.close()
    assert read_log(tmp_path / "action")[-1] == e


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda o: o.pop("prev"), "line 2: missing field 'prev'"),
        (lambda o: o.update(extra=1), "line 2: unknown field 'extra'"),
        (lambda o: o.update(seq="1"), "seq '1', expected an integer"),
        (lambda o: o["data"].pop("note"), "marker data has no field 'note'"),
        (lambda o: o.update(utc="yesterday"), "'yesterday' is not a UTC time"),
    ],
)
def test_reader_errors_name_the_line_and_the_field(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], message: str
) -> None:
    log = new_log(tmp_path)
    log.append("marker", {"note": "x"})
    log.close()
    path = tmp_path / "action" / "log.jsonl"
    first, second = path.read_bytes().splitlines()
    obj = json.loads(second)
    edit(obj)
    path.write_bytes(first + b"\n" + json.dumps(obj).encode() + b"\n")
    with pytest.raises(LogFormatError, match=message):
        read_log(path)


def test_reader_refuses_non_canonical_lines_and_torn_tails(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.append("marker", {"note": "x"})
    log.close()
    path = tmp_path / "action" / "log.jsonl"
    first, second = path.read_bytes().splitlines()
    path.write_bytes(
        first
        + b"\n"
        + json.dumps(json.loads(second), indent=1).encode().replace(b"\n", b"")
        + b"\n"
    )
    with pytest.raises(LogFormatError, match="line 2: not in canonical form"):
        read_log(path)
    path.write_bytes(first + b"\n" + second[:40])
    with pytest.raises(LogFormatError, match="line 2: incomplete last line"):
        read_log(path)
    with pytest.raises(UnreadableError, match="no action log"):
        read_log(tmp_path / "nowhere")


def test_size_changed_under_the_writer_is_refused(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.append("marker", {"note": "before"})
    path = tmp_path / "action" / "log.jsonl"
    with path.open("ab") as f:
        f.write(b'{"forged":true}\n')
    with pytest.raises(LogChangedError, match=r"it is \d+ bytes, the writer expected \d+"):
        log.append("marker", {"note": "after"})
    with pytest.raises(LogChangedError):
        log.checkpoint()
    log.close()


def test_replaced_file_is_refused(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    path = tmp_path / "action" / "log.jsonl"
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)
    with pytest.raises(LogChangedError, match="was replaced"):
        log.append("marker", {"note": "x"})
    log.close()


def test_existing_log_is_never_overwritten(tmp_path: Path) -> None:
    new_log(tmp_path).close()
    before = (tmp_path / "action" / "log.jsonl").read_bytes()
    with pytest.raises(RecorderError, match="already exists"):
        new_log(tmp_path)
    assert (tmp_path / "action" / "log.jsonl").read_bytes() == before


def test_closed_log_refuses_appends(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.close()
    log.close()
    with pytest.raises(RecorderError, match="is closed"):
        log.append("marker", {"note": "late"})


def test_appends_from_many_threads_stay_chained(tmp_path: Path) -> None:
    log = new_log(tmp_path)

    def worker(n: int) -> None:
        for i in range(25):
            log.append("marker", {"note": f"{n}-{i}"})
            if i % 10 == 0:
                log.checkpoint()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    log.close()
    entries = read_log(tmp_path / "action")
    assert len(entries) == 1 + 4 * 25 + 4 * 3
    notes = {e.data["note"] for e in entries if e.kind == "marker"}
    assert len(notes) == 100


def test_private_key_is_never_written(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.checkpoint()
    log.close()
    secret = KEY.private_bytes_raw()
    for p in (tmp_path / "action").rglob("*"):
        data = p.read_bytes()
        assert secret not in data and secret.hex().encode() not in data
    assert sorted(os.listdir(tmp_path / "action")) == ["log.jsonl"]


def test_line_is_the_canonical_encoding_of_the_entry(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    data = {
        "note": "Показания свидетеля €",
        "nested": {"b": [1, 2.5, None, True], "a": {"é": 1e-7, "z": 10**15}},
        "\u00e9": "sorted by UTF-16 code units",
        "\U0001f600": 0.1 + 0.2,
    }
    e = log.append("marker", data, t=1 / 3)
    log.close()
    assert e.line() == canonical_json(e.to_json())
    body = {k: v for k, v in e.to_json().items() if k != "hash"}
    assert e.hash == entry_hash(e.prev, body) == e.expected_hash()
    assert e.t == 0.333333
    assert read_log(tmp_path / "action")[-1] == e
