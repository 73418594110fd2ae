"""The archive path (`services.load_history`) writes what `receive` writes for the same readings: the
same reading rows and exactly the same hourly aggregates (count, sum, minimum, maximum), a repeated
(device, time) stored once, hours merged with the ones already there; a series that `check` would
refuse is refused whole, naming the device, and nothing of the load is written."""

import datetime as dt
import random

import pytest

from jianguan.core.errors import DomainError


def _series(monitor, seed: int):
    """Two devices' readings, several an hour with sub-minute times, values in float noise."""
    rng = random.Random(seed)
    out = {}
    for device, low, high in ((monitor.cold, -2.0, 12.0), (monitor.effluent, 0.0, 180.0)):
        moments = sorted(
            {
                monitor.t0 - dt.timedelta(hours=30) + dt.timedelta(seconds=rng.randrange(0, 30 * 3600))
                for _ in range(400)
            }
        )
        out[device] = [(m, rng.uniform(low, high) + rng.random() * 1e-9) for m in moments]
    return out


def _state(devices):
    from jianguan.monitoring.models import Device, Reading, ReadingHour

    readings = sorted(
        (r.device_id, r.measured_at, r.value, r.reading_id) for r in Reading.objects.filter(device__in=devices)
    )
    hours = sorted(
        (h.device_id, h.hour, h.count, h.total, h.minimum, h.maximum)
        for h in ReadingHour.objects.filter(device__in=devices)
    )
    seen = sorted(Device.objects.filter(pk__in=[d.pk for d in devices]).values_list("pk", "last_seen_at"))
    return readings, hours, seen


def _clear(devices):
    from jianguan.monitoring.models import Device, Reading, ReadingHour, RuleState

    Reading.objects.filter(device__in=devices).delete()
    ReadingHour.objects.filter(device__in=devices).delete()
    RuleState.objects.filter(device__in=devices).delete()
    Device.objects.filter(pk__in=[d.pk for d in devices]).update(last_seen_at=None)
    for device in devices:
        device.last_seen_at = None


@pytest.mark.parametrize("split", [None, 150])
def test_history_writes_exactly_what_receive_writes(monitor, split):
    """One delivery per device's series against one load: the very same rows. Deliveries of 150
    readings against loads of 170: the same readings and counts, minima and maxima, sums equal to
    the rounding of adding them in other groups (as two platforms batching differently would get)."""
    from jianguan.monitoring.choices import Channel
    from jianguan.monitoring.services import load_history, receive

    units = {monitor.cold: "℃", monitor.effluent: "mg/L"}
    devices = list(units)
    first, second = _series(monitor, 1), _series(monitor, 2)  # the second overlaps the first's hours

    def by_receive(series):
        for device, pairs in series.items():
            items = [
                {"device": device.code, "time": m.isoformat(), "value": v, "unit": units[device]} for m, v in pairs
            ]
            size = split or len(items)
            for start in range(0, len(items), size):
                receive(monitor.source, items[start : start + size], channel=Channel.HTTP)

    def by_history(series):
        load_history(
            monitor.source,
            [(d.code, units[d], [m for m, _v in p], [v for _m, v in p]) for d, p in series.items()],
            **({"chunk": 170} if split else {}),
        )

    by_receive(first)
    by_receive(second)
    by_receive(first)  # sent again: stored once
    received = _state(devices)
    _clear(devices)
    by_history(first)
    by_history(second)
    outcome = load_history(
        monitor.source, [(d.code, units[d], [m for m, _v in p], [v for _m, v in p]) for d, p in first.items()]
    )
    loaded = _state(devices)
    assert outcome.stored == 0 and outcome.submitted == sum(len(p) for p in first.values())
    assert loaded[0] and loaded[1]
    assert loaded[0] == received[0]
    if split is None:
        assert loaded[1] == received[1]  # the same floats: the same sums in the same order
    else:
        assert [h[:3] + h[4:] for h in loaded[1]] == [h[:3] + h[4:] for h in received[1]]
        assert [h[3] for h in loaded[1]] == pytest.approx([h[3] for h in received[1]], rel=1e-12)
    assert loaded[2] == received[2]
    assert max(h[2] for h in loaded[1]) > 1  # hours holding several readings were merged


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: ("NO-SUCH", *s[1:]), "unknown_device"),
        (lambda s: (s[0], "°F", *s[2:]), "wrong_unit"),
        (lambda s: (*s[:3], [*s[3][:-1], 81.0]), "out_of_range"),
        (lambda s: (*s[:3], [*s[3][:-1], float("nan")]), "bad_value"),
        (lambda s: (s[0], s[1], [*s[2][:-1], s[2][-1] + dt.timedelta(days=2)], s[3]), "future_time"),
        (lambda s: (s[0], s[1], [*s[2][:-1], s[2][-1].replace(tzinfo=None)], s[3]), "bad_time"),
        (lambda s: (*s[:3], s[3][:-1]), "malformed"),
    ],
)
def test_a_series_check_would_refuse_refuses_the_load(monitor, change, reason):
    from jianguan.monitoring.models import Reading, ReadingHour
    from jianguan.monitoring.services import load_history

    times = [monitor.t0 + dt.timedelta(hours=h) for h in range(5)]
    good = (monitor.gas.code, "%LEL", times, [1.0, 2.0, 3.0, 4.0, 5.0])
    cold = (monitor.cold.code, "℃", times, [4.0] * 5)
    with pytest.raises(DomainError) as refused:
        load_history(monitor.source, [good, change(cold)])
    assert refused.value.code == reason and refused.value.errors[0].row == 2
    assert not Reading.objects.exists() and not ReadingHour.objects.exists()
    assert load_history(monitor.source, [good, cold]).stored == 10
