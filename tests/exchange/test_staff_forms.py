"""The upload form and the correction's choice of kind: a bad post shows its error beside the field and
writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.exchange.test_correction import upload_without_the_form_column

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitter(province, make_user):
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    return client


def _beside(response, name: str) -> bool:
    page = response.content.decode()
    return f'id="error-{name}"' in page and "is-invalid" in page


def _csv(text: str = "来源记录编号\nX-1\n", name: str = "检查.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def _batches() -> int:
    from jianguan.core.models import ImportBatch

    return ImportBatch.objects.count()


def test_a_source_outside_the_users_scope_is_refused_beside_the_source(setup, province, submitter):
    from jianguan.exchange.services import register_source

    theirs, _token = register_source("qd-case", "青岛市场监管执法办案系统", province.qd_market)
    page = submitter.get("/exchange/upload/").content.decode()
    assert f'value="{setup.source.pk}"' in page and f'value="{theirs.pk}"' not in page
    response = submitter.post("/exchange/upload/", {"source": theirs.pk, "kind": "inspection", "file": _csv()})
    assert response.status_code == 200 and _beside(response, "source")
    assert _batches() == 0


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"kind": "inspection"}, "file"),
        ({"kind": "bogus", "file": "csv"}, "kind"),
        ({"kind": "", "file": "csv"}, "kind"),
        ({"kind": "inspection", "file": "empty"}, "file"),
        ({"kind": "inspection", "file": "pdf"}, "file"),
    ],
)
def test_a_bad_upload_is_shown_again_with_the_error_beside_its_field(setup, submitter, post, field):
    files = {"csv": _csv(), "empty": _csv(""), "pdf": SimpleUploadedFile("检查.pdf", b"%PDF-1.4\n", "application/pdf")}
    body = {"source": setup.source.pk, **post}
    if "file" in body:
        body["file"] = files[body["file"]]
    response = submitter.post("/exchange/upload/", body)
    assert response.status_code == 200 and _beside(response, field)
    assert _batches() == 0


def test_a_missing_source_is_refused_beside_the_source(setup, submitter):
    response = submitter.post("/exchange/upload/", {"source": "abc", "kind": "inspection", "file": _csv()})
    assert response.status_code == 200 and _beside(response, "source")
    assert _batches() == 0


def test_a_correction_of_an_unknown_kind_is_refused_beside_the_kind(setup, province, submitter):
    batch_url = upload_without_the_form_column(setup, province, submitter)
    url = f"{batch_url}rows/2/correct/"
    before = _batches()
    response = submitter.post(url, {"kind": "bogus", "source_id": "UP-9"})
    assert response.status_code == 200 and _beside(response, "kind")
    assert 'id="correction"' not in response.content.decode()
    assert _batches() == before
    shown = submitter.get(url, {"kind": "penalty"}).content.decode()
    assert 'id="correction"' in shown and '<option value="penalty" selected>' in shown
