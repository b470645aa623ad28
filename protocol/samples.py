"""A realistic, complete sample protocol: a remote interrogation of a witness.

Used by tests, by the container tests and by the demo. Names are Kazakh, Russian and English;
every IIN is valid (check digit and birth date).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from protocol.case import Action, Case, Place
from protocol.model import Protocol
from protocol.participants import (
    Acknowledgment,
    EvidenceFile,
    IdentityCheck,
    Participant,
    PersonalData,
    Signature,
)
from protocol.technical import (
    Checkpoint,
    Interval,
    Marker,
    RecordingSummary,
    TechnicalMeans,
    TrackSummary,
)
from protocol.testimony import Exhibit, Question, Statement, Testimony

INVESTIGATOR_IIN = "850315400124"
WITNESS_IIN = "900720301239"
REMOTE_OFFICIAL_IIN = "881201304565"
SPECIALIST_IIN = "791102307895"

_ROOT = "3f1c2a9e8b7d6c5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877"


def _at(zone: zoneinfo.ZoneInfo, hh: int, mm: int, ss: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 27, hh, mm, ss, tzinfo=zone)


def sample_protocol(*, recording: RecordingSummary | None = None) -> Protocol:
    """A complete remote witness interrogation (Astana investigator, Karaganda witness).

    ``recording`` replaces the built-in recording summary (e.g. one built from a real log).
    """
    z = zoneinfo.ZoneInfo("Asia/Almaty")
    start, end = _at(z, 10, 0), _at(z, 11, 25)
    participants = (
        Participant(
            id="investigator",
            role="investigator",
            full_name="Жақсыбекова Әсемгүл Нұрланқызы",
            full_name_latin="Zhaksybekova Assemgul Nurlankyzy",
            iin=INVESTIGATOR_IIN,
            location="investigator",
            position="старший следователь, майор полиции",
            agency="СУ ДП г. Астаны",
            language="kk",
        ),
        Participant(
            id="witness",
            role="witness",
            full_name="Иванов Сергей Петрович",
            full_name_latin="Ivanov Sergey Petrovich",
            iin=WITNESS_IIN,
            location="remote",
            language="ru",
            personal_data=PersonalData(
                birth_date=dt.date(1990, 7, 20),
                birth_place="г. Караганда",
                citizenship="Республика Казахстан",
                nationality="русский",
                education="высшее",
                marital_status="женат",
                work="ТОО «Сарыарка Логистик»",
                position="водитель-экспедитор",
                residence="г. Караганда, ул. Ерубаева, д. 12, кв. 45",
            ),
        ),
        Participant(
            id="remote-official",
            role="remote_official",
            full_name="Сәрсенбаев Дәулет Қанатұлы",
            full_name_latin="Sarsenbayev Daulet Kanatuly",
            iin=REMOTE_OFFICIAL_IIN,
            location="remote",
            position="следователь, капитан полиции",
            agency="УП г. Караганды",
            language="kk",
        ),
        Participant(
            id="specialist",
            role="specialist",
            full_name="Oliver James Bennett",
            full_name_latin="Oliver James Bennett",
            iin=SPECIALIST_IIN,
            location="investigator",
            position="специалист по видеотехнике",
            agency="ИЦ ДП г. Астаны",
            language="en",
        ),
    )
    both = ("investigator", "remote-official")
    checks = (
        IdentityCheck(
            participant="witness",
            method="id_card_mrz",
            document="удостоверение личности № 045123987, выдано МВД РК 12.03.2019",
            evidence=(
                EvidenceFile("evidence/witness-id-front.png", "a1" * 32, 482_113),
                EvidenceFile("evidence/witness-id-mrz.png", "b2" * 32, 201_554),
            ),
            confirmed_by=both,
            at=_at(z, 10, 4),
            note="MRZ and IIN check digits valid; IIN matches the document",
        ),
        IdentityCheck(
            participant="remote-official",
            method="certificate",
            document="служебное удостоверение № 7741",
            evidence=(EvidenceFile("evidence/remote-official-cert.pem", "c3" * 32, 1_902),),
            confirmed_by=("investigator",),
            at=_at(z, 10, 2),
        ),
    )
    acks = tuple(
        Acknowledgment("witness", kind, arts, _at(z, 10, m), _at(z, 10, m, 40), how)
        for kind, arts, m, how in (
            ("recording_notice", ("CPC 213",), 1, "oral"),
            ("rights", ("CPC 78",), 7, "on_screen_and_oral"),
            ("privilege", ("CPC 28",), 8, "on_screen_and_oral"),
            ("warning_false_testimony", ("CC 420",), 9, "on_screen_and_oral"),
            ("warning_refusal", ("CC 421",), 9, "on_screen_and_oral"),
            ("confidentiality", ("CPC 201",), 10, "on_screen"),
        )
    )
    questions = (
        Question(
            1,
            "investigator",
            "В какое время вы прибыли на склад 14 ноября 2026 года?",
            "Около 21:40, я привёз груз из Темиртау.",
            _at(z, 10, 31, 5),
            1865.0,
        ),
        Question(
            2,
            "investigator",
            "Кто ещё находился на складе в это время?",
            "Охранник Бекмуханов и ещё один человек в тёмной куртке, мне незнакомый.",
            _at(z, 10, 33, 40),
            2020.0,
        ),
        Question(
            3,
            "investigator",
            "Вы видели, как незнакомец выносил коробки?",
            "",
            _at(z, 10, 36, 10),
            2170.0,
            status="withdrawn",
            reason="наводящий вопрос (ст. 210 УПК), снят следователем",
        ),
        Question(
            4,
            "investigator",
            "Опишите человека в тёмной куртке.",
            "Мужчина лет сорока, высокий, с бородой, в чёрной шапке. Узнать смогу.",
            _at(z, 10, 37, 0),
            2220.0,
        ),
    )
    testimony = Testimony(
        participant="witness",
        language="ru",
        narrative=(
            "14 ноября 2026 года около 21:40 я приехал на склад ТОО «Сарыарка Логистик» по "
            "ул. Складской, 8, чтобы сдать груз. Ворота были открыты, охранник Бекмуханов "
            "стоял у будки. У рампы стоял белый фургон без номеров, из него выгружали и снова "
            "загружали коробки. Я сдал накладные и уехал около 22:15. Утром мне позвонил "
            "начальник и сказал, что со склада пропала техника."
        ),
        narrative_started_at=_at(z, 10, 12),
        narrative_ended_at=_at(z, 10, 30),
        questions=questions,
    )
    exhibits = (
        Exhibit(
            1,
            "video",
            "запись камеры наблюдения у ворот склада, 14.11.2026 21:35–22:20",
            ("witness",),
            _at(z, 10, 45),
            EvidenceFile("exhibits/gate-camera.mp4", "d4" * 32, 18_204_551),
            312.0,
        ),
    )
    statements = (
        Statement(
            "witness",
            "correction",
            "В ответе на вопрос 2 уточняю: охранника зовут Бекмуханов Нурлан.",
            _at(z, 11, 12),
        ),
        Statement(
            "specialist",
            "remark",
            "Video frames 00:03:10–00:03:25 are partly overexposed; no editing traces found.",
            _at(z, 11, 14),
        ),
    )
    technical = TechnicalMeans(
        app_version="Tergeu 0.1.0",
        devices=("Logitech C920 (investigator)", "ноутбук Lenovo T14, веб-камера (remote)"),
        codecs=("H.264", "AAC"),
        segment_seconds=2.0,
        participants_informed_at=_at(z, 10, 1),
    )
    if recording is None:
        utc = dt.UTC
        recording = RecordingSummary(
            tracks=(
                TrackSummary("investigator-video", "video", 5088.0, 2544),
                TrackSummary("investigator-audio", "audio", 5088.0, 2544),
                TrackSummary("witness-video", "video", 5041.5, 2521),
                TrackSummary("witness-audio", "audio", 5041.5, 2521),
            ),
            segments={
                "investigator-video": 2544,
                "investigator-audio": 2544,
                "witness-video": 2521,
                "witness-audio": 2521,
            },
            intervals=(
                Interval("break", _at(z, 10, 50), _at(z, 10, 55), "перерыв по просьбе свидетеля"),
                Interval("disconnection", _at(z, 11, 3, 12), _at(z, 11, 3, 59), "witness"),
            ),
            markers=(Marker(_at(z, 10, 45, 30).astimezone(utc), 2730.0, "показ видеозаписи"),),
            merkle_root=_ROOT,
            tree_size=10_412,
            log_entries=10_413,
            log_sha256="e5" * 32,
            last_checkpoint=Checkpoint(10_412, _at(z, 11, 24, 50), 10_412, _ROOT),
        )
    return Protocol(
        document_id="tergeu-2026-000123",
        case=Case("262700031000123", article="ч. 4 ст. 188 УК РК (кража)"),
        action=Action(
            type="remote_interrogation_witness",
            ground="difficulty_or_cost",
            ground_details="свидетель проживает в г. Караганде, 220 км от органа расследования",
            investigator_place=Place("СУ ДП г. Астаны", "г. Астана, пр. Абая, 37", "каб. 412"),
            remote_place=Place("УП г. Караганды", "г. Караганда, ул. Ерубаева, 37", "каб. 105"),
            start=start,
            end=end,
            timezone="Asia/Almaty",
            language="ru",
        ),
        drafter="investigator",
        languages=("ru", "kk"),
        participants=participants,
        identity_checks=checks,
        acknowledgments=acks,
        testimonies=(testimony,),
        exhibits=exhibits,
        statements=statements,
        technical=technical,
        recording=recording,
        signatures=(
            Signature("investigator", "signed", at=_at(z, 11, 22)),
            Signature("witness", "signed", at=_at(z, 11, 22)),
            Signature("remote-official", "signed", at=_at(z, 11, 23)),
            Signature(
                "specialist",
                "refused",
                "считает, что не участвовал в допросе, а лишь демонстрировал запись",
                _at(z, 11, 23),
            ),
        ),
    )
