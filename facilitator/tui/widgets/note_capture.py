"""Note capture: earlier notes above, the note box below. Used by the note-taker's screen
and embedded by the split view beside the lead's panel.

The timestamp, elapsed time and stage of a note are taken when its first character is
typed, not when Enter is pressed. The text being typed is kept as a draft on every key
(a small file, written before the key's handler returns) and in the store a moment later
(in a worker thread), so a crash or a closed terminal loses nothing (tui/drafts.py).

The list follows the op log (a :class:`NoteWatch` polled in a worker thread every
``WATCH_INTERVAL_S``): notes and edits from the lead's pane or from other laptops, and
conflicts merged anywhere, appear without reopening the screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content, Span
from textual.events import Key, Paste
from textual.message import Message
from textual.timer import Timer
from textual.visual import RulesMap
from textual.widget import Widget
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option, OptionDoesNotExist

from facilitator import capture
from facilitator.analysis.coverage import is_evidence, is_team_view
from facilitator.collector import collector_paused
from facilitator.method import Method
from facilitator.model import Conversation, Draft, Note
from facilitator.service import Recorded
from facilitator.store.db import StoreError
from facilitator.tui.drafts import DraftKeeper
from facilitator.tui.note_watch import NoteChanges, NoteWatch
from facilitator.tui.text import display_text
from facilitator.tui.widgets.note_box import NoteBox

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp

DRAFT_SAVE_DELAY_S = 0.25  # the store's copy; the draft file is written on every key
# A note longer than this is read for the preview once typing pauses, not on every key.
PREVIEW_AT_ONCE_CHARS = 4_000
PREVIEW_DELAY_S = 0.3
DEFAULT_HINTS = (
    "Tab: @tag · Up: earlier notes · F1: help",
    "Tab: @tag · Up: notes · F1: help",
    "Tab: @tag · F1: help",
)
WATCH_INTERVAL_S = 0.5
ROW_CHARACTERS = 600
KIND_STYLES = {
    "observation": "",
    "quote": "italic",
    "followup": "bold $warning",
    "discrepancy": "bold $error",
    "reflection": "$secondary",
    "went_well": "$success",
    "idea": "$accent",
}


def kind_marker(kind: str, method: Method) -> str:
    """The typed prefix of a kind, as a two-character column (observations get a dot)."""
    try:
        prefix = method.kind(kind).prefix
    except KeyError:
        prefix = "?"
    return (prefix or "·").ljust(2)


# Episode id -> (label, title): what a note's ``#N`` is shown and edited as.
EpisodeRefs = Mapping[str, tuple[str, str]]


def shown_text(note: Note, method: Method, episodes: EpisodeRefs | None) -> str:
    """The note's text with each ``#N`` naming the episode the note is linked to now (a
    sync may have renumbered it since it was typed; see capture.current_refs)."""
    if not episodes or not note.episodes or "#" not in note.text:
        return note.text
    linked = [episodes[e] for e in note.episodes if e in episodes]
    return capture.current_refs(note.text, linked, method)


def note_line(note: Note, method: Method, episodes: EpisodeRefs | None = None) -> str:
    """The note as one typed line again (kind prefix + text), for editing: its ``#N``
    as the current labels of its episodes, so saving the edit keeps the same links."""
    try:
        prefix = method.kind(note.kind).prefix
    except KeyError:
        prefix = ""
    text = shown_text(note, method, episodes)
    return f"{prefix} {text}" if prefix else text


class NoteRow(Content):
    """A row of the earlier-notes list.

    Textual measures every option by wrapping it to the list's width, which for 5,000
    notes is most of the cost of opening a conversation. A row with no line break or tab
    that fits the width is one line whatever the wrapping rules, so it is not wrapped to
    find that out; longer rows are measured (and wrapped on screen) as usual.
    """

    def get_height(self, rules: RulesMap, width: int) -> int:
        text = self.plain
        if (
            self.cell_length <= width - 2 * rules.get("line_pad", 0)
            and "\n" not in text
            and "\t" not in text
        ):
            return 1
        return super().get_height(rules, width)


_row_styles: tuple[Method, dict[str, tuple[str, str, str]]] | None = None


def _kind_styles(method: Method) -> dict[str, tuple[str, str, str]]:
    """Per kind: (marker column, marker style, text style), worked out once per method."""
    global _row_styles
    if _row_styles is None or _row_styles[0] is not method:
        styles = {}
        for kind in method.note_kinds:
            text_style = KIND_STYLES.get(kind.key, "")
            styles[kind.key] = (kind_marker(kind.key, method), text_style or "bold", text_style)
        _row_styles = (method, styles)
    return _row_styles[1]


def note_prompt(
    note: Note, method: Method, *, deleted: bool = False, episodes: EpisodeRefs | None = None
) -> Content:
    """One row of the earlier-notes list. The note's text is never read as markup."""
    clock = note.at[11:19] if len(note.at) >= 19 else note.at
    stage = f"S{note.stage}" if note.stage else "S-"
    text = display_text(shown_text(note, method, episodes)[:ROW_CHARACTERS], one_line=True)
    if len(note.text) > ROW_CHARACTERS:
        # A pasted megabyte stays whole in the store; the row shows its start (e to see all).
        text += f" … ({len(note.text) - ROW_CHARACTERS:,} more characters)"
    # The row's text and style spans are put together directly (Content.assemble's
    # generality is measurable 5,000 times over); display_text has already made every
    # control character visible, so Content need not look for them again.
    head = f"{clock} {stage:<3}"
    pieces = [head, " "]
    spans = [Span(0, len(head), "dim")]
    position = len(head) + 1
    if deleted:
        pieces += ["deleted: ", text]
        spans += [
            Span(position, position + 9, "bold"),
            Span(position + 9, position + 9 + len(text), "strike dim"),
        ]
        return NoteRow("".join(pieces), spans, strip_control_codes=False)
    known = _kind_styles(method).get(note.kind)
    marker, marker_style, text_style = known or (kind_marker(note.kind, method), "bold", "")
    pieces += [marker, text]
    spans.append(Span(position, position + len(marker), marker_style))
    position += len(marker)
    if text_style:
        spans.append(Span(position, position + len(text), text_style))
    position += len(text)
    if note.problems:
        problem = display_text(note.problems[0])
        pieces += ["  ⚠ ", problem]
        spans += [
            Span(position, position + 4, "bold $warning"),
            Span(position + 4, position + 4 + len(problem), "$warning"),
        ]
        position += 4 + len(problem)
    if note.conflict:
        flag = "  ⚠ conflicting edits"
        pieces.append(flag)
        spans.append(Span(position, position + len(flag), "bold $error"))
    return NoteRow("".join(pieces), spans, strip_control_codes=False)


class NotesList(OptionList):
    """Earlier notes, one option each (a line-cached list: appending is cheap)."""

    BINDINGS = [
        Binding("e", "edit", "Edit"),
        Binding("k", "kind", "Kind"),
        Binding("d", "delete", "Delete"),
        Binding("u", "undelete", "Undo delete"),
        Binding("h", "history", "History"),
        Binding("escape", "back", "Back to typing"),
        Binding("i", "back", "Back to typing", show=False),
    ]

    COMMAND_KEYS = frozenset("ekduhi")
    # A command letter waits this long for the next key: a letter after it within this
    # time is typing (an accidental Up, then "dad said" at a typist's pace, deleted the
    # last note), and both go to the box. Pressed on its own, it acts when this ends.
    HOLD_S = 0.4
    holds_keys = True  # the app: this list, naming itself as typing target, took the key

    _held: Key | None = None
    _held_timer: Timer | None = None

    def _capture(self) -> NoteCapture:
        return self.query_ancestor(NoteCapture)

    async def _on_key(self, event: Key) -> None:
        if self._held is not None:
            # Another key (not typing: typing_target took that) before the command
            # acted: act now, then this key as usual.
            await self._act_held()
        await super()._on_key(event)

    def _take_held(self) -> Key | None:
        """The held command letter, if any, no longer held (its timer stopped)."""
        held, self._held = self._held, None
        if self._held_timer is not None:
            self._held_timer.stop()
            self._held_timer = None
        return held

    async def _act_held(self) -> None:
        held = self._take_held()
        if held is None:
            return
        for binding in self._bindings.key_to_bindings.get(held.key, ()):
            if self.check_action(binding.action, ()) is not False:
                await self.run_action(binding.action)
            return

    def _held_to_box(self, box: NoteBox) -> None:
        """The held letter was the start of a word: it goes to the box, before the key
        that showed it."""
        held = self._take_held()
        if held is not None:
            box._forward_event(Key(held.key, held.character))

    def typing_target(self, event: Key | Paste, burst: bool) -> Widget | None:
        """Where a key or paste goes instead of this list (the app asks; see
        ``FacilitatorApp.on_event``): the note box, for anything that is typing.

        A paste, a printable key that is no list command, and any printable key that
        came in a burst (Up or Shift+Tab and a sentence in one read) are typing: they go
        to the box with focus, so nothing typed deletes or edits a note. A list command
        acts only when pressed on its own: it is held (this list is returned: the key is
        taken) for ``HOLD_S``, and a letter typed meanwhile sends both to the box.
        """
        box = self._capture().box
        if isinstance(event, Paste) or (event.is_printable and self._held is not None):
            self._held_to_box(box)
            self.highlighted = None
            return box
        if not event.is_printable:
            return None
        if burst or event.character not in self.COMMAND_KEYS:
            self.highlighted = None
            return box
        # A command letter on its own so far: held here (this list, returned, takes it)
        # until the next key shows whether it starts a word.
        self._held = event
        self._held_timer = self.set_timer(self.HOLD_S, self._act_held)
        return self

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "kind", "delete", "history", "undelete"):
            capture_ = self._capture()
            note = capture_.highlighted_note()
            if action == "undelete":
                return bool(capture_.deleted_stack)
            return note is not None and note.id not in capture_.deleted
        return True

    def action_edit(self) -> None:
        self._capture().edit_highlighted()

    def action_kind(self) -> None:
        self._capture().change_kind_of_highlighted()

    def action_delete(self) -> None:
        self._capture().delete_highlighted()

    def action_undelete(self) -> None:
        self._capture().undo_delete()

    def action_history(self) -> None:
        self._capture().show_history()

    def action_back(self) -> None:
        self._capture().focus_box()


class NoteCapture(Vertical):
    """Earlier notes, a status line, the note box and a completion hint."""

    DEFAULT_CSS = """
    NoteCapture { height: 1fr; }
    NoteCapture > NotesList { height: 1fr; border: none; scrollbar-gutter: stable; }
    NoteCapture > #capture-status { height: 1; padding: 0 1; color: $text-muted; }
    NoteCapture > #capture-status.-problem { color: $warning; text-style: bold; }
    NoteCapture > #capture-status.-recovered { color: $warning; text-style: bold; }
    /* A fixed height: a box that grows with its text relays out the screen per key. */
    NoteCapture > NoteBox.-textual-compact { height: 3; background: $boost; }
    NoteCapture > NoteBox.-textual-compact:focus { background: $primary 15%; }
    NoteCapture > #capture-preview { height: 2; padding: 0 1; }
    NoteCapture > #capture-preview.-problem { color: $warning; }
    NoteCapture > #capture-hint { height: 1; padding: 0 1; color: $text-muted; }
    """

    class Changed(Message):
        """Notes were recorded, edited, deleted or restored (counts may have moved)."""

        def __init__(
            self, capture_: NoteCapture, *, episodes_changed: bool = False, started: bool = False
        ) -> None:
            super().__init__()
            self.capture = capture_
            self.episodes_changed = episodes_changed
            self.started = started  # the note started a planned conversation

    def __init__(self, conversation_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation_id = conversation_id
        self.notes: dict[str, Note] = {}
        self.deleted: set[str] = set()
        self.deleted_stack: list[str] = []
        self.factor_counts: Counter[str] = Counter()
        self.episode_counts: Counter[str] = Counter()
        self.recovered_draft = False
        self._started_at: str | None = None
        self._stage_then: int | None = None
        self._draft_timer: Timer | None = None
        self._hint = ""
        self._preview = ""
        self._preview_stale = True
        self._preview_timer: Timer | None = None
        self._saved_draft = ""  # the text last sent to the draft store
        self._unsaved_edit = ""  # typed in the edit dialog, not saved: kept in the draft
        self.episode_titles: dict[int, str] = {}
        self.episode_refs: dict[str, tuple[str, str]] = {}
        self._watching = False
        self._writes = 0  # local writes so far: a poll begun before the latest one is stale

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        method = self.facilitator.method
        # Rows are given at construction, so the list measures them once when laid out.
        yield NotesList(*self._read_notes(), id="earlier-notes")
        yield Static("", id="capture-status", markup=False)
        yield NoteBox(
            id="note-box",
            complete=lambda fragment: capture.complete_tag(fragment, method),
            on_submit=self.record,
            # Empty, the box shows what it is for (beside the lead's panel it is one pane
            # among several).
            placeholder="Type a note here",
        )
        yield Static("", id="capture-preview", markup=False)
        yield Static("", id="capture-hint", markup=False)

    @property
    def box(self) -> NoteBox:
        return self.query_one(NoteBox)

    @property
    def notes_list(self) -> NotesList:
        return self.query_one(NotesList)

    def on_mount(self) -> None:
        store = self.facilitator.store
        self.conversation: Conversation = store.conversation(self.conversation_id)
        self.drafts = DraftKeeper(store, self.conversation_id)
        self.load_episode_titles()
        # No row is highlighted while typing; moving into the list starts at the latest.
        self.notes_list.highlighted = None
        self.call_after_refresh(self.notes_list.scroll_end, animate=False, immediate=True)
        alone = self.drafts.claim()  # this window's own slot, before its draft is read
        draft = self.drafts.recover()
        taken = self._take_in_orphans(draft)
        windows = taken + (draft is not None)
        if taken:
            draft = self.drafts.recover()
        if draft is not None:
            self._started_at = draft.started_at or draft.saved_at
            self._stage_then = self._stage_at(self._started_at)
            self._saved_draft = draft.text
            self.box.load_text(draft.text)
            self.box.move_cursor(self.box.document.end)
            self.recovered_draft = True
            begun = self._started_at[11:16]
            # Short: two lines of 24 columns in the split view at 80x24 (one of 50 on the
            # notes screen).
            self.set_status(
                f"{windows} windows' drafts recovered, one a line."
                if windows > 1
                else f"Recovered draft from {begun}: Enter saves.",
                "-recovered",
            )
        if not alone:
            self.set_status("Open in another window too: each keeps a draft.", "-problem")
        self.box.focus()
        self._show_hint()
        self.set_interval(WATCH_INTERVAL_S, self.poll_now)

    def _take_in_orphans(self, own: Draft | None) -> int:
        """Drafts left by other windows on this conversation that closed without saving
        (a crash of both): taken into this window's draft, one after the other, so
        nothing typed in either is lost. Returns how many were taken in."""
        orphans = self.drafts.orphans()
        if not orphans:
            return 0
        drafts = ([own] if own is not None else []) + orphans
        started = [d.started_at for d in drafts if d.started_at]
        self.drafts.take_in("\n".join(d.text for d in drafts), min(started) if started else None)
        return len(orphans)

    def on_resize(self) -> None:
        # The hint is fitted to the width: fit it again (on mount the width is not known).
        self._hint = ""
        self.call_after_refresh(self._show_hint)
        # Rows rewrap at a new size and the list kept its old offset, newest notes off
        # screen: while typing, the end stays in view.
        self.call_after_refresh(self._show_newest)

    def on_unmount(self) -> None:
        self.drafts.file.close()  # the draft file is kept open while the box is on screen
        self.drafts.release()

    # --- following the op log -------------------------------------------------------

    def poll_now(self) -> None:
        """Look for ops from elsewhere now (also called every ``WATCH_INTERVAL_S``)."""
        if not self._watching:
            self._watching = True
            self._poll(self._writes)

    @work(thread=True, group="note-watch", exit_on_error=False)
    def _poll(self, writes: int) -> None:
        try:
            changes = self.watch.poll()
        except Exception:  # noqa: BLE001 - a failed read is tried again on the next poll
            changes = NoteChanges()
        with suppress(RuntimeError):  # the app has closed
            self.app.call_from_thread(self._apply_changes, changes, writes)

    def _wrote(self) -> None:
        self._writes += 1

    def _apply_changes(self, changes: NoteChanges, writes: int) -> None:
        self._watching = False
        if not changes:
            return
        if writes < self._writes:
            # Read before a local write: a note it re-read may be older than what is
            # shown. Read those notes again now (each is one small indexed read).
            changes.notes = self.watch.read(changes.notes)
        method = self.facilitator.method
        listing = self.notes_list
        out_of_order = False
        for note_id, note in changes.notes.items():
            if note is None:
                if note_id in self.notes and note_id not in self.deleted:
                    self.deleted.add(note_id)
                    listing.replace_option_prompt(
                        note_id,
                        note_prompt(
                            self.notes[note_id], method, deleted=True, episodes=self.episode_refs
                        ),
                    )
                continue
            if note_id in self.notes:
                self.deleted.discard(note_id)
                if note_id in self.deleted_stack:
                    self.deleted_stack.remove(note_id)
                self.notes[note_id] = note
                listing.replace_option_prompt(
                    note_id, note_prompt(note, method, episodes=self.episode_refs)
                )
            elif self.notes and note.at < max(n.at for n in self.notes.values()):
                self.notes[note_id] = note
                out_of_order = True
            else:
                self._append(note)
        if out_of_order:
            self._rebuild_list()
        self._recount()
        if changes.episodes:
            self.load_episode_titles()
            self._preview_stale = True
            self._show_hint()
        self.post_message(self.Changed(self, episodes_changed=changes.episodes))

    def _rebuild_list(self) -> None:
        """A note from elsewhere belongs before notes already shown: list them again in
        time order, keeping the highlighted note."""
        listing = self.notes_list
        highlighted = self.highlighted_note()
        method = self.facilitator.method
        ordered = sorted(self.notes.values(), key=lambda n: (n.at, n.id))
        refs = self.episode_refs
        listing.clear_options()
        listing.add_options(
            Option(note_prompt(n, method, deleted=n.id in self.deleted, episodes=refs), id=n.id)
            for n in ordered
        )
        if highlighted is not None:
            listing.highlighted = listing.get_option_index(highlighted.id)
        else:
            listing.highlighted = None
            listing.scroll_end(animate=False, immediate=False)

    # --- loading and counting ----------------------------------------------------

    def _read_notes(self) -> list[Option]:
        """Read this conversation's notes and make their rows (without touching widgets)."""
        method = self.facilitator.method
        store = self.facilitator.store
        with collector_paused():
            review = store.conversation(self.conversation_id).review
            self.watch = NoteWatch(store, self.conversation_id, review)  # before the read
            notes = store.notes(conversation=self.conversation_id)
            self.watch.known.update(note.id for note in notes)
            self.notes = {note.id: note for note in notes}
            self.deleted.clear()
            self.deleted_stack.clear()
            self._recount()
            self.episode_refs = self._episode_refs(store.episodes(review))
            refs = self.episode_refs
            return [Option(note_prompt(note, method, episodes=refs), id=note.id) for note in notes]

    def _recount(self) -> None:
        self.factor_counts = Counter()
        self.episode_counts = Counter()
        for note_id, note in self.notes.items():
            if note_id not in self.deleted:
                self._tally(note)

    def _tally(self, note: Note) -> None:
        """Count the participant's own accounts only: the team's notes (>>, !, ?) are kept
        apart (guide 3.4.1), and a ``~`` idea is no evidence of a factor's effect."""
        if is_team_view(note):
            return
        self.episode_counts.update(note.episodes)
        if is_evidence(note):
            self.factor_counts.update(note.factors)

    def load_episode_titles(self) -> None:
        """Numbers and titles of the review's episodes, for ``#3`` in the preview, and
        labels by id, for showing each note's ``#N`` as its episode's label now."""
        episodes = self.facilitator.store.episodes(self.conversation.review)
        numbers = {int(e.label[1:]): e for e in episodes}
        self.episode_titles = {n: e.title for n, e in numbers.items() if not e.merged_into}
        refs = self._episode_refs(episodes)
        if refs == self.episode_refs:
            return
        old, self.episode_refs = self.episode_refs, refs
        self._relabel_draft(old, refs)
        # A sync renumbered episodes: the rows whose #N reads differently now are shown
        # again (only those: a #new adds an episode, and 5,000 rows are slow to replace).
        listing = self.notes_list
        method = self.facilitator.method
        for note_id, note in self.notes.items():
            if (
                note.episodes
                and "#" in note.text
                and shown_text(note, method, refs) != shown_text(note, method, old)
            ):
                with suppress(OptionDoesNotExist):  # a row not listed yet
                    listing.replace_option_prompt(
                        note_id,
                        note_prompt(note, method, deleted=note_id in self.deleted, episodes=refs),
                    )

    def _relabel_draft(
        self, old: Mapping[str, tuple[str, str]], refs: Mapping[str, tuple[str, str]]
    ) -> None:
        """A sync renumbered episodes while a note was being typed: its ``#N`` meant the
        episode shown as #N then, so each is rewritten to that episode's number now (as a
        saved note's #N is shown), and the status line says so."""
        text = self.box.text
        if not old or "#" not in text:
            return
        then = {label[1:]: episode for episode, (label, _title) in old.items()}
        moved: list[tuple[int, int, str]] = []
        told: list[str] = []
        for match in capture.REF.finditer(text):
            episode = then.get(str(int(match.group(1))))
            if episode is None or episode not in refs:
                continue
            label, title = refs[episode]
            if label[1:] == str(int(match.group(1))):
                continue
            moved.append((match.start(1), match.end(1), label[1:]))
            told.append(f"#{match.group(1)} is now #{label[1:]} ({title})")
        if not moved:
            return
        box = self.box
        lines = text.split("\n")

        def location(offset: int) -> tuple[int, int]:
            row = text.count("\n", 0, offset)
            return row, offset - sum(len(line) + 1 for line in lines[:row])

        # From the end, so the offsets before each change still hold.
        for start, end, number in reversed(moved):
            box.replace(number, location(start), location(end), maintain_selection_offset=True)
        self.set_status(
            "Sync renumbered: your " + "; ".join(dict.fromkeys(told)) + ".",
            "-problem",
        )

    @staticmethod
    def _episode_refs(episodes: list) -> dict[str, tuple[str, str]]:
        return {e.id: (e.label, e.title) for e in episodes}

    def _stage_at(self, at: str | None) -> int | None:
        events = self.facilitator.store.stage_events(self.conversation_id)
        if at:
            earlier = [event for event in events if event.at <= at]
            if earlier:
                return earlier[-1].stage
        return events[-1].stage if events else None

    def refresh_conversation(self) -> Conversation:
        self.conversation = self.facilitator.store.conversation(self.conversation_id)
        return self.conversation

    # --- typing -------------------------------------------------------------------

    def focus_box(self) -> None:
        self.notes_list.highlighted = None
        # At once, not after a refresh: the next key must find the box focused.
        self.screen.set_focus(self.box)
        # Typing again: the newest notes in view, as while typing (the list stayed where
        # the highlight had taken it, the latest notes off screen).
        self._show_newest()

    def _show_newest(self) -> None:
        if self.notes_list.highlighted is None:
            self.notes_list.scroll_end(animate=False, immediate=False)

    @on(TextArea.Changed, "#note-box")
    def _typed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text and self._started_at is None:
            # The note's moment is its first character, not the Enter at the end.
            self._started_at = self.facilitator.now_iso()
            self._stage_then = self.facilitator.store.current_stage(self.conversation_id)
        elif not text:
            self._started_at = None
            self._stage_then = None
        self._keep_draft()
        self._preview_stale = True
        self._show_hint()

    def _draft_text(self) -> str:
        """What the draft keeps: the note being typed, and on a line of its own an edit
        of an earlier note typed in the edit dialog and not saved yet."""
        text, edit = self.box.text, self._unsaved_edit
        if not edit.strip():
            return text
        return f"{text}\n{edit}" if text.strip() else edit

    def _keep_draft(self) -> None:
        # Kept before this key's handler returns: a kill a moment later loses nothing.
        self.drafts.keep_now(self._draft_text(), self._started_at)
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_SAVE_DELAY_S, self._save_draft_now)

    def _keep_unsaved_edit(self, edit: str) -> None:
        """Each key in the edit dialog: its text kept in the draft at once, as the note
        box's are (kill -9 lost an edit, saved only on quit or SIGHUP), and recovered as
        one on reopening, never saved over the note unasked."""
        self._unsaved_edit = edit
        self._keep_draft()

    @on(TextArea.SelectionChanged, "#note-box")
    def _moved(self) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        """The line under the box: how the text will be read (or the keys, when empty),
        and under it the candidates for a tag being typed."""
        box = self.box
        if self._preview_stale:
            if len(box.text) <= PREVIEW_AT_ONCE_CHARS:
                self._show_preview()
            else:
                # Reading a very long note costs tens of milliseconds: once typing pauses.
                if self._preview_timer is not None:
                    self._preview_timer.stop()
                self._preview_timer = self.set_timer(PREVIEW_DELAY_S, self._show_preview)
        fragment = box.tag_fragment()
        if fragment is not None:
            candidates = box.completions()
            if len(candidates) > 1:
                hint = "Tab: " + "  ".join("@" + key for key in candidates)
            elif candidates:
                hint = f"Tab: @{candidates[0]}"
            else:
                hint = f"@{fragment}: no such factor area or prompt (F1)"
        width = self.query_one("#capture-hint", Static).content_size.width
        if fragment is None:
            # The longest that fits: the split view's note pane is 24 columns at 80x24.
            for hint in DEFAULT_HINTS:
                if not width or len(hint) <= width:
                    break
        hint = display_text(hint, one_line=True)
        if width and len(hint) > width:
            # Never cut mid-word with no sign: end with "…" (the candidates go on).
            hint = hint[: width - 1].rsplit(" ", 1)[0].rstrip() + " …"
        if hint != self._hint:
            self._hint = hint
            self.query_one("#capture-hint", Static).update(hint, layout=False)

    def _show_preview(self) -> None:
        """How the text will be read, in the line under the box."""
        self._preview_timer = None
        self._preview_stale = False
        text = self.box.text
        problem = False
        if text.strip():
            reading = capture.preview(text, self.facilitator.method, self.episode_titles)
            preview = "Reads as: " + reading.text()
            problem = bool(reading.problems)
        else:
            preview = 'Enter saves · ctrl+j new line · " ? ! >> + ~ kinds · @factor · #3 · #new'
        preview = display_text(preview, one_line=True)
        if preview != self._preview:
            self._preview = preview
            widget = self.query_one("#capture-preview", Static)
            widget.set_class(problem, "-problem")
            widget.update(preview, layout=False)

    def _save_draft_now(self) -> None:
        self._draft_timer = None
        text = self._draft_text()
        if text == self._saved_draft:
            return  # e.g. a recovered draft just loaded: keep its time as it was
        self._saved_draft = text
        generation = self.drafts.request()
        self._write_draft(generation, text, self._started_at)

    def keep_unsaved_edit(self, text: str) -> None:
        """An edit of an earlier note, typed but not saved as the app goes: added to the
        note being typed (on a line of its own), so the draft keeps it."""
        self._unsaved_edit = text
        text = self._draft_text()
        self._unsaved_edit = ""  # in the box now: kept once, not twice
        if text != self.box.text:
            self.box.load_text(text)

    def flush_draft(self) -> None:
        """Save the draft now, both copies, on this thread: the app is about to go."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        text = self._draft_text()
        self._saved_draft = text
        self.drafts.flush(text, self._started_at)

    @work(thread=True, group="draft", exit_on_error=False)
    def _write_draft(self, generation: int, text: str, started_at: str | None) -> None:
        self.drafts.write(generation, text, started_at)

    # --- saving a note --------------------------------------------------------------

    def record(self, text: str) -> Recorded | None:
        """Save ``text`` as a note (durably, before returning) and show it."""
        if capture.blank(text):  # only spaces or invisible characters: nothing to save
            return None
        app = self.facilitator
        store = app.store
        at = self._started_at or app.now_iso()
        stage = self._stage_then if self._started_at else store.current_stage(self.conversation_id)
        if not self.conversation.started_at:
            self.refresh_conversation()  # the lead may have started it on another laptop
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.drafts.forget()
        self._saved_draft = ""
        try:
            with store.transaction():
                # A planned conversation starts with its first note (as in 'note add').
                recorded = app.service.record_note(
                    self.conversation, text, at=at, stage=stage, start=True
                )
                store.clear_draft(self.conversation_id, self.drafts.slot)
        except StoreError as exc:
            # A full disk or a read-only store: the note stays in the box, to be saved by
            # Enter again once the store can take it.
            self.set_status(f"Not saved: {exc}", "-problem")
            self.drafts.keep_now(text, self._started_at)
            return None
        self._wrote()
        self._started_at = None
        self._stage_then = None
        self.recovered_draft = False
        self.box.clear()
        # The saved note must not come back with ctrl+z (and be saved twice).
        self.box.history.clear()
        if recorded.new_episodes:
            self.load_episode_titles()
        note = store.note(recorded.note_id)
        if note is not None:
            self._append(note)
        started = ""
        if recorded.started:
            self.refresh_conversation()
            stage = f", stage {note.stage}" if note is not None and note.stage else ""
            started = f"Conversation started with this note ({recorded.started[11:19]}{stage})."
        if recorded.problems:  # first: the line may be cut, and they need fixing
            said = "Saved, but: " + "; ".join(recorded.problems)
            self.set_status(f"{said}. {started}" if started else said, "-problem")
        elif recorded.new_episodes:
            self.set_status(
                f"{started} Saved, with a new episode ({len(recorded.new_episodes)}).".lstrip()
            )
        else:
            self.set_status(started or f"Saved at {at[11:19]}.")
        self.post_message(
            self.Changed(
                self,
                episodes_changed=bool(recorded.new_episodes),
                started=bool(recorded.started),
            )
        )
        return recorded

    def _append(self, note: Note) -> None:
        self.notes[note.id] = note
        self._tally(note)
        listing = self.notes_list
        at_end = listing.highlighted is None
        listing.add_option(
            Option(
                note_prompt(note, self.facilitator.method, episodes=self.episode_refs), id=note.id
            )
        )
        if at_end:
            listing.scroll_end(animate=False, immediate=False)

    def set_status(self, message: str, kind: str = "") -> None:
        status = self.query_one("#capture-status", Static)
        status.set_class(kind == "-problem", "-problem")
        status.set_class(kind == "-recovered", "-recovered")
        status.update(display_text(message, one_line=True), layout=False)

    # --- earlier notes ----------------------------------------------------------------

    def focus_list(self) -> None:
        listing = self.notes_list
        if listing.option_count:
            # At once, not after a refresh: the next key must find the list focused.
            self.screen.set_focus(listing)
            if listing.highlighted is None:
                listing.highlighted = listing.option_count - 1

    def on_note_box_pasted_controls(self, event: NoteBox.PastedControls) -> None:
        event.stop()
        self.set_status("Pasted: control codes shown as ␛, not run.", "-problem")

    def on_note_box_move_up(self, event: NoteBox.MoveUp) -> None:
        event.stop()
        if event.text == self.box.text:  # not if typing went on after the Up
            self.focus_list()

    def highlighted_note(self) -> Note | None:
        listing = self.notes_list
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.notes.get(option.id or "")

    def _refresh_note(self, note_id: str) -> Note | None:
        note = self.facilitator.store.note(note_id)
        if note is None:
            return None
        self.notes[note_id] = note
        self.notes_list.replace_option_prompt(
            note_id, note_prompt(note, self.facilitator.method, episodes=self.episode_refs)
        )
        self._recount()
        return note

    def edit_highlighted(self) -> None:
        """Edit the highlighted note as it now stands in the store (the list may be a
        moment behind a sync). A note with conflicting edits opens with every version,
        one per line, and saving settles the conflict with what was kept."""
        from facilitator.tui.screens.dialogs import EditNoteDialog

        shown = self.highlighted_note()
        if shown is None:
            return
        note = self._refresh_note(shown.id) or shown
        method = self.facilitator.method
        start = note_line(note, method, self.episode_refs)
        if note.conflict:
            refs = self.episode_refs
            linked = [refs[e] for e in note.episodes if e in refs]
            versions = [
                capture.current_refs(r.text, linked, method)
                for r in self.facilitator.store.revisions(note.id)
                if r.id in note.heads
            ]
            start = "\n".join(dict.fromkeys([start, *versions]))

        def done(line: str | None) -> None:
            self._keep_unsaved_edit("")  # saved or cancelled: the draft is the box again
            if line is not None:
                # Saved (or Enter on it unchanged): back to typing, so the next keys are
                # a note, not list commands on the note just edited.
                self.focus_box()
            if line is None or (line == start and not note.conflict):
                return
            if capture.blank(line):
                self.set_status("An empty edit is not saved: d deletes a note.", "-problem")
                return
            now = self.facilitator.store.note(note.id)
            # Based on the versions the editor saw: an edit that arrived meanwhile from
            # another laptop is kept beside this one as a conflict, never overwritten.
            recorded = self.facilitator.service.edit_note(note, line)
            self._wrote()
            self._refresh_note(note.id)
            if note.conflict:
                self._conflicts_changed()
            # Each message fits the status line (50 columns on the notes screen at 80x24).
            if recorded.problems:
                self.set_status("Edited, but: " + "; ".join(recorded.problems), "-problem")
            elif now is not None and now.heads != note.heads:
                self.set_status("Both edits kept: see ctrl+p, Sync conflicts.", "-problem")
                self._conflicts_changed()
            elif recorded.kept:
                # The "#new" that named the episode changed, but so did the episode.
                labels = ", ".join(recorded.kept)
                self.set_status(f"Edited; {labels} was changed elsewhere: kept.", "-problem")
            elif recorded.renamed:
                labels = ", ".join(recorded.renamed)
                self.set_status(f"Edited; episode {labels} renamed/redated.")
            elif recorded.new_episodes:
                self.set_status(f"Edited, with a new episode ({len(recorded.new_episodes)}).")
            elif note.conflict:
                self.set_status("Conflict settled; all versions: h (history).")
            else:
                self.set_status("Edited; the earlier text: h (history).")
            self.post_message(self.Changed(self, episodes_changed=True))

        self.app.push_screen(EditNoteDialog(start, keep=self._keep_unsaved_edit), done)

    def _conflicts_changed(self) -> None:
        """Ask the sync worker, if any, to count conflicts again."""
        worker = getattr(self.app, "sync_worker", None)
        if worker is not None and worker.running:
            worker.forget_conflict_counts()

    def change_kind_of_highlighted(self) -> None:
        from facilitator.tui.screens.dialogs import KindDialog

        note = self.highlighted_note()
        if note is None:
            return

        def done(kind: str | None) -> None:
            if kind is not None:
                self.focus_box()  # back to typing, as after an edit
            if kind is None or kind == note.kind:
                return
            self.facilitator.service.set_kind(note, kind)
            self._wrote()
            self._refresh_note(note.id)
            self.set_status(f"Now a {self.facilitator.method.kind(kind).label.lower()}.")
            self.post_message(self.Changed(self))

        self.app.push_screen(KindDialog(self.facilitator.method, note.kind), done)

    def delete_highlighted(self) -> None:
        note = self.highlighted_note()
        if note is None or note.id in self.deleted:
            return
        self.facilitator.service.delete_note(note)
        self._wrote()
        self.deleted.add(note.id)
        self.deleted_stack.append(note.id)
        self.notes_list.replace_option_prompt(
            note.id,
            note_prompt(note, self.facilitator.method, deleted=True, episodes=self.episode_refs),
        )
        self._recount()
        self.set_status("Deleted. Press u to undo.")
        self.post_message(self.Changed(self))

    def undo_delete(self) -> None:
        if not self.deleted_stack:
            return
        note_id = self.deleted_stack.pop()
        note = self.notes[note_id]
        self.facilitator.service.undelete_note(note)
        self._wrote()
        self.deleted.discard(note_id)
        self._refresh_note(note_id)
        self.set_status("Restored.")
        self.post_message(self.Changed(self))

    def show_history(self) -> None:
        from facilitator.tui.screens.dialogs import HistoryDialog

        note = self.highlighted_note()
        if note is None:
            return
        self.app.push_screen(HistoryDialog(self.facilitator.store.revisions(note.id)))
