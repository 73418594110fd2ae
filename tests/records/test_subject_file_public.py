"""一户一档 for a department administrator: his scope's actions, and every other department's
actions that the public credit page shows anyone; what is filtered is said on the page."""

import re

from django.test import Client

from jianguan.credit.services import sync_credit_records
from jianguan.exchange.services import ingest, register_source
from jianguan.records.models import Record


def test_a_department_admin_sees_other_departments_public_actions_and_is_told_what_is_filtered(
    setup, inspection, penalty, province, make_user
):
    ingest(enumerate([inspection("INS-MKT")], 1), source=setup.source, channel="api")
    env_source, _token = register_source("jn-env", "济南生态环境执法系统", province.jn_env)
    env_penalty = penalty("PEN-ENV", "2026-05-06", ["03"], fine=50000)
    env_penalty["department"] = province.jn_env.uscc
    env_inspection = inspection("INS-ENV")
    env_inspection["department"] = province.jn_env.uscc
    env_inspection["officers"] = [{"name": o.name, "certificate_no": o.certificate_no} for o in setup.officers[2:]] * 2
    batch = ingest(enumerate([env_penalty, env_inspection], 1), source=env_source, channel="api")
    assert batch.accepted == 2, list(batch.rows.values_list("errors", flat=True))
    sync_credit_records()
    env_penalty_id = Record.objects.get(source_id="PEN-ENV").pk
    env_inspection_id = Record.objects.get(source_id="INS-ENV").pk

    # What anyone sees on the portal: the environment bureau's penalty.
    public = Client().get(f"/public/credit/{setup.subject.pk}/").content.decode()
    assert "罚〔2026〕PEN-ENV号" in public

    admin = Client()
    admin.force_login(make_user("department_admin", department=province.jn_market))
    page = admin.get(f"/records/subjects/{setup.subject.pk}/").content.decode()
    timeline = re.search(r'<ol[^>]*id="timeline".*?</ol>', page, re.S).group(0)
    assert province.jn_env.name in timeline and "public-action" in timeline
    assert timeline.count('<li class="list-group-item') == 2  # his department's inspection + the public penalty
    assert f'href="/records/{env_penalty_id}/"' not in timeline  # shown, but not opened: outside his scope
    assert f"/records/{env_inspection_id}/" not in page  # another department's inspection is not public
    note = re.search(r'id="file-scope">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r"\d+", note)[:2] == ["1", "1"]  # one action in scope, one public from elsewhere
    assert admin.get(f"/records/{env_penalty_id}/").status_code == 404

    # Before publication (or after its period) the penalty is not shown to him.
    from jianguan.credit.models import CreditRecord

    CreditRecord.objects.filter(record_id=env_penalty_id).update(is_public=False)
    again = admin.get(f"/records/subjects/{setup.subject.pk}/").content.decode()
    assert "PEN-ENV" not in again and province.jn_env.name not in re.search(
        r'id="timeline".*?</ol>', again, re.S
    ).group(0)
