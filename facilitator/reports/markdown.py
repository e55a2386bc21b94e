"""A report as Markdown. User text is escaped so it always reads as plain text: a note
that starts with ``#`` or contains ``<script>`` never becomes a heading or HTML."""

from __future__ import annotations

import re

from facilitator.reports.content import Comment, Heading, Para, Report, Table

# "&" too: a CommonMark reader shows "Oka&#102;or" as "Okafor", and what a reader sees
# must be what the final report's scan checked.
# "~" too: GitHub-flavoured readers strike "~~text~~" through.
_SPECIAL = "\\`*_[]<>|&~"
_INLINE = re.compile(r"[\\`*_\[\]<>|&~]")
_BACKSLASHED = str.maketrans({c: "\\" + c for c in _SPECIAL})
# A line starts after "\n" or "\r" (both end a line in CommonMark). The indent before a
# block mark never spans a line end: a text of many blank lines stays linear to escape.
_LINE_START = re.compile(r"(?:^|(?<=\r))([^\S\r\n]*)([#>+\-=~]|\d+[.)])", re.MULTILINE)
_STARTS_BLOCK = re.compile(r"[^\S\r\n]*([#>+\-=~]|\d+[.)])")


def _unblock(match: re.Match[str]) -> str:
    """A backslash that stops a line opening a block. CommonMark escapes punctuation only,
    so "12." becomes "12\\." (a backslash before the digits would be shown as is)."""
    indent, mark = match.group(1), match.group(2)
    if mark[0].isdigit():
        return f"{indent}{mark[:-1]}\\{mark[-1]}"
    return f"{indent}\\{mark}"


def escape(text: str) -> str:
    """Plain text that Markdown renders as the same characters."""
    done = _escaped.get(text)
    if done is None:
        # Most text has nothing to escape: a search (no replacement template) says so
        # cheaply, and translate escapes the rest without a regular expression.
        done = text.translate(_BACKSLASHED) if _INLINE.search(text) else text
        # Only several lines, or a line that could open a block, need the line-start pass.
        if "\n" in done or "\r" in done or _STARTS_BLOCK.match(done):
            done = _LINE_START.sub(_unblock, done)
        if _memo_on:
            _escaped[text] = done
    return done


# Within one render the same strings recur (attributions, times, every episode-linked note
# in both the records and the narrative); escaping each once halves the work. The memo is
# emptied when the render ends, so no note text outlives it (entries depend only on their
# key, so two renders at once can share it safely).
_escaped: dict[str, str] = {}
_memo_on = False


def _one_line(text: str) -> str:
    done = escape(text)
    return done.replace("\n", " ") if "\n" in done else done


def _comments(items: list[Comment]) -> list[str]:
    """One blockquote, each comment its own paragraph in it (consecutive ">" lines would
    run together into one paragraph in a CommonMark reader)."""
    lines: list[str] = []
    for c in items:
        if lines:
            lines.append(">")
        lines.append(f"> **{escape(c.author)}:** {_one_line(c.text)}")
    return lines


_FLAGS = {"gap": "**Gap:** ", "discrepancy": "**Discrepancy:** "}
# What this renderer writes itself, for the final report's scan (see :mod:`.ours`). User
# text has its "*" escaped, so it can never read as one of these.
OWN_WORDS = [flag.strip() for flag in _FLAGS.values()]


def _para(block: Para) -> str:
    """The paragraph's one Markdown line (its comments follow it, see :func:`_render`)."""
    body = escape(block.text)
    if "\n" in body:
        body = body.replace("\n", "  \n")
    style = block.style
    if style == "meta":
        return f"*{body}*" if body.strip() else ""
    lead = f"**{escape(block.lead)}** " if block.lead else ""
    flag = _FLAGS.get(block.flag, "") if block.flag else ""
    if style == "bullet":
        return f"- {flag}{lead}{body}"
    return f"{flag}{lead}{body}"


def _table(block: Table) -> list[str]:
    def cell(text: str) -> str:
        return "<br>".join(escape(part) for part in text.split("\n"))

    lines = [
        "| " + " | ".join(cell(h) for h in block.headers) + " |",
        "|" + "---|" * len(block.headers),
    ]
    for row in block.rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    notes = []
    for (row, column), items in sorted(block.comments.items()):
        where = f"{block.rows[row][0]}, {block.headers[column]}"
        notes += [
            f"> **{escape(c.author)}** on {_one_line(where)}: {_one_line(c.text)}" for c in items
        ]
    for note in notes:  # each its own blockquote: consecutive ">" lines make one paragraph
        lines += ["", note]
    return lines


def render(report: Report) -> str:
    global _memo_on
    _memo_on = True
    try:
        return _render(report)
    finally:
        _memo_on = False
        _escaped.clear()


def _render(report: Report) -> str:
    out = [f"# {_one_line(report.title)}", "", f"**{_one_line(report.banner)}**", ""]
    append = out.append
    previous_bullet = False
    for block in report.blocks:
        kind = type(block)
        if kind is Para:  # most blocks, so tested first
            bullet = block.style == "bullet"
            if previous_bullet and not bullet and out[-1] != "":
                append("")
            append(_para(block))
            if block.comments:
                append("")
                out += _comments(block.comments)
                append("")
            elif not bullet:
                append("")
            previous_bullet = bullet and not block.comments
        elif kind is Heading:
            if out[-1] != "":
                append("")
            append(f"{'#' * min(block.level + 1, 6)} {_one_line(block.text)}")
            append("")
            previous_bullet = False
        else:
            if out[-1] != "":
                append("")
            out += _table(block)
            append("")
            previous_bullet = False
    return "\n".join(out).rstrip("\n") + "\n"
