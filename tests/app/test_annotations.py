from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from PIL import Image

from app.core.annotations import Annotation, AnnotationError, parse_annotation, parse_shapes, render


def still() -> bytes:
    image = Image.fromarray(np.full((480, 640, 3), 200, np.uint8))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def annotation(png: bytes) -> Annotation:
    shapes = parse_shapes(
        [
            {"kind": "arrow", "points": [[50, 50], [300, 200]]},
            {"kind": "rect", "points": [[320, 100], [500, 300]]},
            {"kind": "text", "points": [[40, 400]], "text": "Пышақ іздері — следы ножа"},
        ],
        640,
        480,
    )
    return Annotation(
        "evidence/still-1.png",
        hashlib.sha256(png).hexdigest(),
        640,
        480,
        "Сарапшы Ахметова А.",
        "2026-11-29T06:00:00.000000Z",
        shapes,
    )


def test_annotation_round_trips_and_leaves_the_original_untouched() -> None:
    png = still()
    before = hashlib.sha256(png).hexdigest()
    a = annotation(png)
    assert parse_annotation(a.to_bytes()) == a
    drawn = render(png, a)
    assert hashlib.sha256(png).hexdigest() == before
    pixels = np.asarray(Image.open(io.BytesIO(drawn)))
    assert (pixels[:, :, 0] > 200).sum() > 500 and (pixels[:, :, 1] < 80).sum() > 500  # red drawn


def test_render_refuses_another_still() -> None:
    png = still()
    other = png + b"\x00"
    with pytest.raises(AnnotationError, match="is not the annotated still"):
        render(other, annotation(png))


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"kind": "circle", "points": [[1, 1]]}, "expected one of arrow, rect, text"),
        ({"kind": "rect", "points": [[1, 1]]}, "expected 2 point(s)"),
        ({"kind": "arrow", "points": [[1, 1], [900, 1]]}, "outside the 640×480 still"),
        ({"kind": "text", "points": [[1, 1]], "text": " "}, "needs non-empty text"),
        ({"kind": "rect", "points": [[1.5, 1], [2, 2]]}, "whole pixels"),
    ],
)
def test_bad_shapes_are_refused(shape: dict, message: str) -> None:
    with pytest.raises(AnnotationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_shapes([shape], 640, 480)
