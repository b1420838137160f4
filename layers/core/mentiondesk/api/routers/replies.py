"""Replies: the composer's checks, sending through the outbox, hiding comments, and a person's
decision on a reply whose fate is unknown (or that failed)."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mentiondesk.api import deps
from mentiondesk.api.context import principal, ticket_detail
from mentiondesk.api.principal import Principal
from mentiondesk.api.schemas import (
    HideIn,
    LintIn,
    OutboxDecisionIn,
    OutboxOut,
    QueuedOut,
    ReplyIn,
    ReplyMode,
    ReplyPolicyIn,
    ReplyPolicyOut,
)
from mentiondesk.clock import iso, now_iso, parse_iso, utcnow
from mentiondesk.errors import Conflict, Forbidden, InvalidRequest, NotFound, invalid_from
from mentiondesk.ids import is_id
from mentiondesk.models import Agent, Message, Ticket, TicketEvent
from mentiondesk.replies.lint import BrandPolicy, LintContext, LintResult, RecentReply, lint
from mentiondesk.replies.sender import reply_message, request_for
from mentiondesk.sla import service as sla
from mentiondesk.store.audit import Action, audit_item, audit_put
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxRef, OutboxTransitions, outbox_item, public
from mentiondesk.store.tickets import TicketDetail

router = Router()

PRIVATE_REPLY_DAYS = 7  # Meta: one private reply per comment, within 7 days of it
MESSAGING_WINDOW = timedelta(hours=24)  # Meta: replies to a DM within 24 h of the customer's last message
HUMAN_AGENT_WINDOW = timedelta(days=7)  # ... and up to 7 days by a person, with the HUMAN_AGENT tag
POLICY_ID = "replies"
_POLICY_FIELDS = tuple(f for f in ReplyPolicyIn.model_fields if f != "version")


# -- the brand's reply policy --------------------------------------------------------------------


def reply_policy(store: Store, tenant: str) -> dict[str, Any]:
    """The tenant's reply policy document, or the defaults (version 0) when none was saved."""
    try:
        return store.reply_policy.get(tenant, POLICY_ID, consistent=False)
    except NotFound:
        return {"version": 0, **ReplyPolicyIn().model_dump(exclude={"version"})}


@router.get("/api/settings/replies", summary="How the brand's agents reply: the composer's checks, who may send")
def get_reply_policy() -> ReplyPolicyOut:
    who = principal(router)
    return ReplyPolicyOut.model_validate(reply_policy(deps.store(), who.tenant_id))


@router.put(
    "/api/settings/replies",
    summary="Change the reply policy (optimistic locking on version; 0 the first time)",
    responses={409: {"description": "Stale version; the body holds the current policy"}},
)
def put_reply_policy(body: ReplyPolicyIn) -> ReplyPolicyOut:
    who = principal(router)
    store = deps.store()
    document = {
        **body.model_dump(exclude={"version"}),
        "updated_at": now_iso(),
        "updated_by": who.user_id,
    }
    if body.version == 0:
        saved = store.reply_policy.create(who.tenant_id, POLICY_ID, document)
    else:
        try:
            saved = store.reply_policy.replace(who.tenant_id, POLICY_ID, body.version, document)
        except NotFound:  # never saved: the defaults, at version 0, are what the caller should have read
            raise Conflict(
                "the reply policy changed since you read it", current=reply_policy(store, who.tenant_id)
            ) from None
    store.audit.append(
        who.tenant_id, who.user_id, who.role, "policy_changed", f"policy:{POLICY_ID}", document["updated_at"]
    )
    return ReplyPolicyOut.model_validate(saved)


class CsatPolicyIn(BaseModel):
    """The satisfaction survey: whether to ask, after how long, and the brand's own wording."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(0, ge=0, description="The version you read (0 the first time)")
    enabled: bool = False
    delay_minutes: int = Field(10, ge=0, le=720)
    default_language: Literal["ja", "en"] = "ja"
    templates: dict[Literal["ja", "en"], str] = Field(default_factory=dict, description="Must contain {link}")
    brand_name: str | None = Field(None, min_length=1, max_length=100)


@router.get("/api/settings/csat", summary="The satisfaction survey settings (defaults when never saved)")
def get_csat_policy() -> dict[str, Any]:
    who = principal(router)
    from mentiondesk.store.csat import CsatStore

    saved = CsatStore(deps.store().table).policy(who.tenant_id)
    return saved or {"version": 0, **CsatPolicyIn().model_dump(exclude={"version"})}


@router.put(
    "/api/settings/csat",
    summary="Change the satisfaction survey settings (optimistic locking on version; 0 the first time)",
    responses={400: {"description": "A template without {link}"}, 409: {"description": "Stale version"}},
)
def put_csat_policy(body: CsatPolicyIn) -> dict[str, Any]:
    who = principal(router)
    from mentiondesk.reports.csat import CsatPolicy
    from mentiondesk.store.csat import POLICY_ID, CsatStore

    try:
        CsatPolicy.model_validate(body.model_dump(exclude={"version"}))
    except ValidationError as error:
        raise invalid_from(error, "invalid CSAT settings") from None
    store = deps.store()
    policies = CsatStore(store.table).policies
    document = {**body.model_dump(exclude={"version"}), "updated_at": now_iso(), "updated_by": who.user_id}
    if body.version == 0:
        saved = policies.create(who.tenant_id, POLICY_ID, document)
    else:
        try:
            saved = policies.replace(who.tenant_id, POLICY_ID, body.version, document)
        except NotFound:
            raise Conflict("the settings changed since you read them", current=get_csat_policy()) from None
    store.audit.append(
        who.tenant_id, who.user_id, who.role, "policy_changed", f"policy:{POLICY_ID}", document["updated_at"]
    )
    return saved


# -- the composer's checks -----------------------------------------------------------------------


def _latest_inbound(detail: TicketDetail) -> Message | None:
    inbound = [m for m in detail.messages if m.direction == "inbound" and m.deleted_at is None]
    return inbound[-1] if inbound else None


def target_for(detail: TicketDetail, mode: str, now_at: str) -> dict[str, Any]:
    """Where a reply in `mode` goes on the ticket's platform, or a 400 saying why it cannot."""
    t = detail.ticket
    last = _latest_inbound(detail)
    if last is None:
        raise InvalidRequest("the customer's messages were deleted: there is nothing to reply to")
    now = parse_iso(now_at)
    conversation = {
        "conversation_id": last.conversation_id,
        "customer_id": f"{t.platform}:{t.customer.platform_user_id}",
    }
    if t.platform == "google":
        if mode != "public":
            raise InvalidRequest("a Google review takes one public reply; there is no private channel")
        return {**conversation, "reply_to_native_id": last.native_id if last.kind == "review" else last.conversation_id}
    if mode == "dm":
        if t.platform != "x" and t.kind != "dm":
            raise InvalidRequest("Meta lets a page message only people who messaged it: use private_reply")
        target: dict[str, Any] = {**conversation, "recipient_id": t.customer.platform_user_id}
        if t.platform != "x":
            waited = now - parse_iso(last.received_at)
            if waited > HUMAN_AGENT_WINDOW:
                raise InvalidRequest("Meta's messaging window closed 7 days after the customer's last message")
            target["human_agent"] = waited > MESSAGING_WINDOW
        return target
    if t.kind == "dm":
        raise InvalidRequest("this conversation is private: reply with mode dm")
    if mode == "private_reply":
        if t.platform == "x":
            raise InvalidRequest("X has no private replies: use dm")
        if last.kind not in ("comment", "mention"):
            raise InvalidRequest("a private reply answers a comment")
        if now - parse_iso(last.created_at) > timedelta(days=PRIVATE_REPLY_DAYS):
            raise InvalidRequest("the private-reply window (7 days after the comment) has closed")
        return {**conversation, "reply_to_native_id": last.native_id}
    return {**conversation, "reply_to_native_id": last.native_id}


def _agent(store: Store, who: Principal) -> Agent:
    try:
        return store.directory.agent(who.tenant_id, who.user_id)
    except NotFound:
        raise Forbidden("you are not a member of this tenant's team") from None


def account_handle(store: Store, ticket: Ticket) -> str | None:
    """The handle of the brand's channel account the ticket came in on."""
    return next(
        (c.handle for c in store.directory.channels(ticket.tenant_id) if c.account_id == ticket.account_id), None
    )


def check_reply(
    store: Store,
    detail: TicketDetail,
    agent: Agent,
    text: str,
    mode: ReplyMode,
    now: str,
    brand: dict[str, Any] | None = None,
) -> LintResult:
    """The composer's checks of `text` for this ticket, under the brand's reply policy (`brand`, or read)."""
    t = detail.ticket
    brand = brand if brand is not None else reply_policy(store, t.tenant_id)
    policy = BrandPolicy.model_validate({k: v for k, v in brand.items() if k in BrandPolicy.model_fields})
    since = iso(parse_iso(now) - timedelta(days=policy.copy_paste_days))
    recent = tuple(
        RecentReply(text=r["text"], customer_id=r["customer_id"], sent_at=r["sent_at"])
        for r in store.outbox.recent_replies(t.tenant_id, since, now)
    )
    context = LintContext(
        platform=t.platform,
        mode=mode,
        language=t.language,
        customer_id=f"{t.platform}:{t.customer.platform_user_id}",
        customer_name=t.customer.display_name,
        customer_handle=t.customer.handle,
        agent_name=agent.name,
        intent=t.intent,
        sentiment=t.sentiment,
        urgency=t.urgency,
        account_id=t.account_id,
        account_handle=account_handle(store, t),
        now=now,
        recent_replies=recent,
        customer_pii_types=tuple(t.pii_types),
    )
    return lint(text, context, policy)


@router.post(
    "/api/tickets/<ticket_id>/lint",
    summary="The composer's checks of a draft: personal, copy-paste, selling, personal data, symbols, length, cost",
)
def lint_reply(ticket_id: Annotated[str, Path(max_length=64)], body: LintIn) -> dict[str, Any]:
    who = principal(router)
    store = deps.store()
    detail = ticket_detail(store, who, ticket_id)
    result = check_reply(store, detail, _agent(store, who), body.text, body.mode, now_iso())
    return result.as_dict()


# -- sending ------------------------------------------------------------------------------------


def _may_reply(brand: dict[str, Any], who: Principal, ticket: Ticket) -> None:
    if who.role in ("admin", "supervisor"):
        return
    if brand.get("assignee_only") and (ticket.assignee is None or ticket.assignee.id != who.user_id):
        raise Forbidden("only the ticket's assignee may reply (the brand's policy): take the ticket first")


def _queue(store: Store, who: Principal, ticket_id: str, version: int, item: dict[str, Any], event: TicketEvent) -> int:
    """Store the outbox item with its event and audit record (one transaction), then queue it."""
    action: Action = "reply_queued" if item["operation"] == "reply" else "comment_hidden"
    record = audit_item(who.tenant_id, who.user_id, who.role, action, ticket_id, event.at, outbox_id=item["id"])
    ticket = store.tickets.queue_outbox(who.tenant_id, ticket_id, version, item, event, [audit_put(record)])
    deps.send_queue().offer(OutboxRef.of(item))
    return ticket.version


@router.post(
    "/api/tickets/<ticket_id>/replies",
    summary="Send a reply (public, DM or private reply) through the outbox; 202 with its state",
    status_code=202,
    responses={
        202: {"description": "Queued: watch its state in the ticket's outbox"},
        400: {"description": "The composer's checks block it (details), or the channel cannot take this mode"},
        403: {"description": "Only the assignee may reply, or the brand allows no override"},
        409: {"description": "The ticket changed since you read it (a colleague replied?): the current ticket"},
    },
)
def send_reply(ticket_id: Annotated[str, Path(max_length=64)], body: ReplyIn) -> Response[QueuedOut]:
    who = principal(router)
    store = deps.store()
    detail = ticket_detail(store, who, ticket_id)
    t = detail.ticket
    if t.version != body.version:
        raise Conflict("the ticket changed since you read it", current=t.model_dump(mode="json"))
    brand = reply_policy(store, who.tenant_id)  # read once: who may reply, the checks, overrides
    _may_reply(brand, who, t)
    agent = _agent(store, who)
    now = now_iso()
    target = target_for(detail, body.mode, now)
    result = check_reply(store, detail, agent, body.text, body.mode, now, brand)
    overridden: list[str] = []
    if result.blocked:
        blocking = [c for c in result.checks if c.severity == "block"]
        if not body.override:
            raise InvalidRequest(
                "the reply needs changes: " + "; ".join(c.message for c in blocking),
                [{"loc": ["text"], "msg": c.message, "type": c.code} for c in blocking],
            )
        if not brand.get("allow_override", True):
            raise Forbidden("the brand does not allow sending past the composer's checks")
        if not body.override_reason:
            raise InvalidRequest("say why you send it anyway", [{"loc": ["override_reason"], "msg": "required"}])
        overridden = [c.code for c in blocking]
    item = outbox_item(
        who.tenant_id,
        ticket_id,
        "reply",
        f"agent:{who.user_id}",
        now,
        platform=t.platform,
        account_id=t.account_id,
        mode=body.mode,
        text=body.text,
        language=t.language,
        template_id=body.template_id,
        author_name=agent.name,
        overridden=overridden or None,
        override_reason=body.override_reason if overridden else None,
        **target,
    )
    request_for(item)  # the platform call must be buildable now, not fail later in the queue
    event = TicketEvent(
        type="reply_queued",
        at=now,
        actor=who.user_id,
        detail={"outbox_id": item["id"], "mode": body.mode, **({"overridden": overridden} if overridden else {})},
    )
    version = _queue(store, who, ticket_id, body.version, item, event)
    out = QueuedOut(outbox=OutboxOut.of(public(item)), version=version, checks=result.as_dict()["checks"])
    return Response(status_code=202, body=out, content_type="application/json")


@router.post(
    "/api/tickets/<ticket_id>/hide",
    summary="Hide a customer's comment on Instagram, Facebook or X (or show it again) through the outbox",
    status_code=202,
    responses={202: {"description": "Queued"}, 400: {"description": "Not a comment that can be hidden"}},
)
def hide_comment(ticket_id: Annotated[str, Path(max_length=64)], body: HideIn) -> Response[QueuedOut]:
    who = principal(router)
    store = deps.store()
    detail = ticket_detail(store, who, ticket_id)
    t = detail.ticket
    message = next((m for m in detail.messages if m.id == body.message_id and m.direction == "inbound"), None)
    if message is None:
        raise InvalidRequest("no such customer message on this ticket", [{"loc": ["message_id"], "msg": "unknown"}])
    if t.platform == "google" or message.kind in ("dm", "review"):
        raise InvalidRequest("only public comments and replies can be hidden")
    now = now_iso()
    item = outbox_item(
        who.tenant_id,
        ticket_id,
        "hide_comment",
        f"agent:{who.user_id}",
        now,
        platform=t.platform,
        account_id=t.account_id,
        target_native_id=message.native_id,
        message_id=message.id,
        hidden=body.hidden,
    )
    event = TicketEvent(
        type="hide_queued", at=now, actor=who.user_id, detail={"outbox_id": item["id"], "hidden": body.hidden}
    )
    version = _queue(store, who, ticket_id, body.version, item, event)
    return Response(
        status_code=202,
        body=QueuedOut(outbox=OutboxOut.of(public(item)), version=version),
        content_type="application/json",
    )


@router.post(
    "/api/tickets/<ticket_id>/outbox/<item_id>/decision",
    summary="Settle a reply whose fate is unknown (or that failed): it was sent, send it again, or cancel it",
    responses={
        400: {"description": "A decision that does not fit the item"},
        409: {"description": "The item is not UNKNOWN or FAILED (any more)"},
    },
)
def decide(
    ticket_id: Annotated[str, Path(max_length=64)],
    item_id: Annotated[str, Path(max_length=64)],
    body: OutboxDecisionIn,
) -> OutboxOut:
    who = principal(router)
    store = deps.store()
    if not is_id(ticket_id) or not is_id(item_id):
        raise NotFound("not found")
    item = store.outbox.find(who.tenant_id, ticket_id, item_id)
    if item is None:
        raise NotFound("no such outbox item")
    if item["status"] not in ("UNKNOWN", "FAILED"):
        raise Conflict(
            f"the item is {item['status']}: only UNKNOWN or FAILED items wait for a person", current=public(item)
        )
    ref = OutboxRef.of(item)
    now = now_iso()
    event = TicketEvent(
        type="outbox_decided", at=now, actor=who.user_id, detail={"outbox_id": item_id, "decision": body.decision}
    )
    record = audit_item(
        who.tenant_id, who.user_id, who.role, "reply_settled", ticket_id, now, outbox_id=item_id, decision=body.decision
    )
    also = [*store.tickets.event_items(who.tenant_id, ticket_id, [event]), audit_put(record)]
    transitions = OutboxTransitions(store.table)
    if body.decision == "resend":
        # The same request, queued anew by a person (the old item stays as the record of what happened).
        copy = {k: v for k, v in public(item).items() if k in _RESEND_FIELDS}
        again = outbox_item(
            who.tenant_id, ticket_id, item["operation"], f"agent:{who.user_id}", now, resend_of=item_id, **copy
        )
        transitions.settle(ref, "CANCELLED", who.user_id, now, also)
        queued = TicketEvent(type="reply_queued", at=now, actor=who.user_id, detail={"outbox_id": again["id"]})
        _queue(store, who, ticket_id, store.tickets.get(who.tenant_id, ticket_id).version, again, queued)
        return OutboxOut.of(public(again))
    replied = body.decision == "sent" and item["operation"] == "reply"
    if replied:
        message = reply_message(item, body.platform_id or f"confirmed:{item_id}", None, now)
        also = [*store.tickets.reply_items(who.tenant_id, message), *also]
    transitions.settle(ref, "SENT" if body.decision == "sent" else "CANCELLED", who.user_id, now, also)
    if replied and store.tickets.get(who.tenant_id, ticket_id).sla_started_at:
        sla.refresh(store, deps.sla_timers(), who.tenant_id, ticket_id, utcnow())
    return OutboxOut.of(public(store.outbox.find(who.tenant_id, ticket_id, item_id) or item))


# What a resend copies: the request itself, not the old attempt's bookkeeping.
_RESEND_FIELDS = frozenset(
    {
        "platform",
        "account_id",
        "mode",
        "text",
        "language",
        "template_id",
        "author_name",
        "reply_to_native_id",
        "recipient_id",
        "conversation_id",
        "customer_id",
        "human_agent",
        "target_native_id",
        "message_id",
        "hidden",
    }
)
