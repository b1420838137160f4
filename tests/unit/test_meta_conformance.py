"""Conformance: the shared Meta payload files (real captures, documented and third-party samples)
parse into sensible events, and the raw captures verify on their exact bytes.

The files are read in place from `<repo parent>/shared/data/payloads/` and never copied into the
project; expectations below are derived from each file's own structure, not from its text.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from mentiondesk.channels import meta
from mentiondesk.errors import MalformedPayload, SignatureInvalid
from mentiondesk.models import IgnoredEvent, InboundEvent, InboundMessage, MessageDeletion, MessageEdit

pytestmark = pytest.mark.unit

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "data" / "payloads"
if not PAYLOADS.is_dir():
    pytest.skip(f"shared Meta payloads not present at {PAYLOADS}", allow_module_level=True)

SECRET = "conformance-app-secret"
ISO_MS_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


@dataclass(frozen=True)
class Expect:
    labels: tuple[str, ...]  # what each event becomes, in order (see `label`)
    why: str  # where the file comes from and why it is treated this way
    wrap_object: str | None = None  # the `object` a wrapper-less file was routed under by its source


EXPECTED: dict[str, Expect] = {
    "meta_ig_comments.captured.json": Expect(
        ("message:comment",), "a production Instagram comment delivery, pretty-printed: a real body"
    ),
    "meta_ig_comments.captured.raw.txt": Expect(
        ("message:comment",), "the same production body byte for byte as Meta sent it (spaced JSON): signed and parsed"
    ),
    "meta_ig_comments_reply.composed.json": Expect(
        ("message:comment",), "composed from Meta's documented comment shape with `parent_id`: a reply"
    ),
    "meta_ig_mentions.composed.json": Expect(
        ("message:mention",), "composed from Meta's documented mentions shape: ids only, no text or author"
    ),
    "meta_ig_messaging_story_mention.chatwoot_fixture.json": Expect(
        ("message:mention",),
        "chatwoot's test factory for the Instagram events job: the `entry` list its webhook controller hands on "
        "after routing `object: instagram`, so the envelope's `object` is missing; it also writes `time` and "
        "`timestamp` as ISO strings where Meta sends epoch numbers",
        wrap_object="instagram",
    ),
    "meta_ig_messaging_text.chatwoot_fixture.json": Expect(
        ("message:dm",), "chatwoot's job argument as above (no `object`, ISO times)", wrap_object="instagram"
    ),
    "meta_ig_messaging_unsend.chatwoot_fixture.json": Expect(
        ("deletion:unsent",), "chatwoot's job argument as above (no `object`, ISO times)", wrap_object="instagram"
    ),
    "meta_ig_messaging_text.composed.json": Expect(
        ("message:dm",), "composed from Meta's documented Instagram messaging shape (entry.time in ms)"
    ),
    "meta_messenger_delivery.fbmessenger_hs.json": Expect(
        ("ignored:delivery",), "a whole Messenger body from the Haskell fbmessenger samples (placeholder ids)"
    ),
    "meta_messenger_message_image.fbmessenger_hs.json": Expect(
        ("message:dm",), "a whole Messenger body (fbmessenger samples); the image URL is a placeholder"
    ),
    "meta_messenger_message_text.fbmessenger_hs.json": Expect(
        ("message:dm",), "a whole Messenger body (fbmessenger samples)"
    ),
    "meta_messenger_postback.fbmessenger_hs.json": Expect(
        ("ignored:postback",), "a whole Messenger body (fbmessenger samples): a button press, not a message"
    ),
    "meta_page_feed_comment.composed.json": Expect(
        ("message:comment",), "composed from Meta's documented Page feed comment shape; parent_id == post_id"
    ),
    "meta_vector_ja_escaped_body.raw.txt": Expect(
        ("message:comment",), "the signature vector body: compact JSON, Japanese escaped as \\u sequences"
    ),
}


def payload_files() -> list[str]:
    return sorted(p.name for p in (*PAYLOADS.glob("meta_*.json"), *PAYLOADS.glob("meta_*.raw.txt")))


def label(event: InboundEvent) -> str:
    if isinstance(event, InboundMessage):
        return f"message:{event.kind}"
    if isinstance(event, MessageEdit):
        return "edit"
    if isinstance(event, MessageDeletion):
        return f"deletion:{event.reason}"
    if isinstance(event, IgnoredEvent):
        return f"ignored:{event.kind}"
    return type(event).__name__


def body_of(name: str) -> Any:
    """The delivery body a file holds, wrapped in its `object` when its source had stripped it."""
    data = json.loads((PAYLOADS / name).read_bytes())
    expect = EXPECTED.get(name)
    if expect is not None and expect.wrap_object is not None:
        assert "object" not in data, f"{name} now carries `object`: revisit its expectation"
        return {"object": expect.wrap_object, **data}
    return data


def documented_vectors() -> dict[str, str]:
    """`file -> X-Hub-Signature-256` rows of VERIFICATION.md (self-computed, app secret "test")."""
    doc = PAYLOADS / "VERIFICATION.md"
    if not doc.is_file():
        return {}
    rows = re.finditer(r"^\|\s*`(meta_[^`]+\.raw\.txt)`[^|]*\|\s*`(sha256=[0-9a-f]{64})`", doc.read_text(), re.M)
    return {row[1]: row[2] for row in rows}


def test_there_are_meta_files_and_each_one_was_looked_at() -> None:
    # Given the shared directory / When listing its Meta files / Then each has an expectation
    names = payload_files()
    assert names, "no meta_* files in the shared payloads"
    unknown = sorted(set(names) - set(EXPECTED))
    assert not unknown, f"new payload files to look at and describe in EXPECTED: {unknown}"


@pytest.mark.parametrize("name", payload_files())
def test_file_parses_into_sensible_events(name: str) -> None:
    # Given one shared payload file (a real body or a body rebuilt as its source received it)
    body = body_of(name)
    expect = EXPECTED.get(name, Expect((), "unknown file"))
    platform = {"instagram": "instagram", "page": "facebook"}[body["object"]]
    # When
    events = meta.parse_delivery(body)
    # Then the events are the ones expected, on the right platform and account
    if name in EXPECTED:
        assert tuple(label(e) for e in events) == expect.labels, expect.why
    items = [
        (entry, item)
        for entry in body["entry"]
        for item in (*entry.get("changes", []), *entry.get("messaging", []), *entry.get("standby", []))
    ]
    assert len(events) == len(items)
    for event, (entry, item) in zip(events, items, strict=True):
        assert event.platform == platform
        assert event.account_id == str(entry["id"])
        if isinstance(event, InboundMessage | MessageEdit | MessageDeletion):
            assert event.native_id in native_ids(item)
        if isinstance(event, InboundMessage):
            check_message(event, item)


def native_ids(item: dict[str, Any]) -> set[str]:
    """Ids a change or messaging item offers for its message, read straight from the file."""
    value = item.get("value") if "field" in item else item
    assert isinstance(value, dict)
    found = {value.get(key) for key in ("id", "comment_id", "media_id")}
    for key in ("message", "message_edit"):
        if isinstance(value.get(key), dict):
            found.add(value[key].get("mid"))
    return {str(i) for i in found if i}


def check_message(event: InboundMessage, item: dict[str, Any]) -> None:
    assert ISO_MS_Z.fullmatch(event.created_at)
    # Seconds read as ms (1970) or ms as seconds (year 50000+) would fall outside this window.
    assert 2010 <= datetime.fromisoformat(event.created_at).year <= 2100
    value = item.get("value") if "field" in item else item
    assert isinstance(value, dict)
    if "field" not in item:  # a DM: the customer's id is the conversation and the author
        assert event.conversation_id == event.author.platform_user_id == value["sender"]["id"]
        assert event.text == value["message"].get("text", "")
        urls = [a["payload"]["url"] for a in value["message"].get("attachments", [])]
        assert [m.url for m in event.media] == urls
    elif item["field"] == "feed":
        assert event.conversation_id == value["post_id"]
        assert event.text == value.get("message", "")
        assert event.author.platform_user_id == value["from"]["id"]
        parent = value.get("parent_id")
        assert event.reply_to == (parent if parent != value["post_id"] else None)
    elif item["field"] == "mentions":
        assert event.conversation_id == value["media_id"]
    else:
        assert event.conversation_id == value["media"]["id"]
        assert event.text == value.get("text", "")
        assert event.author.platform_user_id == value["from"]["id"]
        assert event.author.handle == value["from"].get("username")
        assert event.reply_to == value.get("parent_id")


@pytest.mark.parametrize("name", [n for n in payload_files() if EXPECTED.get(n, Expect((), "")).wrap_object])
def test_wrapper_less_file_is_not_accepted_as_sent(name: str) -> None:
    # Given a file whose source stripped the envelope's `object` / When posted as is
    data = json.loads((PAYLOADS / name).read_bytes())
    # Then it is not a Meta delivery: quarantined, not guessed
    with pytest.raises(MalformedPayload):
        meta.parse_delivery(data)


RAW_FILES = [n for n in payload_files() if n.endswith(".raw.txt")]


@pytest.mark.parametrize("name", RAW_FILES)
def test_raw_capture_verifies_on_its_exact_bytes(name: str) -> None:
    # Given the bytes exactly as captured and a signature we compute over them
    raw = (PAYLOADS / name).read_bytes()
    header = meta.sign(SECRET, raw)
    # When / Then they verify, and parse
    meta.verify_signature(SECRET, raw, header)
    assert meta.parse_delivery(json.loads(raw))
    # And Meta's escaping holds: the wire bytes are ASCII
    assert raw.isascii()
    # And any re-serialisation of the same JSON fails
    parsed = json.loads(raw)
    for again in (
        json.dumps(parsed).encode(),
        json.dumps(parsed, separators=(",", ":")).encode(),
        json.dumps(parsed, ensure_ascii=False).encode(),
    ):
        if again != raw:
            with pytest.raises(SignatureInvalid):
                meta.verify_signature(SECRET, again, header)
    # And a flipped byte fails
    with pytest.raises(SignatureInvalid):
        meta.verify_signature(SECRET, raw[:-1] + bytes([raw[-1] ^ 1]), header)


@pytest.mark.parametrize("name", RAW_FILES)
def test_raw_capture_matches_the_documented_vector(name: str) -> None:
    # Given VERIFICATION.md's self-computed header for this file (app secret "test")
    vectors = documented_vectors()
    if name not in vectors:
        pytest.skip(f"VERIFICATION.md documents no vector for {name}")
    raw = (PAYLOADS / name).read_bytes()
    # When / Then
    assert meta.sign("test", raw) == vectors[name]
    meta.verify_signature("test", raw, vectors[name])


def test_captured_raw_body_and_its_pretty_copy_give_the_same_events() -> None:
    # Given the production capture in both forms (raw bytes, pretty-printed)
    raw, pretty = PAYLOADS / "meta_ig_comments.captured.raw.txt", PAYLOADS / "meta_ig_comments.captured.json"
    if not (raw.is_file() and pretty.is_file()):
        pytest.skip("the production capture pair is not present")
    # When / Then
    assert meta.parse_delivery(json.loads(raw.read_bytes())) == meta.parse_delivery(json.loads(pretty.read_bytes()))


def test_escaped_japanese_vector_unescapes_to_japanese_text() -> None:
    # Given the compact body with Japanese escaped as \u sequences
    path = PAYLOADS / "meta_vector_ja_escaped_body.raw.txt"
    if not path.is_file():
        pytest.skip("the Japanese vector body is not present")
    raw = path.read_bytes()
    # When
    event = meta.parse_delivery(json.loads(raw))[0]
    # Then the wire form is escaped while the parsed text is not
    assert b"\\u" in raw
    assert isinstance(event, InboundMessage)
    assert not event.text.isascii()
