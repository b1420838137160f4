"""Reports for supervisors (and finance): volume, response and resolution times, SLA compliance, the
reply rate to brand mentions, sentiment, per dimension and day, read from the rollups."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.clock import now_iso, utcnow
from mentiondesk.errors import Conflict, NotFound
from mentiondesk.reports import service
from mentiondesk.reports.weekly import VocPolicyIn
from mentiondesk.store.rollups import REPORT_TZ

router = Router()

DAY = r"^\d{4}-\d{2}-\d{2}$"
Dimension = Literal["all", "channel", "team", "account", "agent", "intent", "sentiment", "language", "policy"]


@router.get(
    "/api/reports/summary",
    summary="A period's figures by one dimension (default: the last 7 days, everything together)",
    responses={400: {"description": "An invalid or too long period"}},
)
def report_summary(
    from_: Annotated[str | None, Query(alias="from", pattern=DAY, description="YYYY-MM-DD, report timezone")] = None,
    to: Annotated[str | None, Query(pattern=DAY, description="YYYY-MM-DD, included")] = None,
    dimension: Annotated[Dimension, Query()] = "all",
) -> dict[str, Any]:
    who = principal(router)
    today = utcnow().astimezone(REPORT_TZ).date()
    last = to or today.isoformat()
    first = from_ or (today - timedelta(days=6)).isoformat()
    return service.summary(deps.store(), who.tenant_id, first, last, dimension)


@router.get(
    "/api/reports/tickets.csv",
    summary="One row per ticket opened in the period (no customer words), as CSV for a spreadsheet",
    responses={200: {"content": {"text/csv": {}}}, 400: {"description": "An invalid or too long period"}},
)
def report_tickets_csv(
    from_: Annotated[str, Query(alias="from", pattern=DAY, description="YYYY-MM-DD, report timezone")],
    to: Annotated[str, Query(pattern=DAY, description="YYYY-MM-DD, included")],
) -> Response[str]:
    who = principal(router)
    store = deps.store()
    rows, cut = service.export_rows(store, who.tenant_id, from_, to)
    store.audit.append(
        who.tenant_id, who.user_id, who.role, "export", f"tickets:{from_}..{to}", now_iso(), rows=len(rows)
    )
    headers = {"content-disposition": f'attachment; filename="tickets-{from_}-{to}.csv"'}
    if cut:
        headers["x-mentiondesk-truncated"] = str(service.EXPORT_LIMIT)
    return Response(
        status_code=200, content_type="text/csv; charset=utf-8", body=service.export_csv(rows), headers=headers
    )


@router.get(
    "/api/reports/tickets",
    summary="The tickets behind a report figure (drill-down; no customer words)",
    responses={400: {"description": "An invalid period, metric or dimension"}},
)
def report_drill(
    metric: Annotated[str, Query(description=", ".join(service.DRILL_METRICS))],
    from_: Annotated[str | None, Query(alias="from", pattern=DAY, description="YYYY-MM-DD, report timezone")] = None,
    to: Annotated[str | None, Query(pattern=DAY, description="YYYY-MM-DD, included")] = None,
    dimension: Annotated[Dimension, Query()] = "all",
    value: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    who = principal(router)
    today = utcnow().astimezone(REPORT_TZ).date()
    last = to or today.isoformat()
    first = from_ or (today - timedelta(days=6)).isoformat()
    return service.drill(deps.store(), who.tenant_id, first, last, metric, dimension, value)


@router.get("/api/reports/backlog", summary="Open and pending tickets now, by age")
def report_backlog() -> dict[str, Any]:
    who = principal(router)
    return service.backlog(deps.store(), who.tenant_id, utcnow())


@router.get("/api/reports/voc", summary="The weekly voice-of-the-customer reports, newest first")
def voc_weeks() -> dict[str, Any]:
    who = principal(router)
    from mentiondesk.store.voc import VocStore

    return {"items": VocStore(deps.store().table).weeks(who.tenant_id)}


@router.get("/api/reports/voc/<week_start>", summary="One week's voice of the customer: topics, trends, examples")
def voc_week(week_start: Annotated[str, Path(pattern=DAY)]) -> dict[str, Any]:
    who = principal(router)
    from mentiondesk.store.voc import VocStore

    found = VocStore(deps.store().table).week(who.tenant_id, week_start)
    if found is None:
        raise NotFound("no report for that week")
    return found


@router.get("/api/settings/voc", summary="When and to whom the weekly voice of the customer goes")
def get_voc_policy() -> dict[str, Any]:
    who = principal(router)
    from mentiondesk.errors import NotFound as Missing
    from mentiondesk.reports.weekly import POLICY_ID, VocPolicy

    try:
        return _voc_policies().get(who.tenant_id, POLICY_ID, consistent=False)
    except Missing:
        return {"version": 0, **VocPolicy().model_dump()}


@router.put(
    "/api/settings/voc",
    summary="Change when and to whom the weekly voice of the customer goes (version 0 the first time)",
    responses={409: {"description": "Stale version"}},
)
def put_voc_policy(body: VocPolicyIn) -> dict[str, Any]:
    who = principal(router)
    from mentiondesk.reports.weekly import POLICY_ID

    document = {**body.model_dump(exclude={"version"}), "updated_at": now_iso(), "updated_by": who.user_id}
    policies = _voc_policies()
    if body.version == 0:
        return policies.create(who.tenant_id, POLICY_ID, document)
    try:
        return policies.replace(who.tenant_id, POLICY_ID, body.version, document)
    except NotFound:
        raise Conflict("the settings changed since you read them", current=get_voc_policy()) from None


def _voc_policies() -> Any:
    from mentiondesk.store.settings import SettingsStore

    return SettingsStore(deps.store().table, "POLICY", "VoC policy")
