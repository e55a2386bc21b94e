"""Sync conflicts: notes edited on two laptops at once (both versions kept) and fields two
laptops set at once. Choose a version (1, 2, ...) or merge (m, then ctrl+s): either way a
new revision on top of both, so the conflict is settled on every laptop once synced. A
field is shown in the team's words (labels, "linked", UK dates), and ``m`` is offered
only where a merged value can be typed (text the team wrote, not a link or a date)."""

from __future__ import annotations

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
    from facilitator.tui.sync_worker import SyncWorker

Item = rules.NoteConflict | rules.FieldConflict


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

    def __init__(self, review: str, worker: SyncWorker | None = None) -> None:
        super().__init__()
        self.review_id = review
        self.worker = worker
        self.items: list[Item] = []
        self.worded: list[words.Worded | None] = []
        self._recount_after_load = False
        self._merge_draft: MergeDraft | None = None  # the merge open in the box, kept per key
        self._merge_start = ""  # the versions the box opened with: not worth keeping

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
        self.load()

    @work(thread=True, exclusive=True, group="conflicts")
    def load(self) -> None:
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
        self.app.call_from_thread(self._show, items, worded)

    def _show(self, items: list[Item], worded: list[words.Worded | None]) -> None:
        self.items = items
        self.worded = worded
        if self._recount_after_load and self.worker is not None:
            # Again now that this list has read the resolution: a sync round that was
            # counting while it was written must not leave the old count on screen.
            self._recount_after_load = False
            self.worker.forget_conflict_counts()
        options = self.query_one("#conflict-list", OptionList)
        options.clear_options()
        options.add_options(
            Option(describe(item, item_words), id=str(i))
            for i, (item, item_words) in enumerate(zip(items, worded, strict=True))
        )
        if items:
            options.highlighted = 0
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
        # Asked for the key line too, before the screen is composed or as it closes.
        boxes = self.query("#merge-box")
        merging = bool(boxes) and boxes.first().has_class("-open")
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

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Each key of a merge kept at once, before its handler returns: a closed terminal
        # or kill -9 runs no quit action, and the text was lost.
        if event.text_area.id == "merge-box" and self._merge_draft is not None:
            text = event.text_area.text
            self._merge_draft.keep("" if text == self._merge_start else text)

    def on_unmount(self) -> None:
        if self._merge_draft is not None:
            self._merge_draft.close()  # the file stays: it is offered when m is pressed

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
        self.load()

    def action_close(self) -> None:
        box = self.query_one("#merge-box", OrderedTextArea)
        if box.has_class("-open"):
            self._close_box()
            self._show_detail()
            self.query_one("#conflict-list", OptionList).focus()
            self.refresh_bindings()
            return
        self.app.pop_screen()
