"""Lenient dates, as reviewers type them: "12 March 2024", "March 2024", "2023",
"Jan-Mar 2024", "14/2/24 10:30". Impossible dates ("31 February") are refused with a
message a person can act on; we never guess a different day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as dateparser

_RANGE = re.compile(r"\s+(?:-|–|—|to|until)\s+|\s*[–—]\s*", re.IGNORECASE)
# "Jan-Mar 2024", "3-5 May 2024" (but not the ISO "2024-03-12").
_TIGHT_RANGE = re.compile(r"^(\d{1,2}|[A-Za-z]{3,})-(\S.*)$")


class DateProblem(ValueError):
    """Text that cannot be read as a date, with a message for the user."""


@dataclass(frozen=True)
class LenientDate:
    text: str
    start: date | None
    end: date | None

    @property
    def precision(self) -> str:
        if self.start is None:
            return "unknown"
        if self.start == self.end:
            return "day"
        return "period"


def _day_first(text: str) -> bool:
    """UK order (12/3/2024 is 12 March), except ISO dates that start with the year."""
    return not re.match(r"^\d{4}[-/]", text)


def _explain(text: str, exc: Exception) -> str:
    message = str(exc)
    if "out of range" in message or "must be in" in message:
        return f"{text!r} is not a real date ({message.split(':')[0]})"
    return f"{text!r} is not a date I can read (try '12 March 2024' or 'March 2024')"


def _parse_one(text: str) -> tuple[date, date]:
    """The span of days that one date expression covers."""
    cleaned = text.strip().strip(",.")
    if not cleaned:
        raise DateProblem("no date given")
    try:
        first = _day_first(cleaned)
        low = dateparser.parse(cleaned, default=datetime(2000, 1, 1), dayfirst=first)
        high = dateparser.parse(cleaned, default=datetime(2004, 12, 31), dayfirst=first)
    except (ValueError, OverflowError) as exc:
        raise DateProblem(_explain(cleaned, exc)) from None
    if low.year != high.year:
        raise DateProblem(f"{cleaned!r} has no year: add one, e.g. '{cleaned} 2024'")
    if low.month != high.month:
        return date(low.year, 1, 1), date(low.year, 12, 31)
    if low.day != high.day:
        last = calendar.monthrange(low.year, low.month)[1]
        return date(low.year, low.month, 1), date(low.year, low.month, last)
    return low.date(), low.date()


def parse_period(text: str) -> LenientDate:
    """A date or a period; raises :class:`DateProblem` if it cannot be read."""
    text = " ".join(text.split())
    parts = [p for p in _RANGE.split(text) if p.strip()]
    tight = _TIGHT_RANGE.match(text)
    if len(parts) == 1 and tight:
        parts = [tight.group(1), tight.group(2)]
    if len(parts) == 2:
        right_start, right_end = _parse_one(parts[1])
        left = parts[0]
        # "Jan-Mar 2024", "3-5 May 2024": borrow the year (and month) from the right side.
        if not re.search(r"\d{4}", left):
            tail = [w for w in parts[1].split() if re.fullmatch(r"\d{4}", w)]
            if left.strip().isdigit() and not tail:
                left = f"{left} {right_start:%B %Y}"
            elif left.strip().isdigit():
                left = f"{left} {right_start:%B} {tail[0]}"
            else:
                left = f"{left} {right_start.year}"
        left_start, _ = _parse_one(left)
        if left_start > right_end:
            raise DateProblem(f"{text!r}: the period ends before it starts")
        return LenientDate(text, left_start, right_end)
    start, end = _parse_one(text)
    return LenientDate(text, start, end)


def parse_moment(text: str | None) -> datetime | None:
    """A stored ISO 8601 timestamp, or None if it is missing or unreadable (a value synced
    from elsewhere must never crash a timer). Naive values are taken as local time."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """A moment for --at/--when: a date with an optional time, or 'today', 'tomorrow'."""
    now = now or datetime.now().astimezone()
    cleaned = " ".join(text.split()).lower()
    if cleaned in ("now", "today"):
        return now
    if cleaned == "tomorrow":
        return now + timedelta(days=1)
    if cleaned == "yesterday":
        return now - timedelta(days=1)
    try:
        moment = dateparser.parse(
            text,
            default=now.replace(hour=9, minute=0, second=0, microsecond=0),
            dayfirst=_day_first(text.strip()),
        )
    except (ValueError, OverflowError) as exc:
        raise DateProblem(_explain(text.strip(), exc)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return moment
