"""The local HTTP API: template.yaml's HttpApi routes served as API Gateway v2 (payload 2.0) events,
the JWT authorizer emulated, plus the local-only routes (dev login, fake platforms, outbound log)."""

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mentiondesk.local.auth import AuthorizerError, DevAuth, as_gateway_claims
from mentiondesk.local.fake_meta import FakeMetaGraph
from mentiondesk.local.fake_x import FakeXApi
from mentiondesk.local.runtime import InvocationError, LambdaRuntime
from mentiondesk.local.template import ACCOUNT, Route
from mentiondesk.observability import logger

MAX_PAYLOAD = 10 * 1024 * 1024  # HTTP API's own request limit
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
)


class FakePlatforms:
    """Stand-ins for the X, Meta and Google APIs: record every outbound call and answer like the platform.

    X and Meta are served by FakeXApi and FakeMetaGraph (reads, and the writes a reply needs); this class
    serves the Business Profile API's reviews (`GET /v4/{review}`, `PUT /v4/{review}/reply`) and Slack's
    incoming webhooks. `calls` records every write to any of them and every request this class answers.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.calls: list[dict[str, Any]] = []
        self.google_reviews: dict[str, dict[str, Any]] = {}  # what the fake Business Profile API serves
        self.google_replies: list[dict[str, Any]] = []  # every review reply it accepted, in order
        self.x_api = FakeXApi()  # X API v2 reads for the pollers, and posts, DMs and hides for send_reply
        self.meta_graph = FakeMetaGraph()  # Instagram mention content and senders; comment replies, DMs, hides
        self._clock = clock
        self._lock = threading.Lock()
        self.x_api.on_write = lambda method, path, body: self._record("x", method, path, body)
        self.meta_graph.on_write = lambda method, path, body: self._record("meta", method, path, body)

    def _record(self, provider: str, method: str, path: str, body: bytes) -> None:
        parsed: Any
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            text = body.decode("utf-8", errors="replace")
            form = dict(parse_qsl(text, keep_blank_values=True)) if provider == "meta" else {}
            parsed = form or text
        if isinstance(parsed, dict):
            parsed = {k: v for k, v in parsed.items() if k != "access_token"}  # Graph also takes it in the body
        call_id = str(int(time.time() * 1000)) + uuid.uuid4().hex[:6]
        with self._lock:
            self.calls.append(
                {
                    "id": call_id,
                    "provider": provider,
                    "method": method,
                    "path": path,
                    "body": parsed,
                    "at": datetime.now(UTC).isoformat(),
                }
            )

    def handle(self, method: str, provider: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """What the fakes FakeXApi and FakeMetaGraph did not answer."""
        self._record(provider, method, path, body)
        if provider == "google":
            return self._google(method, path, body)
        if provider == "x":
            return 404, {"title": "Not Found Error", "type": "about:blank", "status": 404, "detail": "Not Found"}
        if provider == "meta":
            message = f"Unsupported {method.lower()} request."
            return 400, {"error": {"message": message, "type": "GraphMethodException", "code": 100}}
        if provider == "slack":
            # Slack answers 404 no_service for a webhook that was removed; "/revoked/" stands for one.
            return (404, {"error": "no_service"}) if "/revoked/" in path else (200, {"ok": True})
        return 200, {"name": f"{path.rstrip('/')}/{int(time.time() * 1000)}"}

    # -- the Business Profile API (My Business v4 reviews) ------------------------------------------

    def _google(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        name = path.removeprefix("/v4/")
        if method == "GET" and path.startswith("/v4/"):
            with self._lock:
                review = self.google_reviews.get(name)
                return (200, dict(review)) if review else _google_error(404, "NOT_FOUND", _NOT_FOUND)
        if method in ("PUT", "DELETE") and path.startswith("/v4/") and name.endswith("/reply"):
            return self._google_reply(method, name.removesuffix("/reply"), body)
        return _google_error(404, "NOT_FOUND", "The requested URL was not found on this server.")

    def _google_reply(self, method: str, name: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """`accounts.locations.reviews.updateReply` (PUT: creates or replaces the one reply) and deleteReply."""
        with self._lock:
            review = self.google_reviews.get(name)
            if review is None:
                return _google_error(404, "NOT_FOUND", _NOT_FOUND)
            if method == "DELETE":
                review.pop("reviewReply", None)
                return 200, {}
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            comment = parsed.get("comment") if isinstance(parsed, dict) else None
            if not isinstance(comment, str) or not comment.strip():
                return _google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
            if len(comment.encode("utf-8")) > GOOGLE_REPLY_MAX_BYTES:
                return _google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
            now = datetime.fromtimestamp(self._clock(), tz=UTC)
            reply = {"comment": comment, "updateTime": now.isoformat(timespec="microseconds").replace("+00:00", "Z")}
            review["reviewReply"] = reply  # served with the review, as Google does
            self.google_replies.append({"review": name, **reply, "at": now.isoformat()})
            return 200, dict(reply)


GOOGLE_REPLY_MAX_BYTES = 4096  # the documented limit of a review reply's comment
_NOT_FOUND = "Requested entity was not found."


def _google_error(status: int, kind: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message, "status": kind}}


class Gateway:
    """Matches template routes, builds events, runs the authorizer, invokes the real handlers."""

    def __init__(self, routes: list[Route], runtime: LambdaRuntime, auth: DevAuth, fakes: FakePlatforms) -> None:
        self.routes = [(r, r.pattern()) for r in routes]
        self.runtime = runtime
        self.auth = auth
        self.fakes = fakes
        self.force_base64 = False  # tests flip this to see API Gateway's other body encoding
        self.local_routes: dict[tuple[str, str], Callable[[bytes], tuple[int, Any]]] = {
            ("POST", "/auth/dev-login"): self._dev_login,
            ("GET", "/_local/outbound"): lambda _b: (200, {"items": list(self.fakes.calls)}),
        }

    def _dev_login(self, body: bytes) -> tuple[int, Any]:
        try:
            email = json.loads(body or b"{}").get("email", "")
        except (ValueError, AttributeError):
            return 400, {"message": 'send {"email": ...}'}
        if not isinstance(email, str) or not email:
            return 400, {"message": "email is required"}
        try:
            return 200, {"token": self.auth.issue(email)}
        except KeyError:
            return 401, {"message": "no such demo user"}

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, pattern in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    def build_event(
        self,
        route: Route,
        params: dict[str, str],
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str,
        claims: dict[str, Any] | None,
    ) -> dict[str, Any]:
        split = urlsplit(target)
        joined: dict[str, str] = {}
        for name, value in headers:
            key = name.lower()
            joined[key] = f"{joined[key]},{value}" if key in joined else value
        query: dict[str, str] = {}
        for name, value in parse_qsl(split.query, keep_blank_values=True):
            query[name] = f"{query[name]},{value}" if name in query else value
        content_type = joined.get("content-type", "")
        is_text = content_type.startswith(_TEXT_TYPES) or not content_type
        try:
            text_body = body.decode("utf-8") if is_text and not self.force_base64 else None
        except UnicodeDecodeError:
            text_body = None
        now = datetime.now(UTC)
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": unquote(split.path),  # decoded, as HTTP APIs hand it to Lambda
            "rawQueryString": split.query,
            "headers": joined,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "domainName": joined.get("host", "localhost"),
                "domainPrefix": "local",
                "requestId": uuid.uuid4().hex,
                "routeKey": f"{route.method} {route.path}",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
                "http": {
                    "method": method,
                    "path": unquote(split.path),
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": joined.get("user-agent", ""),
                },
            },
            "isBase64Encoded": text_body is None and bool(body),
        }
        if "cookie" in joined:
            event["cookies"] = [c.strip() for c in joined["cookie"].split(";")]
        if query:
            event["queryStringParameters"] = query
        if params:
            event["pathParameters"] = params
        if body:
            event["body"] = text_body if text_body is not None else base64.b64encode(body).decode()
        if claims is not None:
            event["requestContext"]["authorizer"] = {
                "jwt": {
                    "claims": as_gateway_claims(claims),
                    "scopes": str(claims.get("scope", "")).split() or None,
                }
            }
        return event

    def dispatch(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(target).path
        local = self.local_routes.get((method, path))
        if local:
            status, answer = local(body)
            return _json(status, answer)
        if path.startswith("/_fake/"):
            provider, _, rest = path.removeprefix("/_fake/").partition("/")
            if provider in ("x", "meta"):
                query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
                lowered = {k.lower(): v for k, v in headers}
                if provider == "x":  # reads, and the OAuth 2.0 token endpoint (a form POST)
                    read = self.fakes.x_api.handle(method, "/" + rest, query, lowered, body=body)
                else:
                    read = self.fakes.meta_graph.handle(method, "/" + rest, query, lowered, body=body)
                if read is not None:
                    status, answer, extra = read
                    status, response_headers, payload = _json(status, answer)
                    return status, {**response_headers, **extra}, payload
            status, answer = self.fakes.handle(method, provider, "/" + rest, body)
            return _json(status, answer)
        found = self.match(method, unquote(path))  # HTTP APIs route on the decoded path
        if found is None:
            return _json(404, {"message": "Not Found"})
        route, params = found
        claims = None
        if route.authorized:
            authorization = next((v for k, v in headers if k.lower() == "authorization"), None)
            try:
                claims = self.auth.verify(authorization)
            except AuthorizerError:
                return _json(401, {"message": "Unauthorized"})
        event = self.build_event(route, params, method, target, headers, body, source_ip, claims)
        try:
            result = self.runtime.invoke(route.function, event)
        except InvocationError as error:
            logger.error(
                "handler failed",
                extra={"function": route.function, "error_type": error.payload.get("errorType")},
            )
            return _json(500, {"message": "Internal Server Error"})
        return _to_http(result)


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()


def _to_http(result: Any) -> tuple[int, dict[str, str], bytes]:
    """Lambda's answer as API Gateway turns it into HTTP (payload format 2.0 rules)."""
    if isinstance(result, dict) and "statusCode" in result:
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        for cookie in result.get("cookies") or []:
            headers["set-cookie"] = cookie
        return int(result["statusCode"]), headers, data
    return _json(200, result)


def make_server(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "mentiondesk-local"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_PAYLOAD:
                status, headers, data = _json(413, {"message": "Request Entity Too Large"})
                self.close_connection = True
            else:
                body = self.rfile.read(length) if length else b""
                status, headers, data = gateway.dispatch(
                    self.command, self.path, list(self.headers.items()), body, self.client_address[0]
                )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve
        # API Gateway answers any other method too (no route: 404), never the stdlib's 501.
        do_TRACE = do_QUERY = do_CONNECT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
