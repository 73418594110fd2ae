"""`jianguan datastandard FILE [--check]`: write the data standard document, or check it is current."""

from jianguan.platform.documents import GeneratedDocumentCommand
from jianguan.records.standard_doc import render


class Command(GeneratedDocumentCommand):
    help = "Write docs/data-standard.md from the schemas; with --check, fail if FILE is not current."
    make_target = "datastandard"

    def render(self) -> str:
        return render()
