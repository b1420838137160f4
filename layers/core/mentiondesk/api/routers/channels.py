"""Channel accounts: an admin registers the brand's account on a platform."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import ChannelIn, ChannelOut, ChannelPage, ChannelRef
from mentiondesk.clock import now_iso
from mentiondesk.models import ChannelAccount
from mentiondesk.observability import logger

router = Router()


@router.get("/api/channels", summary="The tenant's channel accounts")
def list_channels() -> ChannelPage:
    who = principal(router)
    return ChannelPage(items=[ChannelOut.of(c) for c in deps.store().directory.channels(who.tenant_id)])


@router.post(
    "/api/channels",
    summary="Register a channel account",
    status_code=201,
    responses={201: {"description": "Registered"}, 409: {"description": "Already registered"}},
)
def create_channel(body: ChannelIn) -> Response[ChannelOut]:
    who = principal(router)
    account = ChannelAccount(
        tenant_id=who.tenant_id,
        platform=body.platform,
        account_id=body.account_id,
        handle=body.handle,
        team=body.team,
        created_at=now_iso(),
        created_by=who.user_id,
    )
    deps.store().directory.register_channel(account)
    logger.info("channel registered", extra={"platform": body.platform, "tenant_id": who.tenant_id})
    return Response(status_code=201, content_type="application/json", body=ChannelOut.of(account))


@router.post(
    "/api/channels/reconnect",
    summary="Make a revoked channel account active again (after the brand authorised the app anew)",
    responses={404: {"description": "Not this tenant's account"}, 409: {"description": "Not revoked"}},
)
def reconnect_channel(body: ChannelRef) -> ChannelOut:
    who = principal(router)
    directory = deps.store().directory
    account = directory.reconnect_channel(who.tenant_id, body.platform, body.account_id, now_iso(), who.user_id)
    logger.info(
        "channel reconnected",
        extra={"platform": body.platform, "account_id": body.account_id, "tenant_id": who.tenant_id},
    )
    return ChannelOut.of(account)
