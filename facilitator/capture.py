"""The note line grammar, one parser for the TUI and ``facilitator note add``.

    "She said the house was calm    -> quote
    ? ask the GP about the letter   -> follow-up
    ! differs from the health visitor's account
    >> we wonder whether ...        -> the team's own reflection
    + / ~                           -> went well / idea for change
    @family @res                    -> contributory factor areas (unique prefix)
    @lr-opt                         -> a local-rationality prompt (unique prefix)
    #3 #E3                          -> link to key practice episode 3
    #new Home visit (12 March 2024) -> create an episode, linked to this note

Nothing typed is ever dropped: an unknown tag stays in the text and is reported as a
problem on the parsed note, so the note is saved and the problem can be fixed later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from facilitator.dates import DateProblem, LenientDate, parse_period
from facilitator.method import Method

_TAG = re.compile(r"(?<![\w@])@([A-Za-z][\w-]*)")
_REF = re.compile(r"(?<![\w#&])#(?:[Ee])?(\d+)\b")
_NEW = re.compile(r"(?<![\w#])#new\b[ \t]*(?P<body>[^#@\n]*)", re.IGNORECASE)
_OTHER_HASH = re.compile(r"(?<![\w#&])#([A-Za-z][\w-]*)")
_TRAILING_DATE = re.compile(r"^(?P<title>.*?)\s*\((?P<date>[^()]*)\)\s*$")


@dataclass(frozen=True)
class NewEpisode:
    title: str
    date: LenientDate | None
    date_text: str | None


@dataclass
class ParsedNote:
    kind: str
    text: str
    factors: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    episode_numbers: list[int] = field(default_factory=list)
    new_episodes: list[NewEpisode] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def kind_of(line: str, method: Method) -> tuple[str, str]:
    """(kind, text without the kind prefix). The longest matching prefix wins."""
    stripped = line.lstrip()
    for kind in sorted(method.note_kinds, key=lambda k: -len(k.prefix)):
        if kind.prefix and stripped.startswith(kind.prefix):
            text = stripped[len(kind.prefix) :].strip()
            if kind.key == "quote" and text.endswith('"'):
                text = text[:-1].rstrip()  # a closing quote mark is not part of the words
            return kind.key, text
    return "observation", stripped.strip()


def tag_vocabulary(method: Method) -> list[str]:
    return [area.key for area in method.factor_areas] + [p.key for p in method.local_rationality]


def complete_tag(fragment: str, method: Method) -> list[str]:
    """Keys that a partly typed ``@fragment`` could become, for completion as you type."""
    fragment = fragment.lower()
    return [key for key in tag_vocabulary(method) if key.startswith(fragment)]


def resolve_tag(word: str, method: Method) -> tuple[str | None, str | None]:
    """(key, problem) for one @word: an exact key, or a unique prefix of one."""
    word = word.lower()
    vocabulary = tag_vocabulary(method)
    if word in vocabulary:
        return word, None
    matches = [key for key in vocabulary if key.startswith(word)]
    if len(matches) == 1:
        return matches[0], None
    if matches:
        return None, f"@{word} could be {', '.join('@' + m for m in matches)}: type more of it"
    return None, f"@{word} is not a factor area or prompt (see F1 for the list)"


def parse(line: str, method: Method) -> ParsedNote:
    kind, text = kind_of(line, method)
    note = ParsedNote(kind=kind, text=text)
    lr_keys = {p.key for p in method.local_rationality}
    for match in _TAG.finditer(text):
        key, problem = resolve_tag(match.group(1), method)
        if problem:
            note.problems.append(problem)
        elif key in lr_keys:
            if key not in note.prompts:
                note.prompts.append(key)
        elif key not in note.factors:
            note.factors.append(key)
    without_new = text
    for match in _NEW.finditer(text):
        body = match.group("body").strip()
        without_new = without_new.replace(match.group(0), " ")
        episode = _new_episode(body, note.problems)
        if episode:
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


def _new_episode(body: str, problems: list[str]) -> NewEpisode | None:
    if not body:
        problems.append("#new needs a title, e.g. '#new Home visit (12 March 2024)'")
        return None
    match = _TRAILING_DATE.match(body)
    if not match:
        return NewEpisode(title=body, date=None, date_text=None)
    title, date_text = match.group("title").strip(), match.group("date").strip()
    if not title:
        problems.append("#new needs a title before the date")
        return None
    try:
        return NewEpisode(title=title, date=parse_period(date_text), date_text=date_text)
    except DateProblem as exc:
        problems.append(f"episode '{title}': {exc}; saved without a date")
        return NewEpisode(title=title, date=None, date_text=date_text)
