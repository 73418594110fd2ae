"""The data standard for the supervision-item catalogue, shared by the API and file import."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jianguan.catalog.choices import CheckType, ItemLevel, ItemStatus
from jianguan.core.fields import BoolValue, CodeValue, DateValue, TextValue, invalid

_LEVEL_WORDS = {
    "国家级": ItemLevel.NATIONAL,
    "国家": ItemLevel.NATIONAL,
    "省级": ItemLevel.PROVINCE,
    "省": ItemLevel.PROVINCE,
    "市级": ItemLevel.CITY,
    "市": ItemLevel.CITY,
    "县级": ItemLevel.COUNTY,
    "县": ItemLevel.COUNTY,
    "区县级": ItemLevel.COUNTY,
}
_STATUS_WORDS = {
    "有效": ItemStatus.VALID,
    "1": ItemStatus.VALID,
    "无效": ItemStatus.INVALID,
    "0": ItemStatus.INVALID,
    "废止": ItemStatus.INVALID,
}
_CHECK_WORDS = {
    "日常检查": CheckType.DAILY,
    "DAILY": CheckType.DAILY,
    "随机抽查": CheckType.RANDOM,
    "RANDOM": CheckType.RANDOM,
    "专项检查": CheckType.SPECIAL,
    "SPECIAL": CheckType.SPECIAL,
    "临时检查": CheckType.TEMPORARY,
    "TEMPORARY": CheckType.TEMPORARY,
}


def _word(value, words: dict, values: list[str], default: str, what: str) -> str:
    text = str(value).strip() if value is not None else ""
    if text.endswith(".0"):
        text = text[:-2]
    if not text:
        return default
    if text in values:
        return text
    if text in words:
        return words[text]
    raise invalid(
        "choice_invalid",
        f"“{text}”不是有效的{what}（可选：{'、'.join(words)}）",
        f"{text!r} is not a valid {what}",
    )


def _item_code(value: str | None) -> str | None:
    if value is not None and (len(value) != 14 or not value.isdigit()):
        raise invalid(
            "item_code_format",
            f"监管事项编码应为14位数字，实际为“{value}”",
            f"an item code has exactly 14 digits, got {value!r}",
        )
    return value


class SupervisionItemIn(BaseModel):
    """A catalogue item (主项, or 子项 when parent_code is given)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    code: CodeValue = Field(title="事项编码", json_schema_extra={"aliases": ["监管事项编码", "子项编码"]})
    name: str = Field(
        title="事项名称",
        min_length=2,
        max_length=255,
        json_schema_extra={"aliases": ["监管事项名称", "监管事项", "子项名称"]},
    )
    parent_code: CodeValue = Field(None, title="主项编码")
    department: TextValue = Field(title="实施部门", json_schema_extra={"aliases": ["监管部门", "职能部门"]})
    sector_code: CodeValue = Field(None, title="行业领域代码")
    object_type: TextValue = Field(
        None, title="监管对象类型", max_length=128, json_schema_extra={"aliases": ["监管对象"]}
    )
    measures: TextValue = Field(None, title="监管措施")
    method: TextValue = Field(None, title="监管方式", max_length=64)
    level: str = Field(ItemLevel.PROVINCE, title="监管层级", validate_default=True)
    legal_basis: TextValue = Field(None, title="设定依据")
    status: str = Field(ItemStatus.VALID, title="事项状态", validate_default=True)
    national_code: CodeValue = Field(None, title="国家事项编码", max_length=32)
    is_key: BoolValue = Field(False, title="是否重点监管")
    random_check: BoolValue = Field(False, title="是否双随机抽查事项", json_schema_extra={"aliases": ["双随机"]})
    version: int = Field(1, title="版本", ge=1)
    effective_from: DateValue = Field(title="生效日期")
    effective_to: DateValue = Field(None, title="失效日期")

    _code = field_validator("code", "parent_code")(classmethod(lambda cls, v: _item_code(v)))

    @field_validator("code")
    @classmethod
    def _required_code(cls, value):
        if value is None:
            raise invalid("missing", "必填项缺失", "Field required")
        return value

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value):
        return _word(value, _LEVEL_WORDS, ItemLevel.values, ItemLevel.PROVINCE, "监管层级")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value):
        return _word(value, _STATUS_WORDS, ItemStatus.values, ItemStatus.VALID, "事项状态")

    @field_validator("effective_from")
    @classmethod
    def _required_date(cls, value):
        if value is None:
            raise invalid("missing", "必填项缺失", "Field required")
        return value

    @model_validator(mode="after")
    def _range(self):
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise invalid("effective_range", "失效日期不能早于生效日期", "effective_to is before effective_from")
        if self.parent_code and self.parent_code == self.code:
            raise invalid("parent_self", "主项编码不能与事项编码相同", "an item cannot be its own parent")
        return self


class CheckPointIn(BaseModel):
    """A check point (检查内容) of an item."""

    model_config = ConfigDict(str_strip_whitespace=True)

    item_code: CodeValue = Field(title="事项编码")
    code: CodeValue = Field(title="检查内容编码", json_schema_extra={"aliases": ["检查项编码"]})
    content: str = Field(title="检查内容", min_length=2)
    guidance: TextValue = Field(None, title="操作要领和方法")
    penalty_basis: TextValue = Field(None, title="处罚依据")
    check_type: str = Field(CheckType.DAILY, title="检查类型", validate_default=True)
    order: int = Field(0, title="顺序", ge=0)

    _item = field_validator("item_code")(classmethod(lambda cls, v: _item_code(v)))

    @field_validator("code")
    @classmethod
    def _required(cls, value):
        if not value:
            raise invalid("missing", "必填项缺失", "Field required")
        return value

    @field_validator("check_type", mode="before")
    @classmethod
    def _check_type(cls, value):
        return _word(value, _CHECK_WORDS, CheckType.values, CheckType.DAILY, "检查类型")


class SupervisionItemOut(BaseModel):
    id: int
    code: str
    version: int
    name: str
    parent_code: str | None
    department_id: int
    department_name: str
    level: str
    status: str
    is_key: bool
    random_check: bool
    legal_basis: str
    effective_from: dt.date
    effective_to: dt.date | None
