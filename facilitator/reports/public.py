"""What of the team's notes and episodes a public (``--final``) report may show.

A note's private part (a ``>>`` or ``?`` line, see :func:`facilitator.capture.split_private`)
never reaches it. An episode created by ``#new`` in a private line is real, and accounts
may be linked to it, but its title was written in private: the public report calls it
"Untitled episode" until the team gives it a title of its own
(``facilitator episode rename E3 TITLE`` or in the app).

The same rule holds for every other text a user wrote that a public report draws on: the
team's own fields (an episode's description and judgement, a pattern's title, description
and reasons, a recommendation and who should act on it, the review's title and
questions, a participant's role, agency and pseudonym) and the text of imported records.
A line there that starts with ``>>`` or
``?`` (after any tags), or a ``>>`` after a space, begins private material, as it does in
a note: the team's fields stop there (:func:`public_text`); an imported record, which is
the agency's and not the team's, loses only those lines (:func:`public_lines`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from facilitator.analysis.episodes import canonical_ids
from facilitator.capture import (
    PRIVATE_KINDS,
    discrepancy_words,
    episode_refs,
    parse,
    private_episode_titles,
    public_links,
    split_account,
    split_private,
    untagged,
)
from facilitator.method import Method
from facilitator.model import Document, Episode, Note, Participant, Review
from facilitator.reports.normalise import fold_text

UNTITLED = "Untitled episode"


# The id of the team's observation a "!" line of a note makes: the note's, marked.
TEAM_LINE = "!team"


def public_notes(notes: Iterable[Note], method: Method) -> list[Note]:
    """Each note cut to its public part; notes with none left out, and notes with no
    words left once their tags are taken out: an empty account says nothing but that the
    team wrote something there.

    A ``!`` line (:func:`facilitator.capture.split_account`) is the team's observation that
    accounts or records differ, never the participant's account: a note whose first words
    are one is read as a ``!`` note; one that holds an account first is that account, and
    its ``!`` words follow it as the team's observation, a note of their own (its id the
    note's with :data:`TEAM_LINE` after it), linked as the note is, as a ``!`` note is
    shown."""
    kept = []
    for note in notes:
        account, team = split_account(note.text or "", note.kind, method)
        if not team:
            if _has_words(account, method):
                kept.append(note)
            continue
        if note.kind in PRIVATE_KINDS:  # a reflection or follow-up: the team's, private
            continue
        if note.kind == "discrepancy":  # a "!" note: the team's whole, cut at its private
            account, team = split_private(note.text or "", note.kind, method)
            observed = ""
        else:  # the account holds no private words: they can only be in the team's part
            observed = discrepancy_words(team, method)
        if _has_words(account, method):
            cut = replace(note, text=account)
            kept.append(_without_private_tags(cut, team, method))
            if observed:
                kept.append(
                    replace(note, id=note.id + TEAM_LINE, kind="discrepancy", text=observed,
                            factors=(), directions=(), prompts=(), contradicts=())
                )  # fmt: skip
        elif observed:  # "#1 ! differs": a "!" note typed after its tags
            kept.append(replace(note, kind="discrepancy", text=observed))
    return kept


def _has_words(text: str, method: Method) -> bool:
    """Whether a note's text says anything once its tags are taken out."""
    if "#" not in text and "@" not in text:
        return any(c.isalnum() for c in text)
    # Words outside anything tag-like settle it at once; only a note of tags alone needs
    # each tag read (an unknown "@word" stays in the text as words).
    return any(
        word[:1] not in "#@" and any(c.isalnum() for c in word) for word in text.split()
    ) or any(c.isalnum() for c in untagged(text, method))


def _without_private_tags(note: Note, team: str, method: Method) -> Note:
    """A note cut to its account, without the factors, directions and prompts that only
    the team's words tagged (a note saved before capture read tags from the account alone
    still carries links from its ``>>`` or ``!`` words)."""
    theirs, ours = parse(note.text, method), parse(team, method)
    factors = set(ours.factors) - set(theirs.factors)
    prompts = set(ours.prompts) - set(theirs.prompts)
    if not factors and not prompts:
        return note
    return replace(
        note,
        factors=tuple(f for f in note.factors if f not in factors),
        directions=tuple(d for d in note.directions if d[:-1] not in factors),
        prompts=tuple(p for p in note.prompts if p not in prompts),
    )


def public_text(text: str | None, method: Method, *, merged: bool = False) -> str:
    """A text the team wrote, up to its first private line or ``>>`` (``merged``: see
    :func:`facilitator.capture.split_private`)."""
    return split_private(text, "observation", method, merged=merged)[0] if text else ""


def public_lines(text: str | None, method: Method, *, merged: bool = False) -> str:
    """An imported record's text without its private lines: each line is read on its own
    (a record holds many entries, and a ``?`` line in one is not the end of the record)."""
    if not text or (">>" not in text and "?" not in text and text.isascii()):
        return text or ""
    kept = [_record_line(line, method, merged=merged) for line in text.splitlines()]
    return "\n".join(
        line for line, full in zip(kept, text.splitlines(), strict=True) if line or not full.strip()
    )


_PERSON_FIELDS = ("role", "agency", "pseudonym")


def public_participants(people: Iterable[Participant], method: Method) -> list[Participant]:
    """Each participant with their role, agency and pseudonym cut to the public part: a
    role is what their name becomes in a public report, so a ">>" in it would be printed
    wherever they are named."""
    return [public_fields(p, _PERSON_FIELDS, method) for p in people]  # type: ignore[misc]


def private_details(people: Iterable[Participant], method: Method) -> list[str]:
    """What must change before a public report can be made: a role with nothing public
    (all of it a ">>" or "?" line), which would replace the person's name by nothing."""
    return [
        f"{p.label}'s role {p.role!r} is all private (a >> or ? line): give a role the "
        f"report can show with 'facilitator participant edit {p.label} --role ...'"
        for p in people
        if (p.role or "").strip() and not public_text(p.role, method).strip()
    ]


def _record_line(line: str, method: Method, *, merged: bool = False) -> str:
    """A record's line without its private part. A line whose words after its date are
    private ("2 June 2024: ? ask about the mother") is private whole, as the chronology
    entry made of it is: the date alone says nothing, and what follows is the team's."""
    public = public_text(line, method, merged=merged)
    # A private marker holds "?" or ">", or is a non-ASCII form of one ("？", "»" ...).
    if public and ("?" in line or ">" in line or not line.isascii()):
        from facilitator.importers.chronology import dated_text

        rest = dated_text(line)
        if rest is not None:
            account, private = split_private(rest, "observation", method)
            if private and not account.strip():
                return ""
    return public


def public_review(review: Review, method: Method) -> Review:
    return replace(
        review,
        title=public_text(review.title, method),
        questions=tuple(q for q in (public_text(q, method) for q in review.questions) if q),
    )


def public_documents(documents: Iterable[Document], method: Method) -> list[Document]:
    return [
        replace(
            d,
            title=public_text(d.title, method),
            agency=public_text(d.agency, method) if d.agency else d.agency,
            text=public_lines(d.text, method),
        )
        for d in documents
    ]


def public_records(rows: Iterable[dict], method: Method) -> list[dict]:
    """Chronology entries (imported record lines, continuation lines merged in) with their
    private lines taken out; an entry with nothing public left is left out. An entry
    imported before the fifth session had its lines joined by spaces, a private line's
    marker then standing mid-line ("Visit made ? ask the GP"): whatever the version, a
    private marker after a space ends the public part of its line there."""
    kept = []
    for row in rows:
        text = public_lines(row.get("text"), method, merged=True)
        if text.strip() or not (row.get("text") or "").strip():
            kept.append({**row, "text": text})
    return kept


_TEAM_FIELDS = ("description", "team_good", "team_problematic", "team_significance",
                "team_information")  # fmt: skip


def public_fields(item: object, fields: Iterable[str], method: Method) -> object:
    """``item`` (a frozen dataclass) with each of ``fields`` cut to its public part."""
    changes = {}
    for name in fields:
        value = getattr(item, name)
        if value:
            public = public_text(value, method)
            if public != value:
                changes[name] = public
    return replace(item, **changes) if changes else item  # type: ignore[type-var]


def public_episodes(
    episodes: list[Episode], notes: Iterable[Note], method: Method
) -> list[Episode]:
    """The episodes, any whose title was typed in a private line titled :data:`UNTITLED`
    and dated only by the period its date was read as ("June 2024"): the words around a
    date ("week the worker was drunk, June 2024") were written in private too. A title
    that holds a private marker (saved before the grammar cut titles there) keeps only
    its public part."""
    private = {
        " ".join(fold_text(title).split())
        for note in notes
        if "#" in (note.text or "")
        for title in private_episode_titles(note.text or "", note.kind, method)
    }
    kept = []
    for episode in episodes:
        episode = public_fields(episode, _TEAM_FIELDS, method)  # type: ignore[assignment]
        title = episode.title or ""
        if private and " ".join(fold_text(title).split()) in private:
            episode = replace(episode, title=UNTITLED, date_text=_period(episode))
        else:
            public, hidden = split_private(title, "observation", method)
            if hidden:
                episode = replace(episode, title=public or UNTITLED, date_text=_period(episode))
        kept.append(episode)
    return kept


def team_only_episodes(
    episodes: list[Episode],
    notes: Iterable[Note],
    counted: Callable[[Note], bool],
    taken_up: Iterable[str],
    method: Method,
    deleted: Callable[[], Iterable[Note]] = tuple,
) -> set[str]:
    """Live episodes that nothing public links to: every note that names one is a private
    line or a note ``counted`` leaves out (the team's working notes), and the team has not
    taken it up since: no public link from a note that counts, no judgement or
    description of the team's, no title of its own (renamed), and nothing in
    ``taken_up`` (episodes an accepted record, a pattern or a recommendation is on).
    An episode no note names (made on the board) is the team's analysis: never left out,
    but for one whose title was typed in a private line of a note since deleted
    (``deleted()`` gives those notes; read only when some episode no live note names).
    Merged duplicates count for the episode they joined."""
    notes = list(notes)
    mapping = canonical_ids(episodes)
    labels = {e.id: (e.label, e.title) for e in episodes}
    public = {mapping.get(e, e) for e in taken_up}
    named: set[str] = set()
    titles: set[str] = set()  # as typed in the notes that do not count
    for note in notes:
        if not note.episodes:
            continue
        named.update(mapping.get(e, e) for e in note.episodes)
        if counted(note):
            public.update(mapping.get(e, e) for e in public_links(note, labels, method))
            titles.update(episode_refs(split_private(note.text or "", note.kind, method)[1],
                                       method)[1])  # fmt: skip
        else:
            titles.update(episode_refs(note.text or "", method)[1])
    if set(mapping.values()) - named:
        for note in deleted():  # a private line deleted: its episode is still the team's
            typed = episode_refs(split_private(note.text or "", note.kind, method)[1], method)[1]
            if typed and note.episodes:
                named.update(mapping.get(e, e) for e in note.episodes)
                titles |= typed
    unnamed = set(mapping.values()) - named
    if unnamed:
        # A "#new" in a private line makes its episode without linking the note (its tags
        # are the team's): the episode is the team's, found by the title typed there.
        by_title: dict[str, set[str]] = {}  # an unnamed episode's title -> its live ids
        for episode in episodes:
            live = mapping.get(episode.id, episode.id)
            if live in unnamed:
                by_title.setdefault(" ".join(episode.title.casefold().split()), set()).add(live)
        for note in notes:
            text = note.text or ""
            if text.isascii() and ">" not in text and "?" not in text:
                continue  # no private line can be in it
            typed = episode_refs(split_private(text, note.kind, method)[1], method)[1]
            found = set().union(*(by_title.get(title, set()) for title in typed))
            if found:
                named |= found
                titles |= typed
    for episode in episodes:
        live = mapping.get(episode.id, episode.id)
        if live not in named or live in public:
            continue
        if any(public_text(getattr(episode, name), method).strip() for name in _TEAM_FIELDS):
            public.add(live)
        elif live == episode.id and " ".join(episode.title.casefold().split()) not in titles:
            public.add(live)  # renamed by the team: a title of its own
    return named - public


def _period(episode: Episode) -> str | None:
    """The period an episode's date was read as, in our words: "3 June 2024", "June
    2024", "2024" or "June 2024 to July 2024"; None if it was not read. A period other than
    a day is said by its months: "early July" was read as 1 to 10 July, and "1 July 2024
    to 10 July 2024" would claim a precision nobody typed."""
    try:
        start = date.fromisoformat(episode.date_start or "")
        end = date.fromisoformat(episode.date_end or episode.date_start or "")
    except ValueError:
        return None
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"
