"""The dialogue with participants: the drafts and who had each, the comments to answer, and
the group meetings (guide 3.4.4). Everything is read and written through
:mod:`facilitator.dialogue`, the same code the command line uses.

Keys: f freeze a draft, e write a participant's pack of the highlighted draft, s record
that it was sent, a / d / o accept, decline (with the reason) or note the highlighted
comment, m record a group meeting, g the lead's guide for a meeting, tab between tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
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


COMMENT_COLUMNS = ("label", "draft", "from", "on", "answer", "comment")
# A row shows one line: more of a long comment (a pasted page) only costs measuring.
CELL_CHARS = 300
# Rows added to the comments table between two looks at the keyboard.
ROWS_AT_ONCE = 500

KIND_NAMES = {"insertion": "tracked insertion", "deletion": "tracked deletion"}
# The Drafts table's columns before "Sent to" (each with a space either side) and that
# column's own spaces: the rest of the width is its room, less a scroll bar's two when
# there are more drafts than the table's rows (its max-height, less the header).
SENT_TO_TAKEN = (8 + 2) + (18 + 2) + (17 + 2) + 2
DRAFT_ROWS = 6


def sent_to(sends: list[tuple[str, str]], room: int) -> str:
    """Who had a draft and when, in ``room`` characters: "P1, P2, P5 on 2 Jun 2025"
    when they had it the same day (the usual case), else "P1 2 Jun, P2 3 Jun"; cut with
    "…" rather than lost past the table's edge without a sign."""
    from datetime import date

    if not sends:
        return ""
    days = [date.fromisoformat(at[:10]) for _, at in sends]
    if len(set(days)) == 1:
        text = f"{', '.join(label for label, _ in sends)} on {days[0].day} {days[0]:%b %Y}"
    else:
        text = ", ".join(
            f"{label} {day.day} {day:%b}" for (label, _), day in zip(sends, days, strict=True)
        )
    return text if len(text) <= room else text[: room - 1].rstrip(", ") + "…"


def _kind(comment: CommentRecord) -> str:
    """``[insertion] `` before a tracked change's text; nothing before a comment's."""
    return "" if comment.kind == "comment" else f"[{comment.kind}] "


class DialogueScreen(EditingScreen):
    DEFAULT_CSS = """
    /* At 80x24 the drafts of a whole review (three rounds and a re-freeze or two) show
       at once, and the comments take the rest. No blank lines between the panes, and no
       sideways scroll bar on the drafts: a long "Sent to" is cut at the edge. The
       max-height is DRAFT_ROWS and the header. */
    DialogueScreen #drafts { height: auto; min-height: 3; max-height: 7; overflow-x: hidden; }
    DialogueScreen #comments { height: 1fr; min-height: 4; }
    DialogueScreen #comment-detail { height: auto; max-height: 4; color: $text-muted; }
    DialogueScreen .pane-title { margin-top: 0; }
    DialogueScreen #meetings { height: auto; max-height: 2; }
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
        # Comment id -> the values its row shows, and the comments by id.
        self._shown: dict[str, tuple[str, ...]] = {}
        self._by_id: dict[str, CommentRecord] = {}

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
        # A draft's label can be D3-1162 (two laptops froze a D3): never cut to "D3-1…".
        for label, width in (("Draft", 8), ("Kind", 18), ("Frozen", 17), ("Sent to", None)):
            drafts.add_column(label, width=width)
        comments = self.query_one("#comments", DataTable)
        for key, (label, width) in zip(
            COMMENT_COLUMNS,
            (("", 5), ("Draft", 8), ("From", 15), ("On", 13), ("Answer", 9), ("Comment", None)),
            strict=True,
        ):
            comments.add_column(label, width=width, key=key)
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
        self._show_drafts()
        self._show_comments(board, labels, people)
        waiting = sum(c.open for c in board.comments)
        self.query_one("#comments-title", Label).update(
            plain(f"Comments: {len(board.comments)}, {waiting} to answer (unanswered first)")
        )
        lines = [
            f"{m.label} {m.title}, {m.at[:16].replace('T', ' ')}: "
            + (", ".join(person(people, p) for p in m.attended) or "attendance not recorded")
            for m in board.meetings
        ]
        if len(lines) > 2:  # at 80x24 the tables need the room: the count and the latest
            text = (
                f"Meetings: {len(lines)}; the latest: {lines[-1]} "
                "(all of them: 'facilitator dialogue REVIEW')"
            )
        else:
            text = "Meetings: " + ("; ".join(lines) if lines else "none yet (m to record one)")
        self.query_one("#meetings", Static).update(plain(text))

    def on_resize(self) -> None:
        if self.board.drafts:
            self._show_drafts()  # the "Sent to" column is cut to the width there is

    def _show_drafts(self) -> None:
        board, people = self.board, self.people
        drafts = self.query_one("#drafts", DataTable)
        keep = drafts.cursor_row
        # The draft to send is nearly always the newest: the cursor starts on it, and
        # follows a draft frozen while it is there (here or on another laptop).
        latest = keep >= drafts.row_count - 1
        drafts.clear()
        bar = 2 if len(board.drafts) > DRAFT_ROWS else 0
        room = max(12, self.size.width - SENT_TO_TAKEN - bar)
        for draft in board.drafts:
            to = sent_to(
                [
                    (people[s.participant].label, s.at)
                    for s in board.sends
                    if s.draft == draft.id and s.participant in people
                ],
                room,
            )
            drafts.add_row(
                cell(draft.label),
                cell(draft.title),
                cell(draft.frozen_at[:16].replace("T", " ")),
                cell(to or "not sent yet", "" if to else "dim"),
                key=draft.id,
            )
        if drafts.row_count:
            last = drafts.row_count - 1
            drafts.move_cursor(row=last if latest else min(max(keep, 0), last))

    def _comment_values(
        self, comment: CommentRecord, labels: dict[str, str], people: dict[str, Participant]
    ) -> tuple[str, ...]:
        """What each column of a comment's row says (the Comment column cut to what a
        row can show: the detail line below the table gives it in full)."""
        return (
            comment.label,
            labels.get(comment.draft, "?"),
            person(people, comment.participant),
            comment.where,
            comment.answer.response if comment.answer else "to answer",
            (_kind(comment) + (comment.text or comment.quote))[:CELL_CHARS],
        )

    def _show_comments(
        self,
        board: DialogueBoard,
        labels: dict[str, str],
        people: dict[str, Participant],
        ordered: list[CommentRecord] | None = None,
        values: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """Change only the rows that changed, then sort. The table measures every cell
        of every row it is given: clearing and refilling it for one answer took seconds
        with thousands of comments. New rows go in ``ROWS_AT_ONCE`` at a time, top of
        the list first, so the screen answers keys while a long list fills."""
        if board is not self.board:
            return  # a newer board arrived: its own call carries on from here
        table = self.query_one("#comments", DataTable)
        keep = table.cursor_row
        if ordered is None or values is None:
            ordered = self._comments_in_order()
            self._by_id = {c.id: c for c in ordered}
            values = {c.id: self._comment_values(c, labels, people) for c in ordered}
        for gone in self._shown.keys() - values.keys():
            table.remove_row(gone)
            del self._shown[gone]
        added = 0
        for comment_id, row in values.items():
            before = self._shown.get(comment_id)
            if before is None:
                if added == ROWS_AT_ONCE:
                    continue
                table.add_row(*self._cells(row), key=comment_id)
                added += 1
            elif before != row:
                cells = self._cells(row)
                for column, old, new, shown in zip(
                    COMMENT_COLUMNS, before, row, cells, strict=True
                ):
                    if old != new:
                        table.update_cell(comment_id, column, shown)
            self._shown[comment_id] = row
        if len(self._shown) == len(values):  # (rows added meanwhile came in order)
            position = {c.label: index for index, c in enumerate(ordered)}
            table.sort("label", key=lambda label: position.get(label.plain, 0))
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
            # Sorting moves rows under a cursor that stays put: no highlight event says
            # the row under it is now another comment.
            self._detail(self._current_comment())
        if len(self._shown) < len(values):
            self.set_timer(
                0.01, lambda: self._show_comments(board, labels, people, ordered, values)
            )

    @staticmethod
    def _cells(row: tuple[str, ...]) -> list[Text]:
        answer = row[4]
        return [
            cell(text, ("bold" if answer == "to answer" else "dim") if index == 4 else "")
            for index, text in enumerate(row)
        ]

    @on(DataTable.RowHighlighted, "#comments")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.row_key.value)

    def _detail(self, comment_id: str | None) -> None:
        """The highlighted comment in full: its text, the passage it is on, the answer."""
        comment = self._by_id.get(comment_id) if comment_id else None
        if comment is None:
            return
        # What kind it is and where it sat: the On column is too narrow for "near E2".
        what = [KIND_NAMES.get(comment.kind, comment.kind)] if comment.kind != "comment" else []
        if comment.anchor == ANCHOR_NOT_FOUND:
            what.append(comment.where)
        head = f"{comment.label} ({', '.join(what)})" if what else comment.label
        parts = [f"{head}: {comment.text or '(no text)'}"]
        if comment.quote:
            parts.append(f"on “{comment.quote}”")
        if comment.answer is not None and comment.answer.earlier:
            parts.append(comment.answer.history)  # answered twice: both shown, not one
        elif comment.answer is not None and comment.answer.note:
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
        left_out: list[str] = []
        try:
            records.freeze_draft(app.store, app.method, self.review_id, kind, left_out=left_out)
        except StoreError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        said = f"{DRAFT_TITLES[kind]} frozen."
        if left_out:  # "where is E6?": as 'draft new' says it
            said += (
                f" Not in it: {', '.join(left_out)}, named only in the team's own notes "
                "(an account, a record, a pattern, a judgement or a new title brings one in)."
            )
        app.call_from_thread(self.notify, said, markup=False)
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
            from facilitator.dates import parse_day_when

            at = values["at"]
            # The command line's rule: a day must be named; without a year, the last one.
            now = self.facilitator.clock()
            when = (
                parse_day_when(at, now=now, past=True).isoformat(timespec="minutes") if at else None
            )
            # Every name checked before any send is saved: all of them, or none.
            who = [self._participant(t) for t in values["participants"].replace(",", " ").split()]
            if not who:  # " ," passes the form's "required": it names nobody
                raise ValueError("name at least one participant (e.g. P1 P2): nothing was recorded")
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

            from facilitator.dialogue.pack import contact_warning, pack_bytes
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
            warning = contact_warning(draft, participant)
            if warning:
                self.notify(warning, severity="warning", markup=False, timeout=30)

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
        if not 0 <= table.cursor_row < table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_answer(self, response: str) -> None:
        comment = self._current_comment()
        if comment is None:
            self.notify("There is no comment to answer.", severity="warning")
            return
        store = self.facilitator.store

        def save(values: dict[str, str]) -> None:
            # Read now, not when the form opened: an answer may have come in by sync since.
            before = next(
                (c.answer for c in records.comments(store, self.review_id) if c.id == comment),
                None,
            )
            records.respond(store, self.review_id, comment, response, values["note"])
            if before is not None:
                by = f" by {before.by}" if before.by else ""
                self.notify(
                    f"This replaces the earlier answer: {before.response}{by}. Both are kept "
                    "and shown with the comment.",
                    markup=False,
                )

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
                from facilitator.dates import parse_day_when

                now = self.facilitator.clock()
                at = parse_day_when(values["at"], now=now).isoformat(timespec="minutes")
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
