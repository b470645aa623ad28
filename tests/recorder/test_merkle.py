"""RFC 6962 Merkle tree: the Certificate Transparency vectors and a literal reference."""

from __future__ import annotations

import hashlib

import pytest

from recorder.merkle import (
    MerkleAccumulator,
    MerkleError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 / certificate-transparency test leaves and MTH(D[n]) for n = 0..8
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf index, tree size, path) from the CT test suite
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


# -- an independent, literal transcription of RFC 6962 section 2.1 -----------------------------
def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return _sha(b"\x00" + d[0])
    k = _k(len(d))
    return _sha(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], complete: bool) -> list[bytes]:
    if m == len(d):
        return [] if complete else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], complete), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


MANY = [f"entry {i}".encode() * (i % 3 + 1) for i in range(37)]


@pytest.mark.parametrize("n", range(9))
def test_roots_match_ct_vectors(n: int) -> None:
    assert merkle_root(LEAVES[:n]).hex() == ROOTS[n]
    assert ref_mth(LEAVES[:n]).hex() == ROOTS[n]
    acc = MerkleAccumulator()
    for leaf in LEAVES[:n]:
        acc.append(leaf)
    assert acc.root().hex() == ROOTS[n] and acc.size == n


def test_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert leaf_hash(left + right) != node_hash(left, right)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_ct_vectors(index: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(LEAVES[:size], index)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(LEAVES[index], index, size, proof, root)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_ct_vectors(old: int, new: int, proof: list[str]) -> None:
    got = consistency_proof(LEAVES[:new], old)
    assert [p.hex() for p in got] == proof
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), got)
    assert not verify_consistency(
        old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new]), got
    )


def test_every_size_agrees_with_the_reference() -> None:
    acc = MerkleAccumulator()
    for n in range(1, len(MANY) + 1):
        acc.append(MANY[n - 1])
        tree = MANY[:n]
        root = merkle_root(tree)
        assert root == ref_mth(tree) == acc.root()
        for m in range(n):
            proof = inclusion_proof(tree, m)
            assert proof == ref_path(m, tree)
            assert verify_inclusion(tree[m], m, n, proof, root)
            assert not verify_inclusion(b"forged", m, n, proof, root)
            if n > 1:
                assert not verify_inclusion(tree[m], (m + 1) % n, n, proof, root)
            if proof:
                bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
                assert not verify_inclusion(tree[m], m, n, bad, root)
                assert not verify_inclusion(tree[m], m, n, proof[:-1], root)
            assert not verify_inclusion(tree[m], m, n, [*proof, root], root)
        for old in range(1, n + 1):
            cproof = consistency_proof(tree, old)
            assert cproof == ref_subproof(old, tree, True)
            assert verify_consistency(old, n, merkle_root(tree[:old]), root, cproof)
            if old < n:
                assert not verify_consistency(old, n, merkle_root(tree[: old - 1]), root, cproof)


def test_malformed_inputs_are_refused() -> None:
    root = merkle_root(LEAVES)
    assert not verify_inclusion(LEAVES[0], 8, 8, [], root)
    assert not verify_inclusion(LEAVES[0], -1, 8, [], root)
    assert not verify_inclusion(LEAVES[5], 5, 8, [b"short"], root)
    with pytest.raises(MerkleError, match="leaf index 8 is outside a tree of 8"):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(MerkleError, match="old tree size 0"):
        consistency_proof(LEAVES, 0)
