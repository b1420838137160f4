"""The weekly voice of the customer: topics across Japanese and English, trends, schedule, HTML and CSV.

Every post here was written for these tests.
"""

from __future__ import annotations

import csv
import io
import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from mentiondesk.reports.voc import (
    DEFAULT_LEXICON,
    ConceptLexicon,
    Topic,
    VocPost,
    VocReport,
    group_topics,
    next_run,
    week_window,
    weekly_report,
)
from mentiondesk.reports.voc_html import render_csv, render_html
from mentiondesk.triage.normalize import normalize
from pydantic import ValidationError

pytestmark = pytest.mark.unit

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
# A reporting week: Tue 2026-11-10 18:00 JST to Tue 2026-11-17 18:00 JST.
WEEK_START = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
WEEK_END = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)

# (concept, intent, language, text)
POSTS: list[tuple[str, str, str, str]] = [
    ("delivery", "problem", "ja", "注文した靴がまだ届きません。もう1週間経ってます"),
    ("delivery", "complaint", "ja", "配送が遅すぎる。いつ来るの?"),
    ("delivery", "problem", "ja", "発送のお知らせから5日、荷物が全然動いていません"),
    ("delivery", "problem", "en", "My delivery is three days late and the tracking page hasn't changed"),
    ("delivery", "problem", "en", "Package still not delivered, the courier says it left the depot on Monday"),
    ("delivery", "request", "en", "Please offer evening delivery slots, nobody is home during the day"),
    ("login", "problem", "ja", "アプリにログインできません。パスワードを再設定しても同じです"),
    ("login", "problem", "ja", "パスワード再設定のメールがいつまでも来ない"),
    ("login", "problem", "en", "Can't log in since the update, it keeps saying wrong password"),
    ("login", "problem", "en", "Locked out after two login attempts, this is silly"),
    ("refund", "complaint", "ja", "キャンセルしたのに返金されていません"),
    ("refund", "problem", "ja", "返金はいつになりますか?申請してもう2週間です"),
    ("refund", "complaint", "en", "Still waiting for my refund from last month"),
    ("refund", "complaint", "en", "I was promised a refund and nothing has happened"),
    ("app_crash", "problem", "ja", "アップデートしてからアプリが落ちる"),
    ("app_crash", "problem", "en", "The app keeps crashing when I open my cart"),
    ("app_crash", "problem", "en", "App crashed three times while paying, very annoying"),
    ("staff_attitude", "complaint", "ja", "渋谷店の店員の態度がひどかったです"),
    ("staff_attitude", "complaint", "en", "The cashier was really rude to my son today"),
    ("price", "complaint", "ja", "値上げしすぎ。前の値段に戻してほしい"),
    ("price", "complaint", "en", "Prices went up again, far too expensive now"),
    ("feature_request", "request", "ja", "ダークモードを追加してほしいです"),
    ("feature_request", "request", "en", "Please add dark mode to the app"),
    ("feature_request", "request", "en", "Would be great if the app had a dark mode for night reading"),
    ("terms:goshuin", "request", "ja", "御朱印帳の種類をもっと増やしてほしいです"),
    ("terms:goshuin", "request", "ja", "御朱印帳をもう少し大判にしてもらえませんか"),
    ("terms:jigsaw", "request", "en", "More jigsaw puzzles for adults please"),
    ("terms:jigsaw", "request", "en", "Could you carry bigger jigsaw puzzles with 2000 pieces"),
    # Not grouped by default: thanks and questions.
    ("delivery", "praise", "ja", "いつも迅速な配送ありがとうございます!"),
    ("delivery", "question", "en", "How do I change my delivery address?"),
    ("login", "question", "ja", "ログインIDはどこで確認できますか"),
    ("other", "other", "en", "lol"),
]


def _post(
    n: int,
    text: str,
    intent: str = "problem",
    language: str | None = None,
    *,
    ticket: str | None = None,
    channel: str = "x",
    at: datetime | None = None,
    url: str | None = None,
) -> VocPost:
    return VocPost(
        ticket_id=ticket or f"t{n}",
        message_id=f"m{n}",
        channel=channel,
        language=language,
        intent=intent,
        sentiment="negative",
        text=text,
        created_at=(at or WEEK_START + timedelta(hours=1 + n)).isoformat(),
        url=url,
    )


def _fixture_posts() -> list[VocPost]:
    channels = ("x", "instagram", "google", "facebook")
    return [
        _post(i, text, intent, language, channel=channels[i % len(channels)])
        for i, (_, intent, language, text) in enumerate(POSTS)
    ]


def _by_key(topics: list[Topic]) -> dict[str, Topic]:
    return {topic.key: topic for topic in topics}


# --- grouping -----------------------------------------------------------------------------------


def test_japanese_and_english_posts_about_one_thing_form_one_topic() -> None:
    # Given the week's posts in both languages
    posts = _fixture_posts()

    # When they are grouped
    topics = _by_key(group_topics(posts))

    # Then each concept is one topic holding both languages, labelled in both
    for concept in ("delivery", "login", "refund", "app_crash", "staff_attitude", "price", "feature_request"):
        expected = sum(1 for c, intent, _, _ in POSTS if c == concept and intent in ("problem", "complaint", "request"))
        topic = topics[f"concept:{concept}"]
        assert topic.count == expected, concept
        assert set(topic.languages) == {"ja", "en"}, concept
    delivery = topics["concept:delivery"]
    assert (delivery.label_en, delivery.label_ja) == ("Delivery and shipping status", "配送・お届け")
    assert delivery.intents == {"problem": 4, "complaint": 1, "request": 1}
    assert sum(delivery.channels.values()) == delivery.count
    assert {example.language for example in delivery.examples} == {"ja", "en"}
    assert len(delivery.examples) == 3
    assert delivery.terms, "a topic shows the words that define it"


def test_posts_outside_the_lexicon_are_grouped_by_shared_words() -> None:
    # Given two requests each about a product the lexicon does not know
    posts = _fixture_posts()

    # When grouped
    topics = group_topics(posts)

    # Then each pair is a topic of its own, named by its shared words
    term_topics = {topic.label_en: topic for topic in topics if topic.kind == "terms"}
    assert any("御朱印帳" in label for label in term_topics), term_topics
    assert any("jigsaw" in label for label in term_topics), term_topics
    for topic in term_topics.values():
        assert topic.count == 2
        assert topic.key.startswith("terms:")
        assert topic.label_en == topic.label_ja


def test_praise_and_questions_are_left_out_unless_asked_for() -> None:
    # Given the fixture posts with thanks and questions about delivery and login
    posts = _fixture_posts()

    # When grouped by default, and then with every intent
    default = _by_key(group_topics(posts))
    everything = _by_key(group_topics(posts, intents=("request", "complaint", "problem", "praise", "question")))

    # Then only the asked-for intents count
    assert "praise" not in default["concept:delivery"].intents
    assert everything["concept:delivery"].count == default["concept:delivery"].count + 2
    assert everything["concept:delivery"].intents["praise"] == 1
    assert everything["concept:login"].intents["question"] == 1


def test_min_count_and_max_topics_bound_the_list() -> None:
    # Given the fixture posts
    posts = _fixture_posts()

    # When grouped with a high minimum, and with a small cap
    big = group_topics(posts, min_count=4)
    capped = group_topics(posts, max_topics=3)

    # Then only large topics, or only the first three, come out, largest first
    assert [topic.key for topic in big] == ["concept:delivery", "concept:login", "concept:refund"]
    assert len(capped) == 3
    assert [topic.count for topic in capped] == sorted((topic.count for topic in capped), reverse=True)


def test_counts_are_tickets_and_a_message_delivered_twice_counts_once() -> None:
    # Given one customer writing three times about a parcel (one message delivered twice) and another once
    posts = [
        _post(1, "荷物がまだ届きません", ticket="t-a"),
        _post(2, "まだ届いてないんですけど、いつ来ますか", ticket="t-a"),
        _post(2, "まだ届いてないんですけど、いつ来ますか", ticket="t-a"),
        _post(3, "Where is my order? Tracking has not moved", "problem", ticket="t-b"),
    ]

    # When grouped
    (topic,) = group_topics(posts)

    # Then the topic has two voices and three distinct posts
    assert topic.key == "concept:delivery"
    assert (topic.count, topic.post_count) == (2, 3)
    assert sum(topic.languages.values()) == 2
    assert len({example.ticket_id for example in topic.examples}) == len(topic.examples)


def test_examples_are_masked_again_even_when_the_caller_forgot() -> None:
    # Given posts that still carry a phone number, an e-mail address, a card number and a member
    # number that is no valid card (so mask_pii leaves it)
    posts = [
        _post(1, "届いてない!連絡は090-1234-5678までお願いします", ticket="t1"),
        _post(2, "Parcel never arrived, email me at hanako.sato@example.com", ticket="t2"),
        _post(3, "配送まだですか。カード 4111 1111 1111 1111 で払いました", ticket="t3"),
        _post(4, "会員番号 1234 5678 9012 3456 の返金がまだです", ticket="t4"),
        _post(5, "返金まだですか", ticket="t5"),
    ]

    # When grouped
    topics = group_topics(posts)

    # Then no example shows the personal data, and no key term is made of it
    assert [len(topic.examples) for topic in topics] == [3, 2]
    texts = " ".join(example.text for topic in topics for example in topic.examples)
    terms = [term for topic in topics for term in topic.terms]
    assert "<number>" in texts
    for secret in ("090-1234-5678", "hanako.sato@example.com", "4111", "5678 9012"):
        assert secret not in texts
        assert not any(secret in term for term in terms)
    assert "<phone>" in texts and "<email>" in texts and "<card_number>" in texts
    assert not any(term in ("phone", "email", "card_number", "number") for term in terms)


def test_the_same_posts_in_any_order_give_the_same_topics() -> None:
    # Given the fixture posts, and the same posts shuffled three ways
    posts = _fixture_posts()
    expected = [topic.model_dump() for topic in group_topics(posts)]

    for seed in (1, 2, 3):
        shuffled = posts[:]
        random.Random(seed).shuffle(shuffled)  # noqa: S311 - reproducible test data

        # When grouped
        result = [topic.model_dump() for topic in group_topics(shuffled)]

        # Then nothing differs, not even the examples' order
        assert result == expected


def test_example_text_is_cut_to_a_quotable_length() -> None:
    # Given two long complaints
    long_text = "配送が遅い。" + "本当に困っています。" * 60
    posts = [_post(1, long_text, ticket="t1"), _post(2, "The delivery is late again " * 30, ticket="t2")]

    # When grouped
    (topic,) = group_topics(posts)

    # Then each quote is at most 280 characters and ends with an ellipsis
    for example in topic.examples:
        assert len(example.text) <= 280
        assert example.text.endswith("…")


def test_five_thousand_posts_are_grouped_correctly(capsys: pytest.CaptureFixture[str]) -> None:
    # Given 5,000 posts: the fixture texts with small variations, over 2,000 tickets
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    base = [(c, intent, lang, text) for c, intent, lang, text in POSTS if intent in ("problem", "complaint", "request")]
    posts = []
    for n in range(5000):
        concept, intent, lang, text = base[n % len(base)]
        suffix = rng.choice(["", "!", "…", " 😭", " (2回目)", " again", " 本当に困る"])
        posts.append(_post(n, text + suffix, intent, lang, ticket=f"t{n % 2000}"))

    # When grouped
    started = time.perf_counter()
    topics = group_topics(posts, max_topics=50)
    elapsed = time.perf_counter() - started

    # Then every concept of the fixtures is there with all its tickets (timing printed, not asserted)
    with capsys.disabled():
        print(f"\ngroup_topics: 5,000 posts in {elapsed:.2f} s, {len(topics)} topics")
    keys = _by_key(topics)
    for concept in {c for c, _, _, _ in base if not c.startswith("terms:")}:
        expected = len({f"t{n % 2000}" for n in range(5000) if base[n % len(base)][0] == concept})
        assert keys[f"concept:{concept}"].count == expected, concept


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("配送が遅い", "delivery"),
        ("delivery is late", "delivery"),
        ("荷物がまだ届かない", "delivery"),
        ("parcel hasn't arrived", "delivery"),
        ("ログインできない", "login"),
        ("I can't log in", "login"),
        ("返金してください", "refund"),
        ("still no refund", "refund"),
        ("アプリがすぐ落ちる", "app_crash"),
        ("the app keeps crashing", "app_crash"),
        ("送料が高すぎる", "shipping_fee"),
        ("shipping fees are too high", "shipping_fee"),
        ("説明書が英語で分からない", "manual"),
        ("the manual is only in Japanese", "manual"),
        ("店員の態度が悪い", "staff_attitude"),
        ("the staff were rude", "staff_attitude"),
        ("回線が繋がらない", "connection"),
        ("no signal since this morning", "connection"),
        ("会場が分からない", "venue"),
        ("where is the venue entrance", "venue"),
        ("在庫がない、品切れ", "stock"),
        ("out of stock again", "stock"),
        ("電話が繋がらない", "support_response"),
        ("二重請求されている", "billing"),
        ("I was charged twice", "billing"),
        ("味が薄くなった", "taste"),
        ("バッテリーの減りが早い", "battery"),
        ("品質が落ちた", "quality"),
    ],
)
def test_the_lexicon_maps_both_languages_to_one_concept(text: str, concept: str) -> None:
    # Given a short post / When matched / Then its concept
    assert DEFAULT_LEXICON.match(normalize(text))[0] == concept


@pytest.mark.parametrize(
    "text",
    ["意味がわからない", "学生にはもう手が届きません", "落ち着いて対応してくれました", "興味があります"],
)
def test_words_that_only_look_like_cues_name_no_concept(text: str) -> None:
    # Given 意味 (not 味), 手が届く (affordable), 落ち着く (calm) / When matched / Then nothing
    assert DEFAULT_LEXICON.match(normalize(text))[0] is None


def test_the_lexicon_has_a_label_in_both_languages_for_each_concept() -> None:
    # Given the default lexicon / Then 40-80 concepts, each labelled and reachable
    assert 40 <= len(DEFAULT_LEXICON.concepts) <= 80
    for concept in DEFAULT_LEXICON.concepts.values():
        assert concept.label_en and concept.label_ja
    tags = {tag for tag, _ in DEFAULT_LEXICON.table.words.values()} | {
        tag for tag, _ in DEFAULT_LEXICON.table.free.values()
    }
    assert set(DEFAULT_LEXICON.concepts) <= tags


def test_a_lexicon_refuses_cues_without_a_concept() -> None:
    # Given cue sections that name no concept / When built / Then refused
    with pytest.raises(ValueError, match="without a concept"):
        ConceptLexicon([], "[nowhere]\n3 | 何か\n")


def test_a_post_needs_a_timezone_and_keeps_only_japanese_or_english() -> None:
    # Given a naive timestamp / Then refused
    with pytest.raises(ValidationError):
        VocPost(ticket_id="t", message_id="m", channel="x", intent="problem", text="x", created_at="2026-11-10T10:00")
    # Given a language triage calls "und" / Then the report treats it as unknown
    post = VocPost(
        ticket_id="t", message_id="m", channel="x", language="und", intent="problem", text="x", created_at=WEEK_START
    )
    assert post.language is None


# --- the weekly report --------------------------------------------------------------------------


def _week(spec: dict[str, int], start: datetime, offset: int) -> list[VocPost]:
    texts = {
        "delivery": ["荷物がまだ届きません", "My parcel has not arrived", "配送が遅い", "Tracking is stuck"],
        "login": ["ログインできない", "Can't log in to my account", "パスワードが通らない", "Password reset fails"],
        "refund": ["返金されていない", "Still no refund", "返金まだですか", "Where is my refund"],
        "app_crash": ["アプリが落ちる", "The app keeps crashing", "起動しない", "App crashed again"],
        "price": ["値上げしすぎ", "Too expensive now", "料金が高い", "Prices went up"],
        "staff_attitude": ["店員の態度が悪い", "Rude staff at the counter", "接客がひどい", "The cashier was rude"],
    }
    posts = []
    n = offset
    for concept, count in spec.items():
        for i in range(count):
            posts.append(_post(n, texts[concept][i % 4], ticket=f"t{n}", at=start + timedelta(hours=2 + n % 100)))
            n += 1
    return posts


def test_the_weekly_report_labels_each_topic_against_the_previous_week() -> None:
    # Given this week and the previous week
    previous_start = WEEK_START - timedelta(days=7)
    this_week = _week({"delivery": 4, "login": 2, "app_crash": 2, "price": 2, "refund": 1}, WEEK_START, 0)
    last_week = _week(
        {"delivery": 1, "login": 2, "app_crash": 4, "refund": 3, "staff_attitude": 2}, previous_start, 500
    )

    # When the report is built
    report = weekly_report(this_week, last_week, WEEK_START, WEEK_END, "Asia/Tokyo")

    # Then each listed topic carries its previous count, delta and trend
    trends = {topic.key: (topic.count, topic.previous_count, topic.delta, topic.trend) for topic in report.topics}
    assert trends == {
        "concept:delivery": (4, 1, 3, "up"),
        "concept:login": (2, 2, 0, "same"),
        "concept:app_crash": (2, 4, -2, "down"),
        "concept:price": (2, 0, 2, "new"),
    }
    # And topics that fell off the list are named with both counts
    gone = {item.key: (item.previous_count, item.count) for item in report.disappeared}
    assert gone == {"concept:refund": (3, 1), "concept:staff_attitude": (2, 0)}
    assert [item.key for item in report.disappeared] == ["concept:refund", "concept:staff_attitude"]
    # And the totals
    assert report.total_posts == 11
    assert report.previous_total_posts == 12
    assert report.intents["problem"] == 11
    assert report.unlisted_posts == 1


def test_the_weekly_report_totals_every_intent_and_channel_and_ignores_posts_outside_the_week() -> None:
    # Given the fixture posts, one post after the week and one before the previous week
    posts = _fixture_posts()
    late = _post(900, "配送が遅い", at=WEEK_END + timedelta(minutes=1))
    early = _post(901, "配送が遅い", at=WEEK_START - timedelta(days=8))

    # When the report is built
    report = weekly_report([*posts, late], [early], WEEK_START, WEEK_END, "Asia/Tokyo")

    # Then the totals count every post of the week by intent and by channel
    assert report.total_posts == len(POSTS)
    assert report.intents == {
        intent: sum(1 for _, i, _, _ in POSTS if i == intent)
        for intent in ("praise", "question", "problem", "complaint", "request", "other")
    }
    assert sum(report.channels.values()) == len(POSTS)
    assert list(report.channels.values()) == sorted(report.channels.values(), reverse=True)
    assert report.languages == {"en": 17, "ja": 15}
    assert report.considered_posts == 28
    assert report.ignored_posts == 2
    assert report.previous_total_posts == 0
    assert report.grouped_intents == ["problem", "complaint", "request"]
    # And it survives a round trip through JSON (stored for the app)
    assert VocReport.model_validate_json(report.model_dump_json()) == report


def test_a_week_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="after week_start"):
        weekly_report([], [], WEEK_END, WEEK_START, "Asia/Tokyo")


# --- schedule -----------------------------------------------------------------------------------


def test_next_run_is_the_coming_tuesday_at_18_in_tokyo() -> None:
    # Given Monday noon in Tokyo / When asked / Then Tuesday 18:00 JST = 09:00 UTC
    monday_noon = datetime(2026, 11, 16, 12, 0, tzinfo=TOKYO)
    assert next_run(monday_noon) == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


def test_next_run_reads_the_weekday_in_tokyo_not_in_utc() -> None:
    # Given Monday 20:00 UTC, which is already Tuesday 05:00 in Tokyo
    after = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)

    # When asked / Then the run is that Tokyo Tuesday at 18:00, thirteen hours later
    assert next_run(after) == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    # And one minute before the run it is still that run; at the run it is the next week's
    assert next_run(datetime(2026, 11, 17, 8, 59, tzinfo=UTC)) == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 11, 17, 9, 0, tzinfo=UTC)) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_next_run_from_tuesday_18_30_is_next_tuesday() -> None:
    # Given Tuesday 18:30 JST (the hourly check just missed the run) / Then the following Tuesday
    assert next_run(datetime(2026, 11, 17, 18, 30, tzinfo=TOKYO)) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_next_run_takes_any_weekday_time_and_timezone() -> None:
    # Given a Friday 09:15 schedule in New York, asked on a Friday evening in winter (EST, UTC-5)
    after = datetime(2026, 12, 4, 20, 0, tzinfo=NEW_YORK)

    # When asked / Then next Friday 09:15 EST
    assert next_run(after, weekday=4, hour=9, minute=15, tz="America/New_York") == datetime(
        2026, 12, 11, 14, 15, tzinfo=UTC
    )


def test_next_run_is_dst_safe() -> None:
    # Given a Sunday 02:30 schedule in New York and the Sunday clocks jump from 02:00 to 03:00 (2026-03-08)
    after = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)

    # When asked / Then the skipped 02:30 runs at 03:30 EDT (07:30 UTC), and the week after at 02:30 EDT
    first = next_run(after, weekday=6, hour=2, minute=30, tz="America/New_York")
    assert first == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert next_run(first, weekday=6, hour=2, minute=30, tz="America/New_York") == datetime(
        2026, 3, 15, 6, 30, tzinfo=UTC
    )
    # And across the autumn change (2026-11-01) a Tuesday 18:00 run moves from 22:00 UTC to 23:00 UTC
    assert next_run(datetime(2026, 10, 28, 0, 0, tzinfo=UTC), tz="America/New_York") == datetime(
        2026, 10, 27, 22, 0, tzinfo=UTC
    ) + timedelta(days=7, hours=1)


def test_next_run_refuses_naive_times_and_bad_schedules() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(datetime(2026, 11, 17, 9, 0))
    with pytest.raises(ValueError, match="weekday"):
        next_run(WEEK_START, weekday=7)
    with pytest.raises(ValueError, match="unknown IANA timezone"):
        next_run(WEEK_START, tz="Mars/Olympus")


def test_week_window_covers_the_seven_days_before_the_run() -> None:
    # Given the Tuesday 18:00 JST run
    run_at = next_run(datetime(2026, 11, 16, 0, 0, tzinfo=UTC))

    # When its window is asked for
    start, end = week_window(run_at, "Asia/Tokyo")

    # Then it runs from the previous Tuesday 18:00 JST up to this one, and the next window starts where it ends
    assert (start, end) == (WEEK_START, WEEK_END)
    assert week_window(next_run(run_at), "Asia/Tokyo")[0] == end


def test_week_window_across_a_dst_change_is_seven_local_days() -> None:
    # Given a Tuesday 18:00 run in New York the week clocks went back (2026-11-01)
    run_at = next_run(datetime(2026, 11, 2, 0, 0, tzinfo=UTC), tz="America/New_York")

    # When its window is asked for
    start, end = week_window(run_at, "America/New_York")

    # Then both ends are 18:00 local and the week is 169 hours long
    assert start.astimezone(NEW_YORK).hour == end.astimezone(NEW_YORK).hour == 18
    assert end - start == timedelta(hours=169)


# --- HTML and CSV -------------------------------------------------------------------------------


def _report(extra: list[VocPost] | None = None) -> VocReport:
    this_week = _fixture_posts() + (extra or [])
    last_week = _week({"delivery": 2, "login": 3, "staff_attitude": 2}, WEEK_START - timedelta(days=7), 500)
    return weekly_report(this_week, last_week, WEEK_START, WEEK_END, "Asia/Tokyo")


HOSTILE = [
    _post(
        800,
        '配送が遅い <script>alert("x")</script> "onerror=alert(1) <img src=x onerror=alert(2)>',
        ticket="h1",
        channel='x"><script>alert(3)</script>',
        url="javascript:alert(4)",
        at=WEEK_START + timedelta(hours=2),
    ),
    _post(
        801,
        'delivery late </blockquote><script>alert(5)</script> "onerror=',
        ticket="h2",
        channel="<b>ig</b>",
        at=WEEK_START + timedelta(hours=3),
    ),
    # Two posts about something the lexicon does not know: their words become a topic's label.
    _post(802, "<script>gizmo</script> gizmotron gadgets please", "request", ticket="h3", at=WEEK_START),
    _post(803, "<script>gizmo</script> more gizmotron gadgets", "request", ticket="h4", at=WEEK_START),
]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_html_page_escapes_every_customer_word(language: str) -> None:
    # Given posts with markup in their text, channel name and link, which become quotes and labels
    report = weekly_report(HOSTILE, [], WEEK_START, WEEK_END, "Asia/Tokyo")
    assert [topic.key for topic in report.topics] == ["concept:delivery", "terms:gadget+gizmotron+script"]

    # When rendered
    page = render_html(report, language)  # type: ignore[arg-type]

    # Then no markup from a post survives, only its escaped text
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert '"onerror=' not in lowered
    assert "javascript:" not in lowered
    assert "<b>" not in lowered
    assert "&lt;script&gt;" in page
    assert "&quot;onerror=" in page
    assert "x&quot;&gt;&lt;script&gt;alert(3)" in page  # the channel name
    assert "&lt;b&gt;ig&lt;/b&gt;" in page
    assert "gizmotron" in page


def test_the_html_page_has_the_week_totals_chart_and_table() -> None:
    # Given the fixture week
    report = _report()

    # When rendered in Japanese and in English
    ja = render_html(report, "ja")
    en = render_html(report, "en")

    # Then the title names the week in Tokyo time, and the page holds a chart and one row per topic
    assert '<html lang="ja">' in ja
    assert "2026年11月10日(火) 18:00 〜 11月17日(火) 18:00 (Asia/Tokyo)" in ja
    assert "Tue 10 Nov 2026 18:00 – Tue 17 Nov 18:00 (Asia/Tokyo)" in en
    assert ja.count("<svg") == 1 and ja.count("<rect") == min(10, len(report.topics))
    assert ja.count("<tr>") == 1 + len(report.topics) + (1 + len(report.disappeared) if report.disappeared else 0)
    assert "配送・お届け" in ja and "Delivery and shipping status" in en
    trends = {topic.key: topic.trend for topic in report.topics}
    assert (trends["concept:delivery"], trends["concept:staff_attitude"], trends["concept:refund"]) == (
        "up",
        "same",
        "new",
    )
    assert "▲ +4" in ja  # delivery: 6 tickets against 2
    assert "→ ±0" in ja  # staff attitude: 2 against 2
    assert "★ 新規" in ja and "★ new" in en
    assert "@media print" in ja
    assert "<script" not in ja.lower()


def test_the_csv_opens_in_excel_with_one_row_per_topic() -> None:
    # Given the fixture week with a post that would be a spreadsheet formula
    formula = [
        _post(850, '=HYPERLINK("http://evil") 送料が高い', "complaint", ticket="f1", at=WEEK_START),
        _post(851, "=1+1 送料が高すぎ", "complaint", ticket="f2", at=WEEK_START),
    ]
    report = _report(formula)

    # When rendered as CSV
    text = render_csv(report)

    # Then it starts with a BOM, has the agreed columns and one row per topic
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["topic_en", "topic_ja", "count", "previous_count", "delta", "trend", "channels", "example"]
    assert len(rows) == 1 + len(report.topics)
    delivery = next(row for row in rows if row[0] == "Delivery and shipping status")
    assert delivery[1] == "配送・お届け"
    assert (delivery[2], delivery[3], delivery[4], delivery[5]) == ("6", "2", "4", "up")
    assert all(":" in part for part in delivery[6].split("; "))
    # And a formula from a customer is neutralised
    fee = next(row for row in rows if row[0] == "Shipping fees")
    assert fee[7].startswith("'=")
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
