"""Hybrid logical clock: orders ops across laptops whose wall clocks disagree.

A timestamp is (wall milliseconds, counter, device). It never goes backwards on one
device, even when the wall clock does, and it moves past any remote timestamp it has
seen — but never more than ``max_drift_ms`` beyond this device's own wall clock, so one
laptop with a wildly wrong clock cannot drag everyone else into the future.

Timestamps are encoded as fixed-width strings that sort in clock order, so SQLite can
order by them directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

WALL_DIGITS = 15
COUNTER_DIGITS = 6
DEFAULT_MAX_DRIFT_MS = 60_000


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.wall_ms:0{WALL_DIGITS}d}.{self.counter:0{COUNTER_DIGITS}d}.{self.device}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        try:
            wall, counter, device = text.split(".", 2)
            return cls(int(wall), int(counter), device)
        except ValueError as exc:
            raise ValueError(f"not a clock value: {text!r}") from exc

    def __str__(self) -> str:
        return self.encode()


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """One device's clock. Not thread-safe: the store serialises access to it."""

    def __init__(
        self,
        device: str,
        *,
        last: Timestamp | None = None,
        wall: Callable[[], int] = wall_clock_ms,
        max_drift_ms: int = DEFAULT_MAX_DRIFT_MS,
    ) -> None:
        self.device = device
        self._wall = wall
        self.max_drift_ms = max_drift_ms
        self._wall_ms = last.wall_ms if last else 0
        self._counter = last.counter if last else 0

    @property
    def last(self) -> Timestamp:
        return Timestamp(self._wall_ms, self._counter, self.device)

    def physical_ms(self) -> int:
        """This laptop's wall clock, as the clock reads it."""
        return self._wall()

    def now(self) -> Timestamp:
        """A timestamp for a local event, later than every one issued or seen before."""
        physical = self._wall()
        if physical > self._wall_ms:
            self._wall_ms, self._counter = physical, 0
        else:
            self._counter += 1
        return self.last

    def observe(self, remote: Timestamp) -> Timestamp:
        """Take a remote timestamp into account.

        The remote op is always accepted (its clock may be wrong, its content is not);
        only our own clock's advance is bounded by the drift limit.
        """
        physical = self._wall()
        ceiling = physical + self.max_drift_ms
        remote_wall = min(remote.wall_ms, ceiling)
        if remote_wall > self._wall_ms and remote_wall >= physical:
            counter = remote.counter + 1 if remote_wall == remote.wall_ms else 0
            self._wall_ms, self._counter = remote_wall, counter
        elif physical > self._wall_ms and physical > remote_wall:
            self._wall_ms, self._counter = physical, 0
        elif remote_wall == self._wall_ms and remote_wall == remote.wall_ms:
            self._counter = max(self._counter, remote.counter) + 1
        else:
            self._counter += 1
        return self.last
