"""The lead questioner's screen: the nine stages one at a time (see :class:`LeadView`)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from facilitator.tui.screens.dialogs import confirm_end
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.lead_view import LeadView
from facilitator.tui.widgets.status_bar import StatusBar


class LeadActions(Screen[None]):
    """What every screen with the lead's panel does: F2 start/end, stage steps, F10 home,
    and the lead's palette entries. Subclasses compose a :class:`LeadView`."""

    @property
    def lead(self) -> LeadView:
        return self.query_one(LeadView)

    def on_lead_view_conversation_changed(self, event: LeadView.ConversationChanged) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return lead_check(self.lead, action)

    def action_start(self) -> None:
        self.lead.start()

    def action_end(self) -> None:
        def end() -> None:
            self.lead.end()
            self.refresh_bindings()

        confirm_end(self, end)

    def action_reopen(self) -> None:
        self.lead.reopen()
        self.refresh_bindings()

    def action_stage(self, step: int) -> None:
        self.lead.action_step(step)

    def action_close(self) -> None:
        self.app.pop_screen()

    def palette_commands(self) -> Iterable[SystemCommand]:
        return lead_commands(self.lead, self.action_close)


class LeadScreen(LeadActions):
    """Single keys: ``n`` next stage, ``p`` previous, ``1``–``9`` jump; F2 starts or ends;
    F10 goes home. The sync status shows under the panel while the review is shared."""

    BINDINGS = [
        Binding("f2", "start", "Start", id="lead-start"),
        Binding("f2", "end", "End", id="lead-end"),
        Binding("f2", "reopen", "Reopen", id="lead-reopen"),
        Binding("f3", "stage(-1)", "Stage -", show=False, id="lead-stage-previous"),
        Binding("f4", "stage(1)", "Stage +", show=False, id="lead-stage-next"),
        Binding("f10", "close", "Home", id="lead-close"),
    ]

    def __init__(self, conversation_id: str) -> None:
        super().__init__()
        self.conversation_id = conversation_id

    def compose(self) -> ComposeResult:
        yield LeadView(self.conversation_id, id="lead-view")
        yield StatusBar(only_when_syncing=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.lead.query_one("#lead-cover").focus()


def lead_check(lead: LeadView, action: str) -> bool | None:
    """Which screen-level lead actions apply now (F2 is "start" until started, then "end")."""
    if not lead.is_mounted:
        return None
    conversation = lead.snapshot.conversation if lead.snapshot else None
    if action == "start":
        return conversation is not None and not conversation.started_at
    if action == "end":
        return bool(conversation and conversation.started_at and not conversation.ended_at)
    if action == "reopen":
        return bool(conversation and conversation.ended_at)
    if action == "stage":
        return conversation is not None
    return True


def lead_commands(lead: LeadView, close) -> Iterable[SystemCommand]:  # noqa: ANN001
    method = lead.method
    for stage in method.stages:
        yield SystemCommand(
            f"Stage {stage.number}: {stage.title}",
            f"Go to stage {stage.number} (key {stage.number})",
            lambda n=stage.number: lead.go_to(n),
        )
    yield SystemCommand("Back to the home screen", "F10", close)
