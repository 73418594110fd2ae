"""The data standard for supervised subjects (监管对象), shared by the API and file import."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jianguan.core.codes import validate_id_number, validate_registration_no, validate_uscc
from jianguan.core.fields import CodeValue, DateValue, TextValue, invalid
from jianguan.core.schemas import code_check
from jianguan.subjects.choices import SubjectKind, SubjectStatus

_KIND_WORDS = {
    "企业": SubjectKind.ENTERPRISE,
    "公司": SubjectKind.ENTERPRISE,
    "农民专业合作社": SubjectKind.ENTERPRISE,
    "个体工商户": SubjectKind.INDIVIDUAL_BUSINESS,
    "个体": SubjectKind.INDIVIDUAL_BUSINESS,
    "社会组织": SubjectKind.ORGANISATION,
    "机关事业单位": SubjectKind.ORGANISATION,
    "组织": SubjectKind.ORGANISATION,
    "自然人": SubjectKind.PERSON,
    "个人": SubjectKind.PERSON,
    "其他": SubjectKind.OTHER,
}
_STATUS_WORDS = {
    "存续": SubjectStatus.OPERATING,
    "在业": SubjectStatus.OPERATING,
    "开业": SubjectStatus.OPERATING,
    "停业": SubjectStatus.SUSPENDED,
    "吊销": SubjectStatus.REVOKED,
    "注销": SubjectStatus.CANCELLED,
}


def _choice(value, words: dict, choices) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if text in choices.values:
        return text
    for label_value, label in choices.choices:
        if text == str(label):
            return label_value
    if text in words:
        return words[text]
    allowed = "、".join(sorted(set(words)))
    raise invalid(
        "choice_invalid", f"“{text}”不是可选值（可选：{allowed}）", f"{text!r} is not one of {choices.values}"
    )


def kind_from_uscc(uscc: str) -> str:
    """GB 32100 positions 1-2: 9x market entities (92 individual business), others organisations."""
    if uscc.startswith("92"):
        return SubjectKind.INDIVIDUAL_BUSINESS
    if uscc.startswith("9"):
        return SubjectKind.ENTERPRISE
    return SubjectKind.ORGANISATION


class SubjectIn(BaseModel):
    """A subject: a name plus at least one identity (USCC, registration number or ID number)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(
        title="名称",
        min_length=2,
        max_length=200,
        json_schema_extra={"aliases": ["企业名称", "主体名称", "单位名称", "姓名"]},
    )
    kind: str | None = Field(
        None,
        title="主体类型",
        json_schema_extra={"aliases": ["类型"]},
        description="enterprise, individual_business, organisation, person, other",
    )
    uscc: CodeValue = Field(None, title="统一社会信用代码", json_schema_extra={"aliases": ["信用代码"]})
    registration_no: CodeValue = Field(None, title="注册号", json_schema_extra={"aliases": ["工商注册号"]})
    id_number: CodeValue = Field(None, title="身份证号", json_schema_extra={"aliases": ["身份证号码"]})
    legal_representative: TextValue = Field(
        None, title="法定代表人", max_length=64, json_schema_extra={"aliases": ["负责人", "经营者"]}
    )
    registered_address: TextValue = Field(
        None, title="注册地址", max_length=400, json_schema_extra={"aliases": ["住所"]}
    )
    operating_address: TextValue = Field(
        None, title="经营地址", max_length=400, json_schema_extra={"aliases": ["经营场所"]}
    )
    region_code: CodeValue = Field(None, title="行政区划代码", json_schema_extra={"aliases": ["区划代码"]})
    industry_code: CodeValue = Field(None, title="行业代码", max_length=8)
    status: str | None = Field(
        None, title="经营状态", validate_default=True, json_schema_extra={"aliases": ["登记状态", "状态"]}
    )
    registration_date: DateValue = Field(
        None, title="成立日期", json_schema_extra={"aliases": ["登记日期", "注册日期"]}
    )

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value):
        return code_check(validate_uscc, value)

    @field_validator("registration_no")
    @classmethod
    def _regno(cls, value):
        return code_check(validate_registration_no, value)

    @field_validator("id_number")
    @classmethod
    def _id(cls, value):
        return code_check(validate_id_number, value)

    @field_validator("region_code")
    @classmethod
    def _region(cls, value):
        if value is not None and (len(value) != 6 or not value.isdigit()):
            raise invalid("region_format", "行政区划代码应为6位数字", "a region code has 6 digits")
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        return _choice(value, _KIND_WORDS, SubjectKind)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value):
        return _choice(value, _STATUS_WORDS, SubjectStatus) or SubjectStatus.OPERATING

    @field_validator("registration_date")
    @classmethod
    def _not_future(cls, value):
        if value is not None and value > dt.date.today():
            raise invalid("date_in_future", "成立日期不能晚于今天", "the registration date is in the future")
        return value

    @model_validator(mode="after")
    def _identity(self):
        if not (self.uscc or self.registration_no or self.id_number):
            raise invalid(
                "identity_missing",
                "统一社会信用代码、注册号、身份证号至少填写一项",
                "give at least one of uscc, registration_no, id_number",
            )
        if self.kind is None:
            self.kind = (
                kind_from_uscc(self.uscc)
                if self.uscc
                else (SubjectKind.PERSON if self.id_number and not self.registration_no else SubjectKind.ENTERPRISE)
            )
        return self

    def inferred_region_code(self) -> str | None:
        """The region given, else the one embedded in the USCC (positions 3-8) or registration number."""
        if self.region_code:
            return self.region_code
        if self.uscc:
            return self.uscc[2:8]
        if self.registration_no:
            return self.registration_no[:6]
        return None


class SubjectOut(BaseModel):
    id: int
    kind: str
    name: str
    uscc: str | None
    registration_no: str | None
    id_number_masked: str
    legal_representative: str
    registered_address: str
    operating_address: str
    region_code: str
    region_name: str
    industry_code: str
    status: str
    registration_date: dt.date | None
