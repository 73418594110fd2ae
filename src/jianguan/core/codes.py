"""Validation of identity codes: USCC (GB 32100), old registration numbers, resident ID numbers.

Check characters come from python-stdnum; this module adds errors that say exactly what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_11_10

from jianguan.core.errors import DomainError, lazy_format

# GB 32100-2015 character set: digits and capitals without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Characters 3-8 of a USCC for a unit registered by a central authority (GB 32100-2015: the
# registration-authority code is the national one): no region is embedded in the code.
NATIONAL_REGISTRATION = "100000"
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class CodeError(DomainError):
    def __init__(self, code: str, message):
        super().__init__(code, message)


def _clean(value: str) -> str:
    return re.sub(r"[\s\-]", "", str(value or "")).upper()


def validate_uscc(value: str) -> str:
    """The normalised 18-character USCC, or a CodeError naming length, character set or check character."""
    number = _clean(value)
    if len(number) != 18:
        raise CodeError(
            "uscc_length",
            lazy_format(_("A unified social credit code has 18 characters; this one has %(n)d."), {"n": len(number)}),
        )
    bad = [c for c in number if c not in USCC_ALPHABET]
    if bad:
        raise CodeError(
            "uscc_charset",
            lazy_format(
                _(
                    "Character “%(c)s” is not allowed in a unified social credit code "
                    "(digits and capital letters except I, O, S, V, Z)."
                ),
                {"c": bad[0]},
            ),
        )
    if not _USCC_SHAPE.match(number):
        raise CodeError(
            "uscc_region",
            _("Characters 3 to 8 of a unified social credit code are the region code and must be digits."),
        )
    # stdnum's validate() insists on digits in the first two positions, which GB 32100 does not
    # (registration department codes A, N and Y exist); its check-character arithmetic is used as is.
    expected = _uscc_check_character(number)
    if number[-1] != expected:
        raise CodeError(
            "uscc_checksum",
            lazy_format(
                _("The check character of this unified social credit code should be “%(e)s”, not “%(c)s”."),
                {"e": expected, "c": number[-1]},
            ),
        )
    return number


@lru_cache(maxsize=65536)
def _uscc_check_character(number: str) -> str:
    """Cached: the parties of a submission recur, and stdnum's arithmetic costs tens of microseconds."""
    return uscc.calc_check_digit(number)


def validate_registration_no(value: str) -> str:
    """The 15-digit registration number (GS15-2006, ISO 7064 MOD 11,10 check digit)."""
    number = _clean(value)
    if len(number) != 15:
        raise CodeError(
            "regno_length",
            lazy_format(_("A registration number has 15 digits; this one has %(n)d."), {"n": len(number)}),
        )
    if not number.isdigit():
        raise CodeError("regno_charset", _("A registration number has digits only."))
    expected = mod_11_10.calc_check_digit(number[:-1])
    if number[-1] != expected:
        raise CodeError(
            "regno_checksum",
            lazy_format(
                _("The check digit of this registration number should be “%(e)s”, not “%(c)s”."),
                {"e": expected, "c": number[-1]},
            ),
        )
    return number


def validate_id_number(value: str) -> str:
    """The 18-character resident ID number (GB 11643), with its date of birth and check character."""
    number = _clean(value)
    if len(number) != 18:
        raise CodeError(
            "id_length",
            lazy_format(_("A resident ID number has 18 characters; this one has %(n)d."), {"n": len(number)}),
        )
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise CodeError("id_charset", _("A resident ID number has 17 digits and a final digit or X."))
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        raise CodeError(
            "id_checksum",
            lazy_format(
                _("The check character of this ID number should be “%(e)s”, not “%(c)s”."),
                {"e": expected, "c": number[-1]},
            ),
        )
    try:
        ric.get_birth_date(number)
    except StdnumError:
        raise CodeError("id_birth_date", _("This ID number holds no valid date of birth.")) from None
    return number


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (used by generators and tests)."""
    return first17 + uscc.calc_check_digit(first17 + "0")


def registration_no_with_check(first14: str) -> str:
    return first14 + mod_11_10.calc_check_digit(first14)


def mask_id_number(number: str) -> str:
    """The form of an ID number that may be shown: first 6 and last 4, e.g. 370102********123X."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def issue_number(prefix: str, now: dt.datetime) -> str:
    """A number the platform issues for a case (协查 XC…, 整改 ZG…): prefix, local date, six random digits."""
    return f"{prefix}{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"
