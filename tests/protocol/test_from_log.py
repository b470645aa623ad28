"""The protocol built from a real recorded action and what the session core logged beside it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.procedure import Procedure
from protocol.container import build_container
from protocol.from_log import FromLogError, protocol_from_action, signed_by
from protocol.metadata import protocol_from_json, protocol_to_json, schema_errors
from protocol.model import Protocol
from protocol.model_base import ProtocolModelError
from protocol.render import render_pdf
from protocol.samples import WITNESS_IIN
from protocol.verify import verify_container
from recorder.log import read_log
from recorder.recording import Recorder
from recorder.report import Status
from tests.pki.fixtures import anchors_dir, signer
from tests.protocol.interop import (
    ffprobe_reads_every_segment,
    openssl_verifies_every_signature,
    unzip_tests_ok,
)
from tests.protocol.live_action import (
    BREAK_REASON,
    CAPTION,
    DEVIATION_REASON,
    SPECIALIST_IIN,
    entered,
    recorded_live_action,
)


@pytest.fixture
def action(tmp_path: Path) -> Path:
    return recorded_live_action(tmp_path)


def test_everything_logged_reaches_the_protocol(action: Path) -> None:
    p = protocol_from_action(action, entered())
    entries = read_log(action)
    assert p.action.start < p.action.end
    assert p.recording is not None and p.recording.log_entries == len(entries)
    assert p.recording.last_checkpoint is not None
    assert p.recording.tree_size == len(entries) - 1  # the final checkpoint covers all before it

    check, refused, accepted = p.identity_checks  # in time order (the guest's when attested)
    assert (refused.participant, refused.method, refused.result) == (
        "specialist",
        "certificate",
        "not_confirmed",
    )
    assert "iin-mismatch" in refused.note and "DEMO" in refused.note
    assert (accepted.result, accepted.steps[0].result) == ("confirmed", "accepted")
    assert f"IIN {SPECIALIST_IIN}" in accepted.document
    assert check.participant == "witness" and check.result == "confirmed"
    assert check.document == "045123987" and check.method == "id_document"
    assert [s.step for s in check.steps] == [
        "link-and-pin",
        "document-stills",
        "document-data",
        "investigator-attestation",
    ]
    assert check.steps[0].by == "system" and check.confirmed_by == ("investigator",)
    assert {e.name for e in check.evidence} == {
        "evidence/witness-document.png",
        "evidence/witness-face.png",
    }

    (ack,) = p.acknowledgments
    step = Procedure.load("remote_interrogation_witness").step("rights_witness")
    assert (ack.kind, ack.how, ack.step) == ("rights", "typed_name", "rights_witness")
    assert ack.text_sha256 == step.text_sha256("ru") and ack.articles == step.articles
    assert ack.explained_at < ack.acknowledged_at  # text shown when the step started

    (dev,) = p.deviations
    assert (dev.step, dev.missing, dev.reason) == (
        "testimony",
        ("warnings_witness", "confidentiality"),
        DEVIATION_REASON,
    )

    (alert,) = p.presence_alerts
    assert (alert.participant, alert.state, alert.max_faces) == ("witness", "multiple", 2)
    assert alert.start < alert.end and alert.end_t > alert.start_t

    kinds = [(i.kind, i.subject) for i in p.recording.intervals]
    assert kinds == [("break", BREAK_REASON), ("disconnection", "witness")]
    assert [m.note for m in p.recording.markers] == ["начало свободного рассказа"]

    (t,) = p.testimonies
    assert t.narrative.startswith("14 ноября") and [q.status for q in t.questions] == [
        "answered",
        "withdrawn",
    ]
    assert t.questions[1].reason == "наводящий вопрос"
    assert t.narrative_started_at <= t.questions[0].asked_at

    (still,) = p.stills
    png = (action / still.file.name).read_bytes()
    assert still.file.sha256 == hashlib.sha256(png).hexdigest()
    assert (still.caption, still.camera_of, still.width, still.height) == (
        CAPTION,
        "witness",
        1280,
        960,
    )
    (note,) = p.annotations
    assert note.still_sha256 == still.file.sha256 and note.author == "specialist"

    assert [(e.number, e.kind, e.shown_to) for e in p.exhibits] == [
        (1, "photo", ("witness",)),
        (2, "video", ("witness",)),
    ]
    assert p.exhibits[0].played_seconds is None and p.exhibits[0].ended_at is not None
    assert p.exhibits[1].played_seconds is not None and p.exhibits[1].played_seconds > 0.1
    assert [(s.kind, s.text) for s in p.statements] == [
        ("remark", "Шапка была бордовая, а не красная.")
    ]
    assert p.technical.codecs == ("aac 48000 Hz", "h264 640×480")
    assert p.technical.segment_seconds == 1.0  # the setting, from session_started


def test_built_protocol_round_trips_through_protocol_json(action: Path) -> None:
    for kind in ("remote_interrogation_witness", "remote_inspection"):
        p = protocol_from_action(action, entered(action_type=kind))
        data = protocol_to_json(p)
        assert schema_errors(json.loads(data)) == []
        assert protocol_from_json(data) == p


def test_inspection_record_is_required_exactly_for_an_inspection(action: Path) -> None:
    p = protocol_from_action(action, entered(action_type="remote_inspection"))
    assert p.inspection is not None and p.inspection.findings[0].stills == (1,)
    without = dataclasses.replace(entered(action_type="remote_inspection"), inspection=None)
    with pytest.raises(ProtocolModelError, match=r"inspection.*required for a remote_inspection"):
        protocol_from_action(action, without)
    extra = dataclasses.replace(entered(), inspection=p.inspection)
    with pytest.raises(ProtocolModelError, match="only for it"):
        protocol_from_action(action, extra)


def test_finding_linking_a_missing_still_names_it(action: Path) -> None:
    e = entered(action_type="remote_inspection")
    assert e.inspection is not None
    bad = dataclasses.replace(e.inspection.findings[1], stills=(2,))
    inspection = dataclasses.replace(e.inspection, findings=(e.inspection.findings[0], bad))
    with pytest.raises(ProtocolModelError, match=r"inspection.findings\[1\].stills: 2"):
        protocol_from_action(action, dataclasses.replace(e, inspection=inspection))


def test_signer_whose_iin_is_not_the_participants_is_refused(action: Path) -> None:
    p = protocol_from_action(action, entered())
    at = p.action.end
    with pytest.raises(ProtocolModelError, match=r"signers\[0\].iin: .* differs from"):
        signed_by(p, "investigator", signer("expert"), at)


def test_certificate_accepted_for_another_iin_is_refused(action: Path) -> None:
    e = entered()
    people = tuple(
        dataclasses.replace(p, iin=WITNESS_IIN) if p.id == "specialist" else p
        for p in e.participants
    )
    with pytest.raises(FromLogError, match=r"certificate IIN '\d{12}' accepted for specialist"):
        protocol_from_action(action, dataclasses.replace(e, participants=people))


def test_log_participant_not_entered_is_named(action: Path) -> None:
    e = entered()
    people = tuple(p for p in e.participants if p.id != "specialist")
    named = r"\(identity_check\): participant 'specialist' is not one of the participants"
    with pytest.raises(FromLogError, match=named):
        protocol_from_action(action, dataclasses.replace(e, participants=people))


def test_changed_still_is_refused(action: Path) -> None:
    still = action / "evidence" / "still-scene-1.png"
    still.chmod(0o600)
    data = bytearray(still.read_bytes())
    data[-20] ^= 1
    still.write_bytes(bytes(data))
    with pytest.raises(FromLogError, match=r"\(still\): evidence evidence/still-scene-1.png"):
        protocol_from_action(action, entered())


def test_open_question_must_be_settled_first(action: Path) -> None:
    path = action / "testimony-witness.json"
    path.chmod(0o600)
    draft = json.loads(path.read_bytes())
    draft["items"][2]["state"] = "open"
    path.write_text(json.dumps(draft, ensure_ascii=False))
    with pytest.raises(FromLogError, match="question 2 is 'open'; answer, withdraw or refuse"):
        protocol_from_action(action, entered())


def test_changed_log_is_refused(action: Path) -> None:
    log = action / "log.jsonl"
    log.chmod(0o600)
    log.write_bytes(log.read_bytes().replace(BREAK_REASON.encode(), b"x" * 10))
    with pytest.raises(FromLogError, match="cannot read the action log"):
        protocol_from_action(action, entered())


def _container(action: Path, tmp: Path, p: Protocol, created: dt.datetime) -> Path:
    out = tmp / "inspection.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=render_pdf(p, "kk+ru", created=created, action_dir=action),
            protocol_json=protocol_to_json(p),
            signer=signer("investigator"),
            container_id=p.document_id,
        )
    )
    return out


def test_container_of_the_built_protocol_verifies(action: Path, tmp_path: Path) -> None:
    e = entered(action_type="remote_inspection")
    iin = signer("investigator").identity.iin
    people = tuple(
        dataclasses.replace(p, iin=iin) if p.id == "investigator" else p for p in e.participants
    )
    p = protocol_from_action(action, dataclasses.replace(e, participants=people))
    created = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
    p = signed_by(p, "investigator", signer("investigator"), created)
    assert p.signers[0].iin == iin and p.signature_of("investigator") is not None
    out = _container(action, tmp_path, p, created)
    report = verify_container(out, trust_anchors_dir=anchors_dir(tmp_path))
    assert report.ok, report.summary()
    assert [c.status for c in report.checks if c.name == "summary"] == [Status.OK]
    (evidence,) = [c for c in report.checks if c.name == "evidence"]
    assert evidence.status is Status.OK and evidence.message.startswith(
        "6 evidence files"
    )  # 2 id, still, note, 2 exhibits
    assert p.recording is not None
    with zipfile.ZipFile(out) as zf:
        assert "recording/" + p.stills[0].file.name in zf.namelist()
        assert "recording/testimony-witness.json" in zf.namelist()
        (tmp_path / "protocol.pdf").write_bytes(zf.read("protocol.pdf"))
    unzip_tests_ok(out)
    assert openssl_verifies_every_signature(out, tmp_path) == 1
    assert ffprobe_reads_every_segment(out, tmp_path) == sum(p.recording.segments.values())
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "protocol.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert all(who.full_name in " ".join(text.split()) for who in p.participants)


def test_protocol_naming_evidence_with_another_hash_fails_evidence(
    action: Path, tmp_path: Path
) -> None:
    p = protocol_from_action(action, entered())
    check, *certificates = p.identity_checks
    forged = dataclasses.replace(check.evidence[1], sha256="ab" * 32)
    check = dataclasses.replace(check, evidence=(check.evidence[0], forged))
    p = dataclasses.replace(p, identity_checks=(check, *certificates))
    out = _container(action, tmp_path, p, dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC))
    report = verify_container(out)
    assert [c.subject for c in report.failed("evidence")] == ["recording/" + forged.name]
    assert not report.failed("digest") and not report.failed("signature")


def test_entry_field_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    async def record() -> Path:
        rec = await Recorder.start(
            tmp_path / "a",
            action_id="bad-presence",
            planned_seconds=5,
            signing_key=Ed25519PrivateKey.generate(),
            video_tracks=0,
            audio_tracks=0,
        )
        bad = {"participant": "witness", "state": "absent", "max_faces": "none"}
        await rec.event("presence", {**bad, "start": 0.0, "end": 0.1})
        await rec.stop()
        return tmp_path / "a"

    action = asyncio.run(record())
    with pytest.raises(FromLogError, match=r"\(presence\): max_faces is 'none', expected an int"):
        protocol_from_action(action, entered())


def test_logged_segment_length_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    async def record() -> Path:
        rec = await Recorder.start(
            tmp_path / "a",
            action_id="bad-grid",
            planned_seconds=5,
            signing_key=Ed25519PrivateKey.generate(),
            video_tracks=0,
            audio_tracks=0,
            data={"segment_seconds": "one"},
        )
        await rec.stop()
        return tmp_path / "a"

    action = asyncio.run(record())
    with pytest.raises(FromLogError, match=r"\(session_started\): segment_seconds 'one', expected"):
        protocol_from_action(action, entered())
