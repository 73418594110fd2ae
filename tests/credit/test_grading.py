"""Risk grades: a transparent indicator model, the same grades on every backend, explanations."""

import datetime as dt

import ibis
import pytest

from jianguan.credit.jobs import grading, load_model
from jianguan.credit.services import grade_subjects, ibis_backend
from jianguan.exchange.services import ingest

AS_OF = dt.date(2026, 11, 1)
SUBJECT_COLUMNS = ("id", "registration_date")
RECORD_COLUMNS = ("subject_id", "kind", "action_date", "result", "is_deleted")


@pytest.fixture
def history(setup, inspection, penalty, make_subject):
    """Four subjects: clean, one penalty, repeated problems and a coercion, and a new one."""
    from jianguan.subjects.models import Subject

    clean = setup.subject
    fined = make_subject("一次处罚有限公司")
    risky = make_subject("多次违法有限公司")
    new = make_subject("新设立有限公司", registration_date=dt.date(2026, 6, 1))
    Subject.objects.filter(pk__in=[clean.pk, fined.pk, risky.pk]).update(registration_date=dt.date(2015, 1, 1))

    def of(subject, record):
        return {**record, "subject_code": subject.uscc, "subject_name": subject.name}

    coercion = inspection("C1", kind="coercion", coercion_kind="1", measure_type="02")
    for name in ("form", "officers", "check_items"):
        coercion.pop(name)
    rows = [
        of(clean, inspection("I1")),
        of(fined, penalty("P1", "2026-05-06", ["02"], fine=3000)),
        of(risky, penalty("P2", "2025-05-06", ["02"], fine=30000)),
        of(risky, penalty("P3", "2026-05-06", ["05"])),
        of(risky, coercion),
        of(risky, inspection("I2", result="发现问题已责令改正")),
        of(risky, inspection("I3", result="发现问题待后续处理", action_date="2026-03-03")),
        of(
            risky,
            inspection("I4", action_date="2022-01-04", reported_at="2022-01-05T10:00:00+08:00", result="不配合检查"),
        ),
    ]
    batch = ingest(enumerate(rows, 1), source=setup.source, channel="api")
    assert batch.accepted == len(rows), list(batch.rows.values_list("errors", flat=True))
    return {"clean": clean, "fined": fined, "risky": risky, "new": new}


def test_a_grade_that_moves_is_published_once_with_the_indicators_that_moved(history):
    from jianguan.facts.models import Fact

    grade_subjects(AS_OF)
    first = {f.subject_id: f.payload for f in Fact.objects.filter(name="credit.grade_changed")}
    assert set(first) == {s.pk for s in history.values()}  # no grade before: every subject moved
    assert first[history["risky"].pk]["from"] == "" and first[history["risky"].pk]["to"] == "D"
    assert first[history["risky"].pk]["indicators"]["penalties"] == [0, 50]
    grade_subjects(AS_OF + dt.timedelta(days=1))  # nothing changed: no new fact
    assert Fact.objects.filter(name="credit.grade_changed").count() == len(history)
    # Five years on, the penalties left the window: the risky subject moves down, the reason named.
    grade_subjects(dt.date(2031, 11, 1))
    later = Fact.objects.filter(name="credit.grade_changed", subject_id=history["risky"].pk).order_by("-id").first()
    assert later.payload["from"] == "D" and later.payload["to"] != "D"
    assert later.payload["indicators"]["penalties"] == [50, 0] and later.payload["previous_score"] == 94


def _in_sqlite(subjects, records, model):
    """The same rows in a fresh SQLite database, typed as Django declares them."""
    import sqlite3

    raw = sqlite3.connect(":memory:")
    raw.execute("CREATE TABLE subjects_subject (id integer, registration_date date)")
    raw.execute(
        "CREATE TABLE records_record (subject_id integer, kind varchar, action_date date, result text, is_deleted bool)"
    )
    raw.executemany(
        "INSERT INTO subjects_subject VALUES (?, ?)",
        [(r["id"], r["registration_date"] and r["registration_date"].isoformat()) for r in subjects.to_pylist()],
    )
    raw.executemany(
        "INSERT INTO records_record VALUES (?, ?, ?, ?, ?)",
        [
            (r["subject_id"], r["kind"], r["action_date"].isoformat(), r["result"], r["is_deleted"])
            for r in records.to_pylist()
        ],
    )
    backend = ibis.sqlite.from_connection(raw)
    return grading(backend.table("subjects_subject"), backend.table("records_record"), AS_OF, model, "national")


def _rows(table):
    return sorted((r["subject_id"], r["score"], r["grade"]) for r in table.to_pyarrow().to_pylist())


def test_grades_and_their_explanations(history):
    from jianguan.credit.models import RiskGrade
    from jianguan.facts.services import deliver

    counts = grade_subjects(AS_OF)
    deliver()  # the register's grade follows the facts (after commit, or the sweeper)
    grades = {name: subject.__class__.objects.get(pk=subject.pk).risk_grade for name, subject in history.items()}
    # clean: no points → A; fined: 25 → C; risky: 2 penalties 50 + coercion 20 + 2 failed inspections 24 → D;
    # new: 10 → B (the 2022 inspection is outside the 3-year window).
    assert grades == {"clean": "A", "fined": "C", "risky": "D", "new": "B"}
    assert sum(counts.values()) == RiskGrade.objects.filter(as_of=AS_OF).count()
    risky = RiskGrade.objects.get(subject=history["risky"], as_of=AS_OF)
    assert risky.score == 94
    assert [e["indicator"] for e in risky.explanation] == ["penalties", "failed_inspections", "coercions"]
    assert RiskGrade.objects.get(subject=history["clean"], as_of=AS_OF).explanation == []


def test_shandong_scheme_has_five_grades(history):
    from jianguan.facts.services import deliver

    grade_subjects(AS_OF, scheme="shandong")
    deliver()
    risky = history["risky"].__class__.objects.get(pk=history["risky"].pk)
    assert risky.risk_grade == "E"


def test_the_same_grades_on_sqlite_postgresql_duckdb_and_pyspark(history, tmp_path):
    """The job on the operational database (SQLite or PostgreSQL, as the suite runs), on a fresh SQLite,
    on DuckDB and on PySpark in local mode gives the same scores and grades."""
    from pyspark.sql import SparkSession

    model = load_model()
    operational = ibis_backend()
    subjects = operational.table("subjects_subject").select(*SUBJECT_COLUMNS).to_pyarrow()
    records = operational.table("records_record").select(*RECORD_COLUMNS).to_pyarrow()
    expected = _rows(
        grading(operational.table("subjects_subject"), operational.table("records_record"), AS_OF, model, "national")
    )
    assert len(expected) == 4
    results = {}
    duckdb = ibis.duckdb.connect()
    expression = grading(ibis.memtable(subjects), ibis.memtable(records), AS_OF, model, "national")
    results["duckdb"] = sorted(
        (r["subject_id"], r["score"], r["grade"]) for r in duckdb.to_pyarrow(expression).to_pylist()
    )
    results["sqlite"] = _rows(_in_sqlite(subjects, records, model))
    session = (
        SparkSession.builder.master("local[1]")
        .appName("jianguan-grading-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(tmp_path / "spark-warehouse"))
        .getOrCreate()
    )
    try:
        # Temporary views: nothing is written to a warehouse.
        session.createDataFrame(subjects.to_pandas()).createOrReplaceTempView("subjects_subject")
        session.createDataFrame(records.to_pandas()).createOrReplaceTempView("records_record")
        spark = ibis.pyspark.connect(session)
        results["pyspark"] = _rows(
            grading(spark.table("subjects_subject"), spark.table("records_record"), AS_OF, model, "national")
        )
    finally:
        session.stop()
    for name, rows in results.items():
        assert rows == expected, name
