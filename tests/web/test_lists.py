"""The list kit: filters, sorting and page size in the URL; exports of exactly the filtered rows,
in the background when long; scope behind every row and count."""

import csv
import io
import re

import openpyxl
import pytest
from django.test import Client

from jianguan.core.models import ExportJob
from jianguan.platform import lists
from jianguan.subjects.models import Subject


@pytest.fixture
def subjects(province, make_subject):
    made = [make_subject(f"济南测试{n}号有限公司", county="370102") for n in range(12)]
    made += [make_subject(f"青岛测试{n}号有限公司", county="370202") for n in range(3)]
    Subject.objects.filter(pk__in=[s.pk for s in made[:5]]).update(status="revoked")
    return made


@pytest.fixture
def client(make_user, province):
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    return client


def _names(html: str) -> list[str]:
    return re.findall(r">([济青]南?岛?测试\d+号有限公司)<", html)


def test_filter_sort_and_page_size_are_in_the_url(subjects, client):
    page = client.get("/subjects/", {"status": "revoked", "sort": "-name", "per_page": 50}).content.decode()
    names = _names(page)
    assert len(names) == 5 and names == sorted(names, reverse=True)
    assert 'id="list-count"' in page and "5" in re.search(r'id="list-count">(.*?)</p>', page, re.S).group(1)
    # Page size bounds the page; a size not offered falls back to the first.
    assert len(_names(client.get("/subjects/", {"per_page": 25}).content.decode())) == 12
    assert len(_names(client.get("/subjects/", {"per_page": 7}).content.decode())) == 12


def test_scope_holds_behind_list_count_and_export(subjects, client):
    page = client.get("/subjects/").content.decode()
    assert not any(name.startswith("青岛") for name in _names(page))
    response = client.get("/subjects/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 12 and not any("青岛" in row[0] for row in rows[1:])


def test_export_holds_exactly_the_filtered_rows_in_both_formats(subjects, client):
    response = client.get("/subjects/", {"status": "revoked", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "名称" and len(rows) == 6
    response = client.get("/subjects/", {"status": "revoked", "export": "xlsx", "page": 2})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 6  # the page number does not limit an export


def test_a_long_export_runs_in_the_background_for_its_owner_only(subjects, client, make_user, province, monkeypatch):
    monkeypatch.setattr(lists, "SYNC_EXPORT_ROWS", 3)
    response = client.get("/subjects/", {"export": "csv"})
    assert response.status_code == 302 and response.url.startswith("/exports/")
    job = ExportJob.objects.get()
    assert (job.status, job.total, job.done) == ("completed", 12, 12)
    progress = client.get(response.url).content.decode()
    assert 'id="export-download"' in progress and "100%" in progress
    content = client.get(f"/exports/{job.pk}/file/").content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(content)))) == 13
    stranger = Client()
    stranger.force_login(make_user("department_admin", department=province.jn_market))
    assert stranger.get(response.url).status_code == 404
    assert stranger.get(f"/exports/{job.pk}/file/").status_code == 404


def test_a_bad_filter_value_is_reported_on_the_form(subjects, client):
    response = client.get("/subjects/", {"status": "nonsense", "registered_after": "x"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_a_subject_is_edited_through_its_form_and_the_change_is_on_its_history_tab(subjects, client):
    subject = subjects[6]  # active (the first five are revoked)
    url = f"/subjects/{subject.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200 and 'id="edit-form"' in form.content.decode()
    bad = client.post(url, {"name": "", "status": "bogus"})
    page = bad.content.decode()
    assert bad.status_code == 200 and 'id="error-name"' in page and 'id="error-status"' in page
    assert Subject.objects.get(pk=subject.pk).name == subject.name  # nothing written half-way
    nul = client.post(url, {"name": "济南\x00改名有限公司", "status": "active"})
    assert 'id="error-name"' in nul.content.decode()
    done = client.post(url, {"name": "济南改名后有限公司", "status": "revoked", "legal_representative": "张三"})
    assert done.status_code == 302
    detail = client.get(f"/subjects/{subject.pk}/").content.decode()
    history = detail.split('id="tab-history"', 1)[1]
    assert "济南改名后有限公司" in history and subject.name in history
    assert "吊销" in history and "revoked" not in history  # the status by its label, not its code


def test_a_subject_outside_the_writers_region_cannot_be_edited(subjects, make_user, province):
    officer = Client()
    officer.force_login(make_user("officer", department=province.jn_market))
    assert officer.get(f"/subjects/{subjects[0].pk}/edit/").status_code == 404
    qingdao = subjects[-1]
    jn_admin = Client()
    jn_admin.force_login(make_user("department_admin", department=province.jn_market))
    assert jn_admin.get(f"/subjects/{qingdao.pk}/edit/").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_task_worker_a_long_export_runs_beside_the_request_and_shows_progress(
    flushable_audit, province, make_subject, make_user, settings, monkeypatch
):
    import time

    settings.EXPORTS_INLINE = False
    monkeypatch.setattr(lists, "SYNC_EXPORT_ROWS", 2)
    for n in range(6):
        make_subject(f"济南后台导出{n}号有限公司", county="370102")
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    response = client.get("/subjects/", {"export": "csv"})
    assert response.status_code == 302  # answered at once: the file is written beside the request
    job = ExportJob.objects.get()
    for _ in range(100):
        job.refresh_from_db()
        if job.status != "running":
            break
        time.sleep(0.05)
    assert (job.status, job.done, job.total) == ("completed", 6, 6)
    assert client.get(f"/exports/{job.pk}/file/").content.decode("utf-8-sig").count("\n") == 7
