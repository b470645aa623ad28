"""The inspection sections, the photo table and the expert annotations of the protocol PDF.

An inspection protocol (CPC Art. 220) states the place inspected, the conditions (lighting,
weather, temperature when given), the course of the inspection and the technical means used at
the scene, then what was found and where, what was seized and how it was packed, with the numbers
of the stills that show it. The photo table ("фототаблица") prints every still with its number,
caption, local time and session time, whose camera took it and who captured it, its resolution and
the SHA-256 of the original; the picture embedded is a reduced JPEG copy (the original, at full
resolution, is an evidence file in the container). After a still come the experts' annotations of
it, each a figure of its own: the still with the expert's marks drawn on a copy
(:mod:`protocol.annotation`), captioned with the author and the still's number, with the SHA-256 of
the annotation file and of the untouched original.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from protocol.annotation import AnnotationError, drawn_copy, parse_annotation
from protocol.errors import ProtocolError
from protocol.inspection import Still, StillAnnotation
from protocol.model import Protocol
from protocol.render_base import DocumentWriter, clock

# Reduced copies keep the PDF small: 1400 px on the long side is ~240 dpi across the 145 mm used.
MAX_SIDE = 1400
JPEG_QUALITY = 85
PHOTO_W = 145.0  # mm
PHOTO_MAX_H = 150.0  # mm


@dataclass(frozen=True)
class StillImages:
    """The pictures of the photo table: reduced copies of the stills by number, and of each
    annotated still (marks drawn) by the annotation's index in ``protocol.annotations``."""

    stills: dict[int, bytes] = field(default_factory=dict)
    annotated: dict[int, bytes] = field(default_factory=dict)


def _evidence_bytes(action_dir: Path, name: str, sha256: str, what: str) -> bytes:
    path = Path(action_dir) / name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ProtocolError(f"{what}: cannot read {path}: {e}") from e
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ProtocolError(f"{what}: {name} has SHA-256 {digest}, the protocol records {sha256}")
    return data


def load_stills(protocol: Protocol, action_dir: Path | None) -> StillImages:
    """Reduced JPEG copies of the protocol's stills and annotated stills, from ``action_dir``.

    Each still and annotation file must have the SHA-256 the protocol records, and each
    annotation file must name its still and author as the protocol does; raises ProtocolError
    otherwise or when the protocol has stills and no ``action_dir`` is given. The originals are
    only read: the marks are drawn on a decoded copy.
    """
    if not protocol.stills:
        return StillImages()
    if action_dir is None:
        raise ProtocolError(
            f"the protocol has {len(protocol.stills)} stills: give the action folder so the photo "
            "table can embed them"
        )
    originals: dict[str, bytes] = {}
    out = StillImages()
    for s in protocol.stills:
        data = _evidence_bytes(action_dir, s.file.name, s.file.sha256, f"still {s.number}")
        originals[s.file.sha256] = data
        out.stills[s.number] = reduced_jpeg(data, what=f"still {s.number} ({s.file.name})")
    for i, a in enumerate(protocol.annotations):
        out.annotated[i] = _annotated_jpeg(a, i, action_dir, originals)
    return out


def _annotated_jpeg(
    a: StillAnnotation, index: int, action_dir: Path, originals: dict[str, bytes]
) -> bytes:
    what = f"annotation {index + 1}"
    data = _evidence_bytes(action_dir, a.file.name, a.file.sha256, what)
    try:
        annotation = parse_annotation(data)
    except AnnotationError as e:
        raise ProtocolError(f"{what} ({a.file.name}): {e}") from e
    if annotation.still_sha256 != a.still_sha256 or annotation.author != a.author:
        raise ProtocolError(
            f"{what} ({a.file.name}): the file is by {annotation.author!r} on still "
            f"{annotation.still_sha256[:16]}…; the log says {a.author!r} on {a.still_sha256[:16]}…"
        )
    try:
        image = drawn_copy(originals[a.still_sha256], annotation)
    except AnnotationError as e:
        raise ProtocolError(f"{what} ({a.file.name}): {e}") from e
    return _jpeg(image)


def reduced_jpeg(data: bytes, *, what: str) -> bytes:
    """``data`` (PNG or JPEG) as an RGB JPEG no larger than :data:`MAX_SIDE` (deterministic)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError) as e:
        raise ProtocolError(f"{what}: not a readable image ({e})") from e
    return _jpeg(rgb)


def _jpeg(rgb: Image.Image) -> bytes:
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    return out.getvalue()


class SceneSections(DocumentWriter):
    """Sections of the inspection record, the photo table and the annotations."""

    def inspection(self) -> None:
        tx, ins = self.tx, self.p.inspection
        assert ins is not None
        self.field(tx("place_inspected"), ins.place)
        c = ins.conditions
        for key, value in (
            ("lighting", c.lighting),
            ("weather", c.weather),
            ("temperature", c.temperature),
            ("other_conditions", c.other),
        ):
            if value:
                self.field(tx(key), value)
        if ins.means:
            self.field(tx("means_used"), "; ".join(ins.means))
        if ins.description:
            self.para(tx("course") + ":", bold=True, size=9)
            self.para(ins.description, indent=5, align="J")

    def findings(self) -> None:
        tx, ins = self.tx, self.p.inspection
        assert ins is not None
        if not ins.findings:
            self.para(tx("none"))
        for f in ins.findings:
            text = f"{f.number}. {f.description}; {tx('found_where')}: {f.location}"
            if f.stills:
                text += f"; {tx('photos')} {', '.join(str(n) for n in f.stills)}"
            self.para(text)
            if f.seized:
                packed = f"; {tx('packaging')}: {f.packaging}" if f.packaging else ""
                self.para(f"{tx('seized')}{packed}", indent=5, size=9, bold=True)

    def photo_table(self, images: StillImages) -> None:
        tx = self.tx
        self.para(tx("photo_note"), size=8.5)
        for s in self.p.stills:
            self._figure(images.stills[s.number], tx("photo_no", n=s.number))
            self.para(s.caption or "—", align="C", bold=True, size=9.5)
            self.para(
                f"{self.hms(s.at)} [{clock(s.session_t)}]; {tx('camera_of')}: "
                f"{self.name(s.camera_of)}; {tx('taken_by')}: {self.name(s.taken_by)}; "
                f"{s.width}×{s.height}",
                align="C",
                size=8,
            )
            self.para(f"{s.file.name}, SHA-256 {s.file.sha256}", align="C", size=7)
            for i, a in enumerate(self.p.annotations):
                if a.still_sha256 == s.file.sha256:
                    self._annotated_figure(images.annotated[i], a, s)

    def _annotated_figure(self, image: bytes, a: StillAnnotation, still: Still) -> None:
        tx, who = self.tx, self.p.participant(a.author)

        def caption(lang: str) -> str:
            role = self.tx.raw("roles", who.role, lang=lang)
            text = str(self.tx.raw("annotated_photo", lang=lang))
            return text.format(n=still.number, who=f"{role} {who.name(self.tx.primary)}")

        self._figure(image, tx.each(caption))
        if a.note:
            self.para(a.note, align="C", bold=True, size=9.5)
        self.para(f"{self.hms(a.at)}; {tx('marks_drawn_on_copy')}", align="C", size=8)
        self.para(
            f"{tx('annotation_file')}: {a.file.name}, SHA-256 {a.file.sha256}", align="C", size=7
        )
        self.para(
            f"{tx('original')}: {still.file.name}, SHA-256 {a.still_sha256}", align="C", size=7
        )

    def _figure(self, image: bytes, title: str) -> None:
        """A picture, centred and scaled to the column, under ``title``; never split from its
        caption lines by a page break."""
        pdf = self.pdf
        with Image.open(io.BytesIO(image)) as img:
            w_px, h_px = img.size
        w = PHOTO_W
        h = w * h_px / w_px
        if h > PHOTO_MAX_H:
            h, w = PHOTO_MAX_H, PHOTO_MAX_H * w_px / h_px
        if pdf.get_y() + h + 30 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(2)
        self.para(title, bold=True, size=10)
        x = pdf.l_margin + (pdf.epw - w) / 2
        pdf.image(io.BytesIO(image), x=x, y=pdf.get_y(), w=w, h=h)
        pdf.set_y(pdf.get_y() + h + 1.5)

    def annotations(self) -> None:
        tx = self.tx
        numbers = {s.file.sha256: s.number for s in self.p.stills}
        for a in self.p.annotations:
            note = f"; {a.note}" if a.note else ""
            self.para(
                f"{self.hms(a.at)} — {self.role_name(a.author)}, "
                f"{tx('annotation_of', n=numbers[a.still_sha256])}; {tx('shapes')}: {a.shapes}"
                f"{note}"
            )
            self.para(f"{tx('file')}: {a.file.name} (SHA-256 {a.file.sha256})", size=7.5, indent=5)
