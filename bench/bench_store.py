"""One durable note commit through the store versus a raw sqlite3 insert+commit with the
same PRAGMAs (WAL, synchronous=FULL). Target: 2.5x for a plain note (issue 17), 3x tagged.

The ratio depends on the disk: its fsync is most of the raw commit, so a slow fsync
flatters us and tmpfs (no fsync at all) is the harshest view. Each line therefore prints
the absolute times, the CPU time of both sides (``time.process_time``, steadier than wall
time when other work shares the cores), an fsync probe of the same folder, the folder's
file system and the load average. Run it on a real disk and with ``TMPDIR=/dev/shm``.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from measure import Measure, median, percentile

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store


def _timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def fsync_ms(folder: Path, count: int = 100) -> float:
    """Median time of an fsync after rewriting 4 KB inside a file that keeps its size in
    ``folder``: what a WAL commit asks of the disk once the log has reached its working
    size (a file that grows also commits the file system's journal: 2 to 4 ms here)."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.pwrite(fd, b"\0" * 4096 * 64, 0)
        os.fsync(fd)
        samples = []
        for index in range(count):
            os.pwrite(fd, b"\1" * 4096, (index % 64) * 4096)
            start = time.perf_counter()
            os.fsync(fd)
            samples.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(samples) * 1e3


def file_system(folder: Path) -> str:
    """The type of the file system holding ``folder`` (from /proc/mounts; "?" elsewhere)."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if (
                    len(parts) > 2
                    and str(folder).startswith(parts[1])
                    and len(parts[1]) > len(best)
                ):
                    best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


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

        probe_before = fsync_ms(root)
        # Interleave so that disk and cache state affect both sides alike.
        base, plain, tagged = ([], []), ([], []), ([], [])
        for _ in range(repeat // 10):
            for side, fn in ((base, raw_insert), (plain, ours_plain), (tagged, ours_tagged)):
                wall, cpu = _timed(fn, 10)
                side[0].extend(wall)
                side[1].extend(cpu)
        probe = (probe_before + fsync_ms(root)) / 2
        kind = file_system(root.resolve())
        store.close()
        raw.close()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    base_cpu = median(base[1])

    def measure(name: str, ours: tuple[list[float], list[float]], target: float) -> Measure:
        cpu = median(ours[1])
        return Measure(
            name,
            median(ours[0]),
            median(base[0]),
            target,
            {
                "p95_ms": f"{percentile(ours[0], 95) * 1e3:.3f}",
                "cpu_ms": f"{cpu * 1e3:.3f}",
                "base_cpu_ms": f"{base_cpu * 1e3:.3f}",
                "cpu_ratio": f"{cpu / base_cpu:.1f}" if base_cpu else "inf",
                "fsync_ms": f"{probe:.3f}",
                "fs": kind,
                "load": f"{load:.1f}",
                "n": str(len(ours[0])),
            },
        )

    return [
        measure("store.note_commit", plain, 2.5),
        measure("store.note_commit_tagged", tagged, 3),
    ]
