"""Markdown escaping skips its line-start pass for single lines that cannot open a block;
it must give exactly what the full two-pass escape gives. And an ordered-list marker is
escaped where CommonMark allows it: "12\\." (a backslash before digits would show)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.reports.markdown import _unblock, escape

_INLINE = re.compile(r"([\\`*_\[\]<>|&~])")
_LINE_START = re.compile(r"(?:^|(?<=\r))([^\S\r\n]*)([#>+\-=~]|\d+[.)])", re.MULTILINE)


def full_escape(text: str) -> str:
    done = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_unblock, done)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\r\n\x0b\x0c#>+-=~1.)a*_[]<|`\\9&")), max_size=12))
def test_same_as_the_full_escape(text: str) -> None:
    assert escape(text) == full_escape(text)


def test_examples() -> None:
    assert escape("# not a heading") == "\\# not a heading"
    assert escape("  12. not a list") == "  12\\. not a list"
    assert escape("plain [text] here") == "plain \\[text\\] here"
    assert escape("one\n- two") == "one\n\\- two"


def test_escaped_lines_read_as_typed_in_a_markdown_renderer() -> None:
    from markdown_it import MarkdownIt

    renderer = MarkdownIt()
    for line in (
        "12. not a list",
        "3) nor this",
        "# nor a heading",
        "> nor a quote",
        "- nor a bullet",
        "plain [link](x) <b>bold</b> *stars*",
    ):
        html = renderer.render(escape(line)).strip()
        assert html.startswith("<p>") and "\\" not in html, html


def test_double_tildes_are_not_struck_through_by_a_gfm_reader() -> None:
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark").enable("strikethrough")
    html = renderer.render(escape("waited ~~two~~ three weeks")).strip()
    assert "<s>" not in html and "~~two~~" in html, html
