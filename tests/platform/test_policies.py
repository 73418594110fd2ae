"""Policies in one form: every registered policy has a schema that checks its shipped default and
each new version; a bad version is refused with field errors in both languages and writes nothing;
the newest version is what readers get; platform administrators publish on their own screen."""

import json

import pytest
from django.test import Client

from jianguan.audit.models import AuditEvent
from jianguan.core.errors import DomainError
from jianguan.core.models import PolicyDocument
from jianguan.credit.jobs import load_model
from jianguan.platform.policies import current_policy, publish_policy, registered
from jianguan.spotcheck.policy import default_quotas
from tests.html_forms import classes, text

EXPECTED = {"complaints", "joint", "rectification", "spotcheck", "credit.risk_model", "credit.lists", "records"}


def test_every_rule_a_deployment_may_change_is_a_registered_policy():
    assert {name for name, _label in registered()} >= EXPECTED


@pytest.mark.parametrize(
    ("name", "change", "field"),
    [
        ("spotcheck", lambda d: d["default_quotas"]["C"].update(ratio=1.5), "default_quotas.C.ratio"),
        ("spotcheck", lambda d: d.update(publish_within_working_days=0), "publish_within_working_days"),
        ("spotcheck", lambda d: d.update(plan_due=[2, 30]), "__all__"),
        ("credit.lists", lambda d: d.update(serious_years=0), "serious_years"),
        ("records", lambda d: d.update(timely_within_working_days="七"), "timely_within_working_days"),
        ("credit.risk_model", lambda d: d["schemes"]["national"]["grades"].reverse(), "schemes.national"),
        (
            "credit.risk_model",
            lambda d: d["dimensions"][0]["indicators"][0].update(cap=0),
            "dimensions.0.indicators.0.cap",
        ),
        ("joint", lambda d: d.update(assistance_default_working_days=60), "__all__"),
        ("complaints", lambda d: d.pop("surges"), "surges"),
        ("rectification", lambda d: d.update(unknown_entry=1), "unknown_entry"),
    ],
)
def test_a_bad_version_is_refused_with_bilingual_field_errors(db, admin_user, name, change, field):
    data = json.loads(json.dumps(current_policy(name)))
    change(data)
    with pytest.raises(DomainError) as refused:
        publish_policy(name, data, "试改", admin_user)
    body = refused.value.as_body()
    assert body["code"] == "invalid_policy"
    assert field in [e["field"] for e in body["errors"]], body["errors"]
    assert all(e["message"] and e["message_en"] for e in body["errors"])
    assert not PolicyDocument.objects.exists() and not AuditEvent.objects.filter(action="core.publish_policy").exists()


def test_a_new_version_is_what_readers_get_and_is_audited(db, admin_user):
    model = load_model()
    model["dimensions"][2]["indicators"][0]["points"] = 30
    model["version"] = "v2"
    publish_policy("credit.risk_model", model, "处罚权重由 25 调为 30", admin_user)
    assert load_model()["version"] == "v2" and load_model()["dimensions"][2]["indicators"][0]["points"] == 30
    quotas = current_policy("spotcheck")
    quotas["default_quotas"]["D"]["ratio"] = 0.5
    publish_policy("spotcheck", quotas, "D 级抽查比例降为 50%", admin_user)
    assert default_quotas()["D"]["ratio"] == 0.5
    assert AuditEvent.objects.filter(action="core.publish_policy").count() == 2


def test_platform_administrators_publish_on_the_policies_screen(db, province, admin_user, make_user):
    staff = Client()
    staff.force_login(admin_user)
    listing = staff.get("/policies/").content.decode()
    assert "信用风险分类模型" in listing and "双随机抽查" in listing
    page = staff.get("/policies/spotcheck/")
    assert page.status_code == 200 and "default_quotas" in page.content.decode()
    broken = staff.post("/policies/spotcheck/", {"data": "{不是 JSON", "note": "试"})
    assert broken.status_code == 200 and "is-invalid" in classes(broken.content.decode(), "id_data")
    assert "JSON（第 1 行第 2 列）" in text(broken.content.decode(), "error-data")
    assert "{不是 JSON" in text(broken.content.decode(), "id_data")  # the text comes back to be corrected
    data = current_policy("spotcheck")
    data["publish_within_working_days"] = 999
    refused = staff.post("/policies/spotcheck/", {"data": json.dumps(data), "note": "试"})
    assert refused.status_code == 200 and "is-invalid" in classes(refused.content.decode(), "id_data")
    assert text(refused.content.decode(), "error-data").startswith("publish_within_working_days: ")
    assert "is-invalid" not in classes(refused.content.decode(), "id_note")
    assert not PolicyDocument.objects.exists()
    both = staff.post("/policies/spotcheck/", {"data": json.dumps(data), "note": ""}).content.decode()
    assert "is-invalid" in classes(both, "id_data") and "is-invalid" in classes(both, "id_note")  # all at once
    data["publish_within_working_days"] = 15
    done = staff.post("/policies/spotcheck/", {"data": json.dumps(data), "note": "缩短公示期限"})
    assert done.status_code == 302
    assert current_policy("spotcheck")["publish_within_working_days"] == 15
    officer = Client()
    officer.force_login(make_user("officer", department=province.lixia_market))
    assert officer.get("/policies/").status_code == 404
    assert officer.post("/policies/spotcheck/", {"data": json.dumps(data), "note": "x"}).status_code == 404


def test_control_characters_and_an_overlong_reason_are_refused_and_nothing_is_written(db, admin_user):
    data = current_policy("rectification")
    with pytest.raises(DomainError) as nul:
        publish_policy("rectification", {**data, "source": "来源\x00"}, "理由", admin_user)
    assert nul.value.as_body()["errors"][0]["field"] == "source"
    with pytest.raises(DomainError) as long:
        publish_policy("rectification", data, "理" * 301, admin_user)
    assert long.value.code == "reason_invalid" and "300" in long.value.as_body()["message"]
    with pytest.raises(DomainError):
        publish_policy("rectification", data, "理由\x07", admin_user)
    assert not PolicyDocument.objects.exists()
    assert publish_policy("rectification", data, "理" * 300, admin_user).note == "理" * 300


@pytest.mark.parametrize(
    ("note", "field"),
    [("", "note"), ("理" * 301, "note"), ("理由\x07", "note")],
)
def test_a_missing_overlong_or_broken_reason_is_an_error_beside_the_reason(db, admin_user, note, field):
    staff = Client()
    staff.force_login(admin_user)
    data = json.dumps(current_policy("rectification"))
    page = staff.post("/policies/rectification/", {"data": data, "note": note})
    html = page.content.decode()
    assert page.status_code == 200 and "is-invalid" in classes(html, f"id_{field}")
    assert text(html, f"error-{field}") and "is-invalid" not in classes(html, "id_data")
    assert not PolicyDocument.objects.exists() and not AuditEvent.objects.filter(action="core.publish_policy").exists()


def test_a_version_that_is_not_an_object_or_holds_a_control_character_is_refused_beside_the_document(db, admin_user):
    staff = Client()
    staff.force_login(admin_user)
    listed = staff.post("/policies/rectification/", {"data": "[1, 2]", "note": "试"})
    assert listed.status_code == 200 and "is-invalid" in classes(listed.content.decode(), "id_data")
    data = {**current_policy("rectification"), "source": "来源\u0000"}
    nul = staff.post("/policies/rectification/", {"data": json.dumps(data), "note": "试"})
    assert nul.status_code == 200 and text(nul.content.decode(), "error-data").startswith("source: ")
    assert not PolicyDocument.objects.exists()
