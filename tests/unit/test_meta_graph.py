"""MetaGraphClient against the local FakeMetaGraph (through a tiny session adapter), and enrich_mentions.

Mention deliveries come from tests/events/meta/ (ours, in Meta's documented shapes), parsed by meta.parse_delivery.
"""

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from mentiondesk.channels import meta
from mentiondesk.channels.meta_graph import (
    COMMENT_FIELDS,
    MEDIA_FIELDS,
    MentionContent,
    MetaGraphClient,
    MetaGraphError,
    MetaGraphRefused,
    enrich_mentions,
)
from mentiondesk.local.fake_meta import FakeMetaGraph
from mentiondesk.models import Author, InboundEvent, InboundMessage, MediaRef

from tests.conftest import EVENTS

pytestmark = pytest.mark.unit

BASE = "https://graph.facebook.test/v26.0"
TOKEN = "EAAG-page-token-for-tests"
ACCOUNT = "17841455500000001"  # our IG account in ig_mentions.json and ig_mentions_mixed.json
OTHER_ACCOUNT = "17841455500000002"  # configured without a token in the mixed delivery
NOW = 1_795_485_000.0  # 2026-11-24T01:50:00Z

# ig_mentions.json: a mention in someone's comment, and one in a caption
COMMENT_MEDIA, COMMENT_ID, CAPTION_MEDIA = "18033300000000001", "17944400000000001", "18033300000000002"


def delivery(name: str) -> list[InboundEvent]:
    return meta.parse_delivery(json.loads((EVENTS / "meta" / name).read_text(encoding="utf-8")))


class FakeResponse:
    def __init__(self, status: int, body: Any, raw: str | None = None) -> None:
        self.status_code = status
        self._body = body
        self._raw = raw

    def json(self) -> Any:
        if self._raw is not None:
            return json.loads(self._raw)  # raises ValueError like requests does
        return self._body


class FakeGraphSession:
    """What MetaGraphClient needs of requests.Session, answered by the FakeMetaGraph in-process."""

    def __init__(self, graph: FakeMetaGraph) -> None:
        self.graph = graph
        self.requests: list[dict[str, Any]] = []

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> FakeResponse:
        self.requests.append({"url": url, "params": params, "headers": headers, "timeout": timeout})
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "https://graph.facebook.test"
        answer = self.graph.handle("GET", parts.path, {k: str(v) for k, v in params.items()}, headers)
        assert answer is not None, f"the fake does not serve {parts.path}"
        status, body, _headers = answer
        return FakeResponse(status, body)


class ScriptedSession:
    """Answers (or raises) exactly what a test scripts, for shapes the fake never produces."""

    def __init__(self, answer: FakeResponse | Exception) -> None:
        self.answer = answer
        self.calls = 0

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> FakeResponse:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def seeded_graph(**options: Any) -> FakeMetaGraph:
    """The fake with the content of both mentions in ig_mentions.json."""
    graph = FakeMetaGraph(clock=lambda: NOW, **options)
    graph.add_comment_mention(
        ACCOUNT,
        COMMENT_MEDIA,
        COMMENT_ID,
        "@ourbrand 昨日届いたケトル、電源ランプが点きません",
        "aoi.tanaka",
        from_id="5511000000000031",
        timestamp="2026-11-24T00:58:12+0000",
        permalink="https://www.instagram.com/p/DAbCdEfGhIj/",
    )
    graph.add_caption_mention(
        ACCOUNT,
        CAPTION_MEDIA,
        "Unboxing my new kettle from @ourbrand, the lid hinge feels loose already",
        "sam.makes.tea",
        media_url="https://scontent.cdninstagram.com/fake/kettle.jpg",
        timestamp="2026-11-24T00:55:00+0000",
        permalink="https://www.instagram.com/p/DAkLmNoPqRs/",
    )
    return graph


def client_for(graph: FakeMetaGraph, tokens: dict[str, str] | None = None) -> tuple[MetaGraphClient, FakeGraphSession]:
    session = FakeGraphSession(graph)
    known = {ACCOUNT: TOKEN} if tokens is None else tokens
    return MetaGraphClient(known.get, base_url=BASE, session=session, timeout=2.5), session


def scripted(answer: FakeResponse | Exception) -> tuple[MetaGraphClient, ScriptedSession]:
    session = ScriptedSession(answer)
    return MetaGraphClient(lambda _account: TOKEN, base_url=BASE, session=session), session


def graph_error(code: int, **extra: Any) -> dict[str, Any]:
    return {"error": {"message": f"(#{code}) refused", "type": "OAuthException", "code": code, **extra}}


# -- the client ----------------------------------------------------------------------------------


def test_comment_mention_is_read_through_mentioned_comment() -> None:
    # Given the fake knows the comment that mentions our account
    client, session = client_for(seeded_graph())
    # When
    content = client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    # Then the comment's text, its author and the post's link come back
    assert content == MentionContent(
        text="@ourbrand 昨日届いたケトル、電源ランプが点きません",
        author_id="5511000000000031",
        username="aoi.tanaka",
        created_at="2026-11-24T00:58:12.000Z",
        url="https://www.instagram.com/p/DAbCdEfGhIj/",
        media=(),
    )
    # And one GET on our IG user node asked for exactly that comment, the token in a header only
    (sent,) = session.requests
    assert sent["url"] == f"{BASE}/{ACCOUNT}"
    assert sent["params"] == {"fields": f"mentioned_comment.comment_id({COMMENT_ID}){{{COMMENT_FIELDS}}}"}
    assert sent["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in json.dumps(sent["params"]) and TOKEN not in sent["url"]
    assert sent["timeout"] == 2.5


def test_caption_mention_is_read_through_mentioned_media() -> None:
    # Given
    client, session = client_for(seeded_graph())
    # When
    content = client.mention_content(ACCOUNT, CAPTION_MEDIA, None)
    # Then the caption, the poster's username, the post's link and its picture come back
    assert content == MentionContent(
        text="Unboxing my new kettle from @ourbrand, the lid hinge feels loose already",
        author_id=None,
        username="sam.makes.tea",
        created_at="2026-11-24T00:55:00.000Z",
        url="https://www.instagram.com/p/DAkLmNoPqRs/",
        media=(MediaRef(type="image", url="https://scontent.cdninstagram.com/fake/kettle.jpg"),),
    )
    assert session.requests[0]["params"] == {"fields": f"mentioned_media.media_id({CAPTION_MEDIA}){{{MEDIA_FIELDS}}}"}


def test_comment_without_from_keeps_the_username_only() -> None:
    # Given a mentioned comment Graph answers without `from` (no IG-scoped id for the commenter)
    graph = FakeMetaGraph(clock=lambda: NOW)
    graph.add_comment_mention(ACCOUNT, COMMENT_MEDIA, COMMENT_ID, "@ourbrand 返品の方法は？", "kenji_r")
    client, _ = client_for(graph)
    # When
    content = client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    # Then
    assert content is not None
    assert (content.author_id, content.username) == (None, "kenji_r")
    assert content.created_at == "2026-11-24T01:50:00.000Z"  # the fake's clock, in Graph's +0000 form
    assert content.url is not None and content.url.startswith("https://www.instagram.com/p/")


@pytest.mark.parametrize("token", [None, "", "   "])
def test_no_token_for_the_account_means_no_call(token: str | None) -> None:
    # Given no token is configured for the account
    session = ScriptedSession(AssertionError("no call expected"))
    client = MetaGraphClient(lambda _account: token, base_url=BASE, session=session)
    # When / Then
    assert client.mention_content(ACCOUNT, CAPTION_MEDIA, None) is None
    assert session.calls == 0


def test_expired_or_wrong_token_is_refused_without_the_token_in_the_error() -> None:
    # Given the fake only accepts the account's real token
    client, _ = client_for(seeded_graph(tokens={ACCOUNT: "EAAG-the-real-one"}))
    # When
    with pytest.raises(MetaGraphRefused) as caught:
        client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    # Then Graph's code 190 is kept for the caller, the token is not
    assert (caught.value.status, caught.value.code) == (400, 190)
    assert TOKEN not in str(caught.value)


def test_graph_code_190_at_401_is_refused() -> None:
    # Given Graph answers 401 with an OAuthException 190
    client, _ = scripted(FakeResponse(401, graph_error(190, error_subcode=463)))
    # When / Then
    with pytest.raises(MetaGraphRefused) as caught:
        client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    assert (caught.value.status, caught.value.code, caught.value.subcode) == (401, 190, 463)


def test_missing_permission_is_refused() -> None:
    client, _ = scripted(FakeResponse(403, graph_error(10)))
    with pytest.raises(MetaGraphRefused) as caught:
        client.mention_content(ACCOUNT, CAPTION_MEDIA, None)
    assert caught.value.code == 10


def test_a_mention_graph_does_not_know_is_refused() -> None:
    # Given a comment id the fake has no mention for
    client, _ = client_for(seeded_graph())
    # When / Then Graph's 400 #100 is a permanent refusal
    with pytest.raises(MetaGraphRefused) as caught:
        client.mention_content(ACCOUNT, COMMENT_MEDIA, "17944400000000999")
    assert (caught.value.status, caught.value.code) == (400, 100)


def test_an_answer_without_the_mentioned_node_is_refused() -> None:
    client, _ = scripted(FakeResponse(200, {"id": ACCOUNT}))
    with pytest.raises(MetaGraphRefused) as caught:
        client.mention_content(ACCOUNT, CAPTION_MEDIA, None)
    assert caught.value.status == 200


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(status: int) -> None:
    # Given the fake fails the next call
    graph = seeded_graph()
    graph.fail_next(status)
    client, _ = client_for(graph)
    # When / Then
    with pytest.raises(MetaGraphError) as caught:
        client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    assert caught.value.status == status
    # And the next call goes through: no retry happened inside
    assert client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID) is not None


@pytest.mark.parametrize(("status", "code"), [(400, 4), (403, 32), (400, 80002), (400, 17)])
def test_graph_throttling_is_transient_despite_its_4xx_status(status: int, code: int) -> None:
    graph = seeded_graph()
    graph.fail_next(status, code=code)
    client, _ = client_for(graph)
    with pytest.raises(MetaGraphError) as caught:
        client.mention_content(ACCOUNT, CAPTION_MEDIA, None)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_is_transient_flag_makes_an_error_transient() -> None:
    client, _ = scripted(FakeResponse(400, graph_error(1200, is_transient=True)))
    with pytest.raises(MetaGraphError):
        client.mention_content(ACCOUNT, CAPTION_MEDIA, None)


@pytest.mark.parametrize(
    "failure",
    [requests.Timeout("read timed out"), requests.ConnectionError("connection reset"), requests.exceptions.SSLError()],
)
def test_network_failures_are_transient(failure: Exception) -> None:
    client, _ = scripted(failure)
    with pytest.raises(MetaGraphError) as caught:
        client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    assert caught.value.status is None
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        FakeResponse(200, None, raw="<html>upstream hiccup</html>"),
        FakeResponse(400, None, raw="<html>Bad Request</html>"),
        FakeResponse(200, ["not", "an", "object"]),
    ],
)
def test_answers_that_are_not_a_json_object_are_transient(answer: FakeResponse) -> None:
    client, _ = scripted(answer)
    with pytest.raises(MetaGraphError) as caught:
        client.mention_content(ACCOUNT, CAPTION_MEDIA, None)
    assert caught.value.status == answer.status_code


@pytest.mark.parametrize(
    ("account_id", "media_id", "comment_id"),
    [
        ("1){id}&x=", CAPTION_MEDIA, None),
        (ACCOUNT, "18033300000000002){caption}", None),
        (ACCOUNT, COMMENT_MEDIA, "1,mentioned_media.media_id(2)"),
        ("", CAPTION_MEDIA, None),
        (ACCOUNT, "１８０３３", None),  # full-width digits are not ASCII digits
        (ACCOUNT, COMMENT_MEDIA, ""),
        ("../me", CAPTION_MEDIA, None),
    ],
)
def test_ids_that_are_not_digits_are_refused_without_a_call(
    account_id: str, media_id: str, comment_id: str | None
) -> None:
    # Given a session that must not be used and a token lookup that must not be asked
    session = ScriptedSession(AssertionError("no call expected"))
    asked: list[str] = []

    def token_for(account: str) -> str:
        asked.append(account)
        return TOKEN

    client = MetaGraphClient(token_for, base_url=BASE, session=session)
    # When / Then
    with pytest.raises(MetaGraphRefused) as caught:
        client.mention_content(account_id, media_id, comment_id)
    assert caught.value.status is None
    assert session.calls == 0 and asked == []


def test_links_that_are_not_https_are_dropped() -> None:
    # Given an answer whose permalink and media_url are not https links
    body = {
        "mentioned_media": {
            "id": CAPTION_MEDIA,
            "caption": "see @ourbrand",
            "permalink": "javascript:alert(1)",
            "media_url": "http://insecure.example/x.jpg",
            "media_type": "IMAGE",
            "timestamp": "not a time",
        },
        "id": ACCOUNT,
    }
    client, _ = scripted(FakeResponse(200, body))
    # When
    content = client.mention_content(ACCOUNT, CAPTION_MEDIA, None)
    # Then
    assert content is not None
    assert (content.url, content.media, content.created_at) == (None, (), None)


# -- enrich_mentions -----------------------------------------------------------------------------


def test_enrich_fills_in_both_mentions_of_the_fixture() -> None:
    # Given the id-only mentions of ig_mentions.json and a Graph that knows both
    events = delivery("ig_mentions.json")
    client, session = client_for(seeded_graph())
    # When
    enriched, counts = enrich_mentions(events, client)
    # Then
    assert counts == {"enriched": 2, "no_token": 0, "refused": 0}
    in_comment, in_caption = enriched
    assert isinstance(in_comment, InboundMessage) and isinstance(in_caption, InboundMessage)
    assert in_comment.text == "@ourbrand 昨日届いたケトル、電源ランプが点きません"
    assert in_comment.author == Author(platform_user_id="5511000000000031", handle="aoi.tanaka")
    assert in_comment.created_at == "2026-11-24T00:58:12.000Z"
    assert in_comment.url == "https://www.instagram.com/p/DAbCdEfGhIj/"
    # And a caption's author has no IG-scoped id: the username stands in for it
    assert in_caption.author == Author(platform_user_id="username:sam.makes.tea", handle="sam.makes.tea")
    assert in_caption.media == (MediaRef(type="image", url="https://scontent.cdninstagram.com/fake/kettle.jpg"),)
    # And the ids that make the message idempotent are untouched
    for before, after in zip(events, enriched, strict=True):
        assert isinstance(before, InboundMessage) and isinstance(after, InboundMessage)
        assert (after.platform, after.account_id, after.native_id, after.conversation_id, after.kind) == (
            before.platform,
            before.account_id,
            before.native_id,
            before.conversation_id,
            before.kind,
        )
    assert [r["params"]["fields"].split(".")[0] for r in session.requests] == ["mentioned_comment", "mentioned_media"]


def test_enrich_counts_missing_tokens_and_refusals_and_keeps_every_event() -> None:
    # Given a mixed delivery: a comment, a comment mention Graph knows, a caption mention it refuses,
    # a caption mention on an account without a token, and a story mention (which has its author)
    events = delivery("ig_mentions_mixed.json")
    graph = FakeMetaGraph(clock=lambda: NOW)
    graph.add_comment_mention(ACCOUNT, "18033300000000021", "17944400000000021", "@ourbrand 在庫はありますか", "rin.k")
    client, session = client_for(graph)
    refused: list[tuple[str, int | None]] = []
    # When
    enriched, counts = enrich_mentions(
        events, client, on_refused=lambda e, err: refused.append((e.native_id, err.code))
    )
    # Then
    assert counts == {"enriched": 1, "no_token": 1, "refused": 1}
    assert refused == [("18033300000000022", 100)]
    assert len(enriched) == len(events)
    comment, mention, refused_caption, no_token_caption, story = enriched
    assert comment is events[0] and story is events[4]  # not mentions waiting for content: untouched
    assert isinstance(mention, InboundMessage) and mention.author.handle == "rin.k"
    # And the mentions Graph did not fill in are kept as delivered, so nothing is lost
    assert refused_caption is events[2] and no_token_caption is events[3]
    # And only our account's two mentions cost a call
    assert len(session.requests) == 2


def test_enrich_lets_transient_errors_propagate() -> None:
    # Given Graph is down
    graph = seeded_graph()
    graph.fail_next(503)
    client, _ = client_for(graph)
    # When / Then the delivery fails as a whole, so the webhook answers 5xx and Meta redelivers
    with pytest.raises(MetaGraphError):
        enrich_mentions(delivery("ig_mentions.json"), client)


def test_enrich_leaves_mentions_that_already_carry_content() -> None:
    # Given a mention delivered with its text and author
    (event,) = delivery("ig_mentions.json")[:1]
    assert isinstance(event, InboundMessage)
    filled = event.model_copy(update={"text": "hello", "author": Author(platform_user_id="55")})
    client, session = client_for(seeded_graph())
    # When
    enriched, counts = enrich_mentions([filled], client)
    # Then
    assert enriched == [filled]
    assert counts == {"enriched": 0, "no_token": 0, "refused": 0}
    assert session.requests == []


# -- the fake itself -----------------------------------------------------------------------------


def test_fake_refuses_a_call_without_a_token() -> None:
    status, body, _ = seeded_graph().handle("GET", f"/v26.0/{ACCOUNT}", {"fields": "id"}, {}) or (0, {}, {})
    assert status == 401
    assert body["error"]["code"] == 190 and body["error"]["type"] == "OAuthException"


def test_fake_refuses_fields_the_node_does_not_have() -> None:
    fields = f"mentioned_media.media_id({CAPTION_MEDIA}){{caption,favourite_colour}}"
    answer = seeded_graph().handle("GET", f"/{ACCOUNT}", {"fields": fields, "access_token": TOKEN}, {})
    assert answer is not None
    status, body, _ = answer
    assert status == 400 and body["error"]["code"] == 100
    assert "nonexisting field (favourite_colour)" in body["error"]["message"]


def test_fake_answers_the_documented_defaults_and_records_no_token() -> None:
    graph = seeded_graph()
    fields = f"mentioned_comment.comment_id({COMMENT_ID})"
    answer = graph.handle("GET", f"/v26.0/{ACCOUNT}", {"fields": fields, "access_token": TOKEN}, {})
    assert answer is not None
    status, body, _ = answer
    assert status == 200
    assert body == {
        "mentioned_comment": {
            "id": COMMENT_ID,
            "text": "@ourbrand 昨日届いたケトル、電源ランプが点きません",
            "timestamp": "2026-11-24T00:58:12+0000",
        },
        "id": ACCOUNT,
    }
    assert graph.calls == [{"path": f"/v26.0/{ACCOUNT}", "query": {"fields": fields}}]


@pytest.mark.parametrize(
    ("method", "path"), [("POST", f"/v26.0/{ACCOUNT}"), ("GET", f"/v26.0/{ACCOUNT}/mentions"), ("GET", "/")]
)
def test_fake_serves_nothing_else(method: str, path: str) -> None:
    assert seeded_graph().handle(method, path, {}, {"Authorization": f"Bearer {TOKEN}"}) is None


def test_graph_refusing_the_richer_fields_falls_back_to_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a Graph that only accepts the fields its reference lists for these edges
    import mentiondesk.local.fake_meta as fake

    monkeypatch.setattr(fake, "_COMMENT_FIELDS", frozenset({"id", "text", "timestamp", "like_count", "media"}))
    graph = seeded_graph()
    client, session = client_for(graph)
    # When the comment mention is read
    content = client.mention_content(ACCOUNT, COMMENT_MEDIA, COMMENT_ID)
    # Then the second, documented request gives the text (the author stays unknown)
    assert len(session.requests) == 2 and "username" not in session.requests[1]["params"]["fields"]
    assert content is not None and content.text.startswith("@ourbrand 昨日届いた") and content.username is None


def test_a_missing_mention_is_not_asked_twice() -> None:
    client, session = client_for(seeded_graph())
    with pytest.raises(MetaGraphRefused):
        client.mention_content(ACCOUNT, COMMENT_MEDIA, "17944400000009999")
    assert len(session.requests) == 1


# -- DM senders: the User Profile APIs -------------------------------------------------------------


def test_instagram_and_messenger_sender_profiles() -> None:
    graph = FakeMetaGraph(clock=lambda: NOW)
    graph.add_sender(
        "6611000000000001", name="青木 凛", username="rin.aoki", follower_count=320, is_verified_user=False
    )
    graph.add_sender("7100000000000001", first_name="Emily", last_name="Carter")
    client, session = client_for(graph, {ACCOUNT: TOKEN, "104400000000001": TOKEN})
    ig = client.sender_profile(ACCOUNT, "instagram", "6611000000000001")
    assert ig is not None and (ig.name, ig.username, ig.followers, ig.verified) == ("青木 凛", "rin.aoki", 320, False)
    fb = client.sender_profile("104400000000001", "facebook", "7100000000000001")
    assert fb is not None and fb.name == "Emily Carter" and fb.username is None
    assert session.requests[1]["params"]["fields"] == "first_name,last_name"
    assert client.sender_profile("17841455500000009", "instagram", "6611000000000001") is None  # no token


def test_dm_senders_are_named_once_per_delivery_and_never_fail_the_delivery() -> None:
    from mentiondesk.channels.meta_graph import enrich_senders

    graph = FakeMetaGraph(clock=lambda: NOW)
    graph.add_sender("6611000000000001", name="青木 凛", username="rin.aoki")
    client, session = client_for(graph)
    events = delivery("ig_messaging.json")
    named, counts = enrich_senders(events, client, lambda _m: None)
    dms = [e for e in named if isinstance(e, InboundMessage) and e.kind == "dm"]
    first = [e for e in dms if e.author.platform_user_id == "6611000000000001"]
    assert first and all(e.author.handle == "rin.aoki" and e.author.display_name == "青木 凛" for e in first)
    # One call per sender per delivery; a sender Graph does not know (no consent yet) keeps the id
    assert counts["profile_fetched"] == 1 and len([r for r in session.requests if "6611000000000001" in r["url"]]) == 1
    assert all(e.author.platform_user_id for e in dms)


def test_a_known_customer_costs_no_graph_call() -> None:
    from mentiondesk.channels.meta_graph import enrich_senders
    from mentiondesk.models import Author

    client, session = client_for(FakeMetaGraph(clock=lambda: NOW))
    known = Author(platform_user_id="6611000000000001", handle="rin.aoki", display_name="青木 凛")
    named, counts = enrich_senders(delivery("ig_messaging.json"), client, lambda m: known)
    assert counts["profile_known"] >= 1 and session.requests == []
    assert any(isinstance(e, InboundMessage) and e.author.display_name == "青木 凛" for e in named)
