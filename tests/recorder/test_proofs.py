"""One entry (a sealed segment) proven part of the signed record without the rest of the log."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recorder.checkpoints import public_key_hex
from recorder.errors import RecorderError
from recorder.log import read_log
from recorder.proofs import EntryProof, prove_entry, verify_entry_proof
from tests.recorder.test_verify_recording import build_recording

KEY = Ed25519PrivateKey.generate()
PUB = public_key_hex(KEY)


@pytest.fixture
def action(tmp_path: Path) -> Path:
    return build_recording(tmp_path, key=KEY)


def test_every_entry_covered_by_a_checkpoint_is_proven(action: Path) -> None:
    entries = read_log(action)
    covered = [e.seq for e in entries if e.seq < entries[-1].data["tree_size"]]
    for seq in covered:
        proof = prove_entry(action, seq)
        assert verify_entry_proof(proof, PUB) == (True, "")
        assert proof.entry == entries[seq]
        # the first checkpoint after the entry: the proof is as small as the record allows
        assert proof.tree_size == next(e.seq for e in entries[seq + 1 :] if e.kind == "checkpoint")
    segment = next(e for e in entries if e.kind == "segment_sealed")
    proof = prove_entry(action, segment.seq)
    assert json.loads(proof.line)["data"]["sha256"] == segment.data["sha256"]
    assert json.loads(json.dumps(proof.to_dict()))["path"] == [p.hex() for p in proof.path]


def test_changed_line_path_or_key_do_not_verify(action: Path) -> None:
    seq = next(e.seq for e in read_log(action) if e.kind == "segment_sealed")
    proof = prove_entry(action, seq)
    forged_line = proof.line.replace(b'"size":', b'"size":1')
    assert verify_entry_proof(dataclasses.replace(proof, line=forged_line), PUB)[1].startswith(
        f"entry {seq} is not leaf {seq} of the signed tree"
    )
    bad_path = (bytes(32), *proof.path[1:])
    assert not verify_entry_proof(dataclasses.replace(proof, path=bad_path), PUB)[0]
    other = public_key_hex(Ed25519PrivateKey.generate())
    ok, why = verify_entry_proof(proof, other)
    assert not ok and why.startswith("checkpoint: signed with key")
    moved = dataclasses.replace(proof, index=seq + 1)  # the same line claimed at another place
    assert not verify_entry_proof(moved, PUB)[0]


def test_entry_after_the_last_checkpoint_has_no_proof(tmp_path: Path) -> None:
    action = build_recording(tmp_path, final_checkpoint=False, key=KEY)
    last = read_log(action)[-1]
    with pytest.raises(RecorderError, match=rf"entry {last.seq} \(track_ended\) was logged after"):
        prove_entry(action, last.seq)
    with pytest.raises(RecorderError, match="entries 0 to"):
        prove_entry(action, 10_000)


def test_proof_fields_are_checked_on_construction(action: Path) -> None:
    proof = prove_entry(action, 1)
    with pytest.raises(ValueError, match="outside a tree"):
        EntryProof(proof.action_id, proof.line, 99, 5, proof.path, proof.checkpoint)
    with pytest.raises(ValueError, match="checkpoint covers"):
        dataclasses.replace(proof, tree_size=proof.tree_size + 1)
