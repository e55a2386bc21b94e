"""Drafts for participants (issue 16) on a large review (20,000 notes; 2,000 with --quick).

- freeze: working out a draft and storing it as one op, against exporting the team's
  narrative as Markdown from the same store (both read the board, every account and the
  chronology). Target: 2x.
- pack: one participant's Word pack (the draft and their own record), against python-docx
  alone writing the same paragraphs' text through its XML layer in one pass, saved once
  (``add_paragraph``, the baseline before, is quadratic: see baselines.py). Target: 2x.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from baselines import docx_paragraphs
from bench_reports import build_review
from measure import Measure, median, timings

from facilitator.dialogue import records
from facilitator.dialogue.pack import pack_items, render_docx
from facilitator.method import load_method
from facilitator.reports.export import export
from facilitator.store import Store


def run(quick: bool) -> list[Measure]:
    notes = 2_000 if quick else 20_000
    repeat = 5 if quick else 3
    method = load_method()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db", author="bench")
        review = build_review(store, notes)
        ours_t, base_t = [], []
        for _ in range(repeat):  # interleaved so both sides see the same machine state
            # force: drafts are now frozen in the guide's order, and this one is measured
            # again and again as the same interim draft.
            ours_t += timings(
                lambda: records.freeze_draft(store, method, review, "interim", force=True), 1
            )
            base_t += timings(lambda: export(store, method, review, "md", what="narrative"), 1)
        draft = records.drafts(store, review)[-1]
        size = len(store.ops("WHERE entity = 'draft'")[-1].fields_text().encode("utf-8"))
        results.append(
            Measure(
                f"dialogue.freeze_{notes}",
                median(ours_t),
                median(base_t),
                2,
                {"op_bytes": str(size), "n": str(repeat)},
            )
        )
        participant = store.participants(review)[0].id
        items = pack_items(draft, participant)
        texts = [item.visible for item in items]
        ours_t, base_t = [], []
        for _ in range(repeat):
            ours_t += timings(
                lambda: render_docx(items, title="bench", frozen_at=draft.frozen_at), 1
            )
            base_t += timings(lambda: docx_paragraphs(texts), 1)
        results.append(
            Measure(
                f"dialogue.pack_docx_{notes}",
                median(ours_t),
                median(base_t),
                2,
                {"paragraphs": str(len(items)), "n": str(repeat)},
            )
        )
        store.close()
    return results
