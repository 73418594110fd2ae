"""Readings in over HTTP: every submitted reading stored once or kept with its reason, counts that
add up, hourly aggregates, last-seen times, and the gateway's refusals of a whole call."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_mixed_delivery_is_accounted_for_reading_by_reading(monitor):
    from jianguan.monitoring.models import BadReading, Delivery, Reading, ReadingHour

    m = monitor
    good = [m.reading(m.cold, 0, 4.0, id="r1"), m.reading(m.cold, 10, 5.5), m.reading(m.cold, 70, 6.0)]
    bad = [
        m.reading(m.cold, 20, 4.0, unit="°F"),  # wrong unit
        {"device": "NOPE-1", "time": m.at(0), "value": 1, "unit": "℃"},  # unknown device
        m.reading(m.cold, 60 * 24 + 120, 4.0),  # over an hour ahead of now (t0 is rounded down to its hour)
        m.reading(m.cold, 30, 900.0),  # outside -60..80 ℃
        "4.0",  # not an object
        {"device": "CC-001", "time": "2026-12-07 08:00", "value": 4, "unit": "℃"},  # no offset
        {"device": "CC-001", "time": m.at(40), "value": True, "unit": "℃"},  # a boolean is not a value
        {"device": "CC-001", "time": m.at(50), "value": 4, "unit": "℃", "id": "x\u0000"},
    ]
    repeated = m.reading(m.cold, 0, 4.0, id="r1")
    response = m.post([*good, *bad, repeated])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["submitted"], body["accepted"], body["duplicates"], body["rejected"]) == (12, 3, 1, 8)
    codes = [e["code"] for e in body["errors"]]
    assert codes == [
        "wrong_unit",
        "unknown_device",
        "future_time",
        "out_of_range",
        "malformed",
        "bad_time",
        "bad_value",
        "forbidden_character",
    ]
    assert [e["row"] for e in body["errors"]] == list(range(4, 12))
    for error in body["errors"]:
        assert error["message"] != error["message_en"] and error["message_en"]
    assert body["errors"][3]["message"].endswith("（-60–80 ℃）")
    assert Reading.objects.count() == 3
    kept = BadReading.objects.filter(delivery_id=body["id"]).order_by("position")
    assert [b.reason for b in kept] == codes and "NOPE-1" in kept[1].device_code
    # The same delivery again: nothing new, every reading a duplicate or refused again.
    again = m.post([*good, *bad]).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 3, 8)
    assert Reading.objects.count() == 3
    first, second = ReadingHour.objects.filter(device=m.cold).order_by("hour")
    assert (first.count, first.minimum, first.maximum, first.total) == (2, 4.0, 5.5, 9.5)
    assert (second.count, second.total) == (1, 6.0)
    m.cold.refresh_from_db()
    assert m.cold.last_seen_at == m.t0 + dt.timedelta(minutes=70)
    assert all(d.submitted == d.accepted + d.duplicates + d.rejected for d in Delivery.objects.all())


def test_a_late_reading_does_not_move_last_seen_back(monitor):
    m = monitor
    m.post([m.reading(m.cold, 60, 4.0)])
    m.post([m.reading(m.cold, 5, 4.0)])
    m.cold.refresh_from_db()
    assert m.cold.last_seen_at == m.t0 + dt.timedelta(minutes=60)


def test_whole_call_refusals(monitor, make_user, province):
    m = monitor
    assert (
        m.client().post("/api/v1/monitoring/readings", b"{not json", content_type="application/json").status_code == 400
    )
    wrong = m.client().post("/api/v1/monitoring/readings", {"rows": []}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "not_a_list"
    staff = Client()
    staff.force_login(make_user("platform_admin", department=province.market))
    refused = staff.post("/api/v1/monitoring/readings", [m.reading(m.cold, 0, 1)], content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "api_client_only"
    m.source.requests_per_minute = 1
    m.source.save()
    assert m.post([m.reading(m.cold, 0, 1)]).status_code == 200
    assert m.post([m.reading(m.cold, 1, 1)]).status_code == 429


def test_a_retired_device_is_unknown(monitor):
    from jianguan.monitoring.choices import DeviceStatus

    m = monitor
    m.gas.status = DeviceStatus.RETIRED
    m.gas.save()
    body = m.post([m.reading(m.gas, 0, 1.0)]).json()
    assert [e["code"] for e in body["errors"]] == ["unknown_device"]


def test_another_sources_device_is_unknown_to_this_source(monitor, province):
    from jianguan.exchange.services import register_source

    _other, token = register_source("qd-iot", "青岛物联网平台", province.qd_market)
    m = monitor
    body = (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        .post("/api/v1/monitoring/readings", [m.reading(m.cold, 0, 4.0)], content_type="application/json")
        .json()
    )
    assert body["rejected"] == 1 and body["errors"][0]["code"] == "unknown_device"


def test_readings_are_partitioned_by_month_on_postgresql(monitor):
    from django.db import connection

    m = monitor
    last_month = (m.t0.replace(day=1) - dt.timedelta(days=1)).replace(hour=12)
    m.post([m.reading(m.cold, 0, 4.0), {**m.reading(m.cold, 0, 4.0), "time": last_month.isoformat()}])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'monitoring_reading' ORDER BY 1"
            )
            names = [row[0] for row in cursor.fetchall()]
            assert names == sorted(
                {
                    "monitoring_reading_default",
                    f"monitoring_reading_{last_month:%Y%m}",
                    f"monitoring_reading_{m.t0:%Y%m}",
                }
            )
        else:
            cursor.execute("SELECT COUNT(*) FROM monitoring_reading")
            assert cursor.fetchone()[0] == 2
    assert timezone.now() > m.t0


def test_one_delivery_of_several_devices_and_hours_keeps_each_devices_hours_last_seen_and_rule_states(monitor):
    from jianguan.monitoring.models import ReadingHour, RuleState

    m = monitor
    first = [
        m.reading(m.cold, 0, 9.0),
        m.reading(m.gas, 5, 1.0),
        m.reading(m.effluent, 10, 50.0),
        m.reading(m.cold, 50, 9.5),
        m.reading(m.gas, 65, 2.0),
        m.reading(m.effluent, 70, 60.0),
        m.reading(m.cold, 75, 3.0),
    ]
    assert m.post(first).json()["accepted"] == 7
    hours = {(h.device_id, h.hour): (h.count, h.total, h.minimum, h.maximum) for h in ReadingHour.objects.all()}
    hour = dt.timedelta(hours=1)
    assert hours == {
        (m.cold.pk, m.t0): (2, 18.5, 9.0, 9.5),
        (m.cold.pk, m.t0 + hour): (1, 3.0, 3.0, 3.0),
        (m.gas.pk, m.t0): (1, 1.0, 1.0, 1.0),
        (m.gas.pk, m.t0 + hour): (1, 2.0, 2.0, 2.0),
        (m.effluent.pk, m.t0): (1, 50.0, 50.0, 50.0),
        (m.effluent.pk, m.t0 + hour): (1, 60.0, 60.0, 60.0),
    }
    for device, minutes in ((m.cold, 75), (m.gas, 65), (m.effluent, 70)):
        device.refresh_from_db()
        assert device.last_seen_at == m.t0 + dt.timedelta(minutes=minutes)

    def states():
        return {
            (s.rule, s.device_id): (s.last_at, s.last_value, s.holding_since)
            for s in RuleState.objects.filter(device__in=[m.cold, m.gas, m.effluent])
        }

    at = lambda minutes: m.t0 + dt.timedelta(minutes=minutes)  # noqa: E731
    assert states() == {
        ("cold_chain_above_8", m.cold.pk): (at(75), 3.0, None),  # held from 0 until the dip at 75
        ("cold_chain_above_15", m.cold.pk): (at(75), 3.0, None),
        ("gas_leak", m.gas.pk): (at(65), 2.0, None),
        ("cod_over_limit", m.effluent.pk): (at(70), 60.0, None),
        ("cod_surge", m.effluent.pk): (at(70), 60.0, None),
    }
    # Known states moved in place, one device's late reading leaves its states as they were, and
    # the hours already counted add up.
    second = [m.reading(m.cold, 80, 9.0), m.reading(m.gas, 1, 1.5), m.reading(m.effluent, 75, 120.0)]
    assert m.post(second).json()["accepted"] == 3
    assert states() == {
        ("cold_chain_above_8", m.cold.pk): (at(80), 9.0, at(80)),
        ("cold_chain_above_15", m.cold.pk): (at(80), 9.0, None),
        ("gas_leak", m.gas.pk): (at(65), 2.0, None),
        ("cod_over_limit", m.effluent.pk): (at(75), 120.0, at(75)),
        ("cod_surge", m.effluent.pk): (at(75), 120.0, None),
    }
    gas = ReadingHour.objects.get(device=m.gas, hour=m.t0)
    assert (gas.count, gas.total, gas.minimum, gas.maximum) == (2, 2.5, 1.0, 1.5)
    m.gas.refresh_from_db()
    assert m.gas.last_seen_at == at(65)


def test_devices_and_clues_in_scope(monitor, make_user, province):
    from jianguan.monitoring.permissions import visible_clues, visible_devices

    m = monitor
    m.post([m.reading(m.gas, 0, 30.0)])
    lixia = make_user("department_admin", department=province.lixia_market)
    qingdao = make_user("department_admin", department=province.qd_market)
    assert set(visible_devices(lixia)) == {m.cold, m.gas}  # the effluent monitor is the environment bureau's
    assert visible_clues(lixia).count() == 1
    assert not visible_devices(qingdao).exists() and not visible_clues(qingdao).exists()
    api = Client()
    api.force_login(qingdao)
    assert api.get(f"/api/v1/monitoring/devices/{m.gas.pk}/hours").status_code == 404
    api.force_login(lixia)
    hours = api.get(f"/api/v1/monitoring/devices/{m.gas.pk}/hours", {"start": m.t0.isoformat()}).json()["hours"]
    assert [(h["count"], h["max"]) for h in hours] == [(1, 30.0)]


def test_a_role_that_may_not_create_tables_stores_a_new_month_in_the_default_partition(monitor):
    """The production application role (deploy/postgres-roles.sql) has no CREATE on the schema."""
    from django.db import connection

    from jianguan.monitoring import services
    from jianguan.monitoring.models import Reading

    m = monitor
    earlier = (m.t0.replace(day=1) - dt.timedelta(days=70)).replace(hour=12)
    if connection.vendor != "postgresql":
        m.post([{**m.reading(m.cold, 0, 4.0), "time": earlier.isoformat()}])
        assert Reading.objects.filter(measured_at=earlier).count() == 1
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE jianguan_test_app NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO jianguan_test_app")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO jianguan_test_app")
        cursor.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO jianguan_test_app")
        cursor.execute("SET LOCAL ROLE jianguan_test_app")
    services._may_create.clear()
    services._partitions.clear()
    try:
        body = m.post([{**m.reading(m.cold, 0, 4.0), "time": earlier.isoformat()}]).json()
        assert body["accepted"] == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM monitoring_reading_default")
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT to_regclass(%s)", [f"monitoring_reading_{earlier:%Y%m}"])
            assert cursor.fetchone()[0] is None
            cursor.execute("RESET ROLE")
        # The owner's monthly job cannot move that month out of the default partition: it says so.
        made = dict(services.partitions_ahead(0, earlier.date()))
        assert made == {earlier.date().replace(day=1): False}
        assert dict(services.partitions_ahead(1, m.t0.date()))[m.t0.date().replace(day=1)] is True
    finally:
        services._may_create.clear()
        services._partitions.clear()


def test_a_query_time_with_a_far_offset_is_read_not_refused_by_the_database(monitor, make_user, province):
    """Found by the API fuzzer: +21:45 is a valid ISO 8601 offset that PostgreSQL refuses."""
    m = monitor
    m.post([m.reading(m.gas, 0, 1.0)])
    api = Client()
    api.force_login(make_user("department_admin", department=province.lixia_market))
    far = "0021-07-05T12:48:23.296+21:45"
    assert api.get("/api/v1/monitoring/detections", {"start": far}).status_code == 200
    hours = api.get(
        f"/api/v1/monitoring/devices/{m.gas.pk}/hours", {"start": m.t0.isoformat(), "end": "2099-01-01T00:00:00-23:30"}
    )
    assert hours.status_code == 200


def test_readings_sharing_a_code_a_unit_or_a_time_are_each_judged_on_their_own(monitor):
    """The checks remember per delivery what a code, a unit or a time text gave: a reading that
    shares them with an earlier one still gets its own verdict, in the checks' order."""
    m = monitor
    at = m.at(0)
    readings = [
        {"device": "CC-001", "time": at, "value": 4.0, "unit": "℃"},
        {"device": "CC-001", "time": at, "value": 4.0, "unit": "°F"},  # same code and time, another unit
        {"device": "GAS-001", "time": at, "value": 1.0, "unit": "%LEL"},  # same time, another device
        {"device": "CC-001", "time": at, "value": 4.0, "unit": "℃\u0007"},  # a control character in the unit
        {"device": "CC-001", "time": m.at(1), "value": "4.0", "unit": "℃"},
        {"device": "CC-001", "time": "yesterday", "value": 4.0, "unit": "℃"},
        {"device": "CC-001", "time": "yesterday", "value": 4.0, "unit": "℃", "id": "x" * 65},  # the id first
        {"device": "NOPE-1", "time": "yesterday", "value": 4.0, "unit": "℃"},  # the time before the device
        {"device": "NOPE-1", "time": at, "value": 4.0, "unit": "℃"},
        {"device": "CC-001", "time": m.at(2), "value": 900.0, "unit": "℃"},
        {"device": "CC-001", "time": m.at(3), "value": 5, "unit": "℃", "id": 7},  # an integer value and id
        {"device": "CC-001", "time": m.at(3), "value": 6.0, "unit": "℃", "id": "\u00e9\u0000"},
        {"device": ["CC-001"], "time": at, "value": 4.0, "unit": "℃"},  # a code that is not a text
    ]
    body = m.post(readings).json()
    assert [(e["row"], e["code"]) for e in body["errors"]] == [
        (2, "wrong_unit"),
        (4, "forbidden_character"),
        (5, "bad_value"),
        (6, "bad_time"),
        (7, "bad_id"),
        (8, "bad_time"),
        (9, "unknown_device"),
        (10, "out_of_range"),
        (12, "forbidden_character"),
        (13, "malformed"),
    ]
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (3, 0, 10)


def test_a_value_that_is_not_finite_is_refused_through_the_service(monitor):
    from jianguan.monitoring import services
    from jianguan.monitoring.choices import Channel

    m = monitor
    readings = [m.reading(m.cold, n, value) for n, value in enumerate((float("inf"), float("-inf"), float("nan"), 4))]
    outcome = services.receive(m.source, readings, channel=Channel.HTTP)
    assert [e["code"] for e in outcome.errors] == ["bad_value"] * 3 and outcome.delivery.accepted == 1
