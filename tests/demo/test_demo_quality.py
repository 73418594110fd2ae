"""The demo province reads like a real one: addresses name the province once, every item states
its legal basis, the credit lists and repair requests hold entries consistent with the penalties,
and the 历下 officer still has campaign checks to do."""


def test_demo_addresses_items_credit_and_campaign(db, settings, tmp_path):
    from jianguan.demo.build import DemoBuilder

    settings.MEDIA_ROOT = str(tmp_path)
    DemoBuilder(seed=7, subjects=8000, actions=4000, complaints=0).build()
    from django.db.models import Q

    from jianguan.catalog.models import SupervisionItem
    from jianguan.credit.models import ListEntry, RepairRequest
    from jianguan.joint.models import Campaign
    from jianguan.records.models import Record
    from jianguan.subjects.models import Subject

    assert Subject.objects.exists()
    doubled = Subject.objects.filter(
        Q(registered_address__contains="山东省山东省") | Q(operating_address__contains="山东省山东省")
    )
    assert not doubled.exists()
    assert Subject.objects.filter(registered_address__startswith="山东省").exists()
    assert not Record.objects.filter(details__operating_address__regex=r"^山东省.{0,3}$").exists()
    items = SupervisionItem.objects.all()
    assert items.count() == 188 and not items.filter(legal_basis="").exists()
    assert not items.filter(legal_basis__contains="相关法律法规").exists()
    random_items = items.filter(parent__isnull=False, random_check=True)
    assert random_items.exists() and all("国发〔2019〕5号" in i.legal_basis for i in random_items)
    assert ListEntry.objects.filter(kind="abnormal").exists()
    serious = ListEntry.objects.filter(kind="serious")
    assert serious.exists()
    for entry in serious:  # listed for repeated penalties: the subject has them
        assert Record.objects.filter(subject=entry.subject, kind="penalty").count() >= 2
    repairs = RepairRequest.objects.all()
    assert repairs.filter(status="submitted").exists() and repairs.filter(status="approved").exists()
    for repair in repairs:
        assert repair.credit.kind == "penalty" and repair.credit.publish_from is not None
    assert all(not r.credit.is_public for r in repairs.filter(status="approved"))
    campaign = Campaign.objects.get()
    # Two thirds of the 历下 unit's checks are done; the rest is still to visit (the officer's work).
    lixia = campaign.tasks.filter(department__region_id="370102", department__sector__code="scjg")
    n = lixia.count()
    done = max(1, n * 2 // 3) if n else 0
    assert n >= 2 and (lixia.filter(status="done").count(), lixia.filter(status="assigned").count()) == (done, n - done)
    _a_year_of_readings()
    _alerts_dealt_with_every_way()


def _a_year_of_readings():
    """A year of readings for every sensor: the month before now received (rules evaluated, clues
    raised on its faults), the eleven months before it loaded as the archive; the hourly aggregates
    add up to the readings; offline spells leave gaps, and a cold room warms into an alarm."""
    import datetime as dt

    from django.db.models import Count, Max, Min, Sum
    from django.utils import timezone

    from jianguan.audit.models import AuditEvent
    from jianguan.monitoring.models import Clue, Delivery, Device, Reading, ReadingHour

    now = timezone.now()
    sensors = Device.objects.exclude(quantity="")
    span = ReadingHour.objects.aggregate(first=Min("hour"), last=Max("hour"), readings=Sum("count"))
    assert span["first"] <= now - dt.timedelta(days=364) and span["last"] >= now - dt.timedelta(hours=2)
    assert span["readings"] == Reading.objects.count() > sensors.count() * 300 * 24
    month = now - dt.timedelta(days=29)
    for device in sensors:
        assert device.hours.filter(hour__lt=month - dt.timedelta(days=300)).exists()
        assert device.hours.filter(hour__gte=month).exists()
    assert Delivery.objects.filter(kind="readings").count() >= sensors.count()
    assert AuditEvent.objects.filter(action="monitoring.history_loaded").count() == 1
    archive = sensors.annotate(n=Count("hours")).values_list("n", flat=True)
    assert min(archive) < max(archive) - 24  # offline spells
    warm = ReadingHour.objects.filter(device__kind="cold_chain", hour__gte=month, minimum__gt=8)
    assert warm.values("device").distinct().count() >= 2
    assert warm.filter(count=6).exists()  # the alarm mode's ten-minute readings
    rules = set(Clue.objects.values_list("rule", flat=True))
    assert {"cold_chain_above_8", "gas_leak", "cod_over_limit", "device_silent"} <= rules


def _alerts_dealt_with_every_way():
    """Alerts in every state, false and true ones (so precision has numbers), and true ones dealt
    with by a rectification order, a notice and a batch's risk selection (a campaign's targets when
    the alert's department leads one)."""
    from jianguan.alerts.models import Alert, SubjectRisk
    from jianguan.spotcheck.models import BatchAddition

    closed = Alert.objects.filter(is_open=False)
    assert closed.filter(verdict="true").exists() and closed.filter(verdict="false").exists()
    assert Alert.objects.filter(is_open=True, signed_at__isnull=True).exists()
    assert {"rectification", "notify", "spot_check"} <= set(closed.values_list("disposal", flat=True))
    added = BatchAddition.objects.get()
    assert Alert.objects.get(disposal="spot_check").disposal_ref == f"batch-{added.batch_id}"
    assert SubjectRisk.objects.exists()
