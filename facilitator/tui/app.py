"""The facilitator app: a home screen of reviews and conversations, and a screen per role.

Other parts plug in here with small additions: status widgets (e.g. sync) through
:meth:`FacilitatorApp.register_status_widget`, start-up work through
:meth:`FacilitatorApp.add_startup_hook`, palette entries in :meth:`get_system_commands`.
"""

from __future__ import annotations

import importlib
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.themes import DEFAULT_THEME, HIGH_CONTRAST, NO_COLOR_THEME, THEME_SETTING

_ROLE_SCREENS = {
    "lead": ("facilitator.tui.screens.lead", "LeadScreen"),
    "split": ("facilitator.tui.screens.split", "SplitScreen"),
}
ROLE_NAMES = {"notes": "note-taker", "lead": "lead questioner", "split": "lead and notes"}


# Keys closer together than this came in one read from the terminal, not from a person.
BURST_GAP_S = 0.015


def _local_now() -> datetime:
    return datetime.now().astimezone()


class FacilitatorApp(App[None]):
    """The app. ``clock`` gives an aware "now"; tests inject a frozen one."""

    TITLE = "facilitator"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(
        self,
        service: Service,
        *,
        conversation: str | None = None,
        role: str | None = None,
        review: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.start_conversation_id = conversation
        self.start_role = role
        self.start_review = review
        self._clock = clock or _local_now
        self._status_factories: list[Callable[[], Widget]] = []
        self._startup_hooks: list[Callable[[FacilitatorApp], object]] = []
        # The last keys and whether each came in a burst (for widgets handling them).
        self._recent_keys: deque[tuple[events.Key, bool]] = deque(maxlen=64)
        self.register_theme(HIGH_CONTRAST)
        self.theme = self._initial_theme()
        from facilitator.tui.sync_worker import install as install_sync

        self.sync_worker = install_sync(self)

    # --- what other parts rely on --------------------------------------------------

    @property
    def store(self) -> Store:
        return self.service.store

    @property
    def method(self) -> Method:
        return self.service.method

    def clock(self) -> datetime:
        """Aware local "now" (frozen in tests and snapshots)."""
        moment = self._clock()
        return moment if moment.tzinfo else moment.astimezone()

    def now_iso(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    def register_status_widget(self, factory: Callable[[], Widget]) -> None:
        """Add a widget (made fresh for each screen) to every screen's status bar."""
        self._status_factories.append(factory)
        for screen in self.screen_stack:
            for bar in screen.query("StatusBar"):
                bar.mount(factory())  # type: ignore[arg-type]

    def status_widgets(self) -> Iterable[Widget]:
        return [factory() for factory in self._status_factories]

    def add_startup_hook(self, hook: Callable[[FacilitatorApp], object]) -> None:
        """Run ``hook(app)`` once the app is mounted (or now, if it already is)."""
        if self.is_running and self._startup_done:
            hook(self)
        else:
            self._startup_hooks.append(hook)

    _startup_done = False

    def open_conversation(self, conversation_id: str, role: str) -> bool:
        """Push the screen for ``role`` ("notes", "lead" or "split") on this conversation.

        Returns False (after telling the user why) if that view cannot be opened.
        """
        if role == "notes":
            from facilitator.tui.screens.notes import NotesScreen

            self.push_screen(NotesScreen(conversation_id))
            return True
        if role not in _ROLE_SCREENS:
            self.notify(f"Unknown role {role!r}.", severity="error")
            return False
        module_name, class_name = _ROLE_SCREENS[role]
        try:
            screen_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            self.notify(
                f"The {ROLE_NAMES[role]} view is not available in this version ({exc}).",
                title="Cannot open",
                severity="error",
            )
            return False
        screen: Screen = screen_class(conversation_id)
        self.push_screen(screen)
        return True

    def pop_screen(self):  # noqa: ANN201 - Textual's AwaitComplete
        """Closing the last screen over the blank default one shows the home screen.

        A role opened from the command line (``facilitator notes C1``) starts without
        the home screen underneath (building it would slow the opening), so its close
        action lands here.
        """
        from facilitator.tui.screens.home import HomeScreen

        if len(self.screen_stack) == 2 and not isinstance(self.screen, HomeScreen):
            return self.switch_screen(HomeScreen(review=self.start_review))
        return super().pop_screen()

    _last_key_at = 0.0

    async def on_event(self, event: events.Event) -> None:
        """Keys that are typing go to the note box, wherever focus is when they arrive.

        Decided here, where keys arrive one at a time in the order typed, and not in the
        widgets: keys that arrive in one read (a laggy link, a busy app, an unbracketed
        paste) are all queued to the focused widget before it handles the first, so a
        dialog closing on the first key would see the rest too, close twice and lose them.

        - Help or the End dialog over a note box (its ``back_to``): a printable key or a
          paste makes the dialog step aside and goes to the box.
        - A focused widget, or else the screen, with ``typing_target(event, burst)``
          (the notes list; the split view's lead pane) names
          the box for keys that are typing; ``burst`` says the key came with the one
          before it (no person presses two keys within ``BURST_GAP_S``). A widget that
          names itself has taken the key (the notes list, or the split view, holding a
          command letter).
        """
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            burst = False
            if isinstance(event, events.Key):
                burst = event.time - self._last_key_at < BURST_GAP_S
                self._last_key_at = event.time
                self._recent_keys.append((event, burst))
            asked = self.screen.focused
            target = self._typing_target(event, burst)
            if (
                target is not None
                and (target is asked or target is self.screen)
                and getattr(target, "holds_keys", False)
            ):
                return  # the focused widget or screen took the key itself (a command held)
            if target is not None:
                if self.screen.focused is not target:
                    target.screen.set_focus(target)
                target._forward_event(event)
                return
        await super().on_event(event)

    def _typing_target(self, event: events.Key | events.Paste, burst: bool) -> Widget | None:
        screen = self.screen
        box = getattr(screen, "back_to", None)
        typing = isinstance(event, events.Paste) or event.is_printable
        if typing and isinstance(box, Widget) and box.is_attached:
            screen.step_aside()  # type: ignore[attr-defined]
            return box
        # The focused widget decides, else its screen (the split view's lead pane).
        for node in (screen.focused, screen):
            redirect = getattr(node, "typing_target", None)
            if redirect is not None:
                return redirect(event, burst)
        return None

    # --- lifecycle -------------------------------------------------------------------

    def on_mount(self) -> None:
        from facilitator.tui.screens.home import HomeScreen

        role = self.start_role or "notes"
        if not (
            self.start_conversation_id and self.open_conversation(self.start_conversation_id, role)
        ):
            self.push_screen(HomeScreen(review=self.start_review))
        self._startup_done = True
        hooks, self._startup_hooks = self._startup_hooks, []
        for hook in hooks:
            hook(self)
        if self.store.notice:  # a log that was not this store's, set aside on opening
            self.notify(
                self.store.notice, title="Store", severity="warning", timeout=60, markup=False
            )
        if not self.store.author:
            self.ask_reviewer_name()

    def ask_reviewer_name(self) -> None:
        """Ask for the reviewer's name (once per store: it is kept) and put it on what
        they write from now on. Escape leaves it unset, and the app asks next time."""
        from facilitator.tui.screens.dialogs import Field, FormDialog

        def chosen(values: dict[str, str] | None) -> None:
            if values and values["name"]:
                self.store.set_reviewer(values["name"])
                self.notify(
                    f"Your notes will show {self.store.author}.", title="Saved", markup=False
                )
                for screen in self.screen_stack:
                    show = getattr(screen, "show_reviewer", None)
                    if show is not None:
                        show()

        self.push_screen(
            FormDialog(
                "Your name, as your notes and comments should show it",
                [Field("name", "Your name", placeholder="e.g. Alex Morgan", required=True)],
            ),
            chosen,
        )

    # --- themes ------------------------------------------------------------------------

    def _initial_theme(self) -> str:
        if os.environ.get("NO_COLOR") is not None or self.no_color:
            return NO_COLOR_THEME
        saved = self.store.setting(THEME_SETTING)
        return saved if saved in self.available_themes else DEFAULT_THEME

    def watch_theme(self, theme: str) -> None:
        if self._startup_done and self.store.setting(THEME_SETTING) != theme:
            self.store.set_setting(THEME_SETTING, theme)

    # --- actions and the command palette -----------------------------------------

    def action_help(self) -> None:
        from textual.widgets import TextArea

        from facilitator.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            focused = self.focused
            self.push_screen(HelpScreen(back_to=focused if isinstance(focused, TextArea) else None))

    def flush_drafts(self) -> None:
        """Save every note being typed, now and on this thread (quitting, or a signal)."""
        from facilitator.tui.screens.dialogs import EditNoteDialog
        from facilitator.tui.widgets.note_capture import NoteCapture

        captures: list[NoteCapture] = []
        for screen in self.screen_stack:
            if isinstance(screen, EditNoteDialog) and captures:
                # An edit typed but not saved (ctrl+q, a closed terminal): kept in the
                # note draft below it, to be seen as "Recovered draft", never lost and
                # never saved over the note unasked.
                with suppress(Exception):
                    captures[-1].keep_unsaved_edit(screen.unsaved_text())
            captures += [c for c in screen.query(NoteCapture) if c.is_mounted]
        for capture_ in captures:
            # Quitting must not fail on a full disk.
            with suppress(Exception):
                capture_.flush_draft()

    async def action_quit(self) -> None:
        # ctrl+q is acted on as it arrives, while keys typed just before it (in the same
        # read) may still wait in the focused box's queue: quit from the end of that
        # queue, so they are in the box, and in the draft, first.
        focused = self.focused
        if focused is not None and focused.is_attached:
            focused.call_later(self._quit_now)
        else:
            self._quit_now()

    def _quit_now(self) -> None:
        # Keys typed just before ctrl+q are only in the draft file so far: the store's
        # copy is written before the app goes, not a quarter of a second later.
        self.flush_drafts()
        self.exit()

    def key_in_burst(self, event: events.Key) -> bool:
        """Whether ``event`` came in the same read as the key before it."""
        return any(seen is event and burst for seen, burst in self._recent_keys)

    def action_high_contrast(self) -> None:
        self.theme = HIGH_CONTRAST.name if self.theme != HIGH_CONTRAST.name else DEFAULT_THEME

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and the note grammar (F1)", self.action_help)
        yield SystemCommand(
            "High contrast", "Switch the high-contrast theme on or off", self.action_high_contrast
        )
        yield SystemCommand(
            "Your name", "Change the name your notes and comments show", self.ask_reviewer_name
        )
        # Screens add their own main actions (new review, start conversation, ...).
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
        review = getattr(screen, "review_id", None) or self.start_review
        if review:
            yield from self._review_commands(review)
            from facilitator.tui.sync_worker import commands as sync_commands

            yield from sync_commands(self, review)

    def _review_commands(self, review: str) -> Iterable[SystemCommand]:
        """The review team's screens: episodes board, matrix, plans for next conversations."""
        from facilitator.tui.screens import episodes, matrix, patterns, plan

        yield SystemCommand(
            "Episodes board",
            "Episodes in time order: accounts, gaps, merge, judgement",
            lambda: self.push_screen(episodes.EpisodesScreen(review)),
        )
        yield SystemCommand(
            "Episode × factor matrix",
            "Contributory factors across episodes, with the notes behind each cell",
            lambda: self.push_screen(matrix.MatrixScreen(review)),
        )
        yield SystemCommand(
            "Patterns and recommendations",
            "The review team's analysis, linked to episodes and factors, by priority",
            lambda: self.push_screen(patterns.PatternsScreen(review)),
        )
        from facilitator.tui.screens import dialogue

        yield SystemCommand(
            "Dialogue with participants",
            "Drafts to send, comments to answer, group meetings",
            lambda: self.push_screen(dialogue.DialogueScreen(review)),
        )
        # Labels only: palette titles are read as markup, and roles are user text.
        for person in self.store.participants(review):
            yield SystemCommand(
                f"Plan next conversation: {person.label}",
                f"Agenda for a further conversation with {person.label}",
                lambda p=person.id: self.push_screen(plan.PlanScreen(p)),
            )


def run(
    service: Service,
    *,
    conversation: str | None = None,
    role: str | None = None,
    review: str | None = None,
) -> None:
    """Open the app (called by the CLI: ``facilitator``, ``notes``, ``lead``, ``demo``)."""
    from facilitator.tui import paste

    paste.install()  # pastes holding ESC arrive whole (see facilitator/tui/paste.py)
    app = FacilitatorApp(service, conversation=conversation, role=role, review=review)
    with _drafts_saved_on_hangup(app):
        app.run()


@contextmanager
def _drafts_saved_on_hangup(app: FacilitatorApp) -> Iterator[None]:
    """A closed terminal (SIGHUP) or SIGTERM runs no quit action: save the drafts in the
    signal handler (on the main thread, where the app runs), then die of the signal as
    before, so whoever sent it sees the usual exit status."""

    def handler(signum: int, frame: object) -> None:
        with suppress(Exception):  # whatever happens, the signal still ends the app
            app.flush_drafts()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signals = [getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name)]
    previous = {sig: signal.signal(sig, handler) for sig in signals}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
