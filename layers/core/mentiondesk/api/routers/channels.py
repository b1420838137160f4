"""Channel accounts: an admin registers the brand's account on a platform."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import ChannelIn, ChannelOut, ChannelPage, ChannelRef, XConnectIn, XConnectOut
from mentiondesk.clock import now_iso
from mentiondesk.errors import InvalidRequest, UpstreamUnavailable
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


@router.post(
    "/api/channels/x-connect",
    summary="Connect an X account's DMs: hand over an OAuth 2.0 refresh token of that account",
    responses={400: {"description": "Not this tenant's X account, or X refused the token"}, 503: {}},
)
def connect_x(body: XConnectIn) -> XConnectOut:
    from mentiondesk.channels.x_api import XApiError, XApiRefused

    who = principal(router)
    channels = deps.store().directory.channels(who.tenant_id)
    if not any(c.platform == "x" and c.account_id == body.account_id and c.status == "active" for c in channels):
        raise InvalidRequest("account_id is not an active X channel account of this tenant")
    connector = deps.x_connector()
    if connector.tokens is None:
        raise InvalidRequest("DM polling is not configured in this stack (X_OAUTH_PARAMETER_PREFIX)")
    try:
        connector.tokens.connect(body.account_id, body.refresh_token, connector.me)
    except XApiRefused as refused:
        raise InvalidRequest(f"X refused the token: {refused}") from refused
    except XApiError as error:
        raise UpstreamUnavailable("X did not answer; try again") from error
    logger.info("x account connected for DMs", extra={"account_id": body.account_id, "tenant_id": who.tenant_id})
    return XConnectOut(account_id=body.account_id, connected=True)
