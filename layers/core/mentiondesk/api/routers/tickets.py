"""Inbox and ticket detail."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import (
    EventOut,
    MessageOut,
    TicketDetailOut,
    TicketPage,
    TicketPatch,
    TicketSummaryOut,
)
from mentiondesk.assignment.assign import assign_waiting
from mentiondesk.clock import now_iso
from mentiondesk.errors import NotFound
from mentiondesk.ids import is_id

router = Router()

StatusFilter = Literal["open", "pending", "resolved", "closed", "all"]


@router.get("/api/tickets", summary="The inbox, newest activity first")
def list_tickets(
    status: Annotated[StatusFilter, Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> TicketPage:
    who = principal(router)
    page = deps.store().tickets.inbox(who.tenant_id, None if status == "all" else status, limit, cursor)
    return TicketPage(items=[TicketSummaryOut.of(t) for t in page.items], next=page.next)


@router.get("/api/tickets/<ticket_id>", summary="A ticket with its messages and events")
def get_ticket(ticket_id: Annotated[str, Path(max_length=64)]) -> TicketDetailOut:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")  # the same answer as a missing or foreign id
    detail = deps.store().tickets.detail(who.tenant_id, ticket_id)
    summary = TicketSummaryOut.of(detail.ticket)
    return TicketDetailOut(
        **summary.model_dump(),
        messages=[MessageOut.of(m) for m in detail.messages],
        events=[EventOut.of(e) for e in detail.events],
    )


@router.patch(
    "/api/tickets/<ticket_id>",
    summary="Change a ticket's status (optimistic locking on version)",
    responses={409: {"description": "Stale version; the body holds the current ticket"}},
)
def update_ticket(ticket_id: Annotated[str, Path(max_length=64)], body: TicketPatch) -> TicketSummaryOut:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    store = deps.store()
    now = now_iso()
    before = store.tickets.get(who.tenant_id, ticket_id)
    ticket = store.tickets.set_status(who.tenant_id, ticket_id, body.version, body.status, who.user_id, now)
    if before.assignee and before.status in ("open", "pending") and ticket.status in ("resolved", "closed"):
        # The agent has a free place now: a waiting ticket of the team can have it at once.
        assign_waiting(store, who.tenant_id, now, per_team=5, teams=[ticket.team])
    return TicketSummaryOut.of(ticket)
