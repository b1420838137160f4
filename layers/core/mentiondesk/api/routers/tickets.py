"""Inbox and ticket detail."""

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal, ticket_detail
from mentiondesk.api.schemas import (
    AssignmentIn,
    EventOut,
    LabelCorrection,
    MessageOut,
    NoteIn,
    NoteOut,
    OtherTicketOut,
    OutboxOut,
    PresenceIn,
    PresenceOut,
    TicketDetailOut,
    TicketPage,
    TicketPatch,
    TicketSummaryOut,
)
from mentiondesk.assignment.assign import assign_waiting
from mentiondesk.clock import now_iso, utcnow
from mentiondesk.errors import Forbidden, InvalidRequest, NotFound
from mentiondesk.ids import is_id
from mentiondesk.models import Agent, Ticket
from mentiondesk.reports import events
from mentiondesk.rules.service import apply_rules
from mentiondesk.sla import service as sla
from mentiondesk.store.factory import Store
from mentiondesk.store.tickets import InboxFilter
from mentiondesk.triage.pii import mask_pii

router = Router()

StatusFilter = Literal["open", "pending", "resolved", "closed", "all"]


View = Literal["all", "mine", "team", "unassigned", "sla_at_risk"]
Channel = Literal["x", "instagram", "facebook", "google"]


@router.get(
    "/api/tickets",
    summary="The inbox: a view (all, mine, team, unassigned, SLA at risk), filters, cursor paging",
    responses={400: {"description": "A cursor the inbox did not give, or the team view for someone in no team"}},
)
def list_tickets(
    status: Annotated[StatusFilter, Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    sort: Annotated[
        Literal["activity", "due"],
        Query(description="due: only tickets with a running SLA clock, the nearest due time first"),
    ] = "activity",
    view: Annotated[View, Query(description="sla_at_risk: running SLA clocks, nearest due first")] = "all",
    channel: Annotated[Channel | None, Query()] = None,
    intent: Annotated[Literal["praise", "question", "problem", "complaint", "request", "other"] | None, Query()] = None,
    sentiment: Annotated[Literal["positive", "neutral", "negative"] | None, Query()] = None,
    urgency: Annotated[Literal["high", "normal", "low"] | None, Query()] = None,
    language: Annotated[str | None, Query(min_length=2, max_length=8, pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    assignee: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="text in the subject or latest message")
    ] = None,
) -> TicketPage:
    who = principal(router)
    store = deps.store()
    filters = InboxFilter(
        channel=channel,
        intent=intent,
        sentiment=sentiment,
        urgency=urgency,
        language=language,
        tag=tag,
        assignee=who.user_id if view == "mine" else assignee,
        unassigned=view == "unassigned",
        team=_my_team(store, who.tenant_id, who.user_id) if view == "team" else None,
        text=q,
    )
    wanted = None if status == "all" else status
    if sort == "due" or view == "sla_at_risk":
        page = store.tickets.by_due(who.tenant_id, wanted, limit, cursor, filters)
    else:
        page = store.tickets.inbox(who.tenant_id, wanted, limit, cursor, filters)
    return TicketPage(items=[TicketSummaryOut.of(t) for t in page.items], next=page.next)


def _my_team(store: Store, tenant: str, user_id: str) -> str:
    try:
        team = store.directory.agent(tenant, user_id).team
    except NotFound:
        team = None
    if not team:
        raise InvalidRequest("you are in no team: the team view needs one")
    return team


@router.get("/api/tickets/<ticket_id>", summary="A ticket with its messages and events")
def get_ticket(ticket_id: Annotated[str, Path(max_length=64)]) -> TicketDetailOut:
    who = principal(router)
    store = deps.store()
    detail = ticket_detail(store, who, ticket_id)
    t = detail.ticket
    # The messages are the customer's personal data: every view is audited.
    store.audit.append(who.tenant_id, who.user_id, who.role, "ticket_viewed", ticket_id, now_iso())
    summary = TicketSummaryOut.of(t)
    others: list[OtherTicketOut] = []
    if t.customer.platform_user_id:
        # The second and last Query: this customer's other tickets, from their history partition.
        history = store.customers.tickets(who.tenant_id, f"{t.platform}:{t.customer.platform_user_id}", limit=21)
        others = [
            OtherTicketOut(id=h["ticket_id"], created_at=h["created_at"], subject=h.get("subject"))
            for h in history
            if h.get("ticket_id") != t.id
        ][:20]
    return TicketDetailOut(
        **summary.model_dump(),
        messages=[MessageOut.of(m) for m in detail.messages],
        events=[EventOut.of(e) for e in detail.events],
        outbox=[OutboxOut.of(o) for o in detail.outbox],
        notes=[NoteOut.model_validate(n) for n in detail.notes],
        other_tickets=others,
        presence=[PresenceOut.model_validate(p) for p in detail.presence],
    )


@router.patch(
    "/api/tickets/<ticket_id>",
    summary="Change a ticket's status, priority or tags (optimistic locking on version)",
    responses={
        400: {"description": "Nothing to change"},
        409: {"description": "Stale version; the body holds the current ticket"},
    },
)
def update_ticket(ticket_id: Annotated[str, Path(max_length=64)], body: TicketPatch) -> TicketSummaryOut:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    if body.status is None and body.priority is None and body.tags is None:
        raise InvalidRequest("give status, priority or tags to change")
    store = deps.store()
    now = now_iso()
    before = store.tickets.get(who.tenant_id, ticket_id)
    ticket = before
    version = body.version
    if body.priority is not None or body.tags is not None:
        ticket = store.tickets.set_fields(
            who.tenant_id, ticket_id, version, {"priority": body.priority, "tags": body.tags}, who.user_id, now
        )
        version = ticket.version
    if body.status is not None:
        counted = resolution_rollups(store, body.status, now)
        ticket = store.tickets.set_status(who.tenant_id, ticket_id, version, body.status, who.user_id, now, counted)
    if ticket.version != before.version:
        # Rules on ticket_updated (their own changes never trigger it again), keyed by this change.
        apply_rules(
            store, deps.notifier(), who.tenant_id, ticket_id, ["ticket_updated"], f"updated:{ticket.version}", utcnow()
        )
        ticket = store.tickets.get(who.tenant_id, ticket_id)
    if ticket.status != before.status and ticket.sla_started_at:
        # Pending pauses the resolution clock, resolved stops every clock, reopening starts it again.
        sla.refresh(store, deps.sla_timers(), who.tenant_id, ticket_id, utcnow())
        ticket = store.tickets.get(who.tenant_id, ticket_id)
    _satisfaction_survey(store, before, ticket, now)
    if before.assignee and before.status in ("open", "pending") and ticket.status in ("resolved", "closed"):
        # The agent has a free place now: a waiting ticket of the team can have it at once.
        assign_waiting(store, who.tenant_id, now, per_team=5, teams=[ticket.team])
    return TicketSummaryOut.of(ticket)


def _satisfaction_survey(store: Store, before: Ticket, after: Ticket, now: str) -> None:
    """Resolved: ask the customer for a rating where the platform allows a private message (the
    tenant's CSAT policy decides; reports/csat.py). Reopened: withdraw a survey not sent yet. The
    status change is stored already, so a failure here is logged and counted, never the answer."""
    from mentiondesk.config import AccountSettings
    from mentiondesk.observability import logger, metrics
    from mentiondesk.reports.csat import request_survey
    from mentiondesk.store.csat import CsatStore
    from mentiondesk.store.outbox import OutboxRef

    try:
        surveys = CsatStore(store.table)
        if after.status == "resolved" and before.status != "resolved":
            app_url = AccountSettings.from_env().app_url
            if not app_url:
                return  # no public address to link to (deployed without AppUrl): nothing to ask with
            from mentiondesk.api.routers.replies import account_handle

            detail = store.tickets.detail(after.tenant_id, after.id)
            requested = request_survey(surveys, detail, now, app_url, brand=account_handle(store, after) or "")
            if requested.outbox is not None:
                deps.send_queue().offer(OutboxRef.of(requested.outbox))
        elif before.status == "resolved" and after.status in ("open", "pending"):
            surveys.withdraw(after.tenant_id, after.id, now)
    except Exception:
        logger.exception("the satisfaction survey was not handled", extra={"ticket_id": after.id})
        metrics.add_metric(name="CsatRequestFailed", unit="Count", value=1)


def resolution_rollups(store: Store, status: str, now: str) -> Callable[[Ticket], list[dict[str, Any]]] | None:
    """The report rollups of a resolution, for the status change's transaction (None: not a resolution)."""
    if status != "resolved":
        return None

    def items(current: Ticket) -> list[dict[str, Any]]:
        if current.status == "resolved":
            return []
        return events.resolved(current, now, sla.calendar_for(store, current.tenant_id, current.team))

    return items


CORRECTION_TEXT_CHARS = 2_000


@router.post(
    "/api/tickets/<ticket_id>/labels",
    summary="Correct a ticket's sentiment, intent or urgency (kept on the ticket; teaches the tenant's model)",
    responses={400: {"description": "No label given"}, 409: {"description": "Stale version"}},
)
def correct_labels(ticket_id: Annotated[str, Path(max_length=64)], body: LabelCorrection) -> TicketSummaryOut:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    changes = {k: v for k, v in body.model_dump(exclude={"version"}).items() if v is not None}
    if not changes:
        raise InvalidRequest("give at least one of sentiment, intent, urgency")
    store = deps.store()
    detail = store.tickets.detail(who.tenant_id, ticket_id)
    t = detail.ticket
    words = "\n".join(m.text for m in detail.messages if m.direction == "inbound" and m.deleted_at is None)
    correction = {
        # The customer's words without their personal data: training data is kept for two years.
        "text": mask_pii(words)[:CORRECTION_TEXT_CHARS],
        "language": t.language,
        "channel": t.platform,
        "labels": {"sentiment": t.sentiment, "intent": t.intent, "urgency": t.urgency} | changes,
        "corrected": sorted(changes),
        "automatic": {"sentiment": t.sentiment, "intent": t.intent, "urgency": t.urgency},
    }
    ticket = store.tickets.correct_labels(
        who.tenant_id, ticket_id, body.version, changes, correction, who.user_id, now_iso()
    )
    return TicketSummaryOut.of(ticket)


@router.post(
    "/api/tickets/<ticket_id>/assignment",
    summary="Assign, transfer or unassign a ticket (optimistic locking on version; capacity respected)",
    responses={
        400: {"description": "No such agent, or not one who can take tickets"},
        403: {"description": "Only supervisors may force past capacity or assign others"},
        409: {"description": "Stale version, or the agent is at capacity"},
    },
)
def assign(ticket_id: Annotated[str, Path(max_length=64)], body: AssignmentIn) -> TicketSummaryOut:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    lead = who.role in ("admin", "supervisor")
    if body.force and not lead:
        raise Forbidden("only supervisors and admins may assign past capacity")
    if not lead and body.agent_id not in (None, who.user_id):
        raise Forbidden("agents take tickets themselves or give them back; supervisors assign others")
    store = deps.store()
    current = store.tickets.get(who.tenant_id, ticket_id)  # another tenant's or a missing ticket: 404 first
    agent = None
    if body.agent_id is not None:
        try:
            agent = store.directory.agent(who.tenant_id, body.agent_id)
        except NotFound:
            raise InvalidRequest("no such agent") from None
        if agent.role not in ("agent", "supervisor"):
            raise InvalidRequest("only agents and supervisors take tickets")
    elif not lead and current.assignee and current.assignee.id != who.user_id:
        raise Forbidden("agents can give back only their own tickets")
    # Unassigned, an active ticket waits in its team's queue for the next eligible agent (the minute schedule).
    ticket = store.tickets.reassign(
        who.tenant_id, ticket_id, body.version, agent, who.user_id, now_iso(), force=body.force
    )
    return TicketSummaryOut.of(ticket)


MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})")


@router.post(
    "/api/tickets/<ticket_id>/notes",
    summary="Add a private note (never sent to the customer); @name mentions notify those agents",
    status_code=201,
    responses={201: {"description": "Created"}, 400: {"description": "Mentions someone unknown"}},
)
def add_note(ticket_id: Annotated[str, Path(max_length=64)], body: NoteIn) -> Response[NoteOut]:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    store = deps.store()
    store.tickets.get(who.tenant_id, ticket_id)  # another tenant's or a missing ticket: 404 first
    people = store.directory.agents(who.tenant_id)
    by_handle: dict[str, Agent] = {}
    for person in people:
        by_handle[person.id.lower()] = person
        by_handle[person.email.split("@", 1)[0].lower()] = person
    mentioned: dict[str, Agent] = {}
    for handle in MENTION.findall(body.text):
        named = by_handle.get(handle.lower())
        if named is None:
            raise InvalidRequest(f"nobody called @{handle} in this team", [{"loc": ["text"], "msg": "unknown mention"}])
        mentioned[named.id] = named
    author = next((p for p in people if p.id == who.user_id), None)
    if author is None:
        raise Forbidden("you are not a member of this tenant's team")
    note = store.tickets.add_note(who.tenant_id, ticket_id, author, body.text, list(mentioned.values()), now_iso())
    return Response(status_code=201, body=NoteOut.model_validate(note), content_type="application/json")


@router.put(
    "/api/tickets/<ticket_id>/presence",
    summary="Say you are viewing or typing on a ticket (repeat every 20 s; it lapses on its own)",
)
def mark_presence(ticket_id: Annotated[str, Path(max_length=64)], body: PresenceIn) -> list[PresenceOut]:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    store = deps.store()
    store.tickets.get(who.tenant_id, ticket_id)  # another tenant's or a missing ticket: 404
    try:
        name = store.directory.agent(who.tenant_id, who.user_id).name
    except NotFound:
        raise Forbidden("you are not a member of this tenant's team") from None
    now = now_iso()
    store.presence.mark(who.tenant_id, ticket_id, who.user_id, name, body.state, now)
    others = store.presence.on_ticket(who.tenant_id, ticket_id, now)
    return [PresenceOut.model_validate(p) for p in others if p["user_id"] != who.user_id]


@router.delete("/api/tickets/<ticket_id>/presence", summary="Say you left the ticket", status_code=204)
def leave_presence(ticket_id: Annotated[str, Path(max_length=64)]) -> Response[None]:
    who = principal(router)
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    store = deps.store()
    store.tickets.get(who.tenant_id, ticket_id)
    store.presence.leave(who.tenant_id, ticket_id, who.user_id)
    return Response(status_code=204)
