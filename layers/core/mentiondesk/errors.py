"""Typed domain errors. `mentiondesk.api.errors` maps them to HTTP answers; workflow tasks raise them
by name so the ASL Retry/Catch can match them."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class MentiondeskError(Exception):
    """Base of every error we raise on purpose."""


class NotFound(MentiondeskError):
    """The thing does not exist for this tenant (another tenant's ids look exactly the same)."""


class Conflict(MentiondeskError):
    """The write lost a race or would create a duplicate."""

    def __init__(self, message: str, current: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.current = current


class InvalidRequest(MentiondeskError):
    """The caller sent something we refuse (bad cursor, unknown field, bad value).

    `details` lists each problem as {"loc": [...], "msg": ...}: where it is, never the value sent.
    """

    def __init__(self, message: str, details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.details = details


def invalid_from(error: "ValidationError", message: str) -> InvalidRequest:
    """A pydantic ValidationError as an InvalidRequest that names each field and what is wrong with it."""
    problems = [(".".join(str(part) for part in e.get("loc", ())), str(e.get("msg", ""))) for e in error.errors()]
    details: list[dict[str, object]] = [{"loc": loc.split(".") if loc else [], "msg": msg} for loc, msg in problems]
    summary = "; ".join(f"{loc or 'body'}: {msg}" for loc, msg in problems[:5])
    return InvalidRequest(f"{message}: {summary}", details)


class Unauthorized(MentiondeskError):
    """No usable identity: missing, expired or wrong kind of token."""


class Forbidden(MentiondeskError):
    """The identity is known but its role may not do this."""


class SignatureInvalid(MentiondeskError):
    """A webhook's signature is missing, malformed or does not match the raw body."""


class PayloadTooLarge(MentiondeskError):
    """A webhook body over the size limit; refused before parsing."""


class MalformedPayload(MentiondeskError):
    """A correctly signed body we cannot parse; it goes to quarantine for a person."""


class TicketNotFound(NotFound):
    """A workflow task was given a ticket that does not exist (not retried)."""


class TransientStoreError(MentiondeskError):
    """DynamoDB throttled or a transaction kept conflicting; safe to retry."""


class UpstreamUnavailable(MentiondeskError):
    """A platform API we needed did not answer (5xx, time-out); safe to retry later."""
