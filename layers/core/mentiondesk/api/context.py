"""The authorization middleware and the principal it leaves in the resolver's context."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from mentiondesk.api.authz import authorize, is_public
from mentiondesk.api.principal import Principal, principal_from_claims
from mentiondesk.errors import Forbidden, NotFound, Unauthorized
from mentiondesk.ids import is_id

if TYPE_CHECKING:
    from mentiondesk.store.factory import Store
    from mentiondesk.store.tickets import TicketDetail


def authorization_middleware(app: Any, next_middleware: Callable[..., Response[Any]]) -> Response[Any]:
    """Every request passes here: public routes go through, others need a verified principal and a role."""
    route = app.context.get("_route")
    if route is None or not _registered(app, route):
        return next_middleware(app)  # no route matched: the resolver answers 404
    if is_public(route.method, route.path):
        return next_middleware(app)
    claims = app.current_event.raw_event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims")
    who = principal_from_claims(claims)
    authorize(route.method, route.path, who)
    app.append_context(principal=who)
    return next_middleware(app)


def _registered(app: Any, route: Any) -> bool:
    # Powertools hands unmatched requests a synthetic catch-all route; only real routes are checked
    # against the table (and a real route missing from it is refused by `authorize`).
    return any(r is route for r in (*app._static_routes, *app._dynamic_routes))


def principal(router: BaseRouter) -> Principal:
    who = router.context.get("principal")
    if not isinstance(who, Principal):
        # Only reachable if a route forgot its table entry and was marked public by mistake.
        raise Unauthorized("no principal")
    return who


__all__ = ["Forbidden", "authorization_middleware", "principal"]


def ticket_detail(store: "Store", who: Principal, ticket_id: str) -> "TicketDetail":
    """A route's ticket by the id in its path: junk, missing and another tenant's ids all answer 404."""
    if not is_id(ticket_id):
        raise NotFound("ticket not found")
    return store.tickets.detail(who.tenant_id, ticket_id)
