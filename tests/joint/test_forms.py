"""Every form of the joint screens: a bad value comes back on the form's own page (200) with the
error beside its field and nothing written; a good one still goes through the service."""

import datetime as dt
import re

import pytest
from django.test import Client

from tests.joint.test_joint import at, joint, licence, send  # noqa: F401 (the fixture)
from tests.ui_forms import field_errors, invalid_controls

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_html(html: str, form_id: str = "campaign-form") -> str:
    return re.search(rf'<form[^>]*id="{form_id}"[^>]*>.*?</form>', html, re.S).group(0)


def refused(response, form_id: str, field: str) -> str:
    """The re-rendered page, after checking the field is marked and its error shown beside it."""
    assert response.status_code == 200
    html = response.content.decode()
    assert field in invalid_controls(html, form_id), invalid_controls(html)
    assert field in field_errors(html)
    return html


@pytest.fixture
def env(joint):  # noqa: F811
    return client_for(joint["env_admin"])


@pytest.fixture
def qingdao_subject(make_subject):
    return make_subject("青岛市南测试餐饮有限公司", county="370202")


def notice(province, **changes):
    return {"recipients": [province.lixia_market.pk], "title": "抄告", "body": "请关注该企业", **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"recipients": [999_999]}, "recipients"),
        ({"reply_within": "三天"}, "reply_within"),
        ({"reply_within": "31"}, "reply_within"),
    ],
)
def test_a_bad_notice_comes_back_on_the_notices_page_and_none_is_sent(env, province, changes, field):
    from jianguan.joint.models import Notice

    html = refused(env.post("/joint/notice/0/send/", notice(province, **changes)), "notice-form", field)
    assert 'id="notices"' in html or "bulk-read" in html  # the notices list around the form
    assert not Notice.objects.exists()


def test_a_notice_on_a_subject_outside_the_senders_scope_is_refused_beside_the_subject(env, province, qingdao_subject):
    from jianguan.joint.models import Notice

    refused(env.post("/joint/notice/0/send/", notice(province, subject=qingdao_subject.pk)), "notice-form", "subject")
    assert not Notice.objects.exists()


def test_a_good_notice_is_sent_and_opens_its_page(env, province, setup):
    from jianguan.joint.models import Notice

    sent = env.post("/joint/notice/0/send/", notice(province, subject=setup.subject.pk, reply_within="5"))
    found = Notice.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/joint/notices/{found.pk}/"
    assert found.subject == setup.subject and found.reply_due is not None
    assert list(found.recipients.values_list("department", flat=True)) == [province.lixia_market.pk]


def test_an_empty_reply_to_a_notice_is_refused_beside_the_text(joint, province):  # noqa: F811
    from jianguan.joint.services import send_notice

    sent = send_notice(province.jn_env, [province.lixia_market], title="抄告", body="请关注", actor=joint["env_admin"])
    lixia = client_for(joint["lixia"])
    refused(lixia.post(f"/joint/notice/{sent.pk}/reply/", {"text": "  "}), "notice-reply-form", "text")
    assert sent.recipients.get().replied_at is None
    assert lixia.post(f"/joint/notice/{sent.pk}/reply/", {"text": "已收到，将核查"}).status_code == 302
    assert sent.recipients.get().reply == "已收到，将核查"


def assistance(province, about, **changes):
    return {"assignee": province.lixia_market.pk, "subject": about.pk, "matters": "请核查后厨卫生", **changes}


def test_a_bad_assistance_request_comes_back_on_the_list_page_and_none_is_made(env, province, setup, qingdao_subject):
    from jianguan.joint.models import AssistRequest

    cases = [
        ({"subject": qingdao_subject.pk}, "subject"),
        ({"subject": "abc"}, "subject"),
        ({"assignee": 999_999}, "assignee"),
        ({"assignee": province.jn_env.pk}, "assignee"),  # its own department
        ({"working_days": "十"}, "working_days"),
        ({"matters": ""}, "matters"),
    ]
    for changes, field in cases:
        html = refused(
            env.post("/joint/assistance/0/new/", assistance(province, setup.subject, **changes)),
            "assistance-form",
            field,
        )
        assert 'id="assistance"' in html  # the list beside the form
    assert not AssistRequest.objects.exists()


def test_the_services_deadline_rule_lands_beside_the_working_days(env, province, setup):
    from jianguan.joint.models import AssistRequest
    from jianguan.joint.policy import policy

    post = assistance(province, setup.subject, working_days=str(policy()["assistance_max_working_days"] + 1))
    refused(env.post("/joint/assistance/0/new/", post), "assistance-form", "working_days")
    assert not AssistRequest.objects.exists()


@pytest.fixture
def requested(joint, province, setup):  # noqa: F811
    from jianguan.joint.services import request_assistance

    return request_assistance(province.jn_env, province.lixia_market, setup.subject, "请核查", actor=joint["env_admin"])


def test_declining_and_forwarding_need_their_fields_on_the_requests_page(joint, requested, province):  # noqa: F811
    lixia = client_for(joint["lixia_admin"])
    base = f"/joint/assistance/{requested.pk}"
    refused(lixia.post(f"{base}/decline/", {"reason": ""}), "assist-decline-form", "reason")
    refused(lixia.post(f"{base}/forward/", {"to": 999_999, "reason": "非本单位职责"}), "assist-forward-form", "to")
    refused(lixia.post(f"{base}/forward/", {"to": province.jn_env.pk, "reason": "退回"}), "assist-forward-form", "to")
    requested.refresh_from_db()
    assert requested.state == "requested" and requested.assignee == province.lixia_market
    moved = lixia.post(f"{base}/forward/", {"to": province.jn_market.pk, "reason": "由市局办理"})
    requested.refresh_from_db()
    assert moved.status_code == 302 and requested.assignee == province.jn_market


def test_a_reply_without_findings_or_with_a_record_of_another_subject_is_refused(
    joint,  # noqa: F811
    requested,
    setup,
    inspection,
    make_subject,
):
    from jianguan.joint.services import accept_assistance
    from jianguan.records.models import Record

    accept_assistance(requested, joint["lixia_admin"])
    send(setup, [inspection(), inspection("INS-2")])
    other = Record.objects.order_by("pk").last()
    Record.objects.filter(pk=other.pk).update(subject=make_subject("另一家测试有限公司"))
    lixia = client_for(joint["lixia_admin"])
    url = f"/joint/assistance/{requested.pk}/reply/"
    refused(lixia.post(url, {"findings": "x"}), "assist-reply-form", "findings")
    refused(lixia.post(url, {"findings": "已核查", "records": [other.pk]}), "assist-reply-form", "records")
    requested.refresh_from_db()
    assert requested.state == "accepted" and requested.findings == ""
    assert lixia.post(url, {"findings": "已现场核查，未发现问题"}).status_code == 302
    requested.refresh_from_db()
    assert requested.state == "replied"


def campaign(province, setup, **changes):
    return {
        "title": "餐饮油烟与食品安全联合整治",
        "participants": [province.lixia_market.pk],
        "items": [setup.item.pk],
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-31",
        "regions": "370102",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"ends_on": "2026-10-01"}, "ends_on"),  # the service's rule, placed on the end date
        ({"starts_on": "2026-13-01"}, "starts_on"),
        ({"participants": [999_999]}, "participants"),
        ({"items": []}, "items"),
        ({"items": ["abc"]}, "items"),
        ({"regions": "370102,999999"}, "regions"),
    ],
)
def test_a_bad_campaign_comes_back_on_the_campaigns_page_and_none_is_made(env, province, setup, changes, field):
    from jianguan.joint.models import Campaign

    html = refused(env.post("/joint/campaign/0/new/", campaign(province, setup, **changes)), "campaign-form", field)
    assert 'id="campaigns"' in html
    assert not Campaign.objects.exists()


def test_an_item_no_longer_in_force_is_not_offered_for_a_campaign(env, province, setup):
    from jianguan.catalog.models import SupervisionItem
    from jianguan.joint.models import Campaign

    SupervisionItem.objects.filter(pk=setup.item.pk).update(effective_to=dt.date(2021, 1, 1))
    assert setup.item.code not in form_html(env.get("/joint/campaigns/").content.decode())
    refused(env.post("/joint/campaign/0/new/", campaign(province, setup)), "campaign-form", "items")
    assert not Campaign.objects.exists()


def test_ending_a_claim_needs_a_reason_beside_the_field(setup, province, joint):  # noqa: F811
    from jianguan.joint.models import ClaimTask
    from jianguan.joint.services import sync_claims

    send(setup, [licence(setup, province)])
    sync_claims(now=at(2026, 3, 2, 12))
    task = ClaimTask.objects.get()
    admin = client_for(joint["lixia_admin"])
    assert admin.get(f"/joint/claims/{task.pk}/end/").status_code == 200
    refused(admin.post(f"/joint/claim/{task.pk}/end/", {"reason": ""}), "claim-end-form", "reason")
    task.item.refresh_from_db()
    assert task.item.state == "pending"
    assert client_for(joint["qd_admin"]).post(f"/joint/claim/{task.pk}/end/", {"reason": "不属本局"}).status_code == 404
