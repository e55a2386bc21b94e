"""Pseudonymising final reports: a per-review register of identifiers, applying it to
report text, and scanning the finished output for anything that slipped through.

The register holds what the team added (``facilitator redact REVIEW add``; source
``team``) plus every participant's name and each part of it, derived afresh at each
export (source ``participant``) so a renamed participant can never leave a stale entry
behind. Professionals become their role ("the social worker"), family members their
pseudonym (or their role if none is set).

Matching compares what a reader sees: both sides are folded (:mod:`.normalise`: NFKC,
case-folded, accents, soft hyphens and zero-width characters removed, apostrophes and
dashes unified, HTML references decoded). A match is a whole word as a reader takes it:
not next to another letter (a digit, ``_`` or a Chinese character does not hide a name),
with any whitespace, ``-`` or ``_`` between the words of an identifier or none at all, an
apostrophe kept, spaced or dropped, and a plural ending, so "SAM OKAFOR", "Sam’s",
"Sam\\nOkafor", "SamOkafor", "O Brien" and "the Okafors" are all caught. Only what users
wrote is redacted (:mod:`.ours`); a month next to a day or year is a date, not a person.

In a name word of four letters or more, ASCII look-alikes and a break between letters are
read through ("0konkw0", "Okon- kwo"). Where reading would guess, the final report stops
instead (:class:`AmbiguousNames`, :class:`EverydayWords`, a name broken by a space): a
guessed replacement reads as fact, a refusal says what to fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from facilitator.method import Method
from facilitator.model import Participant
from facilitator.reports import contacts
from facilitator.reports.everyday import EVERYDAY
from facilitator.reports.normalise import (
    CAMEL,
    DASHES,
    JOINED,
    LOOK,
    READ,
    SPLIT,
    Folded,
    camel,
    capital_i,
    fold,
    fold_text,
    joinable,
    joined_probe,
)
from facilitator.reports.ours import Ours
from facilitator.store import Store
from facilitator.store.db import StoreError
from facilitator.store.store import new_id

# Titles are not identifying on their own and would match everywhere; before a name they
# are part of it ("Dr Marsh" becomes "the GP", not "Dr the GP").
# Words for a job written as a title ("Nurse Whitfield", "PC Cole") go with the name too.
TITLES = ("dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev", "revd", "cllr",
          "nurse", "sister", "pc", "dc", "sgt")  # fmt: skip
_NOT_IDENTIFYING = frozenset(TITLES)
# Not a letter on either side (a digit, "_" or punctuation may touch a name). Letters of
# scripts written without spaces between words (Han, kana, Thai, Lao, Burmese, Khmer) and
# Korean syllables are not letters here: "Okafor様" and "Okaforครับ" are Okafor.
_NO_SPACES = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
)
_BEFORE = rf"(?<![^\W\d_{_NO_SPACES}])"
_AFTER = rf"(?![^\W\d_{_NO_SPACES}])"
_BETWEEN = r"[\s_.-]+"
# A run of two or more single letters, each set apart from the next by a space, a dot,
# a dash or a mark ("s a m", "o.k.a.f.o.r", "m-a-r-s-h"): a name spelled out.
_SINGLE = r"[^\W\d_](?![^\W\d_])"
_SPACED = rf"{_SINGLE}(?:[\s._*\u00b7\u2022-]{{1,3}}{_SINGLE})+"
# Between the words of one identifier, in a match: any spacing, or none ("SamanthaOkafor").
_JOIN = r"[\s_.-]*"
# An apostrophe in a name may be dropped or spaced: "OBrien", "O Brien", "O ' Brien".
_APOSTROPHE = r"(?:\s*'\s*|[\s_.-]*)"
# A plural or a family written as one: "the Okafors", "the Joneses".
_PLURAL = r"(?:e?s)?"
# Month and season names a participant may be called ("May", "June", "Summer"), and
# "Early": each is read as part of a date when it is written as one, and as the name
# anywhere else (see the README's "Reports" section). A day or a year may touch the
# month ("3May2024"): a thin space between them is dropped in one reading of the text.
# - a month next to a day or a year: "3 May", "3rd of May", "May 2024", "May 3rd", "May
#   3, 2024", and "May 3" after a word that leads into a date ("on May 3", "by May 3");
#   "May 12 said no" is the name;
# - a month or a season after "early", "mid", "late", "the end of" ..., a season after
#   "last", "this", "next", "the" ...: "Early May", "mid-May", "late summer", "last
#   summer", "the summer of 2023"; a season before a year or a term ("summer 2024",
#   "summer term");
# - "early" (or "mid", "late") before a year, a month or a season: "early 2024".
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()  # noqa: SIM905
)
SEASONS = frozenset(("spring", "summer", "autumn", "winter", "fall"))
_QUALIFIERS = frozenset(("early", "mid", "late"))
DATE_WORDS = MONTHS | SEASONS | _QUALIFIERS
_YEAR = r"(?:1[89]|20)\d\d(?!\d)"
_MONTH_OR_SEASON = "|".join(sorted(MONTHS | SEASONS))
_QUALIFIED = r"(?:early|mid|late|(?:the\s+)?(?:end|start|beginning|middle)\s+of)[\s-]+$"
_DATE_BEFORE = re.compile(
    r"(?:(?<!\d)[0-3]?\d(?:st|nd|rd|th)?\s*(?:of\s+)?|" + _QUALIFIED[:-1] + r")$"
)
_DATE_AFTER = re.compile(
    rf"\s*(?:of\s+)?{_YEAR}|[\s,]+[0-3]?\d(?:st|nd|rd|th)(?![^\W\d_])"
    rf"|\s+[0-3]?\d,?\s+{_YEAR}"
)
# A month and a day after a word that leads into a date: "on May 3", "from May 12".
_DAY_AFTER = re.compile(r"\s+[0-3]?\d(?!\d)")
_INTO_DATE = re.compile(
    r"(?<![^\W\d_])(?:on|by|from|until|till|since|before|after|between|to|of|in|during|"
    r"around|about|and)\s+$"
)
_SEASON_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:early|mid|late|last|this|next|that|every|each|the|previous|"
    r"following)[\s-]+$"
)
_SEASON_AFTER = re.compile(r"\s+(?:term|holidays?|half[\s-]?term|break|months?)(?![^\W\d_])")
_QUALIFIER_AFTER = re.compile(rf"[\s-]+(?:of\s+)?(?:{_YEAR}|(?:{_MONTH_OR_SEASON})(?![^\W\d_]))")
_DASH = re.compile("[-" + DASHES + "]")
# Titles and initials written just before a name, in folded text: "dr ", "d. ", "j. a. ".
_LEAD_IN = re.compile(
    _BEFORE + r"(?:(?:" + "|".join(TITLES) + r")(?:\.\s*|\s+))?(?:[^\W\d_]\.\s*)*$"
)


# Where the word before a name may be a title or an initial ("dr ", "d. "), worth the
# look of :data:`_LEAD_IN`: a "." or a title just before.
_HINT = re.compile(r"(?:\.\s*|(?<![^\W\d_])(?:" + "|".join(TITLES) + r")\s+)$")
# The character before the space before a name, when one of these may be there.
_HINT_END = frozenset({".", " ", "\t", "\n", *(t[-1] for t in TITLES)})
# A title just before a name, and a role just after it ("Okonkwo (father)", "Okonkwo,
# the father"), in folded text: which of two people sharing a surname is meant.
_TITLE_BEFORE = re.compile(r"(?<![^\W\d_])(" + "|".join(TITLES) + r")\.?\s+$")
_ROLE_AFTER = re.compile(r"\s*(?:\(|,\s*(?:the\s+|her\s+|his\s+)?)([^\W\d_]+)")
# A season written as a name: a capital, then a word ("the Winter children").
_NAMED = re.compile(r"[A-Z][a-z]+[ \t]+[a-z]")
_THE = re.compile(r"(?<![^\W\d_])the\s+$", re.IGNORECASE)


def _titled(replacement: str) -> bool:
    """Whether a replacement starts with a title of its own ("Mr K")."""
    first = replacement.split(maxsplit=1)[:1]
    return bool(first) and first[0].casefold().rstrip(".") in _NOT_IDENTIFYING


# A title written at the start of a name's span ("Mrs ", "ms. ", "DR ").
_WRITTEN_TITLE = re.compile(r"(" + "|".join(TITLES) + r")(\.?)\s", re.IGNORECASE)
_APOSTROPHES = "'\u2019"


def _titled_wording(entry: Redaction, text: str, start: int, end: int) -> tuple[str, int]:
    """A pseudonym with a title of its own ("Mr K") as it reads in place of
    ``text[start:end]``, and where the words it replaces end. The title written with
    the name is the writer's and tells one Kirby from another: "Mrs Kirby" is "Mrs K",
    not "Mr K". A family reads as one: "the Kirbys" is "the K family", "the Kirbys'"
    "the K family's"."""
    title, _, name = entry.replacement.partition(" ")
    if not name.strip():
        return entry.replacement, end
    words = _words(entry.text)
    written = _WRITTEN_TITLE.match(text, start, end)
    if written:
        if written.group(1).casefold() == title.casefold().rstrip("."):
            return entry.replacement, end  # "Mr. Kirby" as the team spelt "Mr K"
        if words and words[0].rstrip(".") in _NOT_IDENTIFYING:
            return entry.replacement, end  # "Mrs Jane Hill" registered as "Ms A": theirs
        return f"{written.group(1).capitalize()}{written.group(2)} {name}", end
    found = fold_text(text[start:end]).rstrip()
    plural = bool(words) and any(found.endswith(words[-1] + ending) for ending in ("s", "es"))
    if not plural:
        return entry.replacement, end
    if end < len(text) and text[end] in _APOSTROPHES and not text[end + 1 : end + 2].isalpha():
        return f"{name} family{text[end]}s", end + 1
    return f"{name} family", end


def _words(text: str) -> list[str]:
    return [w for w in re.split(_BETWEEN, fold_text(text)) if w]


def _initial(part: str) -> bool:
    """An initial ("D." or "D"): on its own it would match every lone letter ("a", "I")."""
    return len(part.rstrip(".")) <= 1


@dataclass(frozen=True)
class Redaction:
    id: str
    text: str
    replacement: str
    source: str  # "team" | "participant" | "reviewer"
    role: bool = False  # the replacement is a role: "the GP", "The social worker" ...
    # Matched only where written with a capital: a place's own word ("Riverside" of
    # "Riverside Academy") or a name part that is an everyday word ("Will", "Young").
    capital: bool = False
    # Who the name is, to tell apart two people who share a part of it: the
    # participant's role ("Father"), which a note may write beside the name.
    who: str = ""
    # A name part that is an everyday word ("Will", "Young"): matched only with a capital
    # (``capital``), and a lower-case use kept as the word is noted (see
    # :class:`EverydayWords`).
    word: bool = False


@dataclass(frozen=True)
class Leak:
    identifier: str
    where: str
    context: str

    def line(self) -> str:
        return f"{self.where}: {self.identifier!r} in “{self.context}”"


class LeakFound(Exception):
    """The scan of a final report found registered identifiers; nothing was written."""

    def __init__(self, leaks: list[Leak]) -> None:
        self.leaks = leaks
        shown = "; ".join(leak.line() for leak in leaks[:5])
        more = f" (and {len(leaks) - 5} more)" if len(leaks) > 5 else ""
        super().__init__(
            f"the final report still identifies people or places, so it was not written: "
            f"{shown}{more}"
        )


# ASCII look-alikes a reader takes for a name's letters ("0konkw0", "M1llbrook",
# "Whitf|eld", "Arnara", "Okonkvvo"), allowed in name words of four letters or more:
# in shorter ones they would catch numbers and words ("Al" in "A1", "Tom" in "torn").
_LOOK_ALIKE = {"o": "[o0]", "l": "[l1|]", "i": "[i1|]", "m": "(?:m|rn)", "w": "(?:w|vv)"}
# A break a reader's eye reads through inside a name's word ("Okon- kwo", "Okon.kwo",
# "Okon·kwo", "Okon/kwo", "Oko\tnkwo", a dash of any kind once folded), in the same words.
_BREAK = r"(?:[-./\u00b7\u2027\u2022\t][ \t]*|[ \t]+-[ \t]*)?"
_LOOSE_FROM = 4


def _loose(word: str) -> str:
    """One word of a name as a pattern: letters and look-alikes, with a break allowed
    between any two letters (see :data:`_LOOK_ALIKE` and :data:`_BREAK`)."""
    if len(word) < _LOOSE_FROM or not word.isalpha():
        return re.escape(word)
    return _BREAK.join(_LOOK_ALIKE.get(c, re.escape(c)) for c in word)


def _alternative(text: str, loose: bool = False) -> str:
    escape = _loose if loose else re.escape
    return _JOIN.join(_APOSTROPHE.join(map(escape, w.split("'"))) for w in _words(text))


def pattern_for(text: str) -> re.Pattern[str]:
    """The identifier as whole words, to search for in folded text (:func:`fold`)."""
    return re.compile(_BEFORE + _alternative(text, loose=True) + _PLURAL + _AFTER)


def _views(text: str, folded: Folded | None = None) -> list[Folded]:
    """The folded views of ``text`` that can read differently (see :func:`fold`)."""
    views = [folded or fold(text)]
    if views[0].hidden:
        views.append(fold(text, SPLIT))
    if joinable(text):
        views.append(fold(text, JOINED))
    if camel(text):
        views.append(fold(text, CAMEL))
    if capital_i(text):
        views.append(fold(text, LOOK))
    return views


def _a_date(
    found: str, folded: str, start: int, end: int, named: Callable[[], bool] | None = None
) -> bool:
    """A month, season or "early" written as part of a date ("3rd of May", "on May 3",
    "summer 2024", "Early May"), not as a name: the rule above :data:`MONTHS`. A season
    after "the", "that" ... only is a name when ``named`` says it is written as one, with
    a capital and a word after it ("the Winter children"); without ``named``, a date."""
    if found not in DATE_WORDS:
        return False
    before = max(0, start - 16)
    if found in _QUALIFIERS:
        return _QUALIFIER_AFTER.match(folded, end) is not None
    if _DATE_AFTER.match(folded, end) or _DATE_BEFORE.search(folded, before, start):
        return True
    if found in SEASONS:
        if _SEASON_AFTER.match(folded, end):
            return True
        return bool(_SEASON_BEFORE.search(folded, before, start)) and not (named and named())
    return bool(_DAY_AFTER.match(folded, end) and _INTO_DATE.search(folded, before, start))


def contains(haystack: str, identifier: str) -> bool:
    """Whether a reader would see ``identifier`` in ``haystack``: as whole words, or as a
    word of a compound at a capital ("MarshCare Ltd" holds "Marsh", as "Marsh & Co"
    does; "Marshfield" does not, and is redacted in text by the inside-a-word rule)."""
    if not _words(identifier):
        return False
    pattern = pattern_for(identifier)
    if pattern.search(fold_text(haystack)):
        return True
    if camel(haystack) and pattern.search(fold(haystack, CAMEL).text):
        return True
    return capital_i(haystack) and pattern.search(fold(haystack, LOOK).text) is not None


_LOGIN = re.compile(r"[._+]+")
_LOGIN_DIGITS = re.compile(r"^\d+|\d+$")


def name_parts(name: str) -> list[str]:
    """The full name, the name without titles and initials, and every part a reader could
    be identified by: each word, each half of a double-barrelled name, however short ("Jo",
    "Wu"). Titles and lone initials only within the full name."""
    words = [w.strip(".,;:()") for w in name.split()]
    parts = [name]
    plain = [w for w in words if w and not _initial(w) and fold_text(w) not in _NOT_IDENTIFYING]
    if len(plain) > 1:
        parts.append(" ".join(plain))  # "Helen Marsh" in "Dr. Helen Marsh" or "H. Marsh"
    for word in words:
        parts.append(word)
        halves = re.split(_DASH, word)
        if len(halves) > 1:  # "Smith-Jones" or "Smith–Jones": "Smith" and "Jones" too
            parts += halves
        # A log-in or an address ("Jo.Smith", "k_taylor", "j.smith@council.gov.uk",
        # "hmarsh01"): each part of the name before any "@", without digits.
        local = word.split("@", 1)[0]
        pieces = [_LOGIN_DIGITS.sub("", p) for p in _LOGIN.split(local)]
        if local != word or len(pieces) > 1 or pieces[0] != word:
            parts += [local, *pieces]
    return [
        p
        for p in dict.fromkeys(parts)
        if p == name or (p and not _initial(p) and fold_text(p) not in _NOT_IDENTIFYING)
    ]


def _everyday(entry: Redaction, full: str) -> Redaction:
    """``entry``, matched only with a capital if it is a part of the name ``full`` that is
    an everyday word (:mod:`.everyday`)."""
    if entry.text != full and fold_text(entry.text) in EVERYDAY:
        return replace(entry, capital=True, word=True)
    return entry


def participant_entries(people: Iterable[Participant]) -> list[Redaction]:
    """Each participant's full name and every part of it, replaced by role or pseudonym."""
    entries: list[Redaction] = []
    for person in people:
        if not person.name or not _words(person.name):
            continue
        pseudonym = person.kind == "family" and bool(person.pseudonym)
        replacement = person.pseudonym if pseudonym else person.role
        for name in name_parts(person.name):
            entries.append(
                _everyday(
                    Redaction(
                        f"{person.id}:{name}",
                        name,
                        replacement or "",
                        "participant",
                        role=not pseudonym,
                        who=person.role or "",
                    ),
                    person.name,
                )
            )
    return entries


def former_entries(
    store: Store, review: str, people_now: Iterable[Participant] | None = None
) -> list[Redaction]:
    """A participant's former names and pseudonyms, from the op history, each replaced as
    their current name is: ``participant edit --name`` must not let the old name through.
    ``people_now``: the participants as the report shows them (by default, as stored)."""
    from dataclasses import replace as changed

    if people_now is None:
        people_now = store.participants(review)
    people = {p.id: p for p in people_now}
    current = {p.id: participant_entries([p]) for p in people.values()}
    entries: list[Redaction] = []
    where = "WHERE review = ? AND entity = 'participant'"
    for op in store.ops(where, (review,)):
        person = people.get(op.entity_id)
        name, pseudonym = op.fields.get("name"), op.fields.get("pseudonym")
        if person is None:
            continue
        was = {e.text for e in current[person.id]}
        if isinstance(name, str) and _words(name) and name != person.name:
            for entry in participant_entries([changed(person, name=name)]):
                if entry.text not in was:
                    entries.append(changed(entry, id=f"{entry.id}:former"))
        if isinstance(pseudonym, str) and _words(pseudonym) and pseudonym != person.pseudonym:
            family = person.kind == "family" and bool(person.pseudonym)
            replacement = person.pseudonym if family else person.role
            entries.append(
                Redaction(f"{person.id}:{pseudonym}:former", pseudonym, replacement or "",
                          "participant", role=not family)
            )  # fmt: skip
    return entries


def reviewer_entries(store: Store, review: str) -> list[Redaction]:
    """The reviewers' names (who led, who took notes, who wrote anything, as the op log
    records it) and every part of each, like a participant's: a final report names no
    reviewer, and "Quinlan asked" names one."""
    names = {store.author} if store.author else set()
    for talk in store.conversations(review):
        names |= {talk.lead or "", talk.note_taker or ""}
    names |= set(store.distinct("notes", "author", review))
    names |= set(store.op_authors(review))
    return [
        _everyday(Redaction(f"reviewer:{part}", part, "the review team", "reviewer"), name)
        for name in sorted(n for n in names if _words(n))
        for part in name_parts(name)
    ]


def identifying_details(people: Iterable[Participant], entries: Iterable[Redaction]) -> list[str]:
    """What must change before a final report can be made: a role or pseudonym (what a
    name is replaced by) that contains a registered identifier, an agency that contains a
    participant's or reviewer's name, and a team entry's replacement that contains another
    registered name ("the child" with a participant called Kim Child). Each as one line
    saying what to fix."""
    entries = list(entries)
    names = [e for e in entries if e.source in ("participant", "reviewer")]
    problems: list[str] = []
    for person in people:
        for field, value, candidates in (
            ("role", person.role, entries),
            ("pseudonym", person.pseudonym, entries),
            ("agency", person.agency, names),
        ):
            if not value:
                continue
            found = [e.text for e in candidates if contains(value, e.text)]
            if found:
                problems.append(
                    f"{person.label}'s {field} {value!r} contains the registered name "
                    f"{found[0]!r}: change it with 'facilitator participant edit "
                    f"{person.label} --{field} ...'"
                )
    for entry in entries:
        if entry.source != "team" or ":" in entry.id:
            continue
        found = [
            e.text for e in entries if e.text != entry.text and contains(entry.replacement, e.text)
        ]
        if found:
            problems.append(_replacement_problem(entry.text, entry.replacement, found[0]))
    return problems


def _replacement_problem(text: str, replacement: str, found: str) -> str:
    return (
        f"the replacement {replacement!r} for {text!r} contains the registered name "
        f"{found!r}: remove the entry ('facilitator redact REVIEW remove ID') and add it "
        "again with another replacement"
    )


class AmbiguousNames(StoreError):
    """A name part two participants share, written with nothing to say whose it is."""

    def __init__(self, ambiguous: dict[tuple[str, str], list[str]]) -> None:
        self.ambiguous = ambiguous
        lines = [
            f"{written!r} could be {' or '.join(map(repr, names))} in “{context}”"
            for (written, context), names in list(ambiguous.items())[:5]
        ]
        more = f" (and {len(ambiguous) - 5} more)" if len(ambiguous) > 5 else ""
        super().__init__(
            "the final report was not written: a name two participants share is written "
            "without a first name, title or role to say who is meant: "
            + "; ".join(lines)
            + more
            + ". Write the first name, the title ('Mr', 'Ms') or the role beside it, then "
            "export again"
        )


class EverydayWords(StoreError):
    """A participant's or reviewer's name part that is an everyday word, kept as the word
    in lower case: the team confirms each is the word before a final report is made."""

    def __init__(self, kept: dict[str, list[str]]) -> None:
        self.kept = kept
        lines = [
            f"{word!r} ({len(places)}{'+' if len(places) >= 20 else ''} time(s), e.g. "
            f"“{places[0]}”)"
            for word, places in kept.items()
        ]
        options = " ".join(f"--everyday {word}" for word in kept)
        super().__init__(
            "the final report was not written: a name part that is also an everyday word "
            "was kept as the word where written in lower case: " + "; ".join(lines) + ". "
            "Where it is the name, write it with a capital; if every lower-case use is the "
            f"word, export again with {options}"
        )


class IdentifyingDetails(StoreError):
    """A role, pseudonym or agency would name someone: no final report until it changes."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "a final report cannot be made while a participant's details name someone: "
            + "; ".join(problems)
        )


def team_entries(store: Store, review: str) -> list[Redaction]:
    return [
        Redaction(r["id"], r["text"] or "", r["replacement"] or "", r["source"] or "team")
        for r in store.rows("redactions", review)
        if (r["text"] or "").strip()
    ]


# Words that make a team entry a place or an organisation rather than a person: such an
# entry is matched whole ("Riverside Academy"), not by each word ("Academy").
_PLACE_WORDS = frozenset(
    """academy school college university nursery primary secondary infant junior high
    street road avenue lane close drive crescent place square gardens terrace way court
    house hall mill farm estate park green hospital surgery practice clinic centre center
    council trust ward unit team service services ltd limited plc church chapel mosque
    temple hotel hostel home club station police prison care group partnership town
    village city little great upper lower north south east west new old saint st bridge
    hill field wood cross market heath common vale valley bay port""".split()  # noqa: SIM905
)


def _person_like(text: str) -> bool:
    """A team entry that reads as a person's name: two to four capitalised words with no
    digits and none of :data:`_PLACE_WORDS` ("Priya Nair", not "Riverside Academy")."""
    words = text.split()
    return (
        1 < len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not any(c.isdigit() for c in text)
        and not any(fold_text(w.strip(".,")) in _PLACE_WORDS for w in words)
    )


def team_parts(entries: Iterable[Redaction]) -> list[Redaction]:
    """The team's entries, each person's name also by each part of it, as a
    participant's is: "Priya" alone identifies Priya Nair."""
    found: list[Redaction] = []
    for entry in entries:
        found.append(entry)
        if _person_like(entry.text):
            found += [
                _everyday(replace(entry, id=f"{entry.id}:{part}", text=part), entry.text)
                for part in name_parts(entry.text)
                if part != entry.text
            ]
        else:
            found += [
                replace(entry, id=f"{entry.id}:{part}", text=part, capital=True)
                for part in _own_words(entry.text)
            ]
    return found


def _own_words(place: str) -> list[str]:
    """The words of a place or organisation that name it on their own ("Riverside" of
    "Riverside Academy", "Northgate" of "Northgate Surgery"): not the generic ones
    (:data:`_PLACE_WORDS`), titles, date words, short words or possessives ("Mary's" of
    "St Mary's Hospital" is more often a person)."""
    words = place.split()
    if len(words) < 2:
        return []
    return [
        w
        for w in (w.strip(".,;:()") for w in words)
        if len(w) >= 4
        and w.isalpha()
        and w[:1].isupper()
        and fold_text(w) not in _PLACE_WORDS | _NOT_IDENTIFYING | DATE_WORDS
    ]


def add(store: Store, review: str, text: str, replacement: str) -> str:
    """Register an identifier; prints nothing, returns the new entry's id."""
    text, replacement = " ".join(text.split()), " ".join(replacement.split())
    if not text:
        raise StoreError("give the text to redact")
    if contains(replacement, text):
        raise StoreError(
            f"the replacement {replacement!r} contains {text!r} itself, "
            "so the final report would still identify it"
        )
    for entry in Register.for_review(store, review).entries:
        if contains(replacement, entry.text):
            raise StoreError(_replacement_problem(text, replacement, entry.text))
    for existing in team_entries(store, review):
        if fold_text(existing.text) == fold_text(text):
            raise StoreError(
                f"{text!r} is already registered (replaced by {existing.replacement!r})"
            )
    entry_id = new_id()
    store.emit(
        review,
        "redaction",
        entry_id,
        "set",
        {"text": text, "replacement": replacement, "source": "team"},
    )
    return entry_id


_TO_E = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ø": "oe", "å": "aa"})
_E_SPELLED = re.compile(r"(?<=[^\W\d_])([aou])e")


def _spelled(entry: Redaction) -> list[Redaction]:
    """``entry`` and the other ways its name is spelt: an umlaut as "e" ("Müller" as
    "Mueller", "Søren" as "Soeren") and the other way ("Mueller" as "Muller", which
    "Müller" folds to). Over-redaction is the lesser harm: "Joel" also finds "Jol"."""
    lower = unicodedata.normalize("NFC", entry.text).lower()
    spellings = [lower.translate(_TO_E)] if lower.translate(_TO_E) != lower else []
    folded = fold_text(entry.text)
    plain = _E_SPELLED.sub(r"\1", folded)
    if plain != folded and all(len(w) >= 4 for w in _words(plain)):
        spellings.append(plain)
    return [entry] + [
        replace(entry, id=f"{entry.id}~{spelling}", text=spelling)
        for spelling in dict.fromkeys(spellings)
    ]


# Controls that make text display in another order than it is stored ("\u202ehsraM
# neleH" shows as "Helen Marsh"): a final report holds none, so it reads as it is matched.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _by_first_letter(alternatives: list[str]) -> str:
    """``a|b|...`` with the alternatives that start with the same letter grouped
    (``s(?:am|mith)|o(?:kafor)``): the engine then tries only those that can match at
    a position, not each in turn. The order within a group (longest first) is kept."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        head = _head(alternative)
        groups.setdefault(head, []).append(alternative[len(head) :])
    return "|".join(f"{head}(?:{'|'.join(rests)})" for head, rests in groups.items())


def _head(alternative: str) -> str:
    """The pattern of an alternative's first letter: one letter, escaped as re.escape
    writes it (never "\\"), or a look-alike set ("[o0]", "(?:m|rn)")."""
    if alternative[:1] == "\\":
        return alternative[:2]
    if alternative[:1] == "[":
        return alternative[: alternative.index("]") + 1]
    if alternative[:3] == "(?:":
        return alternative[: alternative.index(")") + 1]
    return alternative[:1]


def _head_letters(head: str) -> str:
    """The characters a head (:func:`_head`) can start with."""
    if head[:1] == "[":
        return head[1:-1]
    if head[:3] == "(?:":
        return "".join(option[:1] for option in head[3:-1].split("|"))
    return head[-1]


def _key(folded: str) -> str:
    return " ".join(w for w in re.split(_BETWEEN, folded) if w)


class Register:
    """Everything to take out of one review's final report."""

    def __init__(self, entries: Iterable[Redaction]) -> None:
        entries = [v for e in entries if _words(e.text) for v in _spelled(e)]
        # Longest first, so "Sam Okafor" is replaced whole before "Sam" on its own.
        self.entries = sorted(
            entries, key=lambda e: (-len(_key(fold_text(e.text))), e.capital, e.text)
        )
        # Lower-case uses of a name part that is an everyday word, kept as the word: the
        # word and where ("she will call"); and the words the team says are words.
        self.kept: dict[str, list[str]] = {}
        self.words: set[str] = set()
        # Name parts :meth:`_which` could not tell apart: (as written, context) and the
        # replacements it could be.
        self.ambiguous: dict[tuple[str, str], list[str]] = {}

    @classmethod
    def for_review(cls, store: Store, review: str, method: Method | None = None) -> Register:
        """The review's register. With ``method``, as a public report applies it: each
        participant's role and pseudonym (what their name becomes) cut to its public part
        (:func:`facilitator.reports.public.public_participants`)."""
        people = store.participants(review)
        if method is not None:
            from facilitator.reports.public import public_participants

            people = public_participants(people, method)
        return cls(
            [
                *team_parts(team_entries(store, review)),
                *participant_entries(people),
                *former_entries(store, review, people),
                *reviewer_entries(store, review),
            ]
        )

    @cached_property
    def _combined(self) -> re.Pattern[str] | None:
        """One pass over folded text finds every kind of match (see :meth:`_matches`): an
        identifier as whole words (the alternation, longest first); else a name part of
        four letters or more inside a longer word (group ``i``: "hmarsh01"); else a run of
        single letters ("s a m", "o.k.a.f.o.r": group ``s``)."""
        if not self.entries:
            return None
        # A spelled-out run is looked for from the first letter of any word of any entry.
        groups = list(self._groups)
        firsts = "".join(
            re.escape(c)
            for c in sorted(
                {w[0] for e in self.entries for w in _words(e.text)}
                | {c for g in groups for c in _head_letters(_head(g))}
            )
        )
        body = _by_first_letter(groups)
        inside = self._inside
        within = (
            f"|(?P<i>{_by_first_letter(list(map(re.escape, inside)))})[^\\W_]*" if inside else ""
        )
        # Every match starts with the first letter of some word of an identifier: saying
        # so up front lets the engine skip other positions quickly (on a 20,000-note
        # report about six times faster than with the look-behind alone), and grouping
        # the alternatives by their first letter tries only those that can match there.
        return re.compile(
            rf"(?=[{firsts}])(?:{_BEFORE}(?:(?:{body}){_PLURAL}{_AFTER}|(?P<s>{_SPACED}))"
            rf"{within})"
        )

    @cached_property
    def _groups(self) -> dict[str, Redaction]:
        """Each distinct alternative (longest first) and the first entry it stands for."""
        groups: dict[str, Redaction] = {}
        for entry in self.entries:
            groups.setdefault(_alternative(entry.text, loose=True), entry)
        return groups

    @cached_property
    def _lookup(self) -> dict[str, Redaction]:
        lookup: dict[str, Redaction] = {}
        for entry in self.entries:
            lookup.setdefault(" ".join(_words(entry.text)), entry)
        return lookup

    @cached_property
    def _each(self) -> list[tuple[re.Pattern[str], Redaction]]:
        return [(re.compile(a + _PLURAL), e) for a, e in self._groups.items()]

    def _entry(self, found: str) -> Redaction:
        """The entry a match stands for: looked up as written (most are), else matched
        against each entry in the alternation's order (a name run together, without its
        apostrophe, or a plural). A capturing group per entry would say which at once,
        but made the search four times slower."""
        entry = self._lookup.get(found) or self._lookup.get(_key(found))
        if entry is None:
            entry = next(e for pattern, e in self._each if pattern.fullmatch(found))
        return entry

    @cached_property
    def _inside(self) -> dict[str, Redaction]:
        """Each one-word name part of four letters or more, to find inside a longer word
        ("hmarsh01", "okaforsam@gmail.com", "SOkafor"), and the entry it stands for,
        longest first. Date words ("May", "Summer") are left out: inside a word they are
        far more often the word ("summertime") than the name."""
        parts: dict[str, Redaction] = {}
        for entry in self.entries:
            words = _words(entry.text) if not entry.capital else []
            word = words[0].replace("'", "") if len(words) == 1 else ""
            if len(word) >= 4 and word.isalpha() and word not in DATE_WORDS:
                parts.setdefault(word, entry)  # "O'Brien" as "zobrien" writes it
        return dict(sorted(parts.items(), key=lambda kv: -len(kv[0])))

    @cached_property
    def _spelled_parts(self) -> tuple[re.Pattern[str], dict[str, Redaction]]:
        """Every identifier with its words run together ("samokafor", "okafor", "jo"),
        to find in the letters of a spelled-out run, and the entry each stands for. A
        place is spelled whole, as it is matched ("riversideacademy", not "academy");
        each part of a person's name is an entry of its own."""
        parts: dict[str, Redaction] = {}
        for entry in self.entries:
            if entry.capital:
                continue
            word = "".join(_words(entry.text)).replace("'", "")
            if len(word) > 1 and word.isalpha() and word not in _NOT_IDENTIFYING:
                parts.setdefault(word, entry)
        body = "|".join(map(re.escape, sorted(parts, key=len, reverse=True))) or "(?!)"
        return re.compile(body), parts

    def _spelled_out(
        self, folded: str, start: int, run: str, covered: int
    ) -> tuple[int, int, Redaction] | None:
        """The span of a run of single letters that spells a registered name part ("s a
        m", "m-a-r-s-h"), from the first letter of the first part to the last of the last,
        leaving out parts that start before ``covered``; None if its letters spell none
        (a list "a b c", "i.e.", "u.s.a.")."""
        at = [start + i for i, c in enumerate(run) if c.isalpha()]
        letters = "".join(run[i - start] for i in at)
        pattern, parts = self._spelled_parts
        found = [m for m in pattern.finditer(letters) if at[m.start()] >= covered]
        if not found:
            return None
        return at[found[0].start()], at[found[-1].end() - 1] + 1, parts[found[0].group(0)]

    def _matches(
        self, folded: str, source: tuple[str, Folded] | None = None, note: bool = False
    ) -> Iterable[tuple[int, int, Redaction]]:
        """(start, end, entry) of each identifier in folded text, in order, dates aside;
        a name part found inside a longer word takes the whole word (a log-in or an
        address: over-redaction is the lesser harm), and a run of spaced letters that
        spells a name part takes the letters that spell it. One pass of one expression
        (:attr:`_combined`); each run of letters is read once (linear in the text)."""
        combined = self._combined
        assert combined is not None
        covered = position = 0  # the end of the last span given; where to look next
        size = len(folded)
        lookup = self._lookup
        search = combined.search

        def cased(start: int, end: int) -> str:
            """The original of a folded span, and what follows it (for its case)."""
            assert source is not None
            text, view = source
            first, last = view.span(start, end) if view.mapped else (start, end)
            return text[first : last + 3]

        while match := search(folded, position):
            start, end = match.span()
            position = end
            kind = match.lastgroup
            if kind is None:  # whole words, the usual case
                found = match.group(0)
                if end - start <= 9 and found in DATE_WORDS:
                    named = None
                    if source is not None:
                        named = lambda s=start, e=end: _NAMED.match(cased(s, e)) is not None  # noqa: E731
                    if _a_date(found, folded, start, end, named):
                        continue
                if end < size and folded[end].isalnum():  # "okafor01": the whole token
                    while end < size and folded[end].isalnum():
                        end += 1
                    position = end
                entry = lookup.get(found) or self._entry(found)
            elif kind == "i":
                # The whole word around it; each word is walked once.
                while start > covered and folded[start - 1].isalnum():
                    start -= 1
                entry = self._inside[match.group("i")]
            else:
                # A spaced run, read once. Its last letter may begin a name ("a O Brien"
                # for O'Brien): the search goes on from there.
                position = end - 1
                spelled = self._spelled_out(folded, start, match.group("s"), covered)
                if spelled is None:
                    continue
                start, end, entry = spelled
                position = max(position, end)
            if start < covered:
                continue
            if entry.capital and source is not None and not cased(start, end)[:1].isupper():
                # "the riverside path", "she will call": the word, not the name
                if note and entry.word:
                    self._note_word(folded[start:end], source, start, end)
                continue
            covered = end
            yield start, end, entry

    @cached_property
    def _roles(self) -> dict[str, tuple[str, re.Pattern[str], re.Pattern[str]]]:
        """Per role: its last word, and the role written just before a name ("GP Marsh",
        "the GP-Marsh") and just after it ("Marsh (GP)", "Marsh-GP"), in folded text, so
        it is not doubled."""
        found = {}
        for entry in self.entries:
            words = _words(entry.replacement)
            if entry.role and entry.replacement not in found and words:
                role = _alternative(entry.replacement)
                found[entry.replacement] = (
                    words[-1],
                    re.compile(rf"{_BEFORE}{role}(?:\s+|-)$"),
                    re.compile(rf"(?:[\s-]+{role}|\s*\({role}\)){_AFTER}"),
                )
        return found

    def apply(self, text: str) -> str:
        """``text`` as a public report shows it: contact details as placeholders
        ("[phone number]", :mod:`.contacts`), then every registered identifier replaced."""
        if not text or isinstance(text, Ours):
            return text
        # Before names: an address holds words a name part could take ("okafor@...").
        text = contacts.redact(text)
        if self._combined is None:
            return text
        if not text.isascii():
            text = _BIDI.sub("", text)
        views = _views(text)
        spans = [span for folded in views for span in self._spans(text, folded)]
        if not spans:
            return text
        if len(views) > 1:
            spans = _merged(spans)
        out: list[str] = []
        done = 0
        last: Redaction | None = None
        phrase = self._phrase
        for start, end, entry in spans:
            # Two parts of one name found apart ("Ms. Zoe" and "O'Brien"): one replacement,
            # not "the police officer the police officer".
            between = text[done:start]
            apart = not between.strip(" -\u2010\u2011") or (
                # "Rosalind and Quentin": the review team, once.
                entry.source == "reviewer" and between.strip(" ,") in ("", "and", "&")
            )
            if last is not None and last.replacement == entry.replacement and apart:
                done = end
                continue
            if not entry.role and _titled(entry.replacement):
                said, end = _titled_wording(entry, text, start, end)
            else:
                said = phrase(entry, text, start)
            out += (text[done:start], said)
            done, last = end, entry
        out.append(text[done:])
        return "".join(out)

    def _spans(self, text: str, folded: Folded) -> list[tuple[int, int, Redaction]]:
        """The original spans to replace, found in one folded view of ``text``: each name
        with the title, initials or role written with it."""
        f = folded.text
        spans: list[tuple[int, int, Redaction]] = []
        done = folded_done = 0
        roles = self._roles
        # Most texts hold no emphasis marks, and most folded texts map one to one.
        marked = "*" in text or "_" in text or "~" in text
        span = folded.span if folded.mapped else None
        size = len(text)
        shared = self._shared
        for start, end, entry in self._matches(f, (text, folded), note=True):
            if start < folded_done:
                continue  # taken by the role written after the previous name
            if shared and entry.source == "participant":
                entry = self._which(entry, f, start, end, text, span)
            # The regular expressions below run only where the word before could be a
            # title, an initial or the role: most names have none of these before them.
            # A title goes with the name: a participant's, or one whose replacement has a
            # title of its own ("Mr Kirby" as "Mr K", never "Mr Mr K").
            if (
                start > 1
                and (f[start - 1] == "." or f[start - 2] in _HINT_END)
                and _HINT.search(f, max(folded_done, start - 8), start)
                and (entry.source == "participant" or _titled(entry.replacement))
            ):
                lead = _LEAD_IN.search(f, max(folded_done, start - 40), start)
                if lead:
                    start = lead.start()
            role = roles.get(entry.replacement) if entry.role else None
            if role is not None:
                last, before, after = role
                if last in f[max(folded_done, start - len(last) - 3) : start]:
                    doubled = before.search(f, max(folded_done, start - 60), start)
                    if doubled:
                        start = doubled.start()
                following = after.match(f, end)
                if following:
                    end = following.end()
            original_start, original_end = span(start, end) if span else (start, end)
            if original_start < done:
                continue
            if marked and _MARKS.search(text, original_start, original_end):
                # A name Word split into runs ("**O***ka****for***"): the emphasis marks
                # around it went with its letters, and would otherwise be left dangling.
                while original_start > done and text[original_start - 1] in "*_~":
                    original_start -= 1
                while original_end < size and text[original_end] in "*_~":
                    original_end += 1
            spans.append((original_start, original_end, entry))
            done, folded_done = original_end, end
        return spans

    def _note_word(self, word: str, source: tuple[str, Folded], start: int, end: int) -> None:
        text, view = source
        first, last = view.span(start, end) if view.mapped else (start, end)
        places = self.kept.setdefault(word, [])
        if len(places) < 20:
            context = " ".join(text[max(0, first - 25) : last + 25].split())
            if context not in places:
                places.append(context)

    @cached_property
    def _shared(self) -> dict[str, list[Redaction]]:
        """A name part two participants share ("Okonkwo" of Amara and Chidi Okonkwo), with
        different replacements: the entries it could stand for."""
        by_key: dict[str, dict[str, Redaction]] = {}
        for entry in self.entries:
            if entry.source == "participant" and "~" not in entry.id:
                by_key.setdefault(_key(fold_text(entry.text)), {}).setdefault(
                    entry.replacement, entry
                )
        return {k: list(v.values()) for k, v in by_key.items() if len(v) > 1}

    def _which(
        self,
        entry: Redaction,
        folded: str,
        start: int,
        end: int,
        text: str,
        span: Callable[[int, int], tuple[int, int]] | None,
    ) -> Redaction:
        """Which of the people sharing a name part a match stands for: the one whose
        pseudonym has the title written before it ("Mr Okonkwo" is "Mr B"), or whose
        role is written beside it ("Okonkwo (father)"). Else the match is ambiguous: it
        is noted in :attr:`ambiguous` and a final report is refused (see
        :class:`AmbiguousNames`)."""
        key = _key(folded[start:end])
        people = self._shared.get(key)
        if not people:
            # "The Okonkwos": both, or the family; no one pseudonym says that.
            plural = key.endswith("s") and (
                self._shared.get(key[:-1]) or self._shared.get(key[:-2])
            )
            if not plural:
                return entry
            people = plural
        title = _TITLE_BEFORE.search(folded, max(0, start - 8), start)
        if title:
            said = title.group(1)
            chosen = [e for e in people if fold_text(e.replacement).split()[:1] == [said]]
            if len(chosen) == 1:
                return chosen[0]
        after = _ROLE_AFTER.match(folded, end)
        if after:
            said = after.group(1)
            chosen = [
                e for e in people if _words(e.who)[:1] == [said] or _words(e.who)[-1:] == [said]
            ]
            if len(chosen) == 1:
                return chosen[0]
        first, last = span(start, end) if span else (start, end)
        context = " ".join(text[max(0, first - 30) : last + 30].split())
        names = sorted({e.replacement for e in people})
        self.ambiguous.setdefault((text[first:last], context), names)
        return entry

    @cached_property
    def _role_texts(self) -> dict[str, tuple[str, str, str]]:
        """Per replacement: as it reads after "the", after a sentence, and in one."""
        found = {}
        for entry in self.entries:
            role = entry.replacement
            if not role[1:2].isupper():
                role = role[:1].lower() + role[1:]
            found[entry.replacement] = (role, "The " + role, "the " + role)
        return found

    def _phrase(self, entry: Redaction, text: str, at: int) -> str:
        """The replacement as it reads in place: a role with "the" (a capital at the start
        of a sentence), lower-cased unless it is an abbreviation ("the GP")."""
        if not entry.role:
            return entry.replacement
        role, sentence_start, within = self._role_texts[entry.replacement]
        # A few characters before are enough, and looking further makes a long text with
        # many names quadratic.
        before = text[max(0, at - 12) : at]
        stripped = before.rstrip(_OPENING)
        # "the GP", not "the the GP": "the" and a space or more just before.
        if (
            stripped[-3:].lower() == "the"
            and before[len(stripped) :].isspace()
            and (len(stripped) == 3 or not stripped[-4].isalpha())
        ):
            return role
        if not stripped and at > len(before):  # only spaces and quotes in the window
            # Step back over them one by one: copying all the text before (as this did)
            # made a long run of spaces before each name quadratic.
            i = at - len(before)
            while i > 0 and text[i - 1] in _OPENING:
                i -= 1
            stripped = text[i - 1] if i > 0 else ""
        sentence = not stripped or stripped[-1] in ".!?\n" or before.endswith("\n")
        return sentence_start if sentence else within

    def _found(self, folded: str) -> bool:
        return next(iter(self._matches(folded)), None) is not None

    def _broken_by_a_space(self, pieces: list[tuple[str, str]]) -> list[Leak]:
        """A name of four letters or more written as a capitalised piece and a small one
        with a space between ("Mill brook", "Oko nkwo"). Read through, spaces would join
        any two words ("a new man" for Newman), so it is not replaced but stops the final
        report, to be written again. One pass over each piece; a dictionary look-up per
        pair of words."""
        names = self._inside
        leaks: list[Leak] = []
        if not names:
            return leaks
        # Only where a capital that starts a registered name stands.
        firsts = "".join(sorted({re.escape(name[0].upper()) for name in names if name.isascii()}))
        if not firsts:
            return leaks
        pattern = re.compile(rf"(?=[{firsts}])" + _SPACE_BROKEN.pattern)
        for where, text in pieces:
            for match in pattern.finditer(text):
                joined = (match.group(1) + match.group(2)).lower()
                entry = names.get(joined)
                if entry is not None:
                    first, last = match.span()
                    context = " ".join(text[max(0, first - 30) : last + 30].split())
                    leaks.append(Leak(f"{entry.text} (with a space inside)", where, context))
        return leaks

    def scan(self, pieces: Iterable[tuple[str, str]], ours: Iterable[str] = ()) -> list[Leak]:
        """Every registered identifier still present in ``(where, text)`` pieces, as a
        reader would see it. ``ours`` are phrases the report writes itself (a footer's
        "Page 1 of 1", the category "Case review"): a match wholly inside one of them is
        not a leak, so a participant called Page or Case does not stop the report."""
        leaks: list[Leak] = []
        if self._combined is None:
            return leaks
        pieces = [(where, text) for where, text in pieces if text]
        folded = [fold(text) for _, text in pieces]
        candidates: list[tuple[str, str, Folded]] = []
        # One search over everything first: a match in any piece is a match in the pieces
        # joined by line breaks (not a letter, as the start and end of a piece are), and a
        # clean report, the usual case, then costs one call instead of one per piece.
        everything = "\n".join(f.text for f in folded)
        if self._found(everything):
            candidates = [(w, t, f) for (w, t), f in zip(pieces, folded, strict=True)]
        candidates += [
            (where, text, fold(text, SPLIT))
            for (where, text), f in zip(pieces, folded, strict=True)
            if f.hidden
        ]
        # The joined view (emphasis marks, line-end hyphens) of every piece that has one:
        # most Markdown lines have our "**" around a lead. Folding each in that view costs
        # more than the rest of the scan, so the folded text with those marks taken out
        # (which finds whatever the view would, and more) is searched first, all at once.
        candidates += [
            (where, text, fold(text, CAMEL))
            for (where, text), f in zip(pieces, folded, strict=True)
            if camel(text)
        ]
        candidates += [(where, text, fold(text, LOOK)) for where, text in pieces if capital_i(text)]
        if self._found(joined_probe(everything)):
            candidates += [
                (where, text, fold(text, JOINED))
                for (where, text), f in zip(pieces, folded, strict=True)
                if joinable(text) and self._found(joined_probe(f.text))
            ]
        leaks += self._broken_by_a_space(pieces)
        mask: re.Pattern[str] | None = None
        for where, text, f in candidates:
            matches = list(self._matches(f.text, (text, f)))
            if not matches:
                continue
            mask = mask or _mask(ours)
            own = [m.span() for m in mask.finditer(f.text)]
            for start, end, entry in matches:
                if any(a <= start and end <= b for a, b in own):
                    continue
                first, last = f.span(start, end)
                context = " ".join(text[max(0, first - 30) : last + 30].split())
                leaks.append(Leak(entry.text, where, context))
        return _dedupe(leaks)


_MARKS = re.compile(r"[*_~]")
_SPACE_BROKEN = re.compile(
    r"(?<![^\W\d_])([A-Z][a-z]+)(?:[ \t]+|[ \t]*\n[ \t]*)([a-z]+)(?![^\W\d_])"
)
_OPENING = " \t\"“‘'(["


def _mask(ours: Iterable[str]) -> re.Pattern[str]:
    # As each view reads them, since a match is masked in the view it was found in.
    folded = {fold(p, view).text.strip() for p in ours for view in (READ, JOINED, CAMEL, LOOK)}
    phrases = sorted(folded - {""}, key=len, reverse=True)
    if not phrases:
        return re.compile(r"(?!)")
    return re.compile("|".join(re.escape(p) for p in phrases))


def _merged(spans: list[tuple[int, int, Redaction]]) -> list[tuple[int, int, Redaction]]:
    """Spans from several views, in order, overlapping ones made one."""
    merged: list[tuple[int, int, Redaction]] = []
    for start, end, entry in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            first, last, kept = merged[-1]
            merged[-1] = (first, max(last, end), kept)
        else:
            merged.append((start, end, entry))
    return merged


def _dedupe(leaks: list[Leak]) -> list[Leak]:
    seen: set[tuple[str, str]] = set()
    result = []
    for leak in leaks:
        key = (leak.where, leak.context)
        if key not in seen:
            seen.add(key)
            result.append(leak)
    return result
