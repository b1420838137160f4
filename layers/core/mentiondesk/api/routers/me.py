"""Who am I, and is the service up."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from mentiondesk import __version__
from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import HealthOut, MeOut, StatusIn, StatusOut
from mentiondesk.assignment.assign import assign_waiting
from mentiondesk.clock import now_iso
from mentiondesk.errors import NotFound
from mentiondesk.observability import logger

router = Router()


@router.get("/api/health", summary="Liveness")
def health() -> HealthOut:
    return HealthOut(status="ok", version=__version__)


@router.get("/api/me", summary="The signed-in user")
def me() -> MeOut:
    who = principal(router)
    try:
        agent = deps.store().directory.agent(who.tenant_id, who.user_id)
    except NotFound:
        agent = None
    return MeOut.of(who.tenant_id, who.role, agent, who.user_id, who.email)


@router.put("/api/me/status", summary="Go online or away; going online takes waiting tickets at once")
def set_status(body: StatusIn) -> StatusOut:
    who = principal(router)
    store = deps.store()
    now = now_iso()
    agent = store.directory.set_online(who.tenant_id, who.user_id, body.online, now)
    logger.info("agent presence", extra={"online": body.online, "tenant_id": who.tenant_id})
    drained = (
        assign_waiting(store, who.tenant_id, now, per_team=10, teams=[agent.team]) if body.online and agent.team else 0
    )
    return StatusOut(online=agent.online, assigned_from_queue=drained)
