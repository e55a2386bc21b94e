"""The one object the TUI and the CLI use: the store, the method and the note grammar
together, as the actions a reviewer takes ("record this note", "edit that note").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from facilitator import capture
from facilitator.analysis.episodes import TEAM_SOURCE
from facilitator.dates import parse_moment
from facilitator.method import Method
from facilitator.model import Conversation, Episode, Note
from facilitator.store import Store


@dataclass(frozen=True)
class Recorded:
    note_id: str
    parsed: capture.ParsedNote
    problems: tuple[str, ...]
    new_episodes: tuple[str, ...]
    # An edit of a "#new" line: labels of the episodes it named that followed the new
    # title or date, and of those left as they are because they were changed elsewhere.
    renamed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    # The moment a planned conversation was started with this note (``start=True``).
    started: str | None = None


def elapsed_seconds(conversation: Conversation, at: str) -> float | None:
    start, moment = parse_moment(conversation.started_at), parse_moment(at)
    if start is None or moment is None:
        return None
    return max(0.0, (moment - start).total_seconds())


class Service:
    def __init__(self, store: Store, method: Method) -> None:
        self.store = store
        self.method = method

    def episode_numbers(self, review: str) -> dict[int, Episode]:
        return {int(e.label[1:]): e for e in self.store.episodes(review)}

    def record_note(
        self,
        conversation: Conversation,
        line: str,
        *,
        at: str | None = None,
        stage: int | None = None,
        elapsed_s: float | None = None,
        document: str | None = None,
        passage: str | None = None,
        start: bool = False,
    ) -> Recorded:
        """Parse a typed line and save it durably, creating any ``#new`` episodes with it.
        Without ``stage``, the note takes the stage in effect at ``at`` (now by default).

        ``document``/``passage`` cite an imported agency record the note draws on.

        With ``start``, a conversation that is only planned is started with the note, at
        its moment (``Recorded.started`` says when): notes are taken in a conversation
        that is under way. The conversation is read again first, so a start that reached
        this laptop meanwhile (the lead's, by sync) is kept, not made again.
        """
        if start and conversation.id != TEAM_SOURCE:
            with self.store.transaction():  # started and noted in one commit, or neither
                conversation = self.store.conversation(conversation.id)
                started = None
                if not conversation.started_at:
                    started = at or self.store.now_iso()
                    self.store.start_conversation(conversation, at=started)
                    conversation = self.store.conversation(conversation.id)
                    stage = None  # the stage it starts in
                recorded = self.record_note(
                    conversation, line, at=started or at, stage=stage, elapsed_s=elapsed_s,
                    document=document, passage=passage,
                )  # fmt: skip
            return replace(recorded, started=started)
        parsed = capture.parse(line, self.method)
        if stage is None:
            # A note dated in the past belongs to the stage in effect then, not now.
            stage = (
                self.store.stage_at(conversation.id, at)
                if at
                else self.store.current_stage(conversation.id)
            )
        at = at or self.store.now_iso()
        if elapsed_s is None:
            elapsed_s = elapsed_seconds(conversation, at)
        problems = list(parsed.problems)
        with self.store.transaction():
            episode_ids = self._resolve_numbers(conversation.review, parsed, problems)
            created, linked = [], []
            for new in parsed.new_episodes:
                created.append(self._create_episode(conversation.review, new))
                if not new.private:  # the team's aside names it; the account is not of it
                    linked.append(created[-1])
            note_id = self.store.add_note(
                conversation,
                parsed.text,
                kind=parsed.kind,
                at=at,
                elapsed_s=elapsed_s,
                stage=stage,
                episodes=[*episode_ids, *linked],
                factors=parsed.factors,
                prompts=parsed.prompts,
                directions=_marked(parsed),
                problems=problems,
                document=document,
                passage=passage,
            )
        return Recorded(note_id, parsed, tuple(problems), tuple(created))

    def record_team_note(
        self,
        review: str,
        line: str,
        *,
        at: str | None = None,
        document: str | None = None,
        passage: str | None = None,
    ) -> Recorded:
        """A working note of the review team's own, on the review or on a record (with
        ``document``): the same grammar as any note, but it belongs to no participant's
        conversation, so it is never taken for what someone said. It is an op like every
        note, so it syncs to the other laptops."""
        self.store.review(review)  # a clear error for an unknown review
        team = Conversation(TEAM_SOURCE, "", review, "", 0)
        return self.record_note(
            team, line, at=at or self.store.now_iso(), stage=None, elapsed_s=None,
            document=document, passage=passage,
        )  # fmt: skip

    def _create_episode(self, review: str, new: capture.NewEpisode) -> str:
        """An episode typed as ``#new Title (date)``, with its date span if it was readable."""
        start = new.date.start.isoformat() if new.date and new.date.start else None
        end = new.date.end.isoformat() if new.date and new.date.end else None
        return self.store.create_episode(
            review, new.title, date_text=new.date_text, date_start=start, date_end=end
        )

    def _resolve_numbers(
        self, review: str, parsed: capture.ParsedNote, problems: list[str]
    ) -> list[str]:
        if not parsed.episode_numbers:
            return []
        known = self.episode_numbers(review)
        ids = []
        for number in parsed.episode_numbers:
            if number in known:
                ids.append(known[number].id)
            else:
                problems.append(capture.unknown_episode(number))
        return ids

    def edit_note(self, note: Note, line: str) -> Recorded:
        """A new revision of the note's text; kind and links follow the edited line.

        ``#new`` in an edited line creates an episode only if the note is not already
        linked to an episode of that title, so re-saving an edit never duplicates one.
        A changed title or date in the ``#new`` that named an episode renames or redates
        that episode (a typo fixed is not a second episode), unless someone changed the
        episode since: then it is left as it is, and ``kept`` says so.
        """
        # A working note of the team's has no conversation (see record_team_note).
        conversation = (
            self.store.conversation(note.conversation)
            if note.conversation
            else Conversation(TEAM_SOURCE, "", note.review, "", 0)
        )
        parsed = capture.parse(line, self.method)
        problems = list(parsed.problems)
        review = note.review
        created: list[str] = []
        unlinked: list[str] = []
        renamed: list[str] = []
        kept: list[str] = []
        with self.store.transaction():
            episode_ids = self._resolve_numbers(review, parsed, problems)
            # The note's episodes other than those the edited line names by number: the
            # ones its "#new" made, paired with the old line's "#new"s by title, else in order.
            named = [
                e
                for e in self.store.episodes(review)
                if e.id in note.episodes and e.id not in episode_ids
            ]
            by_title = {e.title.lower(): e for e in named}
            before = capture.parse(note.text, self.method).new_episodes
            spare = [e for e in named if e.title.lower() not in {o.title.lower() for o in before}]
            paired = [
                by_title.get(old.title.lower()) or (spare.pop(0) if spare else None)
                for old in before
            ]
            for index, new in enumerate(parsed.new_episodes):
                old = before[index] if index < len(before) else None
                was = paired[index] if index < len(before) else None
                episode = by_title.get(new.title.lower()) or was
                if episode is None:
                    created.append(self._create_episode(review, new))
                    if new.private:  # made by the team's aside: not the account's episode
                        unlinked.append(created[-1])
                    continue
                if not new.private:
                    episode_ids.append(episode.id)
                if (
                    old is None
                    or episode is not was
                    or (new.title, new.date_text)
                    == (
                        old.title,
                        old.date_text,
                    )
                ):
                    continue
                if (episode.title, episode.date_text or None) != (old.title, old.date_text):
                    kept.append(episode.label)  # changed elsewhere since: theirs stands
                    continue
                changes: dict[str, str] = {}
                if new.title != episode.title:
                    changes["title"] = new.title
                if new.date_text != old.date_text:
                    changes.update(_date_fields(new))
                self.store.update(review, "episode", episode.id, **changes)
                renamed.append(episode.label)
            episode_ids += [e for e in created if e not in unlinked]
            self.store.revise_note(note, parsed.text)
            fields: dict = {"problems": problems}
            if parsed.kind != note.kind:
                fields["kind"] = parsed.kind
            self.store.update(review, "note", note.id, **fields)
            self._relink(note, "episode", note.episodes, episode_ids)
            self._relink(note, "factor", note.factors, parsed.factors)
            self._relink(note, "prompt", note.prompts, parsed.prompts)
            marked = _marked(parsed)
            for old in set(note.directions) - set(marked):
                self.store.link_direction(review, note.id, old, present=False)
            for new in marked:
                if new not in note.directions:
                    self.store.link_direction(review, note.id, new)
            if parsed.kind == "followup" and note.kind != "followup":
                self.store.add_follow_up(
                    review,
                    parsed.text,
                    conversation=conversation.id,
                    participant=conversation.participant,
                    note=note.id,
                )
        return Recorded(
            note.id, parsed, tuple(problems), tuple(created), tuple(renamed), tuple(kept)
        )

    def _relink(self, note: Note, kind: str, old: tuple[str, ...], new: list[str]) -> None:
        for target in set(old) - set(new):
            self.store.link(note.review, note.id, kind, target, present=False)
        for target in new:
            if target not in old:
                self.store.link(note.review, note.id, kind, target)

    def set_kind(self, note: Note, kind: str) -> None:
        self.method.kind(kind)  # raises KeyError for an unknown kind
        self.store.update(note.review, "note", note.id, kind=kind)

    def delete_note(self, note: Note) -> None:
        self.store.delete(note.review, "note", note.id)

    def undelete_note(self, note: Note) -> None:
        self.store.restore(note.review, "note", note.id)


def _marked(parsed: capture.ParsedNote) -> list[str]:
    """The line's factor directions as stored: "resources+", "team-"."""
    return [key + sign for key, sign in parsed.directions.items()]


def _date_fields(new: capture.NewEpisode) -> dict[str, str]:
    """An episode's date fields as a ``#new`` line gives them ("" clears a field)."""
    return {
        "date_text": new.date_text or "",
        "date_start": new.date.start.isoformat() if new.date and new.date.start else "",
        "date_end": new.date.end.isoformat() if new.date and new.date.end else "",
    }
