"""The annotation file reader refuses mistyped fields; the drawing refuses a still of another
size; both live in ``protocol`` (no app import) and ``app.core.annotations`` re-exports them."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

import app.core.annotations as app_annotations
from protocol.annotation import Annotation, AnnotationError, Shape, drawn_copy, parse_annotation
from protocol.errors import ProtocolError


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(out, format="PNG")
    return out.getvalue()


def _annotation(png: bytes, width: int = 64, height: int = 48) -> Annotation:
    return Annotation(
        "evidence/still-scene-1.png",
        hashlib.sha256(png).hexdigest(),
        width,
        height,
        "specialist",
        "2026-12-01T10:00:00.000000Z",
        (Shape("rect", ((4, 4), (20, 20))),),
    )


@pytest.mark.parametrize(
    ("scenario", "change", "message"),
    [
        (
            "width_as_text",
            ("still", "width", "64"),
            r"annotation.still.width: '64'; expected a whole",
        ),
        ("height_zero", ("still", "height", 0), r"annotation.still.height: 0; expected at least 1"),
        ("width_as_bool", ("still", "width", True), r"annotation.still.width: True; expected"),
        ("file_as_number", ("still", "file", 7), r"annotation.still.file: 7; expected a file name"),
        (
            "author_as_list",
            (None, "author", ["x"]),
            r"annotation.author: \['x'\]; expected a string",
        ),
        ("note_as_number", (None, "note", 5), r"annotation.note: 5; expected a string"),
    ],
)
def test_mistyped_annotation_file_is_refused(
    scenario: str, change: tuple[str | None, str, object], message: str
) -> None:
    raw = json.loads(_annotation(_png(64, 48)).to_bytes())
    where, key, value = change
    (raw[where] if where else raw)[key] = value
    with pytest.raises(AnnotationError, match=message):
        parse_annotation(json.dumps(raw).encode())


def test_still_of_another_size_is_refused() -> None:
    png = _png(64, 48)
    assert drawn_copy(png, _annotation(png)).size == (64, 48)
    with pytest.raises(
        AnnotationError, match="the image is 64×48; the annotation was drawn on 80×48"
    ):
        drawn_copy(png, _annotation(png, width=80))


def test_app_core_uses_the_protocol_annotation() -> None:
    assert app_annotations.render is drawn_copy.__globals__["render"]
    assert app_annotations.Annotation is Annotation
    assert issubclass(app_annotations.AnnotationError, ProtocolError)
