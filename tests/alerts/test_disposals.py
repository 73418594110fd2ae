"""What 处置 really does beyond a note: the subject put on a spot-check batch's risk selection (fixed
with the seed commitment, drawn for certain and recomputed by the offline verifier), on a campaign's
targets, or referred to another department as a notice it must answer."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

import jianguan.spotcheck.verify_draw as verifier
from jianguan.core.errors import DomainError
from tests.alerts.test_alerts import deliver_all, gas_leak
from tests.ui_text import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, province):
    return make_user("department_admin", department=province.lixia_market)


@pytest.fixture
def disposing(monitor, staff):
    """The gas sensor's alert, signed and verified true: waiting for its disposal."""
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert

    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    services.sign(alert, staff)
    services.verify(alert, staff, "true", "现场核查确有燃气泄漏")
    alert.refresh_from_db()
    return alert


@pytest.fixture
def batch(province, make_subject, make_officer):
    """A draft batch of 历下's market unit over ten other food businesses, drawing one in ten."""
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.services import add_batch, create_plan

    create_item(
        SupervisionItemIn(
            code="37010001050000",
            name="对食品经营者的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    for n in range(10):
        make_subject(f"风险抽查对象{n:02d}有限公司", county="370102", industry_code="H6210")
    for _ in range(4):
        make_officer(department=province.lixia_market)
    plan = create_plan(province.lixia_market, 2026, "历下区抽查计划")
    return add_batch(
        plan,
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 12, 31),
        item_codes=["37010001050000"],
        pool_filter={"regions": ["370102"], "industries": ["H6210"]},
        quotas={"B": {"ratio": 0.1}},
    )


def zh(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_a_spot_check_disposal_puts_the_subject_on_the_batch_drawn_for_certain(disposing, batch, staff):
    from jianguan.alerts import services
    from jianguan.spotcheck.services import (
        approve_batch,
        commit_seed,
        draw_batch,
        public_draw_record,
        subject_token,
        verify_draw,
    )

    subject = disposing.subject
    assert subject.industry_code != "H6210"  # outside the batch's filter: only the risk selection brings it in
    with pytest.raises(DomainError) as missing:
        services.dispose(disposing, staff, "spot_check", "纳入抽查")
    assert missing.value.code == "batch_required"
    services.dispose(disposing, staff, "spot_check", "纳入本批次重点抽查", batch=batch, origin_url="/alerts/1/")
    disposing.refresh_from_db()
    assert (disposing.disposal, disposing.disposal_ref) == ("spot_check", f"batch-{batch.pk}")
    (added,) = batch.additions.all()
    assert (added.subject, added.origin, added.reason) == (subject, disposing.number, "纳入本批次重点抽查")

    # The batch page names the subject and the alert it came from.
    page = zh(staff).get(f"/spotchecks/batches/{batch.pk}/").content.decode()
    assert 'id="risk-selection"' in page and disposing.number in page and subject.name in page

    # The commitment covers the list; once committed, nothing more can join it.
    approve_batch(batch)
    commit_seed(batch)
    batch.refresh_from_db()
    assert batch.priority_hash
    with pytest.raises(DomainError) as late:
        from jianguan.spotcheck.services import add_to_risk_selection

        add_to_risk_selection(batch, subject, origin="x", actor=staff)
    assert late.value.code == "batch_committed"
    assert batch.priority_hash in Client().get(f"/public/spotchecks/{batch.pk}/").content.decode()

    draw = draw_batch(batch)
    tasks = {t.subject_id: t for t in draw.tasks.all()}
    assert tasks[subject.pk].stratum == verifier.PRIORITY  # drawn for certain, in its own stratum
    assert draw.strata == {"B": {"n": 10, "k": 1}, "P": {"n": 1, "k": 1}}
    assert len(tasks) == 2 and tasks[subject.pk].status == "assigned"  # teams go to the risk selection first
    assert verify_draw(draw).ok

    # The public record recomputes offline, the risk selection against its commitment.
    record = public_draw_record(draw)
    assert record["commitment"]["priority_hash"] == batch.priority_hash and record["quotas"]["P"] == {"ratio": 1}
    assert verifier.check(record) == []
    from jianguan.spotcheck.services import subject_verification_code

    own = subject_verification_code(tasks[subject.pk])
    assert verifier.check(record, subject_token(subject), own) == []
    # A list other than the committed one is caught.
    forged = {**record, "commitment": {**record["commitment"], "priority_hash": "0" * 64}}
    assert any("risk selection" in p for p in verifier.check(forged))
    smuggled = {**record, "commitment": {**record["commitment"], "priority_hash": ""}}
    assert any("risk selection" in p for p in verifier.check(smuggled))


def test_only_a_batch_of_the_alerts_department_not_yet_committed_is_offered(disposing, batch, staff, province):
    from jianguan.alerts import services
    from jianguan.alerts.forms import DisposeForm
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed, create_plan

    form = DisposeForm(alert=disposing)
    assert list(form.fields["batch"].queryset) == [batch]
    approve_batch(batch)
    commit_seed(batch)
    assert list(DisposeForm(alert=disposing).fields["batch"].queryset) == []
    with pytest.raises(DomainError) as committed:
        services.dispose(disposing, staff, "spot_check", "纳入抽查", batch=batch)
    assert committed.value.code == "batch_committed"
    other = add_batch(
        create_plan(province.jn_market, 2026, "济南市抽查计划"),
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 12, 31),
        item_codes=["37010001050000"],
    )
    with pytest.raises(DomainError) as elsewhere:
        services.dispose(disposing, staff, "spot_check", "纳入抽查", batch=other)
    assert elsewhere.value.code == "batch_of_another_department"


def test_the_dispose_form_on_the_page_offers_every_way_in_chinese_and_links_the_reference(disposing, batch, staff):
    client = zh(staff)
    page = client.get(f"/alerts/{disposing.pk}/").content.decode()
    for label in ("下达整改通知", "纳入双随机抽查风险名单", "纳入专项整治对象", "移送立案", "抄告其他部门"):
        assert label in page
    assert '<option value="campaign">' in page
    assert batch.title in page
    answer = client.post(
        f"/alerts/{disposing.pk}/dispose/",
        {"disposal": "spot_check", "note": "纳入本批次重点抽查", "batch": batch.pk},
    )
    assert answer.status_code == 302
    page = client.get(f"/alerts/{disposing.pk}/").content.decode()
    assert f'href="/spotchecks/batches/{batch.pk}/" id="disposal-ref">{batch.title}</a>' in page
    assert f"batch-{batch.pk}" not in visible_text(page)  # named, not by its code
    (added,) = batch.additions.all()
    assert added.origin_url == f"/alerts/{disposing.pk}/"


def test_a_campaign_disposal_adds_the_subject_to_the_campaigns_targets(disposing, staff, setup, make_subject, province):
    from jianguan.alerts import services
    from jianguan.joint.services import create_campaign

    today = timezone.localdate()
    campaign = create_campaign(
        province.lixia_market,
        title="燃气安全专项整治",
        participants=[province.lixia_market],
        item_ids=[setup.item.pk],
        starts_on=today,
        ends_on=today + dt.timedelta(days=60),
        target_filter={"subject_ids": [make_subject("历下餐饮甲有限公司").pk]},
        actor=staff,
    )
    assert not campaign.tasks.filter(subject=disposing.subject).exists()
    services.dispose(disposing, staff, "campaign", "纳入燃气安全专项整治", campaign=campaign)
    disposing.refresh_from_db()
    assert disposing.disposal_ref == f"campaign-{campaign.pk}"
    (task,) = campaign.tasks.filter(subject=disposing.subject)
    assert (task.department, task.origin) == (province.lixia_market, disposing.number)
    page = zh(staff).get(f"/alerts/{disposing.pk}/").content.decode()
    assert f'href="/joint/campaigns/{campaign.pk}/"' in page


def test_a_referral_is_a_notice_the_receiving_department_must_answer(disposing, staff, province):
    from jianguan.alerts import services
    from jianguan.joint.models import Notice

    with pytest.raises(DomainError) as nobody:
        services.dispose(disposing, staff, "refer", "涉嫌无证经营，移送")
    assert nobody.value.code == "recipient_required"
    services.dispose(disposing, staff, "refer", "涉嫌违法，移送立案查处", recipient=province.jn_market)
    disposing.refresh_from_db()
    notice = Notice.objects.get()
    assert disposing.disposal_ref == f"notice-{notice.pk}"
    assert notice.title.startswith("案件移送：") and notice.case_reference == disposing.number
    assert notice.reply_due is not None and notice.reply_due > timezone.now()  # it must be answered
    assert [r.department for r in notice.recipients.all()] == [province.jn_market]


def test_the_api_offers_and_takes_the_new_disposals(disposing, batch, staff):
    client = Client()
    client.force_login(staff)
    options = client.get(f"/api/v1/alerts/{disposing.pk}/disposal-options").json()
    assert {"spot_check", "campaign", "refer"} <= {d["code"] for d in options["disposals"]}
    assert [b["id"] for b in options["batches"]] == [batch.pk]
    refused = client.post(
        f"/api/v1/alerts/{disposing.pk}/dispose",
        {"disposal": "spot_check", "note": "纳入抽查", "batch": 999999},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_batch"
    done = client.post(
        f"/api/v1/alerts/{disposing.pk}/dispose",
        {"disposal": "spot_check", "note": "纳入抽查", "batch": batch.pk},
        content_type="application/json",
    ).json()
    assert (done["disposal"], done["disposal_ref"]) == ("spot_check", f"batch-{batch.pk}")
