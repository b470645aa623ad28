"""Expert annotations on stills, for the session core.

The format, its strict reader and the drawing live in :mod:`protocol.annotation`, so the protocol's
photo table draws annotations with the same code the live views use; this module keeps the
session core's import path (:class:`AnnotationError` is a :class:`protocol.errors.ProtocolError`)
and adds :func:`annotated_still`, the investigator's view of a still with its annotations.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from app.core.evidence import EvidenceFile
from protocol.annotation import (
    COLOUR,
    FORMAT,
    KINDS,
    MAX_NOTE,
    MAX_SHAPES,
    MAX_TEXT,
    Annotation,
    AnnotationError,
    Shape,
    draw,
    drawn_copy,
    parse_annotation,
    parse_shapes,
    render,
)

__all__ = [
    "COLOUR",
    "FORMAT",
    "KINDS",
    "MAX_NOTE",
    "MAX_SHAPES",
    "MAX_TEXT",
    "Annotation",
    "AnnotationError",
    "Shape",
    "annotated_still",
    "draw",
    "drawn_copy",
    "parse_annotation",
    "parse_shapes",
    "render",
]


def _sealed_bytes(action_dir: Path, evidence: EvidenceFile, what: str) -> bytes:
    path = action_dir / evidence.file
    try:
        data = path.read_bytes()
    except OSError as e:
        raise AnnotationError(f"{what} {evidence.file}: cannot read it ({e})") from e
    digest = hashlib.sha256(data).hexdigest()
    if digest != evidence.sha256:
        raise AnnotationError(
            f"{what} {evidence.file} has SHA-256 {digest}; it was stored as {evidence.sha256}"
        )
    return data


def annotated_still(
    action_dir: Path, still: EvidenceFile, annotations: Sequence[EvidenceFile] = ()
) -> bytes:
    """A PNG of the still ``still`` with every one of ``annotations`` drawn on a copy.

    Each file is read from ``action_dir`` and must still have the SHA-256 it was stored with;
    each annotation must name this still. Reads and decodes whole files: call it off the GUI
    thread. The files themselves are only read.
    """
    original = _sealed_bytes(action_dir, still, "still")
    try:
        with Image.open(io.BytesIO(original)) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError) as e:
        raise AnnotationError(f"still {still.file} is not a decodable image: {e}") from e
    for evidence in annotations:
        annotation = parse_annotation(_sealed_bytes(action_dir, evidence, "annotation"))
        if annotation.still_sha256 != still.sha256:
            raise AnnotationError(
                f"annotation {evidence.file} is of still {annotation.still_sha256[:16]}…, "
                f"not of {still.file}"
            )
        draw(image, annotation)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # shown once, never stored
    return out.getvalue()
