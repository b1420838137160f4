"""Business calendars and Japanese national holidays.

Holiday dates are checked against the Cabinet Office list of national holidays (内閣府「国民の祝日」CSV,
https://www8.cao.go.jp/chosei/shukujitsu/syukujitsu.csv, 1955–2027 as published in February 2026), read
from the copy kept in github.com/shogo82148/holidays-jp (syukujitsu.csv, commit 0dac9063887); 2026 and 2027
were cross-checked with press reports of the Cabinet Office announcements (news.livedoor.com/topics/detail/
30494256, nihon-hanzai-jiken.com/?p=123505). The CSV names every 振替休日 and 国民の休日 just "休日" and the
2019 enthronement days "休日（祝日扱い）"; below they carry the names this module gives them.
"""

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mentiondesk.sla import calendar as calendar_module
from mentiondesk.sla.calendar import ALWAYS_OPEN, BusinessCalendar, Interval, NoBusinessTime
from mentiondesk.sla.holidays_jp import is_holiday, national_holidays
from pydantic import ValidationError

pytestmark = pytest.mark.unit

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0

# --- Japanese national holidays ---------------------------------------------------------------

CABINET_OFFICE_2019_2027 = {
    2019: "1/1 元日, 1/14 成人の日, 2/11 建国記念の日, 3/21 春分の日, 4/29 昭和の日, 4/30 国民の休日, "
    "5/1 天皇の即位の日, 5/2 国民の休日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日, "
    "7/15 海の日, 8/11 山の日, 8/12 振替休日, 9/16 敬老の日, 9/23 秋分の日, 10/14 体育の日, "
    "10/22 即位礼正殿の儀, 11/3 文化の日, 11/4 振替休日, 11/23 勤労感謝の日",
    2020: "1/1 元日, 1/13 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 2/24 振替休日, 3/20 春分の日, "
    "4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日, 7/23 海の日, "
    "7/24 スポーツの日, 8/10 山の日, 9/21 敬老の日, 9/22 秋分の日, 11/3 文化の日, 11/23 勤労感謝の日",
    2021: "1/1 元日, 1/11 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日, "
    "5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/22 海の日, 7/23 スポーツの日, 8/8 山の日, "
    "8/9 振替休日, 9/20 敬老の日, 9/23 秋分の日, 11/3 文化の日, 11/23 勤労感謝の日",
    2022: "1/1 元日, 1/10 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/21 春分の日, 4/29 昭和の日, "
    "5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/18 海の日, 8/11 山の日, 9/19 敬老の日, "
    "9/23 秋分の日, 10/10 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日",
    2023: "1/1 元日, 1/2 振替休日, 1/9 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/21 春分の日, "
    "4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/17 海の日, 8/11 山の日, "
    "9/18 敬老の日, 9/23 秋分の日, 10/9 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日",
    2024: "1/1 元日, 1/8 成人の日, 2/11 建国記念の日, 2/12 振替休日, 2/23 天皇誕生日, 3/20 春分の日, "
    "4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日, 7/15 海の日, "
    "8/11 山の日, 8/12 振替休日, 9/16 敬老の日, 9/22 秋分の日, 9/23 振替休日, 10/14 スポーツの日, "
    "11/3 文化の日, 11/4 振替休日, 11/23 勤労感謝の日",
    2025: "1/1 元日, 1/13 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 2/24 振替休日, 3/20 春分の日, "
    "4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日, 7/21 海の日, "
    "8/11 山の日, 9/15 敬老の日, 9/23 秋分の日, 10/13 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日, "
    "11/24 振替休日",
    2026: "1/1 元日, 1/12 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日, "
    "5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日, 7/20 海の日, 8/11 山の日, "
    "9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日, 10/12 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日",
    2027: "1/1 元日, 1/11 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/21 春分の日, 3/22 振替休日, "
    "4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/19 海の日, 8/11 山の日, "
    "9/20 敬老の日, 9/23 秋分の日, 10/11 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日",
}

# The same list for 1980–2018, dates only: the rules as they stood then (天皇誕生日 on 4/29 and later
# 12/23, 成人の日 and 体育の日 on fixed dates until 1999, the old one-day substitute rule until 2006).
CABINET_OFFICE_1980_2018 = """
1980: 1/1 1/15 2/11 3/20 4/29 5/3 5/5 9/15 9/23 10/10 11/3 11/23 11/24
1981: 1/1 1/15 2/11 3/21 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23
1982: 1/1 1/15 2/11 3/21 3/22 4/29 5/3 5/5 9/15 9/23 10/10 10/11 11/3 11/23
1983: 1/1 1/15 2/11 3/21 4/29 5/3 5/5 9/15 9/23 10/10 11/3 11/23
1984: 1/1 1/2 1/15 1/16 2/11 3/20 4/29 4/30 5/3 5/5 9/15 9/23 9/24 10/10 11/3 11/23
1985: 1/1 1/15 2/11 3/21 4/29 5/3 5/5 5/6 9/15 9/16 9/23 10/10 11/3 11/4 11/23
1986: 1/1 1/15 2/11 3/21 4/29 5/3 5/5 9/15 9/23 10/10 11/3 11/23 11/24
1987: 1/1 1/15 2/11 3/21 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23
1988: 1/1 1/15 2/11 3/20 3/21 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23
1989: 1/1 1/2 1/15 1/16 2/11 2/24 3/21 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23 12/23
1990: 1/1 1/15 2/11 2/12 3/21 4/29 4/30 5/3 5/4 5/5 9/15 9/23 9/24 10/10 11/3 11/12 11/23 12/23 12/24
1991: 1/1 1/15 2/11 3/21 4/29 5/3 5/4 5/5 5/6 9/15 9/16 9/23 10/10 11/3 11/4 11/23 12/23
1992: 1/1 1/15 2/11 3/20 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23 12/23
1993: 1/1 1/15 2/11 3/20 4/29 5/3 5/4 5/5 6/9 9/15 9/23 10/10 10/11 11/3 11/23 12/23
1994: 1/1 1/15 2/11 3/21 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23 12/23
1995: 1/1 1/2 1/15 1/16 2/11 3/21 4/29 5/3 5/4 5/5 9/15 9/23 10/10 11/3 11/23 12/23
1996: 1/1 1/15 2/11 2/12 3/20 4/29 5/3 5/4 5/5 5/6 7/20 9/15 9/16 9/23 10/10 11/3 11/4 11/23 12/23
1997: 1/1 1/15 2/11 3/20 4/29 5/3 5/5 7/20 7/21 9/15 9/23 10/10 11/3 11/23 11/24 12/23
1998: 1/1 1/15 2/11 3/21 4/29 5/3 5/4 5/5 7/20 9/15 9/23 10/10 11/3 11/23 12/23
1999: 1/1 1/15 2/11 3/21 3/22 4/29 5/3 5/4 5/5 7/20 9/15 9/23 10/10 10/11 11/3 11/23 12/23
2000: 1/1 1/10 2/11 3/20 4/29 5/3 5/4 5/5 7/20 9/15 9/23 10/9 11/3 11/23 12/23
2001: 1/1 1/8 2/11 2/12 3/20 4/29 4/30 5/3 5/4 5/5 7/20 9/15 9/23 9/24 10/8 11/3 11/23 12/23 12/24
2002: 1/1 1/14 2/11 3/21 4/29 5/3 5/4 5/5 5/6 7/20 9/15 9/16 9/23 10/14 11/3 11/4 11/23 12/23
2003: 1/1 1/13 2/11 3/21 4/29 5/3 5/5 7/21 9/15 9/23 10/13 11/3 11/23 11/24 12/23
2004: 1/1 1/12 2/11 3/20 4/29 5/3 5/4 5/5 7/19 9/20 9/23 10/11 11/3 11/23 12/23
2005: 1/1 1/10 2/11 3/20 3/21 4/29 5/3 5/4 5/5 7/18 9/19 9/23 10/10 11/3 11/23 12/23
2006: 1/1 1/2 1/9 2/11 3/21 4/29 5/3 5/4 5/5 7/17 9/18 9/23 10/9 11/3 11/23 12/23
2007: 1/1 1/8 2/11 2/12 3/21 4/29 4/30 5/3 5/4 5/5 7/16 9/17 9/23 9/24 10/8 11/3 11/23 12/23 12/24
2008: 1/1 1/14 2/11 3/20 4/29 5/3 5/4 5/5 5/6 7/21 9/15 9/23 10/13 11/3 11/23 11/24 12/23
2009: 1/1 1/12 2/11 3/20 4/29 5/3 5/4 5/5 5/6 7/20 9/21 9/22 9/23 10/12 11/3 11/23 12/23
2010: 1/1 1/11 2/11 3/21 3/22 4/29 5/3 5/4 5/5 7/19 9/20 9/23 10/11 11/3 11/23 12/23
2011: 1/1 1/10 2/11 3/21 4/29 5/3 5/4 5/5 7/18 9/19 9/23 10/10 11/3 11/23 12/23
2012: 1/1 1/2 1/9 2/11 3/20 4/29 4/30 5/3 5/4 5/5 7/16 9/17 9/22 10/8 11/3 11/23 12/23 12/24
2013: 1/1 1/14 2/11 3/20 4/29 5/3 5/4 5/5 5/6 7/15 9/16 9/23 10/14 11/3 11/4 11/23 12/23
2014: 1/1 1/13 2/11 3/21 4/29 5/3 5/4 5/5 5/6 7/21 9/15 9/23 10/13 11/3 11/23 11/24 12/23
2015: 1/1 1/12 2/11 3/21 4/29 5/3 5/4 5/5 5/6 7/20 9/21 9/22 9/23 10/12 11/3 11/23 12/23
2016: 1/1 1/11 2/11 3/20 3/21 4/29 5/3 5/4 5/5 7/18 8/11 9/19 9/22 10/10 11/3 11/23 12/23
2017: 1/1 1/2 1/9 2/11 3/20 4/29 5/3 5/4 5/5 7/17 8/11 9/18 9/23 10/9 11/3 11/23 12/23
2018: 1/1 1/8 2/11 2/12 3/21 4/29 4/30 5/3 5/4 5/5 7/16 8/11 9/17 9/23 9/24 10/8 11/3 11/23 12/23 12/24
"""


def _day(year: int, month_day: str) -> date:
    month, day = month_day.split("/")
    return date(year, int(month), int(day))


@pytest.mark.parametrize("year", sorted(CABINET_OFFICE_2019_2027))
def test_holidays_match_the_cabinet_office_list(year: int) -> None:
    # Given the Cabinet Office's holidays for the year
    expected = {}
    for entry in CABINET_OFFICE_2019_2027[year].split(", "):
        month_day, name = entry.split()
        expected[_day(year, month_day)] = name
    # When we compute them
    holidays = national_holidays(year)
    # Then the same days, with the same Japanese names, in date order
    assert {day: name.split(" / ")[0] for day, name in holidays.items()} == expected
    assert list(holidays) == sorted(holidays)


def test_past_holidays_follow_the_rules_in_force_at_the_time() -> None:
    # Given the Cabinet Office's dates for 1980–2018
    for line in CABINET_OFFICE_1980_2018.strip().splitlines():
        year, days = line.split(": ")
        expected = {_day(int(year), month_day) for month_day in days.split()}
        # When we compute the year, then the dates agree
        assert set(national_holidays(int(year))) == expected, year


def test_names_are_given_in_japanese_and_english() -> None:
    holidays = national_holidays(2026)
    assert holidays[date(2026, 1, 1)] == "元日 / New Year's Day"
    assert holidays[date(2026, 5, 6)] == "振替休日 / Substitute Holiday"
    assert holidays[date(2026, 9, 22)] == "国民の休日 / Citizens' Holiday"
    assert all(" / " in name for name in holidays.values())


def test_future_years_follow_the_current_law() -> None:
    # 2032: 敬老の日 on 9/20 and 秋分の日 on 9/22 sandwich 9/21
    assert national_holidays(2032)[date(2032, 9, 21)].startswith("国民の休日")
    # 2100–2150 use the second set of equinox constants
    assert national_holidays(2100)[date(2100, 3, 20)].startswith("春分の日")
    assert national_holidays(2150)[date(2150, 9, 23)].startswith("秋分の日")


@pytest.mark.parametrize("year", [1979, 2151])
def test_years_outside_the_computed_range_are_refused(year: int) -> None:
    with pytest.raises(ValueError, match="1980–2150"):
        national_holidays(year)


def test_is_holiday() -> None:
    assert is_holiday(date(2026, 5, 6))  # 振替休日 for 憲法記念日 on a Sunday
    assert not is_holiday(date(2026, 5, 7))
    assert not is_holiday(date(2026, 6, 7))  # an ordinary Sunday
    with pytest.raises(TypeError, match="takes a date"):
        is_holiday(datetime(2026, 5, 6, 10, tzinfo=TOKYO))


def test_national_holidays_returns_a_copy() -> None:
    # Given a caller who edits the answer
    holidays = national_holidays(2026)
    holidays.pop(date(2026, 5, 6))
    # Then the cached year is untouched
    assert is_holiday(date(2026, 5, 6))
    assert date(2026, 5, 6) in national_holidays(2026)


# --- calendars ----------------------------------------------------------------------------------


def office(**overrides: Any) -> BusinessCalendar:
    """Weekdays 09:00–12:00 and 13:00–18:00 (a lunch break), Tokyo, Japanese holidays closed."""
    spec: dict[str, Any] = {
        "hours": {
            weekday: [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}] for weekday in range(5)
        }
    }
    return BusinessCalendar.model_validate(spec | overrides)


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


def nyc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK, fold=fold)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (jst(2026, 6, 1, 10), 1, jst(2026, 6, 1, 11)),  # within one interval
        (jst(2026, 6, 1, 11, 30), 1, jst(2026, 6, 1, 13, 30)),  # over lunch
        (jst(2026, 6, 1, 9), 8, jst(2026, 6, 1, 18)),  # a whole day ends at close, not the next morning
        (jst(2026, 6, 1, 11), 1, jst(2026, 6, 1, 12)),  # exactly at the lunch break
        (jst(2026, 6, 5, 17), 2, jst(2026, 6, 8, 10)),  # Friday → Monday
        (jst(2026, 6, 6, 3), 1, jst(2026, 6, 8, 10)),  # created on a Saturday night
        (jst(2026, 6, 1, 7), 0.5, jst(2026, 6, 1, 9, 30)),  # created before opening
        (jst(2026, 6, 1, 12, 30), 0.5, jst(2026, 6, 1, 13, 30)),  # created during lunch
        (jst(2026, 6, 1, 18), 1, jst(2026, 6, 2, 10)),  # created at close
        # Golden Week 2026: Sat 5/2, 5/3–5/5 holidays, 5/6 振替休日 for 憲法記念日 on a Sunday
        (jst(2026, 5, 1, 17), 2, jst(2026, 5, 7, 10)),
        # Silver Week 2026: 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日
        (jst(2026, 9, 18, 17), 2, jst(2026, 9, 24, 10)),
    ],
)
def test_add_business_time(start: datetime, hours: float, due: datetime) -> None:
    # Given the office calendar
    calendar = office()
    # When a target of `hours` business hours starts at `start`
    result = calendar.add_business_time(start, hours * HOUR)
    # Then it is due at `due`, reported in UTC
    assert result == due
    assert result.tzinfo is UTC
    # And exactly that much business time lies between
    assert calendar.business_seconds_between(start, result) == hours * HOUR


def test_zero_seconds_is_the_next_opening() -> None:
    calendar = office()
    # Outside hours: the clock starts at the next opening
    assert calendar.add_business_time(jst(2026, 6, 6, 3), 0) == jst(2026, 6, 8, 9)
    assert calendar.next_open(jst(2026, 6, 6, 3)) == jst(2026, 6, 8, 9)
    # At close the interval is over
    assert calendar.next_open(jst(2026, 6, 1, 12)) == jst(2026, 6, 1, 13)
    # Inside hours: now
    assert calendar.add_business_time(jst(2026, 6, 1, 10, 15), 0) == jst(2026, 6, 1, 10, 15)
    assert calendar.next_open(jst(2026, 6, 1, 10, 15)) == jst(2026, 6, 1, 10, 15)


def test_is_open_is_half_open_at_each_interval() -> None:
    calendar = office()
    assert not calendar.is_open(jst(2026, 6, 1, 8, 59, 59))
    assert calendar.is_open(jst(2026, 6, 1, 9))
    assert not calendar.is_open(jst(2026, 6, 1, 12))
    assert calendar.is_open(jst(2026, 6, 1, 17, 59, 59))
    assert not calendar.is_open(jst(2026, 6, 1, 18))
    assert not calendar.is_open(jst(2026, 5, 6, 10))  # 振替休日
    # The same instant written in another timezone
    assert calendar.is_open(datetime(2026, 6, 1, 1, tzinfo=UTC))


def test_holidays_can_be_ignored() -> None:
    # Given a team that works through Japanese holidays
    calendar = office(japanese_holidays=False)
    # Then Monday 5/4 is an ordinary Monday
    assert calendar.add_business_time(jst(2026, 5, 1, 17), 2 * HOUR) == jst(2026, 5, 4, 10)


def test_company_closed_days() -> None:
    # Given Monday 6/8 is a company holiday
    calendar = office(closed_days=["2026-06-08"])
    # Then a Friday afternoon target runs on into Tuesday
    assert calendar.add_business_time(jst(2026, 6, 5, 17), 2 * HOUR) == jst(2026, 6, 9, 10)
    assert calendar.intervals_on(date(2026, 6, 8)) == []


def test_open_days_override_holidays_weekends_and_weekday_hours() -> None:
    # Given the team works 10:00–15:00 on the 振替休日, Saturday 6/6, and only 09:00–10:00 on Monday 6/8
    calendar = office(
        open_days={
            "2026-05-06": [{"start": "10:00", "end": "15:00"}],
            "2026-06-06": [{"start": "10:00", "end": "12:00"}],
            "2026-06-08": [{"start": "09:00", "end": "10:00"}],
        }
    )
    # Then those days count, and only for their own intervals
    assert calendar.add_business_time(jst(2026, 5, 1, 17), 2 * HOUR) == jst(2026, 5, 6, 11)
    assert calendar.add_business_time(jst(2026, 6, 5, 17), 2 * HOUR) == jst(2026, 6, 6, 11)
    assert calendar.next_open(jst(2026, 6, 8, 10)) == jst(2026, 6, 9, 9)
    assert calendar.business_seconds_between(jst(2026, 6, 6), jst(2026, 6, 9)) == 3 * HOUR


def test_business_seconds_between() -> None:
    calendar = office()
    # A plain week has five 8-hour days
    assert calendar.business_seconds_between(jst(2026, 6, 1), jst(2026, 6, 8)) == 5 * 8 * HOUR
    # Golden Week 2026 leaves three working days (4/30, 5/1, 5/7) between Wednesday 4/29 and Friday 5/8
    assert calendar.business_seconds_between(jst(2026, 4, 29), jst(2026, 5, 8)) == 3 * 8 * HOUR
    # Partial intervals at both ends
    assert calendar.business_seconds_between(jst(2026, 6, 1, 11, 30), jst(2026, 6, 1, 13, 15)) == 45 * 60
    # Nothing when the end is not after the start
    assert calendar.business_seconds_between(jst(2026, 6, 1, 11), jst(2026, 6, 1, 11)) == 0
    assert calendar.business_seconds_between(jst(2026, 6, 1, 11), jst(2026, 6, 1, 10)) == 0


def test_naive_datetimes_and_bad_durations_are_refused() -> None:
    calendar = office()
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_open(datetime(2026, 6, 1, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.business_seconds_between(jst(2026, 6, 1), datetime(2026, 6, 2))
    for seconds in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="finite number >= 0"):
            calendar.add_business_time(jst(2026, 6, 1), seconds)


def test_thirty_business_days_walk_day_by_day(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a count of how many days the calendar looks at
    looked_at: list[date] = []

    def counting(day: date) -> bool:
        looked_at.append(day)
        return is_holiday(day)

    monkeypatch.setattr(calendar_module, "is_holiday", counting)
    # When 30 business days (8 h each) start on Monday 6/1
    due = office().add_business_time(jst(2026, 6, 1, 9), 30 * 8 * HOUR)
    # Then they end on Friday 7/10 at close, after looking at each of the 40 days once
    assert due == jst(2026, 7, 10, 18)
    assert len(looked_at) == len(set(looked_at)) == 40


def test_huge_durations() -> None:
    calendar = office()
    start = jst(2026, 1, 5, 9)
    # Ten years of business time round-trips exactly
    seconds = 10 * 240 * 8 * HOUR
    due = calendar.add_business_time(start, seconds)
    assert calendar.business_seconds_between(start, due) == seconds
    assert jst(2035, 1, 1) < due < jst(2037, 1, 1)
    # Around the clock, business time is real time
    assert ALWAYS_OPEN.add_business_time(start, 1e8) == start + timedelta(seconds=1e8)


def test_a_calendar_that_never_opens_again_says_so() -> None:
    # Given a calendar whose only working day is in the past
    calendar = BusinessCalendar(open_days={date(2026, 6, 6): [Interval(time(9), time(17))]})
    # Then looking for working time after it gives up after three years, not never
    with pytest.raises(NoBusinessTime, match="no working time"):
        calendar.next_open(jst(2026, 6, 7))
    with pytest.raises(NoBusinessTime):
        calendar.add_business_time(jst(2026, 6, 6, 16), 2 * HOUR)
    # But counting over a finite range is fine
    assert calendar.business_seconds_between(jst(2026, 6, 1), jst(2026, 7, 1)) == 8 * HOUR


def test_always_open() -> None:
    at = datetime(2026, 5, 6, 3, 4, 5, tzinfo=UTC)
    assert ALWAYS_OPEN.is_open(at)
    assert ALWAYS_OPEN.next_open(at) == at
    assert ALWAYS_OPEN.business_seconds_between(at, at + timedelta(days=3)) == 3 * 24 * HOUR


def test_default_timezone_is_tokyo() -> None:
    calendar = BusinessCalendar(hours={0: [Interval(time(9), time(18))]})
    assert calendar.timezone == "Asia/Tokyo"
    assert calendar.next_open(datetime(2026, 6, 1, tzinfo=UTC)) == jst(2026, 6, 1, 9)


# --- daylight saving time (America/New_York: 2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00) ----


def new_york(hours: dict[int, list[Interval]]) -> BusinessCalendar:
    return BusinessCalendar(timezone="America/New_York", hours=hours, japanese_holidays=False)


def test_office_hours_keep_their_wall_clock_times_across_a_transition() -> None:
    calendar = new_york({weekday: [Interval(time(9), time(17))] for weekday in range(5)})
    # Friday 16:00 EST + 2 h → Monday 10:00 EDT, one hour earlier in UTC than a week before
    due = calendar.add_business_time(nyc(2026, 3, 6, 16), 2 * HOUR)
    assert due == nyc(2026, 3, 9, 10) == datetime(2026, 3, 9, 14, tzinfo=UTC)
    # Friday 16:00 EDT + 2 h → Monday 10:00 EST
    assert calendar.add_business_time(nyc(2026, 10, 30, 16), 2 * HOUR) == datetime(2026, 11, 2, 15, tzinfo=UTC)
    # A week holds 40 business hours either way
    assert calendar.business_seconds_between(nyc(2026, 3, 2), nyc(2026, 3, 9)) == 40 * HOUR
    assert calendar.business_seconds_between(nyc(2026, 3, 9), nyc(2026, 3, 16)) == 40 * HOUR


def test_a_shift_spanning_the_transition_is_shorter_or_longer() -> None:
    # Given a Sunday night shift 00:00–04:00
    calendar = new_york({6: [Interval(time(0), time(4))]})
    # Then it lasts 3 real hours in March and 5 in November
    assert calendar.business_seconds_between(nyc(2026, 3, 8), nyc(2026, 3, 9)) == 3 * HOUR
    assert calendar.business_seconds_between(nyc(2026, 11, 1), nyc(2026, 11, 2)) == 5 * HOUR
    # And 4 hours from its start in November is 03:00 EST, an hour before the shift ends
    assert (
        calendar.add_business_time(nyc(2026, 11, 1), 4 * HOUR)
        == nyc(2026, 11, 1, 3)
        == datetime(2026, 11, 1, 8, tzinfo=UTC)
    )
    assert calendar.is_open(nyc(2026, 11, 1, 1, 30, fold=1))


def test_boundaries_inside_the_skipped_hour_mean_the_jump() -> None:
    # Given intervals that end and start inside 02:00–03:00 on the day it does not exist
    calendar = new_york({6: [Interval(time(1), time(2, 30)), Interval(time(2, 45), time(5))]})
    # Then the team is open from 01:00 EST to 05:00 EDT without a gap or an overlap
    assert calendar.business_seconds_between(nyc(2026, 3, 8), nyc(2026, 3, 9)) == 3 * HOUR
    assert calendar.is_open(datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC))
    assert calendar.is_open(datetime(2026, 3, 8, 7, tzinfo=UTC))
    assert calendar.add_business_time(nyc(2026, 3, 8), HOUR) == datetime(2026, 3, 8, 7, tzinfo=UTC)


def test_around_the_clock_days_are_23_and_25_hours() -> None:
    calendar = new_york({weekday: [Interval(time(0), time(0))] for weekday in range(7)})
    assert calendar.business_seconds_between(nyc(2026, 3, 8), nyc(2026, 3, 9)) == 23 * HOUR
    assert calendar.business_seconds_between(nyc(2026, 11, 1), nyc(2026, 11, 2)) == 25 * HOUR
    assert calendar.add_business_time(nyc(2026, 3, 8), 24 * HOUR) == nyc(2026, 3, 9, 1)


# --- property: adding then measuring gives back the duration ----------------------------------------


CALENDARS: dict[str, Callable[[], BusinessCalendar]] = {
    "tokyo office": office,
    "tokyo office with company days": lambda: office(
        closed_days=["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31"],
        open_days={"2026-05-06": [{"start": "10:00", "end": "15:00"}]},
    ),
    "new york office": lambda: new_york({weekday: [Interval(time(9), time(17))] for weekday in range(5)}),
    "new york nights": lambda: new_york(
        {weekday: [Interval(time(0), time(2, 30)), Interval(time(2, 45), time(6))] for weekday in range(7)}
    ),
    "always open": lambda: ALWAYS_OPEN,
}


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_business_seconds_between_inverts_add_business_time(name: str) -> None:
    calendar = CALENDARS[name]()
    rng = random.Random(name)  # noqa: S311 - reproducible test data
    first = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    last = datetime(2027, 12, 31, tzinfo=UTC).timestamp()
    for _ in range(300):
        # Given a random start (any instant, open or not) and a duration up to ~60 business days
        start = datetime.fromtimestamp(rng.uniform(first, last), UTC)
        seconds = rng.choice([0.0, rng.uniform(0, HOUR), rng.uniform(0, 60 * 8 * HOUR)])
        # When the target is added
        due = calendar.add_business_time(start, seconds)
        # Then exactly that much business time separates start and due
        assert calendar.business_seconds_between(start, due) == pytest.approx(seconds, abs=1e-6)
        assert due >= start
        # And the clock stopped in working time, or at the close of an interval
        assert calendar.is_open(due) or calendar.is_open(due - timedelta(microseconds=1))


# --- validation -----------------------------------------------------------------------------------


def interval(start: str, end: str) -> dict[str, str]:
    return {"start": start, "end": end}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"hours": {0: [interval("09:00", "12:00"), interval("11:00", "13:00")]}},
            "Monday: intervals 09:00–12:00 and 11:00–13:00 overlap",
        ),
        ({"hours": {4: [interval("18:00", "09:00")]}}, "interval 18:00–09:00: the end must come after the start"),
        ({"hours": {4: [interval("09:00", "09:00")]}}, "the end must come after the start"),
        ({"hours": {0: [interval("09:00+09:00", "18:00")]}}, "without one"),
        ({"timezone": "Asia/Tokio", "hours": {0: [interval("09:00", "18:00")]}}, "unknown IANA timezone 'Asia/Tokio'"),
        ({"timezone": "../../etc/passwd", "hours": {0: [interval("09:00", "18:00")]}}, "unknown IANA timezone"),
        ({"hours": {7: [interval("09:00", "18:00")]}}, "weekday keys are 0 (Monday) to 6 (Sunday), not 7"),
        ({}, "a calendar with no working time is refused"),
        ({"hours": {0: [], 1: []}, "closed_days": ["2026-06-01"]}, "a calendar with no working time is refused"),
        ({"open_days": {"2026-05-06": []}}, "open day 2026-05-06 has no intervals"),
        (
            {
                "hours": {0: [interval("09:00", "18:00")]},
                "closed_days": ["2026-05-06"],
                "open_days": {"2026-05-06": [interval("09:00", "12:00")]},
            },
            "days both closed and open: 2026-05-06",
        ),
        ({"hours": {0: [interval("09:00", "18:00")]}, "holidays": True}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_calendars_are_refused_with_a_clear_message(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        BusinessCalendar.model_validate(spec)
    assert message in str(refused.value)


def test_an_interval_built_in_code_is_validated_too() -> None:
    with pytest.raises(ValueError, match="split an overnight shift at 24:00"):
        Interval(time(22), time(2))


def test_calendars_round_trip_through_json() -> None:
    # Given a calendar with an interval ending at midnight, written the way a supervisor would
    calendar = office(hours={5: [interval("22:00", "24:00")], 6: [interval("00:00", "06:00")]})
    # When it is stored and read back
    stored = calendar.model_dump(mode="json")
    again = BusinessCalendar.model_validate(stored)
    # Then nothing changed, and midnight reads as 24:00
    assert again == calendar
    assert stored["hours"] == {"5": [{"start": "22:00", "end": "24:00"}], "6": [{"start": "00:00", "end": "06:00"}]}
    assert stored["timezone"] == "Asia/Tokyo"
    # And the overnight shift runs from Saturday night into Sunday morning
    assert again.business_seconds_between(jst(2026, 6, 6, 23), jst(2026, 6, 7, 1)) == 2 * HOUR


def test_intervals_are_stored_in_order() -> None:
    calendar = office(hours={0: [interval("13:00", "18:00"), interval("09:00", "12:00")]})
    assert calendar.hours[0] == [Interval(time(9), time(12)), Interval(time(13), time(18))]
