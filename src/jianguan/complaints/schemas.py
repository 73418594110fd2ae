"""The work-order intake standard, shared by the portal form, staff entry, the 12345 API and file import."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jianguan.complaints import geo
from jianguan.complaints.choices import Channel, Kind, Satisfaction
from jianguan.core.fields import invalid

# 18 digits: yyMMddHHmmss of intake, then 6 digits (Shandong's numbers, domain §5).
NUMBER_PATTERN = r"^\d{18}$"
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{5,8})$"


def number_time(number: str) -> dt.datetime | None:
    """The intake time an 18-digit number starts with, or None when its first 12 digits are not a time."""
    try:
        return dt.datetime.strptime(number[:12], "%y%m%d%H%M%S")
    except ValueError:
        return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Complainant(Strict):
    name: str | None = Field(None, title="姓名", max_length=32)
    phone: str | None = Field(None, title="联系电话", max_length=20)
    anonymous: bool = Field(False, title="匿名")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        value = value.replace(" ", "")
        if not re.match(PHONE_PATTERN, value):
            raise invalid("phone", "电话号码格式不正确", "not a valid phone number")
        return value


class Demand(Strict):
    """One demand as a citizen or an operator states it."""

    title: str | None = Field(None, title="标题", max_length=120)
    content: str = Field(title="诉求内容", min_length=5, max_length=4000)
    address: str | None = Field(None, title="地址", max_length=300)
    kind: Kind | None = Field(
        None, title="诉求类型", description="complaint/report/consultation/help/suggestion/thanks/other"
    )
    category: str | None = Field(None, title="分类编码", pattern=r"^\d{2}(\d{2}){0,4}$")
    complainant: Complainant = Field(default_factory=Complainant, title="诉求人")
    latitude: float | None = Field(None, title="纬度", ge=-90, le=90)
    longitude: float | None = Field(None, title="经度", ge=-180, le=180)
    subject_uscc: str | None = Field(None, title="被诉主体统一社会信用代码", max_length=18)

    @model_validator(mode="after")
    def _pin_in_province(self) -> Demand:
        if (self.latitude is None) != (self.longitude is None):
            raise invalid(
                "pin_incomplete", "地图位置须同时有纬度和经度", "a map point needs both latitude and longitude"
            )
        if self.latitude is not None and not geo.in_province_box(self.latitude, self.longitude):
            raise invalid("pin_outside", "地图位置不在本省范围内", "the map point is outside the province")
        return self


class HotlineOrder(Demand):
    """A work order from a 12345 system, carrying its own number and intake time."""

    number: str = Field(title="工单编号", pattern=NUMBER_PATTERN)
    received_at: dt.datetime = Field(title="受理时间")
    channel: Channel = Field(Channel.PHONE, title="来源渠道")

    @model_validator(mode="after")
    def _number_matches_time(self) -> HotlineOrder:
        if number_time(self.number) is None:
            raise invalid(
                "number_time",
                "工单编号前12位应为受理时间 yyMMddHHmmss",
                "the number's first 12 digits must be a time yyMMddHHmmss",
            )
        return self


class HandlingForm(Strict):
    """The handler's reply (Shandong's handling form)."""

    is_true: bool = Field(title="诉求属实")
    beyond_duty: bool = Field(False, title="超职责诉求")
    contacted: bool = Field(True, title="已联系群众")
    is_resolved: bool = Field(title="是否解决")
    unresolved_reason: str = Field("", title="未解决原因", max_length=2000)
    handling_notes: str = Field(title="办理情况", min_length=5, max_length=4000)
    public_reply: str = Field(title="公开答复内容", min_length=5, max_length=2000)

    @model_validator(mode="after")
    def _reason_when_unresolved(self) -> HandlingForm:
        if not self.is_resolved and not self.unresolved_reason.strip():
            raise invalid(
                "reason_required", "未解决时须填写未解决原因", "give the reason when the demand is not resolved"
            )
        return self


class Rating(Strict):
    satisfaction: Satisfaction = Field(title="满意度")
    comment: str = Field("", title="评价意见", max_length=500)
