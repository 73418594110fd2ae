"""The surge detector's count model: overdispersed and small counts widen the bound, and a
seasonal peak seen in earlier years is not a surge."""

import pytest

from jianguan.complaints.analysis import _reference, surge_bound

SETTINGS = {"baseline_weeks": 8, "reference_years": 2, "window_weeks": 3}


def test_overdispersed_reference_weeks_widen_the_bound():
    steady = surge_bound([4] * 8, 0.01)
    bursty = surge_bound([0, 8, 1, 7, 0, 9, 2, 5], 0.01)
    assert steady[0] == bursty[0] == 4  # the same mean
    assert steady[1] == 1 and bursty[1] > 2  # dispersion: variance over mean, at least 1
    assert bursty[2] > steady[2] > 4 + 2 * 2  # above mean + 2 sd of a Poisson


def test_few_reference_weeks_widen_the_bound():
    assert surge_bound([3, 3], 0.01)[2] > surge_bound([3] * 20, 0.01)[2]


def test_no_history_gives_no_bound_and_the_minimum_count_decides():
    assert surge_bound([0] * 8, 0.01) == (0.0, 1.0, 0.0)
    assert surge_bound([], 0.01) == (0.0, 1.0, 0.0)


def test_the_same_season_of_earlier_years_counts_when_the_data_reaches_it():
    # Week 0 is judged; weeks -1..-8 are recent; -52±3 and -104±3 the same season of earlier years.
    weeks = {-k: 2 for k in range(1, 9)} | {k: 12 for k in range(-55, -48)} | {k: 12 for k in range(-107, -100)}
    with_history = _reference(weeks, SETTINGS, earliest=-110)
    assert len(with_history) == 8 + 7 + 7 and with_history.count(12) == 14
    # A deployment whose data starts 20 weeks ago has no earlier seasons: only the recent weeks.
    assert _reference(weeks, SETTINGS, earliest=-20) == [2] * 8
    # A winter peak (12 a week each earlier winter) is not a surge; on recent weeks alone it would be.
    assert surge_bound(with_history, 0.01)[2] >= 12
    assert surge_bound([2] * 8, 0.01)[2] < 12


@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.001])
def test_a_smaller_alpha_raises_the_bound(alpha):
    assert surge_bound([5] * 8, alpha)[2] < surge_bound([5] * 8, alpha / 10)[2]
