import datetime as dt

import pytest

from jianguan.core.calendar import add_working_days, is_workday, uncovered_years, working_days_between
from jianguan.platform.services import publish_calendar_year, set_calendar_override

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (D(2025, 1, 26), True),  # Sunday, adjusted workday before 春节 2025
        (D(2025, 1, 28), False),  # 除夕 2025
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),  # Saturday, adjusted workday
        (D(2025, 9, 28), True),  # Sunday before 国庆 2025
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),  # Saturday after 国庆 2025
        (D(2026, 2, 14), True),  # Saturday before 春节 2026
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),
        (D(2026, 9, 25), False),  # 中秋 2026
        (D(2026, 10, 10), True),
    ],
)
def test_real_holidays_and_adjusted_workdays(day, workday):
    assert is_workday(day) is workday


@pytest.mark.django_db
def test_add_working_days_crosses_spring_festival_2026_with_adjusted_saturdays():
    # Fri 13 Feb → Sat 14 Feb is a workday; 15–23 Feb are the holiday; Tue 24 Feb follows.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 2).provisional is False


@pytest.mark.django_db
def test_add_working_days_across_national_day_2025():
    # Tue 30 Sep + 1: 1–8 Oct are holidays, so Thu 9 Oct; + 3 reaches Sat 11 Oct (adjusted workday).
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3


@pytest.mark.django_db
def test_deadline_into_2027_falls_back_to_weekdays_and_is_provisional():
    result = add_working_days(D(2026, 12, 28), 5)
    # Mon 28 Dec 2026 + 5 working days: 29, 30, 31 Dec, then Fri 1 Jan and Mon 4 Jan 2027 on the fallback.
    assert result == D(2027, 1, 4)
    assert result.provisional is True
    assert result.missing_years == (2027,)
    assert add_working_days(D(2026, 12, 1), 5).provisional is False
    assert uncovered_years(D(2026, 11, 1), D(2027, 3, 1)) == [2027]


@pytest.mark.django_db
def test_overrides_for_a_published_year_remove_the_provisional_mark():
    set_calendar_override(D(2027, 1, 1), "holiday", "元旦")
    publish_calendar_year(2027, "国办发明电〔2026〕号 (test)")
    result = add_working_days(D(2026, 12, 28), 5)
    assert result == D(2027, 1, 5)
    assert result.provisional is False
    assert uncovered_years(D(2026, 11, 1), D(2027, 3, 1)) == []


@pytest.mark.django_db
def test_override_beats_the_package():
    set_calendar_override(D(2026, 3, 2), "holiday", "test closure")
    assert add_working_days(D(2026, 2, 27), 1) == D(2026, 2, 28)
    assert add_working_days(D(2026, 2, 27), 2) == D(2026, 3, 3)
