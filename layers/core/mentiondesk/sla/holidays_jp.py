"""Japanese national holidays (国民の祝日に関する法律), computed by rule for 1980–2150.

The rules follow the law as amended over time, so past years come out as they were observed
(天皇誕生日 on 4/29 until 1988, 成人の日 on 1/15 until 1999, ...) and future years follow the
current law. 春分の日 and 秋分の日 use the astronomical approximation published in 新こよみ便利帳
(恒星社厚生閣), valid 1980–2099 with a second set of constants for 2100–2150; the Cabinet Office
fixes each year's dates every February from the National Astronomical Observatory's 暦要項, so a
year more than a year ahead is a forecast, not law. Checked against Meeus' equinox algorithm (Astronomical
Algorithms, ch. 27): the formula agrees for every year 1980–2150 except the 2107 autumnal equinox
(formula 9/24; Meeus 9/23 23:37 JST).
"""

from datetime import date, datetime, timedelta
from functools import cache

FIRST_YEAR = 1980
LAST_YEAR = 2150

NEW_YEARS_DAY = "元日 / New Year's Day"
COMING_OF_AGE_DAY = "成人の日 / Coming of Age Day"
FOUNDATION_DAY = "建国記念の日 / National Foundation Day"
EMPERORS_BIRTHDAY = "天皇誕生日 / The Emperor's Birthday"
VERNAL_EQUINOX_DAY = "春分の日 / Vernal Equinox Day"
SHOWA_DAY = "昭和の日 / Showa Day"
GREENERY_DAY = "みどりの日 / Greenery Day"
CONSTITUTION_DAY = "憲法記念日 / Constitution Memorial Day"
CHILDRENS_DAY = "こどもの日 / Children's Day"
MARINE_DAY = "海の日 / Marine Day"
MOUNTAIN_DAY = "山の日 / Mountain Day"
RESPECT_FOR_THE_AGED_DAY = "敬老の日 / Respect for the Aged Day"
AUTUMNAL_EQUINOX_DAY = "秋分の日 / Autumnal Equinox Day"
HEALTH_AND_SPORTS_DAY = "体育の日 / Health and Sports Day"
SPORTS_DAY = "スポーツの日 / Sports Day"
CULTURE_DAY = "文化の日 / Culture Day"
LABOUR_THANKSGIVING_DAY = "勤労感謝の日 / Labour Thanksgiving Day"
SUBSTITUTE_HOLIDAY = "振替休日 / Substitute Holiday"
CITIZENS_HOLIDAY = "国民の休日 / Citizens' Holiday"

# One-off days set by their own laws; each counts as a 国民の祝日 for the substitute and
# sandwich rules (which is why 2019-04-30 and 2019-05-02 became holidays).
_SPECIAL_DAYS = {
    date(1989, 2, 24): "昭和天皇の大喪の礼 / State Funeral of Emperor Showa",
    date(1990, 11, 12): "即位礼正殿の儀 / Enthronement Ceremony",
    date(1993, 6, 9): "皇太子徳仁親王の結婚の儀 / Wedding of Crown Prince Naruhito",
    date(2019, 5, 1): "天皇の即位の日 / Enthronement Day",
    date(2019, 10, 22): "即位礼正殿の儀 / Enthronement Ceremony",
}

# The Tokyo Olympics special measures law moved three holidays in 2020 and again in 2021.
_OLYMPIC_MOVES = {
    2020: {MARINE_DAY: date(2020, 7, 23), SPORTS_DAY: date(2020, 7, 24), MOUNTAIN_DAY: date(2020, 8, 10)},
    2021: {MARINE_DAY: date(2021, 7, 22), SPORTS_DAY: date(2021, 7, 23), MOUNTAIN_DAY: date(2021, 8, 8)},
}

# Equinox day-of-month = floor(base + 0.242194 * (Y - 1980)) - floor((Y - 1980) / 4), in millionths
# of a day so the floor is exact; 2100 is not a leap year, hence the second set of constants.
_EQUINOX_BASES = {  # (first year, last year): (vernal base, autumnal base)
    (1980, 2099): (20_843_100, 23_248_800),
    (2100, 2150): (21_851_000, 24_248_800),
}
_TROPICAL_YEAR_DRIFT = 242_194

# Amendments that changed the substitute and sandwich rules.
_OLD_SUBSTITUTE_RULE_UNTIL = 2006  # until 2006 only the Monday after a Sunday holiday was substituted
_SANDWICH_RULE_FROM = date(1985, 12, 27)


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(-first.weekday()) % 7 + 7 * (n - 1))


def _equinoxes(year: int) -> tuple[date, date]:
    """(春分の日, 秋分の日) by the approximation formula."""
    for (first, last), (vernal, autumnal) in _EQUINOX_BASES.items():
        if first <= year <= last:
            drift = _TROPICAL_YEAR_DRIFT * (year - 1980)
            leap_days = (year - 1980) // 4
            return (
                date(year, 3, (vernal + drift) // 1_000_000 - leap_days),
                date(year, 9, (autumnal + drift) // 1_000_000 - leap_days),
            )
    raise ValueError(f"no equinox formula for {year}")


def _public_holidays(year: int) -> dict[date, str]:
    """The 国民の祝日 of `year` (article 2 and the special laws), before substitutes and sandwiches."""
    days: dict[date, str] = {date(year, 1, 1): NEW_YEARS_DAY}
    days[date(year, 1, 15) if year <= 1999 else _nth_monday(year, 1, 2)] = COMING_OF_AGE_DAY
    days[date(year, 2, 11)] = FOUNDATION_DAY
    if year >= 2020:
        days[date(year, 2, 23)] = EMPERORS_BIRTHDAY
    elif 1989 <= year <= 2018:
        days[date(year, 12, 23)] = EMPERORS_BIRTHDAY
    vernal, autumnal = _equinoxes(year)
    days[vernal] = VERNAL_EQUINOX_DAY
    if year <= 1988:
        days[date(year, 4, 29)] = EMPERORS_BIRTHDAY
    elif year <= 2006:
        days[date(year, 4, 29)] = GREENERY_DAY
    else:
        days[date(year, 4, 29)] = SHOWA_DAY
        days[date(year, 5, 4)] = GREENERY_DAY
    days[date(year, 5, 3)] = CONSTITUTION_DAY
    days[date(year, 5, 5)] = CHILDRENS_DAY

    moved = _OLYMPIC_MOVES.get(year, {})
    if year >= 1996:
        days[moved.get(MARINE_DAY) or (date(year, 7, 20) if year <= 2002 else _nth_monday(year, 7, 3))] = MARINE_DAY
    if year >= 2016:
        days[moved.get(MOUNTAIN_DAY) or date(year, 8, 11)] = MOUNTAIN_DAY
    days[date(year, 9, 15) if year <= 2002 else _nth_monday(year, 9, 3)] = RESPECT_FOR_THE_AGED_DAY
    days[autumnal] = AUTUMNAL_EQUINOX_DAY
    if year <= 1999:
        days[date(year, 10, 10)] = HEALTH_AND_SPORTS_DAY
    elif year <= 2019:
        days[_nth_monday(year, 10, 2)] = HEALTH_AND_SPORTS_DAY
    else:
        days[moved.get(SPORTS_DAY) or _nth_monday(year, 10, 2)] = SPORTS_DAY
    days[date(year, 11, 3)] = CULTURE_DAY
    days[date(year, 11, 23)] = LABOUR_THANKSGIVING_DAY

    days.update({day: name for day, name in _SPECIAL_DAYS.items() if day.year == year})
    return days


@cache
def _holidays(year: int) -> dict[date, str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Japanese national holidays are computed for {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    public = _public_holidays(year)
    days = dict(public)

    # Article 3(2): a 祝日 on a Sunday makes the next day that is not a 祝日 a holiday.
    for day in sorted(public):
        if day.weekday() != 6:
            continue
        substitute = day + timedelta(days=1)
        if year <= _OLD_SUBSTITUTE_RULE_UNTIL:
            if substitute not in public:
                days[substitute] = SUBSTITUTE_HOLIDAY
            continue
        while substitute in public:
            substitute += timedelta(days=1)
        days[substitute] = SUBSTITUTE_HOLIDAY

    # Article 3(3): a day between two 祝日 that is neither a holiday already nor (before 2007) a Sunday.
    for day in sorted(public):
        between = day + timedelta(days=1)
        if (
            between >= _SANDWICH_RULE_FROM
            and between + timedelta(days=1) in public
            and between not in days
            and not (year <= _OLD_SUBSTITUTE_RULE_UNTIL and between.weekday() == 6)
        ):
            days[between] = CITIZENS_HOLIDAY

    return dict(sorted(days.items()))


def national_holidays(year: int) -> dict[date, str]:
    """Every national holiday of `year` (祝日, 振替休日, 国民の休日), date → "日本語 / English" name, in order.

    Raises ValueError outside 1980–2150.
    """
    return dict(_holidays(year))


def is_holiday(d: date) -> bool:
    """Whether `d` is a Japanese national holiday (Sundays are not, unless a 祝日 falls on one)."""
    if isinstance(d, datetime):
        # A datetime never equals a date, and which day it is depends on a timezone only the caller knows.
        raise TypeError("is_holiday takes a date; convert the datetime to a local date first")
    return d in _holidays(d.year)
