"""Alert screens: the alerts in scope by level, one alert with its signals, fusion and steps and the
form of its next step, and the dashboard (open alerts by level and region, trend, top rules,
precision)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.alerts import services
from jianguan.alerts.choices import SEVERITY, Disposal, Level, SignalKind
from jianguan.alerts.forms import STEP_FORMS, DisposeForm, NoteForm, VerifyForm
from jianguan.alerts.lists import ALERTS, RISKS
from jianguan.alerts.models import Alert
from jianguan.alerts.permissions import visible_alerts
from jianguan.alerts.policy import policy
from jianguan.core.errors import DomainError, screen_text
from jianguan.core.models import Region
from jianguan.platform.lists import counts_by, list_page
from jianguan.workflow.labels import state_label
from jianguan.workflow.services import deadline_colour

KIND_LABELS = dict(SignalKind.choices)
# The level badges' colours (web/app.css), so a chart's series read as the badges do.
LEVEL_COLOURS = {"red": "#c62828", "orange": "#ef6c00", "yellow": "#f9a825", "blue": "#1565c0"}


def _get(actor, pk: int) -> Alert:
    found = visible_alerts(actor).select_related("item__definition", "department", "subject").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def alerts(request):
    counts = counts_by(visible_alerts(request.user).filter(is_open=True), "level")
    return list_page(request, ALERTS, {"levels": [(lvl, label, counts.get(lvl, 0)) for lvl, label in Level.choices]})


@login_required
def risks(request):
    """Every subject's fused risk in scope, highest first, with each signal kind's contribution."""
    settings = policy()
    weights = [(label, settings["weights"][kind]) for kind, label in SignalKind.choices]
    return list_page(request, RISKS, {"weights": weights, "half_life_days": settings["half_life_days"]})


def contribution_rows(alert: Alert) -> list[tuple[str, float, int]]:
    """(what, points, width in percent of the largest) for each part of the fusion score."""
    parts = sorted(alert.contributions.items(), key=lambda kv: -kv[1])
    top = max((v for _k, v in parts), default=0) or 1
    label = {**KIND_LABELS, "risk_grade": gettext("Credit-risk grade")}
    return [(label.get(k, k), v, round(100 * v / top)) for k, v in parts]


def disposal_link(alert: Alert, actor) -> tuple[str | None, str]:
    """The address of what the disposal made (an order, a batch, a campaign, a notice), or None, and
    its name as people read it (the batch's, campaign's or notice's title where the actor may see it)."""
    from jianguan.joint.permissions import visible_campaigns, visible_notices
    from jianguan.spotcheck.permissions import visible_batches

    ref = alert.disposal_ref
    if not ref:
        return None, ""
    kind, _dash, pk = ref.partition("-")
    if alert.disposal == Disposal.RECTIFICATION:
        return f"{reverse('rectification:orders')}?{urlencode({'q': ref})}", ref
    found = {"batch": visible_batches, "campaign": visible_campaigns, "notice": visible_notices}.get(kind)
    if found is None or not pk.isdigit():
        return None, ref
    title = found(actor).filter(pk=int(pk)).values_list("title", flat=True).first()
    if title is None:  # out of the actor's scope: named by its reference, not linked
        return None, ref
    route = {"batch": "spotcheck:batch", "campaign": "joint:campaign", "notice": "joint:notice"}[kind]
    return reverse(route, args=[int(pk)]), title


@login_required
def detail(request, pk: int, refused: tuple[str, object] | None = None):
    alert = _get(request.user, pk)
    forms = {"verify": VerifyForm(), "dispose": DisposeForm(alert=alert), "feedback": NoteForm()}
    if refused:
        forms[refused[0]] = refused[1]
    history = [
        (t, state_label(alert.item, t.from_state), state_label(alert.item, t.to_state))
        for t in alert.item.transitions.select_related("from_department", "to_department").order_by("at", "pk")
    ]
    signals = [(s, KIND_LABELS.get(s.kind, s.kind)) for s in alert.signals.order_by("at")]
    link, name = disposal_link(alert, request.user)
    response = render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "state": state_label(alert.item),
            "card": deadline_colour(alert.item),
            "sign_late": alert.signed_at is None and timezone.now() > alert.sign_due_at,
            "contributions": contribution_rows(alert),
            "signals": signals,
            "history": history,
            "forms": forms,
            "disposal_link": link,
            "disposal_name": name,
        },
    )
    if refused:
        response.status_code = 400
    return response


@login_required
@require_POST
def act(request, pk: int, action: str):
    alert = _get(request.user, pk)
    if action == "dispose":
        form = DisposeForm(request.POST, alert=alert)
    else:
        form = STEP_FORMS[action](request.POST) if action in STEP_FORMS else None
    if action not in ("sign", "close") and form is None:
        raise Http404
    if form is not None and not form.is_valid():
        return detail(request, pk, refused=(action, form))
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "sign":
            services.sign(alert, request.user)
        elif action == "verify":
            services.verify(alert, request.user, data["verdict"], data["reason"])
        elif action == "dispose":
            services.dispose(
                alert,
                request.user,
                data["disposal"],
                data["note"],
                requirement=data["requirement"],
                recipient=data["recipient"],
                batch=data["batch"],
                campaign=data["campaign"],
                origin_url=reverse("alerts:detail", args=[pk]),
            )
        elif action == "feedback":
            services.feedback(alert, request.user, data["note"])
        else:
            services.close(alert, request.user)
    except DomainError as exc:
        if form is None:
            messages.error(request, screen_text(exc))
            return redirect(reverse("alerts:detail", args=[pk]))
        form.refuse(exc)
        return detail(request, pk, refused=(action, form))
    messages.success(request, _("Saved."))
    return redirect(reverse("alerts:detail", args=[pk]))


@login_required
def dashboard(request):
    """Open alerts by level and by city, the weekly trend, the rules raising most, precision."""
    visible = visible_alerts(request.user)
    open_alerts = visible.filter(is_open=True)
    levels = [label for _code, label in Level.choices]
    by_level = counts_by(open_alerts, "level")
    cities = Counter()
    for region, level, n in open_alerts.values_list("region_id", "level").annotate(n=Count("id")):
        cities[(region[:4] + "00", level)] += n
    names = dict(Region.objects.filter(code__in={c for c, _l in cities}).values_list("code", "name"))
    city_codes = sorted({c for c, _l in cities})
    since = timezone.now() - dt.timedelta(weeks=26)
    weeks = (
        visible.filter(raised_at__gte=since)
        .annotate(week=TruncWeek("raised_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    quality = services.quality(visible)
    for row in quality:
        row["label"] = KIND_LABELS.get(row["kind"], row["kind"])
    top = sorted(quality, key=lambda r: -r["raised"])[:10]
    return render(
        request,
        "alerts/dashboard.html",
        {
            "total_open": sum(by_level.values()),
            "levels": [(code, label, by_level.get(code, 0)) for code, label in Level.choices],
            "level_plot": {
                "type": "bar",
                "stacked": True,
                "categories": [names.get(c, c) for c in city_codes],
                "series": [
                    {
                        "name": str(label),
                        "data": [cities.get((c, code), 0) for c in city_codes],
                        "color": LEVEL_COLOURS[code],
                    }
                    for code, label in Level.choices
                ],
            },
            "trend_plot": {
                "type": "bar",
                "categories": [timezone.localtime(w).strftime("%Y-%m-%d") for w, _n in weeks],
                "series": [{"name": gettext("Alerts raised"), "data": [n for _w, n in weeks]}],
            },
            "top": top,
            "quality": quality,
            "level_names": levels,
            "severity": SEVERITY,
        },
    )
