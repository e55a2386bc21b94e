"""What the store materialises from ops: one table per entity type.

Every materialised table has the columns ``id``, ``review``, ``deleted``, ``created`` (the
earliest clock value seen for the entity), ``updated`` (the latest) and ``clocks`` (a JSON
object: for each field, the stamp of the op that last set it), plus its fields.
Mutable entities merge per field, last writer wins by HLC. Immutable entities (stage
events, note revisions) are written once and never change.

Adding an entity or a field is a numbered migration in :mod:`facilitator.store.db`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    fields: dict[str, type]
    immutable: bool = False
    json_fields: tuple[str, ...] = ()


def _entity(
    entity_name: str,
    table: str,
    /,
    immutable: bool = False,
    json_fields: tuple[str, ...] = (),
    **fields: type,
) -> Entity:
    return Entity(entity_name, table, fields, immutable, json_fields)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        _entity("review", "reviews", title=str, questions=str, json_fields=("questions",)),
        _entity(
            "participant",
            "participants",
            role=str,
            agency=str,
            kind=str,
            name=str,
            pseudonym=str,
        ),
        _entity(
            "conversation",
            "conversations",
            participant=str,
            lead=str,
            note_taker=str,
            planned_at=str,
            planned_minutes=int,
            started_at=str,
            ended_at=str,
        ),
        _entity(
            "stage_event",
            "stage_events",
            immutable=True,
            conversation=str,
            stage=int,
            at=str,
            by=str,
        ),
        _entity(
            "note",
            "notes",
            json_fields=("problems", "deleted_seen"),
            conversation=str,
            at=str,
            elapsed_s=float,
            stage=int,
            kind=str,
            author=str,
            device=str,
            problems=str,
            document=str,
            passage=str,
            deleted_seen=str,
            tombstone=int,
        ),
        _entity(
            "revision",
            "note_revisions",
            immutable=True,
            json_fields=("parents",),
            note=str,
            text=str,
            parents=str,
            at=str,
            author=str,
        ),
        _entity(
            "episode",
            "episodes",
            title=str,
            date_text=str,
            date_start=str,
            date_end=str,
            description=str,
            team_good=str,
            team_problematic=str,
            merged_into=str,
            team_significance=str,
            team_information=str,
        ),
        _entity(
            "link",
            "links",
            source_kind=str,
            source=str,
            target_kind=str,
            target=str,
            relation=str,
            present=int,
        ),
        _entity(
            "follow_up",
            "follow_ups",
            conversation=str,
            participant=str,
            note=str,
            text=str,
            status=str,
            raised_in=str,
        ),
        _entity(
            "document",
            "documents",
            title=str,
            agency=str,
            filename=str,
            text=str,
            imported_at=str,
        ),
        _entity(
            "chronology",
            "chronology",
            document=str,
            date=str,
            text=str,
            episode=str,
            status=str,
        ),
        _entity("ranking", "rankings", json_fields=("factors",), conversation=str, factors=str),
        _entity("tick", "ticks", conversation=str, stage=int, item=str, done=int),
        _entity(
            "agenda_item",
            "agenda_items",
            conversation=str,
            kind=str,
            ref=str,
            text=str,
            priority=int,
            minutes=int,
            status=str,
        ),
        _entity(
            "pattern",
            "patterns",
            json_fields=("types",),
            type=str,
            title=str,
            description=str,
            widespread=int,
            relevance=int,
            priority=int,
            types=str,  # every type the pattern is of; ``type`` keeps the first
            effect=str,  # "helps" good practice or "hinders" (problematic more likely)
            reasons=str,  # the team's reasons for its priority
        ),
        _entity(
            "recommendation",
            "recommendations",
            kind=str,
            text=str,
            pattern=str,
            priority=int,
            owner=str,  # who should act on it
        ),
        _entity("redaction", "redactions", text=str, replacement=str, source=str),
        # The dialogue with participants (guide 3.4.4): frozen drafts, who was sent which,
        # what they sent back, the team's answers, and the group meetings.
        _entity(
            "draft",
            "dialogue_drafts",
            immutable=True,
            json_fields=("content",),
            kind=str,
            frozen_at=str,
            by=str,
            content=str,
        ),
        _entity("draft_send", "draft_sends", draft=str, participant=str, at=str, by=str),
        _entity(
            "comment",
            "dialogue_comments",
            draft=str,
            participant=str,
            source=str,
            kind=str,
            text=str,
            quote=str,
            target_kind=str,
            target=str,
            target_label=str,
            anchor=str,
            near=str,
            received_at=str,
            file_author=str,
            file_date=str,
            filename=str,
            by=str,
        ),
        _entity("answer", "comment_answers", comment=str, response=str, note=str, by=str, at=str),
        _entity(
            "meeting",
            "meetings",
            json_fields=("attended",),
            kind=str,
            at=str,
            attended=str,
            draft=str,
            conversation=str,
        ),
    )
}

MATERIALISED_TABLES = tuple(e.table for e in ENTITIES.values())
