"""Patterns and recommendations: the review team's analysis, each linked to the episodes and
factor areas that support it, in priority order.

Keys: a add a pattern, k add a recommendation, w how widespread / relevant / rank of the
highlighted pattern, tab between the two tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from facilitator.analysis.patterns import (
    PatternView,
    RecommendationView,
    add_pattern,
    add_recommendation,
    patterns,
    prioritise_pattern,
    recommendations,
)
from facilitator.store.db import StoreError
from facilitator.tui.screens.dialogs import ChoiceDialog, Field, FormDialog
from facilitator.tui.screens.editing import EditingScreen
from facilitator.tui.text import cell
from facilitator.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp


def parse_score(text: str, name: str) -> int | None:
    """An optional 1-5 score typed in a form; raises StoreError with a readable message."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise StoreError(f"{name} must be a whole number from 1 to 5, not {text!r}")
    return int(text)


class PatternsScreen(EditingScreen):
    DEFAULT_CSS = """
    PatternsScreen DataTable { height: 1fr; }
    PatternsScreen .pane-title { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="patterns-back"),
        Binding("a", "add_pattern", "Add pattern", id="pattern-add"),
        Binding("k", "add_recommendation", "Add recommendation", id="recommendation-add"),
        Binding("w", "prioritise", "Prioritise", id="pattern-prioritise"),
    ]

    def __init__(self, review: str) -> None:
        super().__init__()
        self.review_id = review
        self.patterns: list[PatternView] = []
        self.recommendations: list[RecommendationView] = []
        self.episode_labels: dict[str, str] = {}

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(
            "Patterns and recommendations, in priority order",
            classes="screen-title",
            markup=False,
        )
        yield Label("Patterns", classes="pane-title")
        yield DataTable(id="patterns", cursor_type="row", zebra_stripes=True)
        yield Label("Recommendations", classes="pane-title")
        yield DataTable(id="recommendations", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        columns = (("Rank", 5), ("Type", 22), ("Title", 44), ("Wide", 5), ("Now", 4))
        table = self.query_one("#patterns", DataTable)
        for label, width in (*columns, ("Episodes", 16), ("Factors", None)):
            table.add_column(label, width=width)
        recs = self.query_one("#recommendations", DataTable)
        for label, width in (
            ("Rank", 5),
            ("Kind", 11),
            ("Recommendation", 60),
            ("Episodes", 16),
            ("Factors", None),
        ):
            recs.add_column(label, width=width)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="patterns")
    def load(self) -> None:
        store = self.facilitator.store
        try:
            found = patterns(store, self.review_id)
            recs = recommendations(store, self.review_id)
            labels = {e.id: e.label for e in store.episodes(self.review_id)}
        except Exception as exc:  # noqa: BLE001 - report, keep the screen usable
            self.app.call_from_thread(
                self.notify, f"Could not read the analysis: {exc}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._show, found, recs, labels)

    def _episodes(self, ids: tuple[str, ...]) -> str:
        return " ".join(self.episode_labels.get(i, i[:6]) for i in ids)

    def _show(
        self,
        found: list[PatternView],
        recs: list[RecommendationView],
        labels: dict[str, str],
    ) -> None:
        self.patterns, self.recommendations, self.episode_labels = found, recs, labels
        table = self.query_one("#patterns", DataTable)
        keep = table.cursor_row
        table.clear()
        for p in found:
            table.add_row(
                cell(f"#{p.priority}" if p.priority else "-"),
                cell(", ".join(p.types) or p.type, "dim"),
                cell(p.title),
                cell(str(p.widespread or "?")),
                cell(str(p.relevance or "?")),
                cell(self._episodes(p.episodes)),
                cell(", ".join(p.factors)),
                key=p.id,
            )
        if found:
            table.move_cursor(row=min(keep, len(found) - 1))
        rec_table = self.query_one("#recommendations", DataTable)
        rec_table.clear()
        for r in recs:
            rec_table.add_row(
                cell(f"#{r.priority}" if r.priority else "-"),
                cell(r.kind, "dim"),
                cell(r.text),
                cell(self._episodes(r.episodes)),
                cell(", ".join(r.factors)),
                key=r.id,
            )

    # --- adding and prioritising ---------------------------------------------------------

    def _support(self, episodes_text: str, factors_text: str) -> tuple[list[str], list[str]]:
        """Episode ids from labels typed as 'E1 E3' and factor keys typed as 'team interagency'."""
        store = self.facilitator.store
        episodes = [
            store.resolve("episodes", token, review=self.review_id)
            for token in episodes_text.replace(",", " ").split()
        ]
        factors = [token.lower() for token in factors_text.replace(",", " ").split()]
        return episodes, factors

    def action_add_pattern(self) -> None:
        method = self.facilitator.method
        types = [(p.key, p.title) for p in method.patterns]

        def chosen(kind: str | None) -> None:
            if not kind:
                return

            def save(values: dict[str, str]) -> None:
                episodes, factors = self._support(values["episodes"], values["factors"])
                add_pattern(
                    self.facilitator.store,
                    self.review_id,
                    method,
                    type=kind,
                    title=values["title"],
                    description=values["description"],
                    widespread=parse_score(values["widespread"], "How widespread"),
                    relevance=parse_score(values["relevance"], "Relevance now"),
                    episodes=episodes,
                    factors=factors,
                )

            self.ask_then_change(
                FormDialog(
                    f"New pattern: {dict(types)[kind]}",
                    [
                        Field("title", "Title (general, not case-specific)", required=True),
                        Field("description", "Description"),
                        Field("widespread", "How widespread beyond this case (1-5)"),
                        Field("relevance", "Relevance for children's safety now (1-5)"),
                        Field("episodes", "Supporting episodes", placeholder="e.g. E1 E3"),
                        Field("factors", "Supporting factor areas", placeholder="e.g. team"),
                    ],
                ),
                save,
            )

        self.app.push_screen(ChoiceDialog("Which type of pattern?", types), chosen)

    def action_add_recommendation(self) -> None:
        method = self.facilitator.method
        kinds = [(k.key, k.title) for k in method.recommendation_kinds]
        current = self._current_pattern()

        def chosen(kind: str | None) -> None:
            if not kind:
                return

            def save(values: dict[str, str]) -> None:
                episodes, factors = self._support(values["episodes"], values["factors"])
                add_recommendation(
                    self.facilitator.store,
                    self.review_id,
                    method,
                    kind=kind,
                    text=values["text"],
                    pattern=current.id if current and values["pattern"] else None,
                    episodes=episodes,
                    factors=factors,
                )

            fields = [Field("text", "Recommendation", required=True)]
            fields.append(
                Field(
                    "pattern",
                    f"Answers the highlighted pattern? ({current.title[:40]})"
                    if current
                    else "Answers a pattern? (highlight one first)",
                    "yes" if current else "",
                    placeholder="leave empty for no",
                )
            )
            fields += [
                Field("episodes", "Supporting episodes", placeholder="e.g. E1 E3"),
                Field("factors", "Supporting factor areas", placeholder="e.g. team"),
            ]
            self.ask_then_change(FormDialog(f"New recommendation: {kind}", fields), save)

        self.app.push_screen(ChoiceDialog("Which kind of recommendation?", kinds), chosen)

    def _current_pattern(self) -> PatternView | None:
        table = self.query_one("#patterns", DataTable)
        row = table.cursor_row
        return self.patterns[row] if 0 <= row < len(self.patterns) else None

    def action_prioritise(self) -> None:
        current = self._current_pattern()
        if current is None:
            self.notify("Add a pattern first (a).", severity="warning")
            return

        def save(values: dict[str, str]) -> None:
            rank = values["priority"].strip()
            if rank and not rank.isdigit():
                raise StoreError(f"the rank must be a whole number, not {rank!r}")
            prioritise_pattern(
                self.facilitator.store,
                self.review_id,
                current.id,
                widespread=parse_score(values["widespread"], "How widespread"),
                relevance=parse_score(values["relevance"], "Relevance now"),
                priority=int(rank) if rank else None,
                reasons=values["reasons"],
                effect=_effect(values["effect"]),
            )

        self.ask_then_change(
            FormDialog(
                f"Prioritise: {current.title}",
                [
                    Field("widespread", "How widespread (1-5)", str(current.widespread or "")),
                    Field("relevance", "Relevance now (1-5)", str(current.relevance or "")),
                    Field("priority", "Rank (1 first)", str(current.priority or "")),
                    Field("reasons", "Reasons for its priority", current.reasons),
                    Field(
                        "effect",
                        "helps (supports good practice) or hinders (problematic more likely)",
                        current.effect,
                    ),
                ],
            ),
            save,
        )


def _effect(text: str) -> str | None:
    """The typed effect: helps or hinders (a unique start, "he" or "hi", is enough); blank
    leaves it as it is."""
    word = text.strip().lower()
    if not word:
        return None
    for effect in ("helps", "hinders"):
        if len(word) >= 2 and effect.startswith(word):
            return effect
    raise StoreError(f"type helps or hinders, not {text.strip()!r}")
