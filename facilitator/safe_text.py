"""Text from other people shown safely: note text arrives from other laptops by sync and
from imported records, so it may hold terminal escapes (a clear-screen code, an OSC title
sequence), bidirectional overrides that reorder what is read, NUL, or bytes that were not
UTF-8. Shown to a person it is made visible; written as JSON it is escaped, not changed.
"""

from __future__ import annotations

import re

# Bidirectional controls: they reorder the text around them on screen (Trojan Source).
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Line and paragraph separators, and the interlinear annotation marks.
_OTHER = "\u2028\u2029\ufff9\ufffa\ufffb"


def _visible_form(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"  # half of a pair: a byte that was not UTF-8
    return f"<U+{code:04X}>"


# Invisible: zero-width space, word joiner and its kin, the byte-order mark, and Unicode
# tag characters. Text that reads the same could differ, or carry hidden words. (Joiners
# U+200C and U+200D stay: Persian and Indic scripts and emoji need them.)
_INVISIBLE = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"

_UNSAFE_CODES = [
    *(c for c in range(0x20) if chr(c) not in "\n\t"),
    *range(0x7F, 0xA0),
    *(ord(c) for c in _BIDI + _OTHER + _INVISIBLE),
    *range(0xD800, 0xE000),
    *range(0xE0000, 0xE0080),
]
_TABLE = {code: _visible_form(code) for code in _UNSAFE_CODES}
_JSON_UNSAFE = re.compile(
    "[" + re.escape("".join(chr(c) for c in range(0x7F, 0xA0)) + _BIDI + _OTHER) + "\ud800-\udfff]"
)


def visible(text: str) -> str:
    """``text`` with every control character shown instead of obeyed: line breaks and
    tabs stay; other C0 and C1 controls, bidirectional overrides and separators become
    visible marks, and stray halves of surrogate pairs become U+FFFD."""
    return text.translate(_TABLE)


_ONE_LINE = {**_TABLE, ord("\n"): "\u2424", ord("\t"): "\u2409"}


def one_line(text: str) -> str:
    """``text`` for a field printed within one line (a title in a list row, a role in a
    message): as :func:`visible`, and line breaks and tabs shown too (\u2424, \u2409), so
    a title cannot print rows or messages of its own, nor move the columns after it."""
    return text.translate(_ONE_LINE)


_CONTROLS = {
    code: _visible_form(code)
    for code in (*(c for c in range(0x20) if chr(c) not in "\n\t"), *range(0x7F, 0xA0))
}
_CONTROLS.update({0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})


def controls_shown(text: str) -> str:
    """``text`` for a document (a Markdown or Word report): C0 and C1 controls shown as
    :func:`visible` shows them (ESC as \u241b), never dropped, so the reader can tell
    they were there; line breaks (CR LF as LF) and tabs stay. Direction marks stay too:
    a document needs them for right-to-left text, and no terminal reads it."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_CONTROLS)


def json_safe(dumped: str) -> str:
    """JSON text (from ``json.dumps``) with the characters a terminal might obey written
    as ``\\uXXXX`` escapes: every string decodes to exactly what it held."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
