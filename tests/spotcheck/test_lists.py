"""Spot-check batches and a batch's tasks on the list kit: scope, filters, exports, and no risk grade for officers."""

from django.test import Client

from jianguan.spotcheck.models import Task
from jianguan.spotcheck.permissions import visible_batches, visible_tasks
from tests.ui_text import csv_rows, leaked_codes, visible_text


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_batch_list_filters_and_exports_the_scoped_batches(field_batch, province, make_user):
    admin = make_user("department_admin", department=province.jn_market)
    client = login(admin)
    page = client.get("/spotchecks/?status=drawn&kind=single&year=2026")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="new-plan"' in html and field_batch.batch.title in html
    assert leaked_codes(visible_text(html), allow={admin.username}) == set()
    rows = csv_rows(client.get("/spotchecks/?status=drawn&kind=single&export=csv"))
    assert len(rows) == 1 + visible_batches(admin).filter(status="drawn").count() == 2
    assert csv_rows(client.get("/spotchecks/?kind=joint&export=csv"))[1:] == []
    assert csv_rows(client.get("/spotchecks/?status=published&export=csv"))[1:] == []
    assert csv_rows(client.get("/spotchecks/?drawn_after=2000-01-01&drawn_before=2000-12-31&export=csv"))[1:] == []
    outsider = login(make_user("department_admin", department=province.qd_market))
    assert csv_rows(outsider.get("/spotchecks/?export=csv"))[1:] == []
    assert field_batch.batch.title not in outsider.get("/spotchecks/").content.decode()


def test_the_tasks_of_a_batch_filter_and_export_with_the_grade_for_staff_only(field_batch, province, make_user):
    url = f"/spotchecks/batches/{field_batch.batch.pk}/"
    admin = make_user("department_admin", department=province.jn_market)
    client = login(admin)
    html = client.get(url).content.decode()
    assert 'id="tasks"' in html and leaked_codes(visible_text(html), allow={admin.username}) == set()
    rows = csv_rows(client.get(f"{url}?export=csv"))
    tasks = visible_tasks(admin).filter(draw__batch=field_batch.batch)
    assert len(rows) == 1 + tasks.count() and rows[1][0] == "B"  # staff: grade first
    assigned = csv_rows(client.get(f"{url}?status=assigned&export=csv"))
    assert len(assigned) == 1 + tasks.filter(status="assigned").count()
    officer = field_batch.officers[0]
    with_officer = csv_rows(client.get(f"{url}?officer={officer.pk}&export=csv"))
    assert len(with_officer) == 1 + Task.objects.filter(team__officer=officer).count()
    assert len(csv_rows(client.get(f"{url}?result=none&export=csv"))) == 1 + tasks.count()
    assert csv_rows(client.get(f"{url}?result=01&export=csv"))[1:] == []
    # Another batch's number in the address does not switch the list.
    assert client.get(f"{url}?batch=0").status_code == 302

    login_ = field_batch.logins[0]
    own = login(login_)
    mine = csv_rows(own.get(f"{url}?export=csv"))
    assert len(mine) == 1 + Task.objects.filter(team__officer=officer).count()
    header = mine[0]
    assert len(header) == 4 and not any(cell == "B" for row in mine for cell in row)
    page = own.get(url).content.decode()
    assert "text-bg-light" in page  # the state counts


def test_the_officers_own_task_list_keeps_its_cards_and_shows_its_count(field_batch):
    client = login(field_batch.logins[0])
    html = client.get("/spotchecks/tasks/").content.decode()
    assert 'id="my-tasks"' in html and 'id="list-count"' in html and "<table" not in html
