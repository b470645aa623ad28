from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from app.cli import main as tergeu
from app.commands.excerpt import parse_clock
from protocol.errors import ProtocolError
from protocol.excerpt import EXCERPT_JSON, make_excerpt
from protocol.verify import verify_container
from recorder.report import Status
from tests.pki.fixtures import flip_byte, rewrite_zip
from tests.pki.recording import DOC_ID, signed_container
from tests.protocol.interop import (
    ffprobe_reads_every_segment,
    openssl_verifies_every_signature,
    unzip_tests_ok,
)


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return signed_container(tmp_path_factory.mktemp("excerpt"), "full.asice")


def _segments(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as zf:
        return {n for n in zf.namelist() if n.endswith(".ts")}


def test_excerpt_keeps_range_and_verifies_as_excerpt(container: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.asice"
    info = make_excerpt(container, out, start=1.0, end=2.5)
    kept, full = _segments(out), _segments(container)
    assert kept and kept < full
    assert {s["uri"] for s in info["segments"]} == kept
    assert set(info["omitted"]) == full - kept
    report = verify_container(out)
    assert report.kind == "excerpt" and report.ok, report.summary()
    ex = report.facts["excerpt"]
    assert ex["container_id"] == DOC_ID and (ex["from"], ex["to"]) == (1.0, 2.5)
    assert ex["merkle_root"] == info["source"]["merkle_root"]
    [note] = [c for c in report.checks if c.name == "excerpt"]
    assert note.status is Status.WARNING and f"EXCERPT of {DOC_ID}" in note.message
    assert "00:00:01–00:00:02" in note.message and info["source"]["merkle_root"] in note.message


def test_excerpt_passes_the_independent_tools(container: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.asice"
    info = make_excerpt(container, out, start=1.0, end=2.5)
    unzip_tests_ok(out)
    assert openssl_verifies_every_signature(out, tmp_path) >= 1
    assert ffprobe_reads_every_segment(out, tmp_path) == len(info["segments"])


def test_excerpt_with_wrong_proof_fails_excerpt_check(container: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.asice"
    make_excerpt(container, out, start=1.0, end=2.5)

    def corrupt(data: bytes) -> bytes:
        d = json.loads(data)
        seg = d["segments"][0]
        seg["proof"] = [*seg["proof"][:-1], "00" * 32] if seg["proof"] else ["00" * 32]
        return json.dumps(d).encode()

    bad = rewrite_zip(out, tmp_path / "bad.asice", change={EXCERPT_JSON: corrupt})
    report = verify_container(bad)
    assert [c.message for c in report.failed("excerpt")] == ["inclusion proof does not match"]


def test_changed_segment_in_excerpt_fails_digest(container: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.asice"
    info = make_excerpt(container, out, start=1.0, end=2.5)
    uri = info["segments"][0]["uri"]
    bad = rewrite_zip(out, tmp_path / "bad.asice", change={uri: flip_byte(100)})
    assert [c.subject for c in verify_container(bad).failed("digest")] == [uri]


def test_segment_dropped_without_being_listed_as_omitted_fails(
    container: Path, tmp_path: Path
) -> None:
    out = tmp_path / "part.asice"
    info = make_excerpt(container, out, start=1.0, end=2.5)
    uri = info["segments"][0]["uri"]
    bad = rewrite_zip(out, tmp_path / "bad.asice", change={uri: lambda b: None})
    report = verify_container(bad)
    assert [c.subject for c in report.failed("digest")] == [uri]


def test_excerpt_cli_and_errors(container: Path, tmp_path: Path) -> None:
    assert parse_clock("01:02:03.5") == 3723.5 and parse_clock("00:02") == 2.0
    out = tmp_path / "cli.asice"
    args = [str(container), "--from", "00:00:01", "--to", "00:00:03", "-o", str(out)]
    assert tergeu(["excerpt", *args]) == 0
    assert verify_container(out).kind == "excerpt"
    with pytest.raises(ProtocolError, match="start must be before end"):
        make_excerpt(container, tmp_path / "x.asice", start=3.0, end=1.0)
    with pytest.raises(ProtocolError, match="no signed segment lies in"):
        make_excerpt(container, tmp_path / "x.asice", start=5000.0, end=5001.0)
    with pytest.raises(ProtocolError, match="already an excerpt"):
        make_excerpt(out, tmp_path / "y.asice", start=1.0, end=2.0)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 13, 64])
def test_memoised_proofs_equal_recorder_merkle_proofs(n: int) -> None:
    from protocol.excerpt import _Prover
    from recorder.merkle import inclusion_proof, leaf_hash, merkle_root, verify_inclusion

    leaves = [f"entry {i}".encode() for i in range(n)]
    prover, root = _Prover(b"".join(map(leaf_hash, leaves))), merkle_root(leaves)
    for i in range(n):
        assert prover.proof(i) == inclusion_proof(leaves, i)
        assert verify_inclusion(leaves[i], i, n, prover.proof(i), root)
