"""Who am I: the caller's identity, roles and scope."""

from ninja import Router

from jianguan.accounts.scope import scope_for

router = Router(tags=["accounts"])


@router.get("/me", response=dict)
def me(request):
    actor = request.auth
    scope = scope_for(actor)
    return {
        "kind": "api_client" if actor.__class__.__name__ == "ApiClient" else "user",
        "name": str(actor),
        "department_id": getattr(actor, "department_id", None),
        "roles": sorted(scope.roles),
        "scope": [{"department_path": g.department_path, "region_prefix": g.region_prefix} for g in scope.grants],
    }
