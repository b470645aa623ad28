"""The protocol of a real recorded action as a PDF: inspection record, photo table, annotations,
deviations, presence alerts and identity steps, in kk, ru and en (checked with poppler)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from protocol.errors import ProtocolError
from protocol.from_log import protocol_from_action
from protocol.model import Protocol
from protocol.render import RenderError, render_pdf
from protocol.render_scene import MAX_SIDE, reduced_jpeg
from tests.protocol.live_action import (
    CAPTION,
    DEVIATION_REASON,
    WITNESS_NAME,
    entered,
    recorded_live_action,
    scene_png,
)

CREATED = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
# per language: the photo table heading, the place label, the witness's name as printed
EXPECTED = {
    "kk": ("Фотокесте", "Қаралатын орын", WITNESS_NAME),
    "ru": ("Фототаблица", "Осматриваемое место", WITNESS_NAME),
    "en": ("Photo table", "Place inspected", "Seitkali Bauyrzhan Maratuly"),
}


@pytest.fixture
def action(tmp_path: Path) -> Path:
    return recorded_live_action(tmp_path)


def _text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _inspection(action: Path) -> Protocol:
    return protocol_from_action(action, entered(action_type="remote_inspection"))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_inspection_protocol_with_photo_table_renders(
    lang: str, action: Path, tmp_path: Path
) -> None:
    p = _inspection(action)
    pdf = render_pdf(p, lang, created=CREATED, action_dir=action)
    text = _text(pdf, tmp_path)
    heading, place_label, witness = EXPECTED[lang]
    for expected in (heading, place_label, witness, CAPTION, p.stills[0].file.sha256):
        assert expected in text, expected
    assert p.inspection is not None and p.inspection.place in text
    assert "Yermekov Dauren Saparovich" in text if lang == "en" else "Ермеков Даурен" in text
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "p.pdf")], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    # the still and its annotated copy, as JPEG copies (1280×960 is within the 1400 px limit)
    assert len(images) == len(p.stills) + len(p.annotations) == 2
    for row in images:
        page, _num, kind, width, height = row.split()[:5]
        assert (kind, width, height) == ("image", "1280", "960")
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", page, "-l", page, str(tmp_path / "p.pdf"), png],
        check=True,
    )
    assert list(tmp_path.glob("page*.png"))


def test_conduct_of_the_action_is_listed(action: Path, tmp_path: Path) -> None:
    p = protocol_from_action(action, entered())
    text = _text(render_pdf(p, "ru", created=CREATED, action_dir=action), tmp_path)
    assert "Отступления от порядка действия" in text and DEVIATION_REASON in text
    assert "в кадре несколько лиц (до 2)" in text
    assert "одноразовая ссылка и PIN — система: пройдено" in text
    assert "Личность НЕ установлена; проверил(и): Следователь" in text  # refused certificate
    assert "Личность установлена; подтвердили: Следователь" in text
    assert p.acknowledgments[0].text_sha256 is not None
    assert p.acknowledgments[0].text_sha256 in text
    assert "Пометки эксперта (специалиста) на фотоснимках" in text
    assert "к фото № 1; пометки: 2" in text
    assert "Шапка была бордовая, а не красная." in text
    for exhibit in p.exhibits:
        assert exhibit.ended_at is not None
        start = p.action.local(exhibit.at).strftime("%H:%M:%S")
        end = p.action.local(exhibit.ended_at).strftime("%H:%M:%S")
        assert f"{start}–{end}" in text and exhibit.file is not None
        assert exhibit.file.sha256 in text


def test_same_protocol_and_stills_give_the_same_bytes(action: Path) -> None:
    p = _inspection(action)
    one = render_pdf(p, "kk", created=CREATED, action_dir=action)
    assert render_pdf(p, "kk", created=CREATED, action_dir=action) == one


def test_photo_table_needs_the_stills_unchanged(action: Path) -> None:
    p = _inspection(action)
    with pytest.raises(RenderError, match="1 stills: give the action folder"):
        render_pdf(p, "ru", created=CREATED)
    still = action / p.stills[0].file.name
    still.chmod(0o600)
    still.write_bytes(still.read_bytes() + b"\0")
    with pytest.raises(RenderError, match=r"still 1: evidence/still-scene-1.png has SHA-256"):
        render_pdf(p, "ru", created=CREATED, action_dir=action)


def test_character_the_font_lacks_is_refused_not_dropped(action: Path, tmp_path: Path) -> None:
    p = _inspection(action)
    assert p.inspection is not None
    minus = dataclasses.replace(p.inspection.conditions, temperature="\u22124 °C")
    ok = dataclasses.replace(p, inspection=dataclasses.replace(p.inspection, conditions=minus))
    text = _text(render_pdf(ok, "ru", created=CREATED, action_dir=action), tmp_path)
    assert "-4 °C" in text  # U+2212 printed as a hyphen-minus, not lost
    snow = dataclasses.replace(p.inspection.conditions, weather="снег \u2744")
    bad = dataclasses.replace(p, inspection=dataclasses.replace(p.inspection, conditions=snow))
    with pytest.raises(RenderError, match=r"cannot print '❄' \(U\+2744\)"):
        render_pdf(bad, "ru", created=CREATED, action_dir=action)


def test_large_still_is_embedded_as_a_reduced_copy() -> None:
    big = scene_png(4000, 3000)
    with Image.open(io.BytesIO(reduced_jpeg(big, what="still"))) as img:
        assert (img.format, img.size) == ("JPEG", (MAX_SIDE, MAX_SIDE * 3 // 4))
    with pytest.raises(ProtocolError, match="still 9: not a readable image"):
        reduced_jpeg(b"not a picture", what="still 9")


def test_bilingual_deviation_keeps_each_sentence_in_one_language(
    action: Path, tmp_path: Path
) -> None:
    p = protocol_from_action(action, entered())
    text = _text(render_pdf(p, "kk+ru", created=CREATED, action_dir=action), tmp_path)
    kk = "«айғақтар» кезеңі мына кезеңдерден бұрын басталды: куәні ескерту, жария етпеу"
    ru = "Этап «показания» начат до этапов: предупреждения свидетеля, неразглашение"
    assert f"{kk} / {ru}. Себебі / причина: {DEVIATION_REASON}" in text
