"""The writing helpers of the protocol PDF: times in the action's zone, names, paragraphs, fields.

:class:`DocumentWriter` holds the protocol, the texts of the document language and the page; the
section renderers (:mod:`protocol.render`, :mod:`protocol.render_scene`) build on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from protocol.layout import FONT, ProtocolPDF
from protocol.model import Protocol
from protocol.texts import Texts

LABEL_W = 58.0
LINE = 5.0


class DocumentWriter:
    """Paragraphs, label/value fields, numbered headings and tables on a :class:`ProtocolPDF`."""

    def __init__(self, protocol: Protocol, tx: Texts, pdf: ProtocolPDF) -> None:
        self.p = protocol
        self.tx = tx
        self.pdf = pdf
        self.section = 0

    def local(self, when: dt.datetime) -> dt.datetime:
        return self.p.action.local(when)

    def hm(self, when: dt.datetime) -> str:
        return self.local(when).strftime("%H:%M")

    def hms(self, when: dt.datetime) -> str:
        return self.local(when).strftime("%H:%M:%S")

    def date(self, when: dt.datetime | dt.date) -> str:
        d = self.local(when) if isinstance(when, dt.datetime) else when
        return d.strftime("%d.%m.%Y")

    def name(self, pid: str) -> str:
        return self.p.participant(pid).name(self.tx.primary)

    def role_name(self, pid: str) -> str:
        who = self.p.participant(pid)
        return f"{self.tx('roles', who.role)} {who.name(self.tx.primary)}"

    def font(self, size: float = 9.5, bold: bool = False) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)

    def para(
        self,
        text: str,
        *,
        size: float = 9.5,
        bold: bool = False,
        indent: float = 0,
        align: str = "L",
    ) -> None:
        self.font(size, bold)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(0, LINE, text, align=align, new_x="LMARGIN", new_y="NEXT")

    def field(self, label: str, value: str) -> None:
        pdf = self.pdf
        y0 = pdf.get_y()
        self.font(9, True)
        # measure first so a field never splits between pages
        label_lines = pdf.multi_cell(LABEL_W - 2, LINE, label, dry_run=True, output="LINES")
        self.font(9.5)
        value_lines = pdf.multi_cell(pdf.epw - LABEL_W, LINE, value, dry_run=True, output="LINES")
        assert isinstance(label_lines, list) and isinstance(value_lines, list)
        need = LINE * max(len(label_lines), len(value_lines))
        if y0 + need > pdf.page_break_trigger:
            pdf.add_page()
            y0 = pdf.get_y()
        self.font(9, True)
        pdf.multi_cell(LABEL_W - 2, LINE, label, align="L", new_x="RIGHT", new_y="TOP")
        self.font(9.5)
        pdf.set_xy(pdf.l_margin + LABEL_W, y0)
        pdf.multi_cell(pdf.epw - LABEL_W, LINE, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y0 + need))

    def heading(self, key: str, number: int) -> None:
        pdf = self.pdf
        if pdf.get_y() + 20 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(2.5)
        self.font(10.5, True)
        pdf.multi_cell(0, 6, f"{number}. {self.tx('sections', key)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(0, 0, 0)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1.5)

    def table(
        self, widths: Sequence[float], head: Sequence[str], rows: Sequence[Sequence[str]]
    ) -> None:
        pdf = self.pdf
        self.font(8.5, True)
        for w, h in zip(widths, head, strict=True):
            pdf.cell(w, 6, h, border=1)
        pdf.ln(6)
        self.font(8.5)
        for row in rows:
            if pdf.get_y() + 6 > pdf.page_break_trigger:
                pdf.add_page()
            for w, value in zip(widths, row, strict=True):
                pdf.cell(w, 5.5, value, border=1)
            pdf.ln(5.5)
        pdf.ln(1.5)

    def heading_next(self, key: str) -> None:
        """The next numbered section heading."""
        self.section += 1
        self.heading(key, self.section)


def clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
