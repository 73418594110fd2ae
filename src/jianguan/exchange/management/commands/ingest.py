"""`jianguan ingest FILE --source NAME [--kind K] [--resume BATCH] [--json]`.

FILE is JSON lines or a JSON array of records in data standard v1, or an .xlsx/.csv table (then
--kind says what the rows are, unless the table has a 记录类型 column). The file is streamed in
chunks; an interrupted run is resumed with --resume and the batch number it printed.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from jianguan.core.errors import DomainError
from jianguan.core.models import ImportBatch
from jianguan.core.tabular import read_table
from jianguan.exchange.choices import Channel
from jianguan.exchange.services import BatchInterrupted, receive_rows, source_named, with_kind_header
from jianguan.exchange.streams import file_digest, json_records
from jianguan.platform.importing import summary
from jianguan.records.choices import RecordKind
from jianguan.records.files import table_records

PARALLEL_FROM_BYTES = 8 * 1024 * 1024  # below this, starting a worker process costs more than it saves


class Command(BaseCommand):
    help = "Ingest a file of supervision records from a registered source system and print the counts."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="code name of the registered source system")
        parser.add_argument("--kind", choices=RecordKind.values, default="inspection", help="for .xlsx/.csv files")
        parser.add_argument("--resume", type=int, help="continue an interrupted batch")
        parser.add_argument("--json", action="store_true", help="end with one JSON object of counts")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")
        parser.add_argument(
            "--parallel",
            choices=["auto", "yes", "no"],
            default="auto",
            help="prepare chunks in a worker process (auto: for files over 8 MB)",
        )

    def handle(self, *args, file, source, kind, resume, parallel, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            system = source_named(source)
            digest, size = file_digest(path)
            batch = ImportBatch.objects.filter(pk=resume).first() if resume else None
            if resume and batch is None:
                raise CommandError(f"no batch {resume}")

            def progress(b):
                if not options["quiet"]:
                    self.stderr.write(f"batch {b.pk}: {b.received} rows, {b.accepted} accepted, {b.rejected} rejected")

            if path.suffix.lower() in (".xlsx", ".csv"):
                table = read_table(path.read_bytes(), path.name, max_rows=settings.IMPORT_MAX_ROWS)
                rows, headers = table_records(table, kind), with_kind_header(table.headers)
            else:
                handle = path.open("rb")
                rows, headers = json_records(handle), None
            message, batch = receive_rows(
                system,
                rows,
                channel=Channel.CLI,
                actor=f"cli:{source}",
                payload_sha256=digest,
                payload_bytes=size,
                filename=path.name,
                headers=headers,
                resume=batch,
                progress=progress,
                parallel=parallel == "yes" or (parallel == "auto" and size > PARALLEL_FROM_BYTES),
            )
        except DomainError as exc:
            body = exc.as_body()
            if isinstance(exc, BatchInterrupted):
                body["resume"] = exc.batch.pk
                body["message"] += f" 续传：jianguan ingest {file} --source {source} --resume {exc.batch.pk}"
                body["message_en"] += f" Resume with --resume {exc.batch.pk}."
            if options["json"]:
                self.stdout.write(json.dumps({"error": body}, ensure_ascii=False))
            raise CommandError(f"{body['message']} / {body['message_en']}") from None
        except DatabaseError as exc:  # before the batch began: nothing was written
            raise CommandError(
                f"数据库不可用，未写入任何数据 / The database is unavailable; nothing was written: {exc}"
            ) from None
        counts = summary(batch)
        self.stdout.write(
            f"received {counts['received']}, accepted {counts['accepted']}, "
            f"rejected {counts['rejected']}, duplicates {counts['duplicates']} (batch {batch.pk}, message {message.pk})"
        )
        if options["json"]:
            self.stdout.write(json.dumps(counts))
