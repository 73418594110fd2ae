"""An officer signed in with his linked account sees his superiors' batches and enters results of his own
tasks, and no one else's."""

import pytest
from django.test import Client

from jianguan.spotcheck.models import Task, TaskResult
from jianguan.spotcheck.permissions import my_open_tasks, visible_plans, visible_tasks


def _split(field):
    """(officer index, one of his tasks, a task he is not on) for an officer with both."""
    for index, officer in enumerate(field.officers):
        mine = Task.objects.filter(draw__batch=field.batch, team__officer=officer).order_by("pk")
        theirs = Task.objects.filter(draw__batch=field.batch, status="assigned").exclude(team__officer=officer)
        if mine.exists() and theirs.exists():
            return index, mine.first(), theirs.order_by("pk").first()
    pytest.fail("the draw gave no officer both his own and another's task")


def test_an_officer_sees_the_batch_and_plan_of_his_superior_department(field_batch):
    index, _mine, _theirs = _split(field_batch)
    client = Client()
    client.force_login(field_batch.logins[index])
    assert client.get(f"/spotchecks/batches/{field_batch.batch.pk}/").status_code == 200
    assert client.get(f"/spotchecks/plans/{field_batch.plan.pk}/").status_code == 200
    assert list(visible_plans(field_batch.logins[index])) == [field_batch.plan]
    plans = client.get("/spotchecks/").content.decode()
    assert field_batch.plan.title in plans and 'href="/spotchecks/tasks/"' in plans
    # The graded pool stays with the department's staff.
    assert client.get(f"/spotchecks/batches/{field_batch.batch.pk}/pool/").status_code == 404


def test_an_officer_sees_only_his_own_tasks_and_enters_their_results(field_batch):
    index, mine, theirs = _split(field_batch)
    login = field_batch.logins[index]
    assert set(visible_tasks(login)) == set(Task.objects.filter(team__officer=field_batch.officers[index]))
    client = Client()
    client.force_login(login)
    batch_page = client.get(f"/spotchecks/batches/{field_batch.batch.pk}/").content.decode()
    assert mine.subject.name in batch_page and theirs.subject.name not in batch_page
    assert client.get(f"/spotchecks/tasks/{theirs.pk}/result/").status_code == 404
    refused = client.post(f"/spotchecks/tasks/{theirs.pk}/result/", {"result": "01"})
    assert refused.status_code == 404 and not TaskResult.objects.filter(task=theirs).exists()
    assert client.get(f"/spotchecks/tasks/{mine.pk}/result/").status_code == 200
    response = client.post(
        f"/spotchecks/tasks/{mine.pk}/result/",
        {"result": "01", **{f"point_{code}": "pass" for code in field_batch.points}},
    )
    assert response.status_code == 302
    entered = TaskResult.objects.get(task=mine)
    assert entered.department == field_batch.batch.plan.department
    assert entered.record.details["officers"]


def test_my_open_tasks_lists_the_officers_unresulted_tasks_with_their_deadline(field_batch):
    index, mine, _theirs = _split(field_batch)
    login = field_batch.logins[index]
    officer = field_batch.officers[index]
    expected = set(Task.objects.filter(team__officer=officer, status="assigned").values_list("pk", flat=True))
    tasks = list(my_open_tasks(login))
    assert {t.pk for t in tasks} == expected
    assert all(t.due_on == field_batch.batch.ends_on for t in tasks)
    Client().force_login(login)
    from jianguan.spotcheck.services import record_result

    record_result(mine, result="01", check_answers={}, actor=login)
    assert mine.pk not in {t.pk for t in my_open_tasks(login)}
    assert len(my_open_tasks(login)) == len(expected) - 1


def test_an_account_without_an_officer_record_sees_no_tasks_of_the_superior(field_batch, make_user, province):
    unlinked = make_user("officer", department=province.lixia_market)
    client = Client()
    client.force_login(unlinked)
    assert client.get(f"/spotchecks/batches/{field_batch.batch.pk}/").status_code == 404
    assert list(my_open_tasks(unlinked)) == []
