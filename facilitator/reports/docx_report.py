"""A report as a Word document (python-docx): real headings and list styles, the episode
table as a Word table, and the review team's judgements as Word comments anchored on the
passages they comment on. python-docx is imported here only, never at CLI start-up."""

from __future__ import annotations

import functools
import io
import re
from datetime import UTC, datetime
from typing import Any

from facilitator.reports.content import TEAM, Block, Comment, Heading, Para, Report, Table
from facilitator.reports.ours import Ours

# The parts of a package that can carry report text (styles and themes cannot).
_USER_PARTS = re.compile(r"^(word/(document|comments\w*|header\d*|footer\d*)|docProps/\w+)\.xml$")
_FLAG_WORDS = {"gap": "Gap: ", "discrepancy": "Discrepancy: "}


def _initials(author: str) -> str:
    return "".join(w[0] for w in author.replace("(", " ").split() if w[:1].isalpha())[:4]


class _Writer:
    """Writes paragraphs and runs as WordprocessingML elements directly, then hands
    python-docx the runs it anchors comments on. python-docx's own ``add_paragraph``
    searches the whole body for the section properties each time (quadratic in report
    length), and its run and font setters cost far more than the elements themselves."""

    def __init__(self, report: Report) -> None:
        from docx import Document
        from docx.oxml.ns import qn
        from docx.oxml.parser import element_class_lookup
        from lxml import etree

        self.report = report
        self.document = Document()
        self.qn = functools.cache(qn)  # a few tags, looked up ~30 times per note
        self.sub = etree.SubElement
        self.make = self.document.element.makeelement
        styles = self.document.styles
        self.styles = {
            "body": None,
            "bullet": styles["List Bullet"].style_id,
            "quote": styles["Quote"].style_id,
            "meta": None,
        }
        self.headings = {level: styles[f"Heading {level}"].style_id for level in range(1, 4)}
        self.headings[0] = styles["Title"].style_id
        self._end = self.document.element.body.sectPr
        self._space = "{http://www.w3.org/XML/1998/namespace}space"
        self._comments: Any = None
        self._next_comment = 0
        self._now = datetime.now(UTC).replace(microsecond=0)
        # Body paragraphs are written as WordprocessingML text and parsed in one go before
        # each table and at the end: creating ~10 lxml elements per note one at a time cost
        # more than python-docx's whole save.
        self._pending: list[str] = []
        self._broken = False  # the portrait section was already ended for the next table
        self._parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
        self._parser.set_element_class_lookup(element_class_lookup)

    def flush(self) -> None:
        """Parse the paragraphs written as text and put them at the end of the body."""
        if not self._pending:
            return
        from lxml import etree

        xml = f'<w:body xmlns:w="{_W}">{"".join(self._pending)}</w:body>'
        self._pending = []
        for p in list(etree.fromstring(xml, self._parser)):
            self._end.addprevious(p)

    def text_paragraph(
        self, style_id: str | None, runs: list[str], comments: list[Comment] | None = None
    ) -> None:
        """A ``w:p`` from runs written by :func:`_run_xml`; comments anchor on the last run."""
        style = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
        if comments and not self.report.final:  # a public report has no comments part
            ids = self.comment_entries(comments)
            starts = "".join(f'<w:commentRangeStart w:id="{i}"/>' for i in ids)
            # The order python-docx's add_comment leaves: each new end and reference
            # goes straight after the anchored run, before the earlier ones.
            ends = "".join(
                f'<w:commentRangeEnd w:id="{i}"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/>'
                f'</w:rPr><w:commentReference w:id="{i}"/></w:r>'
                for i in reversed(ids)
            )
            runs = [*runs[:-1], starts, runs[-1], ends]
        self._pending.append(f"<w:p>{style}{''.join(runs)}</w:p>")

    def run(
        self,
        p: Any,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        grey: bool = False,
        highlight: bool = False,
    ) -> Any:
        """A ``w:r`` holding ``text``; line breaks become ``w:br`` as Word expects."""
        qn, sub = self.qn, self.sub
        r = sub(p, qn("w:r"))
        if bold or italic or grey or highlight:
            properties = sub(r, qn("w:rPr"))  # children in the schema's order
            if bold:
                sub(properties, qn("w:b"))
            if italic:
                sub(properties, qn("w:i"))
            if grey:
                sub(properties, qn("w:color"), {qn("w:val"): "595959"})
            if highlight:
                sub(properties, qn("w:highlight"), {qn("w:val"): "yellow"})
        for number, line in enumerate(text.split("\n")):
            if number:
                sub(r, qn("w:br"))
            t = sub(r, qn("w:t"))
            t.text = line
            t.set(self._space, "preserve")
        return r

    def comment_entries(self, items: list[Comment]) -> list[str]:
        """The comments in the comments part, in the same XML python-docx's ``add_comment``
        writes (which re-reads every comment id per call: quadratic for a long review);
        returns their ids for the anchors in the body."""
        qn, sub = self.qn, self.sub
        if self._comments is None:
            self._comments = self.document.comments._comments_elm  # creates the part
        ids = []
        for item in items:
            ident = str(self._next_comment)
            ids.append(ident)
            self._next_comment += 1
            attributes = {qn("w:id"): ident, qn("w:author"): item.author}
            attributes[qn("w:initials")] = _initials(item.author)
            when = _word_time(item.at)
            if when:  # the note's time; the team's standing view has none
                attributes[qn("w:date")] = when
            element = sub(self._comments, qn("w:comment"), attributes)
            p = sub(element, qn("w:p"))
            sub(sub(p, qn("w:pPr")), qn("w:pStyle"), {qn("w:val"): "CommentText"})
            marker = sub(p, qn("w:r"))
            sub(sub(marker, qn("w:rPr")), qn("w:rStyle"), {qn("w:val"): "CommentReference"})
            sub(marker, qn("w:annotationRef"))
            self.run(p, item.text)
        return ids

    def comment(self, runs: list[Any], items: list[Comment]) -> None:
        """Word comments anchored on ``runs`` (elements already in the document)."""
        qn, sub = self.qn, self.sub
        first, last = runs[0], runs[-1]
        for ident in self.comment_entries(items):
            first.addprevious(self.make(qn("w:commentRangeStart"), {qn("w:id"): ident}))
            reference = self.make(qn("w:r"), {})
            sub(sub(reference, qn("w:rPr")), qn("w:rStyle"), {qn("w:val"): "CommentReference"})
            sub(reference, qn("w:commentReference"), {qn("w:id"): ident})
            last.addnext(reference)
            last.addnext(self.make(qn("w:commentRangeEnd"), {qn("w:id"): ident}))

    def para(self, block: Para) -> None:
        runs = []
        if block.flag in _FLAG_WORDS:
            runs.append(_run_xml(_FLAG_WORDS[block.flag], _BOLD_HIGHLIGHT))
        if block.lead:
            runs.append(_run_xml(block.lead + " ", _BOLD))
        runs.append(_run_xml(block.text, _META if block.style == "meta" else ""))
        # Comments are anchored on the passage itself, not on the attribution before it.
        self.text_paragraph(self.styles[block.style], runs, block.comments)

    def section_break(self, *, landscape: bool) -> None:
        """End the section so far with a paragraph carrying its page setup: portrait A4
        like the document, or landscape for what came since the previous break."""
        from copy import deepcopy

        qn = self.qn
        properties = deepcopy(self._end)
        if landscape:
            size = properties.find(qn("w:pgSz"))
            width, height = size.get(qn("w:w")), size.get(qn("w:h"))
            size.set(qn("w:w"), height)
            size.set(qn("w:h"), width)
            size.set(qn("w:orient"), "landscape")
        p = self.make(qn("w:p"), {})
        self.sub(p, qn("w:pPr")).append(properties)
        self._end.addprevious(p)

    def table(self, block: Table) -> None:
        self.flush()
        wide = len(block.headers) > _PORTRAIT_COLUMNS
        if wide and not self._broken:  # the episode table: its own landscape pages
            self.section_break(landscape=False)
        self._broken = False
        table = self.document.add_table(rows=1, cols=len(block.headers))
        table.style = self.document.styles["Table Grid"]
        widths = _column_widths(block, landscape=wide)
        if widths:
            _fixed_widths(table, widths, self.qn, self.sub)
        else:
            _full_width(table, self.qn, self.sub)
        header_row = table.rows[0]._tr.get_or_add_trPr()
        self.sub(header_row, self.qn("w:tblHeader"))  # repeats at the top of each page
        for c, (cell, header) in enumerate(zip(table.rows[0].cells, block.headers, strict=True)):
            if widths:  # Word lays a cell out by its own width, not the grid's
                cell.width = widths[c]
            self.run(cell.paragraphs[0]._p, header, bold=True)
        for r, values in enumerate(block.rows):
            cells = table.add_row().cells
            for c, value in enumerate(values):
                if widths:
                    cells[c].width = widths[c]
                lines = value.split("\n")
                runs = [self.run(cells[c].paragraphs[0]._p, lines[0])]
                for line in lines[1:]:
                    runs.append(self.run(cells[c].add_paragraph()._p, line))
                if (r, c) in block.comments and not self.report.final:
                    self.comment(runs, block.comments[(r, c)])
        if wide:
            self.section_break(landscape=True)

    def page_setup(self) -> None:
        """A4 portrait with 2.5 cm margins, a header naming the report and whether it is
        public, and a footer with page numbers; British English throughout."""
        from docx.oxml import parse_xml
        from docx.shared import Mm

        report = self.report
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(25))
        status = "Final report" if report.final else "CONFIDENTIAL DRAFT: review team only"
        header = section.header.paragraphs[0]
        header.text = f"{report.title} · {status}"
        footer = section.footer.paragraphs[0]._p
        footer.addnext(parse_xml(_PAGE_NUMBERS))
        footer.getparent().remove(footer)
        qn = self.qn
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), LANGUAGE)
        for lang in self.document.settings.element.iter(qn("w:themeFontLang")):
            lang.set(qn("w:val"), LANGUAGE)

    def metadata(self) -> None:
        """The review's title and ours, not python-docx's template (a 2013 document
        "created" by "python-docx" in "Microsoft Macintosh Word")."""
        report = self.report
        properties = self.document.core_properties
        properties.title = report.title
        properties.author = TEAM
        properties.last_modified_by = TEAM
        properties.comments = ""
        properties.subject = "Final report" if report.final else "Confidential draft"
        properties.keywords = "case review; Learning Together"
        properties.category = "Case review"
        properties.content_status = "Final" if report.final else "Draft"
        properties.language = LANGUAGE
        properties.created = properties.modified = self._now
        properties.last_printed = self._now
        properties.revision = 1
        package = self.document.part.package
        for part in package.iter_parts():
            if part.partname == "/docProps/app.xml":
                part._blob = _APP_XML  # a generic part: its bytes are what is saved
        for key, rel in list(package.rels.items()):
            if rel.reltype.endswith("/thumbnail"):  # the template's picture of a page
                del package.rels[key]

    def write(self) -> bytes:
        report = self.report
        self.metadata()
        self.page_setup()
        self.text_paragraph(self.headings[0], [_run_xml(report.title, "")])
        self.text_paragraph(None, [_run_xml(report.banner, _BOLD)])
        starts = _landscape_starts(report.blocks)
        for index, block in enumerate(report.blocks):
            if index in starts:  # the heading and introduction go with their wide table
                self.flush()
                self.section_break(landscape=False)
                self._broken = True
            if isinstance(block, Heading):
                style = self.headings[min(block.level, 3)]
                self.text_paragraph(style, [_run_xml(block.text, "")])
            elif isinstance(block, Para):
                self.para(block)
            else:
                self.table(block)
        self.flush()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LANGUAGE = "en-GB"
# Tables wider than this get landscape pages of their own (the episode table has 7 or 8).
_PORTRAIT_COLUMNS = 5
# "Page N of M": fields Word and LibreOffice fill in (the 1s show until they do).
_PAGE_NUMBERS = (
    f'<w:p xmlns:w="{_W}"><w:pPr><w:jc w:val="center"/></w:pPr>'
    '<w:r><w:t xml:space="preserve">Page </w:t></w:r>'
    '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
    '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
)
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>facilitator</Application>'
    b"<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    b"</Properties>"
)


def _landscape_starts(blocks: list[Block]) -> set[int]:
    """Indices of the headings that introduce a wide table (the heading, then at most two
    paragraphs, then the table): the landscape pages start there, not at the table."""
    starts = set()
    for index, block in enumerate(blocks):
        if not isinstance(block, Table) or len(block.headers) <= _PORTRAIT_COLUMNS:
            continue
        before = index - 1
        while before >= 0 and index - before <= 3 and isinstance(blocks[before], Para):
            before -= 1
        if before >= 0 and isinstance(blocks[before], Heading):
            starts.add(before)
    return starts


def _word_time(at: str) -> str:
    """A note's ISO time as Word writes comment dates (UTC, to the second); "" if none."""
    if not at:
        return ""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The room between the margins of an A4 page with 2.5 cm margins, in twentieths of a point.
_TWIPS_PER_MM = 1440 / 25.4
_TEXT_WIDTH = {False: round(160 * _TWIPS_PER_MM), True: round(247 * _TWIPS_PER_MM)}


def _column_widths(block: Table, *, landscape: bool) -> list[Any]:
    """Column widths (python-docx lengths) sharing the page's text width in the table's
    proportions; [] when the table gives none."""
    from docx.shared import Twips

    if not block.widths or len(block.widths) != len(block.headers):
        return []
    room = _TEXT_WIDTH[landscape]
    total = sum(block.widths)
    return [Twips(room * share // total) for share in block.widths]


def _fixed_widths(table: Any, widths: list[Any], qn: Any, sub: Any) -> None:
    """Columns of the given widths that Word keeps (a fixed layout: autofit would squeeze
    the columns back to equal shares and split words)."""
    table.autofit = False
    properties = table._tbl.tblPr
    for width in properties.findall(qn("w:tblW")):
        properties.remove(width)
    total = sum(w.twips for w in widths)
    sub(properties, qn("w:tblW"), {qn("w:w"): str(total), qn("w:type"): "dxa"})
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def _full_width(table: Any, qn: Any, sub: Any) -> None:
    """The table spans the page it is on (python-docx sizes it for portrait pages)."""
    properties = table._tbl.tblPr
    for width in properties.findall(qn("w:tblW")):
        properties.remove(width)
    sub(properties, qn("w:tblW"), {qn("w:w"): "5000", qn("w:type"): "pct"})


# Run properties in the schema's order, as :meth:`_Writer.run` writes them.
_BOLD = "<w:rPr><w:b/></w:rPr>"
_BOLD_HIGHLIGHT = '<w:rPr><w:b/><w:highlight w:val="yellow"/></w:rPr>'
_META = '<w:rPr><w:i/><w:color w:val="595959"/></w:rPr>'
_TEXT_SPECIAL = re.compile("[&<>\r]")


def _xml_text(text: str) -> str:
    if _TEXT_SPECIAL.search(text) is None:
        return text
    # A carriage return is kept as a reference: a literal one would be read back as "\n".
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _run_xml(text: str, properties: str) -> str:
    """The ``w:r`` :meth:`_Writer.run` makes, as text: line breaks become ``w:br``."""
    lines = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{_xml_text(line)}</w:t>' for line in lines)
    return f"<w:r>{properties}{body}</w:r>"


def render(report: Report) -> bytes:
    return _Writer(report).write()


@functools.lru_cache(maxsize=4)
def own_words(banner: str, final: bool) -> list[str]:
    """Everything a report with no content of its own holds (footer, header, document
    properties, styles and their attributes), for the final report's scan (see
    :mod:`.ours`): "Page 1 of 1" and "Case review" are ours, whoever is called Page."""
    blank = Ours("")
    blocks: list[Heading | Para | Table] = [Heading(blank, level) for level in (1, 2, 3)]
    blocks += [
        Para(blank, blank, style, flag)
        for style in ("body", "bullet", "quote", "meta")
        for flag in ("", "gap", "discrepancy")
    ]
    # A narrow and a wide table (the wide one on landscape pages): every style, every
    # attribute a report can have, with nothing of anyone's in it.
    blocks += [Table([blank] * n, [[blank] * n]) for n in (2, _PORTRAIT_COLUMNS + 3)]
    empty = render(Report(blank, banner, final, blocks))
    return [*_FLAG_WORDS.values(), *(text for _, text in texts(empty))]


def texts(data: bytes) -> list[tuple[str, str]]:
    """(where, text) for every paragraph and attribute of every XML part of a .docx, so a
    name split across runs, or hidden in a comment's author, is still found."""
    import zipfile

    from lxml import etree  # python-docx's own parser: several times faster than ElementTree

    word = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    t_tag, br_tag, tab_tag = f"{word}t", f"{word}br", f"{word}tab"
    breaks = {br_tag: "\n", tab_tag: "\t"}
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not _USER_PARTS.match(name):
                continue
            root = etree.fromstring(package.read(name), parser)
            paragraphs = list(root.iter(f"{word}p"))
            for number, paragraph in enumerate(paragraphs, 1):
                text = "".join(
                    (t.text or "") if t.tag == t_tag else breaks[t.tag]
                    for t in paragraph.iter(t_tag, br_tag, tab_tag)
                )
                found.append((f"{name} paragraph {number}", text))
            if not paragraphs:  # document properties: one piece per property
                found += [(name, e.text) for e in root.iter() if e.text and e.text.strip()]
            # Every attribute in document order in one XPath call (lxml's per-element
            # ``attrib`` proxies cost more than the parse).
            # Each distinct value once per part and attribute name: the scan would report
            # the same leak for every copy (thousands of xml:space="preserve" and styles).
            for key, value in dict.fromkeys((v.attrname, v) for v in root.xpath("//@*")):
                if not key.endswith("}id") and value:
                    found.append((f"{name} attribute {key.split('}')[-1]}", str(value)))
    return found
