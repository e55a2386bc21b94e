"""HTML records (case-management exports, saved web pages) as Markdown via markdownify.

Scripts, styles and embedded objects are removed before conversion, so their contents
never become text of the review.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from facilitator.importers import Converted, ImportProblem

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

_UNSAFE = ("script", "style", "noscript", "iframe", "object", "embed", "template", "head")
# markdownify converts recursively: deeper than this, a tag's text is kept as plain text.
# Broken exports (thousands of unclosed tags) nest this deep; real records never do.
MAX_DEPTH = 100


def html_to_markdown(raw: bytes) -> Converted:
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    from facilitator.importers.text import _normalise

    if b"\x00" in raw[:8192]:
        raise ImportProblem("the file looks binary, not HTML")
    # lxml (which python-docx brings) parses in linear time: Python's html.parser in
    # BeautifulSoup slows quadratically with the number of <br> tags (minutes for 9 MB).
    soup = BeautifulSoup(raw, "lxml")
    removed = len(soup.find_all(("script", "iframe", "object", "embed")))
    for tag in soup.find_all(_UNSAFE):
        tag.decompose()
    warnings = []
    if _flatten_deep_tags(soup):
        warnings.append(
            f"the record has tags nested more than {MAX_DEPTH} deep (unclosed tags?); "
            "below that depth its text was kept without formatting"
        )
    text = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(soup)
    if removed:
        warnings.append(f"removed {removed} script or embedded object(s); only the text was kept")
    lines = [line.rstrip() for line in _normalise(text).split("\n")]
    cleaned = "\n".join(lines)
    while "\n\n\n" in cleaned:
        cleaned = cleaned.replace("\n\n\n", "\n\n")
    return Converted(cleaned.strip() + "\n", warnings, by_paragraph=True)


def _flatten_deep_tags(soup: BeautifulSoup) -> int:
    """Replace what lies below :data:`MAX_DEPTH` by its text; returns how many tags at
    that depth were flattened. Walks the tree without recursion."""
    from bs4 import NavigableString, Tag

    depth: dict[int, int] = {id(soup): 0}
    deep: list[Tag] = []
    for tag in soup.find_all(True):
        level = depth[id(tag.parent)] + 1
        depth[id(tag)] = level
        if level == MAX_DEPTH and tag.find(True) is not None:
            deep.append(tag)
    for tag in deep:
        text = tag.get_text(" ")
        tag.clear()
        tag.append(NavigableString(text))
    return len(deep)
