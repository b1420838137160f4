"""web: serves the agent page (/ and /static/*) and its sign-in configuration (/auth/config)."""

import json
import os
from typing import Any

from mentiondesk.config import WebSettings
from mentiondesk.web import pages

settings = WebSettings.from_env()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    path = event.get("rawPath") or "/"
    if path == "/auth/config":
        # The local stack lists its demo users here; deployed there are none.
        demo = json.loads(os.environ.get("MENTIONDESK_DEMO_USERS", "[]")) if settings.auth_mode == "dev" else []
        answer = pages.respond(200, json.dumps(pages.auth_config(settings, demo)), "application/json")
        answer["headers"]["cache-control"] = "no-store"
        return answer
    if path.startswith("/static/"):
        return pages.static(path.removeprefix("/static/"))
    return pages.index()
