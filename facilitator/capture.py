"""The note line grammar, one parser for the TUI and ``facilitator note add``.

    "She said the house was calm    -> quote
    ? ask the GP about the letter   -> follow-up
    ! differs from the health visitor's account
    >> we wonder whether ...        -> the team's own reflection
    + / ~                           -> went well / idea for change
    @family @res                    -> contributory factor areas (unique prefix)
    @resources+ @cond-              -> a factor that helped (+) or hindered (-) practice
    @lr-opt                         -> a local-rationality prompt (unique prefix)
    #3 #E3                          -> link to key practice episode 3
    #new Home visit (12 March 2024) -> create an episode, linked to this note

``#new``: the title runs to the first parenthesis in the line that holds a date, and
anything after the closing bracket stays in the note: "#new Dr. Khan's visit: follow-up
(May 2024)" names "Dr. Khan's visit: follow-up", dated May 2024 (tags in the title are
read as tags and left out of it). Without a date, the title ends at the first colon,
semicolon, full stop (or ! ?) that does not end an abbreviation such as "Dr." or an
initial, spaced dash, tag or line end: "#new Strategy meeting: nobody from health came"
names the episode "Strategy meeting". A parenthesis that looks like a date but cannot be
read is reported as a problem: a date is never dropped silently.

Nothing typed is ever dropped: an unknown tag stays in the text and is reported as a
problem on the parsed note, so the note is saved and the problem can be fixed later.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from facilitator.dates import DateProblem, LenientDate, implausible, parse_period
from facilitator.method import Method

if TYPE_CHECKING:
    from facilitator.model import Note

# A tag's word may end in "+" (the factor helped) or "-" (it hindered): see split_direction.
# A run of signs ("@fam+-", "@family++") is matched whole, so no stray sign stays in the
# text unseen: parse says what is wrong with it.
_TAG = re.compile(r"(?<![\w@])@([A-Za-z][\w-]*[+-]*)")
DIRECTION_WORDS = {"+": "helped", "-": "hindered"}
_REF = re.compile(r"(?<![\w#&])#(?:[Ee])?(\d+)\b")
REF = _REF  # ``#N`` (or ``#EN``) naming an episode by its number
_NEW = re.compile(r"(?<![\w#])#new\b[ \t]*", re.IGNORECASE)
_OTHER_HASH = re.compile(r"(?<![\w#&])#([A-Za-z][\w-]*)")
# Where a #new title without a date ends: ":" ";" ". " "! " "? " or a dash between spaces.
_TITLE_BREAK = re.compile(r"\s*(?:[:;]|[.!?](?=\s|$)|\s[-–—](?=\s)|(?<![\w@])@|(?<![\w#&])#)")
_PARENTHESIS = re.compile(r"\(([^()\n]*)\)")
_TITLE_TAGS = re.compile(r"(?<![\w@])@[A-Za-z][\w-]*|(?<![\w#&])#(?:[Ee])?\d+\b")
# Words a full stop follows without ending the title (compared without their dots).
_ABBREVIATIONS = frozenset(
    """dr mr mrs ms mx prof rev revd st sr jr cllr sgt insp pc dc ds di no nos approx dept
    eg ie etc vs cf jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri
    sat sun wc""".split()  # noqa: SIM905 - a list of words reads best as words
)


@dataclass(frozen=True)
class NewEpisode:
    title: str
    date: LenientDate | None
    date_text: str | None
    private: bool = False  # typed in the team's private words: made, but not linked


@dataclass
class ParsedNote:
    kind: str
    text: str
    factors: list[str] = field(default_factory=list)
    # factor key -> "+" (helped good practice) or "-" (hindered it), where the line says
    directions: dict[str, str] = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    episode_numbers: list[int] = field(default_factory=list)
    new_episodes: list[NewEpisode] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# A closing quote mark at the end, or just before the tags that end the line.
_CLOSING_QUOTE = re.compile(r"\s*[\"”]((?:\s+[#@]\S+)*)\s*$")


def _keep_tags(match: re.Match[str]) -> str:
    tags = match.group(1).split()
    return " " + " ".join(tags) if tags else ""


def kind_of(line: str, method: Method) -> tuple[str, str]:
    """(kind, text without the kind prefix). The longest matching prefix wins."""
    stripped = line.lstrip()
    for kind in sorted(method.note_kinds, key=lambda k: -len(k.prefix)):
        if kind.prefix and stripped.startswith(kind.prefix):
            text = stripped[len(kind.prefix) :].strip()
            if kind.key == "quote":  # a closing quote mark is not part of the words,
                text = _CLOSING_QUOTE.sub(_keep_tags, text)  # even with tags after it
            return kind.key, text
    return "observation", stripped.strip()


# Characters that show nothing but are not spaces to str.isspace (Hangul fillers, the
# combining grapheme joiner); format characters (Cf: zero-width space, soft hyphen, word
# joiner, BOM ...) are found by category.
_BLANK_MARKS = frozenset("\u034f\u115f\u1160\u3164\uffa0")


def blank(text: str) -> bool:
    """Whether a typed note shows nothing: empty, spaces, or only invisible characters (a
    zero-width space alone is an empty note, refused as one)."""
    return all(
        c.isspace() or c in _BLANK_MARKS or unicodedata.category(c) in ("Cf", "Cc") for c in text
    )


# The team's own material: never in a public report, whichever line of a note holds it.
PRIVATE_KINDS = ("reflection", "followup")


def _line_start(line: str) -> str:
    """The start of a line as the grammar reads it, whatever way it was typed: no
    invisible characters or indent, compatibility forms folded ("＞＞" is ">>", "？" is
    "?"), and a guillemet that a keyboard made of ">>" read as ">>"."""
    start = 0
    while start < len(line) and (
        line[start].isspace() or unicodedata.category(line[start]) == "Cf"
    ):
        start += 1
    head = unicodedata.normalize("NFKC", line[start : start + 4])
    head = "".join(c for c in head if unicodedata.category(c) != "Cf").lstrip()
    head += line[start + 4 :]
    return ">>" + head[1:] if head.startswith("»") else head


# The prefixes of some note kinds in a method, worked out once per method (the last one
# asked for: one method is in use at a time): (method, kinds) -> prefixes.
_PREFIXES: dict[tuple[str, ...], tuple[Method, tuple[str, ...]]] = {}


def _prefixes_of(method: Method, kinds: tuple[str, ...]) -> tuple[str, ...]:
    held = _PREFIXES.get(kinds)
    if held is not None and held[0] is method:
        return held[1]
    found = tuple(k.prefix for k in method.note_kinds if k.key in kinds and k.prefix)
    _PREFIXES[kinds] = (method, found)
    return found


def _private_prefixes(method: Method) -> tuple[str, ...]:
    """The prefixes of the private kinds in ``method`` (">>", "?")."""
    return _prefixes_of(method, PRIVATE_KINDS)


# Every line break a reader sees (str.splitlines' set): a lone CR, a form feed or U+2028
# starts a new line as surely as "\n" does, so a ">>" after one is a private line.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# What may stand before a private marker on its line without making it public: tags
# ("#3 >> we wonder", "@role- ? ask the GP") and the marks of the other kinds.
_LEADING_TAG = re.compile(r"(?:#(?:[Ee])?\d+\b|@[A-Za-z][\w-]*[+-]?|[!+~\"“])")
# ">>" anywhere in a line (in a "#new" title too), even against a word ("text(>>"),
# begins the team's own words: the reading that leaks nothing. It is read as a reader sees
# it: either ">" may be a compatibility form ("＞", "﹥"), invisible characters between
# them (zero-width space, soft hyphen, word joiner ...) are not seen, and a guillemet is
# what a keyboard may make of ">>" (as at a line's start, see _line_start).
_ANGLE = "[>\uff1e\ufe65]"
_UNSEEN = (
    "[\u00ad\u034f\u061c\u115f\u1160\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufe00-\ufe0f\ufeff]"
)
_MID_LINE = re.compile(f"{_ANGLE}{_UNSEEN}*{_ANGLE}|\u00bb")


def _maybe_mid_line(line: str) -> bool:
    """Whether a line holds a character that may begin a mid-line marker: the quick test
    that spares most lines the regular expression."""
    return ">" in line or "\u00bb" in line or "\uff1e" in line or "\ufe65" in line


def _private_line(line: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a line starts private material: a private prefix at its start, or after
    any tags and kind marks ("#3 >> ...", "@role ? ...")."""
    while True:
        head = _line_start(line)
        if head.startswith(prefixes):
            return True
        tag = _LEADING_TAG.match(head)
        if not tag:
            return False
        line = head[tag.end() :]


@functools.cache
def _merged_line(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """A private prefix after a space, with any tags or kind marks before it (see
    :func:`split_private`'s ``merged``); full-width forms and "»" too, as at a line start.
    At most eight tags: a long run of tags is then read once, not from each tag on."""
    forms = set(prefixes) | {unicodedata.normalize("NFKC", p) for p in prefixes}
    forms |= {p.translate(_FULL_WIDTH) for p in forms}
    if ">>" in forms:
        forms.add("»")
    body = "|".join(re.escape(p) for p in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\S)(?:{_LEADING_TAG.pattern}\s*){{0,8}}(?:{body})")


_FULL_WIDTH = str.maketrans({">": "\uff1e", "?": "\uff1f"})


def split_private(text: str, kind: str, method: Method, *, merged: bool = False) -> tuple[str, str]:
    """(public, private) parts of a note. A note of a private kind (``>>`` reflection,
    ``?`` follow-up) is private whole. In any other note a line that starts with ``>>``
    or ``?``, after any tags ("#3 >> we wonder"), begins private material, as does a
    ``>>`` anywhere in a line, even against a word; everything from there to the end of the
    note stays private: a line after it might continue the thought, and a public report
    can do without it, but not take it back. Every Unicode line break counts (a lone CR,
    U+2028, a form feed ...), not only ``\n``. The participants' packs and the public
    report share this rule.

    ``merged``: a text whose lines may have been joined by spaces (a chronology entry
    imported before the fifth session): a private prefix after a space, with any tags
    before it, begins private material there too, as it did on its own line. A "?"
    against a word ("Did she attend?") is the text's own question."""
    if kind in PRIVATE_KINDS:
        return "", text
    return _split(text, _private_prefixes(method), merged=merged)


# The team's kinds that are never a participant's account: the private ones, and the
# team's observation that accounts or records differ ("!"), which the team's own report
# shows (and a public one shows as the team's), but which is never the participant's.
DISCREPANCY = "discrepancy"


def split_account(text: str, kind: str, method: Method) -> tuple[str, str]:
    """(account, the team's) parts of a note: as :func:`split_private`, but a line that
    starts with ``!`` (after any tags or invisible characters: "#1 ! differs", a second
    line "! differs") also begins the team's words, their discrepancy: what a pack or a
    public report gives as the participant's account stops there. A ``!`` note is the
    team's whole."""
    if kind in PRIVATE_KINDS or kind == DISCREPANCY:
        return "", text
    return _split(text, _private_prefixes(method) + _discrepancy_prefix(method))


def _discrepancy_prefix(method: Method) -> tuple[str, ...]:
    """The prefix of the discrepancy kind in ``method`` ("!")."""
    return _prefixes_of(method, (DISCREPANCY,))


def discrepancy_words(team: str, method: Method) -> str:
    """The words of the team's part (from :func:`split_account`) that begin with a ``!``
    line, up to any private line or ``>>``: the tags, invisible characters and the ``!``
    before them taken off. "" if that part begins with private material instead."""
    prefixes = _discrepancy_prefix(method)
    line = team
    while prefixes:
        head = _line_start(line)
        if head.startswith(prefixes):
            rest = head[len(next(p for p in prefixes if head.startswith(p))) :]
            return split_private(rest, "observation", method)[0].strip()
        tag = _LEADING_TAG.match(head)
        if not tag or head.startswith(_private_prefixes(method)):
            break
        line = head[tag.end() :]
    return ""


def _split(text: str, prefixes: tuple[str, ...], *, merged: bool = False) -> tuple[str, str]:
    start = 0
    ends = list(_LINE_BREAK.finditer(text))
    for number in range(len(ends) + 1):
        end = ends[number].start() if number < len(ends) else len(text)
        line = text[start:end]
        head = line.lstrip()[:1]
        # Most lines start with a letter: only the first character of a private prefix,
        # a tag or kind mark, or one that folds to them (full-width, invisible ...), needs
        # the full look (20,000 notes: 0.6 s to 0.05 s).
        maybe = head and (
            not head.isascii() or head in '#@!+~"' or any(p.startswith(head) for p in prefixes)
        )
        if maybe and _private_line(line, prefixes):
            return text[:start].rstrip(), text[start:]
        middle = _MID_LINE.search(line) if _maybe_mid_line(line) else None
        cut = middle.start() if middle else None
        if merged:
            joined = _merged_line(prefixes).search(line)
            if joined and (cut is None or joined.start() < cut):
                cut = joined.start()
        if cut is not None:
            return text[: start + cut].rstrip(), text[start + cut :]
        if number < len(ends):
            start = ends[number].end()
    return text, ""


def private_episode_titles(text: str, kind: str, method: Method) -> list[str]:
    """Titles of the episodes a note's private part created with ``#new``."""
    _, private = split_private(text, kind, method)
    if not private:
        return []
    titles = []
    for line in _LINE_BREAK.split(private):
        _, rest = kind_of(_line_start(line), method)
        titles += [episode.title for episode in parse(rest, method).new_episodes]
    return titles


def episode_refs(part: str, method: Method) -> tuple[set[int], set[str]]:
    """The ``#N`` numbers and ``#new`` titles (casefolded, spaces collapsed) written in one
    part of a note (its public or its private part), each line read on its own."""
    numbers: set[int] = set()
    titles: set[str] = set()
    if "#" not in part:
        return numbers, titles
    for line in _LINE_BREAK.split(part):
        if "#" not in line:
            continue
        _, rest = kind_of(_line_start(line), method)
        parsed = parse(rest, method)
        numbers.update(parsed.episode_numbers)
        titles.update(" ".join(new.title.casefold().split()) for new in parsed.new_episodes)
    return numbers, titles


def public_links(
    note: Note, labels: Mapping[str, tuple[str, str]], method: Method
) -> tuple[str, ...]:
    """The episodes ``note`` is linked to by its public part (``labels``: each episode's
    (label, title)). A link made in a private line (``>> #new Hunch``, ``>> see #4``) is
    the team's: a public output (a report, a pack, the recap read back to the participant)
    does not list the note's public words under it.

    The note's ``#N`` are read as the episodes it is linked to now (a sync may have
    renumbered them, :func:`current_refs`), and a ``#new`` by its title.
    A link neither part names (an episode renamed since, or linked by the team on the
    board) goes with the part that names an episode no link answers: the private part
    when only it does, else the public part."""
    if not note.episodes:
        return ()
    public, private = split_private(note.text or "", note.kind, method)
    if not private:
        return note.episodes
    if not public.strip():
        return ()
    text = current_refs(note.text or "", [labels[e] for e in note.episodes if e in labels], method)
    public, private = split_private(text, note.kind, method)
    said = episode_refs(public, method), episode_refs(private, method)
    answered: list[set] = [set(), set()]
    sides: dict[str, int | None] = {}
    for episode in note.episodes:
        label, title = labels.get(episode, ("", ""))
        keys = {" ".join(title.casefold().split())}
        number = int(label[1:]) if label[1:].isdigit() else None
        side = None
        for index, (numbers, titles) in enumerate(said):
            if number in numbers or keys & titles:
                side = index
                answered[index] |= ({number} & numbers) | (keys & titles)
                break
        sides[episode] = side
    unanswered = [
        bool((numbers | titles) - answered[i]) for i, (numbers, titles) in enumerate(said)
    ]
    unmatched = 1 if unanswered[1] and not unanswered[0] else 0
    return tuple(
        episode
        for episode in note.episodes
        if (sides[episode] if sides[episode] is not None else unmatched) == 0
    )


def tag_vocabulary(method: Method) -> list[str]:
    return [area.key for area in method.factor_areas] + [p.key for p in method.local_rationality]


def complete_tag(fragment: str, method: Method) -> list[str]:
    """Keys that a partly typed ``@fragment`` could become, for completion as you type."""
    fragment = fragment.lower()
    return [key for key in tag_vocabulary(method) if key.startswith(fragment)]


def split_direction(word: str) -> tuple[str, str]:
    """(word, signs) for a tag's word as matched: ``resources+`` -> ("resources", "+"),
    ``cond-`` -> ("cond", "-"). Every trailing sign is taken off, so ``fam+-`` gives
    ("fam", "+-"): the caller judges a run of more than one (see :func:`direction_of`)."""
    base = word.rstrip("+-")
    if base and base != word:
        return base, word[len(base) :]
    return word, ""


def direction_of(signs: str) -> str:
    """The one direction a run of signs says ("+" for "+" or "++"), or "" for none or
    for both ("+-")."""
    return signs[0] if signs and len(set(signs)) == 1 else ""


def _mixed(key: str) -> str:
    return f"@{key}: both helped and hindered: say which, or split the note"


def resolve_tag(word: str, method: Method) -> tuple[str | None, str | None]:
    """(key, problem) for one @word: an exact key, or a unique prefix of one. A "+" or
    "-" at the end (a factor's direction) is not part of the key."""
    word = word.lower()
    if word not in tag_vocabulary(method):
        word = split_direction(word)[0]
    vocabulary = tag_vocabulary(method)
    if word in vocabulary:
        return word, None
    matches = [key for key in vocabulary if key.startswith(word)]
    if len(matches) == 1:
        return matches[0], None
    if matches:
        return None, f"@{word} could be {', '.join('@' + m for m in matches)}: type more of it"
    return None, f"@{word} is not a factor area or prompt"


def parse(line: str, method: Method) -> ParsedNote:
    kind, text = kind_of(line, method)
    note = ParsedNote(kind=kind, text=text)
    public, private = split_account(text, kind, method)
    # Tags and references in the team's words (after ">>", "?" or a "!" line) are the
    # team's thinking, not the participant's account: only the account's own link the
    # note. A note that is the team's from its first line is the team's whole, and keeps
    # its tags.
    scanned = public if public and private else text
    lr_keys = {p.key for p in method.local_rationality}
    mixed: dict[str, None] = {}  # in the order typed
    for match in _TAG.finditer(scanned):
        key, problem = resolve_tag(match.group(1), method)
        sign = "" if key == match.group(1).lower() else split_direction(match.group(1))[1]
        if problem:
            note.problems.append(problem)
        elif key in lr_keys:
            if sign:
                note.problems.append(
                    f"@{match.group(1)}: only a factor area has a direction (+ helped, "
                    "- hindered), not a prompt"
                )
            if key not in note.prompts:
                note.prompts.append(key)
        else:
            if key not in note.factors:
                note.factors.append(key)
            way = direction_of(sign)
            if len(sign) > 1 and way:
                note.problems.append(
                    f"@{match.group(1)}: one sign is enough (+ helped, - hindered); "
                    f"read as {DIRECTION_WORDS[way]}"
                )
            if (sign and not way) or (way and note.directions.get(key, way) != way):
                # Said to help and to hinder: neither is taken, and the note-taker is told.
                mixed[key] = None
            elif way:
                note.directions[key] = way
    for key in mixed:
        note.directions.pop(key, None)
        note.problems.append(_mixed(key))
    without_new = _NEW.sub(" ", scanned)
    starts = list(_NEW.finditer(text))
    for index, match in enumerate(starts):
        # Each #new reads up to the next #new or the end of its line.
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = _LINE_BREAK.split(text[match.end() : end], maxsplit=1)[0]
        # The team's own words after ">>" are no part of the title (nor its date).
        body = _MID_LINE.split(" " + body, maxsplit=1)[0].strip()
        episode = _new_episode(body, note.problems)
        if episode:
            if scanned is not text and match.start() >= len(public):
                episode = replace(episode, private=True)
            note.new_episodes.append(episode)
    for match in _REF.finditer(without_new):
        number = int(match.group(1))
        if number not in note.episode_numbers:
            note.episode_numbers.append(number)
    for match in _OTHER_HASH.finditer(without_new):
        word = match.group(1)
        if not re.fullmatch(r"[Ee]\d+", word):
            note.problems.append(f"#{word} is not an episode reference (use #3, #E3 or #new)")
    return note


_UNKNOWN_EPISODE = re.compile(r"^#(\d+): there is no episode E\d+")


def unknown_episode(number: int) -> str:
    """The problem recorded for ``#number`` when no episode has that number."""
    return f"#{number}: there is no episode E{number} yet"


def unresolved_numbers(problems: Iterable[str]) -> set[int]:
    """The ``#N`` references in a note that linked nothing (read from its problems), so a
    report keeps them in the text instead of taking them out as links."""
    found = set()
    for problem in problems:
        match = _UNKNOWN_EPISODE.match(problem)
        if match:
            found.add(int(match.group(1)))
    return found


def _title_end(body: str) -> int:
    """Where a title without a date ends (see the module's docstring)."""
    for match in _TITLE_BREAK.finditer(body):
        mark = match.group().strip()
        if mark == ".":
            word = re.search(r"[\w.'’/]*$", body[: match.end() - 1]).group()
            bare = word.replace(".", "").replace("/", "").lower()
            if bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
                continue  # "Dr." or an initial: the title goes on
        return match.start()
    return len(body)


def _title(text: str) -> str:
    """A title as typed, without the tags in it (they are read as tags)."""
    title = " ".join(_TITLE_TAGS.sub(" ", text).split())
    return title.rstrip(" :;,-–—")


def _new_episode(body: str, problems: list[str]) -> NewEpisode | None:
    found = _new_episode_read(body, problems)
    if found is not None and found.date is not None:
        doubt = implausible(found.date)
        if doubt:  # as for a date that cannot be read: the words stay in the note
            problems.append(f"episode '{found.title}': {doubt}; saved without a date")
            found = replace(found, date=None)
    if found is not None and found.date is None:
        # A date typed without brackets is not read; say so rather than leave the
        # episode undated (or the date in its title) without a word.
        outside = _PARENTHESIS.sub(" ", body)
        if _looks_like_a_date(outside):
            problems.append(
                f"episode '{found.title}': a date outside brackets is not read: put it "
                f"in brackets, e.g. '#new {found.title} (3 May 2024)'"
            )
    return found


def _new_episode_read(body: str, problems: list[str]) -> NewEpisode | None:
    if not body:
        problems.append("#new needs a title, e.g. '#new Home visit (12 March 2024)'")
        return None
    # A parenthesis holding a date, anywhere in the line, ends the title and dates it.
    unread: list[tuple[str, DateProblem]] = []
    for match in _PARENTHESIS.finditer(body):
        inside = match.group(1).strip()
        if not inside:
            continue
        try:
            date = parse_period(inside)
        except DateProblem as exc:
            if _looks_like_a_date(inside):
                unread.append((inside, exc))
            continue
        title = _title(body[: match.start()])
        if not title:
            problems.append("#new needs a title before the date")
            return None
        return NewEpisode(title=title, date=date, date_text=inside)
    stop = _title_end(body)
    opening = body.find("(")
    if opening < 0 or opening > stop:
        title = _title(body[:stop])
        if not title:
            problems.append("#new needs a title, e.g. '#new Home visit (12 March 2024)'")
            return None
        for inside, exc in unread:
            problems.append(f"episode '{title}': ({inside}) is not a date ({exc}); no date kept")
        return NewEpisode(title=title, date=None, date_text=None)
    # A parenthesis right after the title was meant as its date.
    title = _title(body[:opening])
    closing = body.find(")", opening)
    date_text = body[opening + 1 : closing if closing >= 0 else len(body)].strip()
    if not title:
        problems.append("#new needs a title before the date")
        return None
    if closing < 0:
        problems.append(f"episode '{title}': the date needs a closing ')'; saved without a date")
        return NewEpisode(title=title, date=None, date_text=None)
    if not date_text:
        return NewEpisode(title=title, date=None, date_text=None)
    try:
        return NewEpisode(title=title, date=parse_period(date_text), date_text=date_text)
    except DateProblem as exc:
        problems.append(f"episode '{title}': {exc}; saved without a date")
        return NewEpisode(title=title, date=None, date_text=date_text)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


def _looks_like_a_date(text: str) -> bool:
    """A year, or a month name (with a number, for "may"): meant as a date, so a
    failure to read it is reported rather than passed over."""
    month = _MONTH.search(text)
    if month and (month.group().lower() != "may" or any(c.isdigit() for c in text)):
        return True
    return bool(_YEAR.search(text) or _NUMERIC_DATE.search(text))


# "3/5/24", "03.05.2024", "3-5-24": a date in figures, three parts.
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])\d{1,2}([/.-])\d{1,2}\1\d{2,4}(?![\d/.-])")


def _span(date: LenientDate) -> str:
    if date.start is None or date.end is None:
        return ""
    if date.start == date.end:
        return f"{date.start.day} {date.start:%B %Y}"
    if (date.start.year, date.start.month) == (date.end.year, date.end.month):
        return f"{date.start.day}–{date.end.day} {date.end:%B %Y}"
    if date.start.year == date.end.year:
        return f"{date.start.day} {date.start:%b}–{date.end.day} {date.end:%b %Y}"
    return f"{date.start.day} {date.start:%b %Y}–{date.end.day} {date.end:%b %Y}"


def preview(line: str, method: Method, episodes: Mapping[int, str] | None = None) -> Preview:
    """How ``line`` will be read when saved, in words, so a misreading is seen while
    typing: kind, new episode (title and the span its date covers), links, factor areas,
    prompts and problems. ``episodes`` maps numbers to titles for ``#3`` (if known)."""
    parsed = parse(line, method)
    try:
        parts = [method.kind(parsed.kind).label]
    except KeyError:
        parts = [parsed.kind]
    problems = list(parsed.problems)
    for episode in parsed.new_episodes:
        if episode.date is not None:
            span = _span(episode.date)
            shown = (
                episode.date.text if span == episode.date.text else f"{episode.date.text}: {span}"
            )
            parts.append(f"new episode “{episode.title}” ({shown})")
        else:
            parts.append(f"new episode “{episode.title}” (no date)")
    for number in parsed.episode_numbers:
        if episodes is None:
            parts.append(f"E{number}")
        elif number in episodes:
            parts.append(f"E{number} {episodes[number]}")
        else:
            problems.append(unknown_episode(number))
    if parsed.factors:
        parts.append(
            "factors: "
            + ", ".join(
                f"{key} ({DIRECTION_WORDS[parsed.directions[key]]})"
                if key in parsed.directions
                else key
                for key in parsed.factors
            )
        )
    if parsed.prompts:
        parts.append("prompts: " + ", ".join(parsed.prompts))
    return Preview(" · ".join(parts), tuple(problems))


@dataclass(frozen=True)
class Preview:
    reading: str
    problems: tuple[str, ...]

    def text(self) -> str:
        """Problems first: the line under the box has room for two lines at 80x24, and a
        misreading is what the note-taker must not miss."""
        if not self.problems:
            return self.reading
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"⚠ {self.problems[0]}{more} · {self.reading}"


def labelled(text: str, method: Method) -> str:
    """A note's text for reading aloud or at a glance: ``#3`` as E3, ``@interagency`` as
    the area's name, ``#new`` dropped before the title. Unknown tags stay as typed."""
    if "@" not in text and "#" not in text:
        return text
    titles = {area.key: area.title for area in method.factor_areas}
    titles.update({prompt.key: prompt.title for prompt in method.local_rationality})

    def tag(match: re.Match[str]) -> str:
        key, _ = resolve_tag(match.group(1), method)
        if not key:
            return match.group(0)
        sign = "" if key == match.group(1).lower() else split_direction(match.group(1))[1]
        shown = titles.get(key, match.group(0))
        way = direction_of(sign)
        return f"{shown} ({DIRECTION_WORDS[way]})" if way and key not in lr_keys else shown

    lr_keys = {prompt.key for prompt in method.local_rationality}
    text = _TAG.sub(tag, text)
    text = re.sub(r"(?<![\w#])#new\b[ \t]*", "", text, flags=re.IGNORECASE)
    return _REF.sub(lambda match: f"E{match.group(1)}", text)


def current_refs(text: str, linked: Sequence[tuple[str, str]], method: Method) -> str:
    """``#N`` in a note's text renumbered to the episodes the note is linked to.

    A note keeps its episodes by id, but its text keeps the number typed: after a sync
    renumbers episodes named on two laptops at once, "#29" may name another episode.
    ``linked`` holds (label, title) of the note's episodes. A ``#N`` naming none of them
    takes the label of a linked episode its text names in no other way (in label order),
    so a label read aloud, or an edit saved, names the episode the note is linked to.
    """
    if "#" not in text or not linked:
        return text
    numbers = {int(label[1:]) for label, _ in linked if label[1:].isdigit()}
    typed = [int(match.group(1)) for match in _REF.finditer(text)]
    if all(number in numbers for number in typed):
        return text
    created = {episode.title.lower() for episode in parse(text, method).new_episodes}
    spare = sorted(
        int(label[1:])
        for label, title in linked
        if label[1:].isdigit() and title.lower() not in created and int(label[1:]) not in typed
    )

    def renumber(match: re.Match[str]) -> str:
        if int(match.group(1)) in numbers or not spare:
            return match.group(0)
        start = match.start(1) - match.start(0)
        return match.group(0)[:start] + str(spare.pop(0))

    return _REF.sub(renumber, text)


def read_back(text: str, method: Method, linked: Iterable[str]) -> str:
    """A note read back by the episodes it is linked to now (``linked``: their labels),
    never the number typed: after a split or a sync renumbering "#1" may be linked to E7.
    Otherwise as :func:`labelled`. Only the account is read back: the team's private words
    after ``>>`` or ``?`` (and their tags), and a ``!`` line, the team's discrepancy, are
    not the participant's to hear."""
    shown = dict.fromkeys(linked)
    text = split_account(text, "", method)[0]
    text = " ".join(labelled(_REF.sub("", text), method).split())
    return f"{text} ({', '.join(shown)})" if shown else text


_NEW_TAG = re.compile(r"(?<![\w#])#new\b[ \t]*", re.IGNORECASE)


def plain_with_tags(text: str, method: Method) -> str:
    """A note's words without its capture tags, then the factor areas it was tagged with
    in words, as a list reads it: "A cap on caseloads at 20 (factor: Resource
    allocation)", never "at 20 Resource allocation" nor the raw "@resources"."""
    words = untagged(text, method)
    parsed = parse(text, method)
    if not parsed.factors:
        return words
    titles = {area.key: area.title for area in method.factor_areas}
    ways = {"+": "helped", "-": "hindered"}
    named = [
        titles.get(key, key)
        + (f", {ways[parsed.directions[key]]}" if parsed.directions.get(key) in ways else "")
        for key in dict.fromkeys(parsed.factors)
    ]
    return f"{words} ({'factors' if len(named) > 1 else 'factor'}: {'; '.join(named)})"


def untagged(text: str, method: Method) -> str:
    """A note's text with the capture tags taken out (known @tags, #3 and #new), for
    quoting it elsewhere; unknown @words stay, so nothing typed vanishes."""
    if "@" not in text and "#" not in text:
        return " ".join(text.split())

    def tag(match: re.Match[str]) -> str:
        key, _ = resolve_tag(match.group(1), method)
        return "" if key else match.group(0)

    text = _REF.sub("", _NEW_TAG.sub("", _TAG.sub(tag, text)))
    return " ".join(text.split())
