"""Work orders from a 12345 system's Excel or CSV export: one row per order, with its own number.

Runs on the platform's import engine: every row is accepted, rejected with its reasons (kept for
correction and resubmission), or recognised as a duplicate of a number already held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, ValidationError

from jianguan.complaints.choices import Channel, Kind
from jianguan.complaints.models import Category, WorkOrder
from jianguan.complaints.schemas import NUMBER_PATTERN, HotlineOrder, Strict
from jianguan.complaints.services import receive
from jianguan.core.errors import FieldError
from jianguan.core.fields import invalid
from jianguan.platform.importing import Importer, PreparedRow, field_errors, register_importer

_KIND_LABELS = {
    "投诉": "complaint",
    "举报": "report",
    "咨询": "consultation",
    "求助": "help",
    "建议": "suggestion",
    "感谢": "thanks",
    "其他": "other",
}
_CHANNEL_LABELS = {
    "电话": "phone",
    "12345": "phone",
    "网站": "portal",
    "门户网站": "portal",
    "微信": "wechat",
    "短信": "sms",
    "市长信箱": "mailbox",
    "其他": "other",
}


def _code_or_label(labels: dict[str, str]):
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return labels.get(value, value)
        return value

    return BeforeValidator(convert)


def _text_number(value: Any) -> Any:
    # Excel shows an 18-digit number as a float; offices are told to type it as text, but be kind.
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):d}"
    return value.strip() if isinstance(value, str) else value


def _category_code(value: Any) -> Any:
    # A code typed as a number loses its leading zero (060101 → 60101); codes have 2 digits per level.
    value = _text_number(value)
    if isinstance(value, str) and value.isdigit() and len(value) % 2 == 1:
        return "0" + value
    return value


def _order_number(value: Any) -> Any:
    # Excel keeps 15 significant digits: an 18-digit number typed as a number is already wrong.
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10**15:
        raise invalid(
            "number_as_numeric",
            "工单编号须以文本格式填写：Excel 只保留 15 位有效数字，18 位编号已被改变",
            "type the work-order number as text: Excel keeps 15 significant digits and has changed the 18-digit number",
        )
    return _text_number(value)


class WorkOrderRow(Strict):
    number: Annotated[str, BeforeValidator(_order_number)] = Field(title="工单编号", pattern=NUMBER_PATTERN)
    received_at: dt.datetime = Field(title="受理时间")
    channel: Annotated[Channel, _code_or_label(_CHANNEL_LABELS)] = Field(Channel.PHONE, title="来源渠道")
    kind: Annotated[Kind | None, _code_or_label(_KIND_LABELS)] = Field(None, title="诉求类型")
    category: Annotated[str | None, BeforeValidator(_category_code)] = Field(
        None, title="分类编码", pattern=r"^\d{2}(\d{2}){0,4}$"
    )
    title: str | None = Field(None, title="标题", max_length=120)
    content: str = Field(title="诉求内容", min_length=5, max_length=4000)
    address: str | None = Field(None, title="地址", max_length=300)
    complainant_name: str | None = Field(None, title="诉求人", max_length=32)
    complainant_phone: Annotated[str | None, BeforeValidator(_text_number)] = Field(
        None, title="联系电话", max_length=20
    )
    subject_uscc: str | None = Field(None, title="被诉主体统一社会信用代码", max_length=18)

    def as_order(self) -> HotlineOrder:
        data = self.model_dump(exclude={"complainant_name", "complainant_phone"})
        data["complainant"] = {"name": self.complainant_name, "phone": self.complainant_phone}
        return HotlineOrder.model_validate(data)


@register_importer
class WorkOrderImporter(Importer):
    kind = "work_orders"
    schema = WorkOrderRow
    label = _("12345 work orders")
    required_columns = ("number", "received_at", "content")

    def keys(self, record: WorkOrderRow) -> list[str]:
        return [f"order:{record.number}"]

    def existing_keys(self, keys: set[str]) -> set[str]:
        numbers = [k.split(":", 1)[1] for k in keys]
        return {f"order:{n}" for n in WorkOrder.objects.filter(number__in=numbers).values_list("number", flat=True)}

    def check(self, rows: list[PreparedRow]) -> None:
        active = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
        for row in rows:
            record = row.record
            if record.category and record.category not in active:
                row.errors.append(FieldError("category", _("Unknown category code."), "unknown_category", row.number))
                continue
            try:
                row.record = record
                record.as_order()
            except ValueError as exc:  # the number's first 12 digits are not a time, or a bad phone
                errors = exc.errors() if isinstance(exc, ValidationError) else []
                row.errors.extend(field_errors(errors, row.number) or [FieldError("__all__", str(exc), row=row.number)])

    def create(self, records: Sequence[WorkOrderRow]) -> list[Any]:
        return [
            receive(record.as_order(), channel=record.channel, actor=self.actor, source_system="file")[0]
            for record in records
        ]

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        for order in queryset.select_related("category"):
            yield [
                order.number,
                order.received_at,
                order.get_channel_display(),
                order.get_kind_display() if order.kind else "",
                order.category.code if order.category_id else "",
                order.title,
                order.content,
                order.address,
                order.complainant_name_masked,
                order.complainant_phone_masked,
                "",
            ]
