"""The hybrid logical clock orders events across laptops whose clocks disagree."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from facilitator.hlc import HybridClock, Timestamp


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_timestamps_encode_in_sortable_order_and_round_trip() -> None:
    a = Timestamp(1_700_000_000_000, 2, "dev-a")
    b = Timestamp(1_700_000_000_000, 10, "dev-a")
    c = Timestamp(1_700_000_000_001, 0, "dev-a")
    assert a.encode() < b.encode() < c.encode()
    assert Timestamp.decode(b.encode()) == b


def test_monotonic_when_wall_clock_jumps_back() -> None:
    wall = FakeWall(1_000_000)
    clock = HybridClock("a", wall=wall)
    first = clock.now()
    wall.ms -= 3_600_000  # the laptop's clock is put back an hour
    second = clock.now()
    third = clock.now()
    assert first < second < third
    assert second.wall_ms == first.wall_ms  # held at the high-water mark, counter moves on


def test_survives_restart_with_last_timestamp() -> None:
    wall = FakeWall(5_000)
    clock = HybridClock("a", wall=wall)
    issued = clock.now()
    wall.ms = 1_000  # clock went back while the app was closed
    reopened = HybridClock("a", last=issued, wall=wall)
    assert reopened.now() > issued


def test_advances_past_a_remote_clock_that_is_ahead() -> None:
    wall = FakeWall(10_000)
    clock = HybridClock("a", wall=wall, max_drift_ms=60_000)
    remote = Timestamp(40_000, 7, "b")
    observed = clock.observe(remote)
    assert observed > remote
    assert clock.now() > remote


def test_drift_is_bounded_for_a_wildly_wrong_remote_clock() -> None:
    wall = FakeWall(10_000)
    clock = HybridClock("a", wall=wall, max_drift_ms=60_000)
    two_days = 2 * 24 * 3_600_000
    clock.observe(Timestamp(10_000 + two_days, 0, "b"))
    assert clock.now().wall_ms <= 10_000 + 60_000


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("tick"), st.integers(-10_000, 10_000)),
            st.tuples(st.just("recv"), st.integers(-200_000, 200_000), st.integers(0, 50)),
        ),
        max_size=60,
    )
)
def test_every_timestamp_is_later_than_all_before_it(steps: list[tuple]) -> None:
    wall = FakeWall(1_000_000)
    clock = HybridClock("a", wall=wall, max_drift_ms=60_000)
    previous = clock.now()
    for step in steps:
        if step[0] == "tick":
            wall.ms = max(0, wall.ms + step[1])
            current = clock.now()
        else:
            current = clock.observe(Timestamp(max(0, wall.ms + step[1]), step[2], "b"))
        assert current > previous
        assert current.wall_ms <= max(previous.wall_ms, wall.ms + 60_000)
        previous = current
