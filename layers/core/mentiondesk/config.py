"""Typed settings, one model per function, read from the environment and validated at cold start.

There are no silent defaults for deployed settings: a missing variable fails the cold start with a
clear message. Local defaults live in `mentiondesk.local`, never here.
"""

import os
import time
from collections.abc import Mapping
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator


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


class WebhookSettings(StoreSettings):
    """webhook_x: where the consumer secret comes from, and the workflow to start."""

    ticket_workflow_arn: str = Field(min_length=20)
    # Local: the secret itself from the environment. Deployed: a Secrets Manager ARN.
    mentiondesk_x_consumer_secret: SecretStr | None = None
    x_consumer_secret_arn: str | None = None
    max_body_bytes: int = Field(default=262_144, ge=1024, le=6_000_000)
    # DMs from one customer within this many hours of their last one join the same ticket.
    dm_window_hours: int = Field(default=24, ge=1, le=24 * 30)

    @model_validator(mode="after")
    def _one_secret_source(self) -> Self:
        if not self.mentiondesk_x_consumer_secret and not self.x_consumer_secret_arn:
            raise ValueError("set MENTIONDESK_X_CONSUMER_SECRET (local) or X_CONSUMER_SECRET_ARN (deployed)")
        return self


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
