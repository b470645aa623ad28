"""The protocol as a PDF in Kazakh, Russian, English or both kk+ru, laid out as an official record.

Order of the body follows the procedure (DOMAIN §2): header (case, places, date, times, drafter,
ground), participants, technical means, identity (with every logged step), rights and warnings
(with the hash of the text shown), then testimony (narrative, numbered questions with times) or,
for an inspection (CPC Art. 220), the place, conditions, course and findings; exhibits shown and
media played, deviations from the procedure, presence alerts, breaks and reconnections, recording
summary, statements and remarks, signatures; then the photo table and the expert annotations as
the appendix (:mod:`protocol.render_scene`). The last page carries a QR code with the container
id and Merkle root.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import segno

from protocol.conduct import Deviation
from protocol.errors import ProtocolError
from protocol.layout import MissingGlyphError, ProtocolPDF, xmp_packet
from protocol.model import Protocol
from protocol.participants import Participant
from protocol.render_base import cap, clock
from protocol.render_scene import SceneSections, StillImages, load_stills
from protocol.texts import Texts

INTERROGATIONS = ("remote_interrogation_witness", "remote_interrogation_victim")


class RenderError(ProtocolError):
    """The PDF could not be produced (bad language, creation time without a time zone)."""


def qr_payload(protocol: Protocol) -> str:
    """The QR text: ``TERGEU1;<container id>;<Merkle root hex>`` (root ``-`` if no recording)."""
    root = protocol.recording.merkle_root if protocol.recording else "-"
    return f"TERGEU1;{protocol.document_id};{root}"


def render_pdf(
    protocol: Protocol, lang: str, *, created: dt.datetime, action_dir: Path | None = None
) -> bytes:
    """The protocol as PDF/A-2b bytes in ``lang`` (``kk``, ``ru``, ``en`` or ``kk+ru``).

    A protocol with stills needs ``action_dir``: the photo table embeds each still (reduced),
    read from there and checked against its SHA-256, and each annotated still (the annotation
    file, checked likewise, drawn on a copy). The same protocol, language, stills and
    ``created`` time always give the same bytes.
    """
    if created.tzinfo is None:
        raise RenderError(f"created {created.isoformat()!r}: expected a timezone-aware time")
    try:
        tx = Texts(lang)
        images = load_stills(protocol, action_dir)
    except ProtocolError as e:
        raise RenderError(str(e)) from e
    try:
        return _Renderer(protocol, tx, created, images).run()
    except MissingGlyphError as e:
        raise RenderError(str(e)) from e


class _Renderer(SceneSections):
    def __init__(
        self, protocol: Protocol, tx: Texts, created: dt.datetime, images: StillImages
    ) -> None:
        pdf = ProtocolPDF(
            footer_text=tx("footer"),
            signature_text=tx("signature_line"),
            doc_key=f"{protocol.document_id}|{tx.lang}|{created.isoformat()}",
            created=created,
        )
        super().__init__(protocol, tx, pdf)
        self.created = created
        self.images = images

    # -- document ---------------------------------------------------------------------------

    def run(self) -> bytes:
        pdf, tx, p = self.pdf, self.tx, self.p
        title_parts: list[str] = []
        for lang in tx.langs:
            title_parts.extend(tx.raw("title", p.action.type, lang=lang))
        title = " ".join(title_parts)
        pdf.set_title(title)
        pdf.set_subject(f"{tx('case')} {p.case.erdr_number}")
        pdf.set_creator("Tergeu")
        pdf.set_producer("Tergeu (fpdf2)")
        pdf.set_lang(tx.primary)
        pdf.set_xmp_metadata(
            xmp_packet(
                title=title,
                subject=f"{tx('case')} {p.case.erdr_number}",
                lang=tx.primary,
                created=self.created,
            )
        )
        pdf.add_page()
        self.header(tx)
        sections: list[tuple[str, Callable[[], None]]] = [
            ("participants", self.participants),
            ("technical", self.technical),
            ("identity", self.identity),
            ("acknowledgments", self.acknowledgments),
        ]
        if p.inspection is not None:
            sections += [("inspection", self.inspection), ("findings", self.findings)]
        if p.inspection is None or p.testimonies:
            sections.append(("testimony", self.testimony))
        sections += [
            ("exhibits", self.exhibits),
            ("deviations", self.deviations),
            ("presence", self.presence),
            ("intervals", self.intervals),
            ("recording", self.recording),
            ("statements", self.statements),
            ("signatures", self.signatures),
        ]
        if p.stills:
            sections.append(("photo_table", lambda: self.photo_table(self.images)))
        if p.annotations:
            sections.append(("annotations", self.annotations))
        for key, draw in sections:
            if key == "photo_table":  # an appendix: it starts on a page of its own
                self.pdf.add_page()
            self.heading_next(key)
            draw()
        self.qr()
        return bytes(pdf.output())

    def header(self, tx: Texts) -> None:
        pdf, p, a = self.pdf, self.p, self.p.action
        for lang in tx.langs:
            first, second = tx.raw("title", a.type, lang=lang)
            self.font(14, True)
            pdf.multi_cell(0, 7, first, align="C", new_x="LMARGIN", new_y="NEXT")
            self.font(12, True)
            pdf.multi_cell(0, 6.5, second, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        self.field(tx("case"), p.case.erdr_number)
        if p.case.article:
            self.field(tx("article"), p.case.article)
        self.field(tx("document_id"), p.document_id)
        self.field(tx("date"), self.date(a.start))
        self.field(
            tx("start") + " / " + tx("end"),
            f"{self.hm(a.start)} / {self.hm(a.end)} ({tx('time_zone')}, UTC{a.utc_offset}, "
            f"{a.timezone})",
        )
        remote = "remote_place" if a.type in INTERROGATIONS else "remote_place_other"
        for key, place in (
            ("investigator_place", a.investigator_place),
            (remote, a.remote_place),
        ):
            room = f", {place.room}" if place.room else ""
            self.field(tx(key), f"{place.agency}, {place.address}{room}")
        drafter = p.participant(p.drafter)
        self.field(tx("drafter"), f"{drafter.position}, {drafter.name(tx.primary)}")
        ground = tx("grounds", a.ground)
        self.field(tx("ground"), ground + (f". {a.ground_details}" if a.ground_details else ""))

    def participants(self) -> None:
        tx = self.tx
        for i, who in enumerate(self.p.participants, 1):
            self.para(f"{i}. {tx('roles', who.role)}: {who.name(tx.primary)}", bold=True)
            facts = []
            if who.iin:
                facts.append(f"{tx('iin')} {who.iin}")
            if who.position:
                facts.append(who.position)
            if who.agency:
                facts.append(who.agency)
            facts.append(tx("locations", who.location))
            self.para("; ".join(facts), indent=5)
            if who.personal_data is not None:
                self.personal(who)

    def personal(self, who: Participant) -> None:
        tx, pd = self.tx, who.personal_data
        assert pd is not None
        values = {
            "birth_date": self.date(pd.birth_date),
            "birth_place": pd.birth_place,
            "citizenship": pd.citizenship,
            "nationality": pd.nationality,
            "education": pd.education,
            "marital_status": pd.marital_status,
            "work": pd.work,
            "position": pd.position,
            "residence": pd.residence,
            "prior_convictions": pd.prior_convictions,
        }
        for key, value in values.items():
            if value:
                self.field("     " + tx("personal", key), value)

    def technical(self) -> None:
        tx, t = self.tx, self.p.technical
        self.field(tx("app_version"), t.app_version)
        self.field(tx("devices"), "; ".join(t.devices))
        self.field(tx("codecs"), ", ".join(t.codecs))
        self.field(tx("segment_seconds"), f"{t.segment_seconds:g}")
        self.para(f"{tx('informed')}: {self.hm(t.participants_informed_at)}.")

    def identity(self) -> None:
        tx = self.tx
        if not self.p.identity_checks:
            self.para(tx("none"))
        for c in self.p.identity_checks:
            confirmed = ", ".join(self.role_name(x) for x in c.confirmed_by)
            self.para(f"{self.hms(c.at)} — {self.role_name(c.participant)}", bold=True)
            result = cap(tx("identity_result", c.result))
            self.para(
                f"{tx('methods', c.method)}: {c.document}. {result}; "
                f"{tx('confirmed_by' if c.result == 'confirmed' else 'checked_by')}: {confirmed}."
                + (f" {c.note}." if c.note else ""),
                indent=5,
            )
            for st in c.steps:
                who = tx("system") if st.by == "system" else self.name(st.by)
                note = f"; {st.note}" if st.note else ""
                results = tx.raw("identity_step_results")
                result = (
                    tx("identity_step_results", st.result) if st.result in results else st.result
                )
                self.para(
                    f"{self.hms(st.at)} {tx('identity_steps', st.step)} — {who}: {result}{note}",
                    indent=10,
                    size=8.5,
                )
            files = "; ".join(f"{f.name} (SHA-256 {f.sha256})" for f in c.evidence)
            if files:
                self.para(f"{tx('evidence')}: {files}", size=7.5, indent=5)

    def acknowledgments(self) -> None:
        tx = self.tx
        if not self.p.acknowledgments:
            self.para(tx("none"))
        for a in self.p.acknowledgments:
            arts = ", ".join(tx.article(x) for x in a.articles)
            arts = f" ({arts})" if arts else ""
            self.para(f"{self.role_name(a.participant)}: {tx('ack_kinds', a.kind)}{arts}.")
            self.para(
                f"{tx('explained')} {self.hms(a.explained_at)}, {tx('acknowledged')} "
                f"{self.hms(a.acknowledged_at)}, {tx('ack_how', a.how)}",
                indent=5,
                size=8.5,
            )
            if a.text_sha256:
                self.para(f"{tx('text_hash')}: {a.text_sha256}", indent=5, size=7.5)

    def testimony(self) -> None:
        tx = self.tx
        if not self.p.testimonies:
            self.para(tx("none"))
        for t in self.p.testimonies:
            lang = tx("languages", t.language) if t.language in ("kk", "ru", "en") else t.language
            head = tx("testimony_of", name=self.role_name(t.participant), lang=lang)
            if t.interpreter:
                head += f"; {tx('interpreter')}: {self.name(t.interpreter)}"
            self.para(head, bold=True)
            self.para(
                f"{tx('sections', 'narrative')} ({self.hm(t.narrative_started_at)}–"
                f"{self.hm(t.narrative_ended_at)}):",
                bold=True,
                size=9,
            )
            self.para(t.narrative, indent=5, align="J")
            if t.questions:
                self.para(tx("sections", "questions") + ":", bold=True, size=9)
            for q in t.questions:
                stamp = f"[{self.hms(q.asked_at)} · {clock(q.session_t)}]"
                self.para(
                    f"{tx('question')} {q.number} {stamp} ({self.name(q.asked_by)}): {q.text}",
                    indent=5,
                )
                if q.status == "answered":
                    self.para(f"{tx('answer')}: {q.answer}", indent=10)
                else:
                    self.para(
                        f"{tx('question_status', q.status)}; {tx('reason')}: {q.reason}",
                        indent=10,
                        bold=True,
                        size=9,
                    )

    def exhibits(self) -> None:
        tx = self.tx
        if not self.p.exhibits:
            self.para(tx("none"))
        for e in self.p.exhibits:
            shown = ", ".join(self.name(x) for x in e.shown_to)
            when = self.hms(e.at) + (f"–{self.hms(e.ended_at)}" if e.ended_at else "")
            text = f"{e.number}. {when} — {tx('exhibit_kinds', e.kind)}: {e.description}; "
            text += f"{tx('shown_to')}: {shown}"
            if e.played_seconds is not None:
                text += f"; {tx('played')} {e.played_seconds:g}"
            self.para(text)
            if e.file is not None:
                self.para(
                    f"{tx('file')}: {e.file.name} (SHA-256 {e.file.sha256})", size=7.5, indent=5
                )

    def deviations(self) -> None:
        tx = self.tx
        if not self.p.deviations:
            self.para(tx("none"))
        for d in self.p.deviations:

            def sentence(lang: str, d: Deviation = d) -> str:
                steps = tx.raw("steps", lang=lang)
                return str(tx.raw("deviation", lang=lang)).format(
                    step=steps.get(d.step, d.step),
                    missing=", ".join(steps.get(m, m) for m in d.missing),
                )

            self.para(
                f"{self.hms(d.at)} — {tx.each(sentence)}. {cap(tx('reason'))}: {d.reason} "
                f"({self.role_name(d.by)})"
            )

    def presence(self) -> None:
        tx = self.tx
        if not self.p.presence_alerts:
            self.para(tx("none"))
        for a in self.p.presence_alerts:
            state = tx("presence_states", a.state, n=a.max_faces)
            self.para(
                f"{self.hms(a.start)}–{self.hms(a.end)} [{clock(a.start_t)}–{clock(a.end_t)}] "
                f"{self.role_name(a.participant)}: {state}"
            )

    def intervals(self) -> None:
        tx, rec = self.tx, self.p.recording
        items = rec.intervals if rec else ()
        if not items:
            self.para(tx("none"))
        for iv in items:
            end = self.hms(iv.end) if iv.end else tx("until_end")
            subject = iv.subject
            if iv.kind == "disconnection" and any(p.id == iv.subject for p in self.p.participants):
                subject = self.role_name(iv.subject)
            self.para(f"{tx('interval_kinds', iv.kind)}: {self.hms(iv.start)} – {end}; {subject}")

    def recording(self) -> None:
        tx, rec, pdf = self.tx, self.p.recording, self.pdf
        if rec is None:
            self.para(tx("no_recording"))
            return
        widths = (62.0, 30.0, 40.0, pdf.epw - 132.0)
        head = (tx("track"), tx("media"), tx("duration"), tx("segments"))
        rows = [(t.track, t.media, clock(t.duration_seconds), str(t.segments)) for t in rec.tracks]
        self.table(widths, head, rows)
        self.field(tx("merkle_root"), rec.merkle_root)
        self.field(
            tx("tree_size") + " / " + tx("log_entries"), f"{rec.tree_size} / {rec.log_entries}"
        )
        self.field(tx("log_sha256"), rec.log_sha256)
        if rec.last_checkpoint is not None:
            cp = rec.last_checkpoint
            self.field(tx("checkpoint"), f"#{cp.seq}, {self.hms(cp.at)}, {cp.tree_size}")
        for m in rec.markers:
            self.para(f"• {self.hms(m.at)} [{clock(m.session_t)}] {m.note}", size=8.5)

    def statements(self) -> None:
        tx = self.tx
        if not self.p.statements:
            self.para(tx("none"))
        for s in self.p.statements:
            self.para(
                f"{self.hms(s.at)} — {tx('statement_kinds', s.kind)}, "
                f"{self.role_name(s.participant)}:",
                bold=True,
                size=9,
            )
            self.para(s.text, indent=5)

    def signatures(self) -> None:
        tx, pdf = self.tx, self.pdf
        for who in self.p.participants:
            if pdf.get_y() + 14 > pdf.page_break_trigger:
                pdf.add_page()
            sig = self.p.signature_of(who.id)
            self.para(f"{tx('roles', who.role)}: {who.name(tx.primary)}", bold=True, size=9)
            if sig is not None and sig.status == "refused":
                when = f" ({self.hm(sig.at)})" if sig.at else ""
                self.para(f"{tx('refused')}: {sig.reason}{when}", indent=5)
            else:
                note = tx("signed") if sig is not None else tx("not_signed")
                self.para(f"{'_' * 40}  ({note})", indent=5)
            pdf.ln(1.5)

    def qr(self) -> None:
        pdf, tx = self.pdf, self.tx
        size = 34.0
        if pdf.get_y() + size + 12 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(3)
        code = segno.make(qr_payload(self.p), error="m", micro=False)
        matrix = [list(row) for row in code.matrix_iter(border=2)]
        cell = size / len(matrix)
        x0, y0 = pdf.l_margin, pdf.get_y()
        pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    pdf.rect(x0 + c * cell, y0 + r * cell, cell, cell, style="F")
        self.font(7.5)
        pdf.set_xy(x0 + size + 4, y0 + 4)
        pdf.multi_cell(pdf.epw - size - 4, 4, tx("qr_caption"), new_x="LEFT", new_y="NEXT")
        pdf.set_x(x0 + size + 4)
        pdf.multi_cell(pdf.epw - size - 4, 4, qr_payload(self.p), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y0 + size + 2)
