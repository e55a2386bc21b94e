"""Plain text and Markdown files: decoded, never interpreted."""

from __future__ import annotations

import re

from facilitator.importers import Converted, ImportProblem


def decode_text(raw: bytes, name: str) -> Converted:
    if b"\x00" in raw[:8192]:
        raise ImportProblem(f"{name} looks like a binary file, not text")
    warnings = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Windows exports: Windows-1252 covers the £, curly quotes and dashes they use.
        text = raw.decode("cp1252", errors="replace")
        warnings.append(f"{name} is not UTF-8; read it as Windows text (check any accents)")
    text = _normalise(text)
    if "<" in text:
        text, count = _without_html(text)
        if count:
            warnings.append(
                f"{name}: {count:,} HTML tag(s) in the text were taken out, as an HTML import "
                "takes them out (a tag inside a word would hide a name from redaction)"
            )
    return Converted(text, warnings)


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Terminal escape and other control characters are never wanted in a record.
    return _CONTROLS.sub("", text)


# Inline HTML in a Markdown record ("<span>Oko</span>nkwo"): every reader joins the word
# round the tags, so the text is kept as a reader sees it. Only HTML's own element names
# are tags: "x < y and z > w" or "<3" in a record is text.
_ELEMENTS = (
    "a|abbr|b|bdi|bdo|big|blockquote|br|center|cite|code|del|dfn|div|em|font|h[1-6]|hr|i|img|"
    "ins|kbd|li|mark|ol|p|pre|q|s|samp|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|"
    "th|thead|tr|tt|u|ul|var|wbr|section|article|header|footer|label|time|o:p"
)
_TAG = re.compile(rf"<!--.*?-->|</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE | re.DOTALL)
# A tag that breaks the line where it stands, as a browser shows it.
_BREAK = re.compile(r"</?(?:br|p|div|li|tr|h[1-6]|hr|blockquote|table)\b", re.IGNORECASE)


def _without_html(text: str) -> tuple[str, int]:
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "\n" if _BREAK.match(match.group(0)) else ""

    return _TAG.sub(replace, text), count
