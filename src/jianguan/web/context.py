"""Template context shared by every staff page."""

import datetime as dt

from django.utils import timezone

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for
from jianguan.core.calendar import uncovered_years
from jianguan.web.menu import guide_for, menu_for

# Deadlines run up to a few months ahead: warn when that horizon reaches a year with no holiday data.
CALENDAR_HORIZON_DAYS = 120


def platform(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    today = timezone.localdate()
    return {
        "calendar_missing_years": uncovered_years(today, today + dt.timedelta(days=CALENDAR_HORIZON_DAYS)),
        "is_platform_admin": scope_for(request.user).has_role(Role.PLATFORM_ADMIN),
        "menu": menu_for(request.user, request.path),
        "help_url": guide_for(request.user),
    }
