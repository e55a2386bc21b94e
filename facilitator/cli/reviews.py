"""review, participant and conversation commands."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, parse_when_option, pass_context
from facilitator.cli.output import echo, echo_json
from facilitator.model import PARTICIPANT_KINDS


@click.group()
def review() -> None:
    """Create and list reviews."""


@review.command("new")
@click.argument("title")
@click.option("--question", "questions", multiple=True, help="A question the review is asking.")
@pass_context
def review_new(obj: Context, title: str, questions: tuple[str, ...]) -> None:
    """Create a review; prints its id."""
    echo(obj.store.create_review(title, questions))


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def review_list(obj: Context, as_json: bool) -> None:
    """List reviews with their labels."""
    reviews = obj.store.reviews()
    if as_json:
        echo_json([{"id": r.id, "label": r.label, "title": r.title} for r in reviews])
        return
    if not reviews:
        echo("No reviews yet. Create one with: facilitator review new TITLE")
    for r in reviews:
        people = obj.store.count("participants", r.id)
        talks = obj.store.count("conversations", r.id)
        echo(f"{r.label:<4} {r.title}  ({people} participants, {talks} conversations)  {r.id}")


@click.group()
def participant() -> None:
    """Add and list the people whose conversations the review holds."""


@participant.command("add")
@click.argument("review_ref", metavar="REVIEW")
@click.option("--role", required=True, help="Their role, e.g. 'Social worker'.")
@click.option("--agency", required=True, help="Their agency, e.g. 'Children's social care'.")
@click.option("--name", help="Their name (kept out of final reports).")
@click.option("--kind", type=click.Choice(PARTICIPANT_KINDS), default="worker", show_default=True)
@click.option("--pseudonym", help="How a family member appears in final reports.")
@pass_context
def participant_add(
    obj: Context,
    review_ref: str,
    role: str,
    agency: str,
    name: str | None,
    kind: str,
    pseudonym: str | None,
) -> None:
    """Add a participant; prints their id."""
    review_id = obj.review_id(review_ref)
    echo(
        obj.store.add_participant(
            review_id, role=role, agency=agency, kind=kind, name=name, pseudonym=pseudonym
        )
    )


@participant.command("edit")
@click.argument("participant_ref", metavar="PARTICIPANT")
@click.option("--role", help="A new role.")
@click.option("--agency", help="A new agency.")
@click.option("--name", help="A new name.")
@click.option("--kind", type=click.Choice(PARTICIPANT_KINDS))
@click.option("--pseudonym", help="How a family member appears in final reports.")
@pass_context
def participant_edit(obj: Context, participant_ref: str, **changes: str | None) -> None:
    """Change a participant's details (only the options given)."""
    participant_id = obj.store.resolve("participants", participant_ref)
    fields = {k: v.strip() for k, v in changes.items() if v is not None and v.strip()}
    if not fields:
        raise click.UsageError("give at least one of --role, --agency, --name, --kind, --pseudonym")
    person = obj.store.participant(participant_id)
    obj.store.update(person.review, "participant", participant_id, **fields)
    echo(participant_id)


@participant.command("list")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def participant_list(obj: Context, review_ref: str | None) -> None:
    """List a review's participants."""
    review_id = obj.review_id(review_ref)
    people = obj.store.participants(review_id)
    if not people:
        echo("No participants yet. Add one with: facilitator participant add REVIEW ...")
    for p in people:
        echo(f"{p.label:<4} {p.display}  [{p.kind}]  {p.id}")


@click.group()
def conversation() -> None:
    """Plan and list conversations."""


@conversation.command("new")
@click.argument("review_ref", metavar="REVIEW")
@click.argument("participant_ref", metavar="PARTICIPANT")
@click.option("--lead", help="Who leads the questioning.")
@click.option("--notes", "note_taker", help="Who takes the notes.")
@click.option("--at", "when", help="When it is planned, e.g. '3 March 2025 10:00'.")
@click.option(
    "--minutes", default=90, show_default=True, type=click.IntRange(10, 480), help="Planned length."
)
@pass_context
def conversation_new(
    obj: Context,
    review_ref: str,
    participant_ref: str,
    lead: str | None,
    note_taker: str | None,
    when: str | None,
    minutes: int,
) -> None:
    """Plan a conversation with a participant; prints its id."""
    review_id = obj.review_id(review_ref)
    participant_id = obj.participant_id(participant_ref, review_id)
    planned_at = parse_when_option(when)
    echo(
        obj.store.new_conversation(
            review_id,
            participant_id,
            lead=lead,
            note_taker=note_taker,
            planned_at=planned_at,
            planned_minutes=minutes,
        )
    )


@conversation.command("list")
@click.argument("review_ref", metavar="REVIEW", required=False)
@pass_context
def conversation_list(obj: Context, review_ref: str | None) -> None:
    """List a review's conversations."""
    review_id = obj.review_id(review_ref)
    people = {p.id: p for p in obj.store.participants(review_id)}
    talks = obj.store.conversations(review_id)
    if not talks:
        echo("No conversations yet. Plan one with: facilitator conversation new ...")
    from facilitator.dates import uk_moment
    from facilitator.dialogue.records import who_talks

    for c in talks:
        who = people.get(c.participant)
        if who:
            name = who.display
        elif not c.participant:  # a group meeting's notes
            name = who_talks(obj.store, review_id, c.id, "")
        else:
            name = "(unknown participant)"
        # In the one date style users see ("3 Mar 2025 10:00"), not the stored ISO form.
        when = uk_moment(c.started_at or c.planned_at) or "not scheduled"
        ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(c.sequence, f"{c.sequence}th")
        echo(f"{c.label:<4} {name}  {ordinal}  {c.status}  {when}  {c.id}")


COMMANDS = [review, participant, conversation]
