"""Local sign-in: dev-login tokens shaped like Cognito access tokens, and the check API Gateway's
JWT authorizer makes, so the API sees the same verified claims locally and deployed."""

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from mentiondesk.models import Agent

CLIENT_ID = "mentiondesk-local-page"
TOKEN_SECONDS = 8 * 3600


class AuthorizerError(Exception):
    """The token would be refused by API Gateway's JWT authorizer."""


class DevAuth:
    """An RS256 key made at start-up; tokens for the demo users only."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.kid = uuid.uuid4().hex
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.users: dict[str, Agent] = {}
        # Who someone is now (their current role), as Cognito knows at each sign-in: the directory.
        self.lookup: Callable[[str], Agent | None] | None = None

    def register(self, agent: Agent) -> None:
        self.users[agent.email.lower()] = agent

    def issue(self, email: str, now: float | None = None, **overrides: Any) -> str:
        wanted = email.strip().lower()
        agent = (self.lookup(wanted) if self.lookup else None) or self.users.get(wanted)
        if agent is None:
            raise KeyError(email)
        issued = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "sub": agent.id,
            "iss": self.issuer,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "scope": "openid email profile mentiondesk/api",
            "auth_time": issued,
            "iat": issued,
            "exp": issued + TOKEN_SECONDS,
            "jti": uuid.uuid4().hex,
            "username": agent.email,
            "email": agent.email,
            "cognito:groups": [agent.role],
            "tenant_id": agent.tenant_id,
        }
        claims.update(overrides)
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """API Gateway's JWT authorizer: signature, issuer, expiry, and the audience (or client_id)."""
        if not authorization:
            raise AuthorizerError("no token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise AuthorizerError(type(error).__name__) from error
        audience = claims.get("aud") or claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if CLIENT_ID not in audiences:
            raise AuthorizerError("wrong audience")
        return claims


def as_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway hands them to Lambda: strings, arrays as "[a b]"."""
    return {k: ("[" + " ".join(str(i) for i in v) + "]") if isinstance(v, list) else str(v) for k, v in claims.items()}


class LocalGooglePush:
    """Stands in for Google's signing of Pub/Sub pushes: a key the local webhook_google trusts."""

    def __init__(self, audience: str, service_account: str = "pubsub-push@mentiondesk.local") -> None:
        self.audience = audience
        self.service_account = service_account
        self.kid = "local-" + uuid.uuid4().hex[:12]
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> str:
        """The JWKS the function is told to trust (MENTIONDESK_GOOGLE_JWKS)."""
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return json.dumps({"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]})

    def token(self) -> str:
        """An OIDC token shaped like the one Pub/Sub attaches to a push."""
        now = int(time.time())
        return jwt.encode(
            {
                "iss": "https://accounts.google.com",
                "aud": self.audience,
                "email": self.service_account,
                "email_verified": True,
                "sub": "local-pubsub",
                "iat": now,
                "exp": now + 3600,
            },
            self._key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )
