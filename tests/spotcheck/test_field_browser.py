"""In Chromium: an officer enters a result on a 390 px phone with a photo; the public commitment page."""

import pytest

from jianguan.spotcheck.models import Evidence, Task, TaskResult
from tests.conftest import PASSWORD
from tests.spotcheck.images import png
from tests.ui_text import leaked_codes


def _login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_officer_enters_a_result_on_a_phone_with_a_photo(
    flushable_audit, live_server, field_batch, browser_page, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    index, task = next(
        (i, t)
        for i, officer in enumerate(field_batch.officers)
        if (t := Task.objects.filter(draw__batch=field_batch.batch, team__officer=officer).order_by("pk").first())
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server.url, field_batch.logins[index].username)
    page.goto(f"{live_server.url}/spotchecks/tasks/")
    page.wait_for_selector("#my-tasks .my-task")
    assert leaked_codes(page.inner_text("body")) == set()
    screenshot(page, "officer-tasks", width=390, height=844)
    page.click(f"a[href='/spotchecks/tasks/{task.pk}/result/']")
    page.wait_for_selector("#result-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The answer buttons are touch targets of at least 44 px.
    box = page.locator("label[for^='p'][for$='-pass']").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    page.click("#point-01 label:has-text('合格') >> nth=0")
    page.click("#point-02 label:has-text('不合格')")
    page.fill("input[name=pnote_02]", "健康证过期")
    page.set_input_files("#photos", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": png(64, 48)}])
    assert "现场照片.png" in page.inner_text("#photo-names")
    page.select_option("#result", "02")
    screenshot(page, "officer-result-form", width=390, height=844)
    screenshot(page, "officer-result-form", width=1400)
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#save-result")
    page.wait_for_selector("#my-tasks")
    entry = TaskResult.objects.get(task=task)
    assert entry.check_answers == {"01": "pass", "02": "fail"} and entry.result == "02"
    assert entry.note == "[02 从业人员健康证明] 健康证过期"
    assert Evidence.objects.filter(result=entry, name="现场照片.png").exists()
    assert f"/spotchecks/tasks/{task.pk}/result/" not in page.content()  # done: off the list
    screenshot(page, "officer-tasks-after", width=390, height=844)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_public_commitment_and_draw_pages(flushable_audit, live_server, field_batch, browser_page, screenshot):
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed

    upcoming = add_batch(
        field_batch.plan,
        title="第二批",
        starts_on=field_batch.batch.starts_on,
        ends_on=field_batch.batch.ends_on,
        item_codes=[field_batch.item_code],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.5}},
    )
    approve_batch(upcoming)
    commit_seed(upcoming)
    upcoming.refresh_from_db()
    page = browser_page
    page.goto(f"{live_server.url}/public/spotchecks/")
    assert "第二批" in page.inner_text("#public-batches")
    assert leaked_codes(page.inner_text("#public-batches")) == set()
    page.click("text=第二批")
    page.wait_for_selector("#public-commitment")
    assert upcoming.seed_hash in page.inner_text("#public-commitment")
    assert page.query_selector("#not-drawn") is not None
    assert leaked_codes(page.inner_text("#public-commitment")) == set()
    screenshot(page, "public-commitment", width=1400)
    screenshot(page, "public-commitment", width=390)
    page.goto(f"{live_server.url}/public/spotchecks/{field_batch.batch.pk}/")
    page.wait_for_selector("#download-record")
    with page.expect_download() as download:
        page.click("#download-record")
    assert download.value.suggested_filename == f"draw-record-{field_batch.batch.pk}.json"
    screenshot(page, "public-draw", width=1400)
