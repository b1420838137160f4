"""Running a tenant's rules on a stored ticket and applying what they decide.

Triggers and what the conditions read:
- ``ticket_created`` then ``message_received``: a new ticket, on its first customer message;
- ``message_received``: a customer message that joined an open ticket, on that message;
- ``ticket_updated``: a person changed the ticket (status today), on the ticket alone;
- ``sla_warning`` / ``sla_breached``: an SLA reminder / a breach or escalation, on the ticket alone.

Every run has a key (the ticket, the message, the change or the alert). The ticket's own fields
(team, priority, tags, SLA policy, the agent to try first, highlights), a ``rule_fired`` event per
rule and any outbox items (auto-reply, hiding the comment) are written in one transaction that also
records the key, so a retried run changes nothing twice. Marking spam or ignoring closes the ticket
right after. Notifications go out last, at most once; a failed one is recorded on the ticket as a
``rule_action_failed`` event and raised to the admins, never retried into a duplicate.

Actions applied by rules do not fire ``ticket_updated`` (no rule loops).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.clock import iso, parse_iso, utcnow
from mentiondesk.errors import NotFound, TransientStoreError
from mentiondesk.models import Message, Ticket, TicketEvent
from mentiondesk.observability import logger, metrics
from mentiondesk.rules.engine import Fired, evaluate, run_rules
from mentiondesk.rules.facts import ticket_facts
from mentiondesk.rules.model import Notify, Rule, Trigger
from mentiondesk.rules.notify import Notifier, NotifyFailed
from mentiondesk.sla.clocks import Alert
from mentiondesk.sla.service import calendar_for, customer_tags
from mentiondesk.store.alerts import new_alert
from mentiondesk.store.dynamo import cancellation_codes
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import outbox_item
from mentiondesk.store.tickets import TicketDetail, event_item
from mentiondesk.templates import RenderContext, ReplyMode, Template, render, variables_for

MAX_ATTEMPTS = 5
MAX_HIGHLIGHTS = 20
_RULE_FIELDS = frozenset(Rule.model_fields)
_HIDEABLE = {("instagram", "comment"), ("facebook", "comment"), ("x", "reply")}
_CLOSING = {"mark_spam": "spam", "ignore": "ignored"}


def load_rules(store: Store, tenant: str) -> list[Rule]:
    """The tenant's rules (one Query). Stored rules were validated when saved."""
    return [
        Rule.model_validate({k: v for k, v in doc.items() if k in _RULE_FIELDS}) for doc in store.rules.list(tenant)
    ]


@dataclass
class Decision:
    """What the fired rules decided, folded in order (a later rule's value wins)."""

    ticket: Ticket  # the ticket as the next rule sees it
    fired: list[tuple[Trigger, Rule, Fired]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    notify: list[tuple[Rule, Notify]] = field(default_factory=list)
    failures: list[tuple[Rule, str, str]] = field(default_factory=list)  # rule, action, reason
    close_as: str | None = None  # "spam" or "ignored"
    auto_replied: list[str] = field(default_factory=list)


def decide(
    store: Store,
    rules: Sequence[Rule],
    triggers: Sequence[Trigger],
    detail: TicketDetail,
    message: Message | None,
    at: datetime,
    now: str,
    auto_replied: Sequence[str],
) -> Decision:
    ticket = detail.ticket
    decision = Decision(ticket=ticket, auto_replied=list(auto_replied))
    calendar = calendar_for(store, ticket.tenant_id, ticket.team)
    tags = customer_tags(store, ticket)
    by_id = {rule.id: rule for rule in rules}
    for trigger in triggers:
        facts = ticket_facts(decision.ticket, message, tags, calendar, at)
        for fired in run_rules(rules, trigger, facts):
            rule = by_id[fired.rule_id]
            decision.fired.append((trigger, rule, fired))
            _apply(store, decision, rule, fired, detail, message, now)
    return decision


def _apply(
    store: Store, decision: Decision, rule: Rule, fired: Fired, detail: TicketDetail, message: Message | None, now: str
) -> None:
    t = decision.ticket
    updates: dict[str, Any] = {}
    for action in fired.actions:
        kind = action.type
        if action.type == "set_team":
            if store.directory.team(t.tenant_id, action.team) is None:
                decision.failures.append((rule, kind, f"team {action.team!r} no longer exists"))
            else:
                updates["team"] = action.team
        elif action.type == "assign_agent":
            updates["rule_agent_id"] = action.agent_id
        elif action.type == "set_priority":
            updates["priority"] = action.priority
        elif action.type == "add_tags":
            current = list(updates.get("tags", t.tags))
            updates["tags"] = current + [tag for tag in action.tags if tag not in current]
        elif action.type == "remove_tags":
            drop = set(action.tags)
            updates["tags"] = [tag for tag in updates.get("tags", t.tags) if tag not in drop]
        elif action.type == "set_sla_policy":
            updates["sla_policy_id"] = action.policy_id
        elif action.type in _CLOSING:
            decision.close_as = _CLOSING[action.type]
            current = list(updates.get("tags", t.tags))
            updates["tags"] = current + ([decision.close_as] if decision.close_as not in current else [])
        elif action.type == "notify":
            decision.notify.append((rule, action))
        elif action.type == "hide_comment":
            target = message or _first_inbound(detail)
            if target is None or (target.platform, target.kind) not in _HIDEABLE:
                decision.failures.append((rule, kind, "only Instagram/Facebook comments and X replies can be hidden"))
            else:
                decision.outbox.append(
                    outbox_item(
                        t.tenant_id,
                        t.id,
                        "hide_comment",
                        f"rule:{rule.id}",
                        now,
                        len(decision.outbox),
                        platform=target.platform,
                        account_id=t.account_id,
                        target_native_id=target.native_id,
                        hidden=True,
                    )
                )
        elif action.type == "auto_reply":
            _auto_reply(store, decision, rule, action.template_id, detail, message, now)
    if updates:
        decision.ticket = t.model_copy(update=updates)


def _auto_reply(
    store: Store,
    decision: Decision,
    rule: Rule,
    template_id: str,
    detail: TicketDetail,
    message: Message | None,
    now: str,
) -> None:
    t = decision.ticket
    if template_id in decision.auto_replied:
        return  # once per conversation (the away message must not answer every message)
    try:
        template = Template.model_validate(store.templates.get(t.tenant_id, template_id, consistent=False))
    except NotFound:
        decision.failures.append((rule, "auto_reply", f"template {template_id!r} no longer exists"))
        return
    target = message or _first_inbound(detail)
    author = target.author if target else t.customer
    mode: ReplyMode = "dm" if t.kind == "dm" else "public"
    brand = _brand(store, t)
    context = RenderContext(
        language=t.language,
        customer=author,
        brand=brand,
        ticket_id=t.id,
        mode=mode,  # a public auto-reply never echoes the customer's order number
        customer_texts=tuple(m.text for m in detail.messages if m.direction == "inbound" and not m.deleted_at),
        calendar=calendar_for(store, t.tenant_id, t.team),
    )
    language, text = render(template, t.language, variables_for(template, context))
    decision.outbox.append(
        outbox_item(
            t.tenant_id,
            t.id,
            "reply",
            f"rule:{rule.id}",
            now,
            len(decision.outbox),
            platform=t.platform,
            account_id=t.account_id,
            mode=mode,
            reply_to_native_id=target.native_id if target else None,
            conversation_id=target.conversation_id if target else None,
            recipient_id=t.customer.platform_user_id if t.kind == "dm" else None,
            customer_id=f"{t.platform}:{t.customer.platform_user_id}",
            author_name=brand,
            text=text,
            language=language,
            template_id=template_id,
        )
    )
    decision.auto_replied.append(template_id)


def _brand(store: Store, ticket: Ticket) -> str:
    for channel in store.directory.channels(ticket.tenant_id):
        if channel.platform == ticket.platform and channel.account_id == ticket.account_id:
            return channel.handle
    return ""


def _first_inbound(detail: TicketDetail) -> Message | None:
    return next((m for m in detail.messages if m.direction == "inbound"), None)


def apply_rules(
    store: Store,
    notifier: Notifier,
    tenant: str,
    ticket_id: str,
    triggers: Sequence[Trigger],
    key: str,
    now: datetime,
    message_id: str | None = None,
) -> dict[str, Any]:
    """Run the rules for `triggers` once per `key`; apply and record what fired."""
    rules = load_rules(store, tenant)
    if not any(rule.enabled and rule.trigger in triggers for rule in rules):
        return {"fired": 0, "rules": []}
    stamp = iso(now)
    for _attempt in range(MAX_ATTEMPTS):
        detail = store.tickets.task_detail(tenant, ticket_id)
        if key in set(detail.item.get("rules_done") or ()):
            return {"fired": 0, "rules": [], "repeat": True}
        message = _message(detail, message_id, triggers)
        at = parse_iso(message.received_at) if message else now
        # Templates already auto-replied on this ticket (once per conversation), read from its outbox.
        replied = [
            str(o["template_id"]) for o in detail.outbox if o.get("operation") == "reply" and o.get("template_id")
        ]
        decision = decide(store, rules, triggers, detail, message, at, stamp, replied)
        if not decision.fired:
            return {"fired": 0, "rules": []}
        try:
            _commit(store, detail.ticket, decision, key, stamp, message)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error) or "TransactionConflict" in cancellation_codes(
                error
            ):
                continue  # the ticket changed under us: read again (or the key was recorded)
            raise
        break
    else:
        raise TransientStoreError("rules kept conflicting with other writers")
    for trigger, rule, _fired in decision.fired:
        metrics.add_metric(name="RuleFired", unit="Count", value=1)
        logger.info("rule fired", extra={"rule_id": rule.id, "trigger": trigger})
    notifier.queue_outbox(decision.outbox)
    if decision.close_as:
        _close(store, tenant, ticket_id, decision, stamp)
    for rule, action in decision.notify:
        _notify(store, notifier, decision.ticket, rule, action, stamp)
    for rule, action_type, reason in decision.failures:
        _failed(store, decision.ticket, rule, action_type, reason, stamp)
    return {"fired": len(decision.fired), "rules": [rule.id for _t, rule, _f in decision.fired]}


def _message(detail: TicketDetail, message_id: str | None, triggers: Sequence[Trigger]) -> Message | None:
    if message_id:
        return next((m for m in detail.messages if m.id == message_id), None)
    if "ticket_created" in triggers or "message_received" in triggers:
        return _first_inbound(detail)
    return None


def _commit(store: Store, before: Ticket, decision: Decision, key: str, now: str, message: Message | None) -> None:
    after = decision.ticket
    highlights = [
        {
            "message_id": message.id if message else None,
            "start": h.start,
            "end": h.end,
            "text": h.text,
            "keyword": h.keyword,
            "rule_id": rule.id,
        }
        for _trigger, rule, fired in decision.fired
        for h in fired.highlights
    ]
    changes: dict[str, Any] = {
        "team": after.team,
        "priority": after.priority,
        "tags": after.tags,
        "highlights": ([h.model_dump() for h in before.highlights] + highlights)[-MAX_HIGHLIGHTS:],
    }
    if after.sla_policy_id != before.sla_policy_id:
        changes["sla_policy_id"] = after.sla_policy_id
    if after.rule_agent_id != before.rule_agent_id:
        changes["rule_agent_id"] = after.rule_agent_id
    events = [
        TicketEvent(
            type="rule_fired",
            at=now,
            detail={
                "rule_id": rule.id,
                "rule_name": rule.name,
                "trigger": trigger,
                "actions": [a.type for a in fired.actions],
                "matched": sorted({h.text for h in fired.highlights})[:10],
            },
        )
        for trigger, rule, fired in decision.fired
    ]
    requeue = after.team != before.team and before.assignee is None
    store.tickets.apply_rule_changes(before, changes, requeue, key, events, decision.outbox)


def _close(store: Store, tenant: str, ticket_id: str, decision: Decision, now: str) -> None:
    rule = next(rule for _t, rule, fired in decision.fired if any(a.type in _CLOSING for a in fired.actions))
    ticket = store.tickets.get(tenant, ticket_id)
    if ticket.status != "closed":
        store.tickets.set_status(tenant, ticket_id, ticket.version, "closed", f"rule:{rule.id}", now)
    metrics.add_metric(name="TicketClosedByRule", unit="Count", value=1)


def notification_text(ticket: Ticket, rule: Rule, action: Notify) -> tuple[str, str]:
    """Subject and text. DMs are private: their words stay out of Slack and email."""
    words = "(direct message)" if ticket.kind == "dm" else ticket.subject
    subject = f"[Mentiondesk] {rule.name}"
    head = action.message_template or f"Rule “{rule.name}” fired"
    text = f"{head}\n{ticket.platform} {ticket.kind} · {ticket.urgency or '-'} urgency · ticket {ticket.id}\n{words}"
    return subject, text


def _notify(store: Store, notifier: Notifier, ticket: Ticket, rule: Rule, action: Notify, now: str) -> None:
    subject, text = notification_text(ticket, rule, action)
    try:
        if action.channel == "slack":
            notifier.slack(action.target, text)
        else:
            notifier.email(action.target, subject, text)
    except NotifyFailed as error:
        _failed(store, ticket, rule, f"notify:{action.channel}", str(error), now)
        return
    metrics.add_metric(name="RuleNotified", unit="Count", value=1)
    store.table.put(
        event_item(
            ticket.tenant_id,
            ticket.id,
            TicketEvent(type="rule_notified", at=now, detail={"rule_id": rule.id, "channel": action.channel}),
        )
    )


def _failed(store: Store, ticket: Ticket, rule: Rule, action: str, reason: str, now: str) -> None:
    metrics.add_metric(name="RuleActionFailed", unit="Count", value=1)
    logger.warning("rule action failed", extra={"rule_id": rule.id, "action": action, "reason": reason})
    store.table.put(
        event_item(
            ticket.tenant_id,
            ticket.id,
            TicketEvent(
                type="rule_action_failed", at=now, detail={"rule_id": rule.id, "action": action, "reason": reason}
            ),
        )
    )
    store.alerts.raise_once(
        new_alert(
            ticket.tenant_id,
            "rule_action_failed",
            f"rule:{rule.id}",
            f"Rule “{rule.name}”: {action} failed: {reason}",
            now,
        ),
        f"rule:{rule.id}:{action}:{now[:10]}",  # once per rule, action and day
    )


def sla_alert_rules(store: Store, notifier: Notifier) -> Callable[[Ticket, Alert], None]:
    """The SLA timer's hook: a reminder runs sla_warning rules, a breach or escalation sla_breached
    rules, once per alert."""

    def run(ticket: Ticket, alert: Alert) -> None:
        trigger: Trigger = "sla_warning" if alert.kind == "reminder" else "sla_breached"
        apply_rules(store, notifier, ticket.tenant_id, ticket.id, [trigger], f"sla:{alert.key}", utcnow())

    return run


DRY_RUN_TICKETS = 300


def dry_run_recent(store: Store, tenant: str, rule: Rule, days: int, now: datetime) -> dict[str, Any]:
    """Which tickets with activity in the last `days` days the rule's condition holds for, and on
    which words. Nothing is written. A ``ticket_created`` rule is tried on each ticket's first
    customer message, a ``message_received`` rule on every customer message, the others on the
    ticket alone. At most DRY_RUN_TICKETS tickets, newest first (``truncated`` says when there were more).
    """
    since = iso(now - timedelta(days=days))
    tickets, truncated = store.tickets.active_since(tenant, since, DRY_RUN_TICKETS)
    matched: list[dict[str, Any]] = []
    calendars: dict[str, Any] = {}
    for ticket in tickets:
        if ticket.team not in calendars:
            calendars[ticket.team] = calendar_for(store, tenant, ticket.team)
        calendar = calendars[ticket.team]
        detail = store.tickets.detail(tenant, ticket.id)
        inbound = [m for m in detail.messages if m.direction == "inbound" and m.deleted_at is None]
        if rule.trigger == "ticket_created":
            candidates: list[Message | None] = list(inbound[:1])
        elif rule.trigger == "message_received":
            candidates = list(inbound)
        else:
            candidates = [None]
        tags = customer_tags(store, ticket)
        hits = []
        for message in candidates:
            at = parse_iso(message.received_at) if message else now
            result = evaluate(rule.condition, ticket_facts(ticket, message, tags, calendar, at))
            if result.matched:
                hits.append(
                    {
                        "message_id": message.id if message else None,
                        "highlights": [
                            {"start": h.start, "end": h.end, "text": h.text, "keyword": h.keyword}
                            for h in result.highlights
                        ],
                    }
                )
        if hits:
            matched.append(
                {
                    "ticket_id": ticket.id,
                    "subject": ticket.subject,
                    "status": ticket.status,
                    "channel": ticket.platform,
                    "created_at": ticket.created_at,
                    "messages": hits,
                }
            )
    return {"since": since, "scanned": len(tickets), "truncated": truncated, "matched": matched}
