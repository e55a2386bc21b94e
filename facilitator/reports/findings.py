"""The findings: the review's question and scope, who took part, the patterns in priority
order with their reasons (guide 3.4.5) and the recommendations by kind (3.4.6).

The findings section appears in the team's reports and in the public one; the question,
scope and list of participants open the public findings report, where people are named
by role (family members by pseudonym) as :meth:`ReviewData.who` names them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from facilitator.analysis.coverage import Tally, tally_words
from facilitator.analysis.patterns import (
    EFFECTS,
    PatternView,
    patterns,
    recommendations,
    support_tallies,
)
from facilitator.reports.content import Block, Heading, Para, ReviewData, clean, ideas_blocks
from facilitator.reports.ours import Ours, method_words

_PATTERN_TEXT = ("title", "description", "reasons")
_SCORES = {1: "very low", 2: "low", 3: "moderate", 4: "high", 5: "very high"}


def scope_section(data: ReviewData) -> list[Block]:
    """What the review asked, what it looked at, and who took part, by role."""
    blocks: list[Block] = [Heading(Ours("The review's question and scope"), 1)]
    if data.review.questions:
        blocks += [Para(clean(q), style="bullet") for q in data.review.questions]
    else:
        blocks.append(Para(Ours("The review's questions have not been recorded."), flag="gap"))
    held = [t for t in data.talks.values() if t.status != "planned"]
    agencies = {clean(p.agency) for p in data.people.values() if p.kind != "family"}
    dated = sorted(e.date_start for e in data.episodes if e.date_start)
    # The scope runs to the end of the latest episode's period: "April 2024" ends on 30
    # April, not on the 1st its start falls on.
    ends = sorted(e.date_end or e.date_start for e in data.episodes if e.date_start)
    scope = [
        f"{_count(len(held), 'conversation')} with {_count(len(data.people), 'participant')} "
        f"from {_count(len(agencies), 'agency', 'agencies')}",
        f"{_count(len(data.documents), 'agency record')} read",
        f"{_count(len(data.episodes), 'key practice episode')}"
        + (f", from {_day(dated[0])} to {_day(ends[-1])}" if dated else ""),
    ]
    # Counts and dates only: ours whole (a participant called May leaves "2 May 2024").
    text = "; ".join(scope) + "."
    # Ours only when every date in it was read as one (a date we could not read is shown
    # as stored, and is then redacted and scanned like anything else stored).
    readable = all(_day(d) != d for d in dated[:1] + ends[-1:])
    blocks.append(Para(Ours(text) if readable else text, lead=Ours("Scope:")))
    blocks.append(Heading(Ours("Who took part"), 1))
    talks = Counter(t.participant for t in held)
    people = sorted(data.people.values(), key=lambda p: (p.kind == "family", p.label))
    for person in people:
        agency = f" ({clean(person.agency)})" if person.kind != "family" and person.agency else ""
        spoken = talks.get(person.id, 0)
        heard = _count(spoken, "conversation") if spoken else "no conversation yet"
        blocks.append(Para(f"{data.who(person)}{agency}: {heard}", style="bullet"))
    if not people:
        blocks.append(Para(Ours("No participants have been recorded."), flag="gap"))
    return blocks


def findings_section(data: ReviewData) -> list[Block]:
    """Patterns in priority order with the reasons for their place, then recommendations
    grouped by the method's kinds."""
    store, review = data.store, data.review.id
    found = patterns(store, review)  # type: ignore[arg-type]
    recs = recommendations(store, review)  # type: ignore[arg-type]
    if data.final:  # the team's private lines never reach a public report
        from facilitator.reports.public import public_fields

        found = [public_fields(p, _PATTERN_TEXT, data.method) for p in found]  # type: ignore[misc]
        recs = [public_fields(r, ("text", "owner"), data.method) for r in recs]  # type: ignore[misc]
    labels = {e.id: f"{e.label}: {clean(e.title)}" for e in data.episodes}
    types = {p.key: p.title for p in data.method.patterns}
    blocks: list[Block] = [
        Heading(Ours("Findings"), 1),
        Heading(Ours("Patterns, in priority order"), 2),
    ]
    if not found:
        blocks.append(Para(Ours("No patterns have been recorded yet."), flag="gap"))
    titles = {}
    for number, pattern in enumerate(found, 1):
        titles[pattern.id] = clean(pattern.title)
        blocks.append(Heading(f"Pattern {number}: {clean(pattern.title)}", 3))
        named = [
            method_words(types[t]) if t in types else t for t in pattern.types or (pattern.type,)
        ]
        blocks.append(Para("; ".join(named), lead=Ours("Types:" if len(named) > 1 else "Type:")))
        if pattern.effect in EFFECTS:
            blocks.append(Para(Ours(f"It {EFFECTS[pattern.effect]}."), lead=Ours("Effect:")))
        if pattern.description:
            blocks.append(Para(clean(pattern.description)))
        # Not Ours: the reasons hold the team's own words (pattern.reasons), redacted like
        # any text a user wrote.
        blocks.append(Para(_reasons(pattern), lead=Ours("Why it is ranked here:")))
        support = _support(data, labels, pattern.episodes, pattern.factors)
        if support:
            blocks.append(Para(support, lead=Ours("Seen in:")))
    blocks += ideas_blocks(data)
    blocks.append(Heading(Ours("Recommendations"), 2))
    if not recs:
        blocks.append(Para(Ours("No recommendations have been recorded yet."), flag="gap"))
    kinds = [(k.key, k.title) for k in data.method.recommendation_kinds]
    known = {key for key, _ in kinds}
    kinds += [(k, k) for k in dict.fromkeys(r.kind for r in recs) if k not in known]
    for key, title in kinds:
        chosen = [r for r in recs if r.kind == key]
        if not chosen:
            continue
        blocks.append(Heading(method_words(title) if key in known else title, 3))
        for rec in chosen:
            answers = titles.get(rec.pattern or "")
            support = _support(data, labels, rec.episodes, rec.factors)
            extra = [f"who should act: {clean(rec.owner)}"] if rec.owner else []
            extra += [f"answers the pattern “{answers}”"] if answers else []
            extra += [f"seen in {support}"] if support else []
            text = clean(rec.text) + (f" ({'; '.join(extra)})" if extra else "")
            blocks.append(Para(text, style="bullet"))
    return blocks


def _reasons(pattern: PatternView) -> str:
    parts = []
    if pattern.priority:
        parts.append(f"the team ranks it {pattern.priority}")
    if pattern.widespread:
        parts.append(f"how widespread beyond this case: {_SCORES[pattern.widespread]}")
    if pattern.relevance:
        parts.append(f"relevance now: {_SCORES[pattern.relevance]}")
    if pattern.reasons:
        parts.append(clean(pattern.reasons).rstrip("."))
    return "; ".join(parts) + "." if parts else "not yet prioritised by the team."


def _support(
    data: ReviewData, labels: dict[str, str], episodes: tuple[str, ...], factors: tuple[str, ...]
) -> str:
    named = [labels[e] for e in episodes if e in labels]
    accounts: dict[str, Tally] = {}
    team: dict[str, Tally] = {}
    if factors:
        # The notes this report shows (a final report's, without the team's private and
        # working notes), in the episodes that support it, counted as the table counts.
        accounts, team = support_tallies(data.notes, episodes, data.canonical)
    for f in factors:
        said = tally_words(accounts.get(f), team.get(f))
        named.append(data.factor_titles.get(f, f) + (f" ({said})" if said else ""))
    return "; ".join(named)


def _day(iso: str) -> str:
    """An ISO date as people in the UK write it: "14 February 2024"."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n or 'no'} {one if n == 1 else many or one + 's'}"
