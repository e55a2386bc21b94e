"""Sync conflicts: notes edited on two laptops at once (both versions kept) and fields two
laptops set at once. Choose a version (1, 2, ...) or merge (m, then ctrl+s): either way a
new revision on top of both, so the conflict is settled on every laptop once synced. A
field is shown in the team's words (labels, "linked", UK dates), and ``m`` is offered
only where a merged value can be typed (text the team wrote, not a link or a date)."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from facilitator.dates import uk_moment
from facilitator.sync import conflict_words as words
from facilitator.sync import conflicts as rules
from facilitator.tui.merge_drafts import MergeDraft
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.note_box import OrderedTextArea

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.sync_worker import SyncStatus, SyncWorker

Item = rules.NoteConflict | rules.FieldConflict


def key_of(item: Item) -> tuple[str, ...]:
    """What a row is about, the same across reloads (the cursor follows it)."""
    if isinstance(item, rules.NoteConflict):
        return ("note", item.note.id)
    return (item.entity, item.entity_id, item.field)


def _one_line(value: Any, width: int = 60) -> str:
    text = " ".join(str(value).split()) if value is not None else words.NOT_SET
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(item: Item, worded: words.Worded | None = None) -> Text:
    if isinstance(item, rules.NoteConflict):
        return Text(
            f"Note at {item.note.at[11:16]}: {len(item.heads)} versions · "
            f"{_one_line(item.note.text, 50)}"
        )
    if worded is None:
        return Text(item.title)
    return Text(_one_line(worded.summary, 110))


def sides(item: Item, worded: words.Worded | None = None) -> list[tuple[str, str]]:
    """(value as text, who) for each version, in the order the keys 1, 2, ... choose."""
    if isinstance(item, rules.NoteConflict):
        return [(r.text, f"{r.author or 'someone'} at {uk_moment(r.at)}") for r in item.heads]
    shown, other = (worded.winner, worded.other) if worded else ("", "")
    return [
        (shown, f"{item.winner.author} at {words.when(item.winner.at_ms)} (shown now)"),
        (other, f"{item.other.author} at {words.when(item.other.at_ms)}"),
    ]


def mergeable(item: Item | None) -> bool:
    """Whether ``m`` can act on this row: a note, or a field the team writes as text."""
    if isinstance(item, rules.NoteConflict):
        return True
    return isinstance(item, rules.FieldConflict) and words.editable(item)


def keys_for(item: Item) -> str:
    if isinstance(item, rules.NoteConflict):
        return "Keys: a number keeps that version; m merges them by hand."
    if mergeable(item):
        return "Keys: a number keeps that value; m writes one of your own from both."
    return "Keys: a number keeps that value."


class ConflictsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("1", "choose(1)", "Keep 1"),
        Binding("2", "choose(2)", "Keep 2"),
        Binding("3", "choose(3)", "Keep 3", show=False),
        Binding("m", "merge", "Merge"),
        Binding("ctrl+s", "save_merge", "Save merge"),
    ]
    # After the row under the cursor changes by itself (a row settled, a sync), a number
    # pressed this soon was meant for the row that went: it is not applied to the new one.
    LOOK_S = 0.8

    def __init__(self, review: str, worker: SyncWorker | None = None) -> None:
        super().__init__()
        self.review_id = review
        self.worker = worker
        self.items: list[Item] = []
        self.worded: list[words.Worded | None] = []
        self._recount_after_load = False
        self._merge_draft: MergeDraft | None = None  # the merge open in the box, kept per key
        self._merge_start = ""  # the versions the box opened with: not worth keeping
        self._seen_counts: tuple[frozenset[str], int] | None = None
        self._stale = False  # a reload waits for the merge box to close
        self._look_until = 0.0
        self._loads = 0  # reads of the list begun; only the latest is shown

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("Sync conflicts", id="conflict-title", markup=False)
        yield OptionList(id="conflict-list")
        yield Static("", id="conflict-detail", markup=False)
        yield Static("", id="merge-problem", markup=False)
        yield OrderedTextArea(id="merge-box")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.worker is not None:
            self._seen_counts = self._counts(self.worker.status)
            self.worker.changed.subscribe(self, self._sync_status)
        self.load()

    def on_unmount(self) -> None:
        if self.worker is not None:
            self.worker.changed.unsubscribe(self)
        if self._merge_draft is not None:
            self._merge_draft.close()  # the file stays: it is offered when m is pressed

    @staticmethod
    def _counts(status: SyncStatus) -> tuple[frozenset[str], int]:
        return status.conflicted_notes, status.field_conflicts

    def _sync_status(self, status: SyncStatus) -> None:
        """The status bar's conflict count moved (a resolution here or elsewhere, new
        conflicts pulled): read the list again so it never disagrees with the count."""
        counts = self._counts(status)
        if counts != self._seen_counts:
            self._seen_counts = counts
            self.refresh_from_store()

    @property
    def _box_open(self) -> bool:
        """Whether the merge box is open (False before the screen is composed or as it
        closes: asked by the key line and by sync at any moment)."""
        boxes = self.query("#merge-box")
        return bool(boxes) and boxes.first().has_class("-open")

    def refresh_from_store(self) -> None:
        """Called by the sync worker when ops arrive, and on a changed conflict count."""
        if self._box_open:
            # The row being merged must not change under the box; read on closing.
            self._stale = True
            return
        self.load()

    def load(self) -> None:
        """Read the list again in a thread; only the latest read is shown."""
        self._loads += 1
        self._read(self._loads)

    @work(thread=True, exclusive=True, group="conflicts")
    def _read(self, generation: int) -> None:
        store = self.facilitator.store
        method = self.facilitator.method
        items: list[Item] = [
            *rules.note_conflicts(store, self.review_id),
            *rules.field_conflicts(store, self.review_id),
        ]
        worded = [
            words.word(store, item, method) if isinstance(item, rules.FieldConflict) else None
            for item in items
        ]
        self.app.call_from_thread(self._show, items, worded, generation)

    def _show(self, items: list[Item], worded: list[words.Worded | None], generation: int) -> None:
        if generation != self._loads:
            # A read begun before a resolution (or a newer sync) finished after it: showing
            # it would bring back a settled row, and a cancelled thread still gets here.
            return
        before = self.current
        options = self.query_one("#conflict-list", OptionList)
        index_before = options.highlighted
        self.items = items
        self.worded = worded
        if self._recount_after_load and self.worker is not None:
            # Again now that this list has read the resolution: a sync round that was
            # counting while it was written must not leave the old count on screen.
            self._recount_after_load = False
            self.worker.forget_conflict_counts()
        options.clear_options()
        options.add_options(
            Option(describe(item, item_words), id=str(i))
            for i, (item, item_words) in enumerate(zip(items, worded, strict=True))
        )
        if items:
            keys = [key_of(item) for item in items]
            if before is not None and key_of(before) in keys:
                index = keys.index(key_of(before))  # the same conflict, wherever it moved
            else:
                index = min(index_before or 0, len(items) - 1)
                if before is not None:
                    self._look_until = monotonic() + self.LOOK_S
            options.highlighted = index
            self._show_detail()
            options.focus()
        else:
            self.query_one("#conflict-detail", Static).update(
                Text("No conflicts: every laptop's edits merged cleanly.")
            )
        self.refresh_bindings()

    @property
    def current(self) -> Item | None:
        index = self.query_one("#conflict-list", OptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    @property
    def current_words(self) -> words.Worded | None:
        index = self.query_one("#conflict-list", OptionList).highlighted
        return self.worded[index] if index is not None and index < len(self.worded) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()
        # The key line offers the keys that act on this row, and only those.
        self.refresh_bindings()

    def _show_detail(self, *, merging: bool = False) -> None:
        item = self.current
        if item is None:
            return
        detail = Text()
        worded = self.current_words
        if worded is not None:
            detail.append(f"{worded.subject}\n\n", style="bold")
        for number, (value, who) in enumerate(sides(item, worded), start=1):
            detail.append(f"{number}) ", style="bold")
            detail.append(f"{who}\n", style="italic")
            detail.append(f"{value}\n\n")
        detail.append(
            "Keys: type the merged text below; ctrl+s saves it, Escape goes back."
            if merging
            else keys_for(item)
        )
        if not merging and mergeable(item) and MergeDraft(self.facilitator.store, item).kept():
            detail.append("\nA merge you were typing was kept: m opens it.", style="bold")
        self.query_one("#conflict-detail", Static).update(detail)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        merging = self._box_open
        if action == "choose":
            item = self.current
            return item is not None and not merging and int(parameters[0]) <= len(sides(item))
        if action == "merge":
            return mergeable(self.current) and not merging
        if action == "save_merge":
            return merging
        return True

    # --- resolving ------------------------------------------------------------------------

    def action_choose(self, number: int) -> None:
        item = self.current
        if item is None or number > len(sides(item)):
            return
        if monotonic() < self._look_until:
            self.notify(
                "Not kept: the highlighted conflict has just changed. Read it, then press "
                "the number again.",
                severity="warning",
            )
            return
        store = self.facilitator.store
        if isinstance(item, rules.NoteConflict):
            rules.resolve_note(store, item.note, item.heads[number - 1].text)
        else:
            chosen = (item.winner, item.other)[number - 1]
            rules.resolve_field(store, item, chosen.value)
        self._resolved()

    def action_merge(self) -> None:
        item = self.current
        if not mergeable(item):
            return
        box = self.query_one("#merge-box", OrderedTextArea)
        if isinstance(item, rules.NoteConflict):
            versions = [revision.text for revision in item.heads]
        else:
            assert isinstance(item, rules.FieldConflict)
            # A side left empty gives the box no line of its own.
            versions = [
                str(s.value) for s in (item.winner, item.other) if s.value not in (None, "")
            ]
        self._merge_draft = MergeDraft(self.facilitator.store, item)  # type: ignore[arg-type]
        kept = self._merge_draft.kept()
        self._merge_start = "\n".join(versions)
        box.load_text(kept or self._merge_start)
        if kept:  # the terminal closed (or the app was killed) while it was typed
            box.move_cursor(box.document.end)
            self.notify("The merge you were typing is back: ctrl+s saves it.", timeout=6)
        else:
            # One version per line, typing at the end of the first (it went in at the start).
            box.cursor_to_end_of_first_line()
        box.add_class("-open")
        # The list gives the box its room (the detail above still says what is merged).
        self.add_class("-merging")
        self._show_detail(merging=True)
        box.focus()
        self.refresh_bindings()

    def action_save_merge(self) -> None:
        item = self.current
        box = self.query_one("#merge-box", OrderedTextArea)
        if not mergeable(item) or not box.has_class("-open"):
            return
        if isinstance(item, rules.NoteConflict):
            rules.resolve_note(self.facilitator.store, item.note, box.text)
        else:
            assert isinstance(item, rules.FieldConflict)
            problem = self._merged_value_problem(item, box.text)
            if problem:
                # Said where the eyes are; the box stays open with the text as typed.
                self._show_problem(problem)
                return
            value = box.text.strip() if words.one_line_only(item) else box.text.rstrip()
            rules.resolve_field(self.facilitator.store, item, value)
        self._close_box()
        self._resolved()

    @staticmethod
    def _merged_value_problem(item: rules.FieldConflict, text: str) -> str:
        field = words.field_words(item)
        if not text.strip():
            return f"Not saved: the {field} would be empty. Type it, or Escape and choose 1 or 2."
        if words.one_line_only(item) and "\n" in text.strip():
            return f"Not saved: the {field} is one line. Join the lines or delete one."
        return ""

    def _show_problem(self, message: str) -> None:
        problem = self.query_one("#merge-problem", Static)
        problem.update(Text(message))
        problem.add_class("-shown")

    def on_text_area_changed(self, event: OrderedTextArea.Changed) -> None:
        # Each key of a merge kept at once, before its handler returns: a closed terminal
        # or kill -9 runs no quit action, and the text was lost.
        if event.text_area.id == "merge-box" and self._merge_draft is not None:
            text = event.text_area.text
            self._merge_draft.keep("" if text == self._merge_start else text)

    def _close_box(self) -> None:
        # Saved, or given up with Escape: the merge is no longer kept.
        if self._merge_draft is not None:
            self._merge_draft.clear()
            self._merge_draft = None
        self.query_one("#merge-box", OrderedTextArea).remove_class("-open")
        self.remove_class("-merging")
        problem = self.query_one("#merge-problem", Static)
        problem.update("")
        problem.remove_class("-shown")

    def _resolved(self) -> None:
        self.notify("Resolved; other laptops see it after their next sync.")
        if self.worker is not None:
            self.worker.forget_conflict_counts()
            self._recount_after_load = True
        self._stale = False
        self.load()

    def action_close(self) -> None:
        box = self.query_one("#merge-box", OrderedTextArea)
        if box.has_class("-open"):
            self._close_box()
            self._show_detail()
            self.query_one("#conflict-list", OptionList).focus()
            self.refresh_bindings()
            if self._stale:
                self._stale = False
                self.load()
            return
        self.app.pop_screen()
