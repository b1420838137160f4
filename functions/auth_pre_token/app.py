"""auth_pre_token: Cognito pre token generation (V2). Puts the user's tenant into the access token,
so API Gateway's authorizer hands it to the API. The attribute is immutable and not writable by users."""

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    tenant = (event.get("request", {}).get("userAttributes", {}) or {}).get("custom:tenant_id")
    if not tenant:
        # No tenant, no token: a user without a tenant must not reach any tenant's data.
        raise ValueError("user has no tenant")
    claims = {"tenant_id": tenant}
    event.setdefault("response", {})["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": claims},
        "idTokenGeneration": {"claimsToAddOrOverride": claims},
    }
    return event
