"""A supervision action's page names its fields as the data standard does (经营地址, 检查人员), with
values as text: never a field code such as `operating_address` nor raw JSON."""

import re

from django.test import Client

from jianguan.exchange.services import ingest
from jianguan.records.models import Record
from tests.ui_text import leaked_codes


def test_record_detail_names_fields_and_shows_values_as_text(setup, inspection, province, make_user):
    ingest(
        enumerate([inspection("D-1", operating_address="济南市历下区泉城路1号")], 1), source=setup.source, channel="api"
    )
    client = Client()
    client.force_login(make_user("officer", department=province.lixia_market))
    html = client.get(f"/records/{Record.objects.get().pk}/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html.split('<dl class="row">')[1].split("</dl>")[0])
    assert "经营地址" in text and "济南市历下区泉城路1号" in text
    assert "检查形式" in text and "01 日常检查" in text
    officers = setup.officers[:2]
    assert f"{officers[0].name}（{officers[0].certificate_no}）" in text
    assert "operating_address" not in text and "[{" not in text and not leaked_codes(text)
