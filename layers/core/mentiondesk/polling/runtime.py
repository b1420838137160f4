"""What the X polling functions (and the API's DM connect route) build once per cold start."""

import json
from typing import TYPE_CHECKING, Any

from mentiondesk.clock import now_iso, utcnow
from mentiondesk.config import SecretCache, SendReplySettings, XOAuthSettings, XPollSettings
from mentiondesk.ingest.service import IngestService
from mentiondesk.polling.x_poller import XPoller
from mentiondesk.store.factory import aws_client, store_for
from mentiondesk.workflow import WorkflowStarter

if TYPE_CHECKING:
    from mentiondesk.channels.x_oauth import XUserTokens


def build_poller(settings: XPollSettings) -> XPoller:
    from mentiondesk.channels.x_api import XApiClient

    if settings.mentiondesk_x_bearer_token:
        token = settings.mentiondesk_x_bearer_token.get_secret_value
    else:
        secret = SecretCache(settings.x_api_secret_arn or "")

        def token() -> str:
            return str(json.loads(secret.get())["bearer_token"])

    service = IngestService(
        store_for(settings.table_name),
        WorkflowStarter(aws_client("stepfunctions"), settings.ticket_workflow_arn),
        now_iso,
        settings.dm_window_hours * 3600,
    )
    return XPoller(
        service, XApiClient(token, base_url=settings.x_api_base_url), utcnow, user_tokens=build_user_tokens(settings)
    )


def build_user_tokens(settings: XPollSettings | XOAuthSettings | SendReplySettings) -> "XUserTokens | None":
    """Each X account's rotating OAuth 2.0 user tokens (for DMs); None when this stack has no place for them."""
    from mentiondesk.channels.x_oauth import SsmTokenVault, XOAuthClient, XUserTokens

    if not settings.x_oauth_parameter_prefix:
        return None
    if settings.mentiondesk_x_client_id and settings.mentiondesk_x_client_secret:
        client_id = settings.mentiondesk_x_client_id.get_secret_value
        client_secret = settings.mentiondesk_x_client_secret.get_secret_value
    elif settings.x_api_secret_arn:
        secret = SecretCache(settings.x_api_secret_arn)

        def client_id() -> str:
            return str(json.loads(secret.get()).get("client_id") or "")

        def client_secret() -> str:
            return str(json.loads(secret.get()).get("client_secret") or "")

    else:
        return None
    oauth = XOAuthClient(client_id, client_secret, token_url=f"{settings.x_api_base_url.rstrip('/')}/2/oauth2/token")
    return XUserTokens(SsmTokenVault(aws_client("ssm"), settings.x_oauth_parameter_prefix), oauth)


def time_left(context: Any) -> float:
    """Seconds the invocation has left (a generous default when the context cannot say)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else 60.0
