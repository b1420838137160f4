"""SLA policies, team calendars and the caller's notification feed.

Supervisors and admins write policies and calendars; agents read them (the page shows targets).
Bodies are validated here rather than by the resolver so that a policy or calendar we refuse answers
400 with each problem named, never a half-saved document.
"""

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.clock import now_iso
from mentiondesk.errors import InvalidRequest, NotFound, invalid_from
from mentiondesk.ids import new_id
from mentiondesk.models import Team
from mentiondesk.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar
from mentiondesk.sla.policy import SlaPolicy, SlaPolicyIn

router = Router()

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DocId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


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


def _policy_in(body: dict[str, Any]) -> SlaPolicyIn:
    try:
        return SlaPolicyIn.model_validate({k: v for k, v in body.items() if k not in ("id", "version")})
    except ValidationError as error:
        raise invalid_from(error, "invalid SLA policy") from None


def _version(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidRequest("give the version you read (an integer from 1)", [{"loc": ["version"], "msg": "required"}])
    return version


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
    policy_in = _policy_in(body)
    policy_id = body.get("id") or new_id()
    if not isinstance(policy_id, str) or not _ID.fullmatch(policy_id):
        raise InvalidRequest("id: letters, digits, - and _ only, at most 64", [{"loc": ["id"], "msg": "invalid id"}])
    now = now_iso()
    document = {
        **policy_in.model_dump(mode="json"),
        "id": policy_id,
        "tenant_id": who.tenant_id,
        "created_at": now,
        "updated_at": now,
        "updated_by": who.user_id,
    }
    stored = deps.store().sla_policies.create(who.tenant_id, policy_id, document)
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
        409: {"description": "Stale version; body holds the current policy"},
    },
)
def replace_policy(policy_id: DocId, body: Annotated[dict[str, Any], Body()]) -> SlaPolicy:
    who = principal(router)
    version = _version(body)
    policy_in = _policy_in(body)
    store = deps.store()
    current = store.sla_policies.get(who.tenant_id, policy_id)
    document = {
        **policy_in.model_dump(mode="json"),
        "id": policy_id,
        "tenant_id": who.tenant_id,
        "created_at": current["created_at"],
        "updated_at": now_iso(),
        "updated_by": who.user_id,
    }
    return SlaPolicy.model_validate(store.sla_policies.replace(who.tenant_id, policy_id, version, document))


@router.delete(
    "/api/sla-policies/<policy_id>",
    summary="Delete an SLA policy (tickets already under it keep their stored due times until they change)",
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
    try:
        change = CalendarPut.model_validate(body)
    except ValidationError as error:
        raise invalid_from(error, "invalid calendar") from None
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
