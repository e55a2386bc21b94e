"""Shared-folder sync benchmarks (ratios against baselines measured in the same run).

- sync.full_pull_vs_same_rows: a fresh laptop syncs 4 devices x 25,000 ops (2,500 x 4 with
  --quick) from the shared folder — list, read, authenticate, decrypt, decompress, parse,
  ingest, apply — against writing the same rows into the same tables (the op log with its
  indexes, the materialised rows) with ``executemany`` in one commit: the SQL work the
  design must do anyway. Target 2. (It replaced a raw insert of the op rows alone, which
  left out work the design requires.)
- sync.nothing_new: a sync with nothing new over 1,000 segments (200 with --quick) against
  a plain ``os.walk`` of the same folder. Target 2. That is the app's watch loop, whose
  engine stays in memory between rounds.
- sync.nothing_new_cli: the same, as ``facilitator sync`` runs it: a fresh engine each time
  (``engine_for``: the share record, the key and the engine's state read from the store),
  against the same walk. The store is already open (opening it is the CLI's cost, not
  sync's). Target 2.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from measure import Measure, median, timings

from facilitator.store import Store
from facilitator.store.entities import MATERIALISED_TABLES
from facilitator.sync import SyncEngine, engine_for, join_share, share_review, state

PASS = "benchmark passphrase"
TEXT = "Visited the family at home; mother said the health visitor had not called back"


def _fill(store: Store, conversation_id: str, ops: int) -> None:
    """About ``ops`` ops: notes (note + revision + a factor link) and some stage changes."""
    conversation = store.conversation(conversation_id)
    with store.transaction():
        made = 0
        while made < ops:
            store.add_note(conversation, f"{TEXT} {made}", factors=["family"])
            made += 3
            if made % 300 == 0:
                store.set_stage(conversation, 1 + made // 300 % 9)
                made += 1


def _make_share(root: Path, devices: int, per_device: int) -> tuple[Path, str, set[str]]:
    share = root / "share"
    first = Store(root / "dev0.db", author="dev0")
    review = first.create_review("Bench review")
    person = first.add_participant(review, role="Teacher", agency="School")
    conversation = first.new_conversation(review, person)
    share_review(first, review, share, PASS, scrypt_n=2**14)
    stores = [first]
    for index in range(1, devices):
        store = Store(root / f"dev{index}.db", author=f"dev{index}")
        join_share(store, share, PASS)
        stores.append(store)
    for store in stores:
        _fill(store, conversation, per_device)
        SyncEngine(store, review, share, state.load_key(store, review) or b"").sync()
    ids = {op.id for store in stores for op in store.ops()}
    for store in stores:
        store.close()
    return share, review, ids


def _same_rows_insert(source: Path, target: Path) -> float:
    """Seconds to executemany every row the pulled store holds (op log, materialised tables,
    field clocks) into an empty store with the same schema and indexes, in one commit."""
    with Store(target, author="baseline") as empty:
        empty.conn.execute("DELETE FROM meta")  # identity rows come from the source
    reader = sqlite3.connect(source)
    tables = ["meta", "ops", *MATERIALISED_TABLES]
    contents = {t: reader.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    reader.close()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for table, rows in contents.items():
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def full_pull(root: Path, devices: int, per_device: int, repeat: int) -> list[Measure]:
    share, review, ids = _make_share(root, devices, per_device)
    with Store(root / "dev0.db") as source:
        key = state.load_key(source, review)
    ours: list[float] = []
    same_rows: list[float] = []
    for attempt in range(repeat):
        fresh_path = root / f"fresh{attempt}.db"
        with Store(fresh_path, author="fresh") as fresh:
            state.save_key(fresh, review, key or b"")
            state.record_share(fresh, review, share, "")
            start = time.perf_counter()
            report = SyncEngine(fresh, review, share, key or b"").sync()
            ours.append(time.perf_counter() - start)
            assert not report.problems, report.problems
            assert {op.id for op in fresh.ops()} >= ids
        same_rows.append(_same_rows_insert(fresh_path, root / f"same{attempt}.db"))
    detail = {"ops": str(len(ids)), "devices": str(devices)}
    return [Measure("sync.full_pull_vs_same_rows", median(ours), median(same_rows), 2, detail)]


def nothing_new(root: Path, segments: int, repeat: int) -> list[Measure]:
    share = root / "share"
    with Store(root / "writer.db", author="writer") as writer:
        review = writer.create_review("Bench review")
        share_review(writer, review, share, PASS, scrypt_n=2**14)
        engine = SyncEngine(writer, review, share, state.load_key(writer, review) or b"")
        for number in range(segments - 1):
            writer.update(review, "review", review, title=f"Title {number}")
            engine.sync()
        key = state.load_key(writer, review) or b""
    with Store(root / "reader.db", author="reader") as reader:
        join_share(reader, share, PASS)
        engine = SyncEngine(reader, review, share, key)
        engine.sync()
        count = sum(len(files) for _, _, files in os.walk(share))

        def walk() -> None:
            for _ in os.walk(share):
                pass

        def fresh_engine_sync() -> None:
            engine_for(reader, review).sync()

        ours, fresh, base = [], [], []
        for _ in range(repeat):
            base += timings(walk, 5)
            ours += timings(engine.sync, 5)
            fresh += timings(fresh_engine_sync, 5)
    detail = {"files": str(count)}
    return [
        Measure("sync.nothing_new", median(ours), median(base), 2, dict(detail)),
        Measure("sync.nothing_new_cli", median(fresh), median(base), 2, dict(detail)),
    ]


def run(quick: bool) -> list[Measure]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "full"
        root.mkdir()
        results += full_pull(root, 4, 2_500 if quick else 25_000, 1 if quick else 3)
        shutil.rmtree(root)
        root = Path(folder) / "idle"
        root.mkdir()
        results += nothing_new(root, 200 if quick else 1000, 10 if quick else 40)
    return results
