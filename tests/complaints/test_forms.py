"""The staff forms of the 12345 screens: intake and each step on an order come back on their page
(200) with the error beside the field and nothing written; the hand dispatch offers co-handlers
only where the order is."""

import pytest
from django.test import Client

from tests.complaints.conftest import FORM, MILK
from tests.ui_forms import field_errors, invalid_controls

pytestmark = pytest.mark.django_db


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refused(response, form_id: str, field: str) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert field in invalid_controls(html, form_id), invalid_controls(html)
    assert field in field_errors(html)
    return html


def receive(**changes):
    from jianguan.complaints import services

    order, _code = services.receive({**MILK, **changes}, channel="portal")
    return order


@pytest.fixture
def unrouted(hotline):
    """An order of 历下区 classified but not yet dispatched: the operator dispatches it by hand."""
    from jianguan.complaints.models import Category, WorkOrder

    order = receive(kind=None, category=None)
    assert order.state == "received"
    WorkOrder.objects.filter(pk=order.pk).update(kind="complaint", category=Category.objects.get(code="060101"))
    order.refresh_from_db()
    return order


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "过期"}, "content"),
        ({"phone": "电话号码"}, "phone"),
        ({"category": "999999"}, "category"),
        ({"kind": "rumour"}, "kind"),
    ],
)
def test_a_bad_intake_comes_back_beside_the_field_and_no_order_is_received(hotline, changes, field):
    from jianguan.complaints.models import WorkOrder

    post = {"channel": "phone", "content": MILK["content"], "address": MILK["address"], "phone": "13912345678"}
    refused(staff(hotline.operator).post("/complaints/new/", {**post, **changes}), "intake-form", field)
    assert not WorkOrder.objects.exists()


def test_a_good_intake_is_received_and_opens_the_order(hotline):
    from jianguan.complaints.models import WorkOrder

    made = staff(hotline.operator).post(
        "/complaints/new/", {"channel": "phone", "content": MILK["content"], "category": "060101", "name": "张三"}
    )
    order = WorkOrder.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/complaints/{order.number}/"
    assert order.channel == "phone" and order.category.code == "060101"


def test_the_co_handling_choices_are_the_units_where_the_order_is(hotline, province, unrouted):
    from jianguan.complaints.forms import DispatchForm

    choices = set(DispatchForm(unrouted).fields["co"].queryset)
    assert {province.lixia_market, province.jn_market, province.market, province.jn_env} <= choices
    assert not choices & {province.qd_market, province.shinan_market, province.jn_office_qd}  # another city's units
    assert not any(d.sector.code == "rx" for d in choices)  # nor the 12345 offices
    page = staff(hotline.operator).get(f"/complaints/{unrouted.number}/").content.decode()
    assert f'<option value="{province.lixia_market.pk}">' in page
    assert province.qd_market.name not in page.split('name="co"')[1].split("</select>")[0]


def test_a_dispatch_to_an_unknown_unit_or_another_citys_co_handler_is_refused(hotline, province, unrouted):
    operator = staff(hotline.operator)
    url = f"/complaints/{unrouted.number}/dispatch/"
    refused(operator.post(url, {"lead": 999_999}), "dispatch-form", "lead")
    refused(
        operator.post(url, {"lead": province.lixia_market.pk, "co": [province.qd_market.pk]}), "dispatch-form", "co"
    )
    both = {"lead": province.lixia_market.pk, "co": [province.lixia_market.pk]}
    refused(operator.post(url, both), "dispatch-form", "co")
    unrouted.refresh_from_db()
    assert unrouted.state == "received" and not unrouted.assignments.exists()
    done = operator.post(url, {"lead": province.lixia_market.pk, "co": [province.jn_env.pk]})
    assert done.status_code == 302
    assert {(a.department, a.role) for a in unrouted.assignments.all()} == {
        (province.lixia_market, "lead"),
        (province.jn_env, "co"),
    }


def test_the_handlers_steps_refuse_bad_values_beside_the_field(hotline):
    from jianguan.complaints import services

    order = receive()
    services.accept(order, hotline.lixia_officer)
    handler = staff(hotline.lixia_officer)
    base = f"/complaints/{order.number}"
    refused(handler.post(f"{base}/extension/", {"days": "三", "reason": "需要现场复核"}), "extension-form", "days")
    refused(handler.post(f"{base}/extension/", {"days": "30", "reason": "需要现场复核"}), "extension-form", "days")
    assert not order.extensions.exists()
    reply = {"is_true": "on", "handling_notes": "", "public_reply": FORM["public_reply"]}
    refused(handler.post(f"{base}/reply/", reply), "reply-form", "handling_notes")
    # Not resolved without a reason: the handling standard's rule, shown beside the reason.
    reply = {"handling_notes": FORM["handling_notes"], "public_reply": FORM["public_reply"]}
    refused(handler.post(f"{base}/reply/", reply), "reply-form", "unresolved_reason")
    refused(handler.post(f"{base}/return/", {"reason": ""}), "return-form", "reason")
    order.refresh_from_db()
    assert order.state == "handling" and order.public_reply == ""
    assert handler.post(f"{base}/reply/", {**reply, "is_resolved": "on"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "replied" and order.is_resolved


def test_a_return_call_without_the_callers_answer_is_refused_beside_it(hotline):
    from jianguan.complaints import services

    order = receive()
    services.accept(order, hotline.lixia_officer)
    services.reply(order, hotline.lixia_officer, FORM)
    operator = staff(hotline.operator)
    refused(
        operator.post(f"/complaints/{order.number}/return_call/", {"comment": ""}), "return-call-form", "satisfaction"
    )
    order.refresh_from_db()
    assert order.state == "replied"


def test_reassigning_a_return_needs_the_unit_beside_the_field_and_decisions_still_go_through(
    hotline, province, make_user
):
    from jianguan.accounts.choices import Role
    from jianguan.complaints import services

    order = receive()
    services.accept(order, hotline.lixia_officer)
    handler, operator = staff(hotline.lixia_officer), staff(hotline.operator)
    assert handler.post(f"/complaints/{order.number}/return/", {"reason": "不属本单位职责"}).status_code == 302
    url = f"/complaints/{order.number}/review_return/"
    refused(operator.post(url, {"accept": "yes", "comment": "改派"}), "review-return-form", "lead")
    order.refresh_from_db()
    assert order.lead_department == province.lixia_market
    done = operator.post(url, {"accept": "yes", "lead": province.jn_market.pk, "comment": "改派市局"})
    order.refresh_from_db()
    assert done.status_code == 302 and order.lead_department == province.jn_market
    city = make_user(Role.OFFICER, department=province.jn_market)
    services.accept(order, city)
    extension = services.request_extension(order, city, 3, "需要现场复核")
    decided = operator.post(
        f"/complaints/{order.number}/decide_extension/", {"extension": extension.pk, "approve": "yes", "comment": ""}
    )
    extension.refresh_from_db()
    assert decided.status_code == 302 and extension.status == "approved"
    again = operator.post(f"/complaints/{order.number}/decide_extension/", {"extension": extension.pk, "approve": "no"})
    assert again.status_code == 200 and "error-extension" in again.content.decode()
