"""What send_reply builds once per cold start: the platform senders with their credentials."""

import json
from collections.abc import Callable

from mentiondesk.config import SecretCache, SendReplySettings, meta_access_tokens
from mentiondesk.polling.runtime import build_user_tokens
from mentiondesk.replies.platforms import GoogleSender, MetaSender, PlatformSenders, XSender
from mentiondesk.replies.queue import SendQueue
from mentiondesk.replies.sender import OutboxSender
from mentiondesk.store.factory import aws_client, store_for
from mentiondesk.workflow import SlaTimers


def _x_user_token(settings: SendReplySettings) -> Callable[[str], str]:
    from mentiondesk.channels.x_api import XApiRefused

    tokens = build_user_tokens(settings)

    def token(account_id: str) -> str:
        if tokens is None:
            raise XApiRefused("this stack keeps no X user tokens (XOAuthParameterPrefix)", 401, "not_connected")
        return tokens.access_token(account_id)

    return token


def _google_token(settings: SendReplySettings) -> Callable[[], str]:
    if settings.mentiondesk_google_api_token:
        return settings.mentiondesk_google_api_token.get_secret_value
    secret = SecretCache(settings.google_api_secret_arn or "")
    holder: dict[str, Callable[[], str]] = {}

    def token() -> str:
        # The key is read (and the crypto backend imported) on the first review reply, not at cold start.
        if "tokens" not in holder:
            from mentiondesk.channels.google_auth import ServiceAccountTokens

            holder["tokens"] = ServiceAccountTokens(json.loads(secret.get()))
        return holder["tokens"]()

    return token


def build_sender(settings: SendReplySettings) -> OutboxSender:
    tokens = meta_access_tokens(settings.mentiondesk_meta_access_tokens, settings.meta_secret_arn)
    meta = MetaSender(lambda account_id: tokens().get(account_id), base_url=settings.meta_graph_base_url)
    platforms = PlatformSenders(
        {
            "x": XSender(_x_user_token(settings), base_url=settings.x_api_base_url),
            "instagram": meta,
            "facebook": meta,
            "google": GoogleSender(_google_token(settings), base_url=settings.google_api_base_url),
        }
    )
    return OutboxSender(
        store_for(settings.table_name),
        platforms,
        SlaTimers.from_settings(settings),
        SendQueue(aws_client("sqs"), settings.send_queue_url),
        worker="cold-start",
    )
