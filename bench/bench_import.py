"""Importing a large HTML export (importers/html.py): the whole conversion to Markdown
against lxml's parser alone reading the same bytes into a tree, measured in the same run.
The parser is the floor any HTML import pays; the ratio is what our tree, the dropped and
flattened tags and the Markdown writing add on top. Target 8.

The export is the 9.5 MB case-notes export of tests/test_import_hostile.py (dated
paragraphs with line breaks, table rows, dated headings).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from measure import Measure, median, timings

from facilitator.importers.html import html_to_markdown

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def run(quick: bool) -> list[Measure]:
    from lxml import html as lxml_html

    from tests.test_import_hostile import _case_notes_export

    megabytes = 2.0 if quick else 9.5
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.html"
        _case_notes_export(path, megabytes)
        raw = path.read_bytes()
    repeat = 2 if quick else 3
    ours = median(timings(lambda: html_to_markdown(raw), repeat))
    baseline = median(timings(lambda: lxml_html.document_fromstring(raw), repeat))
    return [
        Measure(
            "import.html_export",
            ours,
            baseline,
            target=8,
            detail={"mb": f"{len(raw) / 1024 / 1024:.1f}"},
        )
    ]
