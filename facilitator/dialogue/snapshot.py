"""Freezing the analysis as data: what a draft holds, worked out once, stored in the draft's
op and never computed again, so every export of a draft says the same thing.

The analysis is read through the same :class:`~facilitator.reports.content.ReviewData` the
team's reports use (episodes as the board shows them, accounts, accepted chronology,
patterns in priority order), then reduced to plain JSON values. Accounts are attributed by
role and agency, never by name: a draft goes to every participant. For the same reason it
is read as the public (``--final``) report reads the analysis: a note's private part (a
``>>`` or ``?`` line, :func:`facilitator.capture.split_private`) never reaches it, and every
piece of text the team or a participant wrote goes through the review's redaction register
(:class:`facilitator.reports.redaction.Register`), so names become roles or pseudonyms.
That is done here, when the draft is frozen, so the stored draft is what was circulated.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from facilitator.analysis.coverage import factor_tallies_apart
from facilitator.analysis.episodes import judgement_lines
from facilitator.analysis.review_overview import is_account
from facilitator.method import Method
from facilitator.model import Participant
from facilitator.store import Store

SNAPSHOT_FORMAT = 1
# In a participant's own record: their account, not the team's working notes about it.
RECORD_KINDS = ("observation", "quote", "went_well", "idea")
# Accounts a draft labels by their kind, as the reports do.
LABELLED_KINDS = ("went_well", "idea")


def freeze(
    store: Store, method: Method, review: str, kind: str, *, left_out: list[str] | None = None
) -> dict[str, Any]:
    """The analysis of ``review`` as it stands, as JSON-ready data. ``left_out`` (if given)
    gets the labels of the episodes left out as the team's own (named only in private
    lines or working notes), for telling the team, never the draft."""
    from facilitator.analysis.patterns import patterns, recommendations
    from facilitator.reports.content import ReviewData
    from facilitator.reports.content import clean as plain
    from facilitator.reports.public import public_text
    from facilitator.reports.redaction import Register

    register = Register.for_review(store, review, method)

    def clean(text: str | None) -> str:
        return register.apply(plain(text))

    def findings(text: str | None) -> str:
        """A pattern's or recommendation's text the team wrote: the final report's rule,
        cut at its first private line or ``>>`` (the team's private words), then cleaned."""
        return clean(public_text(text, method))

    # final=True: each note cut to its public part, private episode titles untitled.
    data = ReviewData(store, method, review, final=True)
    labels = {e.id: e.label for e in data.episodes}
    if left_out is not None:
        left_out += [e.label for e in store.episodes(review) if e.id in data.team_only]
    merged: dict[str, list[str]] = {}
    for episode_id, live in data.canonical.items():
        if episode_id != live:
            merged.setdefault(live, []).append(episode_id)

    def by_role(person: Participant | None) -> str:
        if person is None:
            return "unknown participant"
        if person.kind == "family":
            return clean(person.role)
        return clean(f"{person.role}, {person.agency}")

    def source(conversation: str) -> str:
        talk = data.talks.get(conversation)
        if talk is None:
            return "unknown source"
        person = data.people.get(talk.participant)
        if person is None and talk.id in data.meetings:  # a group meeting's notes
            return f"{talk.label}, {data.meetings[talk.id]}"
        return f"{talk.label}, {by_role(person)}"

    chronology = []
    accepted = sorted(
        (r for r in data.chronology if r["status"] == "accepted"),
        key=lambda r: (r["date"] or "", r["created"], r["id"]),
    )
    chronology_labels = {}
    for number, row in enumerate(accepted, 1):
        label = f"Chronology {number}"
        chronology_labels[row["id"]] = label
        episode = data.canonical.get(row["episode"] or "", row["episode"] or "")
        chronology.append(
            {
                "id": row["id"],
                "label": label,
                "date": row["date"] or "",
                "text": clean(row["text"]),
                "source": clean(data.document_source(row["document"])),
                "episode": labels.get(episode, ""),
            }
        )

    kind_labels = {k.key: k.label for k in method.note_kinds}

    def merged_public(episode_id: str) -> list:
        """The duplicates merged into an episode, each judgement cut to its public part."""
        from facilitator.reports.public import _TEAM_FIELDS, public_fields

        return [public_fields(m, _TEAM_FIELDS, method) for m in data.merged.get(episode_id, ())]

    episodes = []
    for episode in data.episodes:
        notes = data.notes_by_episode.get(episode.id, [])
        accounts = []
        for note in notes:
            # The final report's rule (a ``!`` too: what the team noticed, not an account).
            if not is_account(note) or note.kind == "discrepancy":
                continue
            if note.document:
                where = clean(
                    f"{data.document_source(note.document)}, cited in {source(note.conversation)}"
                )
            else:
                where = source(note.conversation)
            account = {"source": where, "kind": note.kind, "text": clean(note.text)}
            if note.kind in LABELLED_KINDS:  # "Good practice", "Idea for change": as reports
                account["label"] = kind_labels.get(note.kind, note.kind)
            accounts.append(account)
        episodes.append(
            {
                "id": episode.id,
                "label": episode.label,
                "title": clean(episode.title),
                "date": clean(episode.date_text),
                "description": clean(episode.description),
                "team_good": clean(episode.team_good),
                "team_problematic": clean(episode.team_problematic),
                # Every part of the judgement, one line each, labelled as in the reports.
                "judgement": [
                    {"label": label, "text": clean(text)}
                    for label, text in judgement_lines(episode, merged_public(episode.id))
                ],
                "merged": sorted(merged.get(episode.id, [])),
                "accounts": accounts,
                "records": [
                    chronology_labels[r["id"]]
                    for r in data.accepted_records.get(episode.id, [])
                    if r["id"] in chronology_labels
                ],
                "factors": _factors(data.factor_titles, notes),
            }
        )

    types = {p.key: p.title for p in method.patterns}
    pattern_items = []
    pattern_labels = {}
    # Through the report's cached reads: both read every link of the review once.
    for number, pattern in enumerate(patterns(data.store, review), 1):  # type: ignore[arg-type]
        label = f"Pattern {number}"
        pattern_labels[pattern.id] = label
        pattern_items.append(
            {
                "id": pattern.id,
                "label": label,
                "rank": number,
                "title": findings(pattern.title),
                "type": types.get(pattern.type, pattern.type),
                "description": findings(pattern.description),
                "priority": pattern.priority,
                "widespread": pattern.widespread,
                "relevance": pattern.relevance,
                "episodes": [labels[e] for e in pattern.episodes if e in labels],
                "factors": [data.factor_titles.get(f, f) for f in pattern.factors],
            }
        )

    recs = []
    if kind != "preliminary":  # the guide brings recommendations in from the interim round
        kinds = {k.key: k.title for k in method.recommendation_kinds}
        for number, rec in enumerate(recommendations(data.store, review), 1):  # type: ignore[arg-type]
            recs.append(
                {
                    "id": rec.id,
                    "label": f"Recommendation {number}",
                    "kind": kinds.get(rec.kind, rec.kind),
                    "text": findings(rec.text),
                    "pattern": pattern_labels.get(rec.pattern or "", ""),
                }
            )

    records = []
    for talk in sorted(data.talks.values(), key=lambda t: (t.label[:1], int(t.label[1:]))):
        if not talk.participant:
            continue  # a group meeting: nobody's own record
        notes = [
            {
                "time": (n.at or "")[:16].replace("T", " "),
                "stage": n.stage,
                "kind": n.kind,
                "text": clean(n.text),
            }
            for n in data.notes_by_conversation.get(talk.id, [])
            # A note whose public part is only tags ("@family" then a ">>" line) left a
            # time with nothing after it: a sign the team wrote something there.
            if n.kind in RECORD_KINDS and clean(n.text).strip()
        ]
        records.append(
            {
                "conversation": talk.id,
                "label": talk.label,
                "participant": talk.participant,
                "who": by_role(data.people.get(talk.participant)),
                "when": (talk.started_at or talk.planned_at or "")[:16].replace("T", " "),
                "notes": notes,
            }
        )

    return {
        "format": SNAPSHOT_FORMAT,
        "kind": kind,
        "title": clean(data.review.title),
        "questions": [clean(q) for q in data.review.questions],
        "episodes": episodes,
        "chronology": chronology,
        "patterns": pattern_items,
        "recommendations": recs,
        "records": records,
        # How the draft names each participant (by role), for "a comment from ...".
        "participants": {p.id: by_role(p) for p in data.people.values()},
    }


def _factors(titles: dict[str, str], notes: list) -> list[dict[str, Any]]:
    """An episode's factor areas, the accounts' and the team's view counted apart by the
    rule the matrix and the reports follow (a ``?`` or ``~`` counts in neither)."""
    accounts, team = factor_tallies_apart(notes)
    found = []
    for key in sorted({*accounts, *team}):
        theirs, ours = accounts.get(key), team.get(key)
        found.append(
            {
                "key": key,
                "title": titles.get(key, key),
                "count": (theirs.notes if theirs else 0) + (ours.notes if ours else 0),
                "accounts": asdict(theirs) if theirs else None,
                "team": asdict(ours) if ours else None,
            }
        )
    return found
