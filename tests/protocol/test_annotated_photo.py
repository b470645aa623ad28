"""The photo table draws each expert annotation as a figure of its own: the still with the marks
drawn on a copy, captioned with the author and the still's number, beside the SHA-256 of the
annotation file and of the untouched original (checked with poppler)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.evidence import store_evidence
from protocol.annotation import Annotation, Shape
from protocol.from_log import protocol_from_action
from protocol.model import Protocol
from protocol.render import RenderError, render_pdf
from tests.protocol.live_action import entered, recorded_live_action

CREATED = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
CAPTION = {
    "kk": "№ 1 фотодағы белгілер; белгілерді қойған: Маман Ермеков Даурен Сапарович",
    "ru": "Пометки на фото № 1; автор пометок: Специалист Ермеков Даурен Сапарович",
    "en": "Annotation by Specialist Yermekov Dauren Saparovich on still No. 1",
}
# the annotation's rectangle in live_action: (770, 470)–(840, 570) on the 1280×960 still
RECT_LEFT_EDGE = (slice(480, 560), slice(770, 773))  # 3 px wide, drawn inward


@pytest.fixture
def action(tmp_path: Path) -> Path:
    return recorded_live_action(tmp_path)


def _inspection(action: Path) -> Protocol:
    return protocol_from_action(action, entered(action_type="remote_inspection"))


def _pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _digests(action: Path) -> dict[str, str]:
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted((action / "evidence").iterdir())
    }


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_annotated_still_is_a_figure_with_caption_and_both_hashes(
    lang: str, action: Path, tmp_path: Path
) -> None:
    p = _inspection(action)
    (still,) = p.stills
    (note,) = p.annotations
    before = _digests(action)
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(render_pdf(p, lang, created=CREATED, action_dir=action))
    assert _digests(action) == before  # neither the still nor the annotation file was touched
    text = _pdf_text(pdf)
    assert CAPTION[lang] in text
    assert f"{note.file.name}, SHA-256 {note.file.sha256}" in text
    # the original's hash under the still and again under its annotated copy
    assert text.count(f"{still.file.name}, SHA-256 {still.file.sha256}") == 2
    assert text.index(CAPTION[lang]) > text.index(still.caption)

    subprocess.run(["pdfimages", "-j", str(pdf), str(tmp_path / "img")], check=True)
    original_copy, annotated_copy = sorted(tmp_path.glob("img-*.jpg"))
    with Image.open(original_copy) as a, Image.open(annotated_copy) as b:
        plain = np.asarray(a.convert("RGB"), dtype=np.int16)
        marked = np.asarray(b.convert("RGB"), dtype=np.int16)
    assert plain.shape == marked.shape == (960, 1280, 3)
    changed = np.abs(plain - marked).max(axis=2) > 60
    assert changed[RECT_LEFT_EDGE].mean() > 0.8  # the rectangle's left edge is drawn
    assert changed.mean() < 0.02  # and little else: the rest of the picture is the still
    red = marked[RECT_LEFT_EDGE]
    assert (red[..., 0] > 150).all() and (red[..., 1] < 110).all()


def test_altered_annotation_file_is_refused(action: Path) -> None:
    p = _inspection(action)
    path = action / p.annotations[0].file.name
    path.chmod(0o600)
    path.write_bytes(path.read_bytes().replace(b"770", b"771"))
    with pytest.raises(
        RenderError, match=r"annotation 1: evidence/annotation-1.json has SHA-256 [0-9a-f]{64}"
    ):
        render_pdf(p, "ru", created=CREATED, action_dir=action)


@pytest.mark.parametrize(
    ("scenario", "author", "other_still", "message"),
    [
        ("annotation_by_someone_else", "witness", False, "the file is by 'witness'"),
        ("annotation_of_another_still", "specialist", True, "the log says 'specialist' on"),
    ],
)
def test_annotation_file_that_contradicts_the_log_is_refused(
    scenario: str, author: str, other_still: bool, message: str, action: Path
) -> None:
    p = _inspection(action)
    (still,) = p.stills
    sha = hashlib.sha256(b"another still").hexdigest() if other_still else still.file.sha256
    forged = Annotation(
        still.file.name,
        sha,
        1280,
        960,
        author,
        "2026-12-01T10:00:00.000000Z",
        (Shape("rect", ((10, 10), (20, 20))),),
    )
    stored = store_evidence(action, f"{scenario.replace('_', '-')}.json", forged.to_bytes())
    file = dataclasses.replace(
        p.annotations[0].file, name=stored.file, sha256=stored.sha256, size=stored.size
    )
    swapped = dataclasses.replace(
        p, annotations=(dataclasses.replace(p.annotations[0], file=file),)
    )
    with pytest.raises(RenderError, match=rf"annotation 1 \(evidence/{scenario.replace('_', '-')}"):
        render_pdf(swapped, "ru", created=CREATED, action_dir=action)
    with pytest.raises(RenderError, match=message):
        render_pdf(swapped, "ru", created=CREATED, action_dir=action)
