"""The hybrid clock's exact contract, beyond "later than before" (tests/test_hlc.py).

Each timestamp is the *earliest* one that is later than everything the clock issued or
saw and not behind its own wall clock (Kulkarni et al.'s HLC): so timestamps follow real
time as closely as the clocks allow, and the counter (six digits in the sortable encoding)
stays small. Written while killing mutants of facilitator/hlc.py (TESTING.md).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitator.hlc import HybridClock, Timestamp

DRIFT = 3  # a tiny drift bound and tiny clock steps make ties and caps common
BASE = 1_700_000_000_000


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def after(pair: tuple[int, int]) -> tuple[int, int]:
    """The earliest (wall, counter) later than ``pair``."""
    return pair[0], pair[1] + 1


def expected_observe(
    previous: tuple[int, int], remote: Timestamp, physical: int
) -> tuple[int, int]:
    ceiling = physical + DRIFT
    # A remote clock beyond the drift bound counts as if it stood at the bound.
    seen = (remote.wall_ms, remote.counter) if remote.wall_ms <= ceiling else (ceiling, -1)
    return max(after(previous), after(seen), (physical, 0))


steps = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.integers(-3, 3)),
        st.tuples(st.just("wait"), st.integers(-3, 3)),  # time passes, nothing happens
        st.tuples(st.just("recv"), st.integers(-2, 2 * DRIFT + 2), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=40,
)


@given(start_counter=st.integers(0, 5), steps=steps)
def test_each_timestamp_is_the_earliest_that_is_later_than_all_seen(
    start_counter: int, steps: list[tuple]
) -> None:
    wall = FakeWall(BASE)
    clock = HybridClock(
        "a", last=Timestamp(BASE, start_counter, "a"), wall=wall, max_drift_ms=DRIFT
    )
    previous = (BASE, start_counter)
    for step in steps:
        if step[0] == "wait":
            wall.ms += step[1]
            continue
        if step[0] == "tick":
            wall.ms += step[1]
            expected = max(after(previous), (wall.ms, 0))
            current = clock.now()
        else:
            remote = Timestamp(wall.ms + step[1], step[2], "b")
            expected = expected_observe(previous, remote, wall.ms)
            current = clock.observe(remote)
            if remote.wall_ms <= wall.ms + DRIFT:
                assert current > remote  # a remote op is always followed, never preceded
        assert (current.wall_ms, current.counter) == expected
        assert current.device == "a"
        previous = expected


def test_reopened_clock_continues_after_several_ops_in_one_millisecond() -> None:
    # Five notes saved within one millisecond, then the app restarts with the clock put back:
    # the next op must still come after all five, or a merge would order it before them.
    wall = FakeWall(5_000)
    clock = HybridClock("a", wall=wall)
    issued = [clock.now() for _ in range(5)]
    assert issued[-1].counter == 4
    wall.ms = 1_000
    reopened = HybridClock("a", last=issued[-1], wall=wall)
    assert reopened.now() > issued[-1]


def test_timestamps_name_their_device_so_ties_break_by_device() -> None:
    wall = FakeWall(BASE)
    a, b = HybridClock("dev-a", wall=wall), HybridClock("dev-b", wall=wall)
    first, second = a.now(), b.now()
    assert (first.device, second.device) == ("dev-a", "dev-b")
    assert first < second and first.encode() < second.encode()


@given(
    wall=st.integers(0, 10**15 - 1),
    counter=st.integers(0, 999_999),
    device=st.text(min_size=1).filter(lambda s: "\x00" not in s),
)
def test_any_timestamp_survives_its_text_form(wall: int, counter: int, device: str) -> None:
    # A remote laptop's device id is whatever its op says, dots included: the clock value
    # stored beside the op must read back as the same timestamp.
    stamp = Timestamp(wall, counter, device)
    assert Timestamp.decode(stamp.encode()) == stamp


def test_dotted_device_round_trips() -> None:
    stamp = Timestamp(BASE, 3, "laptop.local.2")
    assert Timestamp.decode(stamp.encode()) == stamp


@pytest.mark.parametrize("text", ["", "17000", "abc.0.dev", "1.x.dev"])
def test_a_damaged_clock_value_is_named_in_the_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a clock value: " + repr(text).replace(".", r"\.")):
        Timestamp.decode(text)


def test_a_clock_left_to_itself_reads_the_computer_clock_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    stamp = HybridClock("a").now()
    after_ms = time.time_ns() // 1_000_000
    assert before <= stamp.wall_ms <= after_ms
    assert Timestamp.decode(stamp.encode()) == stamp
