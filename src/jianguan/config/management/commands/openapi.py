"""`jianguan openapi FILE [--check]`: write the OpenAPI document, or check the committed one is current."""

import json

from jianguan.config.api import api
from jianguan.platform.documents import GeneratedDocumentCommand


class Command(GeneratedDocumentCommand):
    help = "Write the API's OpenAPI document to FILE; with --check, fail if FILE is not current."
    make_target = "openapi"

    def render(self) -> str:
        return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
