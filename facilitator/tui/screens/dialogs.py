"""Small modal dialogs: forms, choosing from a list, editing a note, a note's history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from facilitator import capture
from facilitator.dates import uk_moment
from facilitator.method import Method
from facilitator.model import Revision
from facilitator.tui.text import display_text, plain
from facilitator.tui.widgets.key_order import OrderedInput
from facilitator.tui.widgets.note_box import NoteBox


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str = ""
    placeholder: str = ""
    required: bool = False


class FormDialog(ModalScreen[dict[str, str] | None]):
    """A few labelled text fields. Enter on the last field (or ctrl+s) saves; Escape cancels.

    With ``apply``, saving runs it on the values first: if it raises a problem the store
    or a date gives (or a ValueError), the message shows inline and the form stays open
    with everything typed, so nothing is lost to a mistyped score or date. Compact
    fields (one line each) keep a six-field form inside 80x24.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        apply: Callable[[dict[str, str]], object] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form-dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            with VerticalScroll(classes="form-fields"):
                for spec in self.fields:
                    yield Label(plain(spec.label + (" *" if spec.required else "")))
                    yield OrderedInput(
                        spec.value,
                        placeholder=spec.placeholder,
                        id=f"field-{spec.key}",
                        compact=True,
                    )
            yield Static("", id="dialog-problem", markup=False)
            yield Label(
                plain("Enter: next field / save · ctrl+s: save · Esc: cancel"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self.action_save()

    def values(self) -> dict[str, str]:
        return {
            spec.key: self.query_one(f"#field-{spec.key}", Input).value.strip()
            for spec in self.fields
        }

    def problem(self, message: str) -> None:
        self.query_one("#dialog-problem", Static).update(display_text(message, one_line=True))

    def action_save(self) -> None:
        from facilitator.dates import DateProblem
        from facilitator.store.db import StoreError

        values = self.values()
        missing = [spec.label for spec in self.fields if spec.required and not values[spec.key]]
        if missing:
            self.problem(f"Please fill in: {', '.join(missing)}")
            return
        if self.apply is not None:
            try:
                self.apply(values)
            except (StoreError, DateProblem, ValueError) as exc:
                self.problem(f"Not saved: {exc}")
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one item from a list (Enter), or Escape to cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield OptionList(
                *(Option(plain(label, one_line=True), id=key) for key, label in self.choices),
                id="choices",
            )
            yield Label(plain("Enter: choose · Esc: cancel"), classes="dialog-help")

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        keys = [key for key, _label in self.choices]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class KindDialog(ChoiceDialog):
    def __init__(self, method: Method, current: str) -> None:
        choices = [
            (kind.key, f"{(kind.prefix or '·'):<3}{kind.label}: {kind.help}")
            for kind in method.note_kinds
        ]
        super().__init__("What kind of note is this?", choices, current)


class EditNoteDialog(ModalScreen[str | None]):
    """Edit one note's line (same grammar as typing it). Enter saves a new revision."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, line: str, *, keep: Callable[[str], None] | None = None) -> None:
        """``keep`` is called with ``unsaved_text()`` on every change, before the key's
        handler returns, so the caller can keep it where a killed app leaves it."""
        super().__init__()
        self.line = line
        self.keep = keep

    def compose(self) -> ComposeResult:
        method: Method = self.app.method  # type: ignore[attr-defined]
        with Vertical(classes="dialog dialog-wide"):
            yield Label(plain("Edit note"), classes="dialog-title")
            yield NoteBox(
                self.line,
                id="edit-box",
                complete=lambda fragment: capture.complete_tag(fragment, method),
            )
            yield Label(
                plain("Enter: save (the old text stays in the history) · Esc: cancel"),
                classes="dialog-help",
            )

    def unsaved_text(self) -> str:
        """The edit typed so far, or "" when it is the text the dialog opened with."""
        text = self.query_one(NoteBox).text
        return "" if text.strip() == self.line.strip() else text

    def on_mount(self) -> None:
        box = self.query_one(NoteBox)
        box.focus()
        # A note with conflicting edits opens with each version on a line of its own:
        # typing goes on at the end of the first (the note as shown), not at the start.
        box.cursor_to_end_of_first_line()

    @on(TextArea.Changed, "#edit-box")
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()  # not the note box's change: the capture below must not see it
        if self.keep is not None:
            self.keep(self.unsaved_text())

    @on(NoteBox.Submitted)
    def _save(self, event: NoteBox.Submitted) -> None:
        event.stop()
        self.dismiss(event.text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryDialog(ModalScreen[None]):
    """Every revision of a note, oldest first."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("h", "close", "Close", show=False)]

    def __init__(self, revisions: Sequence[Revision]) -> None:
        super().__init__()
        self.revisions = list(revisions)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(plain("History of this note (oldest first)"), classes="dialog-title")
            with VerticalScroll(id="history"):
                for number, revision in enumerate(self.revisions, start=1):
                    who = revision.author or "someone"
                    yield Static(
                        Content.assemble(
                            (f"{number}. {uk_moment(revision.at)} {who}\n", "dim"),
                            display_text(revision.text),
                        ),
                        markup=False,
                    )
            yield Label(plain("Esc: close"), classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)


class EndDialog(ModalScreen[bool]):
    """Ending a conversation: a choice between two buttons, with "Keep going" focused.

    Only Enter on a focused "End it" ends: Tab moves there, and nothing else does (arrow
    keys typed by accident do nothing), so no key typed by accident ends it. A
    note-taker who pressed F2 mid-note and simply types on gets their keys back in the
    box they came from, in order: the app hands every printable key and paste to
    ``back_to`` and closes the dialog (see ``FacilitatorApp.on_event``).
    """

    BINDINGS = [Binding("escape", "keep", "Keep going", show=False)]
    WATCH_S = 0.5  # how often an open dialog looks whether the end came from elsewhere

    def __init__(
        self,
        detail: str,
        *,
        back_to: Widget | None = None,
        conversation_id: str | None = None,
    ) -> None:
        super().__init__()
        self.detail = detail
        self.back_to = back_to
        self.conversation_id = conversation_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog end-dialog"):
            yield Label(plain("End this conversation?"), classes="dialog-title")
            yield Label(plain(self.detail))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep going", id="keep", variant="primary", compact=True)
                yield Button("End it", id="end", variant="error", compact=True)
            yield Label(
                plain("Enter: choose · Tab: the other button · Esc: keep going"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()
        if self.conversation_id is not None:
            self.set_interval(self.WATCH_S, self.refresh_from_store)

    def refresh_from_store(self) -> None:
        """Ended meanwhile on the other laptop (the sync worker calls this as ops
        arrive) or in another window: the question is stale, so the dialog closes and
        says so, and a late "End it" cannot end it a second time."""
        store = getattr(self.app, "store", None)
        if store is None or self.conversation_id is None or not self.is_current:
            return
        try:
            ended = store.conversation(self.conversation_id).ended_at
        except Exception:  # noqa: BLE001 - a failed read is tried again at the next look
            return
        if ended:
            self._close(False)
            self.app.notify(
                f"The conversation was ended elsewhere at {ended[11:16]} (the other laptop "
                "or another window): nothing to do here. F2 reopens it.",
                title="Ended",
                markup=False,
            )

    def _close(self, end: bool) -> None:
        # Two keys queued behind each other (Enter Enter, Esc Esc) must not close it
        # twice: the second would close the screen underneath.
        if self.is_current:
            self.dismiss(end)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        event.stop()
        self._close(event.button.id == "end")

    def action_keep(self) -> None:
        self._close(False)

    def step_aside(self) -> None:
        """Typing resumed: keep going (the app sends the keys to ``back_to``)."""
        self._close(False)


def confirm_end(screen: Screen, end: Callable[[], None]) -> None:
    """Ask before ending the conversation (the lead's F2 and the note-taker's alike)."""

    def answer(yes: bool | None) -> None:
        if yes:
            end()

    back_to = screen.focused if isinstance(screen.focused, TextArea) else None
    screen.app.push_screen(
        EndDialog(
            "Notes can still be added afterwards, and F2 reopens it.",
            back_to=back_to,
            conversation_id=getattr(screen, "conversation_id", None),
        ),
        answer,
    )
