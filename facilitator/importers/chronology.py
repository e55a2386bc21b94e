"""Dated entries in agency records: a line that starts with a date ("14/02/2024 Home
visit", "3 March 2024 - strategy call", "On 5 March 2024 the nurse visited", a table row
whose first cell is a date, a heading that is only a date followed by a paragraph) becomes
one entry offered to the team. A date in the middle of a sentence is not an entry.

Dates are read leniently by :mod:`facilitator.dates` (python-dateutil), UK day-first.
Impossible dates ("31/02/2024") are not entries; the text stays in the document.

In a converted HTML or Word record a paragraph is the unit: dated lines inside one
paragraph (joined by line breaks) make one entry, not one each. In a text file each
dated line is its own entry, since text chronologies are typed one line per event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from facilitator.dates import DateProblem, LenientDate, parse_period

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]m)?)?"
_DATE = re.compile(
    r"(?:"
    rf"\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{1,2}}:\d{{2}})?"
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}{_TIME}"
    rf"|{_WEEKDAY}{_DAY}\s+{_MONTH},?\s+\d{{4}}{_TIME}"
    rf"|{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+\d{{4}}{_TIME}"
    rf"|{_MONTH}\s+\d{{4}}"
    r")(?![\w/])",
    re.IGNORECASE,
)
_DECORATION = re.compile(r"^[\s#>*_|\-+]*")
_SEPARATORS = re.compile(r"^[\s\-–—:|,.)*_]+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_ON = re.compile(r"on\s+", re.IGNORECASE)


@dataclass(frozen=True)
class DatedEntry:
    date: str  # ISO date of the first day
    date_text: str
    text: str
    line: int  # 1-based line in the imported text where the entry starts


def _dated(line: str, read: dict[str, LenientDate | None]) -> tuple[str, str, str] | None:
    """(iso date, date text, rest of the line) if the line starts with a readable date.
    ``read`` remembers each date text already read (a long record repeats its dates)."""
    body = _DECORATION.sub("", line)
    body = body.replace("**", "")
    on = _ON.match(body)  # "On 3 March 2024 the nurse visited": case notes often open so
    match = _DATE.match(body, on.end() if on else 0)
    if not match:
        return None
    date_text = match.group(0).strip()
    if date_text not in read:
        try:
            read[date_text] = parse_period(
                re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", date_text.rstrip("."))
            )
        except DateProblem:
            read[date_text] = None
    period = read[date_text]
    if period is None or period.start is None:
        return None
    rest = _SEPARATORS.sub("", body[match.end() :])
    rest = re.sub(r"\s*\|\s*", "; ", rest.strip().strip("|").strip()).strip("; ").strip()
    if period.precision == "period":
        rest = f"({date_text}) {rest}".strip()
    return period.start.isoformat(), date_text, rest


def dated_text(line: str) -> str | None:
    """The text of a record's line after the date it starts with, as an import reads it
    ("2 June 2024: ? ask the GP" -> "? ask the GP"); None if it starts with no date."""
    found = _dated(line, {})
    return found[2] if found else None


# A line that starts the team's private material as a note's would (">>", "?", after any
# tags): it keeps its own line in the entry, so a public report can leave it out.
_PRIVATE_START = re.compile(r"(?:[#@][^\s]+\s+)*(?:>>|\?|\uff1e\uff1e|\uff1f|\u00bb)")


def _joined(lines: list[str]) -> str:
    """An entry's lines as one text: joined by spaces, except before a private line."""
    body = ""
    for line in lines:
        words = " ".join(line.split())
        if words:
            body += ("\n" if _PRIVATE_START.match(words) else " ") if body else ""
            body += words
    return body


_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def find_entries(text: str, *, by_paragraph: bool = False) -> list[DatedEntry]:
    """The dated entries of ``text`` in document order. With ``by_paragraph``, a dated
    line that continues a paragraph already holding an entry joins that entry."""
    entries: list[DatedEntry] = []
    current: list[str] | None = None
    start: tuple[str, str, int] | None = None
    waiting_for_text = False
    previous = ""
    read: dict[str, LenientDate | None] = {}

    def close() -> None:
        if start is not None and current is not None:
            body = _joined(current)
            if body:
                entries.append(DatedEntry(start[0], start[1], body, start[2]))

    for number, line in enumerate(text.split("\n"), 1):
        if re.fullmatch(r"\s*\|?[\s:|\-]+\|?\s*", line) and "-" in line:
            continue  # a Markdown table's separator row
        continues = (
            by_paragraph
            and current is not None
            and not waiting_for_text
            and previous.strip() != ""
            and not _ITEM.match(line)
            and not _HEADING.match(line)
            and not line.lstrip().startswith("|")
        )
        previous = line
        found = None if continues else _dated(line, read)
        if found:
            close()
            start = (found[0], found[1], number)
            current = [found[2]] if found[2] else []
            waiting_for_text = not found[2]
            continue
        if current is None:
            continue
        if not line.strip():
            if not waiting_for_text:
                close()
                current, start = None, None
            continue
        if _HEADING.match(line) or line.lstrip().startswith("|"):
            # A heading or another table row ends the entry: rows are entries of their own.
            close()
            current, start = None, None
            continue
        current.append(line.strip().lstrip("-*+ ").strip())
        waiting_for_text = False
    close()
    return entries
