"""The monitoring screens on the list kit: the device register, the clue list and the refused
readings hold exactly the viewer's scoped, filtered rows on screen and in the export; a device or
clue of another city is not found; every label reads in words; the device chart's data; the menu
and the workbench card."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.joint.test_screens import zh, zh_client
from tests.ui_text import csv_rows, leaked_codes, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def field(monitor, setup, province, make_user):
    """历下's cold-chain logger (a red and an orange clue), gas sensor (red) and the city's effluent
    monitor (orange, yellow); a Qingdao gas sensor (red) and a retired camera without subject; all
    silent devices got a blue clue; the gas sensor reported a minute ago and is online. Refused: a
    wrong unit for the cold-chain logger, an unknown device, and a malformed reading."""
    from jianguan.monitoring import rules
    from jianguan.monitoring.models import Device
    from jianguan.monitoring.services import register_device

    qd = register_device(
        code="QD-GAS-001",
        source=setup.source,
        kind="gas",
        name="青岛后厨燃气探测器",
        department=province.shinan_market,
        region="370202",
        quantity="ch4_lel",
    )
    camera = register_device(
        code="CAM-001",
        source=setup.source,
        kind="video",
        name="明厨亮灶摄像头",
        department=province.lixia_market,
        region="370102",
    )
    Device.objects.filter(pk=camera.pk).update(status="retired")
    m = monitor
    cold = [m.reading(m.cold, minutes, v) for minutes, v in [(0, 4), (10, 5), (20, 16), (30, 17), (40, 12), (50, 11)]]
    cod = [m.reading(m.effluent, 0, 10)] + [m.reading(m.effluent, 5 + 10 * i, 150) for i in range(8)]
    bad = [
        m.reading(m.cold, 60, 5, unit="°F"),
        {"device": "NOPE-1", "time": m.at(1), "value": 1, "unit": "℃"},
        "<script>alert(1)</script>",
    ]
    response = m.post([*cold, m.reading(m.gas, 0, 25), *cod, m.reading(qd, 0, 30), *bad])
    assert response.status_code == 200 and response.json()["rejected"] == 3
    rules.check_silence()
    assert m.post([m.reading(m.gas, (timezone.now() - m.t0).total_seconds() / 60 - 1, 1)]).json()["accepted"] == 1
    return {
        "qd": qd,
        "camera": camera,
        "lixia": make_user("officer", department=province.lixia_market),
        "lixia_admin": make_user("department_admin", department=province.lixia_market),
        "jn_admin": make_user("department_admin", department=province.jn_market),
        "env": make_user("officer", department=province.jn_env),
        "qd_officer": make_user("officer", department=province.shinan_market),
        "analyst": make_user("analyst", department=province.jn_market),
    }


def exported(client, url: str, **params) -> list[list[str]]:
    return csv_rows(client.get(url, {**params, "export": "csv"}))


def column(rows: list[list[str]], msgid: str) -> list[str]:
    index = rows[0].index(zh(msgid))
    return [row[index] for row in rows[1:]]


def page_text(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return visible_text(response.content.decode())


def table_body(client, url: str, table: str, **params) -> str:
    html = client.get(url, params).content.decode()
    return html.split(f'id="{table}"')[1].split("<tbody")[1].split("</tbody>")[0]


# Devices


def test_device_filters_sort_and_export_hold_the_scoped_filtered_rows(field, monitor):
    from jianguan.monitoring.permissions import visible_devices
    from jianguan.monitoring.services import offline_q

    admin = zh_client(field["jn_admin"])

    def codes(**params):
        return column(exported(admin, "/monitoring/devices/", **params), "Device code")

    # The city bureau sees its own subtree's devices in 济南 only: not the environment bureau's, not Qingdao's.
    assert codes() == ["CAM-001", "CC-001", "GAS-001"]
    assert codes() == list(visible_devices(field["jn_admin"]).order_by("code").values_list("code", flat=True))
    assert codes(sort="-code") == ["GAS-001", "CC-001", "CAM-001"]
    assert codes(kind="cold_chain") == ["CC-001"]
    assert codes(status="retired") == ["CAM-001"]
    offline = list(
        visible_devices(field["jn_admin"]).filter(offline_q()).order_by("code").values_list("code", flat=True)
    )
    assert codes(offline="true") == offline == ["CC-001"]
    assert codes(offline="false") == ["CAM-001", "GAS-001"]
    assert codes(q="燃气") == ["GAS-001"] and codes(q="cc-0") == ["CC-001"]
    assert codes(q=monitor.cold.subject.name) == ["CC-001", "GAS-001"]
    assert codes(region="370102", department=str(monitor.cold.department_id)) == ["CAM-001", "CC-001", "GAS-001"]
    assert codes(region="370103") == []
    # The screen shows what the file holds.
    body = table_body(admin, "/monitoring/devices/", "devices", offline="false")
    assert "GAS-001" in body and "CAM-001" in body and "CC-001" not in body
    # Other departments and cities see only their own.
    assert column(exported(zh_client(field["env"]), "/monitoring/devices/"), "Device code") == ["COD-001"]
    assert column(exported(zh_client(field["qd_officer"]), "/monitoring/devices/"), "Device code") == ["QD-GAS-001"]
    # Labels in words, in the file too.
    rows = exported(admin, "/monitoring/devices/")
    assert column(rows, "Kind") == [
        zh("Video camera with an analysis model"),
        zh("Cold-chain temperature logger"),
        zh("Gas or pressure sensor"),
    ]
    assert column(rows, "Measured quantity") == ["", "温度（℃）", "甲烷浓度（爆炸下限百分比）（%LEL）"]
    assert column(rows, "Status") == [zh("Retired"), zh("In service"), zh("In service")]
    assert column(rows, "Offline") == [zh("No"), zh("Yes"), zh("No")]


def test_device_register_and_page_read_in_words(field, monitor):
    admin = zh_client(field["jn_admin"])
    text = page_text(admin, "/monitoring/devices/", per_page=100)
    assert "冷链温度记录仪" in text and "温度（℃）" in text and zh("Offline") in text
    assert leaked_codes(text, allow={field["jn_admin"].username}) == set()
    for device in (monitor.cold, field["camera"]):
        text = page_text(admin, f"/monitoring/devices/{device.pk}/")
        assert device.name in text
        assert leaked_codes(text, allow={field["jn_admin"].username}) == set()
    html = admin.get(f"/monitoring/devices/{monitor.cold.pk}/").content.decode()
    assert 'id="device-chart"' in html and "对食品生产经营者的监督检查" in html
    assert f'href="/records/subjects/{monitor.cold.subject_id}/"' in html
    # Its clues, with their rules and levels in words.
    clues = html.split('id="device-clues"')[1]
    assert "冷藏温度高于15℃" in clues and "冷藏温度持续高于8℃" in clues and zh("Red") in clues
    # A camera has no chart and no subject.
    camera = admin.get(f"/monitoring/devices/{field['camera'].pk}/").content.decode()
    assert 'id="device-chart"' not in camera


def test_another_citys_user_sees_no_device_or_clue_of_jinan(field, monitor):
    from jianguan.monitoring.models import Clue

    qd = zh_client(field["qd_officer"])
    own = Clue.objects.get(device=field["qd"], rule="gas_leak")
    for device in (monitor.cold, monitor.gas, monitor.effluent):
        assert qd.get(f"/monitoring/devices/{device.pk}/").status_code == 404
        assert qd.get(f"/monitoring/devices/{device.pk}/hours/").status_code == 404
    for clue in Clue.objects.exclude(device=field["qd"]):
        assert qd.get(f"/monitoring/clues/{clue.pk}/").status_code == 404
    assert qd.get(f"/monitoring/devices/{field['qd'].pk}/").status_code == 200
    assert qd.get(f"/monitoring/clues/{own.pk}/").status_code == 200
    numbers = column(exported(qd, "/monitoring/clues/"), "Number")
    assert sorted(numbers) == sorted(Clue.objects.filter(device=field["qd"]).values_list("number", flat=True))
    text = page_text(qd, "/monitoring/clues/", per_page=100)
    assert not any(c.number in text for c in Clue.objects.exclude(device=field["qd"]))
    # And the other way round: 济南 does not open Qingdao's device.
    assert zh_client(field["jn_admin"]).get(f"/monitoring/devices/{field['qd'].pk}/").status_code == 404
    assert zh_client(field["lixia"]).get(f"/monitoring/clues/{own.pk}/").status_code == 404


def test_chart_data_is_the_hourly_mean_with_its_band(field, monitor):
    from jianguan.monitoring.models import ReadingHour

    admin = zh_client(field["jn_admin"])
    data = admin.get(f"/monitoring/devices/{monitor.cold.pk}/hours/").json()
    assert data["days"] == 7 and len(data["categories"]) == 7 * 24 == len(data["mean"]) == len(data["min"])
    assert data["unit"] == "℃" and data["quantity"] == "温度（℃）" and data["empty"] is False
    hour = ReadingHour.objects.get(device=monitor.cold)
    index = data["categories"].index(timezone.localtime(hour.hour).strftime("%m-%d %H:00"))
    assert (data["min"][index], data["max"][index], data["count"][index]) == (4, 17, 6)
    assert data["mean"][index] == pytest.approx((4 + 5 + 16 + 17 + 12 + 11) / 6, abs=1e-3)
    assert sum(v is not None for v in data["mean"]) == 1  # every other hour is a gap
    month = admin.get(f"/monitoring/devices/{monitor.cold.pk}/hours/", {"days": 30}).json()
    assert month["days"] == 30 and len(month["categories"]) == 30 * 24
    assert admin.get(f"/monitoring/devices/{monitor.cold.pk}/hours/", {"days": "999"}).json()["days"] == 7
    # The page embeds the same data, the range chosen in its address.
    html = admin.get(f"/monitoring/devices/{monitor.cold.pk}/", {"days": 30}).content.decode()
    assert 'id="device-chart-data"' in html and '"days": 30' in html


def test_the_year_chart_sums_the_hours_to_local_days(field, monitor):
    """365 days from the hourly aggregates, one point per local day (Beijing time: the hour 16:00 UTC
    opens the next day), a day's count, sum, minimum and maximum over all its hours."""
    from jianguan.monitoring.services import load_history

    today = timezone.localdate()
    evening = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=200), dt.time(23, 30)))
    times = [evening - dt.timedelta(hours=2), evening, evening + dt.timedelta(hours=1)]  # the last one next day
    load_history(monitor.source, [(monitor.cold.code, "℃", times, [3.0, 9.0, 5.0])])
    data = zh_client(field["jn_admin"]).get(f"/monitoring/devices/{monitor.cold.pk}/hours/", {"days": 365}).json()
    assert data["days"] == 365 and len(data["categories"]) == 365 == len(data["mean"])
    week = zh_client(field["jn_admin"]).get(f"/monitoring/devices/{monitor.cold.pk}/hours/").json()
    assert data["categories"][-1] == f"{today:%Y-%m-%d}" and data["names"]["title"] != week["names"]["title"]
    assert data["names"]["caption"] != week["names"]["caption"]
    day = data["categories"].index(f"{evening:%Y-%m-%d}")
    assert (data["min"][day], data["max"][day], data["count"][day], data["mean"][day]) == (3.0, 9.0, 2, 6.0)
    assert (data["min"][day + 1], data["count"][day + 1]) == (5.0, 1)
    assert data["count"][day - 1] == 0 and data["mean"][day - 1] is None


# Clues


def test_clue_filters_sort_and_export_hold_the_scoped_filtered_rows(field, monitor):
    from jianguan.monitoring.models import Clue
    from jianguan.monitoring.permissions import visible_clues

    admin = zh_client(field["jn_admin"])
    mine = visible_clues(field["jn_admin"])

    def numbers(**params):
        return column(exported(admin, "/monitoring/clues/", **params), "Number")

    def expected(order=("-last_at", "pk"), **lookups):
        return list(mine.filter(**lookups).order_by(*order).values_list("number", flat=True))

    everything = numbers()
    assert sorted(everything) == sorted(expected()) and len(everything) == 5  # 2 + 1 + a blue per silent device
    assert not set(everything) & set(
        Clue.objects.filter(device__in=[field["qd"], monitor.effluent]).values_list("number", flat=True)
    )
    assert sorted(numbers(level="red")) == sorted(expected(level="red")) and len(numbers(level="red")) == 2
    assert sorted(numbers(rule="cold_chain_above_8")) == sorted(expected(rule="cold_chain_above_8")) != []
    assert numbers(state="closed") == []
    assert sorted(numbers(q="GAS-001")) == sorted(expected(device__code="GAS-001"))
    # Sorted by level, red first, then orange and blue (not by the names' alphabet).
    levels = column(exported(admin, "/monitoring/clues/", sort="level"), "Clue level")
    assert levels == [zh("Red"), zh("Red"), zh("Orange"), zh("Blue"), zh("Blue")]
    # Hit on a day: the silence clues were hit today, the readings' clues yesterday.
    today, yesterday = timezone.localdate(), timezone.localtime(monitor.t0).date()
    today_only = numbers(hit_on_after=today.isoformat(), hit_on_before=today.isoformat())
    assert sorted(today_only) == sorted(
        c.number for c in mine if timezone.localtime(c.last_at).date() >= today >= timezone.localtime(c.first_at).date()
    )
    assert "device_silent" in set(mine.filter(number__in=today_only).values_list("rule", flat=True))
    before = numbers(hit_on_before=(yesterday - dt.timedelta(days=1)).isoformat())
    assert before == []
    assert numbers(region="370103") == [] and sorted(numbers(region="370102")) == sorted(everything)
    assert sorted(numbers(department=str(monitor.cold.department_id))) == sorted(everything)
    # The screen's rows are the file's.
    body = table_body(admin, "/monitoring/clues/", "clues", level="red")
    assert all(n in body for n in numbers(level="red")) and not any(n in body for n in numbers(level="blue"))
    # The environment bureau sees its effluent monitor's clues only.
    env = column(exported(zh_client(field["env"]), "/monitoring/clues/"), "Number")
    assert sorted(env) == sorted(Clue.objects.filter(device=monitor.effluent).values_list("number", flat=True))
    # Rules, levels and states in words.
    rows = exported(admin, "/monitoring/clues/")
    assert set(column(rows, "Monitoring rule")) == {
        "冷藏温度高于15℃",
        "冷藏温度持续高于8℃",
        "可燃气体浓度达到报警值",
        "监测设备离线",
    }
    assert set(column(rows, "State")) == {zh("Open")}


def test_clue_pages_name_the_rule_its_basis_and_the_evidence(field, monitor):
    from jianguan.monitoring.models import Clue

    admin = zh_client(field["jn_admin"])
    text = page_text(admin, "/monitoring/clues/", per_page=100)
    assert "冷藏温度高于15℃" in text and zh("Red") in text
    assert leaked_codes(text, allow={field["jn_admin"].username}) == set()
    html = admin.get("/monitoring/clues/").content.decode()
    assert 'class="badge level-badge level-red"' in html and "level-orange" in html
    clue = Clue.objects.get(device=monitor.cold, rule="cold_chain_above_8")
    page = admin.get(f"/monitoring/clues/{clue.pk}/").content.decode()
    text = visible_text(page)
    assert "冷藏温度持续高于8℃" in text and "GB 31605-2020 食品冷链物流卫生规范 冷藏 0℃～8℃" in text
    assert leaked_codes(text, allow={field["jn_admin"].username}) == set()
    evidence = visible_text(page.split('id="clue-evidence"')[1].split("</table>")[0])
    assert "11" in evidence and "℃" in evidence
    assert timezone.localtime(monitor.t0 + dt.timedelta(minutes=50)).strftime("%Y-%m-%d %H:%M") in evidence
    assert f'href="/monitoring/devices/{monitor.cold.pk}/"' in page
    assert f'href="/records/subjects/{monitor.cold.subject_id}/"' in page
    # The subject's one-file view lists its clues, each linking to its page.
    file = admin.get(f"/records/subjects/{monitor.cold.subject_id}/").content.decode()
    assert zh("Monitoring clues") in file and f'href="/monitoring/clues/{clue.pk}/"' in file
    silent = Clue.objects.get(device=monitor.cold, rule="device_silent")
    text = page_text(admin, f"/monitoring/clues/{silent.pk}/")
    assert "平台规则：连续120分钟无数据" in text
    assert (
        timezone.localtime(monitor.cold.hours.get().hour + dt.timedelta(minutes=50)).strftime("%Y-%m-%d %H:%M") in text
    )


# Refused readings


def test_refused_readings_for_administrators_in_their_scope(field, monitor):
    from jianguan.monitoring.permissions import visible_refused

    admin = zh_client(field["jn_admin"])
    rows = exported(admin, "/monitoring/refused/")
    # Newest delivery first, then by position in it: the wrong unit, the unknown device, the malformed one.
    assert column(rows, "Device code") == ["CC-001", "NOPE-1", ""]
    assert sorted(column(rows, "Position")) == sorted(
        str(p) for p in visible_refused(field["jn_admin"]).values_list("position", flat=True)
    )
    assert column(exported(admin, "/monitoring/refused/", reason="wrong_unit"), "Device code") == ["CC-001"]
    assert column(exported(admin, "/monitoring/refused/", q="nope"), "Device code") == ["NOPE-1"]
    assert len(exported(admin, "/monitoring/refused/", source=str(monitor.source.pk))) == 4
    assert column(exported(admin, "/monitoring/refused/", sort="position"), "Position") == sorted(
        column(rows, "Position"), key=int
    )
    # Reasons in words; the payload escaped and cut short on screen, whole in the file.
    assert zh("No device in service with this code belongs to this source system.") in column(rows, "Reason")
    html = admin.get("/monitoring/refused/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"<script>alert(1)</script>"' in column(rows, "Original content")
    # "alert" is the sender's own text in the payload, shown as sent. (The reason filter offers the
    # detections' reasons too, in the intake's own words; the page is checked without that menu.)
    shown = re.sub(r'<select name="reason".*?</select>', "", html, flags=re.S)
    assert leaked_codes(visible_text(shown), allow={field["jn_admin"].username, "alert"}) == set()
    # 历下's administrator sees the reading naming its logger, not the source's others; officers and
    # another city see none; nobody without the role gets the menu entry.
    assert column(exported(zh_client(field["lixia_admin"]), "/monitoring/refused/"), "Device code") == ["CC-001"]
    assert len(exported(zh_client(field["lixia"]), "/monitoring/refused/")) == 1
    assert len(exported(zh_client(field["qd_officer"]), "/monitoring/refused/")) == 1


def test_a_detections_clue_shows_its_label_and_images_to_those_in_scope(field, monitor, setup, province):
    from jianguan.monitoring.models import BadReading, Clue, Detection
    from jianguan.monitoring.services import register_device
    from tests.monitoring.test_detections import b64, png

    kitchen = register_device(
        code="KIT-001",
        source=setup.source,
        kind="kitchen",
        name="后厨明厨亮灶摄像头",
        department=province.lixia_market,
        region="370102",
        subject=setup.subject,
    )
    image = png(77)
    body = {"device": kitchen.code, "time": monitor.at(30), "model": "kitchen-yolo", "model_version": "2026.11",
            "box": [10, 20, 30, 40], "image": b64(image)}  # fmt: skip
    response = monitor.client().post(
        "/api/v1/monitoring/detections",
        [{**body, "label": "rat", "confidence": 0.9}, {**body, "label": "unicorn", "confidence": 0.9}],
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["rejected"] == 1
    clue = Clue.objects.get(device=kitchen, rule="kitchen_rat")
    detection = Detection.objects.get(device=kitchen)
    admin = zh_client(field["jn_admin"])
    page = admin.get(f"/monitoring/clues/{clue.pk}/").content.decode()
    evidence = visible_text(page.split('id="clue-evidence"')[1].split("</table>")[0])
    assert "老鼠" in evidence and "后厨发现老鼠" in visible_text(page)
    assert f'src="/monitoring/detections/{detection.pk}/image/"' in page
    assert leaked_codes(visible_text(page), allow={field["jn_admin"].username}) == set()
    shot = admin.get(f"/monitoring/detections/{detection.pk}/image/")
    assert shot.status_code == 200 and b"".join(shot.streaming_content) == image
    assert shot["Content-Type"] == "image/png"
    device_page = admin.get(f"/monitoring/devices/{kitchen.pk}/").content.decode()
    assert "老鼠" in visible_text(device_page.split('id="device-detections"')[1].split("</table>")[0])
    # Qingdao opens neither the image nor the clue.
    qd = zh_client(field["qd_officer"])
    assert qd.get(f"/monitoring/detections/{detection.pk}/image/").status_code == 404
    assert qd.get(f"/monitoring/clues/{clue.pk}/").status_code == 404
    # The refused detection reads in the detections' wording, marked as such.
    refused = BadReading.objects.get(delivery__kind="detections")
    rows = exported(admin, "/monitoring/refused/", kind="detections")
    assert column(rows, "Device code") == ["KIT-001"] and refused.reason == "unknown_label"
    assert column(rows, "Reason") == [zh("The policy knows no such label for this kind of device.")]
    assert column(rows, "Sent as") == [zh("Detections")]
    assert len(exported(admin, "/monitoring/refused/", kind="readings")) == 4


# Menu and workbench


def test_menu_and_workbench_card(field, monitor):
    from jianguan.web.menu import menu_for

    def entries(user):
        return {str(link.label) for _group, links in menu_for(user) for link in links}

    assert {zh("Monitoring devices"), zh("Monitoring clues")} <= entries(field["lixia"])
    assert zh("Refused data") not in entries(field["lixia"])
    assert zh("Refused data") in entries(field["jn_admin"])
    assert zh("Monitoring clues") in entries(field["analyst"])
    html = zh_client(field["lixia"]).get("/").content.decode()
    card = html.split('id="panel-monitoring"')[1].split("</section>")[0]
    text = visible_text(card)
    # 历下 has five open clues: the two red ones first.
    from jianguan.monitoring.permissions import visible_clues

    red = list(visible_clues(field["lixia"]).filter(level="red").values_list("number", flat=True))
    positions = sorted((text.index(n), n) for n in visible_clues(field["lixia"]).values_list("number", flat=True))
    assert {n for _p, n in positions[:2]} == set(red)
    link = card.split('class="me-auto panel-link" href="/monitoring/devices/?offline=true">')[1].split("</a>")[0]
    assert link == zh("%(n)s devices offline", n=1)  # the logger; the gas sensor reported, the camera is retired
    assert leaked_codes(text) == set()
    # Qingdao's officer counts only its own clue and its offline sensor.
    qd = zh_client(field["qd_officer"]).get("/").content.decode()
    card = qd.split('id="panel-monitoring"')[1].split("</section>")[0]
    assert field["qd"].code in card and monitor.cold.code not in card
    assert "panel-monitoring" not in zh_client(field["analyst"]).get("/").content.decode()


def test_monitoring_help_page(field):
    text = page_text(zh_client(field["lixia"]), "/help/monitoring/")
    assert "非现场监管" in text and "离线" in text


def test_lists_read_in_a_fixed_number_of_queries(field, monitor, setup, province):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jianguan.monitoring.services import register_device

    admin = zh_client(field["jn_admin"])
    urls = ("/monitoring/devices/", "/monitoring/clues/", "/monitoring/refused/")

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert admin.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for n in range(5):
        device = register_device(
            code=f"CC-1{n:02d}", source=setup.source, kind="cold_chain", name=f"冷库{n}", department=province.lixia_market,
            region="370102", quantity="temperature", subject=setup.subject,
        )  # fmt: skip
        monitor.post([monitor.reading(device, 0, 16), monitor.reading(device, 1, 5, unit="°F")])
    assert counts() == before
