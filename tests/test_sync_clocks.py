"""A laptop whose clock runs far ahead wins every field edit until the others' clocks
catch up (issue 11, sixth session). Both sides are told, early: the others ("Laptop
'Lead' clock 30 days ahead: fix it") and the laptop itself, in `sync` output and in the
app's status bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.hlc import wall_clock_ms
from facilitator.service import Service
from facilitator.store import Store
from facilitator.sync import engine_for, join_share, share_review
from facilitator.sync.clocks import ClockSkew, duration
from facilitator.sync.conflicts import field_conflicts
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.sync_status import SyncStatusWidget
from tests.tui_support import START, FakeClock, screen_text, small_review

PASS = "correct horse battery"
DAY_MS = 86_400_000


def ahead_by(ms: int):  # noqa: ANN201
    return lambda: wall_clock_ms() + ms


@pytest.fixture
def pair(tmp_path: Path):
    """(lead, taker, review): the lead's clock is 30 days ahead; both joined one share."""
    with (
        Store(tmp_path / "lead.db", author="Lead", wall_ms=ahead_by(30 * DAY_MS)) as lead,
        Store(tmp_path / "taker.db", author="Taker") as taker,
    ):
        review = lead.create_review("Fictional review")
        share_review(lead, review, tmp_path / "share", PASS, scrypt_n=2**10)
        join_share(taker, tmp_path / "share", PASS)
        yield lead, taker, review


def test_the_others_are_told_which_laptop_is_ahead_and_keep_being_told(pair) -> None:
    lead, taker, review = pair
    lead.update(review, "review", review, title="Set on the lead's laptop")
    engine_for(lead, review).sync()
    engine = engine_for(taker, review)
    for _ in range(2):  # the sync that brings the ops, and every later one
        report = engine.sync()
        assert [(c.who, c.ours, duration(c.ms)) for c in report.clocks] == [
            ("Lead", False, "30 days")
        ]
        lines = "\n".join(report.lines())
        assert "laptop 'Lead' has a clock 30 days ahead of this one" in lines
        assert report.clocks[0].short() == "Laptop 'Lead' clock 30 days ahead: fix it"
    # One-shot `sync` says it too.
    assert engine_for(taker, review).sync().clocks


def test_the_laptop_that_is_ahead_is_told_when_fresh_edits_arrive_far_behind(pair) -> None:
    lead, taker, review = pair
    engine = engine_for(lead, review)
    assert not engine.sync().clocks
    # An edit of a value the lead stamped (so stamped past it), and one of nothing held.
    taker.update(review, "review", review, title="Set on the note-taker's laptop")
    taker.add_participant(review, role="Teacher", agency="School")
    engine_for(taker, review).sync()
    report = engine.sync()
    assert [(c.who, c.ours, duration(c.ms)) for c in report.clocks] == [("Taker", True, "30 days")]
    assert "this laptop's clock looks 30 days ahead" in "\n".join(report.lines())
    assert report.clocks[0].short() == "This clock 30 days ahead: fix it"


def test_clocks_a_little_apart_say_nothing(tmp_path: Path) -> None:
    with (
        Store(tmp_path / "lead.db", author="Lead", wall_ms=ahead_by(60_000)) as lead,
        Store(tmp_path / "taker.db", author="Taker") as taker,
    ):
        review = lead.create_review("Fictional review")
        share_review(lead, review, tmp_path / "share", PASS, scrypt_n=2**10)
        join_share(taker, tmp_path / "share", PASS)
        lead_engine, taker_engine = engine_for(lead, review), engine_for(taker, review)
        lead_engine.sync()
        taker.update(review, "review", review, title="Later")
        assert not taker_engine.sync().clocks
        assert not lead_engine.sync().clocks


@pytest.mark.parametrize("who", ["Sam", "Dr Alexandra Featherstonehaugh-Smythe"])
def test_the_short_line_fits_the_status_bar(who: str) -> None:
    for ms in (6 * 60_000, 5 * 3_600_000, 400 * DAY_MS):
        for ours in (False, True):
            assert len(ClockSkew(who, ms, ours).short()) <= 44


async def test_the_note_takers_status_bar_names_the_laptop_that_is_ahead(
    service: Service, tmp_path: Path
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    folder = tmp_path / "share"
    share_review(service.store, setup.review, folder, PASS, scrypt_n=2**10)
    with Store(tmp_path / "lead.db", author="Sam", wall_ms=ahead_by(30 * DAY_MS)) as lead:
        join_share(lead, folder, PASS)
        lead.update(setup.review, "review", setup.review, title="Renamed by Sam")
        engine_for(lead, setup.review).sync()
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(120, 24)) as pilot:
        widget = app.screen.query_one(SyncStatusWidget)
        for _ in range(100):
            await pilot.pause(0.05)
            if "clock" in screen_text(app):
                break
        assert "Laptop 'Sam' clock 30 days ahead: fix it" in screen_text(app)
        assert widget.has_class("-trouble")
        assert app.sync_worker.status.clock == "Laptop 'Sam' clock 30 days ahead: fix it"


def test_an_edit_made_after_seeing_a_future_stamped_value_wins_over_it(pair) -> None:
    """The damage is bounded: an edit beats the value its author saw, however far ahead
    that value's clock was (the new op is stamped just past it; the laptop's own clock is
    not moved). The same on every laptop: the stamp travels inside the op."""
    lead, taker, review = pair
    lead.update(review, "review", review, title="Set by the lead, clock 30 days ahead")
    engine_for(lead, review).sync()
    engine_for(taker, review).sync()
    before = taker.clock.last
    taker.update(review, "review", review, title="Corrected by the note-taker")
    assert taker.clock.last.wall_ms - before.wall_ms < DAY_MS  # the clock was not dragged
    engine_for(taker, review).sync()
    engine_for(lead, review).sync()
    assert lead.review(review).title == taker.review(review).title == "Corrected by the note-taker"
    assert lead.snapshot() == taker.snapshot()
    assert lead.check().ok and taker.check().ok
    # Made after seeing the other value: not offered as a conflict with it.
    assert field_conflicts(taker, review) == [] and field_conflicts(lead, review) == []
    # A later edit on the laptop that is ahead wins again, as it was made later still.
    lead.update(review, "review", review, title="The lead again")
    engine_for(lead, review).sync()
    engine_for(taker, review).sync()
    assert taker.review(review).title == "The lead again"


def test_an_edit_that_never_saw_the_future_value_still_loses_to_it(pair) -> None:
    lead, taker, review = pair
    taker.update(review, "review", review, title="Made before any sync")
    lead.update(review, "review", review, title="Set by the lead, clock 30 days ahead")
    for store in (lead, taker, lead):
        engine_for(store, review).sync()
    assert taker.review(review).title == lead.review(review).title
    assert taker.review(review).title == "Set by the lead, clock 30 days ahead"
