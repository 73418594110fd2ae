"""The supervision-action data standard, version v1: one schema per kind of action.

The same schemas validate the bulk JSON API, Excel/CSV uploads and `jianguan ingest`; the
generated `docs/data-standard.md` is made from them. Field titles are the Chinese column headers.
Rules that need only the record itself are validators here; rules that need the registers (items,
departments, officers, regions) are in `records.checks`. Every rule is listed in `records.rules`.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from jianguan.core.codes import CodeError, validate_id_number, validate_registration_no, validate_uscc
from jianguan.core.errors import bilingual
from jianguan.records.choices import (
    CHECK_RESULT_ALIASES,
    CITIZEN,
    PERSONAL_ID_TYPES,
    CoercionExecution,
    CoercionKind,
    CoercionMeasure,
    IdType,
    InspectionForm,
    LicenceKind,
    PartyNature,
    PenaltyKind,
    Procedure,
)
from jianguan.records.rules import violation

STANDARD_VERSION = "v1"
# A report a few minutes "in the future" is clock skew between systems, not an error.
CLOCK_SKEW = dt.timedelta(minutes=10)


@functools.cache
def _platform_zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def platform_today() -> dt.date:
    return dt.datetime.now(_platform_zone()).date()


@functools.lru_cache(maxsize=200_000)
def _code_problem(id_type: str, code: str) -> tuple[str, str] | None:
    """What is wrong with a party's code, in (Chinese, English), or None. Parties recur: cached."""
    validator = {
        IdType.USCC: validate_uscc,
        IdType.REGISTRATION_NO: validate_registration_no,
        IdType.RESIDENT_ID: validate_id_number,
    }.get(id_type)
    if validator is None:
        return None
    try:
        validator(code)
    except CodeError as exc:
        return bilingual(exc.message)
    return None


Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]


def _text(title: str, max_length: int, description: str = "", **kwargs: Any) -> Any:
    return Field(None, title=title, max_length=max_length, description=description, **kwargs)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OfficerRef(Strict):
    name: str = Field(title="姓名", min_length=1, max_length=64)
    certificate_no: str = Field(title="执法证号", min_length=1, max_length=32)


class CheckItemResult(Strict):
    code: str = Field(title="检查项编码", min_length=1, max_length=32)
    # The Chinese labels are accepted too; the inspection's validator stores the codes.
    result: Literal["pass", "fail", "not_checked", "not_applicable", "合格", "不合格", "未检查", "合理缺项"] = Field(
        title="检查结果", description="pass/fail/not_checked/not_applicable, or 合格/不合格/未检查/合理缺项"
    )


class Attachment(Strict):
    name: str = Field(title="文件名", min_length=1, max_length=200)
    url: str = Field(title="地址", min_length=1, max_length=500)
    sha256: str | None = Field(None, title="SHA-256", pattern=r"^[0-9a-f]{64}$")


class RecordBase(Strict):
    """Fields common to every kind of supervision action."""

    source_id: str = Field(
        title="来源记录编号",
        min_length=1,
        max_length=64,
        description="The record's id in the sending system; with the source, it identifies the record.",
    )
    item_code: str = Field(title="监管事项目录编码", pattern=r"^\d{14}$", description="14 digits.")
    name: str | None = _text("行为名称", 200)
    number: str | None = _text("行为编号", 50)
    department: str = Field(
        title="实施机构编码",
        min_length=1,
        max_length=20,
        description="The implementing department's USCC (or its register id).",
    )
    entrusted_department: str | None = _text("受委托部门", 200)
    subject_nature: PartyNature = Field(title="行政相对人性质", description="1 公民, 2 法人, 3 其他组织.")
    subject_id_type: IdType = Field(title="行政相对人证件类型")
    subject_code: str = Field(title="行政相对人编码", min_length=1, max_length=20, description="USCC or ID number.")
    subject_name: str = Field(title="行政相对人名称", min_length=1, max_length=200)
    subject_type: str | None = _text("监管对象类型", 64)
    registered_address: str | None = _text("注册地址", 400)
    operating_address: str | None = _text("经营地址", 400)
    region: str = Field(title="行政区划代码", pattern=r"^\d{6}$")
    action_date: dt.date = Field(
        title="行为日期", description="Inspection date, penalty decision date, measure start, licence decision."
    )
    reported_at: dt.datetime = Field(title="报送时间")
    reporter: str | None = _text("报送人员", 64)
    document_no: str | None = _text("文书号", 100)
    result: str | None = _text("结果", 1000)
    attachments: list[Attachment] = Field(default_factory=list, title="附件", max_length=20)

    @model_validator(mode="after")
    def _common_rules(self):
        # One Python validator per record (field validators would cost a call per field).
        upper = self.subject_code.upper()
        if upper != self.subject_code:  # pydantic's __setattr__ is slow: only when needed
            self.subject_code = upper
        if self.reported_date() < self.action_date:
            raise violation("reported_before_action")
        now = dt.datetime.now(_platform_zone())
        # The report is not in the future and the action not after the report: nor is the action.
        if self.reported_at.tzinfo is not None and self.reported_at > now + CLOCK_SKEW:
            raise violation("reported_in_future")
        problem = _code_problem(self.subject_id_type, self.subject_code)
        if problem is not None:
            raise violation("subject_code_invalid", detail=problem)
        if self.subject_id_type in PERSONAL_ID_TYPES and self.subject_nature != CITIZEN:
            raise violation("subject_nature_mismatch")
        return self

    def reported_date(self) -> dt.date:
        """The report's calendar day in the platform's time zone (a naive time is taken as local)."""
        moment = self.reported_at
        return moment.astimezone(_platform_zone()).date() if moment.tzinfo else moment.date()


class InspectionV1(RecordBase):
    """行政检查."""

    kind: Literal["inspection"] = Field(title="记录类型")
    plan_id: str | None = _text("双随机一公开计划ID", 64)
    implementation_code: str | None = _text("检查实施清单编码", 800)
    form: InspectionForm = Field(title="检查形式", description="01 日常检查, 02 专项检查.")
    category: str | None = _text("检查类别", 16)
    method: str | None = _text("检查方式", 16)
    officers: list[OfficerRef] = Field(
        title="检查人员", max_length=20, description="At least 2, each with a certificate."
    )
    check_items: list[CheckItemResult] = Field(default_factory=list, title="检查项结果", max_length=500)

    @model_validator(mode="after")
    def _inspection_rules(self):
        if len(self.officers) < 2:
            raise violation("officers_too_few", n=len(self.officers))
        for item in self.check_items:
            if item.result in CHECK_RESULT_ALIASES:
                # What BaseModel.__setattr__ does for a field already set, without its checks per call.
                item.__dict__["result"] = CHECK_RESULT_ALIASES[item.result]
        code = self.implementation_code
        if code:
            try:
                validate_uscc(code[:18])
                ok = len(code) >= 19 and code[18] in "12345"
            except CodeError:
                ok = False
            if not ok:
                raise violation("implementation_code_invalid")
        return self


class PenaltyV1(RecordBase):
    """行政处罚. The action date is the decision date (作出行政处罚决定日期)."""

    kind: Literal["penalty"] = Field(title="记录类型")
    case_source: str | None = _text("案件来源", 16)
    inspection_no: str | None = _text("检查行为编号", 50)
    facts: str = Field(title="违法事实", min_length=1, max_length=2000)
    basis: str = Field(title="处罚依据", min_length=1, max_length=2000)
    procedure: Procedure = Field(title="处罚程序", description="01 简易程序, 02 一般程序.")
    hearing: bool = Field(False, title="是否听证")
    criminal: bool = Field(False, title="是否涉刑案件")
    major: bool = Field(False, title="是否重大案件")
    legal_review_on: dt.date | None = Field(None, title="法制审核日期")
    legal_review_opinion: str | None = _text("法制审核意见", 100)
    collective_on: dt.date | None = Field(None, title="集体讨论日期")
    collective_conclusion: str | None = _text("集体讨论结论", 1000)
    opened_on: dt.date | None = Field(None, title="立案日期")
    decision_no: str = Field(title="处罚文书号", min_length=1, max_length=100)
    kinds: list[PenaltyKind] = Field(title="处罚种类", min_length=1, max_length=14)
    fine_amount: Amount | None = Field(None, title="罚款金额（元）")
    confiscated_amount: Amount | None = Field(None, title="没收违法所得金额（元）")
    property_amount: Amount | None = Field(None, title="没收非法财物金额（元）")
    licence_affected: str | None = _text("暂扣或吊销证照名称及编号", 200)
    reconsideration: str | None = _text("行政复议", 16)
    litigation: str | None = _text("行政诉讼", 16)
    execution_method: str | None = _text("执行方式", 64)
    execution_result: str | None = _text("执行结果", 200)
    paid_amount: Amount | None = Field(None, title="实缴罚款金额（元）")
    not_penalised: bool = Field(False, title="不予行政处罚")
    closed_on: dt.date | None = Field(None, title="结案日期")
    transferred_on: dt.date | None = Field(None, title="移送日期")

    @model_validator(mode="after")
    def _penalty_rules(self):
        if self.opened_on and self.action_date < self.opened_on:
            raise violation("decided_before_opened")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise violation("closed_before_opened")
        if self.closed_on and self.reported_date() < self.closed_on:
            raise violation("reported_before_closed")
        if (
            PenaltyKind.FINE in self.kinds
            and not self.not_penalised
            and not (self.fine_amount and self.fine_amount > 0)
        ):
            raise violation("fine_amount_missing")
        return self


class CoercionV1(RecordBase):
    """行政强制. The action date is the start of the measure."""

    kind: Literal["coercion"] = Field(title="记录类型")
    inspection_no: str | None = _text("检查行为编号", 50)
    facts: str | None = _text("违法事实", 1000)
    basis: str | None = _text("强制依据", 1000)
    decision_no: str | None = _text("强制决定书号", 100)
    coercion_kind: CoercionKind = Field(title="行政强制种类", description="1 强制措施, 2 强制执行.")
    measure_type: CoercionMeasure | None = Field(None, title="强制措施类型")
    execution_type: CoercionExecution | None = Field(None, title="强制执行类型")
    extension: str | None = _text("延长期限", 10)
    ended_on: dt.date | None = Field(None, title="结束日期")

    @model_validator(mode="after")
    def _coercion_rules(self):
        needed = self.measure_type if self.coercion_kind == CoercionKind.MEASURE else self.execution_type
        if needed is None:
            raise violation("coercion_type_missing")
        if self.ended_on and self.ended_on < self.action_date:
            raise violation("ended_before_started")
        return self


class LicenceV1(RecordBase):
    """行政许可. The action date is the licence decision date."""

    kind: Literal["licence"] = Field(title="记录类型")
    licence_kind: LicenceKind | None = Field(None, title="许可类别")
    licence_no: str = Field(title="许可证书编号", min_length=1, max_length=100)
    licence_name: str | None = _text("许可证书名称", 200)
    decision_no: str | None = _text("许可决定书文号", 100)
    valid_from: dt.date | None = Field(None, title="有效期自")
    valid_to: dt.date | None = Field(None, title="有效期至")

    @model_validator(mode="after")
    def _licence_rules(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise violation("validity_reversed")
        return self


class OtherV1(RecordBase):
    """其他行为. The action date is the start date."""

    kind: Literal["other"] = Field(title="记录类型")
    matter_source: str | None = _text("事项来源", 64)
    measure: str | None = _text("监管措施", 200)
    closing: str | None = _text("结案情况", 1000)
    ended_on: dt.date | None = Field(None, title="结束日期")

    @model_validator(mode="after")
    def _other_rules(self):
        if self.ended_on and self.ended_on < self.action_date:
            raise violation("ended_before_started")
        return self


class DeletionV1(Strict):
    """Withdraws a record sent earlier: `{"source_id": "...", "deleted": true}`."""

    source_id: str = Field(title="来源记录编号", min_length=1, max_length=64)
    deleted: Literal[True] = Field(title="删除")
    kind: str | None = Field(None, title="记录类型", max_length=16)


SCHEMAS: dict[str, type[RecordBase]] = {
    "inspection": InspectionV1,
    "penalty": PenaltyV1,
    "coercion": CoercionV1,
    "licence": LicenceV1,
    "other": OtherV1,
}
RecordV1 = Annotated[InspectionV1 | PenaltyV1 | CoercionV1 | LicenceV1 | OtherV1, Field(discriminator="kind")]
RECORD_ADAPTER: TypeAdapter[RecordBase] = TypeAdapter(RecordV1)
DELETION_ADAPTER: TypeAdapter[DeletionV1] = TypeAdapter(DeletionV1)

# Fields kept in columns of the record table; everything else a schema holds goes into `details`.
COLUMN_FIELDS = frozenset(
    {
        "kind",
        "source_id",
        "item_code",
        "department",
        "subject_nature",
        "subject_id_type",
        "subject_code",
        "subject_name",
        "region",
        "action_date",
        "reported_at",
        "document_no",
        "result",
        "plan_id",
    }
)


def optional_fields(schema: type[RecordBase]) -> list[str]:
    """The fields a sender may leave out: completeness is measured over them."""
    return [
        name
        for name, info in schema.model_fields.items()
        if not info.is_required() and name not in {"attachments", "hearing", "criminal", "major", "not_penalised"}
    ]


OPTIONAL_FIELDS = {kind: optional_fields(schema) for kind, schema in SCHEMAS.items()}
