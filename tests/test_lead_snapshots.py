"""What the lead's main stage layouts look like at 80x24 and 160x48 (frozen clock, a
fixed fictional review). Update with
``pytest tests/test_lead_snapshots.py --snapshot-update`` after checking the change by eye."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.pilot import Pilot

from facilitator.demo import build_demo
from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.lead_model import ranking_id
from tests.test_lead_screen import settle
from tests.tui_support import FakeClock, steady

SIZES = [(80, 24), (160, 48)]
DEMO_START = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
SECOND = DEMO_START + timedelta(days=7)


def second_conversation(service: Service) -> tuple[str, FakeClock]:
    """The health visitor's conversation, 40 minutes in, with a few notes and a ranking."""
    review = build_demo(service, start=DEMO_START)
    store = service.store
    planned = [c for c in store.conversations(review) if c.status == "planned"][0]
    clock = FakeClock(SECOND)
    store.start_conversation(planned, at=clock.iso())
    conversation = store.conversation(planned.id)
    for minutes, stage, line in (
        (14, 3, "#1 Was at the joint visit; thought it went well @interagency"),
        (16, 3, "#new Developmental check (February 2024) @role"),
        (22, 4, "#1 @lr-picture Saw a thriving toddler; no concern about the bruise"),
        (25, 4, "#4 @lr-information Growth chart on track weighed most [sic]"),
        (31, 5, "#4 @conditions Caseload doubled after a colleague left"),
        (33, 6, "+ Joint visit was planned together the day before #1"),
        (35, 7, "~ One shared record of visits across agencies"),
    ):
        at = SECOND + timedelta(minutes=minutes)
        if store.current_stage(planned.id) != stage:
            store.set_stage(conversation, stage, at=(at - timedelta(seconds=20)).isoformat())
        service.record_note(conversation, line, at=at.isoformat())
    store.update(
        review,
        "ranking",
        ranking_id(planned.id),
        conversation=planned.id,
        factors=["conditions", "interagency"],
    )
    clock.advance(40 * 60)
    return planned.id, clock


def goto(stage: str):  # noqa: ANN201
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(stage)
        await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("stage", ["1", "4", "5", "6", "8"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lead_stage_layouts(snap_compare, service: Service, size, stage: str) -> None:  # noqa: ANN001
    conversation, clock = second_conversation(service)
    app = FacilitatorApp(service, conversation=conversation, role="lead", clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=goto(stage))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_split_view_layout(snap_compare, service: Service, size) -> None:  # noqa: ANN001
    """The one-laptop view: the lead's panel at stage 4 beside the notes and the note box."""
    conversation, clock = second_conversation(service)
    app = FacilitatorApp(service, conversation=conversation, role="split", clock=clock)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f5", "4")  # to the lead's panel, then stage 4
        await settle(pilot)
        await pilot.press("f5")  # and back to the note box
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
