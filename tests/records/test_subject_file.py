"""Supervision actions on screen: the register of actions and the subject's one file, within scope."""

from django.test import Client

from jianguan.exchange.services import ingest
from jianguan.records.models import Record


def test_the_subject_file_and_the_action_list_show_only_what_the_scope_allows(
    setup, inspection, penalty, province, make_user
):
    ingest(
        enumerate([inspection("INS-F"), penalty("PEN-F", "2026-05-06", ["02"], fine=3000)], 1),
        source=setup.source,
        channel="api",
    )
    assert Record.objects.filter(subject=setup.subject).count() == 2
    penalty_link = f'href="/records/{Record.objects.get(source_id="PEN-F").pk}/"'
    lixia = Client()
    lixia.force_login(make_user("officer", department=province.lixia_market))
    file = lixia.get(f"/records/subjects/{setup.subject.pk}/").content.decode()
    assert setup.subject.name in file and penalty_link in file and "行政处罚" in file
    assert penalty_link in lixia.get("/records/", {"kind": "penalty"}).content.decode()
    assert penalty_link not in lixia.get("/records/", {"kind": "inspection"}).content.decode()
    assert penalty_link in lixia.get("/records/", {"action_date_after": "2026-05-06"}).content.decode()
    assert penalty_link not in lixia.get("/records/", {"action_date_after": "2026-05-07"}).content.decode()
    exported = lixia.get("/records/", {"kind": "penalty", "export": "csv"}).content.decode("utf-8-sig")
    assert "行政处罚" in exported and exported.count("\n") == 2  # the header and the one penalty
    penalty_id = Record.objects.get(source_id="PEN-F").pk
    assert "罚〔2026〕PEN-F号" in lixia.get(f"/records/{penalty_id}/").content.decode()
    qingdao = Client()
    qingdao.force_login(make_user("officer", department=province.qd_market))
    assert penalty_link not in qingdao.get("/records/").content.decode()
    assert qingdao.get(f"/records/{penalty_id}/").status_code == 404
    assert penalty_link not in qingdao.get(f"/records/subjects/{setup.subject.pk}/").content.decode()
