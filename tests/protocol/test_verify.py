from __future__ import annotations

import asyncio
import base64
import shutil
import zipfile
from pathlib import Path

import pytest
from asn1crypto import cms

from protocol.asic import asic_manifest_xml, parse_asic_manifest
from protocol.container import add_signature, build_container
from protocol.errors import UnreadableContainerError
from protocol.verify import verify_container
from recorder.report import Report, Status
from tests.pki.fixtures import MAIN, OTHER, anchors_dir, flip_byte, rewrite_zip, signer, timestamper
from tests.pki.recording import DOC_ID, recorded_action, signed_container

SEGMENT = "recording/media/{track}/{track}-000001.ts"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    out = signed_container(tmp_path_factory.mktemp("verify"), timestamper=timestamper())
    with zipfile.ZipFile(out) as zf:
        track = next(n for n in zf.namelist() if n.endswith("-000001.ts")).split("/")[2]
    return out, {"track": track.encode()}


def _copy(built: tuple[Path, dict[str, bytes]], tmp: Path) -> Path:
    dst = tmp / "c.asice"
    shutil.copy(built[0], dst)
    return dst


def _segment(built: tuple[Path, dict[str, bytes]]) -> str:
    return SEGMENT.format(track=built[1]["track"].decode())


def _other_failures(report: Report, *allowed: str) -> list[str]:
    return [f"{c.name}: {c.message}" for c in report.problems if c.name not in allowed]


def test_intact_container_verifies_and_demo_is_a_warning(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    report = verify_container(built[0], trust_anchors_dir=anchors_dir(tmp_path))
    assert report.ok, report.summary()
    assert report.kind == "container" and report.facts["container_id"] == DOC_ID
    trust = [c for c in report.checks if c.name == "trust"]
    assert trust and all(c.status is Status.WARNING and "DEMO" in c.message for c in trust)
    assert any(c.name == "timestamp" and c.status is Status.OK for c in report.checks)
    assert report.facts["signers"][0]["demo"] is True


@pytest.mark.parametrize(
    "scenario, member",
    [
        ("pdf_byte_flipped", "protocol.pdf"),
        ("json_byte_flipped", "protocol.json"),
        ("log_byte_flipped", "recording/log.jsonl"),
        ("segment_byte_flipped", "SEGMENT"),
    ],
)
def test_changed_byte_fails_digest_of_that_member(
    scenario: str, member: str, built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    name = _segment(built) if member == "SEGMENT" else member
    bad = rewrite_zip(built[0], tmp_path / f"{scenario}.asice", change={name: flip_byte(7)})
    report = verify_container(bad)
    assert [c.subject for c in report.failed("digest")] == [name], report.summary()
    assert not report.failed("signature")


def test_asic_manifest_digest_changed_fails_signature(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    def forge(xml: bytes) -> bytes:
        start = xml.index(b"<ds:DigestValue>", xml.index(b'URI="protocol.pdf"')) + 16
        fake = base64.b64encode(bytes(32))
        return xml[:start] + fake + xml[start + len(fake) :]

    bad = rewrite_zip(
        built[0], tmp_path / "m.asice", change={"META-INF/ASiCManifest001.xml": forge}
    )
    report = verify_container(bad)
    assert report.failed("signature"), report.summary()
    assert [c.subject for c in report.failed("digest")] == ["protocol.pdf"]


def test_asic_manifest_garbled_fails_structure(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    bad = rewrite_zip(
        built[0], tmp_path / "g.asice", change={"META-INF/ASiCManifest001.xml": lambda b: b[:-30]}
    )
    assert verify_container(bad).failed("structure")


def test_file_removed_fails_digest_and_file_added_fails_structure(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    seg = _segment(built)
    removed = rewrite_zip(built[0], tmp_path / "r.asice", change={seg: lambda b: None})
    report = verify_container(removed)
    assert [c.subject for c in report.failed("digest")] == [seg]
    assert "missing" in report.failed("digest")[0].message
    added = rewrite_zip(built[0], tmp_path / "a.asice", add={"recording/evidence/extra.jpg": b"x"})
    report = verify_container(added)
    assert [c.subject for c in report.failed("structure")] == ["recording/evidence/extra.jpg"]


def _resign(built: tuple[Path, dict[str, bytes]], role: str, pki: Path) -> bytes:
    with zipfile.ZipFile(built[0]) as zf:
        manifest = zf.read("META-INF/ASiCManifest001.xml")
    return asyncio.run(signer(role, pki).sign_detached(manifest))


def test_signature_value_from_another_key_fails_signature(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    foreign = cms.ContentInfo.load(_resign(built, "defender", MAIN))

    def swap(p7s: bytes) -> bytes:
        ci = cms.ContentInfo.load(p7s)
        si = ci["content"]["signer_infos"][0]
        si["signature"] = foreign["content"]["signer_infos"][0]["signature"].native
        return bytes(ci.dump(force=True))

    bad = rewrite_zip(built[0], tmp_path / "k.asice", change={"META-INF/signature001.p7s": swap})
    report = verify_container(bad)
    assert report.failed("signature"), report.summary()


def test_certificate_from_another_ca_fails_trust(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    p7s = _resign(built, "investigator", OTHER)
    bad = rewrite_zip(
        built[0], tmp_path / "o.asice", change={"META-INF/signature001.p7s": lambda b: p7s}
    )
    report = verify_container(bad, trust_anchors_dir=anchors_dir(tmp_path, MAIN))
    assert [c.subject for c in report.failed("trust")] == ["META-INF/signature001.p7s"]
    assert not report.failed("signature")
    # the same container against the other CA's root is DEMO, never "trusted"
    report = verify_container(bad, trust_anchors_dir=anchors_dir(tmp_path, OTHER))
    assert not report.failed("trust")
    assert any(c.name == "trust" and c.status is Status.WARNING for c in report.checks)


def test_cosignature_added_later_keeps_the_first_valid(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    c = _copy(built, tmp_path)
    asyncio.run(add_signature(c, signer("expert")))
    report = verify_container(c)
    sigs = [x for x in report.checks if x.name == "signature"]
    assert [x.subject for x in sigs] == ["META-INF/signature001.p7s", "META-INF/signature002.p7s"]
    assert all(x.status is Status.OK for x in sigs)
    assert len(report.facts["signers"]) == 2


def test_not_a_container_is_unreadable(tmp_path: Path) -> None:
    junk = tmp_path / "junk.asice"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnreadableContainerError, match=r"junk\.asice"):
        verify_container(junk)
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableContainerError, match="mimetype"):
        verify_container(plain)


def test_progress_reports_bytes(built: tuple[Path, dict[str, bytes]]) -> None:
    seen: list[tuple[int, int]] = []
    verify_container(built[0], progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] > 0


def test_member_escaping_the_folder_fails_structure_and_is_not_extracted(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    bad = rewrite_zip(built[0], tmp_path / "t.asice", add={"recording/../../escaped.txt": b"x"})
    report = verify_container(bad)
    assert [c.subject for c in report.failed("structure")] == ["recording/../../escaped.txt"]
    assert not list(Path("/tmp").glob("escaped.txt"))


def test_media_kept_outside_verifies_with_media_dir(tmp_path: Path) -> None:
    action, pdf, proto = recorded_action(tmp_path)
    out = tmp_path / "outside.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=pdf,
            protocol_json=proto,
            signer=signer("investigator"),
            container_id=DOC_ID,
            media_outside=True,
        )
    )
    report = verify_container(out, media_dir=action / "media")
    assert not report.problems, report.summary()
    unchecked = verify_container(out)
    assert any(c.name == "digest" and c.status is Status.WARNING for c in unchecked.checks)
    seg = next((action / "media").rglob("*-000001.ts"))
    seg.write_bytes(seg.read_bytes()[:-1] + b"\0")
    report = verify_container(out, media_dir=action / "media")
    assert [c.subject.rsplit("/", 1)[-1] for c in report.failed("digest")] == [seg.name]


def test_corrupted_compressed_member_fails_digest_without_crashing(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    c = _copy(built, tmp_path)
    with zipfile.ZipFile(c) as zf:
        info = zf.getinfo("recording/log.jsonl")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    raw = bytearray(c.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    c.write_bytes(bytes(raw))
    report = verify_container(c)
    assert [x.subject for x in report.failed("digest")] == ["recording/log.jsonl"]


def test_summary_not_matching_the_log_fails_summary(tmp_path: Path) -> None:
    import json

    action, pdf, proto = recorded_action(tmp_path)
    doc = json.loads(proto)
    doc["recording"]["tree_size"] += 1
    doc["recording"]["segments"] = {k: v + 1 for k, v in doc["recording"]["segments"].items()}
    out = tmp_path / "s.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=pdf,
            protocol_json=json.dumps(doc).encode(),
            signer=signer("investigator"),
            container_id=DOC_ID,
        )
    )
    report = verify_container(out)
    [failed] = report.failed("summary")
    assert "tree_size" in failed.message and "segments" in failed.message
    assert not report.failed("digest") and not report.failed("signature")


def test_signer_who_refused_or_is_no_participant_fails_signer(tmp_path: Path) -> None:
    action, pdf, proto = recorded_action(tmp_path)  # defender refused, interpreter is absent
    out = tmp_path / "p.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=pdf,
            protocol_json=proto,
            signer=signer("investigator"),
            container_id=DOC_ID,
        )
    )
    asyncio.run(add_signature(out, signer("defender")))
    asyncio.run(add_signature(out, signer("interpreter")))
    report = verify_container(out)
    failed = {c.subject: c.message for c in report.failed("signer")}
    assert set(failed) == {"META-INF/signature002.p7s", "META-INF/signature003.p7s"}
    assert "refused" in failed["META-INF/signature002.p7s"]
    assert "not a participant" in failed["META-INF/signature003.p7s"]
    assert not report.failed("signature")


def test_container_id_other_than_the_protocol_document_id_fails_summary(tmp_path: Path) -> None:
    action, pdf, proto = recorded_action(tmp_path)
    out = tmp_path / "id.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=pdf,
            protocol_json=proto,
            signer=signer("investigator"),
            container_id="another-id-1",
        )
    )
    [failed] = verify_container(out).failed("summary")
    assert "'another-id-1'" in failed.message and DOC_ID in failed.message


def test_an_addendum_whose_file_was_removed_is_still_checked(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """verify skips the addendum checks only when nothing of an addendum is left: here its
    manifest remains (no addenda/ member), and the missing file must fail."""
    import datetime as dt

    from protocol.addenda import Refusal, add_refusal

    refused = _copy(built, tmp_path)
    asyncio.run(
        add_refusal(
            refused,
            Refusal(
                "specialist",
                "не согласна",
                dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC),
                "0123456789abcdef",
            ),
            signer("investigator"),
        )
    )
    with zipfile.ZipFile(refused) as zf:
        [member] = [n for n in zf.namelist() if n.startswith("addenda/")]
    assert not verify_container(refused).failed("addendum-digest")
    gone = rewrite_zip(refused, tmp_path / "gone.asice", change={member: lambda b: None})
    report = verify_container(gone)
    assert report.failed("addendum-digest") or report.failed("addendum"), report.summary()
    assert verify_container(built[0]).facts["addenda"] == []


def test_a_segment_logged_twice_is_reported_by_the_container_checks(tmp_path: Path) -> None:
    """The recorder's checks run without the segment files (not extracted); their failures
    about the log itself — here one file logged as two segments — stay in the report."""
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from protocol.recording_checks import log_checks
    from recorder.clock import SessionClock
    from recorder.log import ActionLog

    clock = SessionClock(0.0, dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC))
    log = ActionLog.create(
        tmp_path, clock=clock, signing_key=Ed25519PrivateKey.generate(), action_id="A"
    )
    log.append("track_started", {"track": "w-video", "media": "video"}, t=0.0)
    segment = {
        "track": "w-video",
        "file": "media/w-video/w-video-000000.ts",
        "size": 10,
        "sha256": "ab" * 32,
        "start_utc": "2026-11-29T06:00:00.000000Z",
        "end_utc": "2026-11-29T06:00:02.000000Z",
        "frames": 60,
        "recovered": False,
    }
    log.append("segment_sealed", {**segment, "index": 0, "start": 0.0, "end": 2.0}, t=2.0)
    log.append("segment_sealed", {**segment, "index": 1, "start": 2.0, "end": 4.0}, t=4.0)
    log.checkpoint()
    log.close()
    signed = {"recording/media/w-video/w-video-000000.ts": bytes.fromhex("ab" * 32)}
    checks, _, _ = log_checks(tmp_path, None, [], None, signed)
    failed = [c.message for c in checks if c.name == "segment" and c.status is Status.FAILED]
    twice = "file media/w-video/w-video-000000.ts is also logged as w-video segment 0"
    assert failed == [f"{twice} (00:00:00–00:00:02)"]  # dropped before as "an absent file"


def _rewritten(src: Path, dst: Path, edit: str) -> Path:
    """``src`` member by member into ``dst``, with one structural change named by ``edit``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        first = parse_asic_manifest(zin.read("META-INF/ASiCManifest001.xml"))
        for info in zin.infolist():
            data = zin.read(info)
            if edit == "mimetype_compressed" and info.filename == "mimetype":
                info.compress_type = zipfile.ZIP_DEFLATED
            if edit == "container_json_not_signed" and info.filename.endswith("Manifest001.xml"):
                objects = [o for o in first.objects if o.uri != "container.json"]
                data = asic_manifest_xml(first.sig_uri, objects)
            if edit == "manifest_xml_lists_a_missing_file" and info.filename.endswith("st.xml"):
                entry = b'<manifest:file-entry manifest:full-path="gone.txt"/>\n'
                data = data.replace(b"</manifest:manifest>", entry + b"</manifest:manifest>")
            zout.writestr(info, data)
        if edit == "member_name_twice":
            with pytest.warns(UserWarning, match="Duplicate name"):
                zout.writestr("protocol.json", zin.read("protocol.json"))
        if edit == "second_manifest_covers_other_objects":
            sig = "META-INF/signature002.p7s"
            zout.writestr("META-INF/ASiCManifest002.xml", asic_manifest_xml(sig, first.objects[1:]))
            zout.writestr(sig, zin.read("META-INF/signature001.p7s"))
    return dst


@pytest.mark.parametrize(
    "edit, message",
    [
        ("member_name_twice", "a member name occurs twice in the zip"),
        ("manifest_xml_lists_a_missing_file", "manifest.xml lists missing gone.txt"),
        ("mimetype_compressed", "mimetype is compressed, must be stored"),
        ("container_json_not_signed", "container.json is not signed"),
        (
            "second_manifest_covers_other_objects",
            "ASiCManifest002 covers other data objects than the first one",
        ),
    ],
)
def test_structure_fault_is_named(
    edit: str, message: str, built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    report = verify_container(_rewritten(built[0], tmp_path / f"{edit}.asice", edit))
    assert message in [c.message for c in report.failed("structure")]


def test_damaged_central_directory_is_unreadable_naming_the_file(
    built: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    c = _copy(built, tmp_path)
    raw = bytearray(c.read_bytes())
    at = raw.rindex(b"PK\x01\x02")  # the last central directory record
    raw[at : at + 4] = b"PK\x09\x09"
    c.write_bytes(bytes(raw))
    with pytest.raises(UnreadableContainerError, match=r"c\.asice.*record \d+ is damaged"):
        verify_container(c)


def test_without_the_hashing_process_the_members_are_hashed_here_with_the_same_result(
    built: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """protocol/sha256_child.py hashes the stored members in a child process; if it cannot
    start, verify hashes them in its own process and reaches the same verdicts."""
    import sys

    bad = rewrite_zip(built[0], tmp_path / "bad.asice", change={_segment(built): flip_byte(7)})
    before = [verify_container(p) for p in (built[0], bad)]
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    with caplog.at_level("WARNING", logger="protocol.digests"):
        after = [verify_container(p) for p in (built[0], bad)]
    fell_back = [r.getMessage() for r in caplog.records if "in this process" in r.getMessage()]
    assert len(fell_back) == 2 and "cannot start" in fell_back[0], caplog.text
    assert after[0].ok and before[0].ok
    assert [c.subject for c in after[1].failed("digest")] == [_segment(built)]
    assert [(c.name, c.status, c.message) for c in after[1].checks] == [
        (c.name, c.status, c.message) for c in before[1].checks
    ]
