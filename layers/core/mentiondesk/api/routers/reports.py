"""Reports for supervisors (and finance): volume, response and resolution times, SLA compliance, the
reply rate to brand mentions, sentiment, per dimension and day, read from the rollups."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.clock import utcnow
from mentiondesk.reports import service
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


@router.get("/api/reports/backlog", summary="Open and pending tickets now, by age")
def report_backlog() -> dict[str, Any]:
    who = principal(router)
    return service.backlog(deps.store(), who.tenant_id, utcnow())
