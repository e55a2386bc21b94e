"""Lenient dates, as reviewers type them: "12 March 2024", "March 2024", "2023",
"Jan-Mar 2024", "14/2/24 10:30", and the approximate ones case notes use: "early May
2026", "mid-March 2024", "late 2023", "summer 2024", "w/c 3 March 2024". Each is read as
the span of days it covers and kept as written. Impossible dates ("31 February") are
refused with a message a person can act on; we never guess a different day.
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


# "early/mid/late" take a third of a month (1-10, 11-20, 21-end) or of a year
# (Jan-Apr, May-Aug, Sep-Dec).
_PART = re.compile(
    r"^(?P<part>early|beginning of|start of|mid|middle of|late|end of)[\s-]+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_PART_INDEX = {"early": 0, "beginning of": 0, "start of": 0, "mid": 1, "middle of": 1}
# Seasons as the UK Met Office counts them; winter is the one that begins that December.
_SEASON = re.compile(r"^(?P<season>spring|summer|autumn|fall|winter)\s+(?P<year>\d{4})$", re.I)
_SEASON_MONTHS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
_WEEK = re.compile(
    r"^(?:w/c|w/b|wc|wb|week\s+(?:commencing|beginning|starting|of))\s*:?\s+(?P<day>\S.*)$",
    re.IGNORECASE,
)


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


_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")


def _day_first(text: str) -> bool:
    """UK order (12/3/2024 is 12 March), except ISO dates that start with the year."""
    return not re.match(r"^\d{4}[-/]", text)


def _explain(text: str, exc: Exception, examples: str = "'12 March 2024' or 'March 2024'") -> str:
    message = str(exc)
    if not text:
        return f"give a date, e.g. {examples}"
    if "out of range" in message or "must be in" in message:
        return f"{text!r} is not a real date ({message.split(':')[0]})"
    return f"{text!r} is not a date I can read (try {examples})"


def _parse_one(text: str) -> tuple[date, date]:
    """The span of days that one date expression covers."""
    cleaned = text.strip().strip(",.")
    if not cleaned:
        raise DateProblem("no date given")
    numeric = _NUMERIC.match(cleaned)
    if numeric and _day_first(cleaned) and int(numeric.group(2)) > 12:
        # dateutil would swap day and month (12/13/24 as 13 December): UK dates are
        # day-first only, so a 13th month is a mistake to report, not to guess at.
        raise DateProblem(
            f"{cleaned!r} is not a real date (day/month/year: there is no month "
            f"{int(numeric.group(2))})"
        )
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


def _approximate(text: str) -> tuple[date, date] | None:
    """The span of an approximate date ("early May 2026", "summer 2024", "w/c 3/3/24"),
    or None if ``text`` is not one."""
    week = _WEEK.match(text)
    if week:
        start, end = _parse_one(week.group("day"))
        if start != end:
            raise DateProblem(f"{text!r}: a week starts on a day, e.g. 'w/c 3 March 2024'")
        return start, start + timedelta(days=6)
    season = _SEASON.match(text)
    if season:
        name, year = season.group("season").lower(), int(season.group("year"))
        if name == "winter":
            last = calendar.monthrange(year + 1, 2)[1]
            return date(year, 12, 1), date(year + 1, 2, last)
        first, final = _SEASON_MONTHS[name]
        return date(year, first, 1), date(year, final, calendar.monthrange(year, final)[1])
    part = _PART.match(text)
    if part:
        index = _PART_INDEX.get(part.group("part").lower(), 2)
        start, end = _parse_one(part.group("rest"))
        if start.year == end.year and (start.month, end.month) == (1, 12):
            months = ((1, 4), (5, 8), (9, 12))[index]
            last = calendar.monthrange(start.year, months[1])[1]
            return date(start.year, months[0], 1), date(start.year, months[1], last)
        if start.month == end.month and start.day == 1 and end.day >= 28:
            days = ((1, 10), (11, 20), (21, end.day))[index]
            return start.replace(day=days[0]), start.replace(day=days[1])
        raise DateProblem(f"{text!r}: early, mid and late go with a month or a year")
    return None


def parse_period(text: str) -> LenientDate:
    """A date or a period; raises :class:`DateProblem` if it cannot be read."""
    text = " ".join(text.split())
    approximate = _approximate(text)
    if approximate is not None:
        return LenientDate(text, *approximate)
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


EARLIEST_YEAR = 1900  # an episode before this is a typed year gone wrong ("1024")


def implausible(period: LenientDate, *, today: date | None = None) -> str | None:
    """Why an episode's date cannot be meant (a practice episode has happened, and
    not before living memory), or None. "3 May 2042" is a slip for 2024."""
    if period.start is None or period.end is None:
        return None
    today = today or date.today()
    if period.start > today:
        return f"({period.text}) is after today: check the year"
    if period.end.year < EARLIEST_YEAR:
        return f"({period.text}) is before {EARLIEST_YEAR}: check the year"
    return None


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


# "GMT+1" means an hour ahead of GMT to a UK reader; dateutil reads it the POSIX way,
# an hour behind. Written as an offset ("+01:00") it reads as meant.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d\d))?\b", re.IGNORECASE)
# The zones a UK team writes; any other name is refused rather than ignored.
_ZONES = {"GMT": 0, "UTC": 0, "Z": 0, "BST": 3600, "IST": 3600, "CET": 3600, "CEST": 7200}


def _offsets(text: str) -> str:
    return _GMT_OFFSET.sub(
        lambda m: f" {m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}", text
    )


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """A moment for --at/--when: a date with an optional time, or 'today', 'tomorrow'.
    A moment given in another zone ("07:30 BST", "+01:00") is kept as that instant and
    shown in this laptop's zone."""
    now = now or datetime.now().astimezone()
    cleaned = " ".join(text.split()).lower()
    if cleaned in ("now", "today"):
        return now
    if cleaned == "tomorrow":
        return now + timedelta(days=1)
    if cleaned == "yesterday":
        return now - timedelta(days=1)
    moment = _dateutil(text, now.replace(hour=9, minute=0, second=0, microsecond=0))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment.astimezone(now.tzinfo)


def _dateutil(text: str, default: datetime) -> datetime:
    """dateutil's reading of ``text`` against ``default``: a zone it does not know is a
    clear problem, never a warning printed to the terminal and a zone ignored."""
    import warnings

    from dateutil.parser import UnknownTimezoneWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnknownTimezoneWarning)
            return dateparser.parse(
                _offsets(text), default=default, dayfirst=_day_first(text.strip()), tzinfos=_ZONES
            )
    except UnknownTimezoneWarning as exc:
        raise DateProblem(
            f"{text.strip()!r}: {exc}; give the time in this laptop's time, or as +01:00"
        ) from None
    except (ValueError, OverflowError) as exc:  # a moment: a day, and a time if known
        raise DateProblem(_explain(text.strip(), exc, "'3 June 2025 10:00' or 'today'")) from None


def uk_moment(text: str | None) -> str:
    """A stored moment in the one date style users see: "4 Mar 2025 10:00" (UK order,
    local time as stored). Empty for nothing; the text itself if it cannot be read."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    day = f"{moment.day} {moment:%b %Y}"
    if len(text) <= 10:  # a date without a time
        return day
    return f"{day} {moment:%H:%M}"


def parse_day_when(text: str, *, now: datetime | None = None, past: bool = False) -> datetime:
    """A moment that must name a day (a send, a meeting), as :func:`parse_when` reads it.
    "March 2026" or "2026" alone is refused: it would be recorded as the 1st at 09:00. A
    day without a year ("3 June 10:00") is the nearest such day to ``now``; with ``past``
    (something already done), the last such day up to today."""
    now = now or datetime.now().astimezone()
    moment = parse_when(text, now=now)
    if " ".join(text.split()).lower() in ("now", "today", "tomorrow", "yesterday"):
        return moment
    # Read again against defaults of another day, month and year: what was given stays.
    low = _dateutil(text, datetime(2000, 1, 1, 9))
    high = _dateutil(text, datetime(2004, 12, 28, 15))
    if (low.year, low.month, low.day, high.year, high.month, high.day) == (
        2000,
        1,
        1,
        2004,
        12,
        28,
    ):
        # A time alone ("07:00") is today at that time.
        moment = moment.replace(year=now.year, month=now.month, day=now.day)
        return _not_later(moment, now, text) if past else moment
    if (low.month, low.day) != (high.month, high.day):
        raise DateProblem(f"give the day, not only the month or year: {text.strip()!r}")
    if past and (low.hour, low.minute) != (high.hour, high.minute) and moment.date() == now.date():
        return now  # "today", "1 Dec" (today) for something done: now, not 09:00 to come
    if low.year == high.year:
        return _not_later(moment, now, text) if past else moment
    if low.year == high.year:
        return moment
    candidates = []
    for year in (now.year - 1, now.year, now.year + 1):
        try:
            candidates.append(moment.replace(year=year))
        except ValueError:  # 29 February in a year without one
            continue
    if past:
        done = [c for c in candidates if c <= now + LEEWAY]
        if done:
            return max(done)
    return min(candidates, key=lambda c: abs(c - now))


LEEWAY = timedelta(minutes=5)  # a clock a little behind the one on the wall


def _not_later(moment: datetime, now: datetime, text: str) -> datetime:
    """Something already done (a send, say) cannot be later than now."""
    if moment > now + LEEWAY:
        raise DateProblem(f"{text.strip()!r} is later than now: record it once it has happened")
    return moment
