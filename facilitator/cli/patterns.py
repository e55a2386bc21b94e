"""pattern add|list|rank and recommend add|list: the review team's analysis."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo

if TYPE_CHECKING:
    from facilitator.analysis.coverage import Tally

SCORE = click.IntRange(1, 5)


def _support(obj: Context, review: str, episodes: tuple[str, ...]) -> list[str]:
    return [obj.store.resolve("episodes", ref, review=review) for ref in episodes]


def _episode_labels(obj: Context, review: str) -> dict[str, str]:
    return {e.id: e.label for e in obj.store.episodes(review)}


def _linked_labels(obj: Context, review: str) -> dict[str, str]:
    """Episode id -> the label a note linked to it is shown under (a merged duplicate's
    is its survivor's)."""
    from facilitator.analysis.episodes import canonical_ids

    every = obj.store.episodes(review)
    live = canonical_ids(every)
    labels = {e.id: e.label for e in every}
    return {e.id: labels.get(live.get(e.id, e.id), e.label) for e in every}


def _titles(items: tuple, keys: Iterable[str]) -> str:
    """Keys as the guides name them ("crisis-response" as its title); an unknown key as is."""
    titles = {item.key: item.title for item in items}
    return ", ".join(titles.get(key, key) for key in keys)


def _support_line(
    labels: dict[str, str], episodes: tuple[str, ...], factors: tuple[str, ...]
) -> str:
    shown = ", ".join(labels.get(i, i[:8]) for i in episodes) or "-"
    return f"     episodes: {shown}; factors: {', '.join(factors) or '-'}"


@click.group()
def pattern() -> None:
    """Patterns of systemic factors (the six types), linked to episodes and factors."""


@pattern.command("add")
@click.argument("review_ref", metavar="REVIEW")
@click.argument("title")
@click.option(
    "--type",
    "types",
    required=True,
    multiple=True,
    help="A pattern type (see 'pattern types'); give it again for a pattern of several types.",
)
@click.option(
    "--effect",
    type=click.Choice(["helps", "hinders"]),
    help="helps: supports good practice; hinders: makes problematic practice more likely.",
)
@click.option("--reasons", help="Why the team gives it this priority.")
@click.option("--description", default="", help="The pattern in general, non-case-specific terms.")
@click.option("--widespread", type=SCORE, help="How widespread beyond this case, 1 to 5.")
@click.option("--relevance", type=SCORE, help="How relevant to children's safety now, 1 to 5.")
@click.option("--priority", type=click.IntRange(1, 999), help="The team's rank (1 first).")
@click.option("--episode", "episodes", multiple=True, help="A supporting episode (E3); repeatable.")
@click.option("--factor", "factors", multiple=True, help="A supporting factor area; repeatable.")
@pass_context
def pattern_add(
    obj: Context,
    review_ref: str,
    title: str,
    types: tuple[str, ...],
    effect: str | None,
    reasons: str | None,
    description: str,
    widespread: int | None,
    relevance: int | None,
    priority: int | None,
    episodes: tuple[str, ...],
    factors: tuple[str, ...],
) -> None:
    """Record a pattern; prints its id."""
    from facilitator.analysis.patterns import add_pattern

    review = obj.review_id(review_ref)
    echo(
        add_pattern(
            obj.store,
            review,
            obj.method,
            type=types,
            title=title,
            effect=effect,
            reasons=reasons,
            description=description,
            widespread=widespread,
            relevance=relevance,
            priority=priority,
            episodes=_support(obj, review, episodes),
            factors=factors,
        )
    )


@pattern.command("rank")
@click.argument("pattern_ref", metavar="PATTERN")
@click.option("--widespread", type=SCORE)
@click.option("--relevance", type=SCORE)
@click.option("--priority", type=click.IntRange(1, 999))
@click.option("--reasons", help="Why the team gives it this priority.")
@click.option(
    "--effect",
    type=click.Choice(["helps", "hinders"]),
    help="helps: supports good practice; hinders: makes problematic practice more likely.",
)
@pass_context
def pattern_rank(
    obj: Context,
    pattern_ref: str,
    widespread: int | None,
    relevance: int | None,
    priority: int | None,
    reasons: str | None,
    effect: str | None,
) -> None:
    """Change how widespread or relevant a pattern is, its rank, the reasons for its
    priority, or whether it helps or hinders."""
    from facilitator.analysis.patterns import prioritise_pattern

    given = (widespread, relevance, priority, reasons, effect)
    if all(value is None for value in given):
        raise UserError("give --widespread, --relevance, --priority, --reasons or --effect")
    pattern_id = obj.store.resolve("patterns", pattern_ref)
    review = next(
        r.id
        for r in obj.store.reviews()
        if any(p["id"] == pattern_id for p in obj.store.rows("patterns", r.id))
    )
    prioritise_pattern(
        obj.store,
        review,
        pattern_id,
        widespread=widespread,
        relevance=relevance,
        priority=priority,
        reasons=reasons,
        effect=effect,
    )


@pattern.command("types")
@pass_context
def pattern_types(obj: Context) -> None:
    """The six pattern types and their keys."""
    for item in obj.method.patterns:
        echo(f"{item.key:<24} {item.title}")


@pattern.command("list")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def pattern_list(obj: Context, review_ref: str | None) -> None:
    """Patterns in priority order, with what supports them."""
    from facilitator.analysis.episodes import canonical_ids
    from facilitator.analysis.patterns import EFFECTS, patterns, support_tallies

    review = obj.review_id(review_ref)
    found = patterns(obj.store, review)
    labels = _episode_labels(obj, review)  # read once, not once per pattern
    notes = obj.store.notes(review=review) if found else []  # read once, not per pattern
    mapping = canonical_ids(obj.store.episodes(review)) if found else {}
    if not found:
        echo("No patterns yet. Add one with: facilitator pattern add REVIEW TITLE --type T")
    for p in found:
        rank = f"#{p.priority}" if p.priority else "-"
        echo(
            f"{rank:<4} {p.title}  [{_titles(obj.method.patterns, p.types)}] "
            f"widespread {p.widespread or 'not yet scored'}, "
            f"relevance {p.relevance or 'not yet scored'}  {p.id[:8]}"
        )
        echo(f"     {EFFECTS.get(p.effect, 'not yet said whether it helps or hinders')}")
        if p.reasons:
            echo(f"     reasons for its priority: {p.reasons}")
        # This pattern's episodes' notes, counted as the reports count them.
        accounts, team = support_tallies(notes, p.episodes, mapping)
        factors = tuple(
            _with_tally(_titles(obj.method.factor_areas, [f]), accounts.get(f), team.get(f))
            for f in p.factors
        )
        echo(_support_line(labels, p.episodes, factors))


def _with_tally(factor: str, accounts: Tally | None, team: Tally | None) -> str:
    """A factor with its notes and how they say it worked: "Working conditions (2
    accounts, 2 hindered; the team's view: 1 note, 1 helped)"."""
    from facilitator.analysis.coverage import tally_words

    said = tally_words(accounts, team)
    return f"{factor} ({said})" if said else factor


@click.group()
def recommend() -> None:
    """Recommendations (clear-cut, judgement, research), linked to what supports them."""


@recommend.command("add")
@click.argument("review_ref", metavar="REVIEW")
@click.argument("text")
@click.option("--kind", required=True, help="clear-cut, judgement or research (see the guides).")
@click.option("--pattern", "pattern_ref", help="The pattern it answers.")
@click.option("--priority", type=click.IntRange(1, 999), help="The team's rank (1 first).")
@click.option("--episode", "episodes", multiple=True, help="A supporting episode (E3); repeatable.")
@click.option("--factor", "factors", multiple=True, help="A supporting factor area; repeatable.")
@click.option("--who", "owner", help="Who should act on it (an agency, a board, a national body).")
@pass_context
def recommend_add(
    obj: Context,
    review_ref: str,
    text: str,
    kind: str,
    pattern_ref: str | None,
    priority: int | None,
    episodes: tuple[str, ...],
    factors: tuple[str, ...],
    owner: str | None,
) -> None:
    """Record a recommendation; prints its id."""
    from facilitator.analysis.patterns import add_recommendation

    review = obj.review_id(review_ref)
    pattern_id = obj.store.resolve("patterns", pattern_ref, review=review) if pattern_ref else None
    echo(
        add_recommendation(
            obj.store,
            review,
            obj.method,
            kind=kind,
            text=text,
            pattern=pattern_id,
            priority=priority,
            episodes=_support(obj, review, episodes),
            factors=factors,
            owner=owner,
        )
    )


@recommend.command("list")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def recommend_list(obj: Context, review_ref: str | None) -> None:
    """Recommendations, ranked ones first."""
    from facilitator.analysis.patterns import recommendations

    review = obj.review_id(review_ref)
    found = recommendations(obj.store, review)
    labels = _episode_labels(obj, review)
    if not found:
        echo("No recommendations yet.")
    for r in found:
        rank = f"#{r.priority}" if r.priority else "-"
        kind = _titles(obj.method.recommendation_kinds, [r.kind])
        echo(f"{rank:<4} [{kind}] {r.text}  {r.id[:8]}")
        echo(f"     who should act: {r.owner or 'not yet said'}")
        factors = tuple(_titles(obj.method.factor_areas, [f]) for f in r.factors)
        echo(_support_line(labels, r.episodes, factors))


@click.command("ideas")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def ideas_cmd(obj: Context, review_ref: str | None) -> None:
    """Participants' ideas for change (~ notes) across the review, attributed, to weigh
    when choosing patterns and recommendations."""
    from facilitator.analysis.episodes import source_label
    from facilitator.capture import plain_with_tags, split_private

    review = obj.review_id(review_ref)
    labels = source_label(obj.store, review)
    ideas = [n for n in obj.store.notes(review=review) if n.kind == "idea" and n.conversation]
    episodes = _linked_labels(obj, review)
    if not ideas:
        echo("No ideas for change yet: a note starting with ~ records one.")
    for note in sorted(ideas, key=lambda n: (labels.get(n.conversation, ""), n.at, n.id)):
        # The participant's words, then the factor's name and the episodes it is linked to
        # now, apart from the words: not the tags typed, nor a name glued onto the text.
        said = plain_with_tags(split_private(note.text, "", obj.method)[0], obj.method)
        linked = [episodes[e] for e in note.episodes if e in episodes]
        said += f" ({', '.join(linked)})" if linked else ""
        echo(f"{labels.get(note.conversation, 'unknown conversation')}: {said}")


COMMANDS = [pattern, recommend, ideas_cmd]
