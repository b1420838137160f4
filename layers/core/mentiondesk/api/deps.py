"""Collaborators of the API routes, built once per process from the function's settings."""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from mentiondesk.config import StoreSettings
from mentiondesk.store.factory import Store, store_for

if TYPE_CHECKING:
    from mentiondesk.api.identity import SignInAccounts
    from mentiondesk.channels.x_oauth import XUserTokens
    from mentiondesk.replies.queue import SendQueue
    from mentiondesk.rules.notify import Notifier
    from mentiondesk.workflow import SlaTimers


@cache
def store() -> Store:
    return store_for(StoreSettings.from_env().table_name)


@cache
def sla_timers() -> "SlaTimers":
    """The SLA timers (Scheduler schedules, SlaSettings): set and cleared when a ticket's clocks change."""
    from mentiondesk.config import SlaSettings
    from mentiondesk.workflow import SlaTimers

    return SlaTimers.from_settings(SlaSettings.from_env())


@cache
def accounts() -> "SignInAccounts":
    """Sign-in accounts: Cognito when USER_POOL_ID is set (deployed), else the local dev login."""
    from mentiondesk.api.identity import CognitoAccounts, LocalAccounts
    from mentiondesk.config import AccountSettings

    pool = AccountSettings.from_env().user_pool_id
    if not pool:
        return LocalAccounts()
    from mentiondesk.store.factory import aws_client

    return CognitoAccounts(aws_client("cognito-idp"), pool)


@cache
def send_queue() -> "SendQueue":
    """The send queue (SEND_QUEUE_URL): replies and hidden comments go there once they are stored."""
    from mentiondesk.config import NotifySettings
    from mentiondesk.replies.queue import SendQueue
    from mentiondesk.store.factory import aws_client

    url = NotifySettings.from_env().send_queue_url
    if not url:
        from mentiondesk.config import SettingsError

        raise SettingsError("SEND_QUEUE_URL is not set: replies cannot be queued")
    return SendQueue(aws_client("sqs"), url)


@cache
def notifier() -> "Notifier":
    """Rule notifications (the ticket_updated trigger runs in the API)."""
    from mentiondesk.config import NotifySettings
    from mentiondesk.rules.notify import notifier_from

    return notifier_from(NotifySettings.from_env())


@cache
def x_connector() -> "XConnector":
    """What connects an X account's DMs: its token store and the X API, from the function's settings."""
    from mentiondesk.channels.x_api import XApiClient
    from mentiondesk.config import XOAuthSettings
    from mentiondesk.polling.runtime import build_user_tokens

    settings = XOAuthSettings.from_env()
    return XConnector(build_user_tokens(settings), XApiClient(lambda: "", base_url=settings.x_api_base_url).me)


class XConnector:
    def __init__(self, tokens: "XUserTokens | None", me: "Callable[[str], str]") -> None:
        self.tokens = tokens
        self.me = me


def reset() -> None:
    """Forget every collaborator built so far (a new local stack or test environment: new endpoints)."""
    for built in (store, sla_timers, notifier, x_connector, accounts, send_queue):
        built.cache_clear()
