"""The page machinery of the protocol PDF: fonts, footer, reproducible output, PDF/A-2b metadata.

fpdf2 embeds a subset of the bundled Noto Sans (so Kazakh letters render anywhere), writes an
sRGB output intent for PDF/A-2b, and takes our own XMP packet (fpdf2's would stamp the current
time as the modification date). The file ID is derived from the document id and the creation
time, so the same protocol and creation time give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from xml.sax.saxutils import escape

from fpdf import FPDF

import resources
from protocol.errors import ProtocolError

FONT = "noto"
# Characters people type that the bundled font lacks, and the glyph printed instead.
SUBSTITUTES = str.maketrans({"\u2212": "-"})


class MissingGlyphError(ProtocolError):
    """Text holds a character the bundled font cannot print (it would vanish from the PDF)."""


MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 22.0, 15.0, 15.0, 24.0


class ProtocolPDF(FPDF):
    """An A4 PDF/A-2b page with the localised "page N of M" footer and a signature line."""

    def __init__(
        self, *, footer_text: str, signature_text: str, doc_key: str, created: dt.datetime
    ) -> None:
        super().__init__(orientation="P", unit="mm", format="A4", enforce_compliance="PDF/A-2B")
        self._footer_text = footer_text
        self._signature_text = signature_text
        self._doc_key = doc_key
        self.add_font(FONT, "", str(resources.path("fonts", "NotoSans-Regular.ttf")))
        self.add_font(FONT, "B", str(resources.path("fonts", "NotoSans-Bold.ttf")))
        self.set_margins(MARGIN_L, MARGIN_T, MARGIN_R)
        self.set_auto_page_break(True, MARGIN_B)
        self.set_creation_date(created)
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        """Signature line for the participants, then the page number (CPC Art. 123)."""
        self.set_y(-18)
        self.set_draw_color(120, 120, 120)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, "", 7.5)
        self.set_text_color(60, 60, 60)
        self.cell(0, 5, self._signature_text + ": " + "_" * 60, new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 5, self._footer_text.format(n=self.page_no(), m="{nb}"), align="R")
        self.set_text_color(0, 0, 0)

    def normalize_text(self, text: str) -> str:
        """Substitute look-alikes the font lacks; refuse any other character it cannot print.

        A legal record must not lose characters silently (fpdf2 would only log a warning).
        """
        text = super().normalize_text(text).translate(SUBSTITUTES)
        cmap = getattr(self.current_font, "cmap", None)
        if cmap:
            missing = sorted({c for c in text if ord(c) not in cmap and c not in "\n\r\t"})
            if missing:
                chars = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
                raise MissingGlyphError(
                    f"the bundled font cannot print {chars} in {text[:60]!r}; replace the character"
                )
        return text

    def file_id(self) -> str:
        """A stable /ID: both halves are a hash of the document id and creation time."""
        digest = hashlib.md5(self._doc_key.encode(), usedforsecurity=False).hexdigest().upper()
        return f"<{digest}><{digest}>"


def xmp_packet(*, title: str, subject: str, lang: str, created: dt.datetime) -> str:
    """The XMP metadata (PDF/A-2b identification, title, dates) with fixed creation time."""
    when = created.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n'
        '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li>'
        "</rdf:Alt></dc:title>\n"
        f'   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}'
        "</rdf:li></rdf:Alt></dc:description>\n"
        f"   <dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>\n"
        "   <dc:creator><rdf:Seq><rdf:li>Tergeu</rdf:li></rdf:Seq></dc:creator>\n"
        f"   <xmp:CreateDate>{when}</xmp:CreateDate>\n"
        f"   <xmp:ModifyDate>{when}</xmp:ModifyDate>\n"
        f"   <xmp:MetadataDate>{when}</xmp:MetadataDate>\n"
        "   <xmp:CreatorTool>Tergeu</xmp:CreatorTool>\n"
        "   <pdf:Producer>Tergeu (fpdf2)</pdf:Producer>\n"
        "   <pdfaid:part>2</pdfaid:part>\n"
        "   <pdfaid:conformance>B</pdfaid:conformance>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>"
    )
