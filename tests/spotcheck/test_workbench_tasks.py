"""The officer's first screen lists his own spot-check tasks, each opening its result form."""

from django.test import Client

from jianguan.spotcheck.permissions import my_open_tasks


def test_the_officers_workbench_lists_his_own_spot_check_tasks(field_batch):
    counts = []
    for login in field_batch.logins:
        client = Client()
        client.force_login(login)
        html = client.get("/").content.decode()
        tasks = list(my_open_tasks(login))
        section = html.split('id="panel-spot_checks"', 1)[1].split("</section>", 1)[0]
        for task in tasks[:8]:
            assert f'href="/spotchecks/tasks/{task.pk}/result/"' in section
        others = {t.pk for t in my_open_tasks(field_batch.logins[0])} if login != field_batch.logins[0] else set()
        for pk in others - {t.pk for t in tasks}:
            assert f'href="/spotchecks/tasks/{pk}/result/"' not in section
        counts.append(len(tasks))
    assert sum(counts) > 0
