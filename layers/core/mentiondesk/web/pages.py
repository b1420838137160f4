"""Serving the page's files and the sign-in configuration. Nothing here renders customer data:
the page fetches it from the API and renders it as text."""

import mimetypes
from functools import cache
from pathlib import Path
from typing import Any

from mentiondesk.config import WebSettings

STATIC_DIR = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' https://*.amazoncognito.com; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


@cache
def _read(name: str) -> bytes | None:
    path = (STATIC_DIR / name).resolve()
    # Only files directly inside the static directory: no traversal, no subdirectories.
    if path.parent != STATIC_DIR.resolve() or not path.is_file():
        return None
    return path.read_bytes()


def respond(status: int, body: str, content_type: str, cache_seconds: int = 0) -> dict[str, Any]:
    cache_control = f"public, max-age={cache_seconds}" if cache_seconds else "no-cache"
    return {
        "statusCode": status,
        "headers": {**PAGE_HEADERS, "content-type": content_type, "cache-control": cache_control},
        "body": body,
        "isBase64Encoded": False,
    }


def index() -> dict[str, Any]:
    data = _read("index.html")
    if data is None:
        return respond(500, "the page is missing from this build", "text/plain; charset=utf-8")
    return respond(200, data.decode(), _TYPES[".html"])


def static(name: str) -> dict[str, Any]:
    data = _read(name) if name and "/" not in name and not name.startswith(".") else None
    if data is None:
        return respond(404, "not found", "text/plain; charset=utf-8")
    suffix = Path(name).suffix
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return respond(200, data.decode(), content_type, cache_seconds=300)


def auth_config(settings: WebSettings, demo_users: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """What the page needs to sign people in (dev login locally, Cognito hosted UI when deployed)."""
    config: dict[str, Any] = {"mode": settings.auth_mode, "tz": settings.team_timezone}
    if settings.auth_mode == "cognito":
        config["cognito"] = {
            "domain": settings.cognito_domain,
            "client_id": settings.cognito_client_id,
            "redirect_uri": settings.app_url,
        }
    else:
        config["demo_users"] = demo_users or []
    return config
