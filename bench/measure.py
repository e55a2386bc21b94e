"""A benchmark result: ours against a baseline from the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Measure:
    name: str
    ours_s: float
    baseline_s: float
    target: float
    detail: dict[str, str] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.ours_s / self.baseline_s if self.baseline_s else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio <= self.target

    def line(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.detail.items())
        return (
            f"{self.name}: ours={self.ours_s * 1e3:.3f}ms baseline={self.baseline_s * 1e3:.3f}ms "
            f"ratio={self.ratio:.2f} target={self.target:g} "
            f"{'ok' if self.met else 'ABOVE'} {extra}".rstrip()
        )


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls."""
    result = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        result.append(time.perf_counter() - start)
    return result


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]
