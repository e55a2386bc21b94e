"""Screens every user meets (issue 12): F1 reaches its end, forms fit 80x24 and keep what
was typed on an error, the home screen at 80x24, one date style."""

from __future__ import annotations

import pytest

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.help import HelpScreen
from tests.tui_support import FakeClock, screen_text, small_review


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (160, 48)])
async def test_help_scrolls_to_its_end(service: Service, size: tuple[int, int]) -> None:
    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("end")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "@lr-options" in text and "What options they thought they had" in text
        await pilot.press("home")
        await pilot.pause(0.3)
        assert "Keys on this screen" in screen_text(app)


async def open_pattern_form(pilot, review: str) -> None:  # noqa: ANN001
    from facilitator.tui.screens.patterns import PatternsScreen

    pilot.app.push_screen(PatternsScreen(review))
    await pilot.pause(0.3)
    await pilot.press("a")
    await pilot.pause()
    await pilot.press("enter")  # the first type of pattern
    await pilot.pause(0.3)


async def test_the_add_pattern_form_fits_80x24_and_keeps_input_on_an_error(
    service: Service, demo_review: str
) -> None:
    from facilitator.tui.screens.dialogs import FormDialog

    before = service.store.rows("patterns", demo_review)  # the demo has one already
    app = FacilitatorApp(service, review=demo_review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_pattern_form(pilot, demo_review)
        assert isinstance(app.screen, FormDialog)
        text = screen_text(app)
        for label in ("Title", "Description", "How widespread", "Relevance", "episodes"):
            assert label in text
        assert "Supporting factor areas" in text and "Esc: cancel" in text
        await pilot.press(*"Supervision squeezed by cover")
        await pilot.press("enter", *"Cancelled when short-staffed", "enter", *"seven", "enter")
        await pilot.press("enter", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)  # still open
        shown = " ".join(screen_text(app).replace("█", " ").split())
        assert "Not saved: How widespread must be a whole number from 1 to 5, not 'seven'" in shown
        values = app.screen.values()
        assert values["title"] == "Supervision squeezed by cover"
        assert values["widespread"] == "seven"
        assert service.store.rows("patterns", demo_review) == before
        app.screen.query_one("#field-widespread").value = "4"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
    (row,) = [
        r
        for r in service.store.rows("patterns", demo_review)
        if r["id"] not in {b["id"] for b in before}
    ]
    assert row["title"] == "Supervision squeezed by cover" and row["widespread"] == 4


async def test_home_at_80x24_one_line_per_row_kind_pseudonym_and_one_date_style(
    service: Service, demo_review: str
) -> None:
    from facilitator.tui.screens.dialogs import FormDialog
    from tests.test_tui_home import fill

    store = service.store
    app = FacilitatorApp(service, review=demo_review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#reviews-pane").size.width <= 24
        text = screen_text(app)
        for person in store.participants(demo_review):
            # One line each: the row ends with the kind, on the same line as the label.
            row = next(line for line in text.split("\n") if f"{person.label}  " in line)
            assert person.display[:10] in row
        conversation = store.conversations(demo_review)[0]
        assert "4 Mar 2025 10:00" in text or "Mar 2025" in text  # UK style in the list
        assert "2025-03" not in text

        app.screen.query_one("#participants").focus()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        shown = screen_text(app)
        assert "Kind (worker, manager, family, other)" in shown and "Pseudonym" in shown
        await fill(pilot, "Grandmother", "Family", "Mrs Q", "family", "Grandmother G")
        person = next(p for p in store.participants(demo_review) if p.role == "Grandmother")
        assert (person.kind, person.pseudonym) == ("family", "Grandmother G")

        app.screen.query_one("#conversations").focus()
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        when = app.screen.values()["when"]
        assert when and "T" not in when and "+00:00" not in when
        assert when in screen_text(app)
        await pilot.press("escape")
    assert store.conversation(conversation.id) == conversation


async def test_help_on_the_note_takers_screen_gives_the_rule_for_dates_outside_brackets(
    service: Service,
) -> None:
    """The README says a date typed outside brackets in a #new line is not read (a
    warning, put it in brackets) and that numeric dates are day-first only; F1 did not,
    so a note-taker told "a date outside brackets is not read" found no rule in help."""
    from textual.widgets import Static

    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(
            " ".join(str(static.render()).split()) for static in app.screen.query(Static)
        )
    assert "a date typed outside brackets ('#new Visit: 3 May 2024'), which is not read" in shown
    assert "put it in brackets, '#new Visit (3 May 2024)'" in shown
    assert "12/13/24 is a problem, not 13 December" in shown
