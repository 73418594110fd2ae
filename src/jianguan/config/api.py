"""The API root: one NinjaAPI, token auth for systems, session auth for staff, one error body."""

from __future__ import annotations

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from jianguan import __version__
from jianguan.accounts.api import router as accounts_router
from jianguan.accounts.services import authenticate_token
from jianguan.alerts.api import router as alerts_router
from jianguan.catalog.api import router as catalog_router
from jianguan.complaints.api import public_router as public_complaints_router
from jianguan.complaints.api import router as complaints_router
from jianguan.core import text
from jianguan.core.errors import DomainError, lazy_format
from jianguan.credit.api import router as public_router
from jianguan.credit.api import staff_router as credit_router
from jianguan.exchange.api import router as exchange_router
from jianguan.joint.api import router as joint_router
from jianguan.monitoring.api import router as monitoring_router
from jianguan.officers.api import router as officers_router
from jianguan.platform.api import audit_router
from jianguan.platform.api import router as core_router
from jianguan.platform.importing import field_errors
from jianguan.records.api import router as records_router
from jianguan.rectification.api import public_router as public_rectification_router
from jianguan.rectification.api import router as rectification_router
from jianguan.subjects.api import router as subjects_router
from jianguan.workflow.api import router as workflow_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer jg_…`: a department system's API client."""

    def authenticate(self, request, token):
        return authenticate_token(token)


class StaffSessionAuth(SessionAuth):
    """A logged-in member of staff (the web UI's session; CSRF-checked for writes)."""


class CheckedParser(Parser):
    """JSON bodies, query strings and forms, refused whole when a text holds a control character.

    Ninja turns any exception from parsing a body into a bare 400: the finding is left on the request
    for the error handler below, which answers with the field and the character. Endpoints that read a
    batch's raw body themselves (records, work orders) refuse such rows one by one instead.
    """

    def parse_body(self, request):
        data = orjson.loads(request.body)
        found = text.find_forbidden(data)
        if found is not None:
            request.forbidden_text = text.forbidden_error(found)
            raise ValueError(text.CODE)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        found = text.find_forbidden(result)
        if found is not None:
            raise text.refusal(text.forbidden_error(found), status=422)
        return result


ERROR_BODY = {
    "type": "object",
    "required": ["code", "message", "message_en", "errors"],
    "properties": {
        "code": {"type": "string", "description": "stable error code, e.g. invalid_request, rate_limited"},
        "message": {"type": "string", "description": "中文说明"},
        "message_en": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": ["integer", "null"]},
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "message_en": {"type": "string"},
                },
            },
        },
    },
}
ERRORS = {
    400: "Refused: the code says why (invalid_json, invalid_paging, a domain rule) / 请求被拒绝",
    401: "Log in, or send a valid API token / 未登录或令牌无效",
    403: "Outside your role or scope / 超出角色或范围",
    404: "Not found, or not in your scope / 不存在或不在范围内",
    409: "Conflicts with the object's state / 与当前状态冲突",
    413: "Body or batch over its limit (upload size, records per call) / 超出大小或条数上限",
    422: "Invalid fields, each named in errors (control_character among them) / 字段不合法",
    429: "Rate limited / 请求过于频繁",
}
WRITE_ONLY = {409, 413}


class JianguanAPI(NinjaAPI):
    """The API, whose document lists every error an operation can answer, with the one error body."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_BODY
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    if (status in WRITE_ONLY and method == "get") or status in responses or str(status) in responses:
                        continue
                    responses[status] = {"description": description, "content": reference}
        return schema


api = JianguanAPI(
    title="Jianguan API",
    version=__version__,
    description="互联网+监管 平台接口 / Internet + Supervision platform API. "
    "Errors: {code, message, message_en, errors: [{row, field, code, message, message_en}]}.",
    urls_namespace="api",
    docs_url="/docs",
    auth=[TokenAuth(), StaffSessionAuth()],
    parser=CheckedParser(),
)


def _error(request, status: int, body: dict):
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.as_body())


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    # Ninja prefixes locations with the parameter source and name ("body", "payload"): report the field.
    cleaned = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        while loc and loc[0] in {"body", "query", "path", "form", "file", "payload"}:
            loc.pop(0)
        cleaned.append({**error, "loc": tuple(loc)})
    errors = [e.as_dict() for e in field_errors(cleaned)]
    body = DomainError("invalid_request", _("The request has invalid fields.")).as_body()
    body["errors"] = errors
    return _error(request, 422, body)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    # Raised when a view first reads a body over DATA_UPLOAD_MAX_MEMORY_SIZE: nothing has been read.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = lazy_format(_("The request body is larger than %(mb)d MB."), {"mb": limit})
    return _domain_error(request, DomainError("payload_too_large", message, status=413))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    # A multipart body without a boundary, or cut short: the file parts cannot be told apart.
    message = _("The multipart/form-data body is malformed (no boundary, or cut short).")
    return _domain_error(request, DomainError("invalid_multipart", message))


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, DomainError("unauthenticated", _("Log in, or send a valid API token.")).as_body())


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, DomainError("not_found", _("Not found.")).as_body())


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    forbidden = getattr(request, "forbidden_text", None)
    if forbidden is not None:
        return _domain_error(request, text.refusal(forbidden, status=422))
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return _domain_error(request, DomainError("invalid_json", _("The body is not valid JSON.")))
    return _error(
        request,
        exc.status_code,
        {"code": f"http_{exc.status_code}", "message": str(exc), "message_en": str(exc), "errors": []},
    )


api.add_router("/v1/core", core_router)
api.add_router("/v1/accounts", accounts_router)
api.add_router("/v1/audit", audit_router)
api.add_router("/v1/workflow", workflow_router)
api.add_router("/v1/catalog", catalog_router)
api.add_router("/v1/subjects", subjects_router)
api.add_router("/v1/officers", officers_router)
api.add_router("/v1/records", records_router)
api.add_router("/v1/exchange", exchange_router)
api.add_router("/v1/public", public_router)
api.add_router("/v1/credit", credit_router)
api.add_router("/v1/complaints", complaints_router)
api.add_router("/v1/public/complaints", public_complaints_router)
api.add_router("/v1/joint", joint_router)
api.add_router("/v1/monitoring", monitoring_router)
api.add_router("/v1/alerts", alerts_router)
api.add_router("/v1/rectifications", rectification_router)
api.add_router("/v1/public/rectifications", public_rectification_router)
