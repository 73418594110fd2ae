"""Code lists of the supervision-action data standard (v1).

Sources: the national behaviour-data upload validators and a province's 双公示 penalty feed
(reference/domain.md §2); coercive-measure and execution kinds from 行政强制法 Art. 9 and Art. 12.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    PENALTY = "penalty", _("Penalty")
    COERCION = "coercion", _("Coercive action")
    LICENCE = "licence", _("Licence")
    OTHER = "other", _("Other action")


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
    ROUTINE = "01", _("Routine inspection")
    SPECIAL = "02", _("Special inspection")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_CHECKED = "not_checked", _("Not checked")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# Chinese labels as sent by department systems and typed in Excel.
CHECK_RESULT_ALIASES = {"合格": "pass", "不合格": "fail", "未检查": "not_checked", "合理缺项": "not_applicable"}


class PenaltyKind(models.TextChoices):
    WARNING = "01", _("Warning")
    FINE = "02", _("Fine")
    CONFISCATE_GAINS = "03", _("Confiscation of illegal gains")
    SUSPEND_BUSINESS = "04", _("Order to suspend production or business")
    REVOKE_LICENCE = "05", _("Revocation of licence")
    DETENTION = "06", _("Administrative detention")
    OTHER = "07", _("Other penalty set by law or administrative regulation")
    CIRCULATE_CRITICISM = "08", _("Circulated criticism")
    CONFISCATE_PROPERTY = "09", _("Confiscation of illegal property")
    LOWER_QUALIFICATION = "10", _("Lowering of qualification grade")
    SUSPEND_LICENCE = "11", _("Suspension of licence")
    RESTRICT_BUSINESS = "12", _("Restriction of business activities")
    RESTRICT_EMPLOYMENT = "13", _("Restriction of employment")
    ORDER_CLOSURE = "14", _("Order to close")


class Procedure(models.TextChoices):
    SIMPLE = "01", _("Simplified procedure")
    ORDINARY = "02", _("Ordinary procedure")


class CoercionKind(models.TextChoices):
    MEASURE = "1", _("Coercive measure")
    EXECUTION = "2", _("Coercive enforcement")


class CoercionMeasure(models.TextChoices):
    RESTRICT_FREEDOM = "01", _("Restriction of personal freedom")
    SEAL = "02", _("Sealing up of premises, facilities or property")
    SEIZE = "03", _("Seizure of property")
    FREEZE = "04", _("Freezing of deposits or remittances")
    OTHER = "05", _("Other coercive measure")


class CoercionExecution(models.TextChoices):
    SURCHARGE = "01", _("Additional fine or late fee")
    TRANSFER = "02", _("Transfer of deposits or remittances")
    AUCTION = "03", _("Auction or disposal of sealed or seized property")
    RESTORE = "04", _("Removal of obstruction and restoration")
    SUBSTITUTE = "05", _("Performance by a substitute")
    OTHER = "06", _("Other enforcement")


class LicenceKind(models.TextChoices):
    ORDINARY = "1", _("Ordinary")
    CONCESSION = "2", _("Concession")
    RECOGNITION = "3", _("Recognition")
    APPROVAL = "4", _("Approval")
    REGISTRATION = "5", _("Registration")
    OTHER = "6", _("Other")


# Plain-string forms for the hot path of ingestion (enum member access is slow in Python 3.11).
CITIZEN = PartyNature.CITIZEN.value
OTHER_ORGANISATION = PartyNature.OTHER_ORGANISATION.value
USCC_TYPE = IdType.USCC.value
PERSONAL_ID_TYPES = frozenset({IdType.RESIDENT_ID.value, IdType.PASSPORT.value})
