"""Contact details in what people wrote: UK phone numbers, e-mail addresses, postcodes and
street addresses. A public (``--final``) report and a draft for participants carry none:
each is replaced by a placeholder ("[phone number]"), and the finished file is scanned.

What is matched, and what is not (dates, times, counts and case numbers are not):
- a phone number starts with ``0``, ``(0`` or ``+44`` and has the digits of a UK number
  (10 or 11 with the leading 0, 9 or 10 after +44), in groups of two or more split by a
  space, a dot, a dash or brackets: "07700 900123", "020 7946 0018", "(01632) 960 001",
  "+44 (0)20 7946 0018". "07/05/2024", "10:30" and "CP-2024-00123" are not;
- an e-mail address: "j.kirby@example.com";
- a postcode in capitals: "SW1A 1AA", "M1 1AE" (the inward part's letters as Royal Mail
  allows them);
- a street address: a house number, one to three capitalised words and a street word
  ("12 Acacia Avenue", "3a Old Mill Lane", "12 Fake St"). "3 St Mary's nurses" is not.

Every expression is anchored where a match can begin (not after a digit, letter or
separator that would have begun it earlier), so a long run of digits or letters is read
once: finding is linear in the text's size.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

PLACEHOLDERS = {
    "phone": "[phone number]",
    "email": "[e-mail address]",
    "postcode": "[postcode]",
    "address": "[address]",
}
WORDS = {"phone": "phone number", "email": "e-mail address", "postcode": "postcode",
         "address": "street address"}  # fmt: skip

# Each expression opens with the characters a match can start with, and only then looks
# behind (two characters back): the engine then skips quickly to where one can begin,
# instead of trying the look-behind at every character.
_PHONE = re.compile(
    # "+" or "(" not after a word, a "+" or a separator; "0" not after a bracket either.
    r"[+(0](?:(?<=[+(])(?<![\w+/.:-][+(])|(?<=0)(?<![\w+/.:()-]0))"
    r"(?:(?<=\+)[ ]?44[ ]?(?:\(0\)[ ]?)?|(?<=\()0|(?<=0))\d+"
    r"(?:(?:[ .-]|\)[ ]?)\d{2,})*(?![\w/]|[.,:-]\d)"
)
_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_LOCAL = re.compile(r"[\w.+-]+")  # read backwards from the "@"
_POSTCODE = re.compile(
    r"[A-Z](?<![\w-][A-Z])(?:[A-Z]?\d[A-Z\d]?|IR)[ ]?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
)
_STREETS = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Close|Crescent|Drive|Place|Square|Gardens|Terrace|"
    "Grove|Mews|Way|Walk|Row|Rise|Parade"
)


# A street word is rare, so it is looked for first; the house number and the name are
# then read in a short stretch of text before it, ending at the street word.
# It opens with a capital, then looks back for the space before it, then reads the rest
# of the street words that start with that capital ("S" then "treet|t|quare").
def _street_pattern() -> re.Pattern[str]:
    rests: dict[str, list[str]] = {}
    for word in _STREETS.split("|"):
        rests.setdefault(word[0], []).append(word[1:])
    firsts = "".join(sorted(rests))
    by_first = "|".join(
        f"(?<={first})(?:{'|'.join(sorted(rest, key=len, reverse=True))})"
        for first, rest in sorted(rests.items())
    )
    return re.compile(rf"[{firsts}](?<= [{firsts}])(?:{by_first})\b\.?")


_STREET = _street_pattern()
# What comes before the street word, read backwards from it (the stretch before it
# reversed, matched once at its start): one to three capitalised words and a house
# number ("12 Acacia ", "3a Old Mill "), not part of a longer number or a date.
_BEFORE_REVERSED = re.compile(
    r"[ ]+(?:[\w'\u2019-]*[A-Z][ ]+){1,3},?(?:\d{1,4}-)?[A-Za-z]?\d{1,4}(?![\w/.:,-])"
)
_BEFORE_STREET = 80  # characters: a number and three words of a street's name
# A text with none of these holds no contact detail (most of a report).
_HINT = re.compile(r"[\d@\uff20]")  # \d is any script's digits


def _phone(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if number.startswith("+"):
        national = digits[2:]
        if "(0)" in number:
            national = national[1:]
        return 9 <= len(national) <= 10 and national[0] != "0"
    return 10 <= len(digits) <= 11 and digits[1] != "0"


def _as_read(text: str) -> tuple[str, list[int]]:
    """``text`` as a reader sees its characters (compatibility forms folded: full-width
    digits, "＠", a no-break or thin space; invisible characters left out), and for each
    character the index in ``text`` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    done = 0
    # ASCII stretches are copied whole; only the other characters are looked at one by one.
    for run in _NON_ASCII.finditer(text):
        chars.append(text[done : run.start()])
        origin.extend(range(done, run.start()))
        for i in range(run.start(), run.end()):
            if unicodedata.category(text[i]) != "Cf":
                folded = unicodedata.normalize("NFKC", text[i])
                chars.append(folded)
                origin.extend([i] * len(folded))
        done = run.end()
    chars.append(text[done:])
    origin.extend(range(done, len(text)))
    return "".join(chars), origin


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each contact detail in ``text``, in order, none overlapping.
    Read as a reader sees it: Word's no-break space or a full-width digit hides nothing."""
    if not text or not _HINT.search(text):
        return []
    if not text.isascii():
        seen, origin = _as_read(text)
        if seen != text:
            return [(origin[a], origin[b - 1] + 1, kind) for a, b, kind in _find(seen)]
    return _find(text)


def _find(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    if "@" in text:
        spans += _emails(text)
    spans += _addresses(text)
    for kind, pattern in (("postcode", _POSTCODE), ("phone", _PHONE)):
        for match in pattern.finditer(text):
            start = match.start()
            if kind == "phone":
                if not _phone(match.group(0)):
                    continue
                if text[start] == "(" and ")" not in match.group(0):
                    start += 1  # "(07700 900123)": the brackets are the sentence's
            spans.append((start, match.end(), kind))
    spans.sort()
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)  # the first found wins: an e-mail's digits are not a phone
    return kept


def _addresses(text: str) -> list[tuple[int, int, str]]:
    """Each street address: a street word with a house number and one to three
    capitalised words just before it ("12 Acacia Avenue")."""
    found = []
    floor = 0
    for street in _STREET.finditer(text):
        at = street.start()
        before = _BEFORE_REVERSED.match(text[max(floor, at - _BEFORE_STREET) : at][::-1])
        if before:
            found.append((at - before.end(), street.end(), "address"))
            floor = street.end()
    return found


def _emails(text: str) -> list[tuple[int, int, str]]:
    """Each e-mail address: a domain after "@", and the name before it walked back to
    where it begins (never past the previous address: each character is read once)."""
    found = []
    floor = 0
    for match in _DOMAIN.finditer(text):
        at = match.start()
        local = _LOCAL.match(text[floor:at][::-1])
        if local:
            found.append((at - local.end(), match.end(), "email"))
        floor = match.end()
    return found


def redact(text: str) -> str:
    """``text`` with each contact detail replaced by its placeholder."""
    spans = find(text)
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end, kind in spans:
        out += (text[done:start], PLACEHOLDERS[kind])
        done = end
    out.append(text[done:])
    return "".join(out)


def scan(pieces: Iterable[tuple[str, str]], ours: Iterable[str] = ()) -> list:
    """A :class:`~facilitator.reports.redaction.Leak` for each contact detail still in the
    ``(where, text)`` pieces of a finished file; one inside ``ours`` (our own words) is
    not a leak."""
    from facilitator.reports.redaction import Leak

    pieces = list(pieces)
    # One search over everything first (no match crosses a line break, and the start and
    # end of a piece read as one): a clean file, the usual case, costs one search.
    if not find("\n".join(text for _, text in pieces)):
        return []
    own = [o for o in ours if o and _HINT.search(o)]
    leaks = []
    for where, text in pieces:
        for start, end, kind in find(text):
            found = text[start:end]
            if any(found in o for o in own):
                continue
            context = " ".join(text[max(0, start - 30) : end + 30].split())
            leaks.append(Leak(WORDS[kind], where, context))
    return leaks


def where_found(pieces: Iterable[tuple[str, str]]) -> list[str]:
    """One line per contact detail in the ``(where, text)`` pieces: what and where, not
    the detail itself (a terminal's scrollback is not the place for it)."""
    return [f"a {WORDS[kind]} in {where}" for where, text in pieces for _, _, kind in find(text)]
