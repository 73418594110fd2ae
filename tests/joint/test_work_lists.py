"""Assistance requests, campaigns and licence claims on the list kit: each filter, the sort and the
export give exactly the filtered rows of the viewer's scope, another department's work never shows,
states read as their names, and licences are still claimed together from the list."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.joint.test_joint import joint, send  # noqa: F401 (the fixture)
from tests.joint.test_screens import zh_client
from tests.ui_text import csv_rows, leaked_codes, visible_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def exported(client, url: str, **params) -> list[list[str]]:
    return csv_rows(client.get(url, {**params, "export": "csv"}))


def page_text(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return visible_text(response.content.decode())


def table_body(client, url: str, table: str, **params) -> str:
    html = client.get(url, params).content.decode()
    return html.split(f'id="{table}"')[1].split("<tbody")[1].split("</tbody>")[0]


# Licence claims


def licence(setup, department, number: str, day: dt.date, region: str = "370102", kind: str | None = None) -> dict:
    row = {
        "kind": "licence",
        "source_id": number,
        "item_code": setup.item.code,
        "department": department.uscc,
        "subject_nature": "2",
        "subject_id_type": "001",
        "subject_code": setup.subject.uscc,
        "subject_name": setup.subject.name,
        "region": region,
        "action_date": day.isoformat(),
        "reported_at": f"{day.isoformat()}T10:00:00+08:00",
        "licence_no": f"JY{number}",
    }
    return {**row, "licence_kind": kind} if kind else row


@pytest.fixture
def claims(setup, province, joint):  # noqa: F811
    """Four licences of 历下 (one claimed, one still inside its 5 working days) and one of the city
    itself, supervised by 济南市市场监督管理局 and so out of 历下's sight."""
    from jianguan.joint.models import ClaimTask
    from jianguan.joint.services import claim, sync_claims

    send(
        setup,
        [
            licence(setup, province.lixia_market, "A", days_ago(40), kind="1"),
            licence(setup, province.lixia_market, "B", days_ago(30), kind="4"),
            licence(setup, province.lixia_market, "C", days_ago(1), kind="1"),
            licence(setup, province.lixia_market, "D", days_ago(20)),
            licence(setup, province.jn_market, "J", days_ago(35), region="370100", kind="1"),
        ],
    )
    assert sync_claims()["created"] == 5
    tasks = {t.licence.details["licence_no"][2:]: t for t in ClaimTask.objects.select_related("licence", "item")}
    assert tasks["J"].department == province.jn_market and tasks["A"].department == province.lixia_market
    claim(tasks["D"], joint["lixia"])
    return tasks


def licence_numbers(rows: list[list[str]]) -> list[str]:
    column = rows[0].index("许可证书编号")
    return [r[column] for r in rows[1:]]


def test_claim_filters_sort_and_export_hold_the_filtered_scoped_rows(claims, joint):  # noqa: F811
    from jianguan.joint.permissions import visible_claims

    admin = zh_client(joint["jn_admin"])

    def expected(actor, order="-issued_on", **lookups):
        rows = visible_claims(actor).filter(**lookups).order_by(order, "pk")
        return [t.licence.details["licence_no"] for t in rows.select_related("licence")]

    everything = exported(admin, "/joint/claims/")
    assert sorted(licence_numbers(everything)) == sorted(expected(joint["jn_admin"])) and len(everything) == 6
    pending_ordinary = exported(admin, "/joint/claims/", state="pending", licence_kind="1", sort="issued_on")
    assert licence_numbers(pending_ordinary) == ["JYA", "JYJ", "JYC"]
    assert licence_numbers(pending_ordinary) == expected(
        joint["jn_admin"], "issued_on", item__state="pending", licence__details__licence_kind="1"
    )
    assert licence_numbers(exported(admin, "/joint/claims/", deadline="overdue", sort="issued_on")) == [
        "JYA",
        "JYJ",
        "JYB",
    ]
    assert licence_numbers(exported(admin, "/joint/claims/", deadline="due")) == ["JYC"]
    assert licence_numbers(exported(admin, "/joint/claims/", region="370102", sort="-issued_on")) == [
        "JYC",
        "JYD",
        "JYB",
        "JYA",
    ]
    window = {"issued_on_after": days_ago(36).isoformat(), "issued_on_before": days_ago(25).isoformat()}
    assert sorted(licence_numbers(exported(admin, "/joint/claims/", **window))) == ["JYB", "JYJ"]
    # The screen shows the rows the export holds, in the same order.
    body = table_body(admin, "/joint/claims/", "claims", state="pending", licence_kind="1", sort="issued_on")
    assert [n for n in ("JYA", "JYJ", "JYC") if n in body] == ["JYA", "JYJ", "JYC"] and "JYB" not in body
    # 历下 never sees the city's own licence; Qingdao sees none of them.
    lixia = zh_client(joint["lixia"])
    assert sorted(licence_numbers(exported(lixia, "/joint/claims/"))) == ["JYA", "JYB", "JYC", "JYD"]
    assert "JYJ" not in page_text(lixia, "/joint/claims/", per_page=100)
    assert exported(zh_client(joint["qd_admin"]), "/joint/claims/") == [everything[0]]
    # States and licence kinds by name, in the table and in the file.
    assert {r[everything[0].index("状态")] for r in everything[1:]} == {"待认领", "已认领"}
    assert {r[everything[0].index("许可证书编号") + 1] for r in everything[1:]} >= {"普通", ""}


def test_claim_pages_name_states_and_leak_no_codes(claims, joint):  # noqa: F811
    for user, params in [
        (joint["jn_admin"], {}),
        (joint["lixia"], {"state": "pending", "deadline": "overdue", "licence_kind": "1"}),
        (joint["lixia"], {"sort": "-due"}),
    ]:
        text = page_text(zh_client(user), "/joint/claims/", **params)
        assert "待认领" in text
        assert leaked_codes(text, allow={user.username}) == set()


def test_licences_are_claimed_together_from_the_kits_table(claims, joint):  # noqa: F811
    lixia = zh_client(joint["lixia_admin"])
    html = lixia.get("/joint/claims/", {"region": "370102"}).content.decode()
    form = html.split('id="bulk-claim"')[0].rsplit("<form", 1)[1]
    assert 'action="/joint/claims/bulk/?region=370102"' in form
    pending = [claims[n] for n in ("A", "B", "C")]
    boxes = re.findall(r'<input[^>]*name="tasks"[^>]*>', html)
    assert all('form="bulk-claim"' in box for box in boxes)
    assert sorted(int(re.search(r'value="(\d+)"', box)[1]) for box in boxes) == sorted(t.pk for t in pending)
    done = lixia.post("/joint/claims/bulk/?region=370102", {"tasks": [t.pk for t in pending[:2]]})
    assert done.status_code == 302 and done["Location"] == "/joint/claims/?region=370102"
    for task in pending:
        task.item.refresh_from_db()
    assert [t.item.state for t in pending] == ["claimed", "claimed", "pending"]
    # Each pending licence also leads to the page that ends its claim with a reason; a claimed one does not.
    ends = re.findall(r'href="/joint/claims/(\d+)/end/"', html)
    assert sorted(int(pk) for pk in ends) == sorted(t.pk for t in pending)
    assert "不属本单位" in visible_text(html)
    # The city's licence is not 历下's to claim: refused, nothing claimed.
    refused = lixia.post("/joint/claims/bulk/", {"tasks": [pending[2].pk, claims["J"].pk]})
    assert refused.status_code == 400 and 'id="claim-errors"' in refused.content.decode()
    pending[2].item.refresh_from_db()
    claims["J"].item.refresh_from_db()
    assert (pending[2].item.state, claims["J"].item.state) == ("pending", "pending")


# Assistance requests


@pytest.fixture
def requests(setup, province, joint, make_subject):  # noqa: F811
    """济南市生态环境局 asks 历下 three times (one long overdue), the city bureau once; Qingdao asks 市南."""
    from jianguan.joint.services import accept_assistance, request_assistance

    now = timezone.now()

    def ask(requester, assignee, actor, days_back, subject=setup.subject):
        return request_assistance(
            requester,
            assignee,
            subject,
            "请核查",
            working_days=5,
            actor=actor,
            justification="专项核查",
            now=now - dt.timedelta(days=days_back),
        )

    made = {
        "env_old": ask(province.jn_env, province.lixia_market, joint["env_admin"], 30),
        "env_mid": ask(province.jn_env, province.lixia_market, joint["env_admin"], 10),
        "env_new": ask(province.jn_env, province.lixia_market, joint["env_admin"], 0),
        "city": ask(province.jn_market, province.lixia_market, joint["jn_admin"], 5),
        "qd": ask(province.qd_market, province.shinan_market, joint["qd_admin"], 2, make_subject(county="370202")),
    }
    accept_assistance(made["env_mid"], joint["lixia"])
    for request in made.values():
        request.refresh_from_db()
    return made


def numbers(rows: list[list[str]]) -> list[str]:
    return [r[0] for r in rows[1:]]


def test_assistance_filters_sort_and_export_hold_the_filtered_scoped_rows(requests, joint, province):  # noqa: F811
    from jianguan.joint.permissions import visible_assistance
    from jianguan.workflow.services import deadline_colour

    lixia = zh_client(joint["lixia"])
    everything = exported(lixia, "/joint/assistance/")
    assert sorted(numbers(everything)) == sorted(visible_assistance(joint["lixia"]).values_list("number", flat=True))
    assert requests["qd"].number not in numbers(everything) and len(everything) == 5
    from_env = exported(
        lixia, "/joint/assistance/", department=province.jn_env.pk, state="requested", sort="requested_at"
    )
    expected = (
        visible_assistance(joint["lixia"])
        .filter(requester=province.jn_env, state="requested")
        .order_by("requested_at")
        .values_list("number", flat=True)
    )
    assert numbers(from_env) == list(expected) == [requests["env_old"].number, requests["env_new"].number]
    # Overdue: the red card, either the two working days to accept or the request's own deadline passed.
    red = {r.number for r in requests.values() if deadline_colour(r.item) == "red"} - {requests["qd"].number}
    assert red >= {requests["env_old"].number, requests["env_mid"].number}
    assert set(numbers(exported(lixia, "/joint/assistance/", deadline="overdue"))) == red
    assert numbers(exported(lixia, "/joint/assistance/", deadline="due")) == [requests["env_new"].number]
    window = {
        "requested_at_after": (TODAY - dt.timedelta(days=12)).isoformat(),
        "requested_at_before": (TODAY - dt.timedelta(days=4)).isoformat(),
    }
    assert sorted(numbers(exported(lixia, "/joint/assistance/", **window))) == sorted(
        [requests["env_mid"].number, requests["city"].number]
    )
    assert {r[everything[0].index("状态")] for r in everything[1:]} == {"待受理", "协查中"}
    body = table_body(lixia, "/joint/assistance/", "assistance", sort="-requested_at")
    order = [r.number for r in sorted(requests.values(), key=lambda r: r.requested_at, reverse=True)]
    assert [n for n in order if n in body] == [n for n in order if n != requests["qd"].number]
    # Qingdao sees its own request only; the assisting-department filter offers what the viewer sees.
    qd = zh_client(joint["qd_admin"])
    assert numbers(exported(qd, "/joint/assistance/")) == [requests["qd"].number]
    assert numbers(exported(qd, "/joint/assistance/", assignee=province.shinan_market.pk)) == [requests["qd"].number]
    offered = lixia.get("/joint/assistance/").content.decode().split('id="id_assignee"')[1].split("</select>")[0]
    assert province.lixia_market.name in offered and province.shinan_market.name not in offered


def test_assistance_pages_name_states_and_leak_no_codes(requests, joint):  # noqa: F811
    for user, params in [
        (joint["lixia"], {}),
        (joint["env_admin"], {"state": "accepted", "deadline": "overdue", "sort": "-due"}),
    ]:
        text = page_text(zh_client(user), "/joint/assistance/", **params)
        assert "待受理" in text and "协查中" in text  # the filter's choices and the state counts
        assert leaked_codes(text, allow={user.username}) == set()


# Campaigns


@pytest.fixture
def campaigns(setup, province, joint, make_subject):  # noqa: F811
    """An ended, a running and an upcoming campaign of the city bureau with 历下 taking part, and a
    running one in Qingdao."""
    from jianguan.catalog.schemas import CheckPointIn
    from jianguan.catalog.services import add_check_point
    from jianguan.joint.services import create_campaign

    add_check_point(CheckPointIn(item_code=setup.item.code, code="01", content="许可证是否有效", check_type="random"))
    lixia_subjects = [setup.subject.pk, make_subject("历下食堂一号有限公司").pk]
    qd_admin = joint["qd_admin"]

    def make(title, lead, participants, actor, start, end, subjects):
        return create_campaign(
            lead,
            title=title,
            participants=participants,
            item_ids=[setup.item.pk],
            target_filter={"subject_ids": subjects},
            actor=actor,
            starts_on=TODAY + dt.timedelta(days=start),
            ends_on=TODAY + dt.timedelta(days=end),
            justification="专项整治",
        )

    return {
        "ended": make("已结束的整治", province.jn_market, [province.lixia_market], joint["jn_admin"], -90, -30, lixia_subjects),
        "running": make("进行中的整治", province.jn_market, [province.lixia_market], joint["jn_admin"], -10, 20, lixia_subjects),
        "upcoming": make("未开始的整治", province.jn_market, [province.lixia_market], joint["jn_admin"], 30, 60, lixia_subjects[:1]),
        "qd": make("青岛的整治", province.qd_market, [province.shinan_market], qd_admin, -5, 25, [make_subject(county="370202").pk]),
    }  # fmt: skip


def titles(rows: list[list[str]]) -> list[str]:
    return [r[0] for r in rows[1:]]


def test_campaign_filters_sort_counts_and_export_hold_the_filtered_scoped_rows(campaigns, joint, province):  # noqa: F811
    from jianguan.joint.permissions import visible_campaigns
    from jianguan.joint.services import record_campaign_result

    task = campaigns["running"].tasks.order_by("pk").first()
    record_campaign_result(task, joint["lixia"], {"F01": "fail"}, TODAY, notes={"F01": "许可证已过期"})
    lixia = zh_client(joint["lixia"])
    everything = exported(lixia, "/joint/campaigns/", sort="starts_on")
    expected = visible_campaigns(joint["lixia"]).order_by("starts_on").values_list("title", flat=True)
    assert titles(everything) == list(expected) == ["已结束的整治", "进行中的整治", "未开始的整治"]
    header = everything[0]
    running = everything[2]
    assert [running[header.index(name)] for name in ("任务数", "已检查", "发现问题")] == ["2", "1", "1"]
    assert titles(exported(lixia, "/joint/campaigns/", state="2")) == ["进行中的整治"]
    assert titles(exported(lixia, "/joint/campaigns/", state="3")) == ["已结束的整治"]
    period = {
        "period_after": (TODAY - dt.timedelta(days=40)).isoformat(),
        "period_before": (TODAY - dt.timedelta(days=20)).isoformat(),
    }
    assert titles(exported(lixia, "/joint/campaigns/", **period)) == ["已结束的整治"]
    year = (TODAY + dt.timedelta(days=45)).year
    in_year = exported(lixia, "/joint/campaigns/", year=year, sort="title")
    assert sorted(titles(in_year)) == sorted(
        visible_campaigns(joint["lixia"])
        .filter(starts_on__year__lte=year, ends_on__year__gte=year)
        .values_list("title", flat=True)
    )
    # Lead or participant: 历下 takes part in the three 济南 campaigns, leads none.
    led = exported(zh_client(joint["jn_admin"]), "/joint/campaigns/", department=province.lixia_market.pk)
    assert sorted(titles(led)) == sorted(["已结束的整治", "进行中的整治", "未开始的整治"])
    # Qingdao's campaign never shows in 济南, nor 济南's in Qingdao.
    assert "青岛的整治" not in page_text(lixia, "/joint/campaigns/")
    assert titles(exported(zh_client(joint["qd_admin"]), "/joint/campaigns/")) == ["青岛的整治"]
    assert titles(exported(zh_client(joint["env_admin"]), "/joint/campaigns/")) == []


def test_campaign_page_states_counts_and_no_codes(campaigns, joint):  # noqa: F811
    lixia = zh_client(joint["lixia"])
    html = lixia.get("/joint/campaigns/").content.decode()
    states = html.split('id="campaign-states"')[1].split("</ul>")[0]
    assert states.count('class="badge') == 3  # one of each state
    assert "?state=2" in states
    text = visible_text(html)
    assert leaked_codes(text, allow={joint["lixia"].username}) == set()


@pytest.mark.parametrize("url", ["/joint/claims/", "/joint/assistance/", "/joint/campaigns/"])
def test_work_lists_do_not_grow_with_their_rows(claims, requests, campaigns, joint, url):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = zh_client(joint["jn_admin"])
    few = {"/joint/claims/": {"state": "claimed"}, "/joint/assistance/": {"state": "accepted"}}.get(url, {"state": "3"})
    counts = []
    for params in (few, {}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
