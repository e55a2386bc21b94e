"""A report as a Word document (python-docx): real headings and list styles, the episode
table as a Word table, and the review team's judgements as Word comments anchored on the
passages they comment on. python-docx is imported here only, never at CLI start-up."""

from __future__ import annotations

import io
import re
from typing import Any

from facilitator.reports.content import TEAM, Comment, Heading, Para, Report, Table

# The parts of a package that can carry report text (styles and themes cannot).
_USER_PARTS = re.compile(r"^(word/(document|comments\w*|header\d*|footer\d*)|docProps/\w+)\.xml$")
_FLAG_WORDS = {"gap": "Gap: ", "discrepancy": "Discrepancy: "}


def _initials(author: str) -> str:
    return "".join(w[0] for w in author.replace("(", " ").split() if w[:1].isalpha())[:4]


class _Writer:
    def __init__(self, report: Report) -> None:
        from docx import Document
        from docx.enum.text import WD_COLOR_INDEX
        from docx.shared import RGBColor

        self.report = report
        self.document = Document()
        self.highlight = WD_COLOR_INDEX.YELLOW
        self.grey = RGBColor(0x59, 0x59, 0x59)
        styles = self.document.styles
        self.styles = {
            "body": styles["Normal"],
            "bullet": styles["List Bullet"],
            "quote": styles["Quote"],
            "meta": styles["Normal"],
        }
        self.headings = {level: styles[f"Heading {level}"] for level in range(1, 4)}

    def comment(self, runs: list[Any], items: list[Comment]) -> None:
        for item in items:
            self.document.add_comment(
                runs, text=item.text, author=item.author, initials=_initials(item.author)
            )

    def para(self, block: Para) -> None:
        paragraph = self.document.add_paragraph(style=self.styles[block.style])
        if block.flag in _FLAG_WORDS:
            flag = paragraph.add_run(_FLAG_WORDS[block.flag])
            flag.bold = True
            flag.font.highlight_color = self.highlight
        if block.lead:
            paragraph.add_run(block.lead + " ").bold = True
        text = paragraph.add_run(block.text)
        if block.style == "meta":
            text.italic = True
            text.font.color.rgb = self.grey
        if block.comments:
            # Anchored on the passage itself, not on the attribution before it.
            self.comment([text], block.comments)

    def table(self, block: Table) -> None:
        table = self.document.add_table(rows=1, cols=len(block.headers))
        table.style = self.document.styles["Table Grid"]
        for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
            cell.paragraphs[0].add_run(header).bold = True
        for r, values in enumerate(block.rows):
            cells = table.add_row().cells
            for c, value in enumerate(values):
                lines = value.split("\n")
                paragraph = cells[c].paragraphs[0]
                runs = [paragraph.add_run(lines[0])]
                for line in lines[1:]:
                    runs.append(cells[c].add_paragraph().add_run(line))
                if (r, c) in block.comments:
                    self.comment(runs, block.comments[(r, c)])

    def write(self) -> bytes:
        report = self.report
        properties = self.document.core_properties
        properties.title = report.title
        properties.author = TEAM
        properties.last_modified_by = TEAM
        properties.comments = ""
        properties.subject = "Final report" if report.final else "Confidential draft"
        properties.keywords = ""
        header = self.document.sections[0].header.paragraphs[0]
        header.text = "Final report" if report.final else "CONFIDENTIAL DRAFT"
        self.document.add_heading(report.title, 0)
        banner = self.document.add_paragraph().add_run(report.banner)
        banner.bold = True
        for block in report.blocks:
            if isinstance(block, Heading):
                self.document.add_paragraph(block.text, self.headings[min(block.level, 3)])
            elif isinstance(block, Para):
                self.para(block)
            else:
                self.table(block)
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def render(report: Report) -> bytes:
    return _Writer(report).write()


def texts(data: bytes) -> list[tuple[str, str]]:
    """(where, text) for every paragraph and attribute of every XML part of a .docx, so a
    name split across runs, or hidden in a comment's author, is still found."""
    import zipfile
    from xml.etree import ElementTree

    word = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not _USER_PARTS.match(name):
                continue
            root = ElementTree.fromstring(package.read(name))
            paragraphs = list(root.iter(f"{word}p"))
            for number, paragraph in enumerate(paragraphs, 1):
                text = "".join(
                    t.text
                    or ("\n" if t.tag == f"{word}br" else "\t" if t.tag == f"{word}tab" else "")
                    for t in paragraph.iter()
                    if t.tag in (f"{word}t", f"{word}br", f"{word}tab")
                )
                found.append((f"{name} paragraph {number}", text))
            if not paragraphs:
                found.append((name, "\n".join(root.itertext())))
            for element in root.iter():
                for key, value in element.attrib.items():
                    if not key.endswith("}id") and value:
                        found.append((f"{name} attribute {key.split('}')[-1]}", value))
    return found
