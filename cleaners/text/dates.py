"""Dates as pages print them in visible text, in many languages: `May 2, 2024`, `2 May 2024`, `Jan. 27, 2026`,
`1 de diciembre de 2017`, `30 avril 2015`, `3. März 2020` (numeric dates are structure.DATE's; metadata.find_text_date
reads both).

The month names are data (data/months.yaml, one block per language); one regex is compiled from all of them, so a
line is scanned once whatever its language. Every repetition in the pattern is bounded and no two adjacent parts
can match the same characters, so a line cannot make it backtrack badly. This module depends on nothing else in
the package but its YAML reader, so that the text rules' detectors (structure.py) can use TEXT_DATE as well as
metadata.py.
"""
from __future__ import annotations

import datetime as dt
import functools

import regex

from cleaners import regexcache
from cleaners.io.packagedata import package_text
from cleaners.io.yamlfile import load_table_text

MONTHS_FILE = "data/months.yaml"


@functools.cache
def month_numbers() -> dict[str, int]:
    """Every month name in the data file, lower-cased, -> its number."""
    data = load_table_text(package_text(MONTHS_FILE))
    return {str(name).lower(): int(number) for months in data.values() for number, names in months.items()
            for name in names}


def _pattern() -> regex.Pattern:
    names = "|".join(regex.escape(n) for n in sorted(month_numbers(), key=len, reverse=True))
    month = rf"(?P<mon>{names})(?!\p{{L}})\.?"
    year = r"(?P<y>(?:19|20)\d{2})(?!\d)"
    start = r"(?<![\p{L}\d])"
    # `May 2, 2024`, `Jan. 27, 2026`, `December 2nd, 2025`, `OCTOBER 13, 2025`
    # ... and `Dec 28 Sat 2013` (blog platforms print the weekday between day and year)
    weekday = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?[ \t\u00a0]{1,3})?"
    mdy = (rf"{start}{month}[ \t\u00a0]{{0,3}}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d),?[ \t\u00a0]{{1,3}}{weekday}"
           rf"{year}")
    # `2 May 2024`, `3. März 2020`, `1er mars 2020`, `1 de diciembre de 2017`, `20 January, 2025`
    dmy = (rf"{start}(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º|°|\.)?[ \t\u00a0]{{0,3}}(?:de[ \t\u00a0]{{1,3}})?{month}"
           rf",?[ \t\u00a0]{{1,3}}(?:de[ \t\u00a0]{{1,3}}|del[ \t\u00a0]{{1,3}})?{year}")
    return regexcache.compile(rf"(?i){mdy}|{dmy}")


# A date with a month name, in any language of data/months.yaml; groups `d`, `mon`, `y` (see iso_from_text_match).
TEXT_DATE = _pattern()


def _month_day_end() -> regex.Pattern:
    names = "|".join(regex.escape(n) for n in sorted(month_numbers(), key=len, reverse=True))
    year = r"(?:,?[ \t\u00a0]{1,3}(?:19|20)\d{2})?"
    return regexcache.compile(rf"(?i)(?<![\p{{L}}\d])(?:{names})\.?[ \t\u00a0]{{1,3}}\d{{1,2}}{year}$")


# A line that ends with a month and day, the year optional (`… JULY 26, 2016`, `… DEC 27`): a feed item's date.
MONTH_DAY_END = _month_day_end()
# Every date read here ends in a year of four digits; a text without one is refused with this cheap search before
# TEXT_DATE is tried (the alternation of some hundred month names costs tens of microseconds a line), and TEXT_DATE
# is then tried only in the window before each year.
YEAR = regexcache.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
YEAR_WINDOW = 40  # characters before the year: `1 de diciembre de 2017`, `September 30th, 2024` fit in 24


def iso_from_text_match(m: regex.Match) -> str | None:
    """`2024-05-02` from a TEXT_DATE match, or None for a day the calendar lacks (`31 April`)."""
    try:
        return dt.date(int(m["y"]), month_numbers()[m["mon"].lower()], int(m["d"])).isoformat()
    except (ValueError, KeyError):
        return None



# Day, month and year in digits: `15/12/2025`, `10/31/2024`, `3.5.2020`. The order of day and month differs by
# country, so a slash or dash date is read only when it cannot be the other way round (one of them above 12);
# dots separate day first wherever they are used.
NUMERIC_DATE = regexcache.compile(
    r"(?<![\d/.\p{L}-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2})(?![\d/-]|\.\d)"
)


_MONTHS = 12  # a day or month number above this is the day


def iso_from_numeric_match(m: regex.Match) -> str | None:
    """`2025-12-15` from `15/12/2025`; None where day and month could be either (`02/05/2024`)."""
    a, b = int(m["a"]), int(m["b"])
    if m["sep"] == "." or (a > _MONTHS >= b):
        day, month = a, b
    elif b > _MONTHS >= a:
        day, month = b, a
    else:
        return None
    try:
        return dt.date(int(m["y"]), month, day).isoformat()
    except ValueError:
        return None
