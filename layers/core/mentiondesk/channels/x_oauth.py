"""X OAuth 2.0 user context for reading an account's DMs: each account's rotating token pair, where it is
kept (SSM SecureString), and the refresh grant at `POST /2/oauth2/token`.

X's refresh tokens are single-use: a refresh answers a new pair and the old refresh token stops working,
so the new pair is saved before anyone uses it. Tokens never go into logs or exception messages.
"""

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from mentiondesk.channels.x_api import RATE_WINDOW_SECONDS, RateLimit, XApiError, XApiRefused, XRateLimited

OAUTH2_URL = "https://api.x.com/2/oauth2/token"
ACCESS_TOKEN_SECONDS = 7200  # X: an access token lives two hours (used when an answer omits expires_in)

_DIGITS = re.compile(r"[0-9]{1,20}")


@dataclass(frozen=True)
class TokenSet:
    """One account's OAuth 2.0 user tokens (repr leaves the tokens out)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int  # epoch seconds when the access token stops working


class TokenVault(Protocol):
    def load(self, account_id: str) -> TokenSet | None: ...

    def save(self, account_id: str, tokens: TokenSet) -> None: ...


class SsmTokenVault:
    """One SSM SecureString parameter per account, `{prefix}/{account_id}`, holding the TokenSet as JSON."""

    def __init__(self, client: Any, prefix: str) -> None:
        if not prefix.startswith("/"):
            raise ValueError("the parameter prefix must start with /")
        self._client = client  # a boto3 SSM client
        self._prefix = prefix.rstrip("/")

    def load(self, account_id: str) -> TokenSet | None:
        """The stored tokens; None when there are none, or when the value is unreadable (reconnect)."""
        from botocore.exceptions import ClientError

        try:
            answer = self._client.get_parameter(Name=self._name(account_id), WithDecryption=True)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
                return None
            raise
        try:
            stored = json.loads(answer["Parameter"]["Value"])
            tokens = TokenSet(
                access_token=stored["access_token"],
                refresh_token=stored["refresh_token"],
                expires_at=stored["expires_at"],
            )
        except (ValueError, TypeError, KeyError):
            return None
        usable = isinstance(tokens.expires_at, int) and not isinstance(tokens.expires_at, bool)
        if not usable or not all(isinstance(t, str) and t for t in (tokens.access_token, tokens.refresh_token)):
            return None
        return tokens

    def save(self, account_id: str, tokens: TokenSet) -> None:
        value = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at,
        }
        self._client.put_parameter(
            Name=self._name(account_id), Value=json.dumps(value), Type="SecureString", Overwrite=True
        )

    def _name(self, account_id: str) -> str:
        if not isinstance(account_id, str) or not _DIGITS.fullmatch(account_id):
            raise XApiRefused("the account id is not an X id", 400)  # it becomes part of the parameter name
        return f"{self._prefix}/{account_id}"


class XOAuthClient:
    """The refresh grant of X's OAuth 2.0 token endpoint. With a client secret the app is a confidential
    client and authenticates with HTTP Basic (client_id:client_secret); client_id is sent in the form
    either way (public clients need it there)."""

    def __init__(
        self,
        client_id: Callable[[], str],
        client_secret: Callable[[], str],
        *,
        token_url: str = OAUTH2_URL,
        session: Any = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._session = session
        self._timeout = timeout
        self._clock = clock

    def refresh(self, refresh_token: str) -> TokenSet:
        """A new token pair for `refresh_token`, which stops working. XApiRefused when X refuses the grant
        (400/401: revoked, already used, wrong client); XApiError on 5xx, time-outs and unreadable answers."""
        import requests

        client_id = self._client_id().strip()
        if not client_id:
            raise XApiRefused("the X app's OAuth 2.0 client id is not set", 401, "missing_client")
        if not refresh_token.strip():
            raise XApiRefused("no X refresh token was given", 400, "missing_token")
        session = self._session if self._session is not None else requests.Session()
        self._session = session
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        secret = self._client_secret().strip()
        if secret:
            credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {credentials}"
        form = urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id})
        try:
            response = session.post(self._token_url, data=form.encode(), headers=headers, timeout=self._timeout)
        except requests.Timeout as error:
            raise XApiError("the X token endpoint timed out") from error
        except requests.RequestException as error:
            raise XApiError("the X token endpoint could not be reached") from error
        status = int(response.status_code)
        if status == 200:
            return self._tokens(response, refresh_token)
        if status == 429:
            rate = RateLimit.from_headers(getattr(response, "headers", None) or {})
            reset = rate.reset if rate is not None and rate.reset is not None else None
            raise XRateLimited(reset if reset is not None else int(self._clock()) + RATE_WINDOW_SECONDS, rate)
        problem = _oauth_error(response)
        if 400 <= status < 500:
            raise XApiRefused(f"X refused the token refresh (HTTP {status})", status, problem)
        raise XApiError(f"the X token endpoint answered HTTP {status}", status, problem)

    def _tokens(self, response: Any, used: str) -> TokenSet:
        try:
            body = response.json()
        except ValueError as error:
            raise XApiError("the X token endpoint answered something that is not JSON", 200) from error
        access = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(access, str) or not access:
            raise XApiError("the X token endpoint's answer carries no access token", 200)
        rotated = body.get("refresh_token")
        expires_in = body.get("expires_in")
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
            expires_in = ACCESS_TOKEN_SECONDS
        return TokenSet(
            access_token=access,
            # RFC 6749 §6: when no new refresh token is issued, the one just used stays the one to use.
            refresh_token=rotated if isinstance(rotated, str) and rotated else used,
            expires_at=int(self._clock()) + expires_in,
        )


def _oauth_error(response: Any) -> str | None:
    """The OAuth `error` code of a refusal; never its description."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) and error else None


class XUserTokens:
    """A valid user access token per account: the stored one while it has `margin` seconds left, else a
    refreshed one (the rotated pair saved first)."""

    def __init__(
        self, vault: TokenVault, oauth: XOAuthClient, clock: Callable[[], float] = time.time, margin: int = 120
    ) -> None:
        self._vault = vault
        self._oauth = oauth
        self._clock = clock
        self._margin = margin

    def access_token(self, account_id: str) -> str:
        """An access token for `account_id` valid for at least `margin` seconds; XApiRefused when the
        account has no tokens or X refuses the refresh (an admin must connect the account again)."""
        tokens = self._vault.load(account_id)
        if tokens is None:
            raise XApiRefused("no X user token for this account", 401, "not_connected")
        if self._fresh(tokens):
            return tokens.access_token
        try:
            rotated = self._oauth.refresh(tokens.refresh_token)
        except XApiRefused:
            # Another poller may have spent the same refresh token a moment earlier and saved its pair.
            current = self._vault.load(account_id)
            if current is not None and current.refresh_token != tokens.refresh_token and self._fresh(current):
                return current.access_token
            raise
        self._vault.save(account_id, rotated)  # before use: the old refresh token is already spent
        return rotated.access_token

    def connect(self, account_id: str, refresh_token: str, me: Callable[[str], str]) -> None:
        """Take over an account from a refresh token an admin hands over: refresh once, check with `me`
        (GET /2/users/me) that the tokens are `account_id`'s, then save them. Nothing is saved on refusal."""
        if not isinstance(account_id, str) or not _DIGITS.fullmatch(account_id):
            raise XApiRefused("the account id is not an X id", 400)
        tokens = self._oauth.refresh(refresh_token)
        if me(tokens.access_token) != account_id:
            raise XApiRefused("the token belongs to another X account", 403, "wrong_account")
        self._vault.save(account_id, tokens)

    def _fresh(self, tokens: TokenSet) -> bool:
        return tokens.expires_at - self._margin > self._clock()
