"""The gateway's batch list and its quarantine on the list kit: scope, filters, exports and masking."""

from django.test import Client

from jianguan.accounts.choices import Role
from jianguan.exchange.permissions import visible_quarantine
from jianguan.exchange.services import ingest
from jianguan.platform.permissions import visible_batches
from tests.ui_text import csv_rows, leaked_codes, visible_text

ID = "11010519491231002X"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def _citizen_batch(setup, inspection):
    citizen = {"subject_nature": "1", "subject_id_type": "111", "subject_name": "张三丰", "subject_code": ID}
    rows = [inspection("Q-1", region="379999", **citizen), inspection("Q-2"), inspection("Q-3", region="379999")]
    return ingest(enumerate(rows, 1), source=setup.source, channel="api")


def test_the_batch_list_filters_and_exports_exactly_the_scoped_batches(setup, inspection, province, make_user):
    first = _citizen_batch(setup, inspection)
    ingest(enumerate([inspection("Q-9")], 1), source=setup.source, channel="api")
    admin = make_user(Role.DEPARTMENT_ADMIN, department=province.jn_market)
    client = login(admin)
    page = client.get("/exchange/?status=completed&sort=-rejected")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="outbox-pending"' in html and 'id="batches"' in html
    assert f'data-total="rejected">{first.rejected}<' in html
    assert leaked_codes(visible_text(html), allow={admin.username}) == set()
    rows = csv_rows(client.get("/exchange/?status=completed&sort=-rejected&export=csv"))
    expected = list(visible_batches(admin).filter(kind="records").order_by("-rejected").values_list("pk", flat=True))
    assert [int(r[0]) for r in rows[1:]] == expected and len(expected) == 2
    assert rows[1][0] == str(first.pk)
    assert csv_rows(client.get("/exchange/?channel=correction&export=csv"))[1:] == []

    outsider = login(make_user(Role.DEPARTMENT_ADMIN, department=province.qd_market))
    assert csv_rows(outsider.get("/exchange/?export=csv"))[1:] == []
    assert 'data-total="received">0<' in outsider.get("/exchange/").content.decode()


def test_the_quarantine_masks_personal_data_for_those_who_do_not_correct_it(setup, inspection, province, make_user):
    batch = _citizen_batch(setup, inspection)
    corrector = make_user(Role.DEPARTMENT_ADMIN, department=province.jn_market)
    analyst = make_user(Role.ANALYST, department=province.market)
    assert visible_quarantine(corrector).count() == 2

    mine = login(corrector)
    rows = csv_rows(mine.get(f"/exchange/quarantine/?batch={batch.pk}&export=csv"))
    assert len(rows) == 3 and any(ID in cell for cell in rows[1] + rows[2])
    html = mine.get(f"/exchange/quarantine/?batch={batch.pk}").content.decode()
    assert f"/exchange/batches/{batch.pk}/rows/1/correct/" in html

    theirs = login(analyst)
    page = theirs.get(f"/exchange/quarantine/?batch={batch.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and ID not in html and "张三丰" not in html and "张**" in html
    assert "/correct/" not in html
    assert leaked_codes(visible_text(html), allow={analyst.username}) == set()
    for fmt in ("csv", "xlsx"):
        download = theirs.get(f"/exchange/quarantine/?batch={batch.pk}&export={fmt}")
        assert download.status_code == 200 and ID.encode() not in download.content
        assert "张三丰".encode() not in download.content
    assert "110105********002X" in "".join(
        c for r in csv_rows(theirs.get("/exchange/quarantine/?export=csv")) for c in r
    )

    outsider = login(make_user(Role.DEPARTMENT_ADMIN, department=province.qd_market))
    assert csv_rows(outsider.get(f"/exchange/quarantine/?batch={batch.pk}&export=csv"))[1:] == []


def test_the_quarantine_filters_by_rule_kind_and_correction(setup, inspection, province, make_user):
    batch = ingest(
        enumerate([inspection("R-1", region="379999"), inspection("R-2", item_code="99999999999999")], 1),
        source=setup.source,
        channel="api",
    )
    client = login(make_user(Role.DEPARTMENT_ADMIN, department=province.jn_market))
    by_rule = csv_rows(client.get(f"/exchange/quarantine/?batch={batch.pk}&rule=region_unknown&export=csv"))
    assert [r[1] for r in by_rule[1:]] == ["1"]
    assert "行政区划代码不存在" in by_rule[1][6]
    page = client.get(f"/exchange/quarantine/?batch={batch.pk}").content.decode()
    assert 'value="region_unknown"' in page and ">region_unknown<" not in page
    assert len(csv_rows(client.get("/exchange/quarantine/?kind=inspection&export=csv"))) == 3
    assert csv_rows(client.get("/exchange/quarantine/?kind=penalty&export=csv"))[1:] == []
    assert csv_rows(client.get("/exchange/quarantine/?corrected=true&export=csv"))[1:] == []
    assert len(csv_rows(client.get("/exchange/quarantine/?corrected=false&export=csv"))) == 3
