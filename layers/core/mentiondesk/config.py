"""Typed settings, one model per function, read from the environment and validated at cold start.

There are no silent defaults for deployed settings: a missing variable fails the cold start with a
clear message. Local defaults live in `mentiondesk.local`, never here.
"""

import os
import time
from collections.abc import Callable, Mapping
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator


class SettingsError(RuntimeError):
    """The function's environment is incomplete or invalid."""


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        data = {name: env[alias] for name, f in cls.model_fields.items() if (alias := (f.alias or name).upper()) in env}
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise SettingsError(f"{cls.__name__}: {error}") from error


class StoreSettings(_Settings):
    """Every function that reads or writes the table."""

    table_name: str = Field(min_length=3)


class SlaSettings(StoreSettings):
    """Functions that start or stop SLA timers (the SLA step, the SLA check, the API, send_reply): each
    timer is a one-time EventBridge Scheduler schedule in SLA_SCHEDULE_GROUP that invokes
    SLA_CHECK_FUNCTION_ARN as SLA_SCHEDULER_ROLE_ARN, failing over to SLA_DEAD_LETTER_ARN."""

    sla_schedule_group: str = Field(min_length=1, max_length=64)
    sla_check_function_arn: str = Field(min_length=20)
    sla_scheduler_role_arn: str = Field(min_length=20)
    sla_dead_letter_arn: str | None = Field(default=None, min_length=20)


class NotifySettings(StoreSettings):
    """Functions that run rules (their notify action): the email sender and, locally, Slack's stand-in."""

    notify_email_from: str | None = Field(default=None, min_length=3)
    slack_webhook_base_url: str | None = Field(default=None, min_length=8)
    # Rules' auto-replies and hidden comments go to the send queue as soon as they are stored.
    send_queue_url: str | None = Field(default=None, min_length=8)

    @field_validator("notify_email_from", "slack_webhook_base_url", "send_queue_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # a template parameter left empty


class SlaCheckSettings(NotifySettings, SlaSettings):
    """sla_check: it sets each next wake itself, and runs the sla_warning / sla_breached rules."""


class WebhookSettings(StoreSettings):
    """What every webhook function needs: the workflow to start and the ingest limits."""

    ticket_workflow_arn: str = Field(min_length=20)
    max_body_bytes: int = Field(default=262_144, ge=1024, le=6_000_000)
    # DMs from one customer within this many hours of their last one join the same ticket.
    dm_window_hours: int = Field(default=24, ge=1, le=24 * 30)


class ReportSettings(NotifySettings):
    """report_weekly: where the weekly reports are kept (S3), and how their links are sent."""

    reports_bucket: str = Field(min_length=3)


def _one_of(value: SecretStr | None, arn: str | None, local: str, deployed: str) -> None:
    if not value and not arn:
        raise ValueError(f"set {local} (local) or {deployed} (deployed)")


class XWebhookSettings(WebhookSettings):
    """webhook_x: the X app's consumer secret (the value locally, a Secrets Manager ARN deployed)."""

    mentiondesk_x_consumer_secret: SecretStr | None = None
    x_consumer_secret_arn: str | None = None

    @model_validator(mode="after")
    def _secret_source(self) -> Self:
        _one_of(
            self.mentiondesk_x_consumer_secret,
            self.x_consumer_secret_arn,
            "MENTIONDESK_X_CONSUMER_SECRET",
            "X_CONSUMER_SECRET_ARN",
        )
        return self


class XPollSettings(WebhookSettings):
    """poll_x_mentions / poll_x_search: the X app's bearer token (app-only) and where X answers.

    Deployed, the XApiSecret holds JSON {"bearer_token": "..."}; locally the value comes from
    MENTIONDESK_X_BEARER_TOKEN and X_API_BASE_URL points at the local stack's fake X API.
    """

    mentiondesk_x_bearer_token: SecretStr | None = None
    x_api_secret_arn: str | None = None
    x_api_base_url: str = "https://api.x.com"
    # DM polling (user context): the app's OAuth 2.0 client (in the same secret deployed, as
    # client_id / client_secret) and where each account's rotating tokens live (SSM SecureString).
    mentiondesk_x_client_id: SecretStr | None = None
    mentiondesk_x_client_secret: SecretStr | None = None
    x_oauth_parameter_prefix: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_./-]+$")

    @model_validator(mode="after")
    def _secret_source(self) -> Self:
        _one_of(
            self.mentiondesk_x_bearer_token, self.x_api_secret_arn, "MENTIONDESK_X_BEARER_TOKEN", "X_API_SECRET_ARN"
        )
        return self


class XOAuthSettings(_Settings):
    """api: connecting an X account's DMs (an admin hands over a refresh token; see XPollSettings)."""

    mentiondesk_x_client_id: SecretStr | None = None
    mentiondesk_x_client_secret: SecretStr | None = None
    x_api_secret_arn: str | None = None
    x_api_base_url: str = "https://api.x.com"
    x_oauth_parameter_prefix: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_./-]+$")


class MetaWebhookSettings(WebhookSettings):
    """webhook_meta: the Meta app secret, our verify token, and access tokens for the Graph API.

    Deployed, one Secrets Manager secret holds JSON {"app_secret": ..., "verify_token": ...,
    "access_tokens": {"<instagram account id>": "<token>", ...}} (access_tokens optional: without a
    token, Instagram mentions are stored as the ids Meta sends). Locally the values come from
    MENTIONDESK_META_* variables (MENTIONDESK_META_ACCESS_TOKENS is that JSON map).
    """

    mentiondesk_meta_app_secret: SecretStr | None = None
    mentiondesk_meta_verify_token: SecretStr | None = None
    mentiondesk_meta_access_tokens: SecretStr | None = None
    meta_secret_arn: str | None = None
    meta_graph_base_url: str = "https://graph.facebook.com/v26.0"

    @model_validator(mode="after")
    def _secret_source(self) -> Self:
        local = self.mentiondesk_meta_app_secret and self.mentiondesk_meta_verify_token
        if not local and not self.meta_secret_arn:
            raise ValueError(
                "set MENTIONDESK_META_APP_SECRET and MENTIONDESK_META_VERIFY_TOKEN (local)"
                " or META_SECRET_ARN (deployed)"
            )
        return self


class GoogleWebhookSettings(WebhookSettings):
    """webhook_google: who may push (OIDC audience and service account) and how to read reviews."""

    google_push_audience: str = Field(min_length=1)
    google_push_service_account: str = Field(min_length=3)
    # Deployed: a secret with the service-account key JSON used to call the Business Profile API.
    google_api_secret_arn: str | None = None
    google_api_base_url: str = "https://mybusiness.googleapis.com"
    # Local only: the JWKS that signs the simulator's pushes, and a fixed API token.
    mentiondesk_google_jwks: str | None = None
    mentiondesk_google_api_token: SecretStr | None = None

    @model_validator(mode="after")
    def _api_credentials(self) -> Self:
        _one_of(
            self.mentiondesk_google_api_token,
            self.google_api_secret_arn,
            "MENTIONDESK_GOOGLE_API_TOKEN",
            "GOOGLE_API_SECRET_ARN",
        )
        return self


class SendReplySettings(SlaSettings):
    """send_reply: the send queue, and each platform's credentials for posting.

    Deployed: X's app client (client_id / client_secret in the XApiSecret) with each account's rotating
    user tokens in SSM, Meta's access_tokens map in the MetaSecret, Google's service-account key in the
    GoogleApiSecret. Locally the MENTIONDESK_* values and the fake platforms' base URLs.
    """

    send_queue_url: str = Field(min_length=8)
    x_api_base_url: str = "https://api.x.com"
    x_api_secret_arn: str | None = None
    x_oauth_parameter_prefix: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_./-]+$")
    mentiondesk_x_client_id: SecretStr | None = None
    mentiondesk_x_client_secret: SecretStr | None = None
    meta_graph_base_url: str = "https://graph.facebook.com/v26.0"
    meta_secret_arn: str | None = None
    mentiondesk_meta_access_tokens: SecretStr | None = None
    google_api_base_url: str = "https://mybusiness.googleapis.com"
    google_api_secret_arn: str | None = None
    mentiondesk_google_api_token: SecretStr | None = None


class AccountSettings(_Settings):
    """api: the Cognito user pool where admins' new people get their sign-in (none locally), and the
    page's public address (the links in satisfaction surveys)."""

    user_pool_id: str | None = Field(default=None, min_length=3)
    app_url: str | None = Field(default=None, min_length=8)


class WebSettings(_Settings):
    """web: how the page signs people in."""

    auth_mode: Literal["dev", "cognito"]
    cognito_domain: str | None = None
    cognito_client_id: str | None = None
    app_url: str | None = None
    team_timezone: str = "Asia/Tokyo"

    @model_validator(mode="after")
    def _cognito_complete(self) -> Self:
        if self.auth_mode == "cognito" and not (self.cognito_domain and self.cognito_client_id):
            raise ValueError("cognito mode needs COGNITO_DOMAIN and COGNITO_CLIENT_ID")
        return self


def meta_access_tokens(local: SecretStr | None, arn: str | None) -> "Callable[[], dict[str, str]]":
    """The Meta access token of each of our accounts: the local JSON map, or the MetaSecret's
    `access_tokens` (an empty map when neither is set: Graph calls then say "not connected")."""
    import json

    if local is not None:
        return lambda: dict(json.loads(local.get_secret_value()))
    if not arn:
        return dict
    secret = SecretCache(arn)
    return lambda: dict(json.loads(secret.get()).get("access_tokens") or {})


class SecretCache:
    """A secret read from Secrets Manager, re-read after `ttl` seconds so rotation takes effect."""

    def __init__(self, arn: str, ttl: float = 300.0) -> None:
        self.arn = arn
        self.ttl = ttl
        self._value: str | None = None
        self._read_at = 0.0

    def get(self) -> str:
        if self._value is None or time.monotonic() - self._read_at > self.ttl:
            from mentiondesk.store.factory import aws_client

            response = aws_client("secretsmanager").get_secret_value(SecretId=self.arn)
            self._value = str(response["SecretString"])
            self._read_at = time.monotonic()
        return self._value
