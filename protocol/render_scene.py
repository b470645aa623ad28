"""The inspection sections, the photo table and the expert annotations of the protocol PDF.

An inspection protocol (CPC Art. 220) states the place inspected, the conditions (lighting,
weather, temperature when given), the course of the inspection and the technical means used at
the scene, then what was found and where, what was seized and how it was packed, with the numbers
of the stills that show it. The photo table ("фототаблица") prints every still with its number,
caption, local time and session time, whose camera took it and who captured it, its resolution and
the SHA-256 of the original; the picture embedded is a reduced JPEG copy (the original, at full
resolution, is an evidence file in the container).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from protocol.errors import ProtocolError
from protocol.model import Protocol
from protocol.render_base import DocumentWriter, clock

# Reduced copies keep the PDF small: 1400 px on the long side is ~240 dpi across the 145 mm used.
MAX_SIDE = 1400
JPEG_QUALITY = 85
PHOTO_W = 145.0  # mm
PHOTO_MAX_H = 150.0  # mm


def load_stills(protocol: Protocol, action_dir: Path | None) -> dict[int, bytes]:
    """Reduced JPEG copies of the protocol's stills by number, from ``action_dir``.

    Each file must have the SHA-256 the protocol records; raises ProtocolError otherwise or when
    the protocol has stills and no ``action_dir`` is given.
    """
    if not protocol.stills:
        return {}
    if action_dir is None:
        raise ProtocolError(
            f"the protocol has {len(protocol.stills)} stills: give the action folder so the photo "
            "table can embed them"
        )
    out = {}
    for s in protocol.stills:
        path = Path(action_dir) / s.file.name
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ProtocolError(f"still {s.number}: cannot read {path}: {e}") from e
        digest = hashlib.sha256(data).hexdigest()
        if digest != s.file.sha256:
            raise ProtocolError(
                f"still {s.number}: {s.file.name} has SHA-256 {digest}, the protocol records "
                f"{s.file.sha256}"
            )
        out[s.number] = reduced_jpeg(data, what=f"still {s.number} ({s.file.name})")
    return out


def reduced_jpeg(data: bytes, *, what: str) -> bytes:
    """``data`` (PNG or JPEG) as an RGB JPEG no larger than :data:`MAX_SIDE` (deterministic)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError) as e:
        raise ProtocolError(f"{what}: not a readable image ({e})") from e
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

    def photo_table(self, images: dict[int, bytes]) -> None:
        tx, pdf = self.tx, self.pdf
        self.para(tx("photo_note"), size=8.5)
        for s in self.p.stills:
            image = images[s.number]
            with Image.open(io.BytesIO(image)) as img:
                w_px, h_px = img.size
            w = PHOTO_W
            h = w * h_px / w_px
            if h > PHOTO_MAX_H:
                h, w = PHOTO_MAX_H, PHOTO_MAX_H * w_px / h_px
            if pdf.get_y() + h + 30 > pdf.page_break_trigger:
                pdf.add_page()
            pdf.ln(2)
            self.para(tx("photo_no", n=s.number), bold=True, size=10)
            x = pdf.l_margin + (pdf.epw - w) / 2
            pdf.image(io.BytesIO(image), x=x, y=pdf.get_y(), w=w, h=h)
            pdf.set_y(pdf.get_y() + h + 1.5)
            self.para(s.caption or "—", align="C", bold=True, size=9.5)
            self.para(
                f"{self.hms(s.at)} [{clock(s.session_t)}]; {tx('camera_of')}: "
                f"{self.name(s.camera_of)}; {tx('taken_by')}: {self.name(s.taken_by)}; "
                f"{s.width}×{s.height}",
                align="C",
                size=8,
            )
            self.para(f"{s.file.name}, SHA-256 {s.file.sha256}", align="C", size=7)

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
