"""RFC 6962 Merkle trees over the action log's entry lines.

Leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``, and the RFC's
split rule for sizes that are not a power of two: the left subtree holds the largest power of two
strictly smaller than the size. The empty tree's root is ``SHA-256("")``. The leaves of the action
log's tree are its entry lines (the exact bytes of each line, without the newline).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from recorder.errors import RecorderError

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32


class MerkleError(RecorderError):
    """An index or tree size that does not fit the tree."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _root_of_hashes(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 1:
        return hashes[lo]
    k = _split(n)
    return node_hash(_root_of_hashes(hashes, lo, lo + k), _root_of_hashes(hashes, lo + k, hi))


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The root of the tree over ``leaves`` (raw leaf data, e.g. log entry lines)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    hashes = [leaf_hash(x) for x in leaves]
    return _root_of_hashes(hashes, 0, len(hashes))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The RFC 6962 audit path of leaf ``index`` in the tree over all of ``leaves``.

    The path lists sibling subtree roots from the leaf up to the root.
    """
    if not 0 <= index < len(leaves):
        raise MerkleError(f"leaf index {index} is outside a tree of {len(leaves)} leaves")
    hashes = [leaf_hash(x) for x in leaves]
    path: list[bytes] = []

    def walk(m: int, lo: int, hi: int) -> None:
        n = hi - lo
        if n == 1:
            return
        k = _split(n)
        if m < k:
            walk(m, lo, lo + k)
            path.append(_root_of_hashes(hashes, lo + k, hi))
        else:
            walk(m - k, lo + k, hi)
            path.append(_root_of_hashes(hashes, lo, lo + k))

    walk(index, 0, len(hashes))
    return path


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True if ``leaf`` (raw data) is leaf ``index`` of the tree of ``tree_size`` with ``root``.

    Implements the verification algorithm of RFC 9162 section 2.1.3.2 (the same trees as RFC
    6962). A malformed proof (wrong length, wrong hash sizes) is simply not valid.
    """
    if not 0 <= index < tree_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """The RFC 6962 consistency proof that the first ``old_size`` leaves are a prefix of all."""
    n = len(leaves)
    if not 0 < old_size <= n:
        raise MerkleError(f"old tree size {old_size} must be between 1 and {n}")
    hashes = [leaf_hash(x) for x in leaves]
    proof: list[bytes] = []

    def subproof(m: int, lo: int, hi: int, complete: bool) -> None:
        size = hi - lo
        if m == size:
            if not complete:
                proof.append(_root_of_hashes(hashes, lo, hi))
            return
        k = _split(size)
        if m <= k:
            subproof(m, lo, lo + k, complete)
            proof.append(_root_of_hashes(hashes, lo + k, hi))
        else:
            subproof(m - k, lo + k, hi, False)
            proof.append(_root_of_hashes(hashes, lo, lo + k))

    subproof(old_size, 0, n, True)
    return proof


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if the tree of ``old_size`` with ``old_root`` is a prefix of the newer tree.

    RFC 9162 section 2.1.4.2.
    """
    if not 0 < old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class MerkleAccumulator:
    """Appends leaves one at a time and gives the root of every prefix in O(log n).

    Keeps the roots of the perfect subtrees that make up the tree (one per set bit of the size,
    largest first); RFC 6962's root folds them from the right.
    """

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []  # roots of perfect subtrees, largest first

    @property
    def size(self) -> int:
        return self._size

    def append(self, data: bytes) -> None:
        """Add the leaf with raw data ``data``."""
        h = leaf_hash(data)
        n = self._size
        while n & 1:  # merge equal-sized perfect subtrees
            h = node_hash(self._frontier.pop(), h)
            n >>= 1
        self._frontier.append(h)
        self._size += 1

    def root(self) -> bytes:
        """The root of the tree over every leaf appended so far."""
        if not self._frontier:
            return hashlib.sha256(b"").digest()
        r = self._frontier[-1]
        for h in reversed(self._frontier[:-1]):
            r = node_hash(h, r)
        return r
