"""Property: the materialised tables depend only on the set of ops, not their order, and a
rebuild from the log reproduces them exactly."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.store import Store
from facilitator.store.oplog import Op

REVIEW = "r" * 32
NOTES = ["n1", "n2", "n3"]
EPISODES = ["e1", "e2"]
DEVICES = ["dev-a", "dev-b", "dev-c"]


@st.composite
def op_lists(draw: st.DrawFn) -> list[Op]:
    count = draw(st.integers(1, 40))
    ops: list[Op] = []
    revisions: list[tuple[str, str]] = []  # (revision id, note)
    hlcs = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True))
    for index, wall in enumerate(hlcs):
        device = draw(st.sampled_from(DEVICES))
        hlc = f"{wall:015d}.{0:06d}.{device}"
        kind = draw(
            st.sampled_from(
                ["note", "revision", "delete", "restore", "episode", "link", "stage", "review"]
            )
        )
        common = dict(
            hlc=hlc,
            device=device,
            epoch=1,
            seq=index + 1,
            author=device,
            review=REVIEW,
            id=f"op{index}",
        )
        if kind == "note":
            ops.append(
                Op(
                    entity="note",
                    entity_id=draw(st.sampled_from(NOTES)),
                    action="set",
                    fields={
                        "kind": draw(st.sampled_from(["observation", "quote"])),
                        "stage": draw(st.integers(1, 9)),
                        "conversation": "c1",
                        "at": f"2025-01-01T10:{index:02d}:00+00:00",
                    },
                    **common,
                )
            )
        elif kind == "revision":
            note = draw(st.sampled_from(NOTES))
            earlier = [r for r, n in revisions if n == note]
            parents = (
                draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
            )
            rid = f"rev{index}"
            revisions.append((rid, note))
            ops.append(
                Op(
                    entity="revision",
                    entity_id=rid,
                    action="add",
                    fields={
                        "note": note,
                        "text": draw(st.text(max_size=8)),
                        "parents": parents,
                        "at": "t",
                        "author": device,
                    },
                    **common,
                )
            )
        elif kind in ("delete", "restore"):
            note = draw(st.sampled_from(NOTES))
            seen = draw(
                st.lists(
                    st.sampled_from([r for r, n in revisions if n == note] or ["none"]),
                    max_size=2,
                    unique=True,
                )
            )
            ops.append(
                Op(
                    entity="note",
                    entity_id=note,
                    action=kind,
                    fields={"seen": seen} if kind == "delete" else {},
                    **common,
                )
            )
        elif kind == "episode":
            ops.append(
                Op(
                    entity="episode",
                    entity_id=draw(st.sampled_from(EPISODES)),
                    action="set",
                    fields={"title": draw(st.text(max_size=6))},
                    **common,
                )
            )
        elif kind == "link":
            note, episode = draw(st.sampled_from(NOTES)), draw(st.sampled_from(EPISODES))
            ops.append(
                Op(
                    entity="link",
                    entity_id=f"{note}-{episode}",
                    action="set",
                    fields={
                        "source": note,
                        "source_kind": "note",
                        "target": episode,
                        "target_kind": "episode",
                        "relation": "",
                        "present": draw(st.booleans()),
                    },
                    **common,
                )
            )
        elif kind == "stage":
            ops.append(
                Op(
                    entity="stage_event",
                    entity_id=f"s{index}",
                    action="add",
                    fields={
                        "conversation": "c1",
                        "stage": draw(st.integers(1, 9)),
                        "at": f"t{index}",
                        "by": device,
                    },
                    **common,
                )
            )
        else:
            ops.append(
                Op(
                    entity="review",
                    entity_id=REVIEW,
                    action="set",
                    fields={"title": draw(st.text(max_size=6))},
                    **common,
                )
            )
    return ops


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=op_lists(), seed=st.integers(0, 2**32))
def test_order_does_not_matter_and_rebuild_is_identical(
    tmp_path_factory, ops: list[Op], seed: int
) -> None:
    folder: Path = tmp_path_factory.mktemp("prop")
    shuffled = list(ops)
    random.Random(seed).shuffle(shuffled)
    with Store(folder / "a.db") as a, Store(folder / "b.db") as b:
        a.ingest(ops)
        # Arrive in another order, and in several batches, as partial syncs would.
        cut = len(shuffled) // 2
        b.ingest(shuffled[:cut])
        b.ingest(shuffled[cut:])
        b.ingest(shuffled)  # duplicates are harmless
        assert a.snapshot() == b.snapshot()
        before = a.snapshot()
        a.rebuild()
        assert a.snapshot() == before
