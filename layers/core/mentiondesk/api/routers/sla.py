"""SLA policies, team calendars and the caller's notification feed.

Supervisors and admins write policies and calendars; agents read them (the page shows targets).
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.api import deps, documents
from mentiondesk.api.context import principal
from mentiondesk.errors import NotFound
from mentiondesk.models import Team
from mentiondesk.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar
from mentiondesk.sla.policy import SlaPolicy, SlaPolicyIn

router = Router()

DocId = Annotated[str, Path(min_length=1, max_length=64, pattern=documents.DOC_ID_PATTERN)]


class SlaPolicyPage(BaseModel):
    items: list[SlaPolicy]
    next: str | None = None


class TeamOut(BaseModel):
    id: str
    name: str
    strategy: str
    balance: str
    calendar: BusinessCalendar
    calendar_is_default: bool
    version: int

    @classmethod
    def of(cls, team: Team) -> "TeamOut":
        return cls(
            id=team.id,
            name=team.name,
            strategy=team.strategy,
            balance=team.balance,
            calendar=team.calendar or DEFAULT_CALENDAR,
            calendar_is_default=team.calendar is None,
            version=team.version,
        )


class TeamPage(BaseModel):
    items: list[TeamOut]
    next: str | None = None


class CalendarPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The team's version you read")
    calendar: BusinessCalendar | None = Field(description="null goes back to the default calendar")


class NotificationOut(BaseModel):
    id: str
    kind: str
    ticket_id: str | None
    at: str
    detail: dict[str, Any]


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next: str | None = None


@router.get("/api/sla-policies", summary="SLA policies in the order they are matched")
def list_policies() -> SlaPolicyPage:
    who = principal(router)
    docs = [SlaPolicy.model_validate(d) for d in deps.store().sla_policies.list(who.tenant_id)]
    return SlaPolicyPage(items=sorted(docs, key=lambda p: (p.order, p.id)))


@router.post(
    "/api/sla-policies",
    summary="Create an SLA policy",
    status_code=201,
    responses={
        201: {"description": "Created"},
        400: {"description": "Invalid policy"},
        409: {"description": "Id taken"},
    },
)
def create_policy(body: Annotated[dict[str, Any], Body()]) -> Response[SlaPolicy]:
    who = principal(router)
    policy = documents.parse(SlaPolicyIn, body, "SLA policy")
    doc_id = documents.id_of(body)
    stored = documents.create(deps.store().sla_policies, who, doc_id, policy.model_dump(mode="json"))
    return Response(status_code=201, body=SlaPolicy.model_validate(stored), content_type="application/json")


@router.get("/api/sla-policies/<policy_id>", summary="One SLA policy")
def get_policy(policy_id: DocId) -> SlaPolicy:
    who = principal(router)
    return SlaPolicy.model_validate(deps.store().sla_policies.get(who.tenant_id, policy_id))


@router.put(
    "/api/sla-policies/<policy_id>",
    summary="Replace an SLA policy (optimistic locking on version)",
    responses={
        400: {"description": "Invalid policy"},
        409: {"description": "Stale version; the body holds the current policy"},
    },
)
def replace_policy(policy_id: DocId, body: Annotated[dict[str, Any], Body()]) -> SlaPolicy:
    who = principal(router)
    version = documents.version_of(body)
    policy = documents.parse(SlaPolicyIn, body, "SLA policy")
    stored = documents.replace(deps.store().sla_policies, who, policy_id, version, policy.model_dump(mode="json"))
    return SlaPolicy.model_validate(stored)


@router.delete(
    "/api/sla-policies/<policy_id>",
    summary="Delete an SLA policy (tickets already under it keep their stored due times until they change)",
    status_code=204,
    responses={409: {"description": "Stale version"}},
)
def delete_policy(policy_id: DocId, version: Annotated[int, Query(ge=1)]) -> Response[str]:
    who = principal(router)
    deps.store().sla_policies.delete(who.tenant_id, policy_id, version)
    return Response(status_code=204, body="")


@router.get("/api/teams", summary="Teams with their assignment strategy and business calendar")
def list_teams() -> TeamPage:
    who = principal(router)
    teams = sorted(deps.store().directory.teams(who.tenant_id), key=lambda t: t.id)
    return TeamPage(items=[TeamOut.of(t) for t in teams])


@router.put(
    "/api/teams/<team_id>/calendar",
    summary="Set a team's business calendar (hours per weekday, holidays, company days)",
    responses={400: {"description": "Invalid calendar"}, 409: {"description": "Stale version"}},
)
def put_calendar(team_id: DocId, body: Annotated[dict[str, Any], Body()]) -> TeamOut:
    who = principal(router)
    change = documents.parse(CalendarPut, body, "calendar", version=body.get("version"))
    store = deps.store()
    team = store.directory.team(who.tenant_id, team_id)
    if team is None:
        raise NotFound("no such team")
    updated = store.directory.set_calendar(who.tenant_id, team_id, change.version, change.calendar)
    return TeamOut.of(updated)


@router.get("/api/me/notifications", summary="Your notifications (assignments, SLA reminders), newest first")
def my_notifications(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> NotificationPage:
    who = principal(router)
    items = deps.store().notifications.recent(who.tenant_id, who.user_id, limit)
    return NotificationPage(items=[NotificationOut.model_validate(i) for i in items])
