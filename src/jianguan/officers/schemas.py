"""The data standard for enforcement officers, shared by the API and file import."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jianguan.core.fields import CodeValue, DateValue, ListValue, TextValue, invalid
from jianguan.officers.choices import OfficerStatus

_STATUS_WORDS = {
    "在岗": OfficerStatus.ACTIVE,
    "有效": OfficerStatus.ACTIVE,
    "暂停": OfficerStatus.SUSPENDED,
    "注销": OfficerStatus.RETIRED,
    "离岗": OfficerStatus.RETIRED,
}


class OfficerIn(BaseModel):
    """An officer: name, certificate number, department (name or USCC), sectors."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(title="姓名", min_length=2, max_length=64)
    certificate_no: CodeValue = Field(title="执法证号", json_schema_extra={"aliases": ["执法证件号", "证件号"]})
    department: TextValue = Field(
        title="所属部门",
        description="department id, USCC or unique name",
        json_schema_extra={"aliases": ["部门", "执法部门"]},
    )
    sectors: ListValue = Field(
        default_factory=list,
        title="执法领域",
        description="sector codes or names",
        json_schema_extra={"aliases": ["领域"]},
    )
    status: str | None = Field(None, title="状态", validate_default=True)
    certificate_valid_until: DateValue = Field(None, title="证件有效期至", json_schema_extra={"aliases": ["有效期至"]})
    home_region_code: CodeValue = Field(None, title="户籍所在区县代码")
    username: TextValue = Field(
        None,
        title="登录账号",
        description="the user name of the officer's staff account (optional)",
        json_schema_extra={"aliases": ["用户名", "账号"]},
    )

    @field_validator("certificate_no")
    @classmethod
    def _certificate(cls, value):
        if value is None or not (6 <= len(value) <= 32) or not value.replace("-", "").isalnum():
            raise invalid(
                "certificate_format",
                "执法证号应为6至32位字母或数字",
                "a certificate number has 6 to 32 letters or digits",
            )
        return value

    @field_validator("department")
    @classmethod
    def _department(cls, value):
        if not value:
            raise invalid("missing", "必填项缺失", "Field required")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return OfficerStatus.ACTIVE
        if text in OfficerStatus.values:
            return text
        if text in _STATUS_WORDS:
            return _STATUS_WORDS[text]
        raise invalid("choice_invalid", f"“{text}”不是可选状态（在岗、暂停、注销）", f"{text!r} is not a status")


class OfficerOut(BaseModel):
    id: int
    name: str
    certificate_no: str
    department_id: int
    department_name: str
    sectors: list[str]
    status: str
    certificate_valid_until: dt.date | None


class ConflictIn(BaseModel):
    subject_id: int
    reason: str = Field(min_length=2, max_length=200)
