"""Automation rules and reply templates, managed by supervisors and admins.

A rule is checked completely when it is saved: its condition tree and regular expressions (unsafe
patterns are refused), its actions, and that every team, agent, template and SLA policy it names
exists. Agents may read templates (they answer with them); rules may hold Slack webhook URLs, which
are secrets, so only supervisors and admins see rules.
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.api import deps, documents
from mentiondesk.api.context import principal
from mentiondesk.clock import utcnow
from mentiondesk.errors import InvalidRequest
from mentiondesk.rules.model import Rule
from mentiondesk.rules.service import dry_run_recent
from mentiondesk.store.factory import Store
from mentiondesk.templates import Template, TemplateIn

router = Router()

DocId = Annotated[str, Path(min_length=1, max_length=64, pattern=documents.DOC_ID_PATTERN)]


class StoredRule(Rule):
    """A rule as stored: the definition plus who changed it and its version."""

    model_config = ConfigDict(extra="ignore")

    tenant_id: str
    created_at: str
    updated_at: str
    updated_by: str
    version: int = 1


class RulePage(BaseModel):
    items: list[StoredRule]
    next: str | None = None


class TemplatePage(BaseModel):
    items: list[Template]
    next: str | None = None


class DryRunHighlight(BaseModel):
    start: int
    end: int
    text: str
    keyword: str


class DryRunMessage(BaseModel):
    message_id: str | None
    highlights: list[DryRunHighlight]


class DryRunTicket(BaseModel):
    ticket_id: str
    subject: str
    status: str
    channel: str
    created_at: str
    messages: list[DryRunMessage]


class DryRunOut(BaseModel):
    since: str
    scanned: int
    truncated: bool = Field(description="More tickets had activity in the period than a dry run reads")
    matched: list[DryRunTicket]


def _rule(body: dict[str, Any], doc_id: str) -> Rule:
    rule = documents.parse(Rule, body, "rule", id=doc_id)
    _check_references(deps.store(), principal(router).tenant_id, rule)
    return rule


def _check_references(store: Store, tenant: str, rule: Rule) -> None:
    """Everything the actions name must exist now (a rule is refused when saved, never at run time)."""
    problems: list[dict[str, object]] = []
    teams = agents = templates = policies = None
    for n, action in enumerate(rule.actions):
        where: list[object] = ["actions", n]
        if action.type == "set_team":
            teams = teams if teams is not None else {t.id for t in store.directory.teams(tenant)}
            if action.team not in teams:
                problems.append({"loc": [*where, "team"], "msg": f"no team {action.team!r}"})
        elif action.type == "assign_agent":
            agents = (
                agents
                if agents is not None
                else {a.id for a in store.directory.agents(tenant) if a.role in ("agent", "supervisor")}
            )
            if action.agent_id not in agents:
                problems.append({"loc": [*where, "agent_id"], "msg": f"no agent {action.agent_id!r}"})
        elif action.type == "auto_reply":
            templates = templates if templates is not None else {t["id"] for t in store.templates.list(tenant)}
            if action.template_id not in templates:
                problems.append({"loc": [*where, "template_id"], "msg": f"no template {action.template_id!r}"})
        elif action.type == "set_sla_policy":
            policies = policies if policies is not None else {p["id"] for p in store.sla_policies.list(tenant)}
            if action.policy_id not in policies:
                problems.append({"loc": [*where, "policy_id"], "msg": f"no SLA policy {action.policy_id!r}"})
    if problems:
        summary = "; ".join(str(p["msg"]) for p in problems)
        raise InvalidRequest(f"invalid rule: {summary}", problems)


def _definition(rule: Rule) -> dict[str, Any]:
    return rule.model_dump(mode="json", exclude={"id"})


@router.get("/api/rules", summary="Rules by trigger, in the order they run")
def list_rules() -> RulePage:
    who = principal(router)
    rules = [StoredRule.model_validate(d) for d in deps.store().rules.list(who.tenant_id)]
    return RulePage(items=sorted(rules, key=lambda r: (r.trigger, r.order, r.id)))


@router.post(
    "/api/rules",
    summary="Create a rule",
    status_code=201,
    responses={201: {"description": "Created"}, 400: {"description": "Invalid rule"}, 409: {"description": "Id taken"}},
)
def create_rule(body: Annotated[dict[str, Any], Body()]) -> Response[StoredRule]:
    who = principal(router)
    doc_id = documents.id_of(body)
    rule = _rule(body, doc_id)
    stored = documents.create(deps.store().rules, who, doc_id, _definition(rule))
    return Response(status_code=201, body=StoredRule.model_validate(stored), content_type="application/json")


@router.post(
    "/api/rules/dry-run",
    summary="Which recent tickets a rule would have matched (nothing is changed)",
    responses={400: {"description": "Invalid rule"}},
)
def dry_run(body: Annotated[dict[str, Any], Body()]) -> DryRunOut:
    who = principal(router)
    unknown = sorted(set(body) - {"rule", "days"})
    if unknown:
        raise InvalidRequest(
            f"unknown fields: {', '.join(unknown)}", [{"loc": [k], "msg": "unknown field"} for k in unknown]
        )
    days = body.get("days", 7)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise InvalidRequest("days: a whole number from 1 to 90", [{"loc": ["days"], "msg": "1..90"}])
    definition = body.get("rule")
    if not isinstance(definition, dict):
        raise InvalidRequest("rule: the rule to try, as you would save it", [{"loc": ["rule"], "msg": "required"}])
    rule = _rule(definition, "dry-run")
    return DryRunOut.model_validate(dry_run_recent(deps.store(), who.tenant_id, rule, days, utcnow()))


@router.get("/api/rules/<rule_id>", summary="One rule")
def get_rule(rule_id: DocId) -> StoredRule:
    who = principal(router)
    return StoredRule.model_validate(deps.store().rules.get(who.tenant_id, rule_id))


@router.put(
    "/api/rules/<rule_id>",
    summary="Replace a rule (optimistic locking on version)",
    responses={
        400: {"description": "Invalid rule"},
        409: {"description": "Stale version; the body holds the current rule"},
    },
)
def replace_rule(rule_id: DocId, body: Annotated[dict[str, Any], Body()]) -> StoredRule:
    who = principal(router)
    version = documents.version_of(body)
    rule = _rule(body, rule_id)
    return StoredRule.model_validate(documents.replace(deps.store().rules, who, rule_id, version, _definition(rule)))


@router.delete(
    "/api/rules/<rule_id>", summary="Delete a rule", status_code=204, responses={409: {"description": "Stale version"}}
)
def delete_rule(rule_id: DocId, version: Annotated[int, Query(ge=1)]) -> Response[str]:
    who = principal(router)
    deps.store().rules.delete(who.tenant_id, rule_id, version)
    return Response(status_code=204, body="")


@router.get("/api/templates", summary="Reply templates")
def list_templates() -> TemplatePage:
    who = principal(router)
    items = [Template.model_validate(d) for d in deps.store().templates.list(who.tenant_id)]
    return TemplatePage(items=sorted(items, key=lambda t: t.name))


@router.post(
    "/api/templates",
    summary="Create a reply template (a body per language, {variables} filled from the ticket)",
    status_code=201,
    responses={
        201: {"description": "Created"},
        400: {"description": "Invalid template"},
        409: {"description": "Id taken"},
    },
)
def create_template(body: Annotated[dict[str, Any], Body()]) -> Response[Template]:
    who = principal(router)
    template = documents.parse(TemplateIn, body, "template")
    stored = documents.create(deps.store().templates, who, documents.id_of(body), template.model_dump(mode="json"))
    return Response(status_code=201, body=Template.model_validate(stored), content_type="application/json")


@router.get("/api/templates/<template_id>", summary="One reply template")
def get_template(template_id: DocId) -> Template:
    who = principal(router)
    return Template.model_validate(deps.store().templates.get(who.tenant_id, template_id))


@router.put(
    "/api/templates/<template_id>",
    summary="Replace a reply template (optimistic locking on version)",
    responses={400: {"description": "Invalid template"}, 409: {"description": "Stale version"}},
)
def replace_template(template_id: DocId, body: Annotated[dict[str, Any], Body()]) -> Template:
    who = principal(router)
    version = documents.version_of(body)
    template = documents.parse(TemplateIn, body, "template")
    stored = documents.replace(deps.store().templates, who, template_id, version, template.model_dump(mode="json"))
    return Template.model_validate(stored)


@router.delete(
    "/api/templates/<template_id>",
    summary="Delete a reply template (refused while a rule auto-replies with it)",
    status_code=204,
    responses={400: {"description": "A rule uses it"}, 409: {"description": "Stale version"}},
)
def delete_template(template_id: DocId, version: Annotated[int, Query(ge=1)]) -> Response[str]:
    who = principal(router)
    store = deps.store()
    users = [
        d["id"]
        for d in store.rules.list(who.tenant_id)
        if any(a.get("type") == "auto_reply" and a.get("template_id") == template_id for a in d.get("actions", []))
    ]
    if users:
        raise InvalidRequest(f"rules {', '.join(sorted(users))} auto-reply with this template; change them first")
    store.templates.get(who.tenant_id, template_id)  # 404 before the version check
    store.templates.delete(who.tenant_id, template_id, version)
    return Response(status_code=204, body="")
