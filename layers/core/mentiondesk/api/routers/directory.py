"""People and teams, administered: agents with their role, team, skills and capacity; teams with their
assignment strategy; and the audit log of who did what. Role changes and new people are audited."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.routers.sla import DocId, TeamOut
from mentiondesk.api.schemas import (
    AgentIn,
    AgentOut,
    AgentPage,
    AgentPatch,
    AuditOut,
    AuditPage,
    TeamIn,
    TeamPatch,
)
from mentiondesk.clock import now_iso
from mentiondesk.errors import Conflict, Forbidden, InvalidRequest
from mentiondesk.ids import new_id
from mentiondesk.models import Agent, Team
from mentiondesk.store.tickets import decode_cursor, encode_cursor

router = Router()

UserId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:-]+$")]
_LEAD_FIELDS = frozenset({"team", "capacity", "languages", "channels", "product_tags"})


def _known_team(tenant: str, team: str | None) -> None:
    if team is not None and deps.store().directory.team(tenant, team) is None:
        raise InvalidRequest("no such team", [{"loc": ["team"], "msg": "unknown team"}])


@router.get("/api/agents", summary="The tenant's people: role, team, skills, capacity, online status, load")
def list_agents() -> AgentPage:
    who = principal(router)
    people = sorted(deps.store().directory.agents(who.tenant_id), key=lambda a: (a.team or "", a.name))
    return AgentPage(items=[AgentOut.of(a, rate=who.role == "admin") for a in people])


@router.post(
    "/api/agents",
    summary="Add a person (deployed: a Cognito sign-in with an invitation email)",
    status_code=201,
    responses={201: {"description": "Created"}, 409: {"description": "The email is taken"}},
)
def create_agent(body: AgentIn) -> Response[AgentOut]:
    who = principal(router)
    store = deps.store()
    _known_team(who.tenant_id, body.team)
    if any(a.email.lower() == body.email.lower() for a in store.directory.agents(who.tenant_id)):
        raise Conflict("someone in this tenant already has that email")  # before Cognito sends an invitation
    user_id = deps.accounts().create(who.tenant_id, body.email, body.name, body.role) or f"user-{new_id().lower()}"
    fields = body.model_dump()
    if fields["hourly_rate_usd"] is not None:
        fields["hourly_rate_usd"] = str(fields["hourly_rate_usd"])
    agent = Agent(tenant_id=who.tenant_id, id=user_id, **fields)
    store.directory.create_agent(agent)
    store.audit.append(
        who.tenant_id, who.user_id, who.role, "agent_changed", user_id, now_iso(), change="created", new_role=body.role
    )
    return Response(status_code=201, body=AgentOut.of(agent, rate=True), content_type="application/json")


@router.patch(
    "/api/agents/<user_id>",
    summary="Change a person's role (admins), team, skills or capacity (optimistic locking on version)",
    responses={
        403: {"description": "Only admins change roles; supervisors change teams, skills and capacity"},
        409: {"description": "Stale version; the body holds the current person"},
    },
)
def update_agent(user_id: UserId, body: AgentPatch) -> AgentOut:
    who = principal(router)
    store = deps.store()
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    if not changes:
        raise InvalidRequest("nothing to change")
    if who.role != "admin" and set(changes) - _LEAD_FIELDS:
        raise Forbidden("only admins change roles, names and hourly rates")
    if changes.get("hourly_rate_usd") is not None:
        changes["hourly_rate_usd"] = str(changes["hourly_rate_usd"])
    if "role" in changes and user_id == who.user_id:
        raise Forbidden("nobody changes their own role")
    _known_team(who.tenant_id, changes.get("team"))
    before = store.directory.agent(who.tenant_id, user_id)
    updated = store.directory.update_agent(who.tenant_id, user_id, body.version, changes)
    now = now_iso()
    if "role" in changes and before.role != updated.role:
        deps.accounts().change_role(updated.email, before.role, updated.role)
        store.audit.append(
            who.tenant_id,
            who.user_id,
            who.role,
            "role_changed",
            user_id,
            now,
            **{"from": before.role, "to": updated.role},
        )
    else:
        store.audit.append(who.tenant_id, who.user_id, who.role, "agent_changed", user_id, now, fields=sorted(changes))
    return AgentOut.of(updated, rate=who.role == "admin")


@router.post(
    "/api/teams",
    summary="Add a team with its assignment strategy",
    status_code=201,
    responses={201: {"description": "Created"}, 409: {"description": "The id is taken"}},
)
def create_team(body: TeamIn) -> Response[TeamOut]:
    who = principal(router)
    team = deps.store().directory.create_team(Team(tenant_id=who.tenant_id, **body.model_dump()))
    return Response(status_code=201, body=TeamOut.of(team), content_type="application/json")


@router.patch(
    "/api/teams/<team_id>",
    summary="Rename a team or change how it assigns (optimistic locking on version)",
    responses={409: {"description": "Stale version; the body holds the current team"}},
)
def update_team(team_id: DocId, body: TeamPatch) -> TeamOut:
    who = principal(router)
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    if not changes:
        raise InvalidRequest("nothing to change")
    return TeamOut.of(deps.store().directory.update_team(who.tenant_id, team_id, body.version, changes))


@router.get(
    "/api/audit",
    summary="The audit log of a month, oldest first: who viewed, replied, exported, changed roles",
    responses={400: {"description": "A cursor this log did not give"}},
)
def audit_log(
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (UTC)")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AuditPage:
    who = principal(router)
    from mentiondesk.store.audit import audit_pk

    pk = audit_pk(who.tenant_id, month)
    after = decode_cursor(cursor, "PK", pk, who.tenant_id) if cursor else None
    store = deps.store()
    items, last = store.audit.month(who.tenant_id, month, limit, after)
    # Reading the log is itself recorded (after the page was read, so it never shows itself).
    store.audit.append(who.tenant_id, who.user_id, who.role, "export", f"audit:{month}", now_iso(), count=len(items))
    return AuditPage(items=[AuditOut.model_validate(i) for i in items], next=encode_cursor(last) if last else None)
