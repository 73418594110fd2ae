"""Learned risk targeting: the evaluation metrics by hand, the history features, the CLI contract."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.credit.targeting import evaluate_order, history_features


def test_metrics_by_hand():
    # Eight test inspections on eight days; failures on days 2, 5, 7 and 8 (of the real order).
    dates = pd.to_datetime([f"2014-01-0{d}" for d in range(1, 9)])
    test = pd.DataFrame({"date": dates, "failed": [0, 1, 0, 0, 1, 0, 1, 1]}, index=range(10, 18))
    # Scores put the failures of days 8, 7 and 5 first, then day 1, then the rest.
    scores = np.array([0.5, 0.3, 0.2, 0.1, 0.7, 0.05, 0.8, 0.9])
    model, real, counts = evaluate_order(test, scores)
    # The median date is day 4: the first half holds 4 inspections, with 1 of the 4 failures in reality.
    assert counts["first_half_inspections"] == 4 and counts["test_failures"] == 4
    assert real.first_half_share == 0.25
    # By score the first four are days 8, 7, 5 and 1: three failures of four.
    assert model.first_half_share == 0.75
    # Days 8, 7, 5 move to days 1, 2, 3 (7, 5 and 2 days earlier); day 2 is fifth, so moves to day 5
    # (3 days later): (7 + 5 + 2 - 3) / 4 = 2.75.
    assert model.days_earlier == 2.75


def test_history_features_see_only_earlier_days():
    frame = pd.DataFrame(
        {
            "subject_id": ["a", "a", "a", "b", "a"],
            "date": pd.to_datetime(["2014-01-01", "2014-02-01", "2014-02-01", "2014-02-01", "2014-03-11"]),
            "failed": [1, 0, 1, 0, 0],
        }
    )
    features = history_features(frame)
    assert features["past_inspections"].tolist() == [0, 1, 1, 0, 3]
    assert features["past_failures"].tolist() == [0, 1, 1, 0, 2]
    assert features["days_since_last"].tolist()[:3] == [3650, 31, 31] and features["days_since_last"].iloc[4] == 38


@pytest.fixture
def tiny_history(tmp_path):
    rng = np.random.default_rng(7)
    rows = []
    for subject in range(200):
        risky = subject % 4 == 0
        for month in range(1, 13):
            day = pd.Timestamp(2013, month, 1 + (subject % 27))
            failed = int(rng.random() < (0.6 if risky else 0.08))
            rows.append(
                {
                    "licence": f"L{subject}",
                    "when": day.date().isoformat(),
                    "criticals": failed * 2,
                    "kind": "restaurant" if subject % 2 else "grocery",
                    "free_text": f"note {subject}-{month}",
                    "inspector": f"I{rng.integers(5)}",
                }
            )
    path = tmp_path / "history.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_cli_on_a_generic_history(tiny_history):
    out = io.StringIO()
    call_command(
        "risk",
        "evaluate",
        "--history",
        str(tiny_history),
        "--rename",
        "licence=subject_id",
        "--rename",
        "when=date",
        "--failed-from",
        "criticals",
        "--drop",
        "criticals",
        "--test-from",
        "2013-10-01",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {
        "model_first_half_share",
        "real_first_half_share",
        "days_earlier",
        "baseline_first_half_share",
        "baseline_days_earlier",
        "test_inspections",
        "test_failures",
    } <= set(result)
    assert result["test_inspections"] == 600
    assert "free_text" in result["ignored_columns"]  # an unusable column is ignored, not an error
    # The risky quarter fails most: ranking by history must beat the real order clearly.
    assert result["model_first_half_share"] > result["real_first_half_share"] + 0.2


def test_cli_explains_a_history_without_the_required_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="subject_id"):
        call_command("risk", "evaluate", "--history", str(path), "--test-from", "2014-01-01", stdout=io.StringIO())


def test_ranking_on_the_platforms_own_records(setup, inspection, make_subject):
    from django.utils import timezone

    from jianguan.credit.targeting import platform_history, rank_subjects
    from jianguan.exchange.services import ingest

    repeat = make_subject("屡查屡犯有限公司")
    clean = [make_subject(f"守法经营{n}有限公司") for n in range(6)]
    rows = []
    for month in range(1, 11):
        day = f"2026-{month:02d}-0{5 if month != 10 else 6}"
        reported = f"{day}T18:00:00+08:00"
        rows.append(
            {
                **inspection(f"R{month}", action_date=day, reported_at=reported, result="发现问题已责令改正"),
                "subject_code": repeat.uscc,
                "subject_name": repeat.name,
            }
        )
        for n, subject in enumerate(clean):
            rows.append(
                {
                    **inspection(f"C{n}-{month}", action_date=day, reported_at=reported),
                    "subject_code": subject.uscc,
                    "subject_name": subject.name,
                }
            )
    batch = ingest(enumerate(rows, 1), source=setup.source, channel="api")
    assert batch.accepted == len(rows)
    history = platform_history()
    assert len(history) == len(rows) and history["failed"].sum() == 10
    ranked = rank_subjects(history, timezone.localdate(), top=3)
    assert int(ranked.iloc[0]["subject_id"]) == repeat.pk
