"""Who am I, and is the service up."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from mentiondesk import __version__
from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import HealthOut, MeOut
from mentiondesk.errors import NotFound

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
