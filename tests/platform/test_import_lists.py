"""The register imports as a list of the kit: scoped, filtered and exported like every list."""

import re

from django.test import Client

from jianguan.platform.importing import run_import
from jianguan.platform.permissions import visible_batches
from tests.ui_text import csv_rows, leaked_codes

ROWS = "名称,统一社会信用代码,行政区划代码\n济南泉城食品有限公司,,370102\n".encode()


def test_import_batches_are_listed_filtered_and_exported_within_scope(province, make_user):
    uploader = make_user("department_admin", department=province.jn_market)
    first = run_import("subjects", ROWS, "subjects.csv", actor=uploader)
    run_import("subjects", ROWS, "other.csv", actor=make_user("department_admin", department=province.qd_market))
    client = Client()
    client.force_login(uploader)
    page = client.get("/policies/imports/")
    html = page.content.decode()
    assert page.status_code == 200 and f"/imports/{first.pk}/" in html and "other.csv" not in html
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S))
    assert leaked_codes(text, allow={uploader.username}) == set()
    rows = csv_rows(client.get(f"/policies/imports/?kind=subjects&uploader={uploader.pk}&export=csv"))
    expected = list(visible_batches(uploader).filter(kind="subjects").values_list("pk", flat=True))
    assert [int(r[0]) for r in rows[1:]] == expected == [first.pk]
    assert rows[1][4:7] == ["1", "0", "1"]  # rows, written, rejected
    assert csv_rows(client.get("/policies/imports/?status=failed&export=csv"))[1:] == []
    assert (
        csv_rows(
            client.get("/policies/imports/?uploaded_on_after=2000-01-01&uploaded_on_before=2000-01-02&export=csv")
        )[1:]
        == []
    )
    outsider = Client()
    outsider.force_login(make_user("department_admin", department=province.qd_market))
    assert [r[2] for r in csv_rows(outsider.get("/policies/imports/?export=csv"))[1:]] == ["other.csv"]
