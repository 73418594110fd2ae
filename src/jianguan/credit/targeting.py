"""Learned risk targeting: score inspections by their chance of a failure, evaluated as Chicago did.

The input is a generic inspection history: one row per inspection with `subject_id`, `date` and
`failed` (0/1); any other column is an attribute of the inspection or its subject, known before
it. The feature builder derives each subject's history at every inspection from strictly earlier
rows (so nothing leaks from the future), keeps usable attributes (numeric ones, and categorical
ones of modest cardinality) and ignores the rest. The model is gradient boosting with monotone
constraints on the history (more past failures never lowers the risk); the baseline is a plain
logistic regression on the history features alone.

Evaluation (Chicago's published protocol): train on inspections before a date, score a later
period, order its inspections by score and compare with the real order: the share of failures
found in the first half of the period, and the mean number of days by which failures would have
been found earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jianguan.credit.jobs import indicators, load_model
from jianguan.records.models import Record

HISTORY_FEATURES = [
    "past_inspections",
    "past_failures",
    "past_failure_rate",
    "days_since_last",
    "days_since_first",
    "first_inspection",
]
# Monotone in the risk: +1 rises with it, 0 unconstrained.
MONOTONE = {"past_failures": 1, "past_failure_rate": 1}
MAX_CATEGORIES = 30
MAX_UNIQUE_SHARE = 0.2  # a text column with more distinct values than this share of rows is an identifier


def load_history(path: str, rename: dict[str, str] | None = None, failed_from: str | None = None) -> pd.DataFrame:
    frame = pd.read_csv(path, low_memory=False)
    if rename:
        frame = frame.rename(columns=rename)
    if failed_from:
        frame["failed"] = (pd.to_numeric(frame[failed_from], errors="coerce").fillna(0) > 0).astype(int)
    missing = [c for c in ("subject_id", "date", "failed") if c not in frame.columns]
    if missing:
        raise ValueError(f"the history lacks the columns {', '.join(missing)} (required: subject_id, date, failed)")
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    frame = frame.dropna(subset=["date", "subject_id"])
    frame["failed"] = pd.to_numeric(frame["failed"], errors="coerce").fillna(0).clip(0, 1).astype(int)
    return frame.sort_values(["date", "subject_id"], kind="mergesort").reset_index(drop=True)


def history_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Each inspection's subject history from strictly earlier inspections (same-day ones excluded)."""
    out = pd.DataFrame(index=frame.index)
    grouped = frame.groupby("subject_id", sort=False)
    # Inspections of the same subject on the same day do not see each other.
    day_key = frame["subject_id"].astype(str) + "|" + frame["date"].dt.strftime("%Y%m%d")
    prior_count = grouped.cumcount()
    prior_failed = grouped["failed"].cumsum() - frame["failed"]
    same_day_rank = frame.groupby(day_key).cumcount()
    same_day_failed_before = frame.groupby(day_key)["failed"].cumsum() - frame["failed"]
    out["past_inspections"] = (prior_count - same_day_rank).astype(float)
    out["past_failures"] = (prior_failed - same_day_failed_before).astype(float)
    out["past_failure_rate"] = np.where(
        out["past_inspections"] > 0, out["past_failures"] / out["past_inspections"].clip(lower=1), 0.0
    )
    days = frame[["subject_id", "date"]].drop_duplicates().sort_values(["subject_id", "date"], kind="mergesort")
    days["previous"] = days.groupby("subject_id")["date"].shift(1)
    last = frame[["subject_id", "date"]].merge(days, on=["subject_id", "date"], how="left")["previous"]
    last.index = frame.index
    out["days_since_last"] = (frame["date"] - last).dt.days.fillna(3650).clip(upper=3650).astype(float)
    first = grouped["date"].transform("min")
    out["days_since_first"] = (frame["date"] - first).dt.days.astype(float)
    out["first_inspection"] = (out["past_inspections"] == 0).astype(float)
    return out


@dataclass
class Attributes:
    numeric: list[str]
    categorical: dict[str, list[str]]  # column → categories kept
    ignored: list[str]


def choose_attributes(train: pd.DataFrame, drop: set[str]) -> Attributes:
    numeric, categorical, ignored = [], {}, []
    for column in train.columns:
        if column in {"subject_id", "date", "failed"} or column in drop:
            continue
        series = train[column]
        if pd.api.types.is_numeric_dtype(series) and series.notna().any():
            numeric.append(column)
            continue
        values = series.dropna().astype(str)
        if values.empty or values.nunique() > max(MAX_CATEGORIES * 10, MAX_UNIQUE_SHARE * len(train)):
            ignored.append(column)
            continue
        categorical[column] = values.value_counts().index[:MAX_CATEGORIES].tolist()
    return Attributes(numeric, categorical, ignored)


def design(
    frame: pd.DataFrame, history: pd.DataFrame, attributes: Attributes, medians: dict[str, float]
) -> pd.DataFrame:
    parts = [history[HISTORY_FEATURES]]
    if attributes.numeric:
        numeric = frame[attributes.numeric].apply(pd.to_numeric, errors="coerce")
        parts.append(numeric.fillna(medians))
    for column, categories in attributes.categorical.items():
        values = frame[column].astype(str)
        parts.append(
            pd.DataFrame({f"{column}={c}": (values == c).astype(float) for c in categories}, index=frame.index)
        )
    return pd.concat(parts, axis=1)


@dataclass
class Ranking:
    first_half_share: float
    days_earlier: float


def evaluate_order(test: pd.DataFrame, scores: np.ndarray) -> tuple[Ranking, Ranking, dict[str, Any]]:
    """Chicago's comparison: the real order of the test period against the order by score."""
    dates = test["date"].sort_values(kind="mergesort").to_numpy()
    median = np.sort(test["date"].to_numpy())[(len(test) - 1) // 2]
    first_half = int((test["date"] <= median).sum())
    failures = int(test["failed"].sum())
    real_share = float(test.loc[test["date"] <= median, "failed"].sum() / failures) if failures else 0.0
    order = np.argsort(-scores, kind="mergesort")
    by_score = test.iloc[order]
    model_share = float(by_score["failed"].iloc[:first_half].sum() / failures) if failures else 0.0
    # The k-th riskiest inspection takes the k-th earliest date of the period.
    simulated = pd.Series(dates, index=by_score.index)
    failed = by_score["failed"] == 1
    days = (by_score.loc[failed, "date"] - simulated[failed]).dt.days
    counts = {
        "test_inspections": len(test),
        "test_failures": failures,
        "first_half_inspections": first_half,
        "split_date": pd.Timestamp(median).date().isoformat(),
    }
    return Ranking(model_share, float(days.mean()) if len(days) else 0.0), Ranking(real_share, 0.0), counts


def evaluate(
    frame: pd.DataFrame, test_from: dt.date, test_to: dt.date | None = None, drop: set[str] | None = None
) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    history = history_features(frame)
    start = pd.Timestamp(test_from)
    in_test = frame["date"] >= start
    if test_to is not None:
        in_test &= frame["date"] <= pd.Timestamp(test_to)
    in_train = frame["date"] < start
    train, test = frame[in_train], frame[in_test]
    if train.empty or test.empty:
        raise ValueError("no inspections before the test period, or none in it")
    attributes = choose_attributes(train, drop or set())
    medians = {c: float(pd.to_numeric(train[c], errors="coerce").median()) for c in attributes.numeric}
    x_train = design(train, history[in_train], attributes, medians)
    x_test = design(test, history[in_test], attributes, medians)
    constraints = [MONOTONE.get(c, 0) for c in x_train.columns]
    model = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.05,
        max_leaf_nodes=31,
        l2_regularization=1.0,
        monotonic_cst=constraints,
        random_state=0,
    )
    model.fit(x_train, train["failed"])
    baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    baseline.fit(history.loc[in_train, HISTORY_FEATURES], train["failed"])
    model_rank, real, counts = evaluate_order(test, model.predict_proba(x_test)[:, 1])
    base_rank, _real, _counts = evaluate_order(
        test, baseline.predict_proba(history.loc[in_test, HISTORY_FEATURES])[:, 1]
    )
    return {
        "model_first_half_share": round(model_rank.first_half_share, 4),
        "real_first_half_share": round(real.first_half_share, 4),
        "days_earlier": round(model_rank.days_earlier, 2),
        "baseline_first_half_share": round(base_rank.first_half_share, 4),
        "baseline_real_first_half_share": round(real.first_half_share, 4),
        "baseline_days_earlier": round(base_rank.days_earlier, 2),
        "train_inspections": int(len(train)),
        **counts,
        "features": list(x_train.columns)[:60],
        "ignored_columns": attributes.ignored,
    }


# ---------------------------------------------------------------- on the platform's own records


def ok_results() -> list[str]:
    """The inspection results that found no problem: the risk model's data says which."""

    return next(i["result_not_in"] for i in indicators(load_model()) if "result_not_in" in i)


def platform_history() -> pd.DataFrame:
    """The platform's inspections as a generic history: failed = a problem was found; the subject's
    kind, industry and county are attributes."""

    rows = Record.objects.filter(kind="inspection", is_deleted=False).values_list(
        "subject_id", "action_date", "result", "subject__kind", "subject__industry_code", "region_id"
    )
    frame = pd.DataFrame(list(rows), columns=["subject_id", "date", "result", "kind", "industry", "county"])
    frame["failed"] = (~frame["result"].isin(ok_results())).astype(int)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.drop(columns=["result"]).sort_values(["date", "subject_id"], kind="mergesort").reset_index(drop=True)


def score_all(history: pd.DataFrame, as_of: dt.date) -> dict[int, float]:
    """Every subject with an inspection history: its risk score as of a day."""
    ranked = rank_subjects(history, as_of, top=None)
    return {int(row.subject_id): float(row.score) for row in ranked.itertuples()}


def rank_subjects(history: pd.DataFrame, as_of: dt.date, top: int | None = 50) -> pd.DataFrame:
    """Train on the whole history and score each subject as if inspected on `as_of`; riskiest first."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    if history.empty:
        return pd.DataFrame(columns=["subject_id", "score"])
    latest = history.sort_values("date").groupby("subject_id").tail(1).copy()
    latest["date"] = pd.Timestamp(as_of)
    latest["failed"] = 0
    combined = pd.concat([history, latest], ignore_index=True).sort_values(["date", "subject_id"], kind="mergesort")
    features = history_features(combined.reset_index(drop=True))
    combined = combined.reset_index(drop=True)
    is_probe = combined["date"] == pd.Timestamp(as_of)
    train, probe = combined[~is_probe], combined[is_probe]
    attributes = choose_attributes(train, set())
    medians = {c: float(pd.to_numeric(train[c], errors="coerce").median()) for c in attributes.numeric}
    x_train = design(train, features[~is_probe], attributes, medians)
    x_probe = design(probe, features[is_probe], attributes, medians)
    model = HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=min(100, max(5, len(train) // 20)),
        l2_regularization=1.0,
        monotonic_cst=[MONOTONE.get(c, 0) for c in x_train.columns],
        random_state=0,
    )
    model.fit(x_train, train["failed"])
    scores = pd.DataFrame({"subject_id": probe["subject_id"].to_numpy(), "score": model.predict_proba(x_probe)[:, 1]})
    scores = scores.sort_values(["score", "subject_id"], ascending=[False, True])
    return (scores if top is None else scores.head(top)).reset_index(drop=True)
