"""What every command shares: the store, the method and the reviewer's name, opened lazily
so that a command pays only for what it uses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from facilitator.method import Method
    from facilitator.model import Conversation
    from facilitator.service import Service
    from facilitator.store import Store


class UserError(click.ClickException):
    """One clear line for the user; the exit status is 1."""


@dataclass
class Context:
    store_path: Path | None = None
    author: str | None = None
    guides: str | None = None
    ask_name: bool = True  # the app asks on its home screen instead
    _store: Store | None = field(default=None, repr=False)
    _method: Method | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            from facilitator.store import Store

            # A store named with --store is made only by a command that starts one; any
            # other on a path with nothing there says so (a typo made an empty store).
            create = self.store_path is None or _starts_a_store()
            self._store = Store(self.store_path, author=self.author, create=create)
            if self._store.notice:
                from facilitator.cli.output import echo

                echo(self._store.notice, err=True)
            if not self._store.author and self.ask_name and _interactive():
                self._store.set_reviewer(
                    click.prompt(
                        "Your name, as your notes and comments should show it "
                        "(asked once for this store)",
                        err=True,
                    )
                )
        return self._store

    @property
    def method(self) -> Method:
        if self._method is None:
            from facilitator.method import load_method

            self._method = load_method(self.guides)
        return self._method

    @property
    def service(self) -> Service:
        from facilitator.service import Service

        return Service(self.store, self.method)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # --- finding things the user named ---------------------------------------------

    def review_id(self, token: str | None) -> str:
        """A review from an id prefix or label; with no token, the only review there is."""
        if token:
            return self.store.resolve("reviews", token)
        reviews = self.store.reviews()
        if len(reviews) == 1:
            return reviews[0].id
        if not reviews:
            raise UserError("there are no reviews yet: create one with 'facilitator review new'")
        raise UserError("there is more than one review: name one (see 'facilitator review list')")

    def group_review_id(self) -> str:
        """The review named on a command group (``facilitator redact REVIEW list``), which
        the group keeps in ``meta["review_ref"]``. Resolved only when a subcommand runs, so
        ``--help`` works without opening the store."""
        return self.review_id(click.get_current_context().meta["review_ref"])

    def participant_id(self, token: str, review: str | None = None) -> str:
        return self.store.resolve("participants", token, review=review)

    def conversation(self, token: str) -> Conversation:
        return self.store.conversation(self.store.resolve("conversations", token))


pass_context = click.make_pass_decorator(Context)


def parse_when_option(value: str | None) -> str | None:
    """An ISO timestamp from a lenient --at/--when value, or a clear error."""
    if value is None:
        return None
    from facilitator.dates import DateProblem, parse_when

    try:
        return parse_when(value).isoformat(timespec="minutes")
    except DateProblem as exc:
        raise UserError(str(exc)) from None


# Commands that may make a store where there is none (the app, too, with no command).
STARTS_A_STORE = {(), ("review", "new"), ("review", "restore"), ("review", "join"),
                  ("demo",), ("reviewer",)}  # fmt: skip


def _starts_a_store() -> bool:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True
    return tuple(ctx.command_path.split()[1:]) in STARTS_A_STORE


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def debug_enabled() -> bool:
    return bool(os.environ.get("FACILITATOR_DEBUG"))
