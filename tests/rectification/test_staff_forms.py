"""The report and review forms of a rectification order: a bad post shows its error beside the field and
changes nothing; a good one moves the order as before."""

import pytest
from django.test import Client

from jianguan.core.errors import DomainError
from jianguan.exchange.services import ingest


@pytest.fixture
def order_and_client(setup, inspection, province, make_user):
    from jianguan.records.models import Record
    from jianguan.rectification.services import rectification_from_record

    officer = make_user("officer", department=province.lixia_market)
    ingest(
        enumerate([inspection("INS-F", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")], 1),
        source=setup.source,
        channel="api",
    )
    order, _code = rectification_from_record(Record.objects.get(source_id="INS-F"), officer)
    client = Client()
    client.force_login(officer)
    return order, client, officer


def _beside(response, name: str) -> bool:
    page = response.content.decode()
    return f'id="error-{name}"' in page and "is-invalid" in page


@pytest.mark.parametrize("text", ["", "   ", "整改\x00完毕", "字" * 4001])
def test_a_bad_report_is_shown_beside_the_text_and_nothing_moves(order_and_client, text):
    order, client, _officer = order_and_client
    response = client.post(f"/rectifications/{order.pk}/report/", {"text": text})
    assert response.status_code == 200 and _beside(response, "text")
    order.refresh_from_db()
    assert order.state == "issued" and order.report == ""
    assert not order.item.transitions.exists()


def test_the_service_refuses_an_empty_report_from_staff_too(order_and_client):
    from jianguan.rectification.services import report_rectification

    order, _client, officer = order_and_client
    with pytest.raises(DomainError) as refused:
        report_rectification(order, officer, "  ")
    assert refused.value.code == "empty_report" and refused.value.errors[0].field == "text"


def test_a_review_with_a_bad_comment_is_shown_beside_it_and_a_good_one_decides(order_and_client):
    from jianguan.rectification.services import report_rectification

    order, client, officer = order_and_client
    report_rectification(order, officer, "已整改完毕")
    response = client.post(f"/rectifications/{order.pk}/reject/", {"comment": "理由" * 1001})
    assert response.status_code == 200 and _beside(response, "comment")
    order.refresh_from_db()
    assert order.state == "reported" and order.review == ""
    done = client.post(f"/rectifications/{order.pk}/reject/", {"comment": " 货架仍未更换 "})
    order.refresh_from_db()
    assert done.status_code == 302 and order.state == "issued" and order.review == "货架仍未更换"


def test_a_review_the_state_does_not_allow_is_refused_on_the_page(order_and_client):
    order, client, _officer = order_and_client
    response = client.post(f"/rectifications/{order.pk}/accept/", {"comment": "整改到位"})
    assert response.status_code == 200 and 'class="alert alert-danger' in response.content.decode()
    order.refresh_from_db()
    assert order.state == "issued"
    assert client.post(f"/rectifications/{order.pk}/bogus/", {"comment": "x"}).status_code == 404
