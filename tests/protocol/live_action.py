"""A real recorded action with what a live session writes beside the media, for protocol tests.

The recorder records a synthetic witness (video + audio, 1 s segments) for about 3 s while the
real session-core modules append their entries to the same log: the procedure engine
(``app.core.procedure``: steps, an acknowledgment with the text hash, a deviation), the guest
identity steps with document and face stills (``app.core.guest_identity``, ``app.core.evidence``),
the testimony draft (``app.core.testimony``), a presence interval (``app.core.presence``), an
expert annotation (``app.core.annotations``), plus a pause, a disconnection, a marker, a scene
still, exhibits and a read-back reply written with the data the hub writes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw

from app.core.annotations import Annotation, Shape
from app.core.evidence import store_evidence
from app.core.guest_identity import GuestIdentity
from app.core.identity import IdentityResult, Refusal
from app.core.presence import Presence, PresenceInterval
from app.core.procedure import Procedure, ProcedureRun
from app.core.testimony import Testimony
from protocol.case import Case, Place
from protocol.from_log import Entered
from protocol.inspection import Conditions, Finding, Inspection
from protocol.participants import Participant
from protocol.samples import INVESTIGATOR_IIN, WITNESS_IIN
from recorder.clock import SessionClock
from recorder.recording import Recorder
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.pki.fixtures import signer

WITNESS_NAME = "Сейтқали Бауыржан Маратұлы"
DEVIATION_REASON = "свидетель торопится на поезд; предупреждения после рассказа"
CAPTION = "Дверь склада №3, след взлома на замке"
BREAK_REASON = "перерыв по просьбе свидетеля"
_CACHE: dict[str, Path] = {}
SPECIALIST_IIN = signer("expert").identity.iin


def scene_png(width: int = 1280, height: int = 960) -> bytes:
    """A scene picture (a door with a lock) at a camera-like size."""
    img = Image.new("RGB", (width, height), (150, 160, 170))
    d = ImageDraw.Draw(img)
    d.rectangle((420, 120, 860, 900), fill=(120, 80, 40), outline=(30, 20, 10), width=8)
    d.rectangle((780, 480, 830, 560), fill=(200, 200, 40))
    d.line((790, 500, 840, 470), fill=(230, 30, 30), width=6)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


async def _append(rec: Recorder, kind: str, data: dict[str, Any]) -> None:
    await rec.event(kind, data)


async def _record(action: Path) -> Path:
    clock = SessionClock.start()
    rec = await Recorder.start(
        action,
        action_id="live-action-test",
        planned_seconds=10,
        segment_seconds=1.0,
        checkpoint_seconds=30.0,
        signing_key=Ed25519PrivateKey.generate(),
        clock=clock,
        video_tracks=1,
        audio_tracks=1,
    )

    def append(kind: str, data: Any) -> None:
        rec.log.append(kind, dict(data))

    async def log(kind: str, data: Any) -> None:
        await asyncio.to_thread(append, kind, data)

    await rec.event("participant_admitted", {"participant": "witness", "role": "witness"})
    await rec.add_track(SyntheticVideoTrack(clock, frames=150), participant="witness")
    await rec.add_track(SyntheticAudioTrack(clock, seconds=5.0), participant="witness")
    run = ProcedureRun(Procedure.load("remote_interrogation_witness"), append, "ru")
    await asyncio.to_thread(run.start, "recording_announced", by="investigator")
    await asyncio.to_thread(run.complete, "recording_announced", by="investigator")
    await asyncio.to_thread(run.start, "identity", by="investigator")
    guest = GuestIdentity("witness", WITNESS_IIN, append)
    await asyncio.to_thread(guest.possession, invite_id="inv-1")
    doc = store_evidence(action, "witness-document.png", scene_png(800, 500))
    face = store_evidence(action, "witness-face.png", scene_png(640, 480))
    await asyncio.to_thread(guest.document_stills, by="investigator", document=doc, face=face)
    await asyncio.to_thread(
        lambda: guest.document_data(
            by="investigator",
            iin=WITNESS_IIN,
            document_number="045123987",
            mrz=None,
            today=dt.date(2026, 12, 1),
        )
    )
    await asyncio.to_thread(guest.attest, investigator="investigator")
    # the specialist signs a challenge: first with a key of another person, then their own
    expert = signer("expert")
    for refusal in (Refusal.IIN_MISMATCH, None):
        result = IdentityResult(
            "specialist",
            refusal,
            "IIN does not match the invitation" if refusal else "certificate accepted",
            identity=expert.identity,
            certificate_sha256="cd" * 32,
            demo=True,
        )
        await log("identity_check", result.log_data())
    await asyncio.to_thread(run.complete, "identity", by="investigator")
    await asyncio.to_thread(run.start, "rights_witness", by="investigator")
    step = run.procedure.step("rights_witness")
    await asyncio.sleep(0.2)
    await asyncio.to_thread(
        lambda: run.acknowledge(
            "rights_witness",
            participant="witness",
            participant_name=WITNESS_NAME,
            method="typed_name",
            shown_text_sha256=step.text_sha256("ru"),
            typed_name=WITNESS_NAME,
        )
    )
    await asyncio.to_thread(run.complete, "rights_witness", by="investigator")
    await asyncio.to_thread(
        lambda: run.start("testimony", by="investigator", deviation_reason=DEVIATION_REASON)
    )
    testimony = Testimony(action / "testimony-witness.json", "witness", clock.now)
    testimony.add_narrative("14 ноября около 22:00 я видел у склада №3 двух мужчин с ломом.")
    await rec.marker("начало свободного рассказа")
    await asyncio.sleep(0.3)
    first = testimony.ask("Во что были одеты мужчины?")
    testimony.answer(first, "В тёмные куртки, один в красной шапке.")
    second = testimony.ask("Вы знали этих мужчин раньше?")
    testimony.withdraw(second, "наводящий вопрос")
    await rec.pause(BREAK_REASON)
    await asyncio.sleep(0.4)
    await rec.resume()
    t0 = clock.now()
    await asyncio.sleep(0.4)
    interval = PresenceInterval("witness", Presence.MULTIPLE, 2, t0, clock.now())
    await log("presence", interval.log_data())
    await rec.event("participant_left", {"participant": "witness", "role": "witness"})
    await asyncio.sleep(0.2)
    await rec.event("participant_admitted", {"participant": "witness", "role": "witness"})
    png = scene_png()
    still = store_evidence(action, "still-scene-1.png", png)
    await log(
        "still",
        {
            "participant": "witness",
            "role": "witness",
            "request_id": "s0001",
            "kind": "scene",
            "caption": CAPTION,
            "author": "investigator",
            "width": 1280,
            "height": 960,
            "media_type": "image/png",
            **still.log_data(),
        },
    )
    note = Annotation(
        still.file,
        still.sha256,
        1280,
        960,
        "specialist",
        "2026-12-01T10:00:00.000000Z",
        (Shape("rect", ((770, 470), (840, 570))), Shape("text", ((700, 420),), "след орудия")),
    )
    ann = store_evidence(action, "annotation-1.json", note.to_bytes())
    await log(
        "annotation_saved",
        {"author": "specialist", "still_sha256": still.sha256, "shapes": 2, **ann.log_data()},
    )
    plan = store_evidence(action, "exhibit-1.png", scene_png(600, 400))
    clip = store_evidence(action, "exhibit-2.txt", b"stands in for a clip file")
    for number, name, media, file in (
        (1, "план территории склада.png", "image", plan),
        (2, "камера у ворот 21-35.mp4", "video", clip),
    ):
        data = {"number": number, "name": name, "media": media, "mime": "x", "to": ["witness"]}
        await log("exhibit_shown", {**data, **file.log_data(), "tracks": []})
        await asyncio.sleep(0.2)
        await log("exhibit_ended", {"number": number, "reason": "stopped", "to": ["witness"]})
    await log(
        "read_back",
        {
            "participant": "witness",
            "decision": "acknowledged",
            "remarks": "Шапка была бордовая, а не красная.",
            "reason": "",
            "typed_name": WITNESS_NAME,
            "draft_sha256": testimony.sha256(),
            "language": "ru",
        },
    )
    await rec.stop()
    return action


def recorded_live_action(tmp: Path) -> Path:
    """A copy in ``tmp`` of the action recorded once per test session."""
    if "dir" not in _CACHE:
        base = Path(tempfile.mkdtemp(prefix="tergeu-live-action-"))
        _CACHE["dir"] = asyncio.run(_record(base / "action"))
    action = tmp / "action"
    shutil.copytree(_CACHE["dir"], action)
    return action


def participants() -> tuple[Participant, ...]:
    return (
        Participant(
            id="investigator",
            role="investigator",
            full_name="Жақсыбекова Әсемгүл Нұрланқызы",
            full_name_latin="Zhaksybekova Assemgul Nurlankyzy",
            iin=INVESTIGATOR_IIN,
            location="investigator",
            position="старший следователь",
            agency="СУ ДП г. Астаны",
        ),
        Participant(
            id="witness",
            role="witness",
            full_name=WITNESS_NAME,
            full_name_latin="Seitkali Bauyrzhan Maratuly",
            iin=WITNESS_IIN,
            location="remote",
        ),
        Participant(
            id="specialist",
            role="specialist",
            full_name="Ермеков Даурен Сапарович",
            full_name_latin="Yermekov Dauren Saparovich",
            iin=SPECIALIST_IIN,  # the test PKI's expert identity
            location="remote",
            position="специалист-криминалист",
            agency="ИКС МВД РК",
        ),
    )


def entered(*, action_type: str = "remote_interrogation_witness", **extra: Any) -> Entered:
    """What the investigator entered for the recorded action."""
    inspection = None
    if action_type == "remote_inspection":
        inspection = Inspection(
            place="склад №3 ТОО «Ақ Жол», г. Караганда, ул. Складская, 12",
            conditions=Conditions(
                lighting="искусственное, лампы дневного света",
                weather="пасмурно, без осадков",
                temperature="−4 °C",
            ),
            description="Осмотр начат от входной двери склада и продолжен по часовой стрелке.",
            findings=(
                Finding(
                    1,
                    "навесной замок со следами орудия взлома",
                    "на входной двери склада",
                    (1,),
                    seized=True,
                    packaging="бумажный конверт, опечатан печатью №12",
                ),
                Finding(2, "следы обуви", "на снегу у двери", ()),
            ),
            means=("смартфон участника (камера)", "рулетка"),
        )
    return Entered(
        document_id="tergeu-2026-000777",
        case=Case("261234567890123", "ч. 2 ст. 188 УК РК"),
        action_type=action_type,
        ground="difficulty_or_cost",
        ground_details="",
        investigator_place=Place("СУ ДП г. Астаны", "г. Астана, пр. Абая, 37", "каб. 214"),
        remote_place=Place("ОП Казыбекбийского района", "г. Караганда, ул. Ерубаева, 40"),
        participants=participants(),
        devices=("ноутбук следователя, веб-камера",),
        inspection=inspection,
        **extra,
    )
