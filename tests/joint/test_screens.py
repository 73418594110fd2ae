"""Joint screens as people read them: the overview's counts are the registers' counts, states and
deadlines in words, and the campaign's combined check sheet (一表通查) filled in as a form."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from tests.joint.test_joint import at, joint, licence, send  # noqa: F401 (the fixture)
from tests.ui_text import leaked_codes

pytestmark = pytest.mark.django_db


def zh_client(user):
    client = Client()
    client.force_login(user)
    return client


def zh(msgid: str, **values) -> str:
    """The Chinese text of a message (the catalogue's, once its translation is merged)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % values if values else text


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def work(setup, inspection, province, joint):  # noqa: F811
    from jianguan.joint.services import claim, request_assistance, sync_claims

    send(setup, [licence(setup, province, f"LIC-{n}", "2026-03-02") for n in range(4)])
    sync_claims(now=at(2026, 3, 2, 12))
    from jianguan.joint.models import ClaimTask

    claim(ClaimTask.objects.order_by("pk").first(), joint["lixia"])
    for n in range(3):
        request_assistance(
            province.jn_env,
            province.lixia_market,
            setup.subject,
            f"请核查第{n}项",
            working_days=5,
            actor=joint["env_admin"],
            now=at(2026, 9, 1 + n, 9),
        )
    return joint


def overview_counts(html: str, kind: str) -> dict[str, tuple[str, int]]:
    """state link → (state name, count) from the overview's card of `kind`."""
    pattern = rf'<a href="([^"]+)">([^<]+)</a> · <span data-count="{kind}">(\d+)</span>'
    return {link.replace("&amp;", "&"): (name, int(n)) for link, name, n in re.findall(pattern, html)}


def test_overview_counts_are_the_registers_counts_with_state_names(work, province):
    from jianguan.joint.permissions import visible_assistance, visible_claims

    for user in (work["lixia"], work["jn_admin"], work["env_admin"]):
        client = zh_client(user)
        html = client.get("/joint/").content.decode()
        claims = overview_counts(html, "claims")
        assistance = overview_counts(html, "assistance")
        expected_claims = {
            state: visible_claims(user).filter(item__state=state).count() for state in ("pending", "claimed")
        }
        shown = {link.split("state=")[1]: n for link, (_name, n) in claims.items()}
        assert shown == {s: n for s, n in expected_claims.items() if n}
        assert {link.split("state=")[1]: n for link, (_name, n) in assistance.items()} == (
            {"requested": visible_assistance(user).count()} if visible_assistance(user).exists() else {}
        )
        # Each count links to its register, whose rows number the same.
        for link, (name, n) in {**claims, **assistance}.items():
            register = client.get(link).content.decode()
            table = "claims" if "claims" in link else "assistance"
            body = register.split(f'id="{table}"')[1].split("<tbody")[1].split("</tbody>")[0]
            assert body.count("<tr") == n
            assert name in register
        assert not leaked_codes(visible_text(html))
    lixia = overview_counts(zh_client(work["lixia"]).get("/joint/").content.decode(), "claims")
    assert sorted(lixia.values()) == [("已认领", 1), ("待认领", 3)]


def test_claim_and_assistance_registers_show_state_names_and_deadline_days(work):
    client = zh_client(work["lixia"])
    claims = visible_text(client.get("/joint/claims/").content.decode())
    assert "待认领" in claims and "已认领" in claims
    assert not leaked_codes(claims)
    listing = client.get("/joint/assistance/").content.decode()
    assert "table-responsive" in listing
    text = visible_text(listing)
    assert not leaked_codes(text)
    # 5 working days from Tue 1 Sep 2026 end with Tue 8 Sep: the register says the 8th, not the 9th.
    assert "2026-09-08" in text and "2026-09-09 00:00" not in text
    from jianguan.joint.models import AssistRequest

    first = AssistRequest.objects.order_by("requested_at").first()
    detail = visible_text(client.get(f"/joint/assistance/{first.pk}/").content.decode())
    assert zh("%(date)s (by close of day)", date="2026-09-08") in detail
    assert not leaked_codes(detail)


@pytest.fixture
def campaign(setup, province, joint, make_subject):  # noqa: F811
    from jianguan.catalog.schemas import CheckPointIn
    from jianguan.catalog.services import add_check_point
    from jianguan.joint.services import create_campaign

    for code, content in [("01", "食品经营许可证是否有效"), ("02", "从业人员健康证明")]:
        add_check_point(CheckPointIn(item_code=setup.item.code, code=code, content=content, check_type="random"))
    subjects = [setup.subject, make_subject("历下食堂一号有限公司")]
    return create_campaign(
        province.jn_market,
        title="校园食品安全专项整治",
        participants=[province.lixia_market],
        item_ids=[setup.item.pk],
        target_filter={"subject_ids": [s.pk for s in subjects]},
        actor=joint["jn_admin"],
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 10, 31),
    )


def test_the_combined_check_sheet_is_a_form_with_one_answer_and_note_per_point(campaign, joint):  # noqa: F811
    from jianguan.facts.models import Fact

    client = zh_client(joint["lixia"])
    page = client.get(f"/joint/campaigns/{campaign.pk}/").content.decode()
    task = campaign.tasks.order_by("pk").first()
    link = f"/joint/campaigns/{campaign.pk}/tasks/{task.pk}/check/"
    assert link in page
    form = client.get(link).content.decode()
    assert 'id="check-form"' in form
    for point in campaign.form:
        assert form.count(f'name="answer_{point["code"]}"') == 3  # pass, fail, not applicable
        assert f'name="note_{point["code"]}"' in form
    assert not leaked_codes(visible_text(form))
    # An unanswered point and a failure without a note are refused beside the point; nothing recorded.
    refused = client.post(link, {"answer_F01": "fail", "checked_on": "2026-09-10"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert zh("Answer this check point.") in html and zh("Say what was found for a failed check point.") in html
    task.refresh_from_db()
    assert task.status == "assigned"
    english = Client()
    english.force_login(joint["lixia"])
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Answer this check point." in english.post(link, {"checked_on": "2026-09-10"}).content.decode()
    done = client.post(
        link,
        {"answer_F01": "fail", "note_F01": "许可证已过期", "answer_F02": "not_applicable", "checked_on": "2026-09-10"},
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.results, task.notes, task.checked_on) == (
        "done",
        {"F01": "fail", "F02": "not_applicable"},
        {"F01": "许可证已过期"},
        dt.date(2026, 9, 10),
    )
    finding = Fact.objects.get(name="joint.campaign_finding")
    assert finding.payload["failed"] == ["食品经营许可证是否有效"] and finding.payload["notes"] == ["许可证已过期"]
    # A second submission is refused by the service and shown on the page.
    assert zh("This task already has its result.") in client.get(link).content.decode()


def test_a_department_outside_the_campaign_cannot_open_its_check_sheet(campaign, joint):  # noqa: F811
    task = campaign.tasks.first()
    client = zh_client(joint["qd_admin"])
    assert client.get(f"/joint/campaigns/{campaign.pk}/tasks/{task.pk}/check/").status_code == 404
    assert client.post(f"/joint/campaigns/{campaign.pk}/tasks/{task.pk}/check/", {}).status_code == 404


def test_licences_are_claimed_together_from_the_list_or_not_at_all(work):
    from jianguan.joint.models import ClaimTask

    pending = list(ClaimTask.objects.filter(item__state="pending").order_by("pk"))
    assert len(pending) == 3
    admin = zh_client(work["lixia_admin"])
    listing = admin.get("/joint/claims/?state=pending").content.decode()
    assert all(f'name="tasks" value="{t.pk}"' in listing for t in pending)
    # One that is not the user's to claim (claimed already) spoils the whole choice: nothing is claimed.
    claimed = ClaimTask.objects.exclude(item__state="pending").first()
    refused = admin.post("/joint/claims/bulk/?state=pending", {"tasks": [pending[0].pk, claimed.pk]})
    assert refused.status_code == 400
    errors = refused.content.decode().split('id="claim-errors"')[1].split("</form>")[0]
    assert zh("A chosen licence is not one you may claim, or it has been claimed already.") in errors
    assert f'value="{pending[0].pk}" checked' in refused.content.decode()  # the ticks survive the refusal
    assert ClaimTask.objects.filter(item__state="pending").count() == 3
    assert admin.post("/joint/claims/bulk/", {}).status_code == 400
    assert ClaimTask.objects.filter(item__state="pending").count() == 3
    done = admin.post("/joint/claims/bulk/?state=pending", {"tasks": [t.pk for t in pending[:2]]})
    assert done.status_code == 302 and done["Location"] == "/joint/claims/?state=pending"
    done = admin.get(done["Location"])
    assert ClaimTask.objects.filter(item__state="pending").count() == 1
    assert "2" in visible_text(done.content.decode())
    # Someone outside the departments cannot claim them.
    outsider = zh_client(work["qd_admin"])
    outsider.post("/joint/claims/bulk/", {"tasks": [pending[2].pk]})
    assert ClaimTask.objects.get(pk=pending[2].pk).item.state == "pending"
