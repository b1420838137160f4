"""web: serves the agent page (/ and /static/*), its sign-in configuration (/auth/config) and the
customers' satisfaction survey (/csat/{token}, public: the token is the key)."""

import json
import os
from typing import Any

from mentiondesk.config import StoreSettings, WebSettings
from mentiondesk.observability import metrics
from mentiondesk.web import pages

settings = WebSettings.from_env()
_surveys: Any = None


def surveys() -> Any:
    """The survey store, made on the first survey request (the page itself needs no table)."""
    global _surveys
    if _surveys is None:
        from mentiondesk.store.csat import CsatStore
        from mentiondesk.store.factory import store_for

        _surveys = CsatStore(store_for(StoreSettings.from_env().table_name).table)
    return _surveys


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    path = event.get("rawPath") or "/"
    if path.startswith("/csat/"):
        from mentiondesk.costs.metering import metered
        from mentiondesk.web import csat_page

        # Metered like the API (the page and its static files are the deployment's fixed cost, not metered)
        with metered(context, "web", event=event, source="web:/csat/{token}"):
            return csat_page.handle(event, surveys())
    if path == "/auth/config":
        # The local stack lists its demo users here; deployed there are none.
        demo = json.loads(os.environ.get("MENTIONDESK_DEMO_USERS", "[]")) if settings.auth_mode == "dev" else []
        answer = pages.respond(200, json.dumps(pages.auth_config(settings, demo)), "application/json")
        answer["headers"]["cache-control"] = "no-store"
        return answer
    if path.startswith("/static/"):
        return pages.static(path.removeprefix("/static/"))
    return pages.index()
