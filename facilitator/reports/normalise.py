"""Text as a reader sees it, for matching names: folded, with a map back to the original.

Word, phones and copy-and-paste write the same name in many ways that look alike on the
page: a curly apostrophe, a decomposed "Zoë", a soft hyphen or zero-width space inside a
word, full-width letters. :func:`fold` turns text into one canonical form (NFKC,
case-folded, accents, other marks and invisible characters removed, apostrophes and dashes unified,
look-alikes from other scripts read as the Latin letters they look like (the UTS #39
confusables, :mod:`.confusables`), letters with a stroke and ligatures as the letters a
reader takes them for: "Ł" as "l", "æ" as "ae")
and keeps enough of a map to turn a match in the folded text back into a span of the
original, so the original can be changed where the match was.

HTML character references are read as the character they stand for ("Oka&#102;or" is
"okafor"), since a CommonMark reader or browser shows them so. Text is read in up to three
views (:func:`fold`): invisible characters dropped, invisible characters as a break between
words, and emphasis marks and line-end hyphens joined; a name found in any is a name.

The work is linear in the text's length: ASCII stretches (most of any report) are
lower-cased in one call and mapped one to one; only the other characters are folded one
cluster (a character and the combining marks after it) at a time, and each distinct
cluster once per process.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from facilitator.reports.confusables import BEFORE_CASE
from facilitator.reports.confusables import LOOK_ALIKES as CONFUSABLES

# Apostrophes and the marks people type for one (a backtick, prime, acute accent and the
# IPA stress and prime marks): "O`Brien" and "Oʹ Brien" read as "O'Brien".
APOSTROPHES = (
    "\u2019\u2018\u201b\u02bc\u02bb\u02bd\u2032\u00b4\uff07\u055a`\u02b9\u02c8\u02ca\u02cb\uff40"
)
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d\u2e3a\u2e3b"
# Letters with a stroke, and ligatures, that no normal form takes apart: a reader takes
# "Łucja Ørsted-Đurić" for "Lucja Orsted-Duric", "Æsa" for "Aesa".
STROKES = {
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "ŧ": "t", "ð": "d",
    "þ": "th", "ŀ": "l", "ɫ": "l", "ƚ": "l", "ɨ": "i", "ʉ": "u", "ƀ": "b", "ɍ": "r",
    "ȼ": "c", "ɇ": "e", "ɉ": "j", "ƶ": "z", "ȥ": "z", "ĸ": "k", "ǥ": "g", "ɏ": "y",
}  # fmt: skip
# Letters drawn in a box or as a flag, which no normal form reads: the regional indicator
# letters (🇴🇰, shown as flags only in pairs that name a country) and the negative
# circled and squared capitals (🅾🅺).
SYMBOL_LETTERS = {
    chr(first + i): chr(ord("a") + i) for first in (0x1F1E6, 0x1F150, 0x1F170) for i in range(26)
}
# Look-alikes (:mod:`.confusables`, from UTS #39): Cyrillic, Greek and other letters a
# reader takes for Latin ones ("Ѕаm" typed with two Cyrillic letters reads as "Sam"). A
# capital whose small letter looks different is read before case folding (Greek Eta "Η"
# is H, its small letter "η" is n).
LOOK_ALIKES = {**CONFUSABLES, **STROKES, **SYMBOL_LETTERS}
_BEFORE_CASE = str.maketrans(BEFORE_CASE)
_UNIFY = str.maketrans(
    {**dict.fromkeys(APOSTROPHES, "'"), **dict.fromkeys(DASHES, "-"), **LOOK_ALIKES}
)

# Characters a reader does not see that are not format characters (category Cf, which
# covers soft hyphens, zero-width spaces and joiners, direction marks and the BOM). The
# narrow spaces (six-per-em, figure, punctuation, thin, hair, narrow no-break, medium
# mathematical) are here too: inside a word ("Oka\u2009for") a reader sees one word, so
# they are read both ways, dropped and as a break between words (the "split" view).
_NARROW_SPACES = "\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0\u0640"
    + _NARROW_SPACES
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)


def mark(char: str) -> bool:
    """A mark of any kind, which goes with the letter before it: combining accents, and the
    enclosing marks ("O\u20dd") and marks of class 0 ("\u0e31") that
    ``unicodedata.combining`` does not count, though a reader sees the letter through them."""
    return unicodedata.category(char)[0] == "M"


def invisible(char: str) -> bool:
    return (
        char in _IGNORABLE or unicodedata.category(char) == "Cf" or 0xE0000 <= ord(char) <= 0xE0FFF
    )


@lru_cache(maxsize=4096)
def fold_cluster(cluster: str) -> str:
    """One character and its combining marks, folded (possibly to nothing or to several)."""
    visible = "".join(c for c in cluster if not invisible(c))
    if not visible:
        return ""
    text = unicodedata.normalize("NFKC", visible).translate(_BEFORE_CASE).casefold()
    # Accents go (a reader takes "Zoe" for "Zoë"); NFKD splits them off first.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not mark(c))
    text = unicodedata.normalize("NFKC", text).translate(_UNIFY)
    if len(text) == 3 and text[0] == "(" and text[2] == ")" and text[1].isalpha():
        text = text[1]  # a parenthesised letter ("⒨") reads as the letter
    return "".join(c for c in text if not invisible(c))


def fold_text(text: str) -> str:
    """The folded form alone (for registered names and short strings)."""
    return fold(text).text


# HTML character references, which a CommonMark reader (and any HTML viewer) shows as the
# character they stand for: "Oka&#102;or" reads as "Okafor", "O&#39;Brien" as "O'Brien".
# Named references without the ";" are read too, as browsers read the old ones.
_ENTITY = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,7};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
# What a reader's eye joins in the "joined" view: emphasis marks inside a word ("**Oka**for"
# from Word's bold runs, kept by the import as Markdown) and a word broken by a hyphen at
# the end of a line ("Oka-\nfor").
_JOINED = re.compile(r"[*_~]+|-[ \t]*\r?\n\s*|\\(?=[!-/:-@\[-`{-~])")
_SPECIAL = re.compile(r"[^\x00-\x7f]+")
_SPECIAL_AMP = re.compile(r"[^\x00-\x7f]+|" + _ENTITY.pattern)
_SPECIAL_JOINED = re.compile(r"[^\x00-\x7f]+|" + _ENTITY.pattern + "|" + _JOINED.pattern)
_ASCII_UNIFY = str.maketrans("`", "'")
# A capital straight after a small letter starts a word in the "camel" view: "OkaforNotes"
# is "okafor notes", "MrsOkafor" is "mrs okafor".
_CAMEL = re.compile(r"(?<=[a-z\u00df-\u00f6\u00f8-\u00ff])[A-Z]")
_SPECIAL_CAMEL = re.compile(r"[^\x00-\x7f]+|" + _ENTITY.pattern + "|" + _CAMEL.pattern)

# A capital I straight after a small letter reads as a small l ("CoIe", "WhitfieId"),
# in the "look" view: in most typefaces the two are drawn alike.
_CAPITAL_I = re.compile(r"(?<=[a-z])I")
_CAPITAL_I_FAST = re.compile(r"I(?<=[a-z]I)")
_SPECIAL_LOOK = re.compile(r"[^\x00-\x7f]+|" + _ENTITY.pattern + "|" + _CAPITAL_I.pattern)

READ, SPLIT, JOINED, CAMEL, LOOK = "read", "split", "joined", "camel", "look"


def capital_i(text: str) -> bool:
    """Whether the "look" view of ``text`` can differ from the plain one."""
    return "I" in text and _CAPITAL_I_FAST.search(text) is not None


@dataclass(frozen=True)
class Folded:
    """``text`` folded; ``span`` maps a span of it back to the original."""

    text: str
    # Breakpoints: the folded offset where each segment starts, the original offsets of
    # its start and end, and whether it maps one to one (else it is one cluster).
    _starts: tuple[int, ...] = ()
    _segments: tuple[tuple[int, int, int, bool], ...] = ()
    # Whether an invisible character was taken out (so the "split" view may read
    # differently), and whether the "joined" view may read differently.
    hidden: bool = False

    @property
    def mapped(self) -> bool:
        """Whether offsets differ from the original's (else a span is itself)."""
        return bool(self._starts)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span for the folded span ``[start, end)``, widened to whole clusters."""
        if not self._starts:
            return start, end
        i = bisect_right(self._starts, start) - 1
        n, o_start, _, linear = self._segments[i]
        original_start = o_start + (start - n) if linear else o_start
        j = bisect_right(self._starts, max(end - 1, 0)) - 1
        n, o_start, o_end, linear = self._segments[j]
        original_end = o_start + (end - n) if linear else o_end
        return original_start, original_end


def joined_probe(folded: str) -> str:
    """Folded text with what the joined view drops taken out: a quick test of whether
    that view could find anything (it finds all it would, and may find more)."""
    return _JOINED.sub("", folded)


# The same as _CAMEL, written capital first: the engine then skips to each capital (few
# in any text) instead of trying the look-behind at every character (3 ms to 1 ms over
# 158,000 characters).
_CAMEL_FAST = re.compile(r"[A-Z](?<=[a-z\u00df-\u00f6\u00f8-\u00ff][A-Z])")


def camel(text: str) -> bool:
    """Whether the "camel" view of ``text`` can differ from the plain one."""
    return _CAMEL_FAST.search(text) is not None


def joinable(text: str) -> bool:
    """Whether the "joined" view of ``text`` can differ from the plain one. Most texts
    hold none of the characters it needs, which ``in`` finds at once."""
    if not (
        "*" in text or "_" in text or "~" in text or "\\" in text or ("-" in text and "\n" in text)
    ):
        return False
    return _JOINED.search(text) is not None


def fold(text: str, view: str = READ) -> Folded:
    """``text`` as a reader sees it, with a map back (see the module's docstring).

    ``view`` is how invisible characters and markup between letters are read: ``read``
    drops invisible characters ("Oka\u00adfor" is "okafor"), ``split`` reads them as a
    break between words ("Smith\u00adJones" is "smith jones"), ``joined`` also drops
    emphasis marks and a hyphen at a line end ("**Oka**for", "Oka-\nfor"), ``camel``
    starts a word at a capital after a small letter ("OkaforNotes"), ``look`` reads a
    capital I after a small letter as an l ("CoIe"). A name is
    looked for in each view that can differ, so no way of writing it hides it.
    """
    amp = "&" in text
    if view == JOINED:
        special = _SPECIAL_JOINED
    elif view == CAMEL:
        special = _SPECIAL_CAMEL
    elif view == LOOK:
        special = _SPECIAL_LOOK
    elif amp:
        special = _SPECIAL_AMP
    else:
        special = _SPECIAL
        if text.isascii():
            lowered = text.lower()
            return Folded(lowered.translate(_ASCII_UNIFY) if "`" in text else lowered)
    pieces: list[str] = []
    starts: list[int] = []
    segments: list[tuple[int, int, int, bool]] = []
    length = 0  # of the folded text so far
    hidden = False

    def linear(a: int, b: int) -> None:
        nonlocal length
        if a < b:
            starts.append(length)
            segments.append((length, a, b, True))
            piece = text[a:b].lower()
            pieces.append(piece.translate(_ASCII_UNIFY) if "`" in piece else piece)
            length += b - a

    def cluster(a: int, b: int, folded: str) -> None:
        nonlocal length
        starts.append(length)
        segments.append((length, a, b, len(folded) == b - a))
        pieces.append(folded)
        length += len(folded)

    done = 0
    for run in special.finditer(text):
        a, b = run.span()
        first = text[a]
        if view == LOOK and first == "I":
            linear(done, a)
            cluster(a, b, "l")
            done = b
            continue
        if view == CAMEL and "A" <= first <= "Z":
            linear(done, a)
            cluster(a, b, " " + first.lower())
            done = b
            continue
        if first == "&" or (first in "*_~-\\" and view == JOINED):
            linear(done, a)
            if first == "&":
                decoded = html.unescape(run.group(0))
                if decoded == run.group(0):  # not a reference a reader would decode
                    linear(a, b)
                else:
                    inner = fold(decoded, view)
                    hidden = hidden or inner.hidden
                    cluster(a, b, inner.text)
            else:
                cluster(a, b, "")
            done = b
            continue
        # A combining mark belongs to the character before it, which may be ASCII.
        if a > done and mark(first):
            a -= 1
        linear(done, a)
        position = a
        while position < b:
            end = position + 1
            while end < b and mark(text[end]):
                end += 1
            folded = fold_cluster(text[position:end])
            if not folded:
                hidden = True
                if view == SPLIT:
                    folded = " "
            cluster(position, end, folded)
            position = end
        done = b
    linear(done, len(text))
    return Folded("".join(pieces), tuple(starts), tuple(segments), hidden)
