from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import cv2
import pytest

from protocol.render import RenderError, qr_payload, render_pdf
from protocol.samples import sample_protocol

CREATED = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
_CACHE: dict[str, bytes] = {}


def _pdf(lang: str) -> bytes:
    if lang not in _CACHE:
        _CACHE[lang] = render_pdf(sample_protocol(), lang, created=CREATED)
    return _CACHE[lang]


def _text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pages(pdf: bytes, tmp: Path) -> int:
    path = tmp / "i.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


def test_same_input_and_creation_time_give_the_same_bytes() -> None:
    again = render_pdf(sample_protocol(), "ru", created=CREATED)
    assert again == _pdf("ru")
    later = render_pdf(sample_protocol(), "ru", created=CREATED + dt.timedelta(seconds=1))
    assert later != again


@pytest.mark.parametrize(
    ("lang", "expected", "footer"),
    [
        (
            "ru",
            [
                "ПРОТОКОЛ",
                "допроса свидетеля (дистанционный)",
                "Иванов Сергей Петрович",
                "Жақсыбекова Әсемгүл Нұрланқызы",
                "Сәрсенбаев Дәулет Қанатұлы",
                "Oliver James Bennett",
                "Вопрос снят",
                "От подписи отказался(-лась). Причина: считает",
            ],
            "стр. {n} из {m}",
        ),
        (
            "kk",
            [
                "Куәдан жауап алу",
                "ХАТТАМАСЫ (қашықтан)",
                "Иванов Сергей Петрович",
                "Жақсыбекова Әсемгүл Нұрланқызы",
                "Сұрақ алынып тасталды",
                "Қол қоюдан бас тартты",
            ],
            "{n}-бет, барлығы {m}",
        ),
        (
            "en",
            [
                "RECORD",
                "of remote interrogation of a witness",
                "Ivanov Sergey Petrovich",
                "Zhaksybekova Assemgul Nurlankyzy",
                "Sarsenbayev Daulet Kanatuly",
                "Question withdrawn",
                "Refused to sign. Reason:",
            ],
            "page {n} of {m}",
        ),
        (
            "kk+ru",
            ["Куәдан жауап алу", "ПРОТОКОЛ", "Куә / Свидетель", "Иванов Сергей Петрович"],
            "{n}-бет, барлығы {m} / стр. {n} из {m}",
        ),
    ],
)
def test_text_names_and_localised_footer_on_every_page(
    lang: str, expected: list[str], footer: str, tmp_path: Path
) -> None:
    pdf = _pdf(lang)
    text = _text(pdf, tmp_path)
    flat = _flat(text)
    for item in expected:
        assert item in flat, item
    pages = text.split("\f")
    m = _pages(pdf, tmp_path)
    assert m >= 2
    for n in range(1, m + 1):
        assert footer.format(n=n, m=m) in _flat(pages[n - 1])


def test_english_document_prints_latin_names_only(tmp_path: Path) -> None:
    text = _text(_pdf("en"), tmp_path)
    assert "Иванов" not in text and "Ivanov Sergey Petrovich" in text


def test_fonts_are_embedded_and_pdfa_markers_present(tmp_path: Path) -> None:
    pdf = _pdf("kk")
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    rows = [r for r in fonts.stdout.splitlines()[2:] if r.strip()]
    assert rows and all(" yes " in r for r in rows), fonts.stdout  # embedded (subset)
    assert pdf.startswith(b"%PDF-1.7")
    assert b"<pdfaid:part>2</pdfaid:part>" in pdf and b"<pdfaid:conformance>B" in pdf
    assert b"/GTS_PDFA1" in pdf  # sRGB output intent
    assert b"/SMask" not in pdf  # no transparency


def test_qr_on_last_page_carries_container_id_and_merkle_root(tmp_path: Path) -> None:
    pdf = _pdf("ru")
    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    last = _pages(pdf, tmp_path)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            str(last),
            "-l",
            str(last),
            "-png",
            str(path),
            str(tmp_path / "pg"),
        ],
        check=True,
    )
    (png,) = tmp_path.glob("pg*.png")
    image = cv2.imread(str(png))
    assert image is not None
    data, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    p = sample_protocol()
    assert data == qr_payload(p)
    assert p.document_id in data and p.recording is not None and p.recording.merkle_root in data


def test_bad_language_and_naive_creation_time_are_refused() -> None:
    with pytest.raises(RenderError, match="document language 'de'"):
        render_pdf(sample_protocol(), "de", created=CREATED)
    with pytest.raises(RenderError, match="timezone-aware"):
        render_pdf(sample_protocol(), "ru", created=dt.datetime(2026, 11, 27, 6, 30))
