"""Prove one log entry (e.g. one sealed segment) part of a signed record, without the rest.

:func:`prove_entry` gives the entry's canonical line, the RFC 6962 audit path to the root of the
first signed checkpoint that covers it, and that checkpoint (root, tree size, Ed25519 signature,
public key). :func:`verify_entry_proof` needs nothing else but the action id and the public key
the verifier trusts (the one in ``session_started``, certified by the signed protocol): a person
holding one segment file, its log line and this proof can show the segment is in the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recorder.checkpoints import checkpoint_signature_valid
from recorder.entries import LogEntry, parse_line
from recorder.errors import RecorderError
from recorder.kinds import LogFormatError
from recorder.log import read_log
from recorder.merkle import HASH_SIZE, inclusion_proof, verify_inclusion


@dataclass(frozen=True)
class EntryProof:
    """An entry, its audit path and the signed checkpoint whose root the path leads to."""

    action_id: str
    line: bytes  # the entry's canonical log line (without the newline)
    index: int  # its seq = its leaf index
    tree_size: int
    path: tuple[bytes, ...]
    checkpoint: Mapping[str, Any]  # the checkpoint entry's data: tree_size, root, key, signature

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.tree_size:
            raise ValueError(f"entry {self.index} is outside a tree of {self.tree_size} entries")
        if self.checkpoint.get("tree_size") != self.tree_size:
            raise ValueError(
                f"checkpoint covers {self.checkpoint.get('tree_size')} entries, the proof "
                f"{self.tree_size}"
            )
        if any(len(p) != HASH_SIZE for p in self.path):
            raise ValueError(f"audit path hashes must be {HASH_SIZE} bytes")

    @property
    def entry(self) -> LogEntry:
        """The proven entry, parsed strictly."""
        return parse_line(self.line, what=f"proven entry {self.index}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (hex for bytes)."""
        return {
            "action_id": self.action_id,
            "line": self.line.decode(),
            "index": self.index,
            "tree_size": self.tree_size,
            "path": [p.hex() for p in self.path],
            "checkpoint": dict(self.checkpoint),
        }


def prove_entry(action_dir: Path | str, seq: int) -> EntryProof:
    """Proof that entry ``seq`` of ``action_dir``'s log is in its first covering checkpoint.

    Raises :class:`RecorderError` naming the entry if no signed checkpoint covers it yet (it was
    logged after the last one).
    """
    entries = read_log(Path(action_dir))
    if not 0 <= seq < len(entries):
        raise RecorderError(f"entry {seq}: the log has entries 0 to {len(entries) - 1}")
    checkpoint = next(
        (e for e in entries[seq + 1 :] if e.kind == "checkpoint" and e.data["tree_size"] > seq),
        None,
    )
    if checkpoint is None:
        raise RecorderError(
            f"entry {seq} ({entries[seq].kind}) was logged after the last signed checkpoint: "
            "no signed root covers it"
        )
    size = int(checkpoint.data["tree_size"])
    lines = [e.line() for e in entries[:size]]
    return EntryProof(
        action_id=str(entries[0].data["action_id"]),
        line=lines[seq],
        index=seq,
        tree_size=size,
        path=tuple(inclusion_proof(lines, seq)),
        checkpoint=dict(checkpoint.data),
    )


def verify_entry_proof(proof: EntryProof, public_key: str) -> tuple[bool, str]:
    """Whether ``proof`` holds for a checkpoint signed by ``public_key`` (hex); why not if not."""
    try:
        root = bytes.fromhex(str(proof.checkpoint["root"]))
    except (KeyError, ValueError) as e:
        return False, f"malformed checkpoint root: {e}"
    valid, why = checkpoint_signature_valid(proof.checkpoint, proof.action_id, public_key)
    if not valid:
        return False, f"checkpoint: {why}"
    if not verify_inclusion(proof.line, proof.index, proof.tree_size, proof.path, root):
        return False, (
            f"entry {proof.index} is not leaf {proof.index} of the signed tree of "
            f"{proof.tree_size} entries (the line or the path was changed)"
        )
    try:
        entry = proof.entry
    except LogFormatError as e:
        return False, f"the proven line is not a valid entry: {e}"
    if entry.seq != proof.index:
        return False, f"the proven line says seq {entry.seq}, the proof {proof.index}"
    return True, ""
