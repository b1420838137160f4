"""Unit tests for the reply composer's checks (``mentiondesk.replies.lint``).

The replies, names and handles here were written for these tests. The X length and URL cases
marked "twitter-text conformance" reproduce examples from twitter-text's published conformance
suite (validate.yml, extract.yml; Apache-2.0), so our counting agrees with X's own library.
"""

from __future__ import annotations

import json
import random
import time
import unicodedata
from typing import Any

import pytest
from mentiondesk.prices import X_PRICES
from mentiondesk.replies.lint import (
    CHECK_CODES,
    BrandPolicy,
    Check,
    LintContext,
    LintResult,
    RecentReply,
    extract_urls,
    lint,
    weighted_length,
)
from pydantic import ValidationError

pytestmark = pytest.mark.unit

ZWJ = "\u200d"
FAMILY_3 = f"👨{ZWJ}👩{ZWJ}👧"
FAMILY_4 = f"👨{ZWJ}👩{ZWJ}👧{ZWJ}👦"
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
NOW = "2026-11-10T09:00:00Z"

# A good reply in each language: addresses the customer, signed, no promotion, no personal data.
GOOD_JA = "山田様、ご不便をおかけし申し訳ございません。すぐに配送状況を確認いたします。担当：佐藤"
GOOD_EN = "Hi Tom, sorry for the trouble with your delivery. We're checking it with the courier now. ^Sato"


def _context(**changes: Any) -> LintContext:
    """A Japanese complaint on X answered in public by 佐藤 花子, unless changed."""
    fields: dict[str, Any] = {
        "platform": "x",
        "mode": "public",
        "language": "ja",
        "customer_id": "x:1001",
        "customer_name": "山田 太郎",
        "customer_handle": "yamada_taro",
        "agent_name": "佐藤 花子",
        "intent": "problem",
        "sentiment": "neutral",
        "urgency": "normal",
        "account_id": "900100",
        "account_handle": "brand_support",
        "now": NOW,
    }
    fields.update(changes)
    return LintContext(**fields)


def _english(**changes: Any) -> LintContext:
    fields: dict[str, Any] = {
        "language": "en",
        "customer_name": "Tom Baker",
        "customer_handle": "tbaker",
        "agent_name": "Sato Hanako",
    }
    fields.update(changes)
    return _context(**fields)


def _codes(result: LintResult) -> list[str]:
    return [check.code for check in result.checks]


def _check(result: LintResult, code: str) -> Check:
    found = [check for check in result.checks if check.code == code]
    assert len(found) == 1, (code, _codes(result))
    return found[0]


# --- X's weighted length ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("あ" * 140, 280),
        ("あ" * 141, 282),
        ("a" * 280, 280),
        ("ご確認ありがとうございます", 26),
        ("Thanks!", 7),
        ("A\u0301B", 2),  # NFC first: A + combining acute is one character (twitter-text conformance)
        ("A\ufb2c", 4),  # and a precomposed Hebrew letter decomposes into three (twitter-text conformance)
        ("“quoted” — ‘dash’ ‖ ′", 21),  # U+2010-201F and U+2032-2037 weigh 1, other punctuation 2
        ("。、「」", 8),
    ],
)
def test_weighted_length_counts_cjk_double_and_latin_single(text: str, expected: int) -> None:
    # Given a text without links or emoji
    # When X's weighted length is computed
    # Then characters in the twitter-text v3 ranges weigh 1 and everything else 2
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FAMILY_3, 2),
        (FAMILY_4, 2),
        ("🇯🇵", 2),
        ("👍🏽", 2),
        ("1️⃣", 2),  # keycap with VS16
        ("1\u20e3", 2),  # keycap without
        ("❤️", 2),  # heart + VS16 is one emoji
        ("❤", 2),
        ("©", 1),  # text unless followed by VS16 (twemoji-parser)
        ("©️", 2),
        ("®", 1),
        (ENGLAND, 2),  # subdivision flag: black flag, tag letters, cancel tag
        ("😷👾😡🔥💩", 10),  # twitter-text conformance
        (f"H🐱☺{FAMILY_4}", 7),  # twitter-text conformance
        (f"🙋🏽👨{ZWJ}🎤", 4),  # twitter-text conformance
        (FAMILY_4 * 140, 280),  # twitter-text conformance
        ("ありがとうございます😊", 22),
    ],
)
def test_weighted_length_counts_each_emoji_sequence_as_two(text: str, expected: int) -> None:
    # Given emoji, including ZWJ sequences, skin tones, flags, keycaps and variation selectors
    # When X's weighted length is computed
    # Then each emoji sequence weighs 2, however many code points it has
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/" + "a" * 80, 23),  # a URL of 100 characters
        ("Hi http://test.co", 26),  # twitter-text conformance
        ("http://test.co", 23),  # twitter-text conformance
        ("https://www.twitter.com/aloha " * 10, 240),  # twitter-text conformance
        ("example.com/path/to/faq", 23),  # bare domains count too
        ("詳しくはexample.com/faqをご覧ください", 8 + 23 + 14),
        ("example.jp", 23),
        ("info@example.com", 16),  # an e-mail address is not a link
        ("https://example.com/help.", 24),  # the full stop is not part of the URL
        ("Mr.Tanaka ver.2.0", 17),
        ("you.Best", 23),  # "best" is a gTLD: X links a missing space after a full stop
    ],
)
def test_weighted_length_counts_each_url_as_23(text: str, expected: int) -> None:
    # Given links with and without a protocol
    # When X's weighted length is computed
    # Then each URL counts 23 however long it is
    assert weighted_length(text) == expected


def test_weighted_length_matches_twitter_text_conformance() -> None:
    # Given the weighted-length examples of twitter-text's conformance suite (v3 config)
    kana = "あいうえおかきくけこ"
    cases = {
        "285 chars-" + "xxxxxxxxxx-" * 25: 285,
        "285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24: 299,
        "xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ": 289,
        "random" * 10 + "urls.com": 68,  # a 64-character label is not a domain
        # a host over 63 characters once punycode-encoded is not a URL; one under is
        kana * 12 + " http://" + kana * 5 + "あいう.com": 358,
        kana * 12 + " http://" + kana * 5 + "あい.com": 264,
        "ABC\u202a\uffffABC\ufffe": 12,
        "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069": 31,
        f"Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; {ENGLAND}": 34,
        "Unicode 9.0 emoji: 🤠; 💃; 💃🏾": 29,
        "This is a tweet with general punctuation characters: "
        "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b "
        "‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷": 110,
    }
    # When each is counted
    counted = {text: weighted_length(text) for text in cases}
    # Then every count matches
    assert counted == cases


_LONG_HOST = "あ" * 300
# twitter-text conformance (extract.yml, urls): text and the URLs X extracts from it.
URL_CONFORMANCE: list[tuple[str, list[str]]] = [
    ("http://example.com", ["http://example.com"]),
    ("http://ああ.com", ["http://ああ.com"]),
    ("http://あ-あ.com", ["http://あ-あ.com"]),
    ("text http://foobar.com/#", ["http://foobar.com/#"]),
    (
        "text http://google.com/#search?q=iphone%20-filter%3Alinks",
        ["http://google.com/#search?q=iphone%20-filter%3Alinks"],
    ),
    ("text http://somedomain.com/index.php?path=/abc/def/", ["http://somedomain.com/index.php?path=/abc/def/"]),
    ("text http://somehost.com:3000", ["http://somehost.com:3000"]),
    ("text http://xo.com/~matthew+%ff-,.;x", ["http://xo.com/~matthew+%ff-,.;x"]),
    ("text http://en.wikipedia.org/wiki/Primer_(film)", ["http://en.wikipedia.org/wiki/Primer_(film)"]),
    ("text http://✪df.ws/ejp", ["http://✪df.ws/ejp"]),
    ("test http://example.comだよね.comtest/hogehoge", ["http://example.com"]),
    ("text http://chilp.it/?77e8fd", ["http://chilp.it/?77e8fd"]),
    (
        "text http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx",
        ["http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx"],
    ),
    ("text http://no-tld", []),
    ("text http://tld-too-short.x", []),
    ("(http://twitter.com", ["http://twitter.com"]),
    ("text http://foo.com?#foo text", ["http://foo.com?#foo"]),
    ("foo.com foo.net foo.org foo.edu foo.gov", ["foo.com", "foo.net", "foo.org", "foo.edu", "foo.gov"]),
    (
        "foo.baz foo.co.jp www.xxxxxxx.baz www.foo.co.uk wwwww.xxxxxxx foo.comm foo.somecom foo.govedu foo.jp",
        ["foo.co.jp", "www.foo.co.uk", "foo.jp"],
    ),
    ("t.co/abcde bit.ly/abcde", ["t.co/abcde", "bit.ly/abcde"]),
    ("Go to http://example.com/a+ or http://example.com/a-", ["http://example.com/a+", "http://example.com/a-"]),
    ("Go to http://example.com/view/slug-url-?foo=bar", ["http://example.com/view/slug-url-?foo=bar"]),
    ("@user Try http:// example.com/path", ["example.com/path"]),
    ("@user Try http://\u00a0example.com/path", ["example.com/path"]),
    (
        "これは日本語です。example.com/path/index.html中国語example.com/path한국",
        ["example.com/path/index.html", "example.com/path"],
    ),
    (
        "twitter.comこれは日本語です。example.com中国語t.co/abcde한국twitter.com example2.comテストtwitter.com/abcde",
        ["twitter.com", "example.com", "t.co/abcde", "twitter.com", "example2.com", "twitter.com/abcde"],
    ),
    (
        "http://twitter.com/これは日本語です。example.com中国語http://t.co/abcde한국twitter.comテストexample2.com"
        "テストhttp://twitter.com/abcde",
        [
            "http://twitter.com/",
            "example.com",
            "http://t.co/abcde",
            "twitter.com",
            "example2.com",
            "http://twitter.com/abcde",
        ],
    ),
    ("Go to http://twitter.com/Русские_слова", ["http://twitter.com/Русские_слова"]),
    (
        f"http://exampleこれは日本語です.com/path/index.html http://{_LONG_HOST}.com/path/index.html",
        ["http://exampleこれは日本語です.com/path/index.html"],
    ),
    ("twitter.jp日本語it.so中国語foo.jp it.so foo.jp", ["twitter.jp", "it.so", "foo.jp", "it.so", "foo.jp"]),
    ("Hello http://xn--はじめよう.com/index.html", []),
    ("text http://domain-dash_2314352345_dfasd.foo-cow_4352.com", []),
    ("MLB.tv vine.co twitch.tv t.co", ["MLB.tv", "vine.co", "twitch.tv", "t.co"]),
    ("test http://sub_domain-dash.twitter.com", ["http://sub_domain-dash.twitter.com"]),
    ("test http://a.b.cd", ["http://a.b.cd"]),
    ("test http://a_b.c-d.com", ["http://a_b.c-d.com"]),
    ("test http://-leadingdash.twitter.com", []),
    ("test http://trailingdash.twitter-.com", []),
    ("test http://leadingunderscore._twitter.com", []),
    ("test http://twitter_underscore.com", []),
    ("test http://twitter.c_o_m", []),
    ("test http://www.foo.com/foo/path-with-period./", ["http://www.foo.com/foo/path-with-period./"]),
    ("test http://www.foo.org.za/foo/bar/688.1", ["http://www.foo.org.za/foo/bar/688.1"]),
    (
        "test http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0||P2|0",
        ["http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0||P2|0"],
    ),
    ("test http://www.cp.sc.edu/events/65 test", ["http://www.cp.sc.edu/events/65"]),
    ("test ELPAÍS.com", ["ELPAÍS.com"]),
    ("test http://twitter.com/.", ["http://twitter.com/"]),
    ("Test a ton of periods http://example.com/path" + "." * 40, ["http://example.com/path"]),
    ("Test a ton of periods http://example.com/" + "," * 40, ["http://example.com/"]),
    ("Test a ton of periods http://example.com/path/" + "!" * 40, ["http://example.com/path/"]),
    ("#test.com @test.com #http://test.com @http://test.com #t.co/abcde @t.co/abcde", []),
    ("I really like http://t.co/pbY2NfTZ's website", ["http://t.co/pbY2NfTZ"]),
    ("According to http://t.co/ulYGBYSo: the internet is cool", ["http://t.co/ulYGBYSo"]),
    ("I really like http://t.co/abcdefghijklmnopqrstuvwxyz012345678901234", []),
    ("example.comてすとですtwitter.みんなです", ["example.com", "twitter.みんな"]),
    (
        "http://twitter.com\nhttp://example.com\nhttp://example.com/path\nexample.com/path\nit.so\nit.so/abcde",
        [
            "http://twitter.com",
            "http://example.com",
            "http://example.com/path",
            "example.com/path",
            "it.so",
            "it.so/abcde",
        ],
    ),
    ("$http://twitter.com $twitter.com $http://t.co/abcde $t.co/abcde $t.co $TVI.CA $RBS.CA", []),
    ("long.test.tar.bz2 test.tar.bz2 tar.bz2", []),
    ("john.doe.gov@mail.com", []),
    ("john.doe.jp@mail.com", []),
    ("皆さん見てください！ http://google.com", ["http://google.com"]),
    (
        "http://www.foo.com?referer=https://t.co/abcde http://t.co/xyzzy",
        ["http://www.foo.com?referer=https://t.co/abcde", "http://t.co/xyzzy"],
    ),
    ("http://t.co http://t.co", ["http://t.co", "http://t.co"]),
    ("test http://xn--ls8h.XN--ls8h.la/", ["http://xn--ls8h.XN--ls8h.la/"]),
    (
        "test http://foobar.みんな/ http://foobar.中国/ http://foobar.پاکستان/ ",
        ["http://foobar.みんな/", "http://foobar.中国/", "http://foobar.پاکستان/"],
    ),
    ("\u2066\u202atest abcdef.com پاکستان http://twitter.com/\u202c\u2069", ["abcdef.com", "http://twitter.com/"]),
    ("text https://t.co/asdfdf?a=b#123", ["https://t.co/asdfdf?a=b#123"]),
    # ours: a dotted run that holds no domain does not hide the link after it
    ("見て.http://example.com ver.1.https://example.com/a", ["http://example.com", "https://example.com/a"]),
]


def test_extract_urls_matches_twitter_text_conformance() -> None:
    # Given the URL extraction examples of twitter-text's conformance suite
    # When URLs are extracted from each
    wrong = {
        text: (extract_urls(text), expected) for text, expected in URL_CONFORMANCE if extract_urls(text) != expected
    }
    # Then each yields exactly the URLs X extracts
    assert wrong == {}


# --- length -------------------------------------------------------------------------------------


def test_x_post_over_280_weighted_blocks() -> None:
    # Given a Japanese post of 141 characters (282 weighted)
    # When it is checked
    result = lint("あ" * 141, _context(customer_name=None, customer_handle=None, agent_name=""))
    # Then the length blocks, with the weighted length and the limit
    check = _check(result, "length")
    assert check.severity == "block"
    assert check.params == {"weighted_length": 282, "limit": 280}
    assert (result.length, result.limit, result.blocked) == (282, 280, True)


def test_x_post_at_the_limit_only_warns() -> None:
    # Given posts of exactly 280 weighted characters, in Japanese and in English
    for text in ("あ" * 140, "a" * 280):
        # When each is checked
        result = lint(text, _context(customer_name=None, customer_handle=None, agent_name=""))
        # Then it may be sent, with a warning that it is close to the limit
        assert _check(result, "length").severity == "warn"
        assert not result.blocked


def test_length_warns_only_above_ninety_percent() -> None:
    # Given English posts of 252 and 253 characters (90% of 280 is 252)
    quiet = dict(customer_name=None, customer_handle=None, agent_name="")
    # When they are checked
    at, above = lint("a" * 252, _context(**quiet)), lint("a" * 253, _context(**quiet))
    # Then only the longer one warns
    assert "length" not in _codes(at)
    assert _check(above, "length").params == {"weighted_length": 253, "limit": 280}


@pytest.mark.parametrize(
    ("platform", "mode", "limit"),
    [
        ("x", "dm", 10_000),
        ("instagram", "public", 2_200),
        ("instagram", "dm", 1_000),
        ("instagram", "private_reply", 1_000),
        ("facebook", "public", 8_000),
        ("facebook", "dm", 2_000),
        ("facebook", "private_reply", 2_000),
        ("google", "public", 4_096),
    ],
)
def test_each_channel_has_its_own_limit_in_plain_characters(platform: str, mode: str, limit: int) -> None:
    # Given a channel and mode, and Japanese texts at and over its limit
    context = _context(platform=platform, mode=mode, customer_name=None, customer_handle=None, agent_name="")
    # When they are checked
    at, over = lint("あ" * limit, context), lint("あ" * (limit + 1), context)
    # Then characters are counted one each (no CJK weighting off X posts) and only the longer blocks
    assert (at.length, at.limit, at.blocked) == (limit, limit, False)
    assert _check(over, "length").params == {"length": limit + 1, "limit": limit}
    assert over.blocked


# --- cost on X ----------------------------------------------------------------------------------


def test_x_post_with_a_link_costs_more_and_says_so() -> None:
    # Given the same reply on X with and without a link
    plain = lint(GOOD_JA, _context())
    linked = lint(GOOD_JA + " https://example.com/faq/delivery", _context())
    # When they are checked
    # Then the price of each comes from the price table, and the link earns an info hint
    assert plain.cost_usd == str(X_PRICES["post_create"].usd) == "0.015"
    assert linked.cost_usd == str(X_PRICES["post_create_with_url"].usd) == "0.200"
    assert "cost_url" not in _codes(plain)
    hint = _check(linked, "cost_url")
    assert hint.severity == "info"
    assert hint.params == {"with_url": "0.200", "without_url": "0.015"}


def test_bare_domain_counts_as_a_link_for_the_price() -> None:
    # Given an English reply pointing to a bare domain
    # When it is checked on X
    result = lint(GOOD_EN + " Tracking: example.com/track", _english())
    # Then it is priced as a post with a URL
    assert result.cost_usd == "0.200"
    assert "cost_url" in _codes(result)


def test_dm_cost_has_no_link_surcharge_and_other_platforms_have_no_fee() -> None:
    # Given a DM on X with a link, and the same reply on Instagram
    dm = lint(GOOD_JA + " https://example.com/faq", _context(mode="dm"))
    instagram = lint(GOOD_JA + " https://example.com/faq", _context(platform="instagram"))
    # When they are checked
    # Then the DM costs the DM price with no hint, and Instagram costs nothing we know of
    assert dm.cost_usd == str(X_PRICES["dm_create"].usd)
    assert "cost_url" not in _codes(dm)
    assert instagram.cost_usd is None
    assert "cost_url" not in _codes(instagram)


# --- empty --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\u3000\n\t", "\u200b", "\ufe0f"])
def test_blank_reply_blocks_and_nothing_else_is_reported(text: str) -> None:
    # Given a reply with nothing visible in it
    # When it is checked
    result = lint(text, _context())
    # Then only the empty check is reported, and it blocks
    assert _codes(result) == ["empty"]
    assert result.blocked


# --- the customer's name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opening",
    ["山田様、", "山田 様、", "太郎さん、", "山田太郎様、", "山田 太郎様、", "@yamada_taro ", "山田さま、"],
)
def test_japanese_reply_addressing_the_customer_passes(opening: str) -> None:
    # Given a reply to 山田 太郎 that opens with his name, honorific or handle
    # When it is checked
    result = lint(opening + "ご連絡ありがとうございます。確認いたします。担当：佐藤", _context())
    # Then no name check is reported
    assert "personal_name" not in _codes(result)


@pytest.mark.parametrize("opening", ["", "山田、", "田中様、"])
def test_japanese_reply_without_the_customer_name_warns(opening: str) -> None:
    # Given a reply that does not address 山田 太郎 (a family name without honorific, or someone else)
    # When it is checked
    result = lint(opening + "ご連絡ありがとうございます。確認いたします。担当：佐藤", _context())
    # Then the name check warns, without quoting the name
    check = _check(result, "personal_name")
    assert check.severity == "warn"
    assert "山田" not in check.message and "yamada" not in check.message.lower()


@pytest.mark.parametrize("opening", ["Hi Tom, ", "Dear Mr Baker, ", "Hello tom! ", "Tom Baker, ", "@tbaker "])
def test_english_reply_addressing_the_customer_passes(opening: str) -> None:
    # Given a reply to Tom Baker that names him
    # When it is checked
    result = lint(opening + "thanks for letting us know. ^Sato", _english())
    # Then no name check is reported
    assert "personal_name" not in _codes(result)


@pytest.mark.parametrize("text", ["Thanks for letting us know. ^Sato", "We will fix it tomorrow. ^Sato"])
def test_english_reply_without_the_customer_name_warns(text: str) -> None:
    # Given a reply that does not name Tom ("tomorrow" is not "Tom")
    # When it is checked
    result = lint(text, _english())
    # Then the name check warns
    assert _check(result, "personal_name").severity == "warn"


def test_decorated_display_name_is_matched_on_its_name() -> None:
    # Given a customer whose display name carries an emoji and a status after @
    context = _context(customer_name="さくら🌸@低浮上", customer_handle="sakura_0401")
    # When the reply addresses her as さくら様
    result = lint("さくら様、いつもありがとうございます。担当：佐藤", context)
    # Then the name check passes
    assert "personal_name" not in _codes(result)


def test_no_name_check_without_name_or_handle_or_when_the_brand_does_not_require_it() -> None:
    # Given a customer with neither name nor handle, and a brand that does not require names
    anonymous = lint("ご連絡ありがとうございます。担当：佐藤", _context(customer_name=None, customer_handle=None))
    relaxed = lint("ご連絡ありがとうございます。担当：佐藤", _context(), BrandPolicy(require_customer_name=False))
    # When the replies are checked
    # Then neither reports a name check
    assert "personal_name" not in _codes(anonymous)
    assert "personal_name" not in _codes(relaxed)


# --- the agent's signature ----------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["担当：佐藤", "（佐藤）", "佐藤花子", "担当 花子", "佐藤 花子"])
def test_japanese_signature_in_any_form_passes(signature: str) -> None:
    # Given a reply signed by 佐藤 花子 with her family, given or full name
    # When it is checked
    result = lint(f"山田様、確認いたします。{signature}", _context())
    # Then no signature check is reported
    assert "personal_signature" not in _codes(result)


@pytest.mark.parametrize("signature", ["^Sato", "- Hanako", "^sato", "Sato Hanako", "—SATO"])
def test_english_signature_in_any_form_passes(signature: str) -> None:
    # Given a reply signed by Sato Hanako in any case and form
    # When it is checked
    result = lint(f"Hi Tom, we are on it. {signature}", _english())
    # Then no signature check is reported
    assert "personal_signature" not in _codes(result)


def test_unsigned_reply_warns() -> None:
    # Given replies without the agent's name ("Satoshi" is not "Sato")
    ja = lint("山田様、確認いたします。", _context())
    en = lint("Hi Tom, Satoshi from the warehouse is on it.", _english())
    # When they are checked
    # Then both warn
    assert _check(ja, "personal_signature").severity == "warn"
    assert _check(en, "personal_signature").severity == "warn"


def test_agent_name_used_as_a_customer_honorific_is_not_a_signature() -> None:
    # Given a customer who shares the agent's family name, addressed but not signed for
    context = _context(customer_name="佐藤 健", customer_handle=None)
    # When the reply is checked
    result = lint("佐藤様、ご連絡ありがとうございます。確認いたします。", context)
    # Then the signature is still missing
    assert "personal_signature" in _codes(result)
    assert "personal_name" not in _codes(result)


def test_no_signature_check_when_the_brand_does_not_require_it() -> None:
    # Given a brand that does not ask agents to sign
    # When an unsigned reply is checked
    result = lint("山田様、確認いたします。", _context(), BrandPolicy(require_signature=False))
    # Then no signature check is reported
    assert "personal_signature" not in _codes(result)


# --- copy-paste ---------------------------------------------------------------------------------

TEMPLATE_JA = "様、ご不便をおかけし申し訳ございません。配送状況を確認のうえ、改めてご連絡いたします。担当：佐藤"
TEMPLATE_EN = (
    "Hi {name}, sorry your parcel is late. We have asked the courier for an update and will get back to you. ^Sato"
)


def _recent(text: str, customer: str = "x:2002", sent_at: str = "2026-11-08T12:00:00Z") -> RecentReply:
    return RecentReply(text=text, customer_id=customer, sent_at=sent_at)


def test_near_identical_reply_to_another_customer_warns() -> None:
    # Given the same template sent two days ago to 鈴木様, another customer
    context = _context(recent_replies=(_recent("鈴木" + TEMPLATE_JA),))
    # When the agent sends it to 山田様
    result = lint("山田" + TEMPLATE_JA, context)
    # Then copy-paste warns: the names differ, the rest is identical
    check = _check(result, "copy_paste")
    assert check.severity == "warn"
    assert check.params == {"similarity": 1.0, "count": 1, "days": 7}
    assert "鈴木" not in check.message and "山田" not in check.message


def test_near_identical_english_reply_warns_with_the_count() -> None:
    # Given the English template sent to Anna and to Raj this week
    recent = (
        _recent(TEMPLATE_EN.format(name="Anna"), "x:3"),
        _recent(TEMPLATE_EN.format(name="Raj").replace("^Sato", "^Kimura"), "x:4"),
    )
    # When the agent sends it to Tom
    result = lint(TEMPLATE_EN.format(name="Tom"), _english(recent_replies=recent))
    # Then copy-paste warns about both
    check = _check(result, "copy_paste")
    assert check.params["count"] == 2
    assert check.params["similarity"] == 1.0


def test_same_customer_or_old_replies_are_not_copy_paste() -> None:
    # Given the template sent earlier to the same customer, and to another customer eight days ago
    recent = (
        _recent("山田" + TEMPLATE_JA, customer="x:1001"),
        _recent("鈴木" + TEMPLATE_JA, sent_at="2026-11-02T08:59:59Z"),
    )
    # When the agent sends it again
    result = lint("山田" + TEMPLATE_JA, _context(recent_replies=recent))
    # Then nothing is reported: a follow-up to the same person and an old reply are fine
    assert "copy_paste" not in _codes(result)


def test_copy_paste_window_follows_the_brand_policy() -> None:
    # Given the template sent to another customer eight days ago, and a brand looking back 30 days
    context = _context(recent_replies=(_recent("鈴木" + TEMPLATE_JA, sent_at="2026-11-02T08:59:59Z"),))
    # When the agent sends it again
    result = lint("山田" + TEMPLATE_JA, context, BrandPolicy(copy_paste_days=30))
    # Then it counts
    assert _check(result, "copy_paste").params["days"] == 30


def test_personalised_or_short_replies_are_not_copy_paste() -> None:
    # Given a different recent reply and a short thanks sent to many customers
    recent = (
        _recent("鈴木様、ご指摘ありがとうございます。商品ページの表記を本日中に修正いたします。担当：佐藤"),
        _recent("ありがとうございます！担当：佐藤", "x:5"),
    )
    context = _context(recent_replies=recent)
    # When the agent sends a different reply, and the same short thanks
    different = lint("山田" + TEMPLATE_JA, context)
    thanks = lint("ありがとうございます！担当：佐藤", context)
    # Then neither is copy-paste
    assert "copy_paste" not in _codes(different)
    assert "copy_paste" not in _codes(thanks)


def test_unreadable_timestamps_are_skipped_and_naive_ones_read_as_utc() -> None:
    # Given recent replies with a broken timestamp and one without a zone
    recent = (
        _recent("鈴木" + TEMPLATE_JA, sent_at="yesterday"),
        _recent("高橋" + TEMPLATE_JA, "x:6", "2026-11-09T00:00:00"),
    )
    # When the agent sends the template
    result = lint("山田" + TEMPLATE_JA, _context(recent_replies=recent))
    # Then only the readable one counts
    assert _check(result, "copy_paste").params["count"] == 1


def test_copy_paste_over_500_recent_replies_is_fast() -> None:
    # Given 500 recent replies of the brand, one of them the same template
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    phrases = [
        "ご不便",
        "申し訳ございません",
        "確認いたします",
        "交換",
        "返品",
        "再送",
        "手配",
        "お届け",
        "恐れ入りますが",
    ]
    others = [_recent(f"{i}様、" + "".join(rng.choices(phrases, k=12)) + "。担当：佐藤", f"x:{i}") for i in range(499)]
    recent = (*others, _recent("鈴木" + TEMPLATE_JA))
    context = _context(recent_replies=recent)
    lint("山田" + TEMPLATE_JA, context)  # the first call reads the recent replies once
    # When the reply is checked again, as the page does while the agent types
    started = time.perf_counter()
    result = lint("山田" + TEMPLATE_JA, context)
    elapsed = time.perf_counter() - started
    # Then it finds the copy and takes milliseconds
    assert _check(result, "copy_paste").params["count"] == 1
    assert elapsed < 0.05


# --- selling ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        (
            "山田様、今なら新商品が20%OFF！この機会にぜひご購入ください。担当：佐藤",
            ["discount", "limited_offer", "purchase"],
        ),
        ("山田様、ただいまポイント5倍キャンペーンを実施中です。担当：佐藤", ["campaign", "points"]),
        ("山田様、期間限定セールのお知らせです。購入はこちら。担当：佐藤", ["limited_offer", "purchase", "sale"]),
        ("山田様、上位プランへのアップグレードで解決します。担当：佐藤", ["upgrade"]),
        ("山田様、新発売の限定モデルもぜひ。担当：佐藤", ["new_product"]),
    ],
)
def test_promotion_to_a_customer_with_a_problem_blocks_in_japanese(text: str, categories: list[str]) -> None:
    # Given a reply to a customer with a problem that promotes something
    # When it is checked
    result = lint(text, _context(intent="complaint"))
    # Then selling blocks, naming the kinds of promotion (not the text)
    check = _check(result, "selling")
    assert check.severity == "block"
    assert check.params == {"categories": categories}
    assert result.blocked


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        (
            "Hi Tom, sorry! Check out our new range, 30% off with code SAVE30. ^Sato",
            ["coupon", "discount", "new_product"],
        ),
        ("Hi Tom, our summer sale is on, buy now. ^Sato", ["purchase", "sale"]),
        ("Hi Tom, upgrade to Premium for priority support, limited time offer. ^Sato", ["limited_offer", "upgrade"]),
    ],
)
def test_promotion_to_a_customer_with_a_problem_blocks_in_english(text: str, categories: list[str]) -> None:
    # Given an English reply to a customer with a problem that promotes something
    # When it is checked
    result = lint(text, _english(intent="problem"))
    # Then selling blocks with the kinds of promotion
    assert _check(result, "selling").params == {"categories": categories}


def test_negative_sentiment_alone_is_enough_to_forbid_selling() -> None:
    # Given an unhappy customer asking a question
    # When the reply promotes a sale
    result = lint(
        "Hi Tom, good question, and our flash sale ends tonight! ^Sato",
        _english(intent="question", sentiment="negative"),
    )
    # Then selling blocks
    assert "selling" in _codes(result)


@pytest.mark.parametrize(("intent", "sentiment"), [("praise", "positive"), ("question", "neutral"), ("request", None)])
def test_promotion_to_a_happy_or_neutral_customer_is_not_checked(intent: str, sentiment: str | None) -> None:
    # Given a customer without a problem
    # When the reply mentions a campaign
    result = lint(
        "山田様、ありがとうございます！ただいまキャンペーン実施中です。担当：佐藤",
        _context(intent=intent, sentiment=sentiment),
    )
    # Then there is no selling check at all
    assert "selling" not in _codes(result)


@pytest.mark.parametrize(
    "text",
    [
        "山田様、ご購入いただいた商品の不具合について確認いたします。担当：佐藤",
        "山田様、クーポンが使えない件、システムを確認いたします。担当：佐藤",
        "山田様、セール品の返品についてご案内いたします。担当：佐藤",
        "山田様、キャンペーン景品の発送状況を確認いたします。担当：佐藤",
        "山田様、ポイント還元が反映されない件、調査いたします。担当：佐藤",
        "Hi Tom, sorry the promo code didn't apply; we have refunded the difference. ^Sato",
        "Hi Tom, please upgrade to the latest version of the app (3.2), which fixes the crash. ^Sato",
        "Hi Tom, the sale price should have applied to your order, we are checking. ^Sato",
    ],
)
def test_mentioning_what_the_complaint_is_about_is_not_selling(text: str) -> None:
    # Given a reply that names the coupon, sale, purchase or campaign the customer complains about
    # When it is checked
    result = lint(text, _context(intent="complaint", customer_name="Tom / 山田"))
    # Then it is not mistaken for promotion
    assert "selling" not in _codes(result)


@pytest.mark.parametrize(
    "text",
    [
        "山田様、ご迷惑をおかけしました。お詫びとして次回使える10%OFFクーポンを進呈いたします。担当：佐藤",
        "Hi Tom, we're so sorry. As an apology, here's 20% off your next order. ^Sato",
    ],
)
def test_a_coupon_to_make_amends_is_not_selling(text: str) -> None:
    # Given a coupon or discount offered as an apology
    # When it is checked for a complaint
    result = lint(text, _context(intent="complaint"))
    # Then it is service recovery, not selling
    assert "selling" not in _codes(result)


# --- personal data in public --------------------------------------------------------------------


def test_personal_data_in_a_public_x_reply_blocks_and_offers_a_dm() -> None:
    # Given a public reply on X that repeats the customer's mobile number
    # When it is checked
    result = lint("山田様、090-1234-5678へお電話いたします。担当：佐藤", _context())
    # Then it blocks with the kind of data only, and offers a DM to our account
    check = _check(result, "pii_public")
    assert check.severity == "block"
    assert check.params == {"types": ["phone"]}
    assert "5678" not in check.message
    assert check.message == "A public reply must not contain personal data (phone); offer a DM instead."
    offer = result.dm_offer
    assert offer is not None
    assert offer.mode == "dm"
    assert offer.link == "https://x.com/messages/compose?recipient_id=900100"
    assert "DMにてお伺いします" in offer.suggested_text["ja"]
    assert "send us a DM" in offer.suggested_text["en"]
    assert "山田" not in offer.suggested_text["ja"] and "yamada" not in offer.suggested_text["en"].lower()


def test_several_kinds_of_personal_data_are_listed_sorted() -> None:
    # Given a public reply with an e-mail address and an order number
    # When it is checked
    result = lint("Hi Tom, we emailed tom.baker@example.net about order #88412345. ^Sato", _english())
    # Then both kinds are named, sorted
    assert _check(result, "pii_public").params == {"types": ["email", "order_number"]}


@pytest.mark.parametrize(
    ("platform", "account_handle", "link"),
    [
        ("instagram", "brand_support", "https://ig.me/m/brand_support"),
        ("instagram", None, None),
        ("facebook", "brand_support", "https://m.me/900100"),
    ],
)
def test_meta_comment_with_personal_data_offers_a_private_reply(
    platform: str, account_handle: str | None, link: str | None
) -> None:
    # Given a public comment reply on Instagram or Facebook with a phone number
    context = _context(platform=platform, account_handle=account_handle)
    # When it is checked
    result = lint("山田様、080-2345-6789にご連絡します。担当：佐藤", context)
    # Then it blocks and offers a private reply (with a link when we know one)
    assert "pii_public" in _codes(result)
    assert result.dm_offer is not None
    assert (result.dm_offer.mode, result.dm_offer.link) == ("private_reply", link)


def test_google_review_reply_with_personal_data_must_remove_it() -> None:
    # Given a Google review reply with the customer's address
    # When it is checked
    result = lint("山田様、東京都港区芝浦9-8-7へ再送いたします。担当：佐藤", _context(platform="google"))
    # Then it blocks and says to remove it: Google has no private messages
    check = _check(result, "pii_public")
    assert check.params == {"types": ["postal_address"]}
    assert "remove it" in check.message
    assert result.dm_offer is None


def test_personal_data_in_a_dm_is_fine() -> None:
    # Given a DM repeating the customer's number
    # When it is checked
    result = lint("山田様、090-1234-5678へお電話いたします。担当：佐藤", _context(mode="dm"))
    # Then there is no personal-data check and no offer
    assert "pii_public" not in _codes(result)
    assert result.dm_offer is None


@pytest.mark.parametrize(
    "text",
    [
        "山田様、恐れ入りますがサポートセンター（03-1234-5678）までお電話ください。担当：佐藤",
        "山田様、03-1234-5678までお電話ください。担当：佐藤",
        "Hi Tom, please email support@example.com with a photo. ^Sato",
        "山田様、確認いたします。担当：佐藤花子",  # the agent's own full name
        "山田太郎様、確認いたします。担当：佐藤",  # the customer's public display name
        "山田様、フリーダイヤル0120-123-456までどうぞ。担当：佐藤",
    ],
)
def test_the_brands_own_contact_points_and_public_names_are_not_personal_data(text: str) -> None:
    # Given a public reply with our support number, a role mailbox or names already public
    # When it is checked
    result = lint(text, _context(customer_name="山田 太郎"))
    # Then nothing blocks
    assert "pii_public" not in _codes(result)


@pytest.mark.parametrize(
    "text",
    [
        "Hi Tom, we will call your landline 03-1234-5678 today. ^Sato",
        "山田様、お問い合わせいただいた03-1234-5678へお電話いたします。担当：佐藤",
        "山田様、ご購入店舗と、お客様の03-1234-5678を確認しました。担当：佐藤",
        "山田様、弊社より090-1234-5678へお電話いたします。担当：佐藤",
    ],
)
def test_the_customers_own_number_near_a_brand_word_still_blocks(text: str) -> None:
    # Given a public reply with the customer's number close to words like "our", 店舗 or 弊社
    # When it is checked
    result = lint(text, _context(customer_name="山田 太郎 / Tom"))
    # Then it is still personal data
    assert _check(result, "pii_public").params == {"types": ["phone"]}


def test_personal_data_in_the_customers_message_offers_a_dm_without_blocking() -> None:
    # Given a customer whose public post held their phone number, answered with a clean reply
    context = _context(platform="instagram", customer_pii_types=("phone",))
    # When the reply is checked
    result = lint("山田様、詳しくはメッセージでお伺いします。担当：佐藤", context)
    # Then a private reply is offered, and nothing blocks
    assert result.dm_offer is not None
    assert result.dm_offer.mode == "private_reply"
    assert not result.blocked


# --- symbols ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "山田様、ありがとうございます☆♪ またのご利用をお待ちしております！担当：佐藤",
        "山田様、※営業時間は10:00〜18:00です。【ご案内】「設定→通知」をご確認ください（5℃以下で保存）。担当：佐藤",
        "山田様、ご注文の商品は￥1,980（税込）です。担当：佐藤",
        "Hi Tom, it's $20 — see “Shipping” (FAQ) & the 2×3 size chart. ^Sato",
        "山田様、①電源を切る ②再起動する、の順にお試しください‼ 担当：佐藤",
        "山田様、こちらをご確認ください https://example.com/faq?lang=ja&id=3 担当：佐藤",
    ],
)
def test_ordinary_punctuation_and_allowed_symbols_pass(text: str) -> None:
    # Given replies with Japanese and English punctuation, currency, ※, arrows, circled digits, a URL
    # When they are checked under the default policy
    result = lint(text, _context(customer_name="山田 太郎 / Tom"))
    # Then no symbols are reported
    assert "symbols" not in _codes(result)


@pytest.mark.parametrize(
    ("text", "chars"),
    [
        ("山田様、ありがとうございます♡ 担当：佐藤", ["♡"]),
        ("山田様、了解です(´・ω・`) 担当：佐藤", ["´", "`"]),
        ("■山田様 ◆ご案内◆ ありがとうございます❤ 担当：佐藤", ["■", "◆", "❤"]),
        ("Hi Tom, thanks <3 ^Sato", ["<"]),
    ],
)
def test_decorative_symbols_warn_with_the_characters(text: str, chars: list[str]) -> None:
    # Given replies with symbols the brand did not allow (a bare ❤ is a text symbol, not an emoji)
    # When they are checked
    result = lint(text, _context(customer_name="山田 太郎 / Tom"))
    # Then the symbols check warns and lists them once each
    check = _check(result, "symbols")
    assert check.severity == "warn"
    assert check.params == {"chars": chars}


def test_brand_allowed_symbols_pass_and_the_list_is_capped() -> None:
    # Given a brand that allows ♡, and a reply crowded with other symbols
    policy = BrandPolicy(allowed_symbols="♡！!")
    crowded = "山田様 " + "".join("■□◆◇●○▲△▼▽◎♤♧" * 2) + " 担当：佐藤"
    # When both are checked
    hearts = lint("山田様、ありがとうございます♡ 担当：佐藤", _context(), policy)
    many = lint(crowded, _context())
    # Then ♡ passes, and at most ten distinct symbols are listed
    assert "symbols" not in _codes(hearts)
    listed = _check(many, "symbols").params["chars"]
    assert isinstance(listed, list)
    assert len(listed) == 10


def test_question_marks_outside_the_allowed_set_warn_but_not_inside_links() -> None:
    # Given a brand that allows no ? at all
    policy = BrandPolicy(allowed_symbols="。、")
    # When a reply asks a question and links a page with a query
    result = lint("山田様、ご確認いただけますか？ https://example.com/a?b=1 担当：佐藤", _context(), policy)
    # Then only the full-width question mark in the text is reported
    assert _check(result, "symbols").params == {"chars": ["？"]}


# --- emoji --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chars"),
    [
        ("山田様、ありがとうございます😊😊🙇 担当：佐藤", ["😊", "🙇"]),
        (f"Hi Tom, {FAMILY_3} and 🇯🇵 and 1️⃣ and ❤️ ^Sato", [FAMILY_3, "🇯🇵", "1️⃣", "❤️"]),
        ("山田様、ご確認ください✨⭐ 担当：佐藤", ["✨", "⭐"]),
    ],
)
def test_emoji_block_when_the_brand_denies_them(text: str, chars: list[str]) -> None:
    # Given a brand that allows no emoji
    policy = BrandPolicy(emoji="deny")
    # When a reply with emoji is checked (even to a happy customer)
    result = lint(text, _context(intent="praise", sentiment="positive", customer_name="山田 太郎 / Tom"), policy)
    # Then the emoji check blocks and lists each emoji once
    check = _check(result, "emoji")
    assert check.severity == "block"
    assert check.params == {"chars": chars}
    assert "symbols" not in _codes(result)


@pytest.mark.parametrize(
    ("intent", "sentiment", "urgency", "blocked"),
    [
        ("complaint", "negative", "high", True),
        ("problem", "neutral", "high", True),
        ("question", "negative", "high", True),
        ("complaint", "negative", "normal", False),
        ("praise", "positive", "high", False),
        (None, None, None, False),
    ],
)
def test_emoji_by_default_are_denied_only_on_urgent_complaints(
    intent: str | None, sentiment: str | None, urgency: str | None, blocked: bool
) -> None:
    # Given the default policy (deny on complaint)
    context = _context(intent=intent, sentiment=sentiment, urgency=urgency)
    # When a reply with an emoji is checked
    result = lint("山田様、すぐに確認いたします🙏 担当：佐藤", context)
    # Then it blocks only for an urgent problem, complaint or negative customer
    assert ("emoji" in _codes(result)) is blocked


def test_emoji_are_fine_when_the_brand_allows_them_and_stars_are_never_emoji() -> None:
    # Given a brand that allows emoji, and the default policy with ☆ in a reply to an urgent complaint
    allowing = lint(
        "山田様、確認いたします🙏 担当：佐藤", _context(intent="complaint", urgency="high"), BrandPolicy(emoji="allow")
    )
    stars = lint("山田様、確認いたします☆ 担当：佐藤", _context(intent="complaint", urgency="high"))
    # When they are checked
    # Then neither reports emoji
    assert "emoji" not in _codes(allowing)
    assert "emoji" not in _codes(stars)


# --- the result ---------------------------------------------------------------------------------


def test_good_replies_pass_clean() -> None:
    # Given well-formed replies in Japanese and English
    # When they are checked
    ja, en = lint(GOOD_JA, _context()), lint(GOOD_EN, _english())
    # Then there is nothing to report
    assert ja.checks == ()
    assert en.checks == ()
    assert not ja.blocked and not en.blocked


def test_checks_are_ordered_block_warn_info() -> None:
    # Given a reply that breaks several rules at once
    text = "今なら20%OFF！ https://example.com/sale ♡ " + "ご案内" * 40
    # When it is checked for an unhappy customer
    result = lint(text, _context(sentiment="negative"))
    # Then blocks come first, then warnings, then information, with stable codes
    severities = [check.severity for check in result.checks]
    assert severities == sorted(severities, key=["block", "warn", "info"].index)
    assert set(_codes(result)) == {"selling", "personal_name", "personal_signature", "symbols", "cost_url", "length"}
    assert set(_codes(result)) <= set(CHECK_CODES)


def test_warnings_and_information_do_not_block() -> None:
    # Given a reply with only warnings and a cost hint
    # When it is checked
    result = lint("ありがとうございます♡ https://example.com/faq", _context(intent="praise"))
    # Then it is not blocked
    assert {check.severity for check in result.checks} == {"warn", "info"}
    assert not result.blocked


def test_result_as_dict_is_json_ready() -> None:
    # Given a result with checks and a DM offer
    result = lint(
        "山田様、090-1234-5678へ電話します😊 https://example.com ♡", _context(intent="complaint", urgency="high")
    )
    # When it is turned into a dict and serialised
    data = result.as_dict()
    text = json.dumps(data, ensure_ascii=False)
    # Then it carries everything the page needs, and nothing the customer wrote
    assert json.loads(text) == data
    assert data["blocked"] is True
    assert data["cost_usd"] == "0.200"
    assert data["limit"] == 280
    assert data["dm_offer"] == {
        "mode": "dm",
        "link": "https://x.com/messages/compose?recipient_id=900100",
        "suggested_text": result.dm_offer.suggested_text if result.dm_offer else None,
    }
    checks = data["checks"]
    assert isinstance(checks, list)
    assert [c["code"] for c in checks] == _codes(result)
    messages = " ".join(check.message for check in result.checks)
    assert "1234" not in messages and "山田" not in messages and "yamada" not in messages.lower()


def test_brand_policy_forbids_unknown_fields_and_out_of_range_values() -> None:
    # Given policies with a typo and with values out of range
    # When they are validated
    # Then each is refused
    with pytest.raises(ValidationError):
        BrandPolicy.model_validate({"require_signatures": True})
    with pytest.raises(ValidationError):
        BrandPolicy(copy_paste_days=0)
    with pytest.raises(ValidationError):
        BrandPolicy(copy_paste_similarity=0.5)
    with pytest.raises(ValidationError):
        BrandPolicy.model_validate({"emoji": "sometimes"})


# --- robustness ---------------------------------------------------------------------------------

_ALPHABET = (
    "abcXYZ019 .,:/?#@_-~!()[]"
    "あいうえおアイウエオ漢字日本語、。「」ー〜"
    "😀👍🏽🇯🇵❤☺©®™#*\u20e3\ufe0f\ufe0e\u200d\u200b\u202a\u2066\ufeff\ufffe"
    "\u0301\u05bc\u05c1\ufb2c١٢ПриветÁé\u3000\n\t"
)
_PIECES = ("http://", "https://", ".com", ".jp", "www.", "t.co/", "xn--", "090-1234-5678", "様", "担当：", "^")


def test_lint_never_raises_on_random_text() -> None:
    # Given a few hundred random texts mixing scripts, emoji parts, controls, URL and PII fragments
    rng = random.Random(20261110)  # noqa: S311 - reproducible test data
    contexts = [
        _context(),
        _english(mode="dm"),
        _context(platform="instagram", account_handle=None, customer_name="🌸", customer_handle=None),
        _context(platform="google", agent_name="", now=""),
        _context(platform="facebook", mode="private_reply", intent="complaint", urgency="high"),
    ]
    policy = BrandPolicy(emoji="deny", allowed_symbols="")
    for n in range(300):
        parts = [
            rng.choice(_PIECES) if rng.random() < 0.15 else rng.choice(_ALPHABET) for _ in range(rng.randint(0, 80))
        ]
        text = "".join(parts)
        context = contexts[n % len(contexts)]
        # When it is counted and checked
        length = weighted_length(text)
        result = lint(text, context, policy if n % 2 else None)
        # Then nothing raises, lengths are sane and the result serialises
        assert length >= 0
        assert result.length >= 0
        assert length <= 2 * len(unicodedata.normalize("NFC", text)) + 23 * text.count(".")
        json.dumps(result.as_dict())
