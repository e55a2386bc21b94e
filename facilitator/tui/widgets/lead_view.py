"""The lead questioner's panel: one stage at a time, what to cover, time against the plan,
and — for the stages that need it — episodes and coverage, the participant's ranking,
queries from the overview and a recap.

Reading happens in one thread worker (an initial load, then a poll of the op log once a
second); the UI thread only renders immutable snapshots and writes single small ops
(a stage change, a tick, the ranking, a query raised).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget

from facilitator.analysis.queries import OverviewQuery, mark_raised, overview_queries
from facilitator.method import Method
from facilitator.tui.text import display_text
from facilitator.tui.widgets.lead_episodes import CoverageView, EpisodeList
from facilitator.tui.widgets.lead_model import ConversationWatch, LeadSnapshot, ranking_id, tick_id
from facilitator.tui.widgets.lead_queries import QueryList
from facilitator.tui.widgets.lead_ranking import RankingList
from facilitator.tui.widgets.lead_recap import Recap
from facilitator.tui.widgets.lead_stage import StageGuide, ToCover, guide_markdown
from facilitator.tui.widgets.lead_timers import LeadTopBar

if TYPE_CHECKING:
    from facilitator.store import Store

POLL_INTERVAL_S = 1.0
EPISODE_STAGES = (3, 4, 5)
QUERY_STAGE = 6
RANKING_STAGE = 5
RECAP_STAGE = 8


class LeadView(Vertical):
    """Everything the lead needs for one conversation; embedded by the lead and split screens."""

    class ConversationChanged(Message):
        """The lead started or ended the conversation (other panes may cache it)."""

    DEFAULT_CSS = """
    LeadView { height: 1fr; }
    LeadView > #lead-body { height: 1fr; }
    LeadView #lead-guide { width: 3fr; height: 1fr; border-right: vkey $primary 30%; }
    LeadView #lead-side { width: 2fr; height: 1fr; }
    LeadView.-narrow #lead-guide { width: 1fr; }
    LeadView.-narrow #lead-side { width: 1fr; }
    LeadView #lead-recap-scroll { height: 1fr; border: round $primary 40%; }
    LeadView #lead-recap-scroll:focus { border: round $primary; }
    LeadView #lead-coverage-scroll { height: auto; }
    LeadView.-narrow ToCover { max-height: 40%; }
    LeadView.-narrow EpisodeList { max-height: 35%; }
    """

    BINDINGS = [
        Binding("n", "step(1)", "Next", id="lead-next"),
        Binding("p", "step(-1)", "Previous", id="lead-previous"),
        Binding("1", "jump(1)", "Stage", key_display="1–9"),
        *[
            Binding(str(number), f"jump({number})", f"Stage {number}", show=False)
            for number in range(2, 10)
        ],
    ]

    def __init__(self, conversation_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation_id = conversation_id
        self.snapshot: LeadSnapshot | None = None
        self.queries: list[OverviewQuery] | None = None
        self.stage: int | None = None
        self.snapshot_before: LeadSnapshot | None = None
        self._shown_stage: int | None = None
        self._seen_events: set[str] = set()
        self._watch: ConversationWatch | None = None
        self._polling = False
        self._poll_again = False
        self._writes = 0  # local writes so far: a read begun before the latest one is stale
        self._force_snapshot = False
        self._kind = "worker"  # the participant's kind: a family member's prompts differ
        self._last_error: str | None = None
        self._queries_dirty = True

    # --- what the app provides --------------------------------------------------------

    @property
    def method(self) -> Method:
        return self.app.method  # type: ignore[attr-defined,no-any-return]

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined,no-any-return]

    def now_iso(self) -> str:
        return self.app.clock().isoformat(timespec="milliseconds")  # type: ignore[attr-defined]

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        method = self.method
        yield LeadTopBar(method, id="lead-top")
        with Horizontal(id="lead-body"):
            with VerticalScroll(id="lead-guide", can_focus=True):
                yield StageGuide(id="lead-guide-text")
            with VerticalScroll(id="lead-side", can_focus=False):
                yield ToCover(id="lead-cover")
                yield EpisodeList(method, id="lead-episodes")
                with VerticalScroll(id="lead-coverage-scroll", can_focus=False):
                    yield CoverageView(method, id="lead-coverage")
                yield RankingList(method, id="lead-ranking")
                yield QueryList(id="lead-queries")
                with VerticalScroll(id="lead-recap-scroll", can_focus=True):
                    yield Recap(method, id="lead-recap")

    def on_mount(self) -> None:
        who = ""
        try:
            from facilitator.dialogue.records import who_talks

            conversation = self.store.conversation(self.conversation_id)
            who = display_text(
                who_talks(
                    self.store, conversation.review, conversation.id, conversation.participant
                ),
                one_line=True,
            )
            if conversation.participant:  # a group meeting has none
                self._kind = self.store.participant(conversation.participant).kind
        except Exception:  # noqa: BLE001 - a missing participant must not stop the lead
            who = "participant unknown"
        self.query_one(LeadTopBar).who = who
        self._show_panels(None)
        self.tick()
        self.set_interval(POLL_INTERVAL_S, self.poll_now)
        self.set_interval(1.0, self.tick)
        self.poll_now()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    # --- reading: one worker at a time --------------------------------------------------

    def poll_now(self) -> None:
        """Look for new ops now (also called once a second). Never runs two reads at once."""
        if self._polling:
            self._poll_again = True
            return
        self._polling = True
        want_queries = self.stage == QUERY_STAGE and self._queries_dirty
        force, self._force_snapshot = self._force_snapshot, False
        self._read(want_queries, self._writes, force)

    def _wrote(self) -> None:
        """After a local write: read again, and ignore any read that began before it."""
        self._writes += 1
        self.poll_now()

    @work(thread=True, group="lead-read")
    def _read(self, want_queries: bool, writes: int, force: bool) -> None:
        snapshot: LeadSnapshot | None = None
        queries: list[OverviewQuery] | None = None
        error: str | None = None
        try:
            if self._watch is None:
                watch = ConversationWatch(self.store, self.conversation_id, self.method)
                watch.load()
                self._watch = watch
                snapshot = watch.snapshot()
                changed_queries = True
            else:
                changes = self._watch.poll()
                if changes or force:
                    snapshot = self._watch.snapshot()
                changed_queries = changes.queries
            if want_queries or (changed_queries and self.stage == QUERY_STAGE):
                queries = overview_queries(self.store, self.conversation_id)
        except Exception as exc:  # noqa: BLE001 - report, keep the screen usable
            error = f"Could not read the conversation: {exc}"
            changed_queries = False
        self.app.call_from_thread(self._applied, snapshot, queries, changed_queries, error, writes)

    def _applied(
        self,
        snapshot: LeadSnapshot | None,
        queries: list[OverviewQuery] | None,
        changed_queries: bool,
        error: str | None,
        writes: int,
    ) -> None:
        self._polling = False
        if error and error != self._last_error:
            self.notify(error, severity="error", timeout=10)
        self._last_error = error
        if writes < self._writes:
            # Begun before our latest write: showing it would briefly undo a key press.
            self._force_snapshot = True
            self._queries_dirty = True
            snapshot = queries = None
            self._poll_again = True
        if changed_queries and queries is None:
            self._queries_dirty = True
        if queries is not None:
            self.queries = queries
            self._queries_dirty = False
            self.query_one(QueryList).show(queries)
        if snapshot is not None:
            before = self.snapshot
            self.show(snapshot)
            if before is None or _status(before) != _status(snapshot):
                # Only when F2's meaning changes: refreshing bindings rebuilds the footer.
                self.screen.refresh_bindings()
        if self._poll_again:
            self._poll_again = False
            self.poll_now()

    # --- rendering ------------------------------------------------------------------------

    def show(self, snapshot: LeadSnapshot) -> None:
        self.snapshot = snapshot
        # Follow the stored stage only when a new stage event has arrived, so a read that
        # began just before a key press cannot briefly undo it.
        if snapshot.events and snapshot.events[-1].id not in self._seen_events:
            self.stage = snapshot.stage
        before = self.snapshot_before
        if (
            before is not None
            and before.conversation.ended_at
            and not snapshot.conversation.ended_at
        ):
            # Reopened (here or on the other laptop): back to the stage on record, not
            # one only looked at after the end.
            self.stage = snapshot.stage
        self.snapshot_before = snapshot
        self._seen_events.update(event.id for event in snapshot.events)
        self._render_stage()
        self.tick()

    def tick(self) -> None:
        """The once-a-second redraw of the timers (fixed size: no relayout)."""
        self.query_one(LeadTopBar).show(self.snapshot, self.stage, self.app.clock())  # type: ignore[attr-defined]

    def _render_stage(self) -> None:
        snapshot, stage_number = self.snapshot, self.stage
        if snapshot is None:
            return
        shown = stage_number or 1
        stage = self.method.stage(shown)
        if shown != self._shown_stage:
            self._shown_stage = shown
            self.query_one(StageGuide).update(guide_markdown(self.method, stage, self._kind))
            self.query_one("#lead-guide", VerticalScroll).scroll_home(animate=False)
            self._show_panels(shown)
            focused = self.screen.focused if self.is_mounted else None
            if shown == RECAP_STAGE and focused is not None and self in focused.ancestors:
                # The recap is what the lead reads from at this stage: it scrolls at once.
                self.query_one("#lead-recap-scroll").focus()
        self.query_one(ToCover).show_stage(stage.for_kind(self._kind), snapshot.ticks)
        if shown in EPISODE_STAGES:
            self.query_one(EpisodeList).show(snapshot)
            if shown != RANKING_STAGE:
                self._show_coverage()
        if shown == RANKING_STAGE:
            self._show_ranking()
        if shown == RECAP_STAGE:
            self.query_one(Recap).show(snapshot)

    def _show_panels(self, stage: int | None) -> None:
        visible = {
            "#lead-episodes": stage in EPISODE_STAGES,
            "#lead-coverage-scroll": stage in EPISODE_STAGES and stage != RANKING_STAGE,
            "#lead-ranking": stage == RANKING_STAGE,
            "#lead-queries": stage == QUERY_STAGE,
            "#lead-recap-scroll": stage == RECAP_STAGE,
        }
        focused = self.screen.focused if self.is_mounted else None
        for selector, show in visible.items():
            widget = self.query_one(selector)
            widget.display = show
            if (
                not show
                and focused is not None
                and (focused is widget or widget in focused.ancestors)
            ):
                self.query_one(ToCover).focus()
        if stage == QUERY_STAGE and self._queries_dirty:
            self.poll_now()

    def _show_coverage(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        episode = self.query_one(EpisodeList).chosen
        line = snapshot.episode(episode) if episode else None
        self.query_one(CoverageView).show(line, self._shown_stage or 3)

    def _show_ranking(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        episode = self.query_one(EpisodeList).chosen
        line = snapshot.episode(episode) if episode else None
        self.query_one(RankingList).show(
            snapshot.ranking,
            dict(snapshot.factor_totals),
            line.factors if line else None,
            line.episode.label if line else "",
            {key: dict(counts) for key, counts in snapshot.factor_ways},
        )

    @on(EpisodeList.Chosen)
    def _episode_chosen(self, event: EpisodeList.Chosen) -> None:
        event.stop()
        if self._shown_stage == RANKING_STAGE:
            self._show_ranking()
        else:
            self._show_coverage()

    # --- writing: single small ops on the UI thread -------------------------------------------

    def _conversation(self) -> Any:
        return self.snapshot.conversation if self.snapshot else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step", "jump"):
            return self.snapshot is not None
        return True

    def action_step(self, step: int) -> None:
        self.go_to(min(9, max(1, (self.stage or 0) + step)))

    def action_jump(self, number: int) -> None:
        self.go_to(number)

    def go_to(self, number: int) -> None:
        """Make ``number`` the current stage: a stage event op (starting the clock if needed)."""
        conversation = self._conversation()
        if conversation is None or not 1 <= number <= 9:
            return
        if conversation.ended_at:
            # After the end a stage key only shows that stage (to read the recap back,
            # say): it must not add stage time to a finished record.
            if number != self.stage:
                self.stage = number
                self._render_stage()
                self.tick()
                self.notify(
                    f"The conversation has ended: showing stage {number}, nothing recorded.",
                    timeout=3,
                )
            return
        store = self.store
        if not conversation.started_at:
            self.start()
            conversation = self._conversation()
        if number != self.stage:
            store.set_stage(conversation, number, at=self.now_iso())
            self._note_own_events()
        self.stage = number
        self._render_stage()
        self.tick()
        self._wrote()

    def start(self) -> None:
        """Start the conversation's clock (stage 1) if it has not started."""
        conversation = self._conversation()
        if conversation is None or conversation.started_at:
            return
        at = self.now_iso()
        self.store.start_conversation(conversation, at=at)
        self._note_own_events()
        self._refresh_conversation()
        self.post_message(self.ConversationChanged())
        if self.stage is None:
            self.stage = 1
        self._render_stage()
        self.tick()
        self._wrote()

    def end(self) -> None:
        conversation = self._conversation()
        if conversation is None or not conversation.started_at or conversation.ended_at:
            return
        self.store.end_conversation(conversation, at=self.now_iso())
        self._refresh_conversation()
        self.post_message(self.ConversationChanged())
        self.tick()
        self._wrote()

    def reopen(self) -> None:
        """Undo the end: stage keys record again, and the clock runs on."""
        conversation = self._conversation()
        if conversation is None or not conversation.ended_at:
            return
        self.store.reopen_conversation(conversation)
        # A stage looked at after the end was not recorded: the lead goes on from the
        # stage on record, with its clock.
        self.stage = self.store.current_stage(self.conversation_id) or self.stage
        self._render_stage()
        self._refresh_conversation()
        self.post_message(self.ConversationChanged())
        self.notify("Conversation reopened.", timeout=3)
        self.tick()
        self._wrote()

    def _note_own_events(self) -> None:
        # Our own stage events are already on screen; a read that began before them
        # must not move the view back.
        self._seen_events.update(e.id for e in self.store.stage_events(self.conversation_id))

    def _refresh_conversation(self) -> None:
        # The snapshot is immutable; swap in the conversation as it now stands.
        from dataclasses import replace

        if self.snapshot is not None:
            fresh = self.store.conversation(self.conversation_id)
            self.snapshot = replace(self.snapshot, conversation=fresh)

    def _save_for_conversation(self, entity: str, entity_id: str, **fields: object) -> None:
        """A tick or a ranking: one row of this conversation, then the view catches up."""
        conversation = self._conversation()
        if conversation is None:
            return
        self.store.update(
            conversation.review, entity, entity_id, conversation=conversation.id, **fields
        )
        self._wrote()

    @on(ToCover.Ticked)
    def _ticked(self, event: ToCover.Ticked) -> None:
        event.stop()
        self._save_for_conversation(
            "tick",
            tick_id(self.conversation_id, event.stage, event.index),
            stage=event.stage,
            item=event.text,
            done=int(event.done),
        )

    @on(RankingList.Changed)
    def _ranked(self, event: RankingList.Changed) -> None:
        event.stop()
        self._save_for_conversation(
            "ranking", ranking_id(self.conversation_id), factors=list(event.ranking)
        )

    @on(QueryList.Raise)
    def _raise(self, event: QueryList.Raise) -> None:
        event.stop()
        query = event.query
        mark_raised(self.store, query, not query.raised, conversation=self.conversation_id)
        self._queries_dirty = True
        self._wrote()

    # --- for the screens -------------------------------------------------------------------

    def focus_main(self) -> None:
        """Focus the widget most useful at this stage."""
        stage = self._shown_stage
        target: Widget = self.query_one(ToCover)
        if stage in EPISODE_STAGES:
            target = self.query_one(EpisodeList)
        elif stage == QUERY_STAGE:
            target = self.query_one(QueryList)
        elif stage == RECAP_STAGE:
            target = self.query_one("#lead-recap-scroll")
        # At once, not after a refresh: a key typed just after F5 must find it focused.
        self.screen.set_focus(target)


def _status(snapshot: LeadSnapshot) -> tuple[bool, bool]:
    conversation = snapshot.conversation
    return bool(conversation.started_at), bool(conversation.ended_at)
