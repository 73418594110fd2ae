"""Rows kept for correction hold a citizen's data sealed, shown as sent only to those correcting them."""

import io
import json

import openpyxl
from django.db import connection
from django.test import Client

from jianguan.exchange.services import ingest

ID = "11010519491231002X"
BAD_ID = "11010519491231002Y"  # a typo of a real ID number is still someone's


def test_a_citizens_id_number_in_rejected_and_duplicate_rows_is_sealed_and_masked(
    setup, inspection, make_user, province
):
    from jianguan.accounts.choices import Role

    citizen = {"subject_nature": "1", "subject_id_type": "111", "subject_name": "张三丰"}
    good = inspection("P-1", subject_code=ID, **citizen)
    bad = inspection("P-2", subject_code=BAD_ID, **citizen)
    noted = inspection("P-3", result=f"当事人身份证{ID}，电话13812345678", region="379999")
    ingest(enumerate([good], 1), source=setup.source, channel="api")
    batch = ingest(enumerate([good, bad, noted], 1), source=setup.source, channel="api")
    assert (batch.accepted, batch.rejected, batch.duplicates) == (0, 2, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data, personal_sealed FROM core_importrow WHERE batch_id = %s", [batch.pk])
        stored = cursor.fetchall()
    assert len(stored) == 3
    for data, sealed in stored:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        assert ID not in text and BAD_ID not in text and "张三丰" not in text and "13812345678" not in text
        assert sealed and ID not in sealed

    sender = Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}")  # the sending system corrects them
    rows = {r["row"]: r for r in sender.get(f"/api/v1/exchange/batches/{batch.pk}/rejected").json()["rows"]}
    assert rows[1]["data"]["subject_code"] == ID and rows[2]["data"]["subject_code"] == BAD_ID
    assert rows[3]["data"]["result"] == f"当事人身份证{ID}，电话13812345678" and not rows[3]["masked"]

    analyst = Client()
    analyst.force_login(make_user(Role.ANALYST, department=province.market))
    answer = analyst.get(f"/api/v1/exchange/batches/{batch.pk}/rejected")
    assert answer.status_code == 200
    rows = {r["row"]: r for r in answer.json()["rows"]}
    assert rows[1]["data"]["subject_code"] == "110105********002X" and rows[1]["masked"]
    assert rows[2]["data"]["subject_code"] == "110105********002Y"
    assert rows[2]["data"]["subject_name"] == "张**"
    assert rows[3]["data"]["result"] == "当事人身份证110105********002X，电话138****5678"
    for fmt in ("csv", "xlsx"):
        download = analyst.get(f"/api/v1/exchange/batches/{batch.pk}/rejected?format={fmt}")
        assert download.status_code == 200 and ID.encode() not in download.content
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active  # the last download: xlsx
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(ID in c or BAD_ID in c for c in cells)
    mine = sender.get(f"/api/v1/exchange/batches/{batch.pk}/rejected?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(mine.content)).active
    assert any(BAD_ID in str(c) for row in sheet.iter_rows(values_only=True) for c in row)
