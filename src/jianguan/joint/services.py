"""Writes of joint supervision: licence claims, notices, assistance requests, campaigns and the
inspection-cap justifications. Claims and assistance requests run on workflows
(definitions/joint_*.json): deadlines on the working-day calendar, yellow one working day before,
escalation up the department chain when overdue.

Each concern lives in its own module (burden, linkage, notices, assistance, campaigns); this
module is the one door the API, screens, commands and demo call."""

from __future__ import annotations

import json

from jianguan.catalog.key_matters import load_key_matters
from jianguan.joint.assistance import (  # noqa: F401
    accept_assistance,
    decline_assistance,
    forward_assistance,
    reply_assistance,
    request_assistance,
)
from jianguan.joint.burden import cap_for, check_cap, inspections_in_year, overlapping_inspections  # noqa: F401
from jianguan.joint.campaigns import (  # noqa: F401
    add_campaign_target,
    campaign_progress,
    create_campaign,
    import_campaign_targets,
    merged_form,
    open_campaigns_for_targets,
    record_campaign_result,
)
from jianguan.joint.linkage import claim, end_claim, never_supervised, note_first_inspections, sync_claims  # noqa: F401
from jianguan.joint.notices import read_notice, read_notices, reply_notice, send_notice  # noqa: F401
from jianguan.joint.policy import WORKFLOWS
from jianguan.workflow.services import define_workflow


def setup() -> dict[str, int]:
    """Define the joint workflows and load the key-matter list (sectors and items of this deployment)."""
    for path in WORKFLOWS:
        define_workflow(json.loads(path.read_text(encoding="utf-8")))
    return {"key_matters": load_key_matters()}
