"""An unrestricted scope sees every row of every model, whatever else a read path adds to it.

A platform administrator's and an auditor's grants restrict neither department nor region. A read path
that admits "rows in scope OR rows assigned to me" must not lose the rows in scope: every visible_*
function is run over a small demo province and must return the whole table.
"""

import pytest

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import visible_departments
from jianguan.accounts.services import create_user, grant_role
from jianguan.catalog.permissions import visible_items as visible_catalog_items
from jianguan.complaints.analysis import visible_surges
from jianguan.complaints.models import WorkOrder
from jianguan.complaints.permissions import visible_orders
from jianguan.core.models import Department
from jianguan.credit.permissions import visible_credit_records
from jianguan.demo.build import build_demo
from jianguan.exchange import permissions as exchange
from jianguan.joint import permissions as joint
from jianguan.officers.permissions import visible_officers
from jianguan.platform.permissions import visible_batches
from jianguan.records.permissions import visible_records
from jianguan.rectification.permissions import visible_rectifications
from jianguan.spotcheck.permissions import visible_plans, visible_tasks
from jianguan.subjects.permissions import visible_subjects
from jianguan.workflow.permissions import visible_items as visible_workflow_items

READS = [
    visible_departments,
    visible_catalog_items,
    visible_orders,
    visible_surges,
    visible_batches,
    visible_credit_records,
    exchange.visible_sources,
    exchange.visible_messages,
    exchange.visible_quality,
    exchange.visible_rejections,
    exchange.visible_outbox,
    joint.visible_claims,
    joint.visible_assistance,
    joint.visible_notices,
    joint.visible_campaigns,
    visible_rectifications,
    visible_officers,
    visible_records,
    visible_plans,
    visible_tasks,
    visible_subjects,
    visible_workflow_items,
]


@pytest.fixture
def unrestricted(db):
    """A small demo province and a maker of users whose grant restricts neither department nor region."""
    build_demo(seed=7, subjects=300, actions=1500, complaints=400)
    province = Department.objects.filter(parent=None).order_by("pk").first()

    def make(role):
        user = create_user(f"unrestricted_{role}", None, department=province, region=province.region)
        grant_role(user, role, department_scope="all", region_scope="all")
        return user

    return make


@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.AUDITOR])
def test_unrestricted_scope_sees_every_table_whole(unrestricted, role):
    user = unrestricted(role)
    short = {
        f"{read.__module__}.{read.__name__}": (read(user).count(), read(user).model.objects.count()) for read in READS
    }
    assert {name: counts for name, counts in short.items() if counts[0] != counts[1]} == {}
    held = [name for name, (_, total) in short.items() if total]
    assert len(held) >= len(READS) - 6, "equal counts over empty tables prove nothing"

    undispatched = WorkOrder.objects.filter(assignments__isnull=True)
    assert undispatched.exists(), "the demo holds orders not yet dispatched"
    assert visible_orders(user).filter(assignments__isnull=True).count() == undispatched.count()
