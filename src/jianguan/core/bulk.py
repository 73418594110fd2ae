"""Fast bulk writes for high-volume paths: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples in the order of `columns`, holding Python values (str, int, Decimal, date, aware
datetime, None). JSON columns take the JSON text. Ids are allocated up front from the table's own
sequence, so that dependent rows (an outbox entry per record) can be written in the same pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def _table(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.db_table


def lock_row(model: type[Model], pk: int = 1) -> Any:
    """The row `pk` of `model`, locked until the transaction ends (created if missing); taken before
    it is read, so that two holders never act on the same state. PostgreSQL: the row lock; SQLite:
    the database's write lock, taken by a write before the read."""
    if connection.features.has_select_for_update:
        row = model.objects.select_for_update().filter(pk=pk).first()
    else:
        model.objects.filter(pk=pk).update(**{model._meta.pk.attname: pk})
        row = model.objects.filter(pk=pk).first()
    if row is None:
        model.objects.get_or_create(pk=pk)
        return lock_row(model, pk)
    return row


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the transaction that uses them.

    On SQLite the caller must already hold the write lock (have written in this transaction), so
    that no other writer can take the same numbers.
    """
    if count <= 0:
        return []
    table = _table(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence named once: pg_get_serial_sequence in the select list would be looked up
            # again for every row (64,000 ids: 0.6 s against 0.02 s).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - table name from the model
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        ids = list(range(start, start + count))
        # Keep AUTOINCREMENT's high-water mark ahead of the numbers handed out.
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [ids[-1], table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, ids[-1]])
        return ids


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _binary_copy_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The type oids of `columns`, for a binary COPY; JSON columns then take the JSON text as is."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [f'"{table}"']
    )
    oids = dict(cursor.fetchall())
    jsonb = cursor.adapters.types["jsonb"].oid

    class JsonTextBinaryDumper(Dumper):
        format = Format.BINARY
        oid = jsonb

        def dump(self, obj: Any) -> bytes:
            return b"\x01" + obj.encode()  # jsonb's binary form: a version byte, then the text

    cursor.adapters.register_dumper(None, JsonTextBinaryDumper)
    return [oids[column] for column in columns]


def bulk_insert(
    model: type[Model] | str, columns: Sequence[str], rows: Iterable[Sequence], *, binary: bool = False
) -> int:
    """Insert rows as fast as the database allows; returns the number written.

    With `binary` (PostgreSQL), COPY in binary format with the columns' types declared up front:
    about half the client's work per row of the text format. Every value must then be of its
    column's type exactly (aware datetimes; JSON columns take JSON text).
    """
    table = _table(model)
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            types = _binary_copy_types(raw, table, columns) if binary else None
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN' + (" (FORMAT BINARY)" if binary else "")) as copy:
                if types is not None:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        prepared = [tuple(_sqlite_value(v) for v in row) for row in rows]
        if prepared:
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', prepared)  # noqa: S608
        return len(prepared)


def bulk_upsert(
    model: type[Model] | str,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> int:
    """Insert rows, or update the `update` columns of the row already holding their `conflict` key
    (the columns of a unique constraint); returns the number of rows sent. One statement per chunk,
    without model instances: on SQLite one `executemany` on the driver's cursor, on PostgreSQL a
    binary COPY into a session's temporary table, then one INSERT … SELECT … ON CONFLICT from it.
    Columns left out take their database default on insert and are kept on update. Rows hold values
    as for `bulk_insert`, and no key may repeat within one call."""
    if not rows:
        return 0
    table = _table(model)
    names = ", ".join(f'"{c}"' for c in columns)
    keys = ", ".join(f'"{c}"' for c in conflict)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    clause = f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        import psycopg

        staging = f"upsert_{table}_{abs(hash(tuple(columns))) % 10**8}"
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f'CREATE TEMPORARY TABLE IF NOT EXISTS "{staging}" ON COMMIT DELETE ROWS AS '  # noqa: S608
                f'SELECT {names} FROM "{table}" WITH NO DATA'
            )
            types = _binary_copy_types(cursor, staging, columns)
            with cursor.copy(f'COPY "{staging}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{staging}" {clause}')  # noqa: S608
            cursor.execute(f'TRUNCATE "{staging}"')
        return len(rows)
    marks = ", ".join(["?"] * len(columns))
    with connection.wrap_database_errors:
        connection.connection.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks}) {clause}',  # noqa: S608
            [tuple(_sqlite_value(v) for v in row) for row in rows],
        )
    return len(rows)


def insert_objects(model: type[Model], objects: Sequence[Model]) -> Sequence[Model]:
    """Write unsaved model instances by `bulk_insert`, with fresh ids set on them.

    What `QuerySet.bulk_create` does for a plain model (each field's `pre_save` for the add, then its
    value prepared for the database, so sealed fields seal and JSON is encoded), without building
    one large statement per batch; no signals, as with bulk_create. Inside a transaction.
    """
    if not objects:
        return objects
    fields = list(model._meta.concrete_fields)
    for obj, pk in zip(objects, allocate_ids(model, len(objects)), strict=True):
        obj.pk = pk
    prepare = [(field, field.get_db_prep_save) for field in fields]
    bulk_insert(
        model,
        [field.column for field in fields],
        ([save(field.pre_save(obj, True), connection) for field, save in prepare] for obj in objects),
    )
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias
    return objects


def store_blob(model: type[Model], pk: int, field: str, data: bytes) -> None:
    """Write one large binary value to a row that exists. Django's PostgreSQL cursors bind parameters
    on the client, quoting the bytes into the statement's text (a 19 MB draw pool: 0.4 s); a plain
    driver cursor on the same connection and transaction sends them as a parameter (0.08 s)."""
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(model._meta.get_field(field).column)} = %s "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, [data, pk])
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, [data, pk])


@contextlib.contextmanager
def blob_written_meanwhile(model: type[Model], pk: int, field: str, data: bytes) -> Iterator[None]:
    """`store_blob`, sent while the block runs: on PostgreSQL a thread writes it on this connection
    (the driver's, which the block must leave alone: pure computation only) and the block's end waits
    for it, raising its error; on SQLite it is written first."""
    if connection.vendor != "postgresql":
        store_blob(model, pk, field, data)
        yield
        return
    import threading

    import psycopg

    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(model._meta.get_field(field).column)} = %s "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    connection.ensure_connection()
    driver, failure = connection.connection, []

    def write() -> None:
        try:
            with psycopg.Cursor(driver) as cursor:
                cursor.execute(sql, [data, pk])
        except BaseException as exc:  # noqa: BLE001 (raised by the waiting block)
            failure.append(exc)

    writer = threading.Thread(target=write, name="jianguan-blob", daemon=True)
    writer.start()
    try:
        yield
    finally:
        writer.join()
    if failure:
        with connection.wrap_database_errors:
            raise failure[0]


def bulk_increment(model: type[Model], keys: Sequence[str], counters: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Add to counter columns, creating the row when its key is new.

    `keys` must be the columns of a unique constraint; each row holds the key values, then the
    increments in the order of `counters`. Rows with the same key are summed first, then written
    by one multi-row upsert per 500 keys (a chunk's counters are a few dozen rows: one round trip,
    not one per row).
    """
    table = _table(model)
    columns = [*keys, *counters]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = ", ".join(f'"{k}"' for k in keys)
    updates = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in counters)
    width = len(keys)
    summed: dict[tuple, list] = {}
    for row in rows:
        key, increments = tuple(row[:width]), row[width:]
        total = summed.get(key)
        if total is None:
            summed[key] = list(increments)
        else:
            for index, value in enumerate(increments):
                total[index] += value
    sqlite = connection.vendor == "sqlite"
    prepared = [
        tuple(_sqlite_value(v) for v in (*key, *values)) if sqlite else (*key, *values)
        for key, values in summed.items()
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 500):
            part = prepared[start : start + 500]
            cursor.execute(
                f'INSERT INTO "{table}" ({names}) VALUES {", ".join([marks] * len(part))} '  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                [value for row in part for value in row],
            )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one chunk of bulk work, then collect the young generations.

    Bulk work allocates many short-lived objects; with a large heap, the collector's full passes
    would otherwise cost more than the work. Reference counting still frees everything acyclic.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect(1)


def keys_query(
    table: str, key: str, keys: Sequence[Any], columns: Sequence[str], where: dict[str, Any] | None = None
) -> tuple[str, list]:
    """The PostgreSQL statement of `fetch_by_keys` and its parameters: the keys as one bound array."""
    conditions = "".join(f' AND "{name}" = %s' for name in (where or {}))
    select = ", ".join(f'"{c}"' for c in (key, *columns))
    sql = f'SELECT {select} FROM "{table}" WHERE "{key}" = ANY(%s){conditions}'  # noqa: S608
    return sql, [list(keys), *(where or {}).values()]


@contextlib.contextmanager
def index_probes(raw: Any) -> Iterator[None]:
    """Within the caller's transaction, plan the statements of the block without sequential scans
    (PostgreSQL's enable_seqscan), then restore the setting as it was. A block that fails leaves the
    transaction to be rolled back, which undoes the setting too."""
    raw.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    previous = raw.fetchone()[0]
    yield
    raw.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


def fetch_by_keys(
    model: type[Model],
    key: str,
    keys: Sequence[Any],
    columns: Sequence[str],
    where: dict[str, Any] | None = None,
    *,
    probe: bool = False,
) -> list[tuple]:
    """Rows (key, *columns) whose `key` column is in `keys`: one query on PostgreSQL (= ANY), batches on SQLite.

    With `probe` (PostgreSQL, inside a transaction), the look-up goes through the key's index
    whatever the table's statistics say. Without it, the planner prices thousands of index probes
    above one sequential scan of a table it believes small (the record table below some 50,000 rows,
    or one that grew since its last ANALYZE), and that scan, once per chunk, grows with the table.
    Only for a key with an index.
    """
    if not keys:
        return []
    table = _table(model)
    select = ", ".join(f'"{c}"' for c in (key, *columns))
    conditions = "".join(f' AND "{name}" = %s' for name in (where or {}))
    extra = list((where or {}).values())
    out: list[tuple] = []
    if connection.vendor == "postgresql":
        import psycopg

        sql, params = keys_query(table, key, keys, columns, where)
        # A plain driver cursor on the same connection and transaction: the keys go as one bound
        # array parameter; Django's cursors would quote thousands of them into the statement's text.
        # Driver errors wrapped as Django's, as its cursors do: a lost connection is told and retried alike.
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as raw:
            probing = index_probes(raw) if probe and connection.in_atomic_block else contextlib.nullcontext()
            with probing:
                raw.execute(sql, params)
                rows = raw.fetchall()
            return rows
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 900):
            part = list(keys[start : start + 900])
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f'SELECT {select} FROM "{table}" WHERE "{key}" IN ({marks}){conditions}',  # noqa: S608
                [*part, *extra],
            )
            out.extend(cursor.fetchall())
    return out


@contextlib.contextmanager
def timed(stages: dict[str, float] | None, stage: str) -> Iterator[None]:
    """Add the seconds the block takes to `stages[stage]` (nothing without `stages`): where a bulk
    path spends its time, summed over its chunks."""
    if stages is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - started
