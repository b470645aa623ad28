"""A refusal to sign recorded as a signed addendum inside an already signed container."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from protocol import zipwriter
from protocol.addenda import Refusal, add_refusal, append_addendum, read_addenda
from protocol.container import add_signature
from protocol.errors import ProtocolError
from protocol.verify import verify_container
from recorder.canonical import canonical_json
from recorder.report import Report, Status
from tests.pki.fixtures import MAIN, anchors_dir, flip_byte, rewrite_zip, signer, timestamper
from tests.pki.recording import signed_container

REASON = "Не согласна с записью моих пояснений: «я этого не говорила»"
REFUSED_AT = dt.datetime(2026, 11, 27, 9, 41, 7, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return signed_container(tmp_path_factory.mktemp("addenda"), timestamper=timestamper())


@pytest.fixture(scope="module")
def with_refusal(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("refused") / "refused.asice"
    shutil.copy(built, out)
    asyncio.run(
        add_refusal(
            out,
            Refusal("specialist", REASON, REFUSED_AT, "0123456789abcdef"),
            signer("investigator"),
            timestamper=timestamper(),
        )
    )
    return out


def _openssl_verify(manifest: bytes, p7s: bytes, tmp: Path) -> subprocess.CompletedProcess[str]:
    (tmp / "m.xml").write_bytes(manifest)
    (tmp / "s.p7s").write_bytes(p7s)
    return subprocess.run(
        [
            *("openssl", "cms", "-verify", "-binary", "-inform", "DER"),
            *("-content", str(tmp / "m.xml"), "-in", str(tmp / "s.p7s")),
            *("-CAfile", str(MAIN / "ca" / "chain.pem"), "-purpose", "any", "-out", "/dev/null"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _failures(report: Report) -> list[tuple[str, str, str]]:
    return [(c.name, c.subject, c.message) for c in report.problems]


def test_refusal_is_appended_without_touching_the_signed_members(
    built: Path, with_refusal: Path, tmp_path: Path
) -> None:
    before, after = built.read_bytes(), with_refusal.read_bytes()
    fd = os.open(built, os.O_RDONLY)
    try:
        tail = zipwriter.read_tail(fd)
    finally:
        os.close(fd)
    # every byte up to the old central directory is unchanged: no member was rewritten
    assert after[: tail.directory_offset] == before[: tail.directory_offset]
    assert len(after) > len(before)
    assert subprocess.run(["unzip", "-tq", str(with_refusal)], capture_output=True).returncode == 0
    with zipfile.ZipFile(with_refusal) as zf:
        names = zf.namelist()
        assert names[-3:] == [
            "addenda/refusal-001.json",
            "META-INF/ASiCManifest002.xml",
            "META-INF/signature002.p7s",
        ]
        assert zf.getinfo("META-INF/signature002.p7s").external_attr >> 16 == 0o600
        for n in ("001", "002"):  # the investigator's first signature and the addendum's
            r = _openssl_verify(
                zf.read(f"META-INF/ASiCManifest{n}.xml"),
                zf.read(f"META-INF/signature{n}.p7s"),
                tmp_path,
            )
            assert r.returncode == 0, (n, r.stderr)
        manifest = zf.read("META-INF/ASiCManifest002.xml").decode()
        assert 'URI="META-INF/ASiCManifest001.xml"' in manifest
        assert 'URI="addenda/refusal-001.json"' in manifest
        content = json.loads(zf.read("addenda/refusal-001.json"))
        assert canonical_json(content) == zf.read("addenda/refusal-001.json")
    assert content["reason"] == REASON
    assert content["participant"]["id"] == "specialist"
    assert content["participant"]["iin"] == signer("defender").identity.iin
    assert content["refused_at"]["utc"] == "2026-11-27T09:41:07.000000Z"
    assert content["refused_at"]["local"] == "2026-11-27T14:41:07+05:00"  # Asia/Almaty
    assert content["recorded_by"]["iin"] == signer("investigator").identity.iin
    assert len(content["refers_to"]["sha256"]) == 64
    assert not list(with_refusal.parent.glob(".*journal"))


def test_verify_lists_the_refusal_and_a_later_cosignature_still_verifies(
    with_refusal: Path, tmp_path: Path
) -> None:
    report = verify_container(with_refusal, trust_anchors_dir=anchors_dir(tmp_path))
    assert report.ok, report.summary()
    [addendum] = report.facts["addenda"]
    assert addendum["file"] == "addenda/refusal-001.json"
    assert addendum["reason"] == REASON
    assert addendum["signer_iin"] == signer("investigator").identity.iin
    assert addendum["timestamp"] is not None
    assert len(report.facts["signers"]) == 1  # an addendum is no co-signature of the protocol
    ok = [c for c in report.checks if c.name == "addendum" and c.status is Status.OK]
    assert len(ok) == 1 and REASON in ok[0].message
    # a co-signature afterwards takes the next number and covers the protocol, not the addendum
    later = tmp_path / "later.asice"
    shutil.copy(with_refusal, later)
    asyncio.run(add_signature(later, signer("expert")))
    report = verify_container(later, trust_anchors_dir=anchors_dir(tmp_path))
    assert report.ok, report.summary()
    assert [s["signature"] for s in report.facts["signers"]] == [
        "META-INF/signature001.p7s",
        "META-INF/signature003.p7s",
    ]
    assert [a["reason"] for a in report.facts["addenda"]] == [REASON]
    # the same request cannot be recorded twice
    with pytest.raises(ProtocolError, match=r"refusal-001\.json"):
        asyncio.run(
            add_refusal(
                later,
                Refusal("specialist", REASON, REFUSED_AT, "0123456789abcdef"),
                signer("investigator"),
            )
        )


def _reason_changed(data: bytes) -> bytes:
    content = json.loads(data)
    content["reason"] = "Согласна"
    return canonical_json(content)


@pytest.mark.parametrize(
    ("scenario", "change", "check", "subject"),
    [
        (
            "addendum_json_changed",
            {"addenda/refusal-001.json": _reason_changed},
            "addendum-digest",
            "addenda/refusal-001.json",
        ),
        (
            "addendum_manifest_changed",
            {"META-INF/ASiCManifest002.xml": lambda d: d.replace(b"text/xml", b"text/html")},
            "signature",
            "META-INF/signature002.p7s",
        ),
        (
            "addendum_signature_byte_flipped",
            {"META-INF/signature002.p7s": flip_byte(-300)},
            "signature",
            "META-INF/signature002.p7s",
        ),
    ],
)
def test_tampered_addendum_fails_naming_the_check(
    with_refusal: Path,
    tmp_path: Path,
    scenario: str,
    change: dict,
    check: str,
    subject: str,
) -> None:
    bad = rewrite_zip(with_refusal, tmp_path / f"{scenario}.asice", change=change)
    report = verify_container(bad, trust_anchors_dir=anchors_dir(tmp_path))
    assert not report.ok
    assert [c.subject for c in report.failed(check)] == [subject], _failures(report)
    # nothing else is wrong: the protocol's own signature and data are intact (pyHanko also
    # reports no trusted path for a signature that is not intact)
    assert {c.name for c in report.problems} <= {check, "trust"}, _failures(report)
    assert {c.subject for c in report.problems} == {subject}, _failures(report)


def test_addendum_pointing_at_an_unknown_manifest_fails(built: Path, tmp_path: Path) -> None:
    bad = tmp_path / "unknown.asice"
    shutil.copy(built, bad)
    asyncio.run(
        append_addendum(
            bad,
            name="addenda/refusal-001.json",
            data=b"{}",
            refers_to=("META-INF/ASiCManifest009.xml", bytes(32)),
            signer=signer("investigator"),
        )
    )
    report = verify_container(bad, trust_anchors_dir=anchors_dir(tmp_path))
    messages = [c.message for c in report.failed("addendum")]
    assert any("ASiCManifest009.xml, which is not in the container" in m for m in messages)
    assert not report.failed("structure") and not report.failed("digest"), _failures(report)


def test_addendum_signed_by_someone_else_fails(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "other.asice"
    shutil.copy(built, target)
    refusal = Refusal("specialist", REASON, REFUSED_AT, "00112233aabbccdd")
    with pytest.raises(ProtocolError, match="official who signed the protocol"):
        asyncio.run(add_refusal(target, refusal, signer("expert")))
    assert target.read_bytes() == built.read_bytes()
    with zipfile.ZipFile(built) as zf:
        first = zf.read("META-INF/ASiCManifest001.xml")

    asyncio.run(
        append_addendum(
            target,
            name="addenda/refusal-001.json",
            data=b"{}",
            refers_to=("META-INF/ASiCManifest001.xml", hashlib.sha256(first).digest()),
            signer=signer("expert"),
        )
    )
    report = verify_container(target, trust_anchors_dir=anchors_dir(tmp_path))
    assert any("not by the official" in c.message for c in report.failed("addendum"))


def test_unknown_participant_is_refused_before_anything_is_written(
    built: Path, tmp_path: Path
) -> None:
    target = tmp_path / "c.asice"
    shutil.copy(built, target)
    with pytest.raises(ProtocolError, match="'nobody'"):
        asyncio.run(
            add_refusal(
                target,
                Refusal("nobody", REASON, REFUSED_AT, "00112233aabbccdd"),
                signer("investigator"),
            )
        )
    assert target.read_bytes() == built.read_bytes()
    assert read_addenda(target) == []


def test_failed_append_restores_the_container(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "c.asice"
    shutil.copy(built, target)

    def broken(self: zipwriter.ZipWriter) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(zipwriter.ZipWriter, "finish", broken)
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(
            add_refusal(
                target,
                Refusal("specialist", REASON, REFUSED_AT, "00112233aabbccdd"),
                signer("investigator"),
            )
        )
    assert target.read_bytes() == built.read_bytes()
    assert not list(tmp_path.glob(".*journal"))


def test_append_interrupted_by_a_crash_is_undone_from_the_journal(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from protocol import asic

    target = tmp_path / "c.asice"
    shutil.copy(built, target)

    def crash(self: zipwriter.ZipWriter) -> None:
        self.writev([b"half a central directory"])
        raise KeyboardInterrupt  # the process dies here: no restore runs

    def no_restore(*args: object) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(zipwriter.ZipWriter, "finish", crash)
    monkeypatch.setattr(asic, "_restore", no_restore)
    with pytest.raises(SystemExit):
        asic.append_members(target, [("addenda/x.json", b"{}", True)])
    assert target.read_bytes() != built.read_bytes()  # damaged, journal left behind
    monkeypatch.undo()
    assert asic.recover_append(target) is True
    assert target.read_bytes() == built.read_bytes()
    assert asic.recover_append(target) is False


def test_addendum_breaking_its_schema_fails_addendum(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "schema.asice"
    shutil.copy(built, target)
    asyncio.run(
        add_refusal(
            target,
            Refusal("specialist", REASON, REFUSED_AT, "00112233aabbccdd"),
            signer("investigator"),
        )
    )
    [addendum] = read_addenda(target)
    content = dict(addendum.content) | {"verdict": "ignore the refusal"}
    with zipfile.ZipFile(built) as zf:
        first = zf.read("META-INF/ASiCManifest001.xml")
    bad = tmp_path / "bad.asice"
    shutil.copy(built, bad)
    asyncio.run(
        append_addendum(
            bad,
            name="addenda/refusal-001.json",
            data=canonical_json(content),
            refers_to=("META-INF/ASiCManifest001.xml", hashlib.sha256(first).digest()),
            signer=signer("investigator"),
        )
    )
    report = verify_container(bad, trust_anchors_dir=anchors_dir(tmp_path))
    [failure] = report.failed("addendum")
    assert "verdict" in failure.message and failure.subject == "addenda/refusal-001.json"
    assert {c.name for c in report.problems} == {"addendum"}, _failures(report)


def test_refusal_by_someone_who_also_signed_is_a_warning(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "both.asice"
    shutil.copy(built, target)
    asyncio.run(add_signature(target, signer("defender")))  # the specialist's key signs...
    asyncio.run(
        add_refusal(  # ...and their refusal is recorded too
            target,
            Refusal("specialist", REASON, REFUSED_AT, "00112233aabbccdd"),
            signer("investigator"),
        )
    )
    report = verify_container(target, trust_anchors_dir=anchors_dir(tmp_path))
    warned = [c for c in report.warnings if c.name == "addendum"]
    assert len(warned) == 1 and "signature002.p7s" in warned[0].message
    assert not report.failed("addendum")


def test_addenda_file_no_manifest_covers_fails(with_refusal: Path, tmp_path: Path) -> None:
    bad = rewrite_zip(
        with_refusal, tmp_path / "stray.asice", add={"addenda/refusal-002.json": b"{}"}
    )
    report = verify_container(bad, trust_anchors_dir=anchors_dir(tmp_path))
    assert [c.subject for c in report.failed("addendum")] == ["addenda/refusal-002.json"]
    assert [c.subject for c in report.failed("structure")] == ["addenda/refusal-002.json"]


def test_excerpt_keeps_the_addendum(with_refusal: Path, tmp_path: Path) -> None:
    from protocol.excerpt import make_excerpt

    out = tmp_path / "excerpt.asice"
    make_excerpt(with_refusal, out, start=0.0, end=1.5)
    report = verify_container(out, trust_anchors_dir=anchors_dir(tmp_path))
    assert report.kind == "excerpt" and report.ok, report.summary()
    assert [a["reason"] for a in report.facts["addenda"]] == [REASON]
