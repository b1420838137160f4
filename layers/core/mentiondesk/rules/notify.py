"""A rule's notify action: a Slack incoming webhook or an email through Amazon SES.

Targets were checked when the rule was saved (Slack's own webhook host only, plain email addresses).
Redirects are never followed, and nothing about the target is logged: a webhook URL is a secret.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mentiondesk.config import NotifySettings
from mentiondesk.errors import MentiondeskError

if TYPE_CHECKING:
    from mentiondesk.store.outbox import OutboxRef

SLACK_HOST = "https://hooks.slack.com"
TIMEOUT_SECONDS = 3.0


class NotifyFailed(MentiondeskError):
    """The notification could not be delivered (the reason never includes the target)."""


class Notifier:
    """Sends rule notifications. `slack_base_url` replaces Slack's host locally (the fake endpoint)."""

    def __init__(
        self,
        *,
        email_from: str | None,
        ses: Callable[[], Any],
        slack_base_url: str | None = None,
        session: Any = None,
        send_queue: "Callable[[OutboxRef], object] | None" = None,
    ) -> None:
        self.email_from = email_from
        self.send_queue = send_queue
        self._ses = ses
        self.slack_base_url = slack_base_url.rstrip("/") if slack_base_url else None
        self._session = session

    def queue_outbox(self, items: list[dict[str, Any]]) -> None:
        """Hand the outbox items a rule decided to the send queue (the sweeper queues any that fail)."""
        if self.send_queue is None:
            return
        from mentiondesk.store.outbox import OutboxRef

        for item in items:
            self.send_queue(OutboxRef.of(item))

    def slack(self, url: str, text: str) -> None:
        import requests

        if not url.startswith(SLACK_HOST + "/"):
            raise NotifyFailed("not a Slack incoming webhook URL")
        target = self.slack_base_url + url.removeprefix(SLACK_HOST) if self.slack_base_url else url
        session = self._session if self._session is not None else requests.Session()
        try:
            # stream: only the status matters, so the body (whatever size it claims) is never downloaded.
            response = session.post(
                target, json={"text": text}, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
            )
        except requests.RequestException as error:
            raise NotifyFailed(f"Slack did not answer ({type(error).__name__})") from None
        close = getattr(response, "close", None)
        if callable(close):
            close()
        if response.status_code != 200:
            # Slack answers 403/404 for a revoked or deleted webhook, 400 for a bad payload.
            raise NotifyFailed(f"Slack answered {response.status_code}")

    def email(self, to: str, subject: str, text: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if not self.email_from:
            raise NotifyFailed("email notifications are not configured (NOTIFY_EMAIL_FROM)")
        try:
            self._ses().send_email(
                Source=self.email_from,
                Destination={"ToAddresses": [to]},
                Message={
                    "Subject": {"Data": subject[:200], "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
                },
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "error")
            raise NotifyFailed(f"SES refused the email ({code})") from None
        except BotoCoreError as error:
            raise NotifyFailed(f"SES did not answer ({type(error).__name__})") from None


def notifier_from(settings: NotifySettings) -> Notifier:
    """The notifier a function's settings describe (SES client created on first use)."""
    from mentiondesk.store.factory import aws_client

    send_queue = None
    if settings.send_queue_url:
        from mentiondesk.replies.queue import SendQueue

        send_queue = SendQueue(aws_client("sqs"), settings.send_queue_url).offer
    return Notifier(
        email_from=settings.notify_email_from,
        ses=lambda: aws_client("ses"),
        slack_base_url=settings.slack_webhook_base_url,
        send_queue=send_queue,
    )
