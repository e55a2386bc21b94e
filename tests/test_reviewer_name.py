"""The reviewer's name: asked once per store, kept, shown on the home screen and written on
notes, comments and REFI-QDA users, never the computer's login."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogs import FormDialog
from facilitator.tui.screens.home import HomeScreen
from tests.tui_support import FakeClock


@pytest.fixture
def unnamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACILITATOR_AS", raising=False)


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "reviewer"


def test_a_fresh_store_does_not_write_the_login(tmp_path: Path, unnamed: None) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.author == ""
        store.create_review("R")
        authors = {row[0] for row in store.conn.execute("SELECT author FROM ops")}
        assert _login() not in authors
        store.set_reviewer("  Alex   Morgan ")
        assert store.author == "Alex Morgan"
    with Store(tmp_path / "s.db") as again:  # kept for this store
        assert again.author == "Alex Morgan" and again.reviewer == "Alex Morgan"
    with Store(tmp_path / "s.db", author="Sam Lee") as other:  # --as for one run
        assert other.author == "Sam Lee" and other.reviewer == "Alex Morgan"


def test_the_demo_writes_as_its_note_taker_not_the_login(
    tmp_path: Path, unnamed: None, method: Method
) -> None:
    from facilitator.demo import DEMO_REVIEWER, build_demo

    with Store(tmp_path / "demo.db") as store:
        review = build_demo(Service(store, method))
        authors = {n.author for n in store.notes(review=review)}
        assert authors == {DEMO_REVIEWER}


def test_cli_reviewer_sets_and_shows_the_name(
    tmp_path: Path, unnamed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from facilitator.cli.main import main

    path = str(tmp_path / "s.db")
    main(["--store", path, "reviewer"])
    assert "No name yet" in capsys.readouterr().out
    main(["--store", path, "reviewer", "Priya Shah"])
    main(["--store", path, "reviewer"])
    assert capsys.readouterr().out.splitlines() == ["Priya Shah", "Priya Shah"]
    main(["--store", path, "review", "new", "Named"])
    review = capsys.readouterr().out.strip()
    main(["--store", path, "participant", "add", review, "--role", "GP", "--agency", "GP"])
    person = capsys.readouterr().out.strip()
    main(["--store", path, "conversation", "new", review, person])
    talk = capsys.readouterr().out.strip()
    main(["--store", path, "note", "add", talk, "Rang the school"])
    with Store(path) as store:
        assert [n.author for n in store.notes(review=review)] == ["Priya Shah"]


async def test_the_app_asks_once_and_shows_the_name_on_the_home_screen(
    tmp_path: Path, unnamed: None, method: Method
) -> None:
    store = Store(tmp_path / "s.db")
    app = FacilitatorApp(Service(store, method), clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        field = app.focused
        assert isinstance(field, Input)
        field.value = "Kim Ode"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        title = str(app.screen.query_one("#home-title", Static).render())
        assert "you are Kim Ode" in title
    assert store.author == "Kim Ode"
    store.close()
    again = Store(tmp_path / "s.db")
    app = FacilitatorApp(Service(again, method), clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # not asked again
        assert "you are Kim Ode" in str(app.screen.query_one("#home-title", Static).render())
    again.close()


def test_an_interactive_command_asks_once_for_the_name(
    tmp_path: Path, unnamed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from facilitator.cli import context
    from facilitator.cli.main import cli

    monkeypatch.setattr(context, "_interactive", lambda: True)
    runner = CliRunner()
    path = str(tmp_path / "s.db")
    first = runner.invoke(cli, ["--store", path, "review", "new", "Asked"], input="Ruth Bell\n")
    assert first.exit_code == 0, first.output
    assert "asked once for this store" in first.output
    second = runner.invoke(cli, ["--store", path, "review", "list"], input="")
    assert second.exit_code == 0 and "asked once" not in second.output
    with Store(path) as store:
        assert store.author == "Ruth Bell"
        authors = {row[0] for row in store.conn.execute("SELECT author FROM ops")}
        assert authors == {"Ruth Bell"}


def test_a_note_typed_before_the_name_was_given_is_not_lost(tmp_path: Path, unnamed: None) -> None:
    with Store(tmp_path / "s.db") as store:
        review = store.create_review("R")
        person = store.add_participant(review, role="GP", agency="GP")
        talk = store.new_conversation(review, person)
        store.save_draft(talk, "Half a sentence", "2025-03-04T10:00:00+00:00")
        store.set_reviewer("Ruth Bell")
        draft = store.draft(talk)
        assert draft is not None and draft.text == "Half a sentence"
