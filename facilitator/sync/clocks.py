"""Telling people when a laptop's clock is far wrong.

Small fields are last-writer-wins by clock, so a laptop whose clock runs 30 days ahead
wins every edit for 30 days: its ops are stamped in everyone else's future. The HLC's
drift limit only stops *this* laptop's clock being dragged along. Two things bound it:

- an edit made after seeing a value stamped ahead is stamped just past that value
  (``Store.emit``): the stamp travels inside the op, so every laptop judges it alike and
  convergence holds; the editor's own clock is not moved. An edit that never saw the
  value (made before the sync that brought it) still loses to it: which of two unrelated
  edits came last is known only from clocks, and each laptop would judge "too far ahead"
  by its own clock, so no cap on stamps is the same on every laptop;
- both sides are told, early (this module). A laptop that holds ops of another stamped
  ahead of its own clock names that laptop ("Laptop 'Sam' clock 30 days ahead: fix it"):
  certain, since no op comes from the future (unless this laptop's own clock is behind,
  which the longer line says). A laptop that receives edits just made elsewhere (a segment
  that was not on the share a minute or two before) stamped far behind its own clock is
  told its clock looks ahead (an edit stamped past a value it beat is left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.hlc import Timestamp

# Beyond this, another laptop's ops stamped in our future are worth a warning (transit
# time does not matter: an op cannot be from the future).
AHEAD_MS = 5 * 60_000
# Edits that appeared on the share since our last look, this much behind our clock: our
# clock looks ahead. Larger, since a file-sync engine may deliver a segment late.
BEHIND_MS = 60 * 60_000
# Our previous look at the share must be this recent for a new file to count as just made.
RECENT_LOOK_S = 120.0
# The longest short line: the status bar's sync part is 44 columns wide.
SHORT = 44


@dataclass(frozen=True)
class ClockSkew:
    """Another laptop's clock ahead of ours by ``ms`` (``ours`` False), or ours looking
    ``ms`` ahead of theirs (``ours`` True)."""

    who: str  # the other laptop's reviewer name, or its device id
    ms: int
    ours: bool = False

    def line(self) -> str:
        span = duration(self.ms)
        if self.ours:
            return (
                f"this laptop's clock looks {span} ahead: edits just made on {self.who!r}'s "
                f"laptop are stamped {span} before it. Set this clock right (automatic "
                f"time), or this laptop's edits win every change for {span}."
            )
        return (
            f"laptop {self.who!r} has a clock {span} ahead of this one: its edits win every "
            f"change made elsewhere for {span}. Ask them to set their clock right "
            "(automatic time); if this laptop's clock is behind, set it right."
        )

    def short(self) -> str:
        """At most :data:`SHORT` columns, for the status bar (a long name is cut)."""
        span = duration(self.ms)
        if self.ours:
            return f"This clock {span} ahead: fix it"
        rest = f"' clock {span} ahead: fix it"
        room = SHORT - len("Laptop '") - len(rest)
        name = self.who if len(self.who) <= room else self.who[: room - 1] + "…"
        return f"Laptop '{name}{rest}"


def duration(ms: int) -> str:
    """Roughly how long, in the largest whole unit: '30 days', '5 hours', '6 minutes'."""
    minutes = round(ms / 60_000)
    for unit, size in (("day", 1440), ("hour", 60)):
        if minutes >= size:
            count = round(minutes / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = max(1, minutes)
    return f"{count} minute{'s' if count != 1 else ''}"


def wall_of(hlc: str) -> int | None:
    try:
        return Timestamp.decode(hlc).wall_ms
    except ValueError:
        return None


def ahead(newest: tuple[str, str, str] | None, now_ms: int) -> ClockSkew | None:
    """From the newest op held of another laptop, (hlc, device, author): that laptop's
    clock, if it is stamped more than :data:`AHEAD_MS` past ``now_ms``."""
    if newest is None:
        return None
    wall = wall_of(newest[0])
    if wall is None or wall - now_ms <= AHEAD_MS:
        return None
    return ClockSkew(newest[2] or newest[1], wall - now_ms)
