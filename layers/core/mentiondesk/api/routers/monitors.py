"""X monitors (own mentions and keyword searches polled on a schedule) and the admins' alerts."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import AlertOut, AlertPage, MonitorIn, MonitorOut, MonitorPage, MonitorPatch
from mentiondesk.clock import now_iso
from mentiondesk.errors import Conflict, InvalidRequest
from mentiondesk.ids import new_id
from mentiondesk.models import Monitor
from mentiondesk.observability import logger
from mentiondesk.polling.queries import MAX_QUERY, search_query

router = Router()

MonitorId = Annotated[str, Path(min_length=26, max_length=26, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]


def _check_query(kind: str, query: str | None, languages: list[str]) -> None:
    if kind in ("mentions", "dms"):
        if query is not None:
            raise InvalidRequest(f"a {kind} monitor has no query")
        return
    if not query or not query.strip():
        raise InvalidRequest("a search monitor needs a query")
    if len(search_query(query, languages)) > MAX_QUERY:
        raise InvalidRequest(f"the query with its language filter is longer than {MAX_QUERY} characters")


def _check_account(tenant: str, account_id: str) -> None:
    channels = deps.store().directory.channels(tenant)
    if not any(c.platform == "x" and c.account_id == account_id and c.status == "active" for c in channels):
        raise InvalidRequest("account_id is not an active X channel account of this tenant")


@router.get("/api/monitors", summary="The tenant's X monitors with their spend this month")
def list_monitors() -> MonitorPage:
    who = principal(router)
    monitors = sorted(deps.store().monitors.for_tenant(who.tenant_id), key=lambda m: m.created_at)
    return MonitorPage(items=[MonitorOut.of(m) for m in monitors])


@router.post(
    "/api/monitors",
    summary="Create an X monitor (own mentions, or a keyword search)",
    status_code=201,
    responses={201: {"description": "Created"}, 400: {"description": "Invalid"}},
)
def create_monitor(body: MonitorIn) -> Response[MonitorOut]:
    who = principal(router)
    _check_query(body.kind, body.query, body.languages)
    _check_account(who.tenant_id, body.account_id)
    if body.kind == "dms" and any(
        m.kind == "dms" and m.account_id == body.account_id for m in deps.store().monitors.for_tenant(who.tenant_id)
    ):
        # One reader per account: two would read every DM twice and race the account's token rotation.
        raise Conflict("this account already has a DM monitor")
    now = now_iso()
    monitor = Monitor(
        tenant_id=who.tenant_id,
        id=new_id(),
        kind=body.kind,
        account_id=body.account_id,
        name=body.name,
        query=body.query.strip() if body.query else None,
        languages=body.languages,
        interval_minutes=body.interval_minutes,
        monthly_budget_usd=str(body.monthly_budget_usd),
        created_at=now,
        created_by=who.user_id,
        updated_at=now,
        next_run_at=now,
    )
    deps.store().monitors.create(monitor)
    logger.info("monitor created", extra={"monitor_id": monitor.id, "kind": monitor.kind, "tenant_id": who.tenant_id})
    return Response(status_code=201, content_type="application/json", body=MonitorOut.of(monitor))


@router.get("/api/monitors/<monitor_id>", summary="One X monitor")
def get_monitor(monitor_id: MonitorId) -> MonitorOut:
    who = principal(router)
    return MonitorOut.of(deps.store().monitors.get(who.tenant_id, monitor_id))


@router.patch(
    "/api/monitors/<monitor_id>",
    summary="Change a monitor's settings, pause or resume it",
    responses={409: {"description": "Stale version; the body holds the current monitor"}},
)
def update_monitor(monitor_id: MonitorId, body: MonitorPatch) -> MonitorOut:
    who = principal(router)
    store = deps.store().monitors
    current = store.get(who.tenant_id, monitor_id, consistent=True)
    given = body.model_dump(exclude_unset=True, exclude={"version"})
    if any(v is None for v in given.values()):
        raise InvalidRequest("null is not a value for these fields; leave a field out to keep it")
    changes: dict[str, Any] = {k: (str(v) if k == "monthly_budget_usd" else v) for k, v in given.items()}
    query = changes.get("query", current.query)
    languages = changes.get("languages", current.languages)
    if "query" in changes or "languages" in changes:
        _check_query(current.kind, query, languages)
        if query != current.query or languages != current.languages:
            # A different search: start over from now, not from the old search's cursor.
            changes.update(since_id=None, cycle=None, next_run_at=now_iso())
    if changes.get("status") == "active" or (
        "monthly_budget_usd" in changes and current.status == "budget_exhausted" and "status" not in changes
    ):
        changes.update(status="active", status_reason=None, failures=0, last_error=None, next_run_at=now_iso())
    elif changes.get("status") == "paused":
        changes["status_reason"] = f"paused by {who.user_id}"
    changes["updated_at"] = now_iso()
    monitor = store.update_settings(who.tenant_id, monitor_id, body.version, changes)
    logger.info("monitor updated", extra={"monitor_id": monitor_id, "fields": sorted(given)})
    return MonitorOut.of(monitor)


@router.delete(
    "/api/monitors/<monitor_id>",
    summary="Delete a monitor (optimistic locking on version)",
    responses={204: {"description": "Deleted"}, 409: {"description": "Stale version; the body holds the monitor"}},
)
def delete_monitor(monitor_id: MonitorId, version: Annotated[int, Query(ge=1)]) -> Response[str]:
    who = principal(router)
    deps.store().monitors.delete(who.tenant_id, monitor_id, version)
    logger.info("monitor deleted", extra={"monitor_id": monitor_id, "tenant_id": who.tenant_id})
    return Response(status_code=204, content_type="application/json", body="")


@router.get("/api/alerts", summary="What the tenant's admins must act on, newest first")
def list_alerts() -> AlertPage:
    who = principal(router)
    return AlertPage(items=[AlertOut.of(a) for a in deps.store().alerts.recent(who.tenant_id)])
