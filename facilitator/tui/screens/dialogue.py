"""The dialogue with participants: the drafts and who had each, the comments to answer, and
the group meetings (guide 3.4.4). Everything is read and written through
:mod:`facilitator.dialogue`, the same code the command line uses.

Keys: f freeze a draft, e write a participant's pack of the highlighted draft, s record
that it was sent, a / d / o accept, decline (with the reason) or note the highlighted
comment, m record a group meeting, g the lead's guide for a meeting, tab between tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from facilitator.dialogue import records
from facilitator.dialogue.board import person
from facilitator.dialogue.model import (
    ANCHOR_NOT_FOUND,
    DRAFT_KINDS,
    DRAFT_TITLES,
    MEETING_KINDS,
    MEETING_TITLES,
    CommentRecord,
)
from facilitator.dialogue.model import Board as DialogueBoard
from facilitator.model import Participant
from facilitator.store.db import StoreError
from facilitator.tui.screens.dialogs import ChoiceDialog, Field, FormDialog
from facilitator.tui.screens.editing import EditingScreen
from facilitator.tui.text import cell, plain
from facilitator.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp


KIND_NAMES = {"insertion": "tracked insertion", "deletion": "tracked deletion"}


def _kind(comment: CommentRecord) -> str:
    """``[insertion] `` before a tracked change's text; nothing before a comment's."""
    return "" if comment.kind == "comment" else f"[{comment.kind}] "


class DialogueScreen(EditingScreen):
    DEFAULT_CSS = """
    DialogueScreen #drafts { height: 1fr; max-height: 8; }
    DialogueScreen #comments { height: 2fr; }
    DialogueScreen #comment-detail { height: auto; max-height: 4; color: $text-muted; }
    DialogueScreen .pane-title { margin-top: 1; }
    DialogueScreen #meetings { height: auto; max-height: 4; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="dialogue-back"),
        Binding("f", "freeze", "Freeze draft", id="dialogue-freeze"),
        Binding("e", "export", "Export pack", id="dialogue-export"),
        Binding("s", "send", "Sent to…", id="dialogue-send"),
        Binding("a", "answer('accepted')", "Accept", id="dialogue-accept"),
        Binding("d", "answer('declined')", "Decline", id="dialogue-decline"),
        Binding("o", "answer('noted')", "Noted", id="dialogue-noted"),
        Binding("m", "meeting", "Meeting", id="dialogue-meeting"),
        Binding("g", "guide", "Meeting guide", id="dialogue-guide"),
    ]

    def __init__(self, review: str) -> None:
        super().__init__()
        self.review_id = review
        self.board = DialogueBoard()
        self.people: dict[str, Participant] = {}

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(
            "Dialogue with participants: drafts, comments and meetings",
            classes="screen-title",
            markup=False,
        )
        yield Label("Drafts", classes="pane-title")
        yield DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
        yield Label("Comments (unanswered first)", classes="pane-title", id="comments-title")
        yield DataTable(id="comments", cursor_type="row", zebra_stripes=True)
        yield Static("", id="comment-detail")
        yield Static("", id="meetings")
        yield KeyFooter()

    def on_mount(self) -> None:
        drafts = self.query_one("#drafts", DataTable)
        for label, width in (("Draft", 5), ("Kind", 20), ("Frozen", 17), ("Sent to", None)):
            drafts.add_column(label, width=width)
        comments = self.query_one("#comments", DataTable)
        for label, width in (
            ("", 4),
            ("Draft", 5),
            ("From", 18),
            ("On", 14),
            ("Answer", 9),
            ("Comment", None),
        ):
            comments.add_column(label, width=width)
        comments.focus()
        self.load()

    def refresh_from_store(self) -> None:
        """Ops arrived (the sync worker calls this): a comment answered or a draft sent on
        another laptop shows now."""
        self.load()

    @work(thread=True, exclusive=True, group="dialogue")
    def load(self) -> None:
        store = self.facilitator.store
        try:
            board = records.board(store, self.review_id)
            people = {p.id: p for p in store.participants(self.review_id)}
        except Exception as exc:  # noqa: BLE001 - report, keep the screen usable
            self.app.call_from_thread(
                self.notify, f"Could not read the dialogue: {exc}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._show, board, people)

    def _comments_in_order(self) -> list[CommentRecord]:
        return sorted(
            self.board.comments, key=lambda c: (not c.open, c.label[:1], int(c.label[1:]))
        )

    def _show(self, board: DialogueBoard, people: dict[str, Participant]) -> None:
        self.board, self.people = board, people
        labels = {d.id: d.label for d in board.drafts}
        drafts = self.query_one("#drafts", DataTable)
        drafts.clear()
        for draft in board.drafts:
            sent = [s for s in board.sends if s.draft == draft.id]
            to = ", ".join(
                f"{people[s.participant].label} {s.at[:10]}"
                for s in sent
                if s.participant in people
            )
            drafts.add_row(
                cell(draft.label),
                cell(draft.title),
                cell(draft.frozen_at[:16].replace("T", " ")),
                cell(to or "not sent yet", "" if to else "dim"),
                key=draft.id,
            )
        comments = self.query_one("#comments", DataTable)
        keep = comments.cursor_row
        comments.clear()
        ordered = self._comments_in_order()
        for comment in ordered:
            answer = comment.answer.response if comment.answer else "to answer"
            comments.add_row(
                cell(comment.label),
                cell(labels.get(comment.draft, "?")),
                cell(person(people, comment.participant)),
                cell(comment.where),
                cell(answer, "bold" if comment.open else "dim"),
                cell(_kind(comment) + (comment.text or comment.quote)),
                key=comment.id,
            )
        if ordered:
            comments.move_cursor(row=min(max(keep, 0), len(ordered) - 1))
        waiting = sum(c.open for c in board.comments)
        self.query_one("#comments-title", Label).update(
            plain(f"Comments: {len(board.comments)}, {waiting} to answer (unanswered first)")
        )
        lines = [
            f"{m.label} {m.title}, {m.at[:16].replace('T', ' ')}: "
            + (", ".join(person(people, p) for p in m.attended) or "attendance not recorded")
            for m in board.meetings
        ]
        self.query_one("#meetings", Static).update(
            plain("Meetings: " + ("; ".join(lines) if lines else "none yet (m to record one)"))
        )

    @on(DataTable.RowHighlighted, "#comments")
    def _detail(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted comment in full: its text, the passage it is on, the answer."""
        ordered = self._comments_in_order()
        row = event.cursor_row
        if not 0 <= row < len(ordered):
            return
        comment = ordered[row]
        # What kind it is and where it sat: the On column is too narrow for "near E2".
        what = [KIND_NAMES.get(comment.kind, comment.kind)] if comment.kind != "comment" else []
        if comment.anchor == ANCHOR_NOT_FOUND:
            what.append(comment.where)
        head = f"{comment.label} ({', '.join(what)})" if what else comment.label
        parts = [f"{head}: {comment.text or '(no text)'}"]
        if comment.quote:
            parts.append(f"on “{comment.quote}”")
        if comment.answer is not None and comment.answer.note:
            parts.append(f"answer: {comment.answer.note}")
        self.query_one("#comment-detail", Static).update(plain(" · ".join(parts), one_line=True))

    # --- actions ----------------------------------------------------------------------

    def action_freeze(self) -> None:
        choices = [(kind, DRAFT_TITLES[kind]) for kind in DRAFT_KINDS]

        def chosen(kind: str | None) -> None:
            if kind:
                self.notify(f"Freezing the {DRAFT_TITLES[kind].lower()}…", markup=False)
                self.freeze(kind)

        self.app.push_screen(ChoiceDialog("Freeze the analysis as which draft?", choices), chosen)

    @work(thread=True, exclusive=True, group="dialogue-freeze")
    def freeze(self, kind: str) -> None:
        """Work out and store the draft off the UI thread: on a large review it takes
        seconds, and typing elsewhere in the app must not wait for it."""
        app = self.facilitator
        try:
            records.freeze_draft(app.store, app.method, self.review_id, kind)
        except StoreError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(self.notify, f"{DRAFT_TITLES[kind]} frozen.", markup=False)
        app.call_from_thread(self.load)

    def _current_draft(self) -> str | None:
        table = self.query_one("#drafts", DataTable)
        row = table.cursor_row
        drafts = self.board.drafts
        return drafts[row].id if 0 <= row < len(drafts) else None

    def _participant(self, token: str) -> str:
        return self.facilitator.store.resolve("participants", token, review=self.review_id)

    def action_send(self) -> None:
        draft = self._current_draft()
        if draft is None:
            self.notify("Freeze a draft first (f).", severity="warning")
            return

        def save(values: dict[str, str]) -> None:
            from facilitator.dates import parse_when

            at = values["at"]
            when = parse_when(at).isoformat(timespec="minutes") if at else None
            # Every name checked before any send is saved: all of them, or none.
            who = [self._participant(t) for t in values["participants"].replace(",", " ").split()]
            store = self.facilitator.store
            with store.transaction():
                for participant in dict.fromkeys(who):
                    records.record_send(store, self.review_id, draft, participant, when)

        label = next(d.label for d in self.board.drafts if d.id == draft)
        self.ask_then_change(
            FormDialog(
                f"{label} went to",
                [
                    Field("participants", "Participants", placeholder="e.g. P1 P2", required=True),
                    Field("at", "When (empty: now)", placeholder="e.g. 3 June 10:00"),
                ],
            ),
            save,
        )

    def action_export(self) -> None:
        draft_id = self._current_draft()
        if draft_id is None:
            self.notify("Freeze a draft first (f).", severity="warning")
            return
        draft = next(d for d in self.board.drafts if d.id == draft_id)
        store = self.facilitator.store

        def save(values: dict[str, str]) -> None:
            from pathlib import Path

            from facilitator.dialogue.pack import pack_bytes
            from facilitator.files import refuse_to_overwrite, write_private_bytes

            participant = self._participant(values["participant"])
            # Named after whose pack it is, as the command line names it.
            who = store.participant(participant).label
            path = Path(values["path"] or f"{draft.label}-{draft.kind}-{who}.docx").expanduser()
            fmt = "md" if path.suffix.lower() == ".md" else "docx"
            if path.exists() or path.is_symlink():  # another's pack, perhaps: never silently
                raise StoreError(f"{path} already exists; choose another file name")
            problem = refuse_to_overwrite(path, store.path)
            if problem:
                raise StoreError(problem)
            try:
                write_private_bytes(path, pack_bytes(draft, participant, fmt))
            except OSError as exc:
                raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
            self.notify(f"Written: {path}", markup=False)

        self.ask_then_change(
            FormDialog(
                f"A participant's pack of {draft.label}",
                [
                    Field("participant", "For", placeholder="e.g. P2", required=True),
                    Field(
                        "path",
                        "Write to (.docx, or .md)",
                        placeholder=f"empty: {draft.label}-{draft.kind}-P2.docx, for P2",
                    ),
                ],
            ),
            save,
        )

    def _current_comment(self) -> str | None:
        table = self.query_one("#comments", DataTable)
        row = table.cursor_row
        ordered = self._comments_in_order()
        return ordered[row].id if 0 <= row < len(ordered) else None

    def action_answer(self, response: str) -> None:
        comment = self._current_comment()
        if comment is None:
            self.notify("There is no comment to answer.", severity="warning")
            return
        store = self.facilitator.store

        def save(values: dict[str, str]) -> None:
            records.respond(store, self.review_id, comment, response, values["note"])

        self.ask_then_change(
            FormDialog(
                f"Answer: {response}",
                [
                    Field(
                        "note",
                        "The reason (required)" if response == "declined" else "Note (optional)",
                        required=response == "declined",
                    )
                ],
            ),
            save,
        )

    def action_guide(self) -> None:
        """The lead's guide for a meeting; a broken guide file is named, not hidden."""
        from facilitator.dialogue.guides import load_meeting_guides
        from facilitator.method import GuideError
        from facilitator.tui.widgets.meeting_guide import MeetingGuideDialog

        try:
            guides = load_meeting_guides(self.facilitator.method.source)
        except GuideError as exc:
            self.notify(f"The meeting guides cannot be read: {exc}", severity="error", markup=False)
            return
        choices = [(kind, MEETING_TITLES[kind]) for kind in MEETING_KINDS]

        def chosen(kind: str | None) -> None:
            if kind:
                self.app.push_screen(MeetingGuideDialog(guides[kind]))

        self.app.push_screen(ChoiceDialog("The guide for which meeting?", choices), chosen)

    def action_meeting(self) -> None:
        choices = [(kind, MEETING_TITLES[kind]) for kind in MEETING_KINDS]

        def chosen(kind: str | None) -> None:
            if not kind:
                return

            def save(values: dict[str, str]) -> None:
                from facilitator.dates import parse_when

                at = parse_when(values["at"]).isoformat(timespec="minutes")
                attended = [
                    self._participant(t) for t in values["attended"].replace(",", " ").split()
                ]
                _meeting, talk = records.new_meeting(
                    self.facilitator.store, self.review_id, kind, at, attended
                )
                label = self.facilitator.store.conversation(talk).label
                self.notify(f"Notes for the meeting are taken in {label}.", markup=False)

            self.ask_then_change(
                FormDialog(
                    MEETING_TITLES[kind],
                    [
                        Field("at", "When", placeholder="e.g. 10 June 12:00", required=True),
                        Field("attended", "Who came", placeholder="e.g. P1 P2 P3"),
                    ],
                ),
                save,
            )

        self.app.push_screen(ChoiceDialog("Which meeting?", choices), chosen)
