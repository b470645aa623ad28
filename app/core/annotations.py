"""Expert annotations on stills, for the session core.

The format, its strict reader and the drawing live in :mod:`protocol.annotation`, so the protocol's
photo table draws annotations with the same code the live views use; this module keeps the
session core's import path. :class:`AnnotationError` is a :class:`protocol.errors.ProtocolError`.
"""

from __future__ import annotations

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
    "drawn_copy",
    "parse_annotation",
    "parse_shapes",
    "render",
]
