"""The public side of a draw: the commitment is public before the pool is frozen; after the draw a record
that anyone recomputes offline with verify_draw.py (standard library only), without any subject's grade."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

import jianguan.spotcheck.verify_draw as verifier
from jianguan.core.pii import decrypt
from jianguan.spotcheck.models import Task
from jianguan.spotcheck.services import subject_verification_code

SCRIPT = Path(verifier.__file__)


def _run(record: dict, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    # -I -S: no site packages and no project on the path, as on a citizen's computer.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(path), *extra], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def committed(province, make_subject, make_officer):
    import datetime as dt

    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed, create_plan

    create_item(
        SupervisionItemIn(
            code="37010001050000",
            name="对食品经营者的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    for n in range(30):
        make_subject(f"公开记录对象{n:02d}有限公司", county="370102", industry_code="H6210")
    for _ in range(4):
        make_officer(department=province.lixia_market)
    plan = create_plan(province.jn_market, 2026, "公开抽取计划")
    batch = add_batch(
        plan,
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=["37010001050000"],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.2}},
    )
    approve_batch(batch)
    assert Client().get(f"/public/spotchecks/{batch.pk}/").status_code == 404  # no commitment yet
    commit_seed(batch)
    batch.refresh_from_db()
    return batch


def test_the_commitment_is_public_before_the_draw(committed):
    visitor = Client()
    page = visitor.get(f"/public/spotchecks/{committed.pk}/").content.decode()
    assert committed.seed_hash in page and committed.blind_hash in page
    assert 'id="not-drawn"' in page and 'id="public-committed-at"' in page
    assert committed.committed_at.astimezone().strftime("%Y-%m-%d") in page
    assert decrypt(committed.seed_sealed) not in page and decrypt(committed.blind_sealed) not in page
    assert "H62" in page  # the pool's filter is part of what is committed
    listing = visitor.get("/public/spotchecks/").content.decode()
    assert f"/public/spotchecks/{committed.pk}/" in listing
    assert visitor.get(f"/public/spotchecks/{committed.pk}/draw-record.json").status_code == 404


@pytest.fixture
def record(committed):
    from jianguan.spotcheck.services import draw_batch

    draw_batch(committed, public_entropy="体彩 2026-100 01 07 13 22 30")
    response = Client().get(f"/public/spotchecks/{committed.pk}/draw-record.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_offline_script_recomputes_the_published_draw(record, committed, tmp_path):
    done = _run(record, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: 6 of 30 subjects drawn")
    drawn = {s["code"] for s in record["drawn_subjects"]}
    tasks = Task.objects.filter(draw__batch=committed).select_related("subject", "draw__batch")
    assert drawn == {t.subject.uscc for t in tasks}
    # Each drawn subject's own code opens its pseudonym among the drawn ones.
    for task in tasks:
        opened = _run(record, tmp_path, "--subject", task.subject.uscc, "--code", subject_verification_code(task))
        assert opened.returncode == 0, opened.stdout
    call_command("spotcheck", "verify", "--file", str(tmp_path / "record.json"))


def test_no_subject_or_grade_can_be_read_from_the_pool(record, committed):
    from jianguan.subjects.models import Subject

    pool_text = json.dumps(record["strata"]) + json.dumps(record["selection"])
    assert not any(s.uscc in pool_text for s in Subject.objects.all())
    assert all(set(s) == {"name", "code"} for s in record["drawn_subjects"])


@pytest.mark.parametrize(
    "tamper",
    [
        "swap a pool member",
        "drop a pool member",
        "change the selection",
        "change the seed",
        "change the entropy",
        "name another subject",
    ],
)
def test_the_offline_script_fails_on_a_tampered_record(record, tmp_path, tamper):
    members = record["strata"]["B"]["members"]
    chosen = record["selection"]["B"]
    if tamper == "swap a pool member":
        outsider = next(m for m in members if m not in chosen)
        members[members.index(outsider)] = "0" * 32
    elif tamper == "drop a pool member":
        members.remove(next(m for m in members if m not in chosen))
    elif tamper == "change the selection":
        chosen[0] = next(m for m in members if m not in chosen)
    elif tamper == "change the seed":
        record["seed"] = "f" * 64
    elif tamper == "change the entropy":
        record["public_entropy"] += "x"
    elif tamper == "name another subject":
        record["drawn_subjects"].append({"name": "另一家公司", "code": "91370102MA00000000"})
    done = _run(record, tmp_path)
    assert done.returncode == 1 and "FAILED" in done.stdout, done.stdout
    with pytest.raises(CommandError):
        call_command("spotcheck", "verify", "--file", str(tmp_path / "record.json"))


def test_a_wrong_subject_code_does_not_open_a_pseudonym(record, committed, tmp_path):
    task = Task.objects.filter(draw__batch=committed).select_related("subject", "draw__batch").first()
    done = _run(record, tmp_path, "--subject", task.subject.uscc, "--code", "0" * 64)
    assert done.returncode == 1
