"""The episodes board: every key practice episode in time order (undated ones last), who has
been heard on it and who not, discrepancies, and each account attributed to its source.

Keys: r rename, d date, g the team's judgement, m merge into another, u unmerge, i who was
involved, s split some notes off into a new episode, x the episode x factor matrix,
o what spans the review (missing perspectives, all discrepancies, open follow-ups).
The team's judgement is shown apart from the accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, SelectionList, Static

from facilitator.analysis.episodes import (
    descriptions,
    judgement_lines,
    merge_episodes,
    note_source,
    redate_episode,
    rename_episode,
    set_involved,
    set_team_judgement,
    split_episode,
    unmerge_episode,
)
from facilitator.analysis.review_overview import (
    EpisodeAccounts,
    ReviewOverview,
    review_overview,
)
from facilitator.capture import current_refs
from facilitator.method import Method
from facilitator.model import Note
from facilitator.tui.screens.dialogs import ChoiceDialog, Field, FormDialog
from facilitator.tui.screens.editing import EditingScreen
from facilitator.tui.text import cell, display_text, plain
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.key_order import OrderedInput

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp

COLUMNS = (
    ("Ep", 4),
    ("When", 18),
    ("Title", 40),
    ("Heard", 22),
    ("Not yet heard", 22),
    ("Disc.", 5),
    ("Also named", None),
)


def describe(item: EpisodeAccounts, overview: ReviewOverview, method: Method) -> Text:
    """The detail of one episode as plain text: accounts by source, gaps, the team's view."""
    people = overview.participants
    e = item.episode
    refs = {i.episode.id: (i.episode.label, i.episode.title) for i in overview.episodes}

    def said(note: Note) -> str:
        # Each #N as the label of the episode the note is linked to now (a sync may have
        # renumbered it since it was typed), never read as markup.
        linked = [refs[episode] for episode in note.episodes if episode in refs]
        return display_text(current_refs(note.text, linked, method))

    out = Text()
    out.append(display_text(f"{e.label} {e.title}"), style="bold")
    out.append(f"  ({display_text(item.entry.when)})\n", style="dim")
    if item.entry.merged:
        names = "; ".join(f"{m.label} {m.title}" for m in item.entry.merged)
        out.append(f"Also named: {display_text(names)}\n", style="dim")
    for source, accounts in item.accounts_by_source().items():
        out.append(display_text(overview.labels.get(source, "unknown source")) + "\n", style="bold")
        for account in accounts:
            if account.note.kind == "discrepancy":  # noticed by the team, not said
                out.append("! Review team's observation: ", style="bold")
                out.append(said(account.note) + "\n")
            elif account.note.kind in ("went_well", "idea"):  # labelled as in the reports
                out.append(f"• {method.kind_label(account.note.kind)}: ", style="bold")
                out.append(said(account.note) + "\n")
            else:
                out.append("• " + said(account.note) + "\n")
    for record in item.records:
        out.append(display_text(f"{record.source_label}, {record.date}") + "\n", style="bold")
        out.append("• " + display_text(record.text) + "\n")
    for gap in item.missing:
        who = people.get(gap.participant)
        name = f"{who.role}, {who.agency}" if who else gap.participant[:8]
        out.append("Not yet heard: ", style="bold yellow")
        out.append(display_text(f"{name} ({'; '.join(gap.reasons)})") + "\n")
    for discrepancy in item.discrepancies:
        out.append("Discrepancy: ", style="bold red")
        out.append(display_text(" / ".join(n.text for n in discrepancy.notes)) + "\n")
    for follow_up in item.follow_ups:
        out.append("Open follow-up: ", style="bold")
        out.append(display_text(follow_up.text) + "\n")
    judged = judgement_lines(e, item.entry.merged)
    described = descriptions(e, item.entry.merged)
    if described or judged or item.team_notes:
        out.append("\nReview team (kept apart from the accounts)\n", style="bold italic")
        for mark, text in described:
            out.append(f"Description{mark}: " + display_text(text) + "\n", style="italic")
        for label, line in judged:
            out.append(f"{label}: " + display_text(line) + "\n", style="italic")
        for account in item.team_notes:
            out.append(f"{method.kind_label(account.note.kind)}: ", style="dim")
            out.append(said(account.note) + "\n", style="italic")
    return out


# The form's fields are one line: the parts of an episode judged on their own (one line
# each in the store) are shown and typed with " // " between them.
_PART_BREAK = " // "


def _one_line(text: str | None) -> str:
    return _PART_BREAK.join((text or "").splitlines())


def _parts(text: str) -> str:
    return "\n".join(part.strip() for part in text.split(_PART_BREAK.strip()))


def describe_review(overview: ReviewOverview) -> Text:
    """Across the review: missing perspectives, every discrepancy, open follow-ups."""
    people = overview.participants
    labels = {item.episode.id: item.episode.label for item in overview.episodes}
    out = Text()
    gaps = overview.missing_perspectives()
    out.append(f"Missing perspectives ({len(gaps)})\n", style="bold yellow")
    for item, gap in gaps:
        who = people.get(gap.participant)
        name = f"{who.label} {who.role}, {who.agency}" if who else gap.participant[:8]
        out.append(display_text(f"  {item.episode.label}: {name} ({'; '.join(gap.reasons)})\n"))
    out.append(f"Discrepancies ({len(overview.discrepancies)})\n", style="bold red")
    for d in overview.discrepancies:
        where = ", ".join(labels.get(e, "?") for e in d.episodes) or "no episode"
        out.append(f"  [{where}] ", style="dim")
        out.append(display_text(" / ".join(n.text for n in d.notes)))
        if d.raised_in:
            out.append(f"  (raised in {len(d.raised_in)} conversation(s))", style="dim")
        out.append("\n")
    out.append(f"Open follow-ups ({len(overview.open_follow_ups)})\n", style="bold")
    for f in overview.open_follow_ups:
        source = overview.follow_up_source(f)
        out.append("  " + display_text(f.text))
        out.append(display_text(f"  ({source})") + "\n", style="dim")
    return out


class SplitDialog(ModalScreen[tuple[str, str, list[str]] | None]):
    """A new episode's title and date, and which of the episode's notes move to it.
    Space ticks a note; ctrl+s splits; Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Split"),
    ]

    def __init__(self, item: EpisodeAccounts, labels: dict[str, str]) -> None:
        super().__init__()
        self.item = item
        self.labels = labels

    def compose(self) -> ComposeResult:
        episode = self.item.episode
        notes = sorted(self.item.entry.notes, key=lambda n: (n.at, n.id))
        with Vertical(classes="dialog dialog-wide"):
            yield Label(plain(f"Split {episode.label} {episode.title}"), classes="dialog-title")
            yield Label(plain("New episode's title *"))
            yield OrderedInput(id="split-title")
            yield Label(plain("Its date (may be left empty)"))
            yield OrderedInput(id="split-date", placeholder="e.g. March 2024")
            yield Label(plain("Notes that belong to the new episode"))
            yield SelectionList[str](
                *((plain(self._line(n), one_line=True), n.id) for n in notes),
                id="split-notes",
            )
            yield Static("", id="dialog-problem", markup=False)
            yield Label(
                plain("Space: tick a note · ctrl+s: split · Esc: cancel"), classes="dialog-help"
            )

    def _line(self, note: Note) -> str:
        source = self.labels.get(note_source(note), "?").split(",")[0]
        return f"{source}: {note.text}"

    def on_mount(self) -> None:
        self.query_one("#split-title", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "split-title":
            self.query_one("#split-date", Input).focus()
        else:
            self.query_one("#split-notes", SelectionList).focus()

    def action_save(self) -> None:
        title = self.query_one("#split-title", Input).value.strip()
        chosen = list(self.query_one("#split-notes", SelectionList).selected)
        problem = "" if title else "Please give the new episode a title."
        if title and not chosen:
            problem = "Tick at least one note to move (space)."
        if problem:
            self.query_one("#dialog-problem", Static).update(problem)
            return
        self.dismiss((title, self.query_one("#split-date", Input).value.strip(), chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EpisodesScreen(EditingScreen):
    DEFAULT_CSS = """
    EpisodesScreen #board { height: 1fr; }
    EpisodesScreen #episode-detail-box {
        height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="episodes-back"),
        Binding("r", "rename", "Rename", id="episode-rename"),
        Binding("d", "redate", "Date", id="episode-date"),
        Binding("g", "judge", "Team judgement", id="episode-judge"),
        Binding("m", "merge", "Merge into…", id="episode-merge"),
        Binding("u", "unmerge", "Unmerge", id="episode-unmerge"),
        Binding("i", "involve", "Involved…", id="episode-involve"),
        Binding("s", "split", "Split…", id="episode-split"),
        Binding("x", "matrix", "Matrix", id="episode-matrix"),
        Binding("o", "across", "Across the review", id="episodes-across"),
    ]

    def __init__(self, review: str) -> None:
        super().__init__()
        self.review_id = review
        self.overview: ReviewOverview | None = None

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("Key practice episodes, in time order", classes="screen-title", markup=False)
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="episode-detail-box"):
            yield Static("Loading…", id="episode-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#board", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        table.focus()
        self.load()

    # --- data ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="episodes")
    def load(self) -> None:
        try:
            overview = review_overview(self.facilitator.store, self.review_id)
        except Exception as exc:  # noqa: BLE001 - report, keep the screen usable
            self.app.call_from_thread(self._detail_text, f"Could not read the episodes: {exc}")
            return
        self.app.call_from_thread(self._show, overview)

    def _detail_text(self, message: str) -> None:
        self.query_one("#episode-detail", Static).update(message)

    def _show(self, overview: ReviewOverview) -> None:
        self.overview = overview
        people = overview.participants
        table = self.query_one("#board", DataTable)
        keep = self.current.episode.id if self.current else None
        table.clear()
        for item in overview.episodes:
            heard = ", ".join(people[p].role for p in item.heard if p in people)
            missing = ", ".join(
                people[m.participant].role for m in item.missing if m.participant in people
            )
            table.add_row(
                cell(item.episode.label, "bold"),
                cell(item.entry.when, "" if item.entry.dated else "dim italic"),
                cell(item.episode.title),
                cell(heard or "nobody yet", "" if heard else "dim"),
                cell(missing, "yellow"),
                cell(str(len(item.discrepancies)) if item.discrepancies else "", "red"),
                cell(", ".join(m.label for m in item.entry.merged), "dim"),
                key=item.episode.id,
            )
        if not overview.episodes:
            self._detail_text("No episodes yet. Name one in a note with '#new Title (date)'.")
            return
        ids = [item.episode.id for item in overview.episodes]
        table.move_cursor(row=ids.index(keep) if keep in ids else 0)
        self._show_detail()

    @property
    def current(self) -> EpisodeAccounts | None:
        if not self.overview or not self.overview.episodes:
            return None
        table = self.query_one("#board", DataTable)
        row = table.cursor_row
        if 0 <= row < len(self.overview.episodes):
            return self.overview.episodes[row]
        return None

    def _show_detail(self) -> None:
        item = self.current
        if item and self.overview:
            self.query_one("#episode-detail", Static).update(
                describe(item, self.overview, self.facilitator.method)
            )

    @on(DataTable.RowHighlighted, "#board")
    def _highlighted(self) -> None:
        self._show_detail()

    # --- the team's operations -----------------------------------------------------------

    def action_rename(self) -> None:
        item = self.current
        if not item:
            return
        episode = item.episode
        self.ask_then_change(
            FormDialog(
                f"Rename {episode.label}", [Field("title", "Title", episode.title, required=True)]
            ),
            lambda values: rename_episode(
                self.facilitator.store, self.review_id, episode.id, values["title"]
            ),
        )

    def action_redate(self) -> None:
        item = self.current
        if not item:
            return
        episode = item.episode
        self.ask_then_change(
            FormDialog(
                f"Date of {episode.label} (empty: undated)",
                [Field("date", "Date", episode.date_text or "", "e.g. March 2024, Jan-Mar 2024")],
            ),
            lambda values: redate_episode(
                self.facilitator.store, self.review_id, episode.id, values["date"]
            ),
        )

    def action_judge(self) -> None:
        item = self.current
        if not item:
            return
        episode = item.episode
        self.ask_then_change(
            FormDialog(
                f"The review team's judgement of {episode.label}",
                [
                    Field("description", "Brief description", episode.description or ""),
                    Field(
                        "good",
                        "Good practice",
                        _one_line(episode.team_good),
                        placeholder="one part // another part",
                    ),
                    Field(
                        "problematic",
                        "Problematic practice",
                        _one_line(episode.team_problematic),
                        placeholder="one part // another part",
                    ),
                    Field(
                        "significance",
                        "Significance for the child",
                        _one_line(episode.team_significance),
                    ),
                    Field(
                        "information",
                        "Information used or needed",
                        _one_line(episode.team_information),
                    ),
                ],
            ),
            lambda values: set_team_judgement(
                self.facilitator.store,
                self.review_id,
                episode.id,
                good=_parts(values["good"]),
                problematic=_parts(values["problematic"]),
                significance=_parts(values["significance"]),
                information=_parts(values["information"]),
                description=values["description"],
            ),
        )

    def action_merge(self) -> None:
        item = self.current
        if not item or not self.overview:
            return
        duplicate = item.episode
        others = [
            (o.episode.id, f"{o.episode.label} {o.episode.title} ({o.entry.when})")
            for o in self.overview.episodes
            if o.episode.id != duplicate.id
        ]
        if not others:
            self.notify("There is no other episode to merge into.", severity="warning")
            return
        title = f"Merge {duplicate.label} {duplicate.title} into…"
        if judgement_lines(duplicate, item.entry.merged):  # said before, never hidden after
            title += f" (its judgement shows there, marked 'judged as {duplicate.label}')"
        self.ask_then_change(
            ChoiceDialog(title, others),
            lambda keep: merge_episodes(self.facilitator.store, self.review_id, keep, duplicate.id),
        )

    def action_unmerge(self) -> None:
        item = self.current
        if not item:
            return
        merged = [(m.id, f"{m.label} {m.title}") for m in item.entry.merged]
        if not merged:
            self.notify(f"{item.episode.label} has no merged duplicates.", severity="warning")
            return
        self.ask_then_change(
            ChoiceDialog("Let which episode stand on its own?", merged),
            lambda chosen: unmerge_episode(self.facilitator.store, self.review_id, chosen),
        )

    def action_involve(self) -> None:
        item = self.current
        if not item or not self.overview:
            return
        view = item.team_view
        marks = {True: "✓ involved      ", False: "✗ not involved  ", None: "  from the notes "}
        choices = [
            (p.id, marks[view.get(p.id)] + f"{p.label} {p.role}, {p.agency}")
            for p in self.overview.participants.values()
        ]
        episode = item.episode
        # Enter moves one participant on: from the notes -> involved -> not involved -> back.
        following: dict[bool | None, bool | None] = {None: True, True: False, False: None}
        self.ask_then_change(
            ChoiceDialog(f"Who was involved in {episode.label}? (Enter changes)", choices),
            lambda chosen: set_involved(
                self.facilitator.store,
                self.review_id,
                episode.id,
                chosen,
                following[view.get(chosen)],
            ),
        )

    def action_split(self) -> None:
        item = self.current
        if not item or not self.overview:
            return
        if not item.entry.notes:
            self.notify(f"{item.episode.label} has no notes to split off.", severity="warning")
            return
        episode = item.episode

        def split(result: tuple[str, str, list[str]]) -> object:
            title, when, notes = result
            return split_episode(
                self.facilitator.store, self.review_id, episode.id, title, notes, date_text=when
            )

        self.ask_then_change(SplitDialog(item, self.overview.labels), split)

    def action_across(self) -> None:
        """Show what spans the review in the detail pane; moving the cursor goes back."""
        if self.overview:
            self.query_one("#episode-detail", Static).update(describe_review(self.overview))

    def action_matrix(self) -> None:
        from facilitator.tui.screens.matrix import MatrixScreen

        self.app.push_screen(MatrixScreen(self.review_id))
