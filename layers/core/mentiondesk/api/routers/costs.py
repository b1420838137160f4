"""Finance: what each ticket costs, the month by component, channel, team and brand against the
benchmark cost per contact, budgets, and agents' handling time as the page measures it."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.clock import now_iso, utcnow
from mentiondesk.costs import finance
from mentiondesk.costs.metering import record_agent_time
from mentiondesk.errors import NotFound
from mentiondesk.ids import is_id

router = Router()

TicketId = Annotated[str, Path(max_length=64)]
MonthQuery = Annotated[str | None, Query(pattern=finance.MONTH, description="YYYY-MM (report month, Asia/Tokyo)")]
MAX_BEAT_SECONDS = 300  # the page reports active time at least every minute; a longer beat is refused


class HandlingTimeIn(BaseModel):
    """Active seconds an agent spent on a ticket since the page's last report."""

    model_config = ConfigDict(extra="forbid")

    seconds: int = Field(ge=1, le=MAX_BEAT_SECONDS)
    beat_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Unique per report: a retry is counted once",
    )


def _ticket(tenant: str, ticket_id: str) -> Any:
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    return deps.store().tickets.get(tenant, ticket_id)


@router.get("/api/costs/summary", summary="A month's costs: per ticket, by component and dimension, budgets")
def costs_summary(month: MonthQuery = None) -> dict[str, Any]:
    who = principal(router)
    return finance.summary(deps.store().table, who.tenant_id, finance.month_or_current(month))


@router.get(
    "/api/costs/tickets.csv",
    summary="One row per ticket with its costs in the month, by component, as CSV for a spreadsheet",
    responses={200: {"content": {"text/csv": {}}}},
)
def costs_tickets_csv(month: MonthQuery = None) -> Response[str]:
    who = principal(router)
    store = deps.store()
    chosen = finance.month_or_current(month)
    body = finance.tickets_csv(store.table, who.tenant_id, chosen)
    store.audit.append(who.tenant_id, who.user_id, who.role, "export", f"costs:{chosen}", now_iso())
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"content-disposition": f'attachment; filename="ticket-costs-{chosen}.csv"'},
    )


@router.get("/api/tickets/<ticket_id>/costs", summary="A ticket's cost ledger: every line and the total")
def ticket_costs(ticket_id: TicketId) -> dict[str, Any]:
    who = principal(router)
    _ticket(who.tenant_id, ticket_id)
    return finance.ticket_ledger(deps.store().table, who.tenant_id, ticket_id)


@router.post(
    "/api/tickets/<ticket_id>/time",
    summary="Active handling seconds on the ticket since the page last reported (priced at the agent's rate)",
    status_code=202,
    responses={202: {"description": "Recorded"}},
)
def handling_time(ticket_id: TicketId, body: HandlingTimeIn) -> Response[dict[str, Any]]:
    who = principal(router)
    ticket = _ticket(who.tenant_id, ticket_id)
    agent = deps.store().directory.agent(who.tenant_id, who.user_id)
    record_agent_time(
        who.tenant_id,
        ticket.id,
        body.seconds,
        agent.hourly_rate_usd,
        request_id=f"time-{who.user_id}-{body.beat_id}",
        channel=ticket.platform,
        team=ticket.team,
        brand=ticket.account_id,
    )
    return Response(
        status_code=202,
        content_type="application/json",
        body={"seconds": body.seconds, "priced": agent.hourly_rate_usd is not None},
    )


@router.get("/api/settings/costs", summary="The benchmark cost per contact and the monthly platform budgets")
def get_cost_settings() -> dict[str, Any]:
    who = principal(router)
    return finance.cost_settings(deps.store().table, who.tenant_id)


@router.put(
    "/api/settings/costs",
    summary="Change the benchmark cost per contact and the monthly platform budgets (version 0 the first time)",
    responses={409: {"description": "Stale version"}},
)
def put_cost_settings(body: finance.CostSettingsIn) -> dict[str, Any]:
    who = principal(router)
    store = deps.store()
    saved = finance.save_cost_settings(store.table, who.tenant_id, body, who.user_id)
    store.audit.append(who.tenant_id, who.user_id, who.role, "policy_changed", "costs", now_iso())
    if finance.x_budget_left(store.table, who.tenant_id, utcnow()):
        finance.resume_keyword_monitors(store.table, who.tenant_id)
    return saved
