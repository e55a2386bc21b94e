"""Reading across a large review: the overview (accounts, gaps, discrepancies), one
participant's plan, the lead's stage-6 queries and the episode x factor matrix, each against
reading the review's notes and their links with plain SQL on a connection of its own: every
one of them must read those rows, and a baseline outside our code cannot flatter us by
getting slower with it (the baseline used to be our own store.notes). store.notes is timed
too and printed beside it as notes_ms.

A large review here: 12 participants, 24 finished conversations, 150 episodes and 4,800
notes (1,200 in the quick run) with factor and prompt tags, discrepancies, contradicting
pairs and follow-ups. Targets: 4x the notes read for the overview, the matrix and the
queries, 5x for a plan (which builds the overview and then works through it).
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from pathlib import Path

from measure import Measure, median, timings

from facilitator.analysis.matrix import episode_factor_matrix
from facilitator.analysis.plan import plan_for
from facilitator.analysis.queries import overview_queries
from facilitator.analysis.review_overview import review_overview
from facilitator.method import load_method
from facilitator.store import Store

ROLES = [
    ("Social worker", "Children's social care"),
    ("Team manager", "Children's social care"),
    ("Health visitor", "Community health"),
    ("School nurse", "Community health"),
    ("Class teacher", "Primary school"),
    ("Head teacher", "Primary school"),
    ("GP", "General practice"),
    ("Police officer", "Police"),
    ("Housing officer", "Housing"),
    ("Youth worker", "Youth service"),
    ("Paediatrician", "Hospital trust"),
    ("Mother", "Family"),
]
FACTORS = ["family", "personal", "role", "conditions", "team", "interagency", "culture"]
PROMPTS = ["lr-picture", "lr-reasons", "lr-information", "lr-attention", "lr-weighing"]


def build(store: Store, notes_per_conversation: int) -> tuple[str, str, str]:
    rng = random.Random(7)
    review = store.create_review("Bench review (fictional)")
    with store.transaction():
        people = [store.add_participant(review, role=r, agency=a) for r, a in ROLES]
        episodes = [
            store.create_episode(review, f"Episode {i}", date_start=f"2024-{1 + i % 12:02d}-01")
            for i in range(150)
        ]
    earlier: list[str] = []
    for number in range(24):
        person = people[number % len(people)]
        conversation = store.conversation(store.new_conversation(review, person))
        with store.transaction():
            for n in range(notes_per_conversation):
                kind = rng.choice(["observation"] * 12 + ["discrepancy", "followup", "quote"])
                other = ROLES[rng.randrange(len(ROLES))][0].lower()
                note = store.add_note(
                    conversation,
                    f"Note {n}: the {other} said something about the visit",
                    kind=kind,
                    at=f"2025-01-{1 + number:02d}T10:{n % 60:02d}:00+00:00",
                    episodes=rng.sample(episodes, rng.choice([0, 1, 1, 2])),
                    factors=rng.sample(FACTORS, rng.choice([0, 0, 1, 2])),
                    prompts=rng.sample(PROMPTS, rng.choice([0, 0, 1])),
                )
                if earlier and rng.random() < 0.02:
                    store.link(review, note, "note", rng.choice(earlier), relation="contradicts")
                earlier.append(note)
    planned = store.new_conversation(review, people[2])
    return review, people[2], planned


def run(quick: bool) -> list[Measure]:
    per_conversation = 50 if quick else 200
    repeat = 3 if quick else 7
    method = load_method()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db", author="bench")
        review, person, planned = build(store, per_conversation)
        detail = {"notes": str(24 * per_conversation), "episodes": "150", "participants": "12"}

        raw = sqlite3.connect(Path(folder) / "bench.db")

        def baseline() -> None:
            # The rows store.notes reads, as tuples: the notes, then their live links.
            raw.execute(
                "SELECT * FROM notes WHERE review = ? AND deleted = 0 ORDER BY at, created, id",
                (review,),
            ).fetchall()
            raw.execute(
                "SELECT source, target_kind, target, relation FROM links WHERE source IN "
                "(SELECT id FROM notes WHERE review = ? AND deleted = 0) "
                "AND present = 1 AND deleted = 0 ORDER BY created, id",
                (review,),
            ).fetchall()

        detail["notes_ms"] = (
            f"{median(timings(lambda: store.notes(review=review), repeat)) * 1e3:.1f}"
        )

        results = {
            "analysis.review_overview": (lambda: review_overview(store, review), 4),
            "analysis.plan_for": (lambda: plan_for(store, method, person), 5),
            "analysis.overview_queries": (lambda: overview_queries(store, planned), 4),
            "analysis.matrix": (lambda: episode_factor_matrix(store, review, method), 4),
        }
        measures = []
        for name, (fn, target) in results.items():
            base, ours = [], []
            for _ in range(repeat):
                base += timings(baseline, 1)
                ours += timings(fn, 1)
            measures.append(Measure(name, median(ours), median(base), target, dict(detail)))
        raw.close()
        store.close()
    return measures
