"""The lead's guides for the three group meetings, from ``guides/meetings.md``.

Read only when asked for, so a guides folder made before meetings existed still works for
everything else; a missing or broken file is a :class:`GuideError` naming the file, the
line and the fault, as for every other guide.
"""

from __future__ import annotations

import os

from facilitator.dialogue.model import MEETING_KINDS
from facilitator.method import (
    GuideError,
    Keyed,
    _keyed_sections,
    _read_doc,
    _require_keys,
    guides_dir,
)

MEETINGS_FILE = "meetings.md"


def load_meeting_guides(directory: str | os.PathLike[str] | None = None) -> dict[str, Keyed]:
    """The guide for each kind of meeting (preliminary, interim, closing)."""
    path = guides_dir(directory).resolve() / MEETINGS_FILE
    _front, doc = _read_doc(path)
    sections = _keyed_sections(doc, expect_levels=False)
    _require_keys(path, [s.key for s in sections], MEETING_KINDS, exact=True)
    found = {s.key: s for s in sections}
    for kind in MEETING_KINDS:
        if not found[kind].text and not found[kind].prompts:
            raise GuideError(path, None, f"the {kind} meeting's guide is empty")
    return found
