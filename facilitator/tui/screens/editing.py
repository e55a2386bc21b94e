"""The base of screens where the team changes the review through dialogs (the episodes
board, patterns and recommendations): ask, make the change, report what the store refused,
show the result."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.screen import Screen

from facilitator.dates import DateProblem
from facilitator.store.db import StoreError

T = TypeVar("T")


class EditingScreen(Screen[None]):
    def load(self) -> None:
        """Read the review again and show it."""
        raise NotImplementedError

    def apply_change(self, change: Callable[[], object]) -> None:
        """Run a store change (small, one durable commit), report problems, reload."""
        try:
            change()
        except (StoreError, DateProblem) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.load()

    def ask_then_change(self, dialog: Screen[T | None], change: Callable[[T], object]) -> None:
        """Show ``dialog``; unless it is cancelled, make ``change(answer)``.

        A form makes the change itself when saved, so a refused value is reported inside
        the form, which stays open with what was typed."""
        from facilitator.tui.screens.dialogs import FormDialog

        if isinstance(dialog, FormDialog) and dialog.apply is None:
            dialog.apply = change  # type: ignore[assignment]

            def saved(answer: T | None) -> None:
                if answer:
                    self.load()

            self.app.push_screen(dialog, saved)
            return

        def answered(answer: T | None) -> None:
            if answer:
                self.apply_change(lambda: change(answer))

        self.app.push_screen(dialog, answered)
