"""plan PARTICIPANT [--save]: the agenda for a second conversation."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, UserError, parse_when_option, pass_context
from facilitator.cli.output import echo, echo_json


def participant_in_review(obj: Context, token: str, review_ref: str | None) -> str:
    """A participant from an id prefix, or a label (P2) within the named or only review."""
    looks_like_label = token[:1].upper() == "P" and token[1:].isdigit()
    review = obj.review_id(review_ref) if (review_ref or looks_like_label) else None
    return obj.participant_id(token, review)


@click.command("plan")
@click.argument("participant_ref", metavar="PARTICIPANT")
@click.option(
    "--review", "review_ref", help="The review (needed for labels like P2 when there are several)."
)
@click.option(
    "--minutes",
    default=90,
    show_default=True,
    type=click.IntRange(10, 480),
    help="Planned length of the conversation.",
)
@click.option(
    "--save",
    is_flag=True,
    help="Put this agenda on the next planned conversation (planning one if none); prints its id.",
)
@click.option(
    "--into",
    "into",
    metavar="CONVERSATION",
    help="With --save: a planned conversation to add the agenda to.",
)
@click.option("--new", "new", is_flag=True, help="With --save: always plan a new conversation.")
@click.option("--at", "when", help="With --save: when the conversation is planned.")
@click.option("--lead", help="With --save: who leads the questioning.")
@click.option("--notes", "note_taker", help="With --save: who takes the notes.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def plan(
    obj: Context,
    participant_ref: str,
    review_ref: str | None,
    minutes: int,
    save: bool,
    into: str | None,
    new: bool,
    when: str | None,
    lead: str | None,
    note_taker: str | None,
    as_json: bool,
) -> None:
    """The agenda for a further conversation with PARTICIPANT: open follow-ups, discrepancies,
    episodes they were part of but were not heard on, what others said, and what is still
    open to explore on their episodes."""
    from facilitator.analysis.plan import KIND_LABELS, plan_for, save_plan

    if not save and (into or new or when or lead or note_taker):
        raise UserError("--into, --new, --at, --lead and --notes go with --save")
    if into and new:
        raise UserError("give --into or --new, not both")
    participant_id = participant_in_review(obj, participant_ref, review_ref)
    agenda = plan_for(obj.store, obj.method, participant_id, planned_minutes=minutes)
    if save and not agenda.items:
        raise UserError(
            "nothing is outstanding for this participant, so there is no agenda to save "
            "(plan a conversation with 'facilitator conversation new')"
        )
    if save:
        target = obj.conversation(into).id if into else None
        conversation_id = save_plan(
            obj.store,
            agenda,
            conversation=target,
            new=new,
            planned_at=parse_when_option(when),
            planned_minutes=minutes,
            lead=lead,
            note_taker=note_taker,
        )
        echo(conversation_id)
        label = obj.store.conversation(conversation_id).label
        echo(f"Saved {len(agenda.items)} agenda item(s) on {label}.", err=True)
        return
    fits, spare = agenda.fitting()
    if as_json:
        echo_json(
            {
                "participant": participant_id,
                "minutes_available": agenda.minutes_available,
                "framing_minutes": agenda.framing_minutes,
                "items": [
                    {
                        "kind": i.kind,  # a stable key; "label" is what people read
                        "label": KIND_LABELS.get(i.kind, i.kind),
                        "ref": i.ref,
                        "text": i.text,
                        "priority": i.priority,
                        "minutes": i.minutes,
                        "reason": i.reason,
                        "fits": i in fits,
                    }
                    for i in agenda.items
                ],
            },
        )
        return
    person = agenda.participant
    echo(f"Plan for the next conversation with {person.label} {person.display}")
    echo(
        f"{minutes} minutes: {agenda.framing_minutes} for introduction, summing up and "
        f"reflections; {agenda.minutes_available} for the agenda "
        f"({agenda.total_minutes} suggested)."
    )
    if not agenda.items:
        echo("Nothing outstanding for this participant.")
        return
    elapsed = obj.method.stage(1).minutes  # the agenda starts after the introduction
    for item in fits:
        echo(f"  {elapsed:>3}' +{item.minutes:<3} [{item.priority}] {item.text}")
        echo(f"              from: {item.reason}")
        elapsed += item.minutes
    if spare:
        echo("If time allows:")
        for item in spare:
            echo(f"       +{item.minutes:<3} [{item.priority}] {item.text}")
            echo(f"              from: {item.reason}")


COMMANDS = [plan]
