"""API Gateway HTTP API (payload 2.0) events and answers, for handlers that do not need a router.

The webhook handlers stay on this tiny module instead of Powertools' resolver to keep cold starts small.
"""

import base64
import binascii
import json
from typing import Any

from mentiondesk.errors import InvalidRequest, PayloadTooLarge

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "cache-control": "no-store",
}


def method(event: dict[str, Any]) -> str:
    return str(event.get("requestContext", {}).get("http", {}).get("method", "GET")).upper()


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header (HTTP API lower-cases names; repeated headers arrive comma-joined)."""
    headers = event.get("headers") or {}
    value = headers.get(name.lower())
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


def query(event: dict[str, Any], name: str) -> str | None:
    return (event.get("queryStringParameters") or {}).get(name)


def raw_body(event: dict[str, Any], limit: int) -> bytes:
    """The request body as the exact bytes the client sent, whether or not API Gateway base64-encoded it.

    The size limit is checked before decoding, so an oversized body costs nothing.
    """
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        if len(body) > (limit * 4) // 3 + 4:
            raise PayloadTooLarge(f"body over {limit} bytes")
        try:
            data = base64.b64decode(body, validate=True)
        except (ValueError, binascii.Error) as error:
            raise InvalidRequest("body is not valid base64") from error
    else:
        if len(body) > limit:  # characters <= bytes, so this never refuses a body within the limit
            raise PayloadTooLarge(f"body over {limit} bytes")
        data = body.encode("utf-8")
    if len(data) > limit:
        raise PayloadTooLarge(f"body over {limit} bytes")
    return data


def respond(status: int, body: Any, content_type: str = "application/json") -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return {
        "statusCode": status,
        "headers": {"content-type": content_type, **SECURITY_HEADERS},
        "body": text,
        "isBase64Encoded": False,
    }


def error(status: int, message: str) -> dict[str, Any]:
    return respond(status, {"message": message})
