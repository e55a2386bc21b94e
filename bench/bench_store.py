"""One durable note commit through the store versus a raw sqlite3 insert+commit with the
same PRAGMAs (WAL, synchronous=FULL). Target: 3x."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from measure import Measure, median, percentile, timings

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store


def run(quick: bool) -> list[Measure]:
    repeat = 100 if quick else 1000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        raw = sqlite3.connect(root / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, at TEXT, kind TEXT, text TEXT)")

        def raw_insert() -> None:
            raw.execute("BEGIN")
            raw.execute(
                "INSERT INTO notes (at, kind, text) VALUES (?, ?, ?)",
                ("2025-03-04T10:00:00+00:00", "observation", "Visited the family at home"),
            )
            raw.execute("COMMIT")

        store = Store(root / "store.db", author="bench")
        service = Service(store, load_method())
        review = store.create_review("Bench")
        person = store.add_participant(review, role="Social worker", agency="CSC")
        conversation = store.conversation(store.new_conversation(review, person))

        def ours_plain() -> None:
            service.record_note(conversation, "Visited the family at home", stage=2)

        def ours_tagged() -> None:
            service.record_note(
                conversation, "Visited the family at home @family @lr-aims", stage=4
            )

        # Interleave so that disk and cache state affect both sides alike.
        base, plain, tagged = [], [], []
        for _ in range(repeat // 10):
            base += timings(raw_insert, 10)
            plain += timings(ours_plain, 10)
            tagged += timings(ours_tagged, 10)
        store.close()
        raw.close()
    return [
        Measure(
            "store.note_commit",
            median(plain),
            median(base),
            3,
            {"p95_ms": f"{percentile(plain, 95) * 1e3:.3f}", "n": str(len(plain))},
        ),
        Measure(
            "store.note_commit_tagged",
            median(tagged),
            median(base),
            3,
            {"p95_ms": f"{percentile(tagged, 95) * 1e3:.3f}", "n": str(len(tagged))},
        ),
    ]
