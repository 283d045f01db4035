"""Working calendars: weekdays, public holidays by country, and time off."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from keepword.domain.errors import InvalidValue

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)


def weekday_number(name: str) -> int:
    """Map ``"mon"`` … ``"sun"`` to 0 … 6."""
    try:
        return WEEKDAY_NAMES.index(name.lower()[:3])
    except ValueError:
        raise InvalidValue(
            f"unknown weekday {name!r}; use one of {', '.join(WEEKDAY_NAMES)}"
        ) from None


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays  # a tenth of a second to load: only when a calendar has a country

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


@lru_cache(maxsize=256)
def check_country(country: str, subdivision: str | None = None) -> None:
    """Raise :class:`InvalidValue` unless the holidays package knows this country/subdivision."""
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2000)
    except NotImplementedError:
        where = f"{country}-{subdivision}" if subdivision else country
        raise InvalidValue(
            f"no public-holiday calendar for {where!r}; use an ISO 3166 code such as GB or DE",
            "country",
        ) from None


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days, ``start`` ≤ ``end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValue(f"end ({self.end}) is before start ({self.start})", "end")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def overlaps(self, other: DateRange) -> bool:
        return self.start <= other.end and other.start <= self.end

    def days(self) -> list[date]:
        return [self.start + timedelta(n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class TimeOff(DateRange):
    """Days a person does not work: leave, training, a conference."""

    reason: str = ""


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days count as working days for one person."""

    weekdays: tuple[int, ...] = MONDAY_TO_FRIDAY
    country: str | None = None
    subdivision: str | None = None
    time_off: tuple[TimeOff, ...] = field(default=())
    # True for a calendar read back from storage, whose country was checked when written:
    # the check loads the holidays package, a quarter of a second every command would wait.
    country_checked: InitVar[bool] = False

    def __post_init__(self, country_checked: bool) -> None:
        if not self.weekdays:
            raise InvalidValue("a calendar needs at least one working weekday", "working_days")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise InvalidValue("weekdays are numbered 0 (Monday) to 6 (Sunday)", "working_days")
        if self.subdivision is not None and self.country is None:
            raise InvalidValue("a subdivision needs its country", "subdivision")
        if self.country is not None and not country_checked:
            check_country(self.country)
            if self.subdivision is not None:
                try:
                    check_country(self.country, self.subdivision)
                except InvalidValue as error:
                    raise InvalidValue(error.message, "subdivision") from None

    def without_time_off(self) -> WorkingCalendar:
        """The same weekdays and public holidays, with no leave: the team's calendar."""
        return replace(self, time_off=())

    def is_public_holiday(self, day: date) -> bool:
        if self.country is None:
            return False
        return day in _public_holidays(self.country, self.subdivision, day.year)

    def is_working_day(self, day: date) -> bool:
        """True when the person works on ``day``: a working weekday, no holiday, no time off."""
        if day.weekday() not in self.weekdays or self.is_public_holiday(day):
            return False
        return not any(day in off for off in self.time_off)

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from ``start`` to ``end`` inclusive."""
        return [d for d in DateRange(start, end).days() if self.is_working_day(d)]
