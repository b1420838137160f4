"""Business calendars: when a team is open, and SLA clock arithmetic in business time.

Business hours are local wall-clock intervals in the calendar's timezone; all arithmetic is on real
instants, so on a day with a DST change the intervals spanning it are an hour longer or shorter.
Wall times that do not exist (the hour skipped in spring) mean the instant the clocks jump; wall times
that occur twice (the hour repeated in autumn) mean their first occurrence.
"""

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FieldSerializationInfo,
    PrivateAttr,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from mentiondesk.errors import MentiondeskError
from mentiondesk.sla.holidays_jp import is_holiday

SEARCH_LIMIT_DAYS = 3 * 366
"""How many days in a row without working time we look through before giving up."""

_DAY = timedelta(days=1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NoBusinessTime(MentiondeskError):
    """The calendar has no working time within `SEARCH_LIMIT_DAYS` days of the instant asked about."""


# Interval times as written in JSON: HH:MM (seconds only when set), an end of day as 24:00. JSON Schema's
# "time" format would demand seconds and an offset, and has no 24:00.
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
_START = WithJsonSchema({"type": "string", "pattern": f"^{_CLOCK}$", "examples": ["09:00"]})
_END = WithJsonSchema({"type": "string", "pattern": f"^({_CLOCK}|24:00)$", "examples": ["18:00", "24:00"]})


@dataclass(frozen=True)
class Interval:
    """Working time within one local day, from `start` up to (not including) `end`.

    An `end` of 00:00 — written "24:00" in JSON — means midnight at the end of the day; overnight shifts
    are two intervals, one ending at 24:00 and one starting at 00:00 the next day.
    """

    start: Annotated[time, _START]
    end: Annotated[time, _END]

    @field_validator("end", mode="before")
    @classmethod
    def _end_of_day(cls, value: Any) -> Any:
        return time(0) if value in ("24:00", "24:00:00") else value

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("interval times are wall-clock times in the calendar's timezone; give them without one")
        if self.end_offset <= self.start_offset:
            raise ValueError(
                f"interval {self}: the end must come after the start on the same day "
                "(split an overnight shift at 24:00)"
            )

    @property
    def start_offset(self) -> timedelta:
        """Wall-clock time of the start since local midnight."""
        return _since_midnight(self.start)

    @property
    def end_offset(self) -> timedelta:
        """Wall-clock time of the end since local midnight (24 h for an end of 00:00)."""
        return _since_midnight(self.end) or _DAY

    @field_serializer("start", "end")
    def _serialize(self, value: time, info: FieldSerializationInfo) -> str:
        return _wall_clock(value, end_of_day=info.field_name == "end")

    def __str__(self) -> str:
        return f"{_wall_clock(self.start)}–{_wall_clock(self.end, end_of_day=True)}"


def _wall_clock(value: time, *, end_of_day: bool = False) -> str:
    if end_of_day and value == time(0):
        return "24:00"
    return value.isoformat() if value.second or value.microsecond else value.strftime("%H:%M")


def _since_midnight(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def _checked(intervals: list[Interval], where: str) -> list[Interval]:
    """`intervals` in order of start, refusing overlaps (touching is fine)."""
    ordered = sorted(intervals, key=lambda interval: interval.start_offset)
    for before, after in pairwise(ordered):
        if after.start_offset < before.end_offset:
            raise ValueError(f"{where}: intervals {before} and {after} overlap")
    return ordered


class BusinessCalendar(BaseModel):
    """A team's working time: weekly hours in a timezone, minus national and company holidays, plus
    special working days that replace whatever the day would otherwise be."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Asia/Tokyo"
    hours: dict[int, list[Interval]] = Field(
        default_factory=dict, description="Weekday (0 = Monday … 6 = Sunday) → working intervals."
    )
    japanese_holidays: bool = Field(default=True, description="Closed on Japanese national holidays.")
    closed_days: list[date] = Field(default_factory=list, description="Company holidays.")
    open_days: dict[date, list[Interval]] = Field(
        default_factory=dict, description="Special days whose intervals replace the weekday's, holiday or not."
    )

    _tz: ZoneInfo = PrivateAttr()
    _closed: frozenset[date] = PrivateAttr()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown IANA timezone {value!r} (e.g. 'Asia/Tokyo', 'America/New_York')") from None
        return value

    @field_validator("hours")
    @classmethod
    def _weekly_hours(cls, value: dict[int, list[Interval]]) -> dict[int, list[Interval]]:
        for weekday in value:
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday keys are 0 (Monday) to 6 (Sunday), not {weekday}")
        return {weekday: _checked(value[weekday], _WEEKDAYS[weekday]) for weekday in sorted(value)}

    @field_validator("open_days")
    @classmethod
    def _special_days(cls, value: dict[date, list[Interval]]) -> dict[date, list[Interval]]:
        for day, intervals in value.items():
            if not intervals:
                raise ValueError(f"open day {day} has no intervals; list it in closed_days to close it")
        return {day: _checked(value[day], f"open day {day}") for day in sorted(value)}

    @model_validator(mode="after")
    def _some_working_time(self) -> Self:
        if not any(self.hours.values()) and not self.open_days:
            raise ValueError(
                "a calendar with no working time is refused: give hours for at least one weekday or an open day"
            )
        both = sorted(set(self.closed_days) & set(self.open_days))
        if both:
            raise ValueError(f"days both closed and open: {', '.join(map(str, both))}")
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Resolve the timezone and index the closed days once."""
        self._tz = ZoneInfo(self.timezone)
        self._closed = frozenset(self.closed_days)

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's timezone."""
        return self._tz

    def intervals_on(self, day: date) -> list[Interval]:
        """The working intervals of local date `day`, after open days, closed days and holidays."""
        if day in self.open_days:
            return self.open_days[day]
        if day in self._closed or (self.japanese_holidays and is_holiday(day)):
            return []
        return self.hours.get(day.weekday(), [])

    def is_open(self, at: datetime) -> bool:
        """Whether `at` (timezone-aware) falls in working time."""
        instant = _as_utc(at, "at")
        return any(start <= instant < end for start, end in self._spans(self._local_date(instant)))

    def next_open(self, at: datetime) -> datetime:
        """The first working instant at or after `at`, in UTC (`at` itself when open)."""
        instant = _as_utc(at, "at")
        for start, end in self._spans_from(self._local_date(instant)):
            if end > instant:
                return max(start, instant)
        raise AssertionError("unreachable: _spans_from ends by raising")  # pragma: no cover

    def add_business_time(self, start: datetime, seconds: float) -> datetime:
        """The instant (UTC) at which `seconds` of business time have passed since `start`.

        The clock only runs in working time, so a ticket created outside hours starts counting at the
        next opening, and 0 seconds gives `next_open(start)`. A target that uses up an interval exactly
        is due at its close, not at the next opening.
        """
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, not {seconds}")
        remaining = timedelta(seconds=seconds)
        cursor = _as_utc(start, "start")
        for span_start, span_end in self._spans_from(self._local_date(cursor)):
            if span_end <= cursor:
                continue
            counted_from = max(span_start, cursor)
            available = span_end - counted_from
            if remaining <= available:
                return counted_from + remaining
            remaining -= available
        raise AssertionError("unreachable: _spans_from ends by raising")  # pragma: no cover

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Business time in [start, end), in seconds; 0 when `end` is not after `start`."""
        first, last = _as_utc(start, "start"), _as_utc(end, "end")
        if last <= first:
            return 0.0
        total = timedelta(0)
        day, last_day = self._local_date(first), self._local_date(last)
        while day <= last_day:
            for span_start, span_end in self._spans(day):
                overlap = min(span_end, last) - max(span_start, first)
                if overlap > timedelta(0):
                    total += overlap
            day += _DAY
        return total.total_seconds()

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._tz).date()

    def _spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of local date `day` as [start, end) pairs of UTC instants."""
        midnight = datetime.combine(day, time(0))
        spans = []
        for interval in self.intervals_on(day):
            start = self._instant(midnight + interval.start_offset)
            end = self._instant(midnight + interval.end_offset)
            if end > start:  # an interval entirely inside a skipped DST hour is empty
                spans.append((start, end))
        return spans

    def _spans_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Spans of `day` and every day after it; raises NoBusinessTime after a long enough gap."""
        empty_days = 0
        while True:
            spans = self._spans(day)
            if spans:
                empty_days = 0
                yield from spans
            else:
                empty_days += 1
                if empty_days > SEARCH_LIMIT_DAYS:
                    raise NoBusinessTime(f"no working time for {SEARCH_LIMIT_DAYS} days in a row, up to {day}")
            day += _DAY

    def _instant(self, wall: datetime) -> datetime:
        """The UTC instant of naive local wall-clock time `wall` (first occurrence; the jump for a gap)."""
        instant = wall.replace(tzinfo=self._tz).astimezone(UTC)
        if instant.astimezone(self._tz).replace(tzinfo=None) == wall:
            return instant
        # `wall` falls in a gap: fold=0 reads it with the offset before the jump (too late), fold=1 with
        # the one after (too early); the jump lies between, on a whole second.
        low = int(wall.replace(tzinfo=self._tz, fold=1).timestamp())
        high = math.ceil(instant.timestamp())
        offset_after = instant.astimezone(self._tz).utcoffset()
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, self._tz).utcoffset() == offset_after:
                high = middle
            else:
                low = middle
        return datetime.fromtimestamp(high, UTC)


def _as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


ALWAYS_OPEN = BusinessCalendar(
    timezone="UTC",
    hours={weekday: [Interval(time(0), time(0))] for weekday in range(7)},
    japanese_holidays=False,
)
"""Open around the clock, every day: business time is real time."""


DEFAULT_CALENDAR = BusinessCalendar(
    timezone="Asia/Tokyo",
    hours={weekday: [Interval(time(9), time(18))] for weekday in range(5)},
    japanese_holidays=True,
)
"""A team without its own calendar: weekdays 09:00-18:00 in Tokyo, closed on national holidays."""
