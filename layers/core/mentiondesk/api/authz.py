"""The route x role table. Deny by default: a route missing here answers 403 (and fails the tests)."""

from mentiondesk.api.principal import Principal
from mentiondesk.errors import Forbidden

PUBLIC = frozenset({"public"})
STAFF = frozenset({"admin", "supervisor", "agent"})
EVERYONE = frozenset({"admin", "supervisor", "agent", "finance"})
ADMINS = frozenset({"admin"})
LEADS = frozenset({"admin", "supervisor"})
REPORT_READERS = frozenset({"admin", "supervisor", "finance"})  # figures only, never message bodies

# Finance sees costs, never message bodies: ticket routes are for staff only.
ROUTE_ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/me"): EVERYONE,
    ("PUT", "/api/me/status"): STAFF,
    ("GET", "/api/tickets"): STAFF,
    ("GET", "/api/tickets/<ticket_id>"): STAFF,
    ("PATCH", "/api/tickets/<ticket_id>"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/labels"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/assignment"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/notes"): STAFF,
    ("PUT", "/api/tickets/<ticket_id>/presence"): STAFF,
    ("DELETE", "/api/tickets/<ticket_id>/presence"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/lint"): STAFF,
    ("GET", "/api/tickets/<ticket_id>/template-suggestions"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/replies"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/hide"): STAFF,
    ("POST", "/api/tickets/<ticket_id>/outbox/<item_id>/decision"): STAFF,
    ("GET", "/api/settings/replies"): STAFF,
    ("PUT", "/api/settings/replies"): LEADS,
    ("GET", "/api/settings/csat"): LEADS,
    ("PUT", "/api/settings/csat"): LEADS,
    ("GET", "/api/customers/<customer_id>"): STAFF,
    ("DELETE", "/api/customers/<customer_id>"): ADMINS,
    ("POST", "/api/customers/<customer_id>/links"): STAFF,
    ("GET", "/api/channels"): LEADS,
    ("POST", "/api/channels"): ADMINS,
    ("POST", "/api/channels/reconnect"): ADMINS,
    ("POST", "/api/channels/x-connect"): ADMINS,
    ("GET", "/api/monitors"): LEADS,
    ("POST", "/api/monitors"): ADMINS,
    ("GET", "/api/monitors/<monitor_id>"): LEADS,
    ("PATCH", "/api/monitors/<monitor_id>"): ADMINS,
    ("DELETE", "/api/monitors/<monitor_id>"): ADMINS,
    ("GET", "/api/alerts"): LEADS,
    ("GET", "/api/sla-policies"): STAFF,
    ("POST", "/api/sla-policies"): LEADS,
    ("GET", "/api/sla-policies/<policy_id>"): STAFF,
    ("PUT", "/api/sla-policies/<policy_id>"): LEADS,
    ("DELETE", "/api/sla-policies/<policy_id>"): LEADS,
    ("GET", "/api/teams"): STAFF,
    ("POST", "/api/teams"): ADMINS,
    ("PATCH", "/api/teams/<team_id>"): LEADS,
    ("GET", "/api/agents"): LEADS,
    ("POST", "/api/agents"): ADMINS,
    ("PATCH", "/api/agents/<user_id>"): LEADS,
    ("GET", "/api/audit"): ADMINS,
    ("GET", "/api/reports/summary"): REPORT_READERS,
    ("GET", "/api/reports/backlog"): LEADS,
    ("GET", "/api/reports/tickets.csv"): REPORT_READERS,
    ("GET", "/api/reports/tickets"): REPORT_READERS,
    ("GET", "/api/costs/summary"): REPORT_READERS,
    ("GET", "/api/costs/tickets.csv"): REPORT_READERS,
    ("GET", "/api/tickets/<ticket_id>/costs"): REPORT_READERS,
    ("POST", "/api/tickets/<ticket_id>/time"): STAFF,
    ("GET", "/api/settings/costs"): REPORT_READERS,
    ("PUT", "/api/settings/costs"): ADMINS,
    ("GET", "/api/reports/voc"): STAFF,
    ("GET", "/api/reports/voc/<week_start>"): STAFF,
    ("GET", "/api/settings/voc"): LEADS,
    ("PUT", "/api/settings/voc"): LEADS,
    ("PUT", "/api/teams/<team_id>/calendar"): LEADS,
    ("GET", "/api/me/notifications"): STAFF,
    ("GET", "/api/rules"): LEADS,
    ("POST", "/api/rules"): LEADS,
    ("POST", "/api/rules/dry-run"): LEADS,
    ("GET", "/api/rules/<rule_id>"): LEADS,
    ("PUT", "/api/rules/<rule_id>"): LEADS,
    ("DELETE", "/api/rules/<rule_id>"): LEADS,
    ("GET", "/api/templates"): STAFF,
    ("POST", "/api/templates"): LEADS,
    ("GET", "/api/templates/<template_id>"): STAFF,
    ("PUT", "/api/templates/<template_id>"): LEADS,
    ("DELETE", "/api/templates/<template_id>"): LEADS,
}


def is_public(method: str, path: str) -> bool:
    return ROUTE_ROLES.get((method, path)) == PUBLIC


def authorize(method: str, path: str, principal: Principal) -> None:
    allowed = ROUTE_ROLES.get((method, path))
    if allowed is None or principal.role not in allowed:
        raise Forbidden("this role may not do that")
