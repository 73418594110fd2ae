"""Shared fixtures: a small province built through the services, and users for every role."""

import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("JIANGUAN_VAR_DIR", tempfile.mkdtemp(prefix="jianguan-test-"))
os.environ.setdefault("JIANGUAN_TASKS_IMMEDIATE", "true")

import datetime as dt  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402

PASSWORD = "Test-pass-2026!"


@dataclass
class Province:
    market: object  # 山东省市场监督管理局 (370000)
    jn_market: object  # 济南市市场监督管理局 (370100)
    lixia_market: object  # 历下区市场监督管理局 (370102), under jn_market
    jn_office_qd: object  # a jn_market unit located in 青岛 (370202): own department, other region
    qd_market: object  # 青岛市市场监督管理局 (370200)
    shinan_market: object  # 市南区市场监督管理局 (370202), under qd_market
    env: object  # 山东省生态环境厅 (370000)
    jn_env: object  # 济南市生态环境局 (370100): other department, own region
    scjg: object
    sthj: object


@pytest.fixture(autouse=True)
def fresh_policies():
    """Policy reads are cached per process for a few seconds; each test starts from its own database."""
    from jianguan.platform.policies import forget

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Users are created in most tests; Argon2 takes ~0.1 s per password. Tests marked real_hashing keep it."""
    if request.node.get_closest_marker("real_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(db):
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.platform.services import create_department, ensure_sector

    region = Region.objects.get
    scjg = ensure_sector("scjg", "市场监管")
    sthj = ensure_sector("sthj", "生态环境")

    def dept(name, code, sector, parent=None, serial=1):
        uscc = uscc_with_check(f"11{code}{serial:08d}1")
        return create_department(name=name, region=region(code=code), sector=sector, parent=parent, uscc=uscc)

    market = dept("山东省市场监督管理局", "370000", scjg, serial=1)
    jn_market = dept("济南市市场监督管理局", "370100", scjg, market, 2)
    lixia = dept("济南市历下区市场监督管理局", "370102", scjg, jn_market, 3)
    office = dept("济南市市场监督管理局驻青岛办事处", "370202", scjg, jn_market, 4)
    qd_market = dept("青岛市市场监督管理局", "370200", scjg, market, 5)
    shinan = dept("青岛市市南区市场监督管理局", "370202", scjg, qd_market, 6)
    env = dept("山东省生态环境厅", "370000", sthj, serial=7)
    jn_env = dept("济南市生态环境局", "370100", sthj, env, 8)
    return Province(market, jn_market, lixia, office, qd_market, shinan, env, jn_env, scjg, sthj)


@pytest.fixture
def make_user(province):
    from jianguan.accounts.services import create_user, grant_role

    counter = {"n": 0}

    def make(role=None, department=None, region=None, department_scope=None, region_scope=None, **kwargs):
        counter["n"] += 1
        department = department if department is not None else province.jn_market
        user = create_user(
            f"user{counter['n']}",
            PASSWORD,
            display_name=f"测试用户{counter['n']}",
            department=department,
            region=region or department.region,
            **kwargs,
        )
        if role:
            grant_role(user, role, department_scope=department_scope, region_scope=region_scope)
        return user

    return make


@pytest.fixture
def admin_user(make_user, province):
    return make_user("platform_admin", department=province.market)


def subject_row(name, county_code, serial, **extra):
    from jianguan.core.codes import uscc_with_check

    row = {"name": name, "uscc": uscc_with_check(f"91{county_code}MA{serial:07d}"), "region_code": county_code}
    row.update(extra)
    return row


@pytest.fixture
def make_subject(db):
    from jianguan.subjects.schemas import SubjectIn
    from jianguan.subjects.services import register_subject

    counter = {"n": 0}

    def make(name=None, county="370102", **extra):
        counter["n"] += 1
        return register_subject(
            SubjectIn(**subject_row(name or f"测试企业{counter['n']}有限公司", county, counter["n"], **extra))
        )

    return make


@pytest.fixture
def make_officer(province):
    from jianguan.officers.schemas import OfficerIn
    from jianguan.officers.services import register_officer

    counter = {"n": 0}

    def make(department=None, name=None, sectors=("scjg",)):
        counter["n"] += 1
        return register_officer(
            OfficerIn(
                name=name or f"执法员{counter['n']}",
                certificate_no=f"CERT{counter['n']:06d}",
                department=str((department or province.lixia_market).pk),
                sectors=list(sectors),
                certificate_valid_until=dt.date(2028, 12, 31),
            )
        )

    return make


def set_audit_triggers(on: bool) -> None:
    """Turn the append-only triggers on or off (tests only: a flush between tests must empty the table)."""
    from django.db import connection

    from jianguan.audit.migrations import _append_only as sql

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE audit_auditevent {'ENABLE' if on else 'DISABLE'} TRIGGER USER")
        else:
            for statement in sql.SQLITE_BACKWARD:
                cursor.execute(statement)
            if on:
                for statement in sql.SQLITE_SEALABLE:
                    cursor.execute(statement)


@pytest.fixture
def flushable_audit(transactional_db):
    set_audit_triggers(True)
    yield
    set_audit_triggers(False)


@pytest.fixture(autouse=True)
def exports_inline(settings):
    """Long exports run inline in tests (the thread beside the request has its own test)."""
    settings.EXPORTS_INLINE = True


CHROMIUM = os.environ.get("JIANGUAN_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()


def log_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Log `username` in through the login page of a live server and wait for the workbench."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#workbench")


# Browser tests keep their screenshots here (CI keeps the folder; the user guide links to them).
SCREENSHOTS = Path(
    os.environ.get("JIANGUAN_SCREENSHOTS", Path(__file__).resolve().parent.parent / "var" / "screenshots")
)


@pytest.fixture
def screenshot():
    """screenshot(page, "name", width=1400): a full-page PNG of the page at that width, in SCREENSHOTS."""

    def take(page, name: str, *, width: int = 1400, height: int = 900) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": width, "height": height})
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# ---------------------------------------------------------------- supervision records: an item, officers, a source


@dataclass
class Setup:
    item: object
    officers: list
    source: object
    token: str
    subject: object


@pytest.fixture
def setup(province, make_officer, make_subject):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.exchange.services import register_source

    item = create_item(
        SupervisionItemIn(
            code="37010001000000",
            name="对食品生产经营者的监督检查",
            department=str(province.market.pk),
            sector_code="scjg",
            effective_from=dt.date(2020, 1, 1),
            effective_to=dt.date(2030, 12, 31),
        )
    )
    officers = [
        make_officer(name="王执法"),
        make_officer(name="李执法"),
        make_officer(name="环保员", sectors=("sthj",)),
    ]
    source, token = register_source("jn-case", "济南市场监管执法办案系统", province.jn_market)
    return Setup(item, officers, source, token, make_subject("济南历下测试食品有限公司"))


@pytest.fixture
def inspection(setup, province):
    """A valid inspection record as a department system sends it; pass overrides."""

    def make(source_id="INS-1", **overrides):
        record = {
            "kind": "inspection",
            "source_id": source_id,
            "item_code": setup.item.code,
            "department": province.lixia_market.uscc,
            "subject_nature": "2",
            "subject_id_type": "001",
            "subject_code": setup.subject.uscc,
            "subject_name": setup.subject.name,
            "region": "370102",
            "action_date": "2026-03-02",
            "reported_at": "2026-03-04T10:00:00+08:00",
            "form": "01",
            "result": "未发现问题",
            "officers": [{"name": o.name, "certificate_no": o.certificate_no} for o in setup.officers[:2]],
            "check_items": [{"code": "0101", "result": "合格"}, {"code": "0102", "result": "不合格"}],
        }
        record.update(overrides)
        return record

    return make


@pytest.fixture
def penalty(setup, inspection):
    """A valid penalty record: pass its id, decision date, kinds (and procedure, fine)."""

    def make(source_id, decided, kinds, procedure="02", fine=None):
        record = inspection(source_id, kind="penalty")
        for name in ("form", "officers", "check_items"):
            record.pop(name)
        record.update(
            facts="违法事实",
            basis="处罚依据",
            procedure=procedure,
            decision_no=f"罚〔{decided[:4]}〕{source_id}号",
            kinds=kinds,
            action_date=decided,
            reported_at=f"{decided}T16:00:00+08:00",
        )
        if fine is not None:
            record["fine_amount"] = str(fine)
        return record

    return make


@pytest.fixture
def standin(tmp_path):
    """The national system's stand-in receiver on a free local port, in a thread (see exchange.standin)."""
    import threading

    from jianguan.exchange.standin import serve

    server = serve("127.0.0.1", 0, str(tmp_path / "standin.sqlite3"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
