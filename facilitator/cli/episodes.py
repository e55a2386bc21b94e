"""episode list|show|merge|unmerge|rename|date|split|judge|involve, contradict, overview,
matrix, coverage: the review team's work on episodes across conversations."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo, echo_json
from facilitator.cli.plan import participant_in_review

REVIEW_HELP = "The review (needed for labels like E3 when there are several)."


def _episode(obj: Context, token: str, review_ref: str | None) -> tuple[str, str]:
    """(review id, episode id) from a label like E3 or an id prefix."""
    looks_like_label = token[:1].upper() == "E" and token[1:].isdigit()
    if review_ref or looks_like_label:
        review = obj.review_id(review_ref)
        return review, obj.store.resolve("episodes", token, review=review)
    episode_id = obj.store.resolve("episodes", token)
    for review in obj.store.reviews():
        if any(e.id == episode_id for e in obj.store.episodes(review.id)):
            return review.id, episode_id
    raise UserError(f"no episode matches {token!r}")


def _label(obj: Context, review: str, episode_id: str) -> str:
    return next(e.label for e in obj.store.episodes(review) if e.id == episode_id)


@click.group()
def episode() -> None:
    """Key practice episodes across conversations: list, merge, split, rename, judge."""


@episode.command("list")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def episode_list(obj: Context, review_ref: str | None) -> None:
    """The episodes board: time order, undated last, with accounts and gaps."""
    from facilitator.analysis.review_overview import review_overview

    review = obj.review_id(review_ref)
    overview = review_overview(obj.store, review)
    if not overview.episodes:
        echo("No episodes yet. Name one in a note with '#new Title (date)'.")
    for item in overview.episodes:
        entry = item.entry
        merged = f"  (with {', '.join(m.label for m in entry.merged)})" if entry.merged else ""
        echo(f"{entry.episode.label:<4} {entry.when:<18} {entry.episode.title}{merged}")
        heard = ", ".join(overview.participants[p].role for p in item.heard) or "nobody yet"
        echo(f"     heard: {heard}")
        if item.missing:
            roles = ", ".join(overview.participants[m.participant].role for m in item.missing)
            echo(f"     not yet heard: {roles}")
        if item.discrepancies:
            echo(f"     discrepancies: {len(item.discrepancies)}")


@episode.command("show")
@click.argument("episode_ref", metavar="EPISODE")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_show(obj: Context, episode_ref: str, review_ref: str | None) -> None:
    """Every account of one episode, attributed; gaps, discrepancies, the team's judgement."""
    from facilitator.analysis.review_overview import review_overview
    from facilitator.capture import plain_with_tags

    review, episode_id = _episode(obj, episode_ref, review_ref)
    overview = review_overview(obj.store, review)
    item = overview.for_episode(episode_id)
    if item is None:
        raise UserError(f"no episode matches {episode_ref!r}")
    e = item.episode
    echo(f"{e.label} {e.title}  ({item.entry.when})")
    if item.entry.merged:
        names = "; ".join(f"{m.label} {m.title}" for m in item.entry.merged)
        echo(f"Also named: {names}")
    for source, accounts in item.accounts_by_source().items():
        echo(f"{overview.labels.get(source, 'unknown source')}:")
        for account in accounts:
            kind = account.note.kind
            # One label for each kind, the guide's (guides/note-kinds.md), never its key.
            label = obj.method.kind_label(kind)
            said = plain_with_tags(account.note.text, obj.method)  # words, factors in words
            if kind == "discrepancy":  # noticed by the team in that conversation
                echo(f"  {label} (the review team's observation): {said}")
            elif account.note.document:  # their words on a record; the passage is its own
                passage = f" (the record: “{account.note.passage}”)" if account.note.passage else ""
                cites = account.cites(overview.labels)
                echo(f"  {label}, on {cites}: {said}{passage}")
            else:
                echo(f"  {label}: {said}")
    for record in item.records:
        echo(f"{record.source_label}, {record.date}: {' '.join(record.text.split())}")
    for gap in item.missing:
        who = overview.participants[gap.participant]
        echo(f"Not yet heard: {who.role}, {who.agency} ({'; '.join(gap.reasons)})")
    for gap in item.discrepancies:
        echo(f"Discrepancy: {' / '.join(plain_with_tags(n.text, obj.method) for n in gap.notes)}")
    for follow_up in item.follow_ups:
        echo(f"Open follow-up: {plain_with_tags(follow_up.text, obj.method)}")
    if item.team_notes:
        echo("Review team's notes:")
        for account in item.team_notes:
            note = account.note
            label = obj.method.kind_label(note.kind)
            if not note.conversation:  # the team's own working note, never an account
                label = "Working note" + ("" if note.kind == "observation" else f", {label}")
            echo(f"  {label}: {plain_with_tags(note.text, obj.method)}")
    from facilitator.analysis.episodes import descriptions, team_judgement

    for mark, text in descriptions(e, item.entry.merged):  # the team's words, said so
        echo(f"Review team's description{mark}: {text}")
    judgement = team_judgement(e, item.entry.merged)
    if judgement:
        echo("The team's judgement:")
        for line in judgement.splitlines():
            echo(f"  {line}")


@episode.command("merge")
@click.argument("keep_ref", metavar="KEEP")
@click.argument("duplicate_refs", metavar="DUPLICATE...", nargs=-1, required=True)
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_merge(
    obj: Context, keep_ref: str, duplicate_refs: tuple[str, ...], review_ref: str | None
) -> None:
    """Fold duplicates into KEEP; every note keeps its own link (undo with 'unmerge')."""
    from facilitator.analysis.episodes import (
        judged_duplicates,
        merge_dates_differ,
        merge_episodes,
    )

    review, keep = _episode(obj, keep_ref, review_ref)
    judged: list[str] = []
    dates: list[str] = []
    for ref in duplicate_refs:
        _r, duplicate = _episode(obj, ref, review_ref or review)
        judged += judged_duplicates(obj.store, review, duplicate)
        other_date = merge_dates_differ(obj.store, review, keep, duplicate)
        if other_date:
            dates.append(f"{_label(obj, review, duplicate)} was dated {other_date}")
        merge_episodes(obj.store, review, keep, duplicate)
    into = _label(obj, review, keep)
    echo(f"Merged into {into}.")
    if dates:  # one of the two dates is wrong: the team should know which stands
        echo(
            f"Note: {'; '.join(dates)}. {into} keeps its own date; "
            f"'episode date {into} ...' changes it."
        )
    for label in judged:  # a merge must not hide the team's judgement of a duplicate
        echo(
            f"Note: {label} has the team's own judgement or description. It stays on {label} "
            f"and shows with {into}'s, marked 'as {label}'; 'episode unmerge {label}' undoes."
        )


@episode.command("unmerge")
@click.argument("episode_ref", metavar="EPISODE")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_unmerge(obj: Context, episode_ref: str, review_ref: str | None) -> None:
    """Let a merged episode stand on its own again."""
    from facilitator.analysis.episodes import unmerge_episode

    review, episode_id = _episode(obj, episode_ref, review_ref)
    unmerge_episode(obj.store, review, episode_id)


@episode.command("rename")
@click.argument("episode_ref", metavar="EPISODE")
@click.argument("title")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_rename(obj: Context, episode_ref: str, title: str, review_ref: str | None) -> None:
    """Give an episode a new title."""
    from facilitator.analysis.episodes import rename_episode

    review, episode_id = _episode(obj, episode_ref, review_ref)
    rename_episode(obj.store, review, episode_id, title)


@episode.command("date")
@click.argument("episode_ref", metavar="EPISODE")
@click.argument("when", metavar="DATE")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_date(obj: Context, episode_ref: str, when: str, review_ref: str | None) -> None:
    """Date an episode leniently ('March 2024', 'Jan-Mar 2024'); '' makes it undated."""
    from facilitator.analysis.episodes import redate_episode

    review, episode_id = _episode(obj, episode_ref, review_ref)
    redate_episode(obj.store, review, episode_id, when)


@episode.command("split")
@click.argument("episode_ref", metavar="EPISODE")
@click.argument("title")
@click.argument("note_refs", metavar="NOTE...", nargs=-1, required=True)
@click.option("--date", "when", default="", help="The new episode's date.")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_split(
    obj: Context,
    episode_ref: str,
    title: str,
    note_refs: tuple[str, ...],
    when: str,
    review_ref: str | None,
) -> None:
    """Make a new episode TITLE from EPISODE, moving the given notes to it; prints its id."""
    from facilitator.analysis.episodes import split_episode

    review, episode_id = _episode(obj, episode_ref, review_ref)
    notes = [obj.store.resolve("notes", ref, review=review) for ref in note_refs]
    echo(split_episode(obj.store, review, episode_id, title, notes, date_text=when))


@episode.command("judge")
@click.argument("episode_ref", metavar="EPISODE")
@click.option(
    "--good",
    multiple=True,
    help="Good practice the review team sees in this episode. Give it once for each part "
    "of the episode judged on its own.",
)
@click.option(
    "--problematic",
    multiple=True,
    help="Problematic practice the review team sees. Give it once for each part judged.",
)
@click.option(
    "--significance",
    help="How the episode shaped what happened next and what it meant for the child.",
)
@click.option(
    "--information",
    help="What information was used, or should have been, and what difference it made.",
)
@click.option("--description", help="A brief description, close to participants' accounts.")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_judge(
    obj: Context,
    episode_ref: str,
    good: tuple[str, ...],
    problematic: tuple[str, ...],
    significance: str | None,
    information: str | None,
    description: str | None,
    review_ref: str | None,
) -> None:
    """Record the review team's judgement, kept apart from participants' accounts.

    Each option replaces what was recorded before; give it as "" to clear it."""
    from facilitator.analysis.episodes import set_team_judgement

    given = (good, problematic, significance, information, description)
    if not any(value or value == "" for value in given):
        raise UserError(
            "give --good, --problematic, --significance, --information or --description"
        )
    review, episode_id = _episode(obj, episode_ref, review_ref)
    set_team_judgement(
        obj.store,
        review,
        episode_id,
        good="\n".join(good) if good else None,
        problematic="\n".join(problematic) if problematic else None,
        significance=significance,
        information=information,
        description=description,
    )


@episode.command("involve")
@click.argument("episode_ref", metavar="EPISODE")
@click.argument("participant_ref", metavar="PARTICIPANT")
@click.option(
    "--not",
    "not_involved",
    is_flag=True,
    help="Record that they were NOT involved (overrides mentions).",
)
@click.option("--clear", is_flag=True, help="Withdraw the team's view either way.")
@click.option("--review", "review_ref", help=REVIEW_HELP)
@pass_context
def episode_involve(
    obj: Context,
    episode_ref: str,
    participant_ref: str,
    not_involved: bool,
    clear: bool,
    review_ref: str | None,
) -> None:
    """Record that PARTICIPANT was involved in EPISODE (so their view is sought)."""
    from facilitator.analysis.episodes import set_involved

    if not_involved and clear:
        raise UserError("give --not or --clear, not both")
    review, episode_id = _episode(obj, episode_ref, review_ref)
    participant = participant_in_review(obj, participant_ref, review_ref or review)
    view = None if clear else not not_involved
    set_involved(obj.store, review, episode_id, participant, view)


@click.command("contradict")
@click.argument("note_a", metavar="NOTE")
@click.argument("note_b", metavar="OTHER_NOTE")
@click.option("--remove", is_flag=True, help="Withdraw the link instead.")
@pass_context
def contradict_cmd(obj: Context, note_a: str, note_b: str, remove: bool) -> None:
    """Record that two notes' accounts contradict each other (a discrepancy)."""
    from facilitator.analysis.review_overview import contradict

    first = obj.store.resolve("notes", note_a)
    second = obj.store.resolve("notes", note_b)
    note = obj.store.note(first)
    if note is None:
        raise UserError(f"no note matches {note_a!r}")
    contradict(obj.store, note.review, first, second, present=not remove)


@click.command("overview")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def overview_cmd(obj: Context, review_ref: str | None) -> None:
    """Across the review: missing perspectives, discrepancies and open follow-ups."""
    from facilitator.analysis.review_overview import review_overview
    from facilitator.capture import plain_with_tags

    review = obj.review_id(review_ref)
    overview = review_overview(obj.store, review)
    people = overview.participants
    labels = {e.episode.id: e.episode.label for e in overview.episodes}
    gaps = overview.missing_perspectives()
    echo(f"Missing perspectives ({len(gaps)}):")
    for item, gap in gaps:
        who = people[gap.participant]
        echo(
            f"  {item.episode.label} {item.episode.title}: {who.label} {who.role}, {who.agency}"
            f" ({'; '.join(gap.reasons)})"
        )
    echo(f"Discrepancies ({len(overview.discrepancies)}):")
    for d in overview.discrepancies:
        where = ", ".join(labels.get(e, "?") for e in d.episodes) or "no episode"
        raised = f"; raised in {len(d.raised_in)} conversation(s)" if d.raised_in else ""
        said = " / ".join(plain_with_tags(n.text, obj.method) for n in d.notes)
        echo(f"  [{where}] {said}{raised}")
        echo(f"      from: {overview.where(d)}")
    echo(f"Open follow-ups ({len(overview.open_follow_ups)}):")
    for f in overview.open_follow_ups:
        echo(f"  {plain_with_tags(f.text, obj.method)}  ({overview.follow_up_source(f)})")


@click.command("matrix")
@click.argument("review_ref", metavar="REVIEW", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def matrix_cmd(obj: Context, review_ref: str | None, as_json: bool) -> None:
    """The episode x contributory factor matrix; recurring factors below.

    Each cell counts notes from participants' accounts and from the review team's own view
    apart, as accounts/team ("." for none)."""
    from facilitator.analysis.matrix import episode_factor_matrix

    review = obj.review_id(review_ref)
    matrix = episode_factor_matrix(obj.store, review, obj.method)
    keys = matrix.factors
    if as_json:
        rows = [
            {
                "label": e.label,
                "id": e.id,
                "title": e.title,
                "factors": {
                    k: {
                        "accounts": matrix.accounts(e.id, k),
                        "team": matrix.team(e.id, k),
                        "helped": {
                            "accounts": matrix.marked(e.id, k, "+", team=False),
                            "team": matrix.marked(e.id, k, "+", team=True),
                        },
                        "hindered": {
                            "accounts": matrix.marked(e.id, k, "-", team=False),
                            "team": matrix.marked(e.id, k, "-", team=True),
                        },
                    }
                    for k in keys
                    if matrix.count(e.id, k)
                },
            }
            for e in matrix.episodes
        ]
        spread = {k: matrix.spread(k) for k in keys}
        team_spread = {k: matrix.spread(k, team=True) for k in keys}
        echo_json({"episodes": rows, "spread": spread, "team_spread": team_spread})
        return
    if not matrix.episodes:
        echo("No episodes yet.")
        return

    def cell(episode: str, key: str) -> str:
        accounts, team = matrix.accounts(episode, key), matrix.team(episode, key)
        return f"{accounts or '.'}/{team or '.'}" if accounts or team else "."

    def title(key: str) -> str:
        try:
            return obj.method.area(key).title
        except KeyError:  # a tag a guide no longer lists
            return key

    width = max(6, *(len(k) for k in keys))
    echo("Each cell: notes from participants' accounts/the team's own view.")
    echo(" " * 5 + " ".join(f"{k[:width]:>{width}}" for k in keys))
    for e in matrix.episodes:
        cells = " ".join(f"{cell(e.id, k):>{width}}" for k in keys)
        echo(f"{e.label:<5}{cells}  {e.title}")
    echo("in episodes " + " ".join(f"{matrix.spread(k):>{width}}" for k in keys)[7:])
    # The columns are headed by the tags typed in notes; the sentences use the guide's words.
    echo("Columns:")
    for k in keys:
        echo(f"  {k:<{width}}  {title(k)}")
    for team, lead in ((False, "Recurring in accounts"), (True, "Recurring in the team's view")):
        recurring = matrix.recurring(team=team)
        if recurring:
            listed = ", ".join(
                f"{title(k)} ({matrix.spread(k, team=team)} episodes)" for k in recurring
            )
            echo(f"{lead}: {listed}")
    for team, lead in ((False, "accounts that say"), (True, "the team's view says")):
        ways = []
        for k in keys:
            helped = sum(matrix.marked(e.id, k, "+", team=team) for e in matrix.episodes)
            hindered = sum(matrix.marked(e.id, k, "-", team=team) for e in matrix.episodes)
            said = [f"{n} {w}" for n, w in ((helped, "helped"), (hindered, "hindered")) if n]
            if said:
                ways.append(f"{title(k)}: {' and '.join(said)}")
        if ways:
            echo(f"Which way ({lead}): {'; '.join(ways)}")


@click.command("coverage")
@click.argument("conversation_ref", metavar="CONVERSATION")
@pass_context
def coverage_cmd(obj: Context, conversation_ref: str) -> None:
    """Stages visited and time in each; episodes named; prompts and factors noted."""
    from facilitator.analysis.coverage import conversation_coverage

    conversation = obj.conversation(conversation_ref)
    cover = conversation_coverage(obj.store, conversation.id)
    episodes = {e.id: e for e in obj.store.episodes(conversation.review)}
    prompts = {p.key: p.title for p in obj.method.local_rationality}
    areas = {a.key: a.title for a in obj.method.factor_areas}
    echo(
        f"{conversation.label}: {cover.notes} notes of the participant's; "
        f"{cover.team_notes} of the review team's (>>, !, ?), kept apart"
    )
    for stage, seconds in sorted(cover.seconds_by_stage.items()):
        title = obj.method.stage(stage).title
        echo(f"  stage {stage} {title:<32} {int(seconds // 60):>3} min")
    for episode_id, ep in cover.episodes.items():
        e = episodes.get(episode_id)
        name = f"{e.label} {e.title}" if e else episode_id[:8]
        # What is still open to explore, not a score: the prompts are not a checklist. In
        # the guides' words, not their keys.
        still = [prompts.get(k, k) for k in ep.missing_prompts(obj.method)]
        spoken = sorted(areas.get(k, k) for k in ep.factors)
        echo(
            f"  {name}: {ep.notes} of their notes; still open: "
            f"{', '.join(still) or 'nothing'}; factors spoken of: "
            f"{', '.join(spoken) or 'none yet'}"
        )


COMMANDS = [episode, contradict_cmd, overview_cmd, matrix_cmd, coverage_cmd]
