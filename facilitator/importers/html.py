"""HTML records (case-management exports, saved web pages) as Markdown via markdownify.

Scripts, styles and embedded objects are removed before conversion, so their contents
never become text of the review.
"""

from __future__ import annotations

from facilitator.importers import Converted, ImportProblem

_UNSAFE = ("script", "style", "noscript", "iframe", "object", "embed", "template", "head")


def html_to_markdown(raw: bytes) -> Converted:
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    from facilitator.importers.text import _normalise

    if b"\x00" in raw[:8192]:
        raise ImportProblem("the file looks binary, not HTML")
    soup = BeautifulSoup(raw, "html.parser")
    removed = len(soup.find_all(("script", "iframe", "object", "embed")))
    for tag in soup.find_all(_UNSAFE):
        tag.decompose()
    text = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(soup)
    warnings = []
    if removed:
        warnings.append(f"removed {removed} script or embedded object(s); only the text was kept")
    lines = [line.rstrip() for line in _normalise(text).split("\n")]
    cleaned = "\n".join(lines)
    while "\n\n\n" in cleaned:
        cleaned = cleaned.replace("\n\n\n", "\n\n")
    return Converted(cleaned.strip() + "\n", warnings)
