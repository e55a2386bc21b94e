"""The home screen: reviews, their participants and conversations; create and edit them
from the keyboard; open a conversation as note-taker, lead or both."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from facilitator.dates import parse_when, uk_moment
from facilitator.model import PARTICIPANT_KINDS, Conversation, Participant, Review
from facilitator.tui.screens.dialogs import ChoiceDialog, Field, FormDialog
from facilitator.tui.screens.editing import EditingScreen
from facilitator.tui.text import display_text
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp

STATUS_RICH = {"planned": "dim", "in progress": "bold yellow", "done": "green"}


def _line(*parts: tuple[str, str], width: int = 0) -> Text:
    """One row, cut to ``width`` with an ellipsis rather than wrapped (plain text, never
    markup); the full wording is in the edit form."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for words, style in parts:
        text.append(words, style=style)
    if width and text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


def review_prompt(review: Review) -> Text:
    # Reviews are few and their titles matter: a long one wraps in the narrow pane.
    text = Text()
    text.append(f"{review.label:<4}", style="bold")
    text.append(display_text(review.title, one_line=True))
    return text


def participant_prompt(participant: Participant, width: int = 0) -> Text:
    return _line(
        (f"{participant.label:<4}", "bold"),
        (f"{participant.kind:<8}", "dim"),
        (display_text(participant.display, one_line=True), ""),
        width=width,
    )


def conversation_prompt(conversation: Conversation, who: str, width: int = 0) -> Text:
    when = uk_moment(conversation.started_at or conversation.planned_at)
    return _line(
        (f"{conversation.label:<4}", "bold"),
        (f"{conversation.status:<12}", STATUS_RICH.get(conversation.status, "")),
        (f"{when:<18}" if when else "", "dim"),
        (display_text(who, one_line=True), ""),
        width=width,
    )


class HomeScreen(EditingScreen):
    BINDINGS = [
        # Short labels so every key fits the footer at 80 columns; F1 shows the tooltips.
        Binding("n", "new_review", "Review", tooltip="New review", id="new-review"),
        Binding(
            "a", "add_participant", "Person", tooltip="Add a participant", id="add-participant"
        ),
        Binding(
            "c",
            "new_conversation",
            "Conversation",
            tooltip="New conversation",
            id="new-conversation",
        ),
        Binding(
            "e",
            "edit",
            "Edit",
            tooltip="Edit the selected review, participant or conversation",
            id="edit",
        ),
        Binding(
            "o",
            "open('notes')",
            "Notes",
            tooltip="Take notes in the selected conversation",
            id="open-notes",
        ),
        Binding(
            "l", "open('lead')", "Lead", tooltip="Lead the selected conversation", id="open-lead"
        ),
        Binding(
            "s",
            "open('split')",
            "Both",
            tooltip="Lead and take notes on one screen",
            id="open-split",
        ),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    def __init__(self, review: str | None = None) -> None:
        super().__init__()
        self.review_id = review
        self._reviews: list[Review] = []
        self._participants: list[Participant] = []
        self._conversations: list[Conversation] = []

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="home-title", classes="screen-title", markup=False)
        with Horizontal(id="home-body"):
            with Vertical(id="reviews-pane", classes="pane"):
                yield Label("Reviews", classes="pane-title")
                yield OptionList(id="reviews")
            with Vertical(id="detail-pane"):
                with Vertical(classes="pane"):
                    yield Label("Participants", classes="pane-title")
                    yield OptionList(id="participants")
                with Vertical(classes="pane"):
                    yield Label("Conversations", classes="pane-title")
                    yield OptionList(id="conversations")
        yield StatusBar()
        yield KeyFooter()

    def _title(self) -> str:
        name = self.facilitator.store.author
        return f"facilitator: reviews and conversations · you are {name or 'not named yet'}"

    def show_reviewer(self) -> None:
        self.query_one("#home-title", Static).update(self._title())

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#reviews", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self.call_after_refresh(self._load_review)

    def load(self) -> None:  # after a change made through apply_change
        self.reload()

    # --- data ----------------------------------------------------------------------

    def reload(self) -> None:
        store = self.facilitator.store
        self._reviews = store.reviews()
        reviews = self.query_one("#reviews", OptionList)
        reviews.set_options(Option(review_prompt(r), id=r.id) for r in self._reviews)
        ids = [r.id for r in self._reviews]
        if self.review_id not in ids:
            self.review_id = ids[0] if ids else None
        if self.review_id:
            reviews.highlighted = ids.index(self.review_id)
        self._load_review()
        if not self._reviews:
            self.query_one(StatusBar).show("No reviews yet: press n to create one.")

    def _load_review(self) -> None:
        store = self.facilitator.store
        participants = self.query_one("#participants", OptionList)
        conversations = self.query_one("#conversations", OptionList)
        keep_p, keep_c = participants.highlighted, conversations.highlighted
        if not self.review_id:
            self._participants, self._conversations = [], []
        else:
            self._participants = store.participants(self.review_id)
            self._conversations = store.conversations(self.review_id)
        by_id = {p.id: p for p in self._participants}
        # Rows are cut to the list's width (known once laid out; a resize reloads them).
        width = max(0, participants.scrollable_content_region.width - 2)
        participants.set_options(
            Option(participant_prompt(p, width), id=p.id) for p in self._participants
        )
        conversations.set_options(
            Option(conversation_prompt(c, self._who(c, by_id), width), id=c.id)
            for c in self._conversations
        )
        for options, keep, count in (
            (participants, keep_p, len(self._participants)),
            (conversations, keep_c, len(self._conversations)),
        ):
            if count:
                options.highlighted = keep if keep is not None and keep < count else 0
        self._bindings_changed()

    def _who(self, conversation: Conversation, by_id: dict[str, Participant]) -> str:
        """Whom a conversation is with: the participant, or for a group meeting's notes
        the meeting ("Interim group meeting: P1, P2"), as 'conversation list' says."""
        found = by_id.get(conversation.participant)
        if found is not None:
            return f"{found.label} {found.display}"
        if conversation.participant:
            return "?"  # a participant this laptop has not heard of yet
        from facilitator.dialogue.records import who_talks

        return who_talks(self.facilitator.store, conversation.review, conversation.id, "")

    @on(OptionList.OptionHighlighted, "#reviews")
    def _review_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id != self.review_id:
            self.review_id = event.option.id
            self.query_one("#participants", OptionList).highlighted = None
            self.query_one("#conversations", OptionList).highlighted = None
            self._load_review()

    @on(OptionList.OptionSelected, "#reviews")
    def _review_selected(self) -> None:
        self.query_one("#conversations", OptionList).focus()

    @on(OptionList.OptionSelected, "#conversations")
    def _conversation_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.facilitator.open_conversation(event.option.id, "notes")

    @on(OptionList.OptionHighlighted)
    def _any_highlight(self) -> None:
        self._bindings_changed()

    def _bindings_changed(self) -> None:
        # A footer redraw is not cheap: one per frame at most, and only on the screen on
        # show (a screen coming back to the top refreshes its bindings anyway).
        if self.is_current and not self._bindings_pending:
            self._bindings_pending = True
            self.call_after_refresh(self._refresh_bindings_now)

    _bindings_pending = False

    def _refresh_bindings_now(self) -> None:
        self._bindings_pending = False
        self.refresh_bindings()

    def _selected(self, list_id: str) -> str | None:
        options = self.query_one(f"#{list_id}", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _focused_list(self) -> str | None:
        focused = self.focused
        return focused.id if isinstance(focused, OptionList) else None

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_participant", "new_conversation"):
            return bool(self.review_id)
        if action == "open":
            return bool(self._selected("conversations"))
        if action == "edit":
            list_id = self._focused_list()
            return bool(list_id and self._selected(list_id))
        return True

    def _report(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)

    def action_new_review(self) -> None:
        def create(values: dict[str, str]) -> None:
            questions = [q for q in values["questions"].split(";") if q.strip()]
            self.review_id = self.facilitator.store.create_review(values["title"], questions)

        self.ask_then_change(
            FormDialog(
                "New review",
                [
                    Field("title", "Title", required=True),
                    Field("questions", "Review questions (separate with ;)"),
                ],
            ),
            create,
        )

    def _participant_fields(self, person: Participant | None = None) -> list[Field]:
        return [
            Field(
                "role",
                "Role",
                person.role if person else "",
                placeholder="e.g. Social worker",
                required=True,
            ),
            Field(
                "agency",
                "Agency",
                person.agency if person else "",
                placeholder="e.g. Children's social care",
                required=True,
            ),
            Field("name", "Name (optional)", (person.name or "") if person else ""),
            Field(
                "kind",
                f"Kind ({', '.join(PARTICIPANT_KINDS)})",
                person.kind if person else "worker",
                required=True,
            ),
            Field(
                "pseudonym",
                "Pseudonym in the final report (family members)",
                (person.pseudonym or "") if person else "",
            ),
        ]

    def action_add_participant(self) -> None:
        review = self.review_id
        if not review:
            return
        self.ask_then_change(
            FormDialog("Add participant", self._participant_fields()),
            lambda values: self.facilitator.store.add_participant(
                review,
                role=values["role"],
                agency=values["agency"],
                name=values["name"] or None,
                kind=values["kind"].lower(),
                pseudonym=values["pseudonym"] or None,
            ),
        )

    def _conversation_fields(self, conversation: Conversation | None = None) -> list[Field]:
        return [
            Field("lead", "Lead questioner", conversation.lead or "" if conversation else ""),
            Field("notes", "Note-taker", conversation.note_taker or "" if conversation else ""),
            Field(
                "when",
                "Planned for (e.g. 12 March 10:00)",
                uk_moment(conversation.planned_at) if conversation else "",
            ),
        ]

    def _planned_at(self, text: str) -> str | None:
        """The ISO moment for a typed date; a DateProblem is shown inside the form."""
        if not text:
            return None
        return parse_when(text, now=self.facilitator.clock()).isoformat(timespec="minutes")

    def action_new_conversation(self) -> None:
        review = self.review_id
        if not review:
            return
        if not self._participants:
            self._report("Add a participant first (a).")
            return

        def with_participant(participant: str | None) -> None:
            if participant is None:
                return
            self.ask_then_change(
                FormDialog("New conversation", self._conversation_fields()),
                lambda values: self.facilitator.store.new_conversation(
                    review,
                    participant,
                    lead=values["lead"] or None,
                    note_taker=values["notes"] or None,
                    planned_at=self._planned_at(values["when"]),
                ),
            )

        current = self._selected("participants")
        if self._focused_list() == "participants" and current:
            with_participant(current)
        else:
            self.app.push_screen(
                ChoiceDialog(
                    "With whom?",
                    [(p.id, f"{p.label} {p.display}") for p in self._participants],
                    current,
                ),
                with_participant,
            )

    def action_edit(self) -> None:
        list_id = self._focused_list()
        item = self._selected(list_id) if list_id else None
        if not item or not self.review_id:
            return
        store = self.facilitator.store
        review = self.review_id
        if list_id == "reviews":
            current = store.review(item)

            def saved_review(values: dict[str, str]) -> None:
                if values["title"]:
                    questions = [q.strip() for q in values["questions"].split(";") if q.strip()]
                    store.update(item, "review", item, title=values["title"], questions=questions)

            self.ask_then_change(
                FormDialog(
                    "Edit review",
                    [
                        Field("title", "Title", current.title, required=True),
                        Field(
                            "questions",
                            "Review questions (separate with ;)",
                            "; ".join(current.questions),
                        ),
                    ],
                ),
                saved_review,
            )
        elif list_id == "participants":
            person = store.participant(item)

            def saved_person(values: dict[str, str]) -> None:
                kind = values["kind"].lower()
                if kind not in PARTICIPANT_KINDS:
                    raise ValueError(f"kind must be one of {', '.join(PARTICIPANT_KINDS)}")
                store.update(
                    review,
                    "participant",
                    item,
                    role=values["role"],
                    agency=values["agency"],
                    name=values["name"] or None,
                    kind=kind,
                    pseudonym=values["pseudonym"] or None,
                )

            self.ask_then_change(
                FormDialog("Edit participant", self._participant_fields(person)),
                saved_person,
            )
        elif list_id == "conversations":
            conversation = store.conversation(item)

            def saved_conversation(values: dict[str, str]) -> None:
                fields: dict[str, str | None] = {
                    "lead": values["lead"] or None,
                    "note_taker": values["notes"] or None,
                }
                if values["when"] != uk_moment(conversation.planned_at):
                    fields["planned_at"] = self._planned_at(values["when"])
                store.update(review, "conversation", item, **fields)

            self.ask_then_change(
                FormDialog("Edit conversation", self._conversation_fields(conversation)),
                saved_conversation,
            )

    def action_open(self, role: str) -> None:
        conversation = self._selected("conversations")
        if conversation:
            self.facilitator.open_conversation(conversation, role)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("New review", "Create a review (n)", self.action_new_review)
        if self.review_id:
            yield SystemCommand(
                "Add participant", "To the selected review (a)", self.action_add_participant
            )
            yield SystemCommand(
                "New conversation", "With a participant (c)", self.action_new_conversation
            )
        for conversation in self._conversations:
            yield SystemCommand(
                f"Take notes: {conversation.label}",
                f"Open {conversation.label} as note-taker",
                lambda c=conversation.id: self.facilitator.open_conversation(c, "notes"),
            )
            yield SystemCommand(
                f"Lead: {conversation.label}",
                f"Open {conversation.label} as lead questioner",
                lambda c=conversation.id: self.facilitator.open_conversation(c, "lead"),
            )
