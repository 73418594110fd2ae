"""The cross-field and reference rules of the data standard, each with a stable code.

A rule's code never changes once published: department systems key their corrections on it.
Messages are given in both languages here because they travel in API answers, quarantine files
and the generated data standard alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic_core import PydanticCustomError

from jianguan.core.errors import Bilingual, FieldError
from jianguan.platform.importing import PYDANTIC_ZH


@dataclass(frozen=True)
class Rule:
    code: str
    applies_to: str  # a record kind, or "all"
    zh: str
    en: str
    field: str = "__all__"  # the field the error is reported on


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule(
            "reported_before_action",
            "all",
            "报送时间早于行为日期",
            "The report time is before the action date.",
            field="reported_at",
        ),
        Rule(
            "reported_in_future",
            "all",
            "报送时间晚于当前时间",
            "The report time is in the future.",
            field="reported_at",
        ),
        Rule(
            "subject_code_invalid",
            "all",
            "行政相对人编码与证件类型不符：{detail}",
            "The party's code does not match its ID type: {detail}",
            field="subject_code",
        ),
        Rule(
            "subject_nature_mismatch",
            "all",
            "居民身份证、护照只能用于公民（行政相对人性质 1）",
            "Resident ID cards and passports identify citizens only (party nature 1).",
            field="subject_nature",
        ),
        Rule(
            "department_unknown",
            "all",
            "实施机构编码不存在（应为部门的统一社会信用代码）",
            "Unknown implementing department (give the department's USCC).",
        ),
        Rule(
            "department_out_of_scope",
            "all",
            "实施机构不属于本来源系统所在部门，不能报送其数据",
            "The implementing department is outside this source system's department; it may not send its data.",
        ),
        Rule("item_unknown", "all", "监管事项目录编码不存在", "Unknown supervision item code."),
        Rule(
            "item_not_in_force",
            "all",
            "监管事项在行为日期（{date}）未生效或已失效",
            "The supervision item was not in force on the action date ({date}).",
        ),
        Rule("region_unknown", "all", "行政区划代码不存在", "Unknown administrative division code."),
        Rule(
            "officers_too_few",
            "inspection",
            "行政检查至少需要 2 名执法人员，实际 {n} 名",
            "An inspection needs at least 2 officers; it names {n}.",
            field="officers",
        ),
        Rule(
            "officer_unknown",
            "inspection",
            "执法证号 {cert} 未在执法人员库登记",
            "Certificate {cert} is not in the officer register.",
        ),
        Rule(
            "officer_certificate_invalid",
            "inspection",
            "执法证号 {cert} 在检查日期无效（已过期或人员非在岗）",
            "Certificate {cert} was not valid on the inspection date (expired or officer not active).",
        ),
        Rule(
            "officer_wrong_sector",
            "inspection",
            "执法证号 {cert} 不具有实施机构所属执法领域的资格",
            "Certificate {cert} does not cover the implementing department's sector.",
        ),
        Rule(
            "officer_name_mismatch",
            "inspection",
            "执法证号 {cert} 的持证人不是“{name}”",
            "Certificate {cert} does not belong to “{name}”.",
        ),
        Rule(
            "implementation_code_invalid",
            "inspection",
            "检查实施清单编码前 18 位应为实施机构统一社会信用代码，第 19 位应为 1–5",
            "The implementation-list code must start with a valid USCC followed by a digit 1–5.",
            field="implementation_code",
        ),
        Rule(
            "closed_before_opened",
            "penalty",
            "结案日期早于立案日期",
            "The closing date is before the case-opening date.",
            field="closed_on",
        ),
        Rule(
            "decided_before_opened",
            "penalty",
            "处罚决定日期早于立案日期",
            "The decision date is before the case-opening date.",
            field="action_date",
        ),
        Rule(
            "reported_before_closed",
            "penalty",
            "报送时间早于结案日期",
            "The report time is before the closing date.",
            field="reported_at",
        ),
        Rule(
            "fine_amount_missing",
            "penalty",
            "处罚种类含罚款时，罚款金额必须大于 0",
            "A penalty that includes a fine needs a fine amount above 0.",
            field="fine_amount",
        ),
        Rule(
            "coercion_type_missing",
            "coercion",
            "行政强制措施须填写强制措施类型，行政强制执行须填写强制执行类型",
            "A coercive measure needs its measure type; an enforcement needs its execution type.",
            field="measure_type",
        ),
        Rule(
            "ended_before_started",
            "coercion, other",
            "结束日期早于开始日期",
            "The end date is before the start date.",
            field="ended_on",
        ),
        Rule(
            "validity_reversed",
            "licence",
            "有效期截止日期早于有效期起始日期",
            "The licence's end of validity is before its start.",
            field="valid_to",
        ),
        Rule(
            "delete_unknown",
            "all",
            "要删除的记录不存在",
            "The record to delete does not exist.",
        ),
    ]
}


def _params(params: dict, index: int) -> dict:
    # A (Chinese, English) pair fills each language with its own text.
    return {k: (v[index] if isinstance(v, tuple) else v) for k, v in params.items()}


def violation(code: str, **params) -> PydanticCustomError:
    """The rule as a pydantic error (inside schema validators)."""
    rule = RULES[code]
    return PydanticCustomError(code, rule.en.format(**_params(params, 1)), {"zh": rule.zh.format(**_params(params, 0))})


def rule_error(code: str, field: str, row: int | None = None, **params) -> FieldError:
    """The rule as a row error (reference checks against the registers)."""
    rule = RULES[code]
    zh, en = rule.zh.format(**_params(params, 0)), rule.en.format(**_params(params, 1))
    return FieldError(field, Bilingual(zh, en), code=code, row=row)


def describe(code: str) -> tuple[str, str]:
    """A rule's (or a format error's) message with its placeholders elided, for summaries."""

    if code in RULES:
        zh, en = RULES[code].zh, RULES[code].en
    else:
        zh, en = PYDANTIC_ZH.get(code, code), code
    return re.sub(r"\{\w+\}", "…", zh), re.sub(r"\{\w+\}", "…", en)
