"""Code lists of the supervision-action data standard (v1).

Sources: the national behaviour-data upload validators and a province's 双公示 penalty feed
(reference/domain.md §2); coercive-measure and execution kinds from 行政强制法 Art. 9 and Art. 12.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection (行政检查)")
    PENALTY = "penalty", _("Penalty (行政处罚)")
    COERCION = "coercion", _("Coercive measure (行政强制)")
    LICENCE = "licence", _("Licence (行政许可)")
    OTHER = "other", _("Other action (其他行为)")


class PartyNature(models.TextChoices):
    CITIZEN = "1", _("Citizen")
    LEGAL_PERSON = "2", _("Legal person")
    OTHER_ORGANISATION = "3", _("Other organisation")


class IdType(models.TextChoices):
    USCC = "001", _("Unified social credit code")
    REGISTRATION_NO = "099", _("Registration number (15 digits)")
    RESIDENT_ID = "111", _("Resident ID card")
    PASSPORT = "414", _("Passport")


class InspectionForm(models.TextChoices):
    ROUTINE = "01", _("Routine inspection (日常检查)")
    SPECIAL = "02", _("Special inspection (专项检查)")


class CheckResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOT_CHECKED = "not_checked", _("未检查")
    NOT_APPLICABLE = "not_applicable", _("合理缺项")


# Chinese labels as sent by department systems and typed in Excel.
CHECK_RESULT_ALIASES = {"合格": "pass", "不合格": "fail", "未检查": "not_checked", "合理缺项": "not_applicable"}


class PenaltyKind(models.TextChoices):
    WARNING = "01", _("警告")
    FINE = "02", _("罚款")
    CONFISCATE_GAINS = "03", _("没收违法所得")
    SUSPEND_BUSINESS = "04", _("责令停产停业")
    REVOKE_LICENCE = "05", _("吊销许可证")
    DETENTION = "06", _("行政拘留")
    OTHER = "07", _("法律、行政法规规定的其他")
    CIRCULATE_CRITICISM = "08", _("通报批评")
    CONFISCATE_PROPERTY = "09", _("没收非法财物")
    LOWER_QUALIFICATION = "10", _("降低资质等级")
    SUSPEND_LICENCE = "11", _("暂扣许可证")
    RESTRICT_BUSINESS = "12", _("限制开展经营活动")
    RESTRICT_EMPLOYMENT = "13", _("限制从业")
    ORDER_CLOSURE = "14", _("责令关闭")


class Procedure(models.TextChoices):
    SIMPLE = "01", _("简易程序")
    ORDINARY = "02", _("一般程序")


class CoercionKind(models.TextChoices):
    MEASURE = "1", _("行政强制措施")
    EXECUTION = "2", _("行政强制执行")


class CoercionMeasure(models.TextChoices):
    RESTRICT_FREEDOM = "01", _("限制公民人身自由")
    SEAL = "02", _("查封场所、设施或者财物")
    SEIZE = "03", _("扣押财物")
    FREEZE = "04", _("冻结存款、汇款")
    OTHER = "05", _("其他行政强制措施")


class CoercionExecution(models.TextChoices):
    SURCHARGE = "01", _("加处罚款或者滞纳金")
    TRANSFER = "02", _("划拨存款、汇款")
    AUCTION = "03", _("拍卖或者依法处理查封、扣押的场所、设施或者财物")
    RESTORE = "04", _("排除妨碍、恢复原状")
    SUBSTITUTE = "05", _("代履行")
    OTHER = "06", _("其他强制执行方式")


class LicenceKind(models.TextChoices):
    ORDINARY = "1", _("普通")
    CONCESSION = "2", _("特许")
    RECOGNITION = "3", _("认可")
    APPROVAL = "4", _("核准")
    REGISTRATION = "5", _("登记")
    OTHER = "6", _("其他")


# Plain-string forms for the hot path of ingestion (enum member access is slow in Python 3.11).
CITIZEN = PartyNature.CITIZEN.value
OTHER_ORGANISATION = PartyNature.OTHER_ORGANISATION.value
USCC_TYPE = IdType.USCC.value
PERSONAL_ID_TYPES = frozenset({IdType.RESIDENT_ID.value, IdType.PASSPORT.value})
