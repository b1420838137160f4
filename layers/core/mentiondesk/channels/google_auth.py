"""OAuth access tokens for the Business Profile API from a service-account key (JWT bearer grant).

Imported only by webhook_google, lazily: it needs pyjwt's crypto backend.
"""

import threading
import time
from typing import Any

import jwt
import requests

from mentiondesk.channels.google import GoogleApiError

SCOPE = "https://www.googleapis.com/auth/business.manage"


class ServiceAccountTokens:
    """Exchanges a signed assertion for an access token and keeps it until shortly before expiry."""

    def __init__(self, key: dict[str, Any], session: Any = None, scope: str = SCOPE, timeout: float = 5.0) -> None:
        missing = {"client_email", "private_key", "token_uri"} - set(key)
        if missing:
            raise ValueError(f"service-account key lacks {sorted(missing)}")
        self.key = key
        self.session = session or requests.Session()
        self.scope = scope
        self.timeout = timeout
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._expires - 60:
                self._token, self._expires = self._fetch()
            return self._token

    def _fetch(self) -> tuple[str, float]:
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": self.key["client_email"],
                "scope": self.scope,
                "aud": self.key["token_uri"],
                "iat": now,
                "exp": now + 3600,
            },
            self.key["private_key"],
            algorithm="RS256",
            headers={"kid": self.key.get("private_key_id", "")},
        )
        try:
            response = self.session.post(
                self.key["token_uri"],
                timeout=self.timeout,
                data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            )
        except requests.RequestException as error:
            raise GoogleApiError(f"token endpoint unreachable: {type(error).__name__}") from error
        if response.status_code != 200:
            raise GoogleApiError("token endpoint refused the service account", status=response.status_code)
        body = response.json()
        return str(body["access_token"]), now + float(body.get("expires_in", 3600))
