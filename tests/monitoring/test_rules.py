"""Each rule kind on its edges: equal to the threshold, a dip back inside, gaps, late and repeated
readings; hits merged into one clue within the window; silence; the fact a new clue publishes."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def clues(rule):
    from jianguan.monitoring.models import Clue

    return list(Clue.objects.filter(rule=rule).order_by("first_at"))


def test_threshold_equal_to_the_value_hits_only_when_the_rule_says_or_equal(monitor):
    m = monitor
    m.post([m.reading(m.cold, 0, 15.0), m.reading(m.gas, 0, 19.9)])
    assert clues("cold_chain_above_15") == [] and clues("gas_leak") == []
    m.post([m.reading(m.gas, 1, 20.0)])  # gas_leak is ">= 20"
    [gas] = clues("gas_leak")
    assert (gas.level, gas.hits, gas.evidence[0]["value"], gas.evidence[0]["unit"]) == ("red", 1, 20.0, "%LEL")
    m.post([m.reading(m.cold, 1, 15.1)])  # cold_chain_above_15 is "> 15"
    assert len(clues("cold_chain_above_15")) == 1


def test_duration_needs_the_whole_window_without_a_dip_or_a_gap(monitor):
    m = monitor
    rule = "cold_chain_above_8"  # above 8 ℃ for 30 minutes
    m.post([m.reading(m.cold, t, 9.0) for t in (0, 10, 20)])
    assert clues(rule) == []
    m.post([m.reading(m.cold, 25, 7.5), m.reading(m.cold, 30, 9.0)])  # the dip restarts the count
    assert clues(rule) == []
    m.post([m.reading(m.cold, 45, 9.0), m.reading(m.cold, 60, 9.0)])  # 30 minutes since 30
    [clue] = clues(rule)
    assert clue.first_at == m.t0 + dt.timedelta(minutes=60) and clue.hits == 1
    # A late reading inside the range does not rewrite the state: the next in-order reading still holds.
    m.post([m.reading(m.cold, 50, 2.0), m.reading(m.cold, 70, 9.5)])
    [clue] = clues(rule)
    assert clue.hits == 2 and clue.last_at == m.t0 + dt.timedelta(minutes=70)
    # A silence longer than the window breaks the holding: 9 ℃ again after 40 minutes is a new start.
    m.post([m.reading(m.cold, 110, 9.0), m.reading(m.cold, 130, 9.0)])
    assert clues(rule)[0].hits == 2
    m.post([m.reading(m.cold, 140, 9.0)])
    assert clues(rule)[0].hits == 3


def test_readings_of_one_delivery_in_any_order_are_judged_in_time_order(monitor):
    m = monitor
    m.post([m.reading(m.cold, t, 9.0) for t in (30, 0, 20, 10)])
    [clue] = clues("cold_chain_above_8")
    assert clue.first_at == m.t0 + dt.timedelta(minutes=30)


def test_a_repeated_reading_is_not_a_second_hit(monitor):
    m = monitor
    m.post([m.reading(m.gas, 0, 30.0)])
    m.post([m.reading(m.gas, 0, 30.0)])
    [clue] = clues("gas_leak")
    assert clue.hits == 1


def test_rate_of_change_per_minute(monitor):
    m = monitor
    rule = "cod_surge"  # rising more than 20 mg/L a minute
    m.post([m.reading(m.effluent, 0, 50.0), m.reading(m.effluent, 5, 150.0)])  # exactly 20 a minute
    assert clues(rule) == []
    m.post([m.reading(m.effluent, 6, 171.0)])
    [clue] = clues(rule)
    assert clue.department_id == m.effluent.department_id and clue.level == "yellow"


def test_hits_merge_within_the_window_and_open_a_new_clue_after_it(monitor):
    m = monitor
    m.post([m.reading(m.gas, 0, 25.0), m.reading(m.gas, 30, 26.0)])
    [clue] = clues("gas_leak")  # merge window 60 minutes
    assert clue.hits == 2
    m.post([m.reading(m.gas, 80, 27.0)])  # 50 minutes after the last hit
    assert [c.hits for c in clues("gas_leak")] == [3]
    m.post([m.reading(m.gas, 141, 27.0)])  # 61 minutes after it
    assert [c.hits for c in clues("gas_leak")] == [3, 1]


def test_a_new_clue_publishes_one_fact_and_an_update_none(monitor):
    from jianguan.facts.models import Fact

    m = monitor
    m.post([m.reading(m.gas, 0, 25.0)])
    m.post([m.reading(m.gas, 1, 25.0)])
    [clue] = clues("gas_leak")
    facts = Fact.objects.filter(name="monitoring.clue_raised")
    assert [(f.object_id, f.payload["number"], f.subject_id) for f in facts] == [
        (str(clue.pk), clue.number, m.gas.subject_id)
    ]


def test_silence_rule_finds_devices_without_readings(monitor):
    from jianguan.monitoring.rules import check_silence

    m = monitor
    m.post([m.reading(m.cold, 0, 4.0), m.reading(m.gas, 23 * 60, 1.0)])
    now = m.t0 + dt.timedelta(hours=24)
    found = check_silence(now)
    # The logger has been silent 24 hours; the gas sensor spoke an hour ago (the rule waits 120 minutes);
    # the effluent monitor never spoke but was registered just now.
    assert [c.device for c in found] == [m.cold]
    assert found[0].evidence[0]["last_seen"] == m.t0.isoformat()
    check_silence(now + dt.timedelta(minutes=5))
    [clue] = clues("device_silent")
    assert clue.hits == 2
