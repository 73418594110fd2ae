"""The data standard for platform registers (departments), shared by the API and file import."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jianguan.core.codes import CodeError, validate_uscc
from jianguan.core.fields import CodeValue, TextValue, invalid


def code_check(validator, value: str | None) -> str | None:
    """Run a code validator inside a pydantic validator, keeping its bilingual message."""
    if value is None:
        return None
    try:
        return validator(value)
    except CodeError as exc:
        zh, en = exc.as_body()["message"], exc.as_body()["message_en"]
        raise invalid(exc.code, zh, en) from None


class DepartmentIn(BaseModel):
    """A department row: name, own USCC, region, sector and parent (by name or USCC)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(title="部门名称", min_length=2, max_length=128, json_schema_extra={"aliases": ["名称"]})
    uscc: CodeValue = Field(None, title="统一社会信用代码")
    region_code: CodeValue = Field(title="行政区划代码", json_schema_extra={"aliases": ["区划代码"]})
    sector_code: CodeValue = Field(None, title="行业领域代码", json_schema_extra={"aliases": ["领域代码"]})
    parent: TextValue = Field(None, title="上级部门", description="name or USCC of the parent department")

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value):
        return code_check(validate_uscc, value)


class DepartmentOut(BaseModel):
    id: int
    name: str
    uscc: str | None
    region_code: str
    region_name: str
    sector_code: str | None
    parent_id: int | None


class RegionOut(BaseModel):
    code: str
    name: str
    level: int
    parent_code: str | None
    is_historical: bool
    successor_code: str | None


class WorkingDaysOut(BaseModel):
    start: str
    days: int
    date: str
    provisional: bool
    missing_years: list[int]


class CodeCheckOut(BaseModel):
    kind: str
    valid: bool
    normalised: str | None = None
    code: str | None = None
    message: str | None = None
    message_en: str | None = None
