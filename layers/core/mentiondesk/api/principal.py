"""Who is calling: built from the JWT claims API Gateway's authorizer verified.

Deployed, the HTTP API's JWT authorizer checks the Cognito access token; locally the gateway does
the same check on dev-login tokens. Either way this module reads the verified claims, so there is
one code path. The tenant and the role come from the token only.
"""

from dataclasses import dataclass
from typing import Any

from mentiondesk.errors import Forbidden, Unauthorized
from mentiondesk.models import Role

# When a user is in several groups, the most powerful one is the role.
ROLE_ORDER: tuple[Role, ...] = ("admin", "supervisor", "finance", "agent")


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    role: Role
    email: str | None = None


def _groups(value: Any) -> list[str]:
    # API Gateway hands array claims to Lambda as one string like "[admin agent]".
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return value.strip("[]").replace(",", " ").split()
    return []


API_SCOPE = "mentiondesk/api"  # the Cognito resource server's scope the page asks for; nothing else reaches /api


def principal_from_claims(claims: dict[str, Any] | None) -> Principal:
    """Raise Unauthorized unless these are an access token's claims with a user and a tenant."""
    if not claims:
        raise Unauthorized("no verified token")
    if claims.get("token_use") != "access":
        raise Unauthorized("an access token is required")
    if API_SCOPE not in str(claims.get("scope") or "").split():
        raise Unauthorized(f"the token lacks the {API_SCOPE} scope")
    user_id = claims.get("sub")
    tenant = claims.get("tenant_id")
    if not user_id or not tenant:
        raise Unauthorized("the token has no user or tenant")
    groups = set(_groups(claims.get("cognito:groups")))
    role = next((r for r in ROLE_ORDER if r in groups), None)
    if role is None:
        raise Forbidden("the user has no role")
    return Principal(
        user_id=str(user_id),
        tenant_id=str(tenant),
        role=role,
        email=claims.get("email") or claims.get("username"),
    )
