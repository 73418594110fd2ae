"""Audit trail verification for auditors and platform administrators."""

from django.utils.translation import gettext_lazy as _
from ninja import Router

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for
from jianguan.audit.services import verify_chain
from jianguan.core.errors import Forbidden

router = Router(tags=["audit"])


@router.get("/verify", response=dict)
def verify(request):
    if not scope_for(request.auth).has_role(Role.AUDITOR, Role.PLATFORM_ADMIN):
        raise Forbidden(_("Only auditors may verify the audit trail."))
    result = verify_chain()
    return {"ok": result.ok, "count": result.count, "broken_seq": result.broken_seq, "reason": result.reason}
