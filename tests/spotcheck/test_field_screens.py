"""The officer's screens in the field: his task list, the result form (one question per check point, a
note each, camera photos checked as images), and labels instead of codes."""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jianguan.core.models import ImportBatch
from jianguan.spotcheck.choices import UNASSIGNED_REASONS
from jianguan.spotcheck.models import Evidence, Task, TaskResult
from tests.spotcheck.images import png
from tests.ui_text import leaked_codes


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _officer_with_task(field):
    for index, officer in enumerate(field.officers):
        task = Task.objects.filter(draw__batch=field.batch, team__officer=officer).order_by("pk").first()
        if task is not None:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            client.force_login(field.logins[index])
            return client, task
    raise AssertionError("no officer has a task")


def test_the_task_list_shows_the_officers_tasks_with_deadlines_and_no_codes(field_batch):
    client, task = _officer_with_task(field_batch)
    page = client.get("/spotchecks/tasks/").content.decode()
    assert task.subject.name in page and f"/spotchecks/tasks/{task.pk}/result/" in page
    assert field_batch.batch.ends_on.isoformat() in page
    assert leaked_codes(visible(page)) == set()


def test_the_form_asks_each_check_point_with_a_note_and_a_camera_button(field_batch):
    client, task = _officer_with_task(field_batch)
    page = client.get(f"/spotchecks/tasks/{task.pk}/result/").content.decode()
    for code in field_batch.points:
        fieldset = re.search(rf'<fieldset[^>]*id="point-{code}".*?</fieldset>', page, re.S).group(0)
        assert {"pass", "fail", "not_applicable"} == set(re.findall(r'value="([a-z_]+)"', fieldset))
        assert f'name="pnote_{code}"' in fieldset
    assert re.search(r'<input[^>]*type="file"[^>]*accept="image/\*"[^>]*capture="environment"', page)
    assert leaked_codes(visible(page)) == set()
    assert not re.search(r"spot-check task \d", page)


def test_an_unanswered_point_is_shown_beside_it_and_nothing_is_saved(field_batch):
    client, task = _officer_with_task(field_batch)
    response = client.post(f"/spotchecks/tasks/{task.pk}/result/", {"result": "01", "point_01": "pass"})
    assert response.status_code == 400
    page = response.content.decode()
    fieldset = re.search(r'<fieldset[^>]*id="point-02".*?</fieldset>', page, re.S).group(0)
    assert "border-danger" in fieldset and "text-danger" in fieldset
    assert not TaskResult.objects.filter(task=task).exists()


def test_a_photo_that_is_not_an_image_or_too_big_is_refused_in_both_languages(field_batch):
    client, task = _officer_with_task(field_batch)
    answers = {f"point_{code}": "pass" for code in field_batch.points}
    for photo in (
        SimpleUploadedFile("报告.pdf", b"%PDF-1.4 text", content_type="application/pdf"),
        SimpleUploadedFile("photo.png", b"not a png at all", content_type="image/png"),
        SimpleUploadedFile("big.png", png() + b"\0" * (10 * 1024 * 1024), content_type="image/png"),
    ):
        response = client.post(f"/spotchecks/tasks/{task.pk}/result/", {"result": "01", **answers, "photos": photo})
        assert response.status_code == 400
        errors = re.findall(r'class="text-danger small mt-1 photo-error">(.*?)</div>', response.content.decode())
        assert len(errors) == 1 and " / " in errors[0], errors  # Chinese / English
        assert not TaskResult.objects.filter(task=task).exists()


def test_a_result_with_a_photo_and_notes_is_saved_as_evidence(field_batch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client, task = _officer_with_task(field_batch)
    photo = png()
    response = client.post(
        f"/spotchecks/tasks/{task.pk}/result/",
        {
            "result": "02",
            "point_01": "pass",
            "point_02": "fail",
            "pnote_02": "两名从业人员健康证过期",
            "note": "已当场责令改正",
            "follow_up": "rectification",
            "photos": SimpleUploadedFile("现场.png", photo, content_type="image/png"),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/spotchecks/tasks/"
    entry = TaskResult.objects.get(task=task)
    assert entry.check_answers == {"01": "pass", "02": "fail"}
    assert entry.note == "已当场责令改正\n[02 从业人员健康证明] 两名从业人员健康证过期"
    evidence = Evidence.objects.get(result=entry)
    assert evidence.size == len(photo) and evidence.name == "现场.png"
    # The gateway batch the result went through is named in words, not "spot-check task 20".
    assert ImportBatch.objects.filter(filename__contains=task.subject.name).exists()
    assert not ImportBatch.objects.filter(filename__icontains="spot-check").exists()


def test_a_task_without_a_team_shows_its_reasons_in_words(field_batch, province, make_user):
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed, draw_batch

    batch = add_batch(
        field_batch.plan,
        title="第二批",
        starts_on=dt.date.today(),
        ends_on=dt.date.today() + dt.timedelta(days=30),
        item_codes=[field_batch.item_code],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.2}},
        officer_departments=[province.qd_market.pk],  # no officers there: no team can be formed
    )
    approve_batch(batch)
    commit_seed(batch)
    draw_batch(batch)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user("department_admin", department=province.jn_market))
    text = visible(client.get(f"/spotchecks/batches/{batch.pk}/").content.decode())
    assert not set(UNASSIGNED_REASONS) & set(re.findall(r"[a-z_]+", text))
    assert leaked_codes(text) == set()
