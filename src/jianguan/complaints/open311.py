"""Open311 GeoReport v2 (JSON): third-party applications list services, file requests and track them.

- GET  /open311/v2/discovery.json
- GET  /open311/v2/services.json                  services = the leaf categories
- GET  /open311/v2/services/{service_code}.json   service definition (no extra attributes)
- POST /open311/v2/requests.json                  api_key = an API client's token
- GET  /open311/v2/requests.json                  service_request_id, service_code, start_date, end_date, status
- GET  /open311/v2/requests/{id}.json

A request is a work order; service_request_id is its 18-digit number. status is `open` or
`closed` (closed = 已办结 or 已合并); with `extensions=true` each request carries
`extended_attributes` with the internal state. Errors are `[{"code", "description"}]` with the HTTP
status as code. Without an api_key, descriptions and street addresses are left out (they may hold
personal data); the calling application sees its own requests in full.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from jianguan.accounts.services import authenticate_token
from jianguan.complaints import services
from jianguan.complaints.choices import Kind, State
from jianguan.complaints.models import Category, WorkOrder
from jianguan.core import text
from jianguan.core.errors import DomainError, bilingual
from jianguan.core.ratelimit import check_public_rate, client_address

CLOSED = (State.CLOSED, State.MERGED)
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


def _answers_errors(view):
    """Domain errors (a rate limit) as Open311 error bodies; parameters holding a control character refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        for params in (dict(request.GET.lists()), dict(request.POST.lists()), kwargs):
            found = text.find_forbidden(params)
            if found is not None:
                zh, en = text.describe(found[1], found[2])
                return _error(400, f"{found[0].split('.')[0]}: {en} / {zh}")  # the parameter, not its nth value
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _error(exc.status, " / ".join(reversed(bilingual(exc.message))))

    return wrapped


def _json_only(fmt: str) -> JsonResponse | None:
    return None if fmt == "json" else _error(400, "only the json format is supported / 仅支持 json 格式")


def _services():
    leaves = Category.objects.filter(is_active=True, children__isnull=True).select_related("parent__parent")
    return leaves.order_by("code")


def _group(category: Category) -> Category:
    node = category
    while node.parent_id:
        node = node.parent
    return node


def _service_out(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name_en,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(filter(None, [category.name, category.name_en])),
        "group": _group(category).name,
    }


def _stamp(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _request_out(order: WorkOrder, *, full: bool, extensions: bool) -> dict[str, Any]:
    shown = order.merged_into or order
    body = {
        "service_request_id": order.number,
        "status": "closed" if order.state in CLOSED else "open",
        "status_notes": shown.public_reply if shown.state in (State.REPLIED, State.CLOSED) else "",
        "service_name": order.category.name if order.category_id else "",
        "service_code": order.category.code if order.category_id else "",
        "description": order.content if full else "",
        "agency_responsible": shown.lead_department.name if shown.lead_department_id else shown.office.name,
        "service_notice": "",
        "requested_datetime": _stamp(order.received_at),
        "updated_datetime": _stamp(order.updated_at),
        "expected_datetime": _stamp(shown.due_at),
        "address": order.address if full else order.region.name,
        "address_id": "",
        "zipcode": "",
        "lat": order.latitude,
        "long": order.longitude,
        "media_url": "",
    }
    if extensions:
        body["extended_attributes"] = {
            "jianguan_status": shown.state,
            "jianguan_status_label": str(State(shown.state).label),
            "merged_into": order.merged_into.number if order.merged_into_id else None,
            "region_code": order.region_id,
        }
    return body


@require_GET
def discovery(request, fmt: str):
    if (bad := _json_only(fmt)) is not None:
        return bad
    base = request.build_absolute_uri("/open311/v2/")
    return JsonResponse(
        {
            "changeset": "2026-11-29",
            "contact": "12345",
            "key_service": "API clients registered on the platform",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@require_GET
def service_list(request, fmt: str):
    if (bad := _json_only(fmt)) is not None:
        return bad
    return JsonResponse([_service_out(c) for c in _services()], safe=False)


@require_GET
def service_definition(request, code: str, fmt: str):
    if (bad := _json_only(fmt)) is not None:
        return bad
    category = _services().filter(code=code).first()
    if category is None:
        return _error(404, f"service_code {code} not found / 服务代码 {code} 不存在")
    return JsonResponse({"service_code": category.code, "attributes": []})


def _client(request):
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    return authenticate_token(key) if key else None


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_answers_errors
def requests_view(request, fmt: str):
    if (bad := _json_only(fmt)) is not None:
        return bad
    if request.method == "POST":
        return _create(request)
    check_public_rate(client_address(request), "open311")
    client = _client(request)
    orders = WorkOrder.objects.select_related("category", "region", "office", "lead_department", "merged_into")
    ids = [i for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        orders = orders.filter(number__in=[i.strip() for i in ids])
    else:
        end, start = _parse(request.GET.get("end_date")), _parse(request.GET.get("start_date"))
        if start is False or end is False:
            return _error(400, "start_date and end_date must be w3 date-times / 起止时间须为 W3C 日期时间格式")
        end = end or timezone.now()
        start = start or end - dt.timedelta(days=DEFAULT_DAYS)
        orders = orders.filter(received_at__gte=start, received_at__lte=end)
        codes = [c for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            orders = orders.filter(category__code__in=codes)
        status = request.GET.get("status", "")
        if status == "open":
            orders = orders.exclude(state__in=CLOSED)
        elif status == "closed":
            orders = orders.filter(state__in=CLOSED)
        elif status:
            return _error(400, "status must be open or closed / status 须为 open 或 closed")
    extensions = request.GET.get("extensions") == "true"
    own = client.name if client else None
    return JsonResponse(
        [
            _request_out(o, full=bool(own) and o.source_system == own, extensions=extensions)
            for o in orders.order_by("-received_at")[:MAX_RESULTS]
        ],
        safe=False,
    )


def _parse(value: str | None):
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well formed but not a time, such as 2026-02-30T00:00:00Z
        return False
    if parsed is None:
        return False
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _create(request):
    client = _client(request)
    if client is None:
        return _error(403, "a valid api_key is required to file a request / 提交诉求须提供有效的 api_key")
    data = request.POST
    category = _services().filter(code=data.get("service_code", "")).first()
    if category is None:
        return _error(400, "service_code is missing or not a known service / 缺少服务代码或服务代码不存在")
    description = data.get("description", "").strip()
    name = " ".join(filter(None, [data.get("last_name", "").strip(), data.get("first_name", "").strip()])) or None
    try:
        lat = float(data["lat"]) if data.get("lat") else None
        lon = float(data["long"]) if data.get("long") else None
    except ValueError:
        return _error(400, "lat and long must be numbers / 经纬度须为数字")
    if not (data.get("address_string") or (lat is not None and lon is not None)):
        return _error(400, "a location is required: lat and long, or address_string / 须提供位置：经纬度或地址")
    demand = {
        "content": description,
        "address": data.get("address_string") or None,
        "kind": Kind.HELP,
        "category": category.code,
        "latitude": lat,
        "longitude": lon,
        "complainant": {"name": name, "phone": data.get("phone") or None},
    }
    try:
        order, _code = services.receive(demand, channel="open311", actor=client, source_system=client.name)
    except DomainError as exc:
        zh, en = bilingual(exc.message)
        details = "; ".join(f"{e.field}: {e.as_dict()['message_en']}" for e in exc.errors)
        return _error(400, f"{en}{' ' + details if details else ''} / {zh}")
    return JsonResponse(
        [{"service_request_id": order.number, "service_notice": "", "account_id": None}], status=201, safe=False
    )


@require_GET
@_answers_errors
def request_detail(request, number: str, fmt: str):
    if (bad := _json_only(fmt)) is not None:
        return bad
    check_public_rate(client_address(request), "open311")
    client = _client(request)
    order = (
        WorkOrder.objects.filter(number=number)
        .select_related("category", "region", "office", "lead_department", "merged_into")
        .first()
    )
    if order is None:
        return _error(404, f"service_request_id {number} not found / 工单 {number} 不存在")
    full = client is not None and order.source_system == client.name
    return JsonResponse(
        [_request_out(order, full=full, extensions=request.GET.get("extensions") == "true")], safe=False
    )
