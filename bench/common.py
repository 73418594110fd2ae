"""What the benchmarks share: a fresh database per measurement, Django set up on it."""

from __future__ import annotations

import os

# The columns of the record table, in the order the bare loads write them.
RECORD_COLUMNS = (
    "id",
    "kind",
    "source",
    "source_id",
    "standard",
    "item_id",
    "item_code",
    "department_id",
    "subject_id",
    "subject_nature",
    "subject_id_type",
    "subject_code",
    "subject_code_sealed",
    "subject_name",
    "region_id",
    "action_date",
    "reported_at",
    "received_at",
    "document_no",
    "result",
    "plan_id",
    "details",
    "completeness",
    "report_lag",
    "content_hash",
    "version",
    "is_deleted",
    "batch_id",
    "updated_at",
)


# The columns of the subject table the benchmarks fill, and one synthetic enterprise per id.
SUBJECT_COLUMNS = (
    "id",
    "kind",
    "name",
    "uscc",
    "region_id",
    "industry_code",
    "status",
    "provisional",
    "region_to_review",
    "risk_grade",
    "id_number_masked",
    "legal_representative",
    "registered_address",
    "operating_address",
    "created_at",
    "updated_at",
    "registration_date",
)


def subject_row(pk: int, region: str, grade: str, now, registered=None) -> tuple:
    """A synthetic operating enterprise (setup data, not a measured path)."""
    return (
        pk,
        "enterprise",
        f"企业{pk}",
        f"91370100{pk:010d}",
        region,
        "F5211",
        "operating",
        False,
        False,
        grade,
        "",
        "",
        "",
        "",
        now,
        now,
        registered,
    )


def setup_django(database: str, var_dir: str, pg_url: str) -> None:
    """Point the settings at SQLite under `var_dir` or at `pg_url`, set Django up, migrate."""
    os.environ["JIANGUAN_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "jianguan.config.settings"
    if database == "postgresql":
        os.environ["JIANGUAN_DATABASE_URL"] = pg_url
    else:
        os.environ.pop("JIANGUAN_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def pg_database(base_url: str, create: bool, name: str) -> str:
    """Drop (and with `create`, recreate) database `name` on the server of `base_url`; its URL."""
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def peak_rss_mib(children: bool = False) -> float:
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)
