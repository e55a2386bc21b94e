"""F1: the keys that work on the screen underneath, and the note grammar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from facilitator.grammar_help import grammar_sections
from facilitator.method import Method
from facilitator.tui.text import plain

TYPING_KEYS = [
    ("Enter", "save the note"),
    ("ctrl+j", "new line inside a note (alt+enter too, where the terminal passes it)"),
    ("Tab", "complete an @tag"),
    ("Up (first line)", "move into earlier notes"),
]
GENERAL_KEYS = [
    ("F1", "this help"),
    ("ctrl+p", "command palette"),
    ("ctrl+q", "quit"),
    ("Esc", "close a dialog"),
]


def grammar_content(method: Method) -> Content:
    rows: list[str | tuple[str, str]] = []
    for section in grammar_sections(method):
        rows.append((f"{section.heading}\n", "bold"))
        width = max((len(key) for key, _ in section.rows), default=0) + 2
        for key, text in section.rows:
            rows += [(f"  {key:<{width}}", "bold"), f"{text}\n"]
        rows += [f"  {sentence}\n" for sentence in section.after]
        rows.append("\n")
    return Content.assemble(*rows)


class HelpScreen(ModalScreen[None]):
    """F1 help. Opened over a note box (``back_to``), typing on closes it and the keys
    and pastes go to the box, in order (see ``FacilitatorApp.on_event``)."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("f1", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, *, back_to: Widget | None = None) -> None:
        super().__init__()
        self.back_to = back_to

    def compose(self) -> ComposeResult:
        stack = [screen for screen in self.app.screen_stack if screen is not self]
        below = stack[-1] if stack else None
        keys: list[tuple[str, str]] = []
        if below is not None:
            for _key, active in below.active_bindings.items():
                binding = active.binding
                if binding.show and binding.description:
                    # The tooltip is the longer wording where a footer label is clipped.
                    text = binding.tooltip or binding.description
                    keys.append((self.app.get_key_display(binding), text))
        with Vertical(classes="dialog dialog-wide", id="help"):
            yield Label(plain("Help"), classes="dialog-title")
            with VerticalScroll():
                rows: list[str | tuple[str, str]] = [("Keys on this screen\n", "bold")]
                for key, description in keys + GENERAL_KEYS:
                    rows += [(f"  {key:<20}", "bold"), f"{description}\n"]
                rows += [("\nWhile typing a note\n", "bold")]
                for key, description in TYPING_KEYS:
                    rows += [(f"  {key:<20}", "bold"), f"{description}\n"]
                rows += ["\n"]
                yield Static(Content.assemble(*rows), markup=False)
                yield Static(grammar_content(self.app.method), markup=False)  # type: ignore[attr-defined]
            yield Label(plain("Esc or F1: close"), classes="dialog-help")

    def on_mount(self) -> None:
        # Focused, so Up/Down, Page Up/Down, Home and End scroll the help at once.
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        if self.is_current:
            self.dismiss(None)

    def step_aside(self) -> None:
        self.action_close()
