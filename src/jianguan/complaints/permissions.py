"""Who may read which work orders, and who sees a complainant's name and phone.

Staff see an order when their scope covers its receiving office, or a unit it was dispatched to
(lead or co-handler), and its region. Name and phone are shown only to the order's handlers: staff
of a unit currently assigned to it with a handling role, and the hotline operators while the
return call is due (they make it). Everyone else sees the masked forms.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for, scope_q
from jianguan.complaints.choices import State
from jianguan.complaints.models import Assignment, WorkOrder
from jianguan.complaints.policy import policy
from jianguan.core.errors import NotFound
from jianguan.core.personal import sealed_texts, unsealed_texts
from jianguan.core.pii import decrypt

OPERATOR_ROLES = (Role.HOTLINE_OPERATOR, Role.PLATFORM_ADMIN)


def visible_orders(actor: Any) -> QuerySet[WorkOrder]:
    scope = scope_for(actor)
    by_office = scope_q(scope, department="office", region="region__code")
    if by_office is None:
        return WorkOrder.objects.none()
    by_assignment = scope_q(scope, department="department", region="order__region__code")
    assigned = Assignment.objects.filter(by_assignment).values("order_id")
    return WorkOrder.objects.filter(by_office | Q(pk__in=assigned))


def access_order(actor: Any, pk: Any = None, *, number: str | None = None) -> WorkOrder:
    """An order the actor may see, by id or by its 18-digit number; otherwise NotFound (as if missing)."""
    lookup = {"number": number} if number is not None else {"pk": pk}
    order = (
        visible_orders(actor).filter(**lookup).select_related("category", "region", "office", "lead_department").first()
    )
    if order is None:
        raise NotFound()
    return order


def order_for_citizen(number: str) -> WorkOrder | None:
    """The order with this number, for a visitor who proved its query code in this session (the
    portal holds that proof); what the visitor sees of it is `display.public_out`."""
    return WorkOrder.objects.filter(number=number).select_related("merged_into", "item__definition").first()


def is_handler(actor: Any, order: WorkOrder, *, lead_only: bool = False) -> bool:
    """Staff of a unit currently assigned to the order (the lead unit only, when asked), with a handling role."""
    if getattr(actor, "department_id", None) is None:
        return False
    if not scope_for(actor).has_role(*policy()["handler_roles"]):
        return False
    prefetched = getattr(order, "current_assignments", None)  # a list page prefetches them (no query per order)
    if prefetched is not None:
        return any(a.department_id == actor.department_id and (not lead_only or a.role == "lead") for a in prefetched)
    assignments = order.assignments.filter(is_current=True, department_id=actor.department_id)
    if lead_only:
        assignments = assignments.filter(role="lead")
    return assignments.exists()


def with_current_assignments(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Orders with their current assignments and related rows loaded, for lists (no query per order)."""
    return orders.select_related(
        "category", "proposed_category", "region", "office", "lead_department", "item__definition", "merged_into"
    ).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.filter(is_current=True), to_attr="current_assignments")
    )


def is_operator(actor: Any, order: WorkOrder) -> bool:
    """A hotline operator (or platform administrator) whose scope covers the order."""
    scope = scope_for(actor)
    if not scope.has_role(*OPERATOR_ROLES):
        return False
    return visible_orders(actor).filter(pk=order.pk).exists()


def dispatches(actor: Any) -> bool:
    """A hotline operator (or platform administrator): the queue offers them dispatch; the service
    still checks each order against their scope."""
    return scope_for(actor).has_role(*OPERATOR_ROLES)


def sees_personal_data(actor: Any, order: WorkOrder, *, in_scope: bool = False) -> bool:
    """`in_scope`: the order was read through visible_orders, so the operator's scope is known to cover it."""
    if order.anonymous:
        return False
    if is_handler(actor, order):
        return True
    return (
        order.state == State.REPLIED
        and scope_for(actor).has_role(Role.HOTLINE_OPERATOR)
        and (in_scope or is_operator(actor, order))
    )


def complainant(actor: Any, order: WorkOrder, *, in_scope: bool = False) -> dict[str, str]:
    """The complainant as this viewer may see them."""
    if sees_personal_data(actor, order, in_scope=in_scope):
        return {
            "name": decrypt(order.complainant_name_sealed) if order.complainant_name_sealed else "",
            "phone": decrypt(order.complainant_phone_sealed) if order.complainant_phone_sealed else "",
            "masked": False,
        }
    return {"name": order.complainant_name_masked, "phone": order.complainant_phone_masked, "masked": True}


def sealed_order_text(title: str | None, content: str) -> dict[str, str]:
    """An order's title and content as stored: personal data masked, the text as written sealed.
    Without a title, the title is the start of the masked content (never a number cut in half)."""
    written = (title or content[:30]).strip()
    shown, sealed = sealed_texts(title=written, content=content)
    if not (title or "").strip():
        shown["title"] = shown["content"][:30].strip()
    return {"title": shown["title"][:120], "content": shown["content"], "personal_sealed": sealed}


def order_text(actor: Any, order: WorkOrder, *, in_scope: bool = False) -> dict[str, Any]:
    """Title and content as this viewer may see them: as written for the handlers (and whoever may
    see the complainant), with personal data masked for everyone else."""
    if order.personal_sealed and (is_handler(actor, order) or sees_personal_data(actor, order, in_scope=in_scope)):
        written = unsealed_texts(order.personal_sealed)
        return {"title": written["title"][:120], "content": written["content"], "masked": False}
    return {"title": order.title, "content": order.content, "masked": bool(order.personal_sealed)}


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.replace("-", "")
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)
