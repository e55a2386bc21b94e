"""The note grammar in words, for F1 in the app and ``facilitator help tags``: one text,
so the two never disagree. Plain strings; each interface styles them its own way."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from facilitator.method import Method


@dataclass(frozen=True)
class Section:
    heading: str
    rows: tuple[tuple[str, str], ...]  # (what to type, what it means)
    after: tuple[str, ...] = ()  # paragraphs under the rows


NEW_EPISODE_RULE = (
    "#new Title (date) more text: the title runs to the first brackets in the line that "
    "hold a date, so '#new Dr. Khan's visit: follow-up (May 2024)' names \"Dr. Khan's "
    'visit: follow-up", dated May 2024; words after the closing bracket stay in the note. '
    "Without a date, the title ends at the first colon, semicolon, full stop (not after "
    "Dr., Mrs. or an initial), spaced dash, tag or line end: '#new Strategy meeting: "
    "nobody from health came' names 'Strategy meeting'. A date in brackets that cannot be "
    "read is shown as a problem, never dropped; so is a date typed outside brackets "
    "('#new Visit: 3 May 2024'), which is not read and leaves the episode undated: put "
    "it in brackets, '#new Visit (3 May 2024)'.",
    "Dates are read UK day-first and leniently: 12/3/24, March 2024, Jan-Mar 2024, and as "
    "case notes write them: early May 2026, mid-March 2024, late 2023, summer 2024, "
    "w/c 3 March 2024. Numeric dates are day-first only: 12/13/24 is a problem, not 13 "
    "December. The date is kept as written and read as the days it covers.",
)


def grammar_sections(method: Method) -> list[Section]:
    kinds = tuple(
        (kind.prefix or "(nothing)", f"{kind.label}: {kind.help}") for kind in method.note_kinds
    )
    anywhere = (
        ("@family", "a factor area; a unique start is enough (@res)"),
        ("@res+  @cond-", "the factor helped (+) or hindered (-) practice"),
        ("@lr-...", "a local-rationality prompt"),
        ("#3  #E3", "link to key practice episode 3"),
        ("#new", "a new key practice episode, linked to this note"),
    )
    levels = tuple(
        (level.title, "  ".join(f"@{area.key}" for area in level.areas)) for level in method.levels
    )
    prompts = tuple((f"@{prompt.key}", prompt.title) for prompt in method.local_rationality)
    return [
        Section("Note kinds (start the line with)", kinds),
        Section(
            "Anywhere in the line",
            anywhere,
            (
                *NEW_EPISODE_RULE,
                "An unknown @tag or #ref is kept in the text; the note is saved and the "
                "problem shown.",
            ),
        ),
        Section("Factor areas", levels),
        Section("Local-rationality prompts", prompts),
    ]


def grammar_text(method: Method) -> str:
    """The grammar as plain text for a terminal."""
    lines: list[str] = []
    for section in grammar_sections(method):
        lines.append(section.heading)
        width = max((len(key) for key, _ in section.rows), default=0) + 2
        lines += [f"  {key:<{width}}{text}" for key, text in section.rows]
        for paragraph in section.after:
            lines += textwrap.wrap(paragraph, 86, initial_indent="  ", subsequent_indent="  ")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
