"""The register import screen checks its POST in a form: no file, a file that is not a spreadsheet,
headers that are not ours, or a batch to correct that is not the person's to see are errors beside
the file, and nothing is imported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jianguan.core.models import ImportBatch
from jianguan.platform.importing import run_import
from jianguan.subjects.models import Subject
from tests.core.test_import import csv_bytes, uscc
from tests.html_forms import attribute, classes, has, text


@pytest.fixture
def jn_admin(make_user, province):
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    return client


def _refused(response, field: str) -> str:
    html = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in classes(html, f"id_{field}")
    return text(html, f"error-{field}")


def test_no_file_a_wrong_type_or_foreign_headers_are_errors_beside_the_file(jn_admin):
    assert _refused(jn_admin.post("/subjects/import/", {}), "file")
    broken = jn_admin.post("/subjects/import/", {"file": SimpleUploadedFile("subjects.xlsx", b"not a workbook")})
    assert _refused(broken, "file") and "alert-warning" not in classes(broken.content.decode(), "import-mapping-link")
    theirs = SimpleUploadedFile("theirs.csv", csv_bytes([["单位", "代码"], ["济南某公司", uscc(80)]]))
    foreign = jn_admin.post("/subjects/import/", {"file": theirs})
    assert _refused(foreign, "file")
    assert "alert-warning" in classes(foreign.content.decode(), "import-mapping-link")  # offered the mapping
    assert not ImportBatch.objects.exists() and not Subject.objects.exists()


def test_a_batch_to_correct_must_be_one_the_person_sees(jn_admin, make_user, province):
    theirs = run_import(
        "subjects",
        csv_bytes([["名称", "统一社会信用代码"], ["青岛某公司", "123"]]),
        "qd.csv",
        actor=make_user("department_admin", department=province.qd_market),
    )
    upload = SimpleUploadedFile("fixed.csv", csv_bytes([["名称", "统一社会信用代码"], ["济南某公司", uscc(81)]]))
    refused = jn_admin.post("/subjects/import/", {"file": upload, "resubmits": theirs.pk})
    html = refused.content.decode()
    assert refused.status_code == 200 and has(html, "error-resubmits")
    assert ImportBatch.objects.count() == 1 and not Subject.objects.exists()
    junk = jn_admin.get("/subjects/import/?resubmits=1%20or%201").content.decode()
    assert not attribute(junk, "id_resubmits", "value")  # only a number is carried into the form
    again = jn_admin.get(f"/subjects/import/?resubmits={theirs.pk}").content.decode()
    assert attribute(again, "id_resubmits", "value") == str(theirs.pk)
