"""Expert annotations on stills (format ``tergeu-annotation/1``): arrows, rectangles and text.

An annotation never alters the still it annotates: it is a separate JSON file (stored as
evidence) that names the original by its SHA-256 and lists shapes in the original's pixel
coordinates. :func:`render` draws them onto a copy, for the live views and for the protocol's
photo table; the original bytes stay as they were sealed. Pure (Pillow and the bundled font
only), so the protocol renderer and the session core share it.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont

import resources
from protocol.errors import ProtocolError
from recorder.canonical import CanonicalJSONError, canonical_json, parse_json_object

FORMAT = "tergeu-annotation/1"
KINDS = ("arrow", "rect", "text")
MAX_SHAPES = 200
MAX_TEXT = 500  # characters of one text shape
MAX_NOTE = 2000
COLOUR = (215, 38, 61)


class AnnotationError(ProtocolError):
    """An annotation is invalid or does not belong to the still it is applied to."""


def _point(value: Any, where: str, width: int, height: int) -> tuple[int, int]:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise AnnotationError(f"{where}: {value!r} is not a point [x, y] of whole pixels")
    x, y = value
    if not (0 <= x < width and 0 <= y < height):
        raise AnnotationError(f"{where}: point {value!r} is outside the {width}×{height} still")
    return int(x), int(y)


@dataclass(frozen=True)
class Shape:
    kind: str
    points: tuple[tuple[int, int], ...]
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "points": [list(p) for p in self.points]}
        if self.text:
            data["text"] = self.text
        return data


@dataclass(frozen=True)
class Annotation:
    """Shapes drawn by ``author`` on the still whose SHA-256 is ``still_sha256``."""

    still_file: str
    still_sha256: str
    width: int
    height: int
    author: str
    created_utc: str
    shapes: tuple[Shape, ...]
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.still_sha256) != 64 or any(
            c not in "0123456789abcdef" for c in self.still_sha256
        ):
            raise AnnotationError(f"still_sha256 {self.still_sha256!r}: expected 64 hex digits")
        if not self.author.strip():
            raise AnnotationError("author is empty: every annotation is signed off by a person")
        if not self.shapes:
            raise AnnotationError("an annotation needs at least one shape")
        if not isinstance(self.note, str):
            raise AnnotationError(f"note {self.note!r}: expected a string")
        if len(self.note) > MAX_NOTE:
            raise AnnotationError(
                f"note has {len(self.note)} characters; at most {MAX_NOTE} allowed"
            )

    def to_bytes(self) -> bytes:
        """Canonical JSON, the bytes stored as evidence and hashed into the log (``note``
        only when there is one)."""
        note = {"note": self.note} if self.note else {}
        return canonical_json(
            {
                **note,
                "format": FORMAT,
                "still": {
                    "file": self.still_file,
                    "sha256": self.still_sha256,
                    "width": self.width,
                    "height": self.height,
                },
                "author": self.author,
                "created_utc": self.created_utc,
                "shapes": [s.to_json() for s in self.shapes],
            }
        )


def parse_shapes(raw: Sequence[Mapping[str, Any]], width: int, height: int) -> tuple[Shape, ...]:
    """Strictly read shapes given as JSON (from the wire or a file) for a ``width``×``height``
    still; :class:`AnnotationError` names the first bad shape and what was expected."""
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= MAX_SHAPES:
        count = len(raw) if isinstance(raw, list | tuple) else "no list of"
        raise AnnotationError(f"shapes: {count} shapes; expected 1 to {MAX_SHAPES}")
    shapes = []
    for i, item in enumerate(raw):
        where = f"shapes[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"kind", "points", "text"}:
            raise AnnotationError(f"{where}: expected kind, points and optional text")
        kind = item.get("kind")
        if kind not in KINDS:
            raise AnnotationError(f"{where}.kind: {kind!r}; expected one of {', '.join(KINDS)}")
        points = item.get("points")
        wanted = 1 if kind == "text" else 2
        if not isinstance(points, list) or len(points) != wanted:
            raise AnnotationError(f"{where}.points: expected {wanted} point(s) for a {kind}")
        text = item.get("text", "")
        if not isinstance(text, str) or (kind == "text" and not text.strip()):
            raise AnnotationError(f"{where}.text: a text shape needs non-empty text")
        if len(text) > MAX_TEXT:
            raise AnnotationError(
                f"{where}.text: {len(text)} characters; at most {MAX_TEXT} allowed"
            )
        shapes.append(
            Shape(kind, tuple(_point(p, f"{where}.points", width, height) for p in points), text)
        )
    return tuple(shapes)


def parse_annotation(data: bytes) -> Annotation:
    """Strict reader of :meth:`Annotation.to_bytes` output (unknown or mistyped fields refused)."""
    try:
        raw = parse_json_object(data, what="annotation")
    except CanonicalJSONError as e:
        raise AnnotationError(str(e)) from e
    expected = {"format", "still", "author", "created_utc", "shapes"}
    if set(raw) - {"note"} != expected or raw["format"] != FORMAT:
        raise AnnotationError(
            f"annotation: fields {sorted(raw)}; expected {sorted(expected)} with format {FORMAT}"
        )
    still = raw["still"]
    if not isinstance(still, dict) or set(still) != {"file", "sha256", "width", "height"}:
        raise AnnotationError("annotation.still: expected file, sha256, width and height")
    for key, kind, what in (
        ("file", str, "a file name"),
        ("sha256", str, "64 hex digits"),
        ("width", int, "a whole number of pixels"),
        ("height", int, "a whole number of pixels"),
    ):
        value = still[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise AnnotationError(f"annotation.still.{key}: {value!r}; expected {what}")
        if isinstance(value, int) and value < 1:
            raise AnnotationError(f"annotation.still.{key}: {value!r}; expected at least 1")
    for key in ("author", "created_utc", "note"):
        if not isinstance(raw.get(key, ""), str):
            raise AnnotationError(f"annotation.{key}: {raw[key]!r}; expected a string")
    return Annotation(
        still_file=still["file"],
        still_sha256=still["sha256"],
        width=still["width"],
        height=still["height"],
        author=raw["author"],
        created_utc=raw["created_utc"],
        shapes=parse_shapes(raw["shapes"], still["width"], still["height"]),
        note=raw.get("note", ""),
    )


def render(still_png: bytes, annotation: Annotation) -> bytes:
    """A PNG of the still with the shapes drawn; refuses a still that is not the annotated one.

    Text is drawn with the bundled Noto Sans, so Kazakh and Russian captions render.
    """
    out = io.BytesIO()
    drawn_copy(still_png, annotation).save(out, format="PNG")
    return out.getvalue()


def drawn_copy(still_png: bytes, annotation: Annotation) -> Image.Image:
    """A decoded RGB copy of the still with the shapes drawn (the same input draws the same
    pixels); refuses a still whose SHA-256 or size is not the annotated one's."""
    digest = hashlib.sha256(still_png).hexdigest()
    if digest != annotation.still_sha256:
        raise AnnotationError(
            f"still {digest[:12]}… is not the annotated still {annotation.still_sha256[:12]}…"
        )
    try:
        with Image.open(io.BytesIO(still_png)) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError) as e:
        raise AnnotationError(f"the still is not a decodable image: {e}") from e
    draw(image, annotation)
    return image


def draw(image: Image.Image, annotation: Annotation) -> None:
    """Draw ``annotation``'s shapes onto ``image`` (an RGB copy of the still, in its pixels)."""
    if image.size != (annotation.width, annotation.height):
        raise AnnotationError(
            f"the image is {image.width}×{image.height}; the annotation was drawn on "
            f"{annotation.width}×{annotation.height}"
        )
    pen = ImageDraw.Draw(image)
    width = max(2, image.width // 400)
    font = ImageFont.truetype(
        str(resources.path("fonts", "NotoSans-Bold.ttf")), max(16, image.width // 40)
    )
    for shape in annotation.shapes:
        if shape.kind == "arrow":
            (x0, y0), (x1, y1) = shape.points
            pen.line([(x0, y0), (x1, y1)], fill=COLOUR, width=width)
            angle = math.atan2(y1 - y0, x1 - x0)
            head = min(max(12.0, math.hypot(x1 - x0, y1 - y0) * 0.2), image.width * 0.04)
            for side in (-0.45, 0.45):
                tip = (x1 - head * math.cos(angle + side), y1 - head * math.sin(angle + side))
                pen.line([(x1, y1), tip], fill=COLOUR, width=width)
        elif shape.kind == "rect":
            (x0, y0), (x1, y1) = shape.points
            pen.rectangle(
                [(min(x0, x1), min(y0, y1)), (max(x0, x1), max(y0, y1))],
                outline=COLOUR,
                width=width,
            )
        else:
            pen.text(
                shape.points[0],
                shape.text,
                fill=COLOUR,
                font=font,
                stroke_width=1,
                stroke_fill=(255, 255, 255),
            )
