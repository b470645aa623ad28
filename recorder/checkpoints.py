"""Signed checkpoints of the action log.

A checkpoint entry's data is ``{"tree_size": N, "root": <hex>, "public_key": <hex>,
"signature": <hex>}``: the RFC 6962 root of the first N log entries (every entry before the
checkpoint, so N is the checkpoint's own ``seq``), signed with the action's Ed25519 key. The
signed message is ``tergeu-checkpoint/v1`` + a zero byte + the canonical JSON of
``{"action_id", "tree_size", "root"}``, so a signature cannot be moved to another action or size.
The private key lives only in memory; its public key is in ``session_started`` (or the latest
``key_rotated`` entry after crash recovery).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from recorder.canonical import canonical_json

DOMAIN = b"tergeu-checkpoint/v1\x00"


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key as lowercase hex (the form used in the log)."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def checkpoint_message(action_id: str, tree_size: int, root: bytes) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    body = {"action_id": action_id, "tree_size": tree_size, "root": root.hex()}
    return DOMAIN + canonical_json(body)


def sign_checkpoint(
    key: Ed25519PrivateKey, action_id: str, tree_size: int, root: bytes
) -> dict[str, Any]:
    """The data of a checkpoint entry over a tree of ``tree_size`` with ``root``."""
    signature = key.sign(checkpoint_message(action_id, tree_size, root))
    return {
        "tree_size": tree_size,
        "root": root.hex(),
        "public_key": public_key_hex(key),
        "signature": signature.hex(),
    }


def checkpoint_signature_valid(
    data: Mapping[str, Any], action_id: str, public_key_hex_expected: str
) -> tuple[bool, str]:
    """Whether checkpoint ``data`` is signed by the expected key; the reason if not."""
    if data.get("public_key") != public_key_hex_expected:
        return False, (
            f"signed with key {str(data.get('public_key'))[:16]}…, but the key in force is "
            f"{public_key_hex_expected[:16]}…"
        )
    try:
        pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex_expected))
        message = checkpoint_message(action_id, int(data["tree_size"]), bytes.fromhex(data["root"]))
        pub.verify(bytes.fromhex(data["signature"]), message)
    except InvalidSignature:
        return False, "Ed25519 signature does not verify"
    except (ValueError, KeyError, TypeError) as e:
        return False, f"malformed checkpoint: {e}"
    return True, ""
