"""The demo tenant: its team, users, channel accounts on every platform, and the customers and
texts the live simulator (local/simulator.py) writes with.

The posts below are written for this project (a fictional broadband and delivery brand); they are
not taken from any data set.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from mentiondesk.channels import x
from mentiondesk.ids import new_id
from mentiondesk.models import Agent, ChannelAccount, Monitor, Team
from mentiondesk.sla.calendar import BusinessCalendar, Interval
from mentiondesk.store.factory import Store

TENANT = "demo"
X_ACCOUNT_ID = "1500000000000000001"
X_HANDLE = "mentiondesk_jp"
IG_ACCOUNT_ID = "17841400000000001"  # the Instagram professional account
IG_MEDIA = ("18020000000000001", "18020000000000002", "18020000000000003")  # our posts customers comment on
FB_PAGE_ID = "104400000000009"
FB_POSTS = (f"{FB_PAGE_ID}_300000000000101", f"{FB_PAGE_ID}_300000000000102")
GOOGLE_LOCATION = "accounts/5550009/locations/7770009"  # the flagship store on Google Maps


def user_id(email: str) -> str:
    """Stable ids for the demo users (Cognito would give UUIDs too)."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, email))


DEMO_USERS = [
    Agent(
        id=user_id("admin@demo.local"),
        tenant_id=TENANT,
        email="admin@demo.local",
        name="Aiko Admin",
        role="admin",
        team=None,
    ),
    Agent(
        id=user_id("lead@demo.local"),
        tenant_id=TENANT,
        email="lead@demo.local",
        name="Ken Lead",
        role="supervisor",
        team="support",
        online=False,
    ),
    Agent(
        id=user_id("agent1@demo.local"),
        tenant_id=TENANT,
        email="agent1@demo.local",
        name="佐藤 美咲",
        role="agent",
        team="support",
        online=True,
        capacity=50,
        hourly_rate_usd="24.00",
    ),
    Agent(
        id=user_id("agent2@demo.local"),
        tenant_id=TENANT,
        email="agent2@demo.local",
        name="Alex Morgan",
        role="agent",
        team="support",
        online=True,
        capacity=50,
        hourly_rate_usd="26.00",
    ),
    Agent(
        id=user_id("finance@demo.local"),
        tenant_id=TENANT,
        email="finance@demo.local",
        name="Yuki Finance",
        role="finance",
        team=None,
    ),
]


# The demo team answers around the clock, so its SLA due times count down whenever the demo runs
# (a team without a calendar gets DEFAULT_CALENDAR: weekdays 09:00-18:00 Tokyo, national holidays off).
DEMO_CALENDAR = BusinessCalendar(
    timezone="Asia/Tokyo",
    hours={weekday: [Interval(time(0), time(0))] for weekday in range(7)},
    japanese_holidays=False,
)
DEMO_SLA_POLICIES: list[dict[str, Any]] = [
    {
        "id": "urgent",
        "name": "Urgent: outages, money, security",
        "order": 10,
        "condition": {"field": "urgency", "op": "in", "value": ["high"]},
        "targets": {
            "first_response_minutes": 15,
            "next_response_minutes": 15,
            "resolution_minutes": 240,
            "reminders": [0.5, 0.8],
            "escalation_minutes": [0, 30],
        },
    },
    {
        "id": "standard",
        "name": "Standard",
        "order": 100,
        "targets": {
            "first_response_minutes": 60,
            "next_response_minutes": 60,
            "resolution_minutes": 1440,
            "reminders": [0.5, 0.8],
            "escalation_minutes": [0, 60],
        },
    },
]


DEMO_RULES: list[dict[str, Any]] = [
    {
        "id": "billing",
        "name": "Money: refunds and charges",
        "trigger": "ticket_created",
        "order": 10,
        "stop_on_match": False,
        "condition": {
            "field": "text",
            "op": "contains_any",
            "value": ["返金", "請求", "引き落とし", "refund", "charged", "billing"],
        },
        "actions": [{"type": "add_tags", "tags": ["billing"]}, {"type": "set_priority", "priority": "high"}],
    },
    {
        "id": "outage",
        "name": "Outages and blocked customers",
        "trigger": "message_received",
        "order": 20,
        "stop_on_match": False,
        "condition": {
            "all": [
                {"field": "urgency", "op": "in", "value": ["high"]},
                {"field": "intent", "op": "in", "value": ["problem", "complaint"]},
            ]
        },
        "actions": [{"type": "add_tags", "tags": ["outage"]}, {"type": "set_priority", "priority": "urgent"}],
    },
    {
        "id": "praise",
        "name": "Praise for the product team",
        "trigger": "ticket_created",
        "order": 30,
        "condition": {"field": "intent", "op": "in", "value": ["praise"]},
        "actions": [{"type": "add_tags", "tags": ["praise"]}, {"type": "set_priority", "priority": "low"}],
    },
]


def seed(store: Store, now: str) -> None:
    """Create the demo tenant, its team, users and X account (idempotent)."""
    store.directory.put_tenant(TENANT, "Demo Co.", now)
    store.directory.put_team(
        Team(tenant_id=TENANT, id="support", name="Support", strategy="round_robin", calendar=DEMO_CALENDAR)
    )
    rules = {r["id"] for r in store.rules.list(TENANT)}
    for rule in DEMO_RULES:
        if rule["id"] not in rules:
            store.rules.create(
                TENANT,
                rule["id"],
                {**rule, "tenant_id": TENANT, "created_at": now, "updated_at": now, "updated_by": DEMO_USERS[1].id},
            )
    existing = {p["id"] for p in store.sla_policies.list(TENANT)}
    for policy in DEMO_SLA_POLICIES:
        if policy["id"] not in existing:
            store.sla_policies.create(
                TENANT,
                policy["id"],
                {**policy, "tenant_id": TENANT, "created_at": now, "updated_at": now, "updated_by": DEMO_USERS[1].id},
            )
    for agent in DEMO_USERS:
        store.directory.put_agent(agent)
    accounts = (
        ("x", X_ACCOUNT_ID, X_HANDLE),
        ("instagram", IG_ACCOUNT_ID, X_HANDLE),
        ("facebook", FB_PAGE_ID, "Mentiondesk Demo"),
        ("google", GOOGLE_LOCATION, "Mentiondesk 渋谷店"),
    )
    for platform, account_id, handle in accounts:
        if store.directory.route(platform, account_id) is None:
            store.directory.register_channel(
                ChannelAccount(
                    tenant_id=TENANT,
                    platform=platform,
                    account_id=account_id,
                    handle=handle,
                    team="support",
                    created_at=now,
                    created_by=DEMO_USERS[0].id,
                )
            )
    if not store.monitors.for_tenant(TENANT):
        # Listening for posts that name the brand without tagging it (served by the fake X API).
        store.monitors.create(
            Monitor(
                tenant_id=TENANT,
                id=new_id(),
                kind="search",
                account_id=X_ACCOUNT_ID,
                name="Brand listening",
                query=KEYWORD_QUERY,
                languages=["ja", "en"],
                interval_minutes=1,
                monthly_budget_usd="20.00",
                created_at=now,
                created_by=DEMO_USERS[0].id,
                updated_at=now,
                next_run_at=now,
            )
        )


KEYWORD_QUERY = "mentiondesk OR メンションデスク"
# Posts that name the brand without tagging it: only the keyword monitor finds them.
KEYWORD_POSTS = {
    "ja": [
        "メンションデスクの回線、今日も夜になると遅くなる…",
        "メンションデスクで頼んだ荷物、置き配されてなかった",
        "メンションデスクのサポート、チャットの返信が早くて助かった",
    ],
    "en": [
        "is mentiondesk down for anyone else? nothing loads",
        "switched to mentiondesk last month and the speed is great",
    ],
}


@dataclass(frozen=True)
class Customer:
    id: str
    handle: str
    name: str
    followers: int
    lang: str

    @property
    def meta_id(self) -> str:
        """The same person's app-scoped id on Instagram and Facebook (Meta ids differ from X's)."""
        return "55" + self.id[-14:]


CUSTOMERS = [
    Customer("2000000000000000101", "haruka_t", "はるか", 312, "ja"),
    Customer("2000000000000000102", "kenji_1987", "けんじ", 1540, "ja"),
    Customer("2000000000000000103", "mochi_mama", "もちママ🍡", 88, "ja"),
    Customer("2000000000000000104", "tanaka_works", "田中 翔", 4020, "ja"),
    Customer("2000000000000000105", "nekoneko_p", "ねこねこ", 27, "ja"),
    Customer("2000000000000000106", "ryo_gamer", "りょう", 9800, "ja"),
    Customer("2000000000000000107", "sakura_bakes", "さくら", 640, "ja"),
    Customer("2000000000000000201", "jen_codes", "Jen Park", 2210, "en"),
    Customer("2000000000000000202", "mike_outdoors", "Mike R.", 143, "en"),
    Customer("2000000000000000203", "priya_s", "Priya S", 930, "en"),
    Customer("2000000000000000204", "tomw_travels", "Tom W", 12800, "en"),
    Customer("2000000000000000205", "dana_k", "Dana K", 56, "en"),
]

POSTS = {
    "ja": [
        "@mentiondesk_jp 昨日の夜から回線が繋がらないです…在宅勤務なので本当に困ってます😭",
        "@mentiondesk_jp 注文した荷物がまだ届かない。いつ来るの？もう3日待ってるんだけど",
        "@mentiondesk_jp 新しいルーター、設定めっちゃ簡単でした！サポートの方ありがとうございました✨",
        "@mentiondesk_jp 今月の請求が二重になってるみたいです。確認してもらえますか？",
        "@mentiondesk_jp さすが、今日も遅延ですね。もう慣れました(´・ω・`)",
        "@mentiondesk_jp アプリにログインできません。パスワード再設定のメールも来ない",
        "@mentiondesk_jp 届いた商品が壊れてました。箱もボロボロ… 交換できますか",
        "@mentiondesk_jp 店員さんの対応がすごく丁寧で感動しました！また利用します",
        "@mentiondesk_jp 説明書が英語しかなくて分からない… 日本語版ってありますか？",
        "@mentiondesk_jp 夜間のサポート窓口も作ってほしいです。仕事終わりだと電話つながらないので",
        "@mentiondesk_jp 解約の手続きってどこからできますか？",
        "@mentiondesk_jp 速度めっちゃ速くなった！乗り換えてよかったｗｗ",
        "@mentiondesk_jp 電話で30分待たされた挙句切られました。ひどすぎる💢",
        "@mentiondesk_jp 配達の時間指定、もう少し細かく選べると助かります🙏",
    ],
    "en": [
        "@mentiondesk_jp my internet has been down since this morning and I have a client call in an hour. Help!",
        "@mentiondesk_jp still waiting on my refund after 3 weeks. This is ridiculous.",
        "@mentiondesk_jp Great, another 2 hours on hold. Love that for me.",
        "@mentiondesk_jp huge thanks to your support team, fixed my router in 5 minutes!",
        "@mentiondesk_jp how do I change the delivery address on an existing order?",
        "@mentiondesk_jp I was charged twice for my subscription this month, can someone look into it?",
        "@mentiondesk_jp would be great if the app had a dark mode",
        "@mentiondesk_jp the package arrived damaged and the box was soaked",
        "@mentiondesk_jp the new plan is honestly great value, happy customer here",
    ],
}

FOLLOW_UPS = {
    "ja": [
        "まだ直らないです…",
        "返信ありがとうございます、DM送りました",
        "今確認したら直ってました！",
        "他の人も同じ状況みたいです",
    ],
    "en": [
        "still not working btw",
        "any update on this?",
        "ok it's back now, thanks",
        "DM sent with my order details",
    ],
}


# Google reviews read differently from posts: (stars, text).
REVIEWS = {
    "ja": [
        (1, "注文した商品が一週間たっても届きません。問い合わせ窓口にも電話が繋がらないです。"),
        (2, "スタッフの方は親切でしたが、待ち時間が長すぎました。予約しても40分待ちです。"),
        (5, "ルーターの設定を店頭で丁寧に手伝ってもらえました。また来ます！"),
        (4, "品揃えは良いです。駐車場がもう少し広いと嬉しい。"),
        (1, "修理に出したスマホが前より悪くなって戻ってきました。説明もありません。"),
    ],
    "en": [
        (5, "Staff sorted out my broadband contract in ten minutes. Friendly and clear."),
        (2, "Long queue and only one counter open on a Saturday."),
        (1, "Bought a router here, it died after two days and they refused an exchange."),
        (4, "Good store, helpful people, a bit pricey."),
    ],
}


def build_delivery(customer: Customer, text: str, tweet_id: str, reply_to: str | None, at: datetime) -> dict[str, Any]:
    """An Account Activity `tweet_create_events` delivery in X's documented shape."""
    return {
        "for_user_id": X_ACCOUNT_ID,
        "user_has_blocked": "false",
        "tweet_create_events": [
            {
                "created_at": x.x_timestamp(at),
                "id": int(tweet_id),
                "id_str": tweet_id,
                "text": text,
                "truncated": False,
                "in_reply_to_status_id_str": reply_to,
                "in_reply_to_user_id_str": X_ACCOUNT_ID if not reply_to else customer.id,
                "in_reply_to_screen_name": X_HANDLE,
                "is_quote_status": False,
                "lang": customer.lang,
                "user": {
                    "id": int(customer.id),
                    "id_str": customer.id,
                    "name": customer.name,
                    "screen_name": customer.handle,
                    "followers_count": customer.followers,
                    "verified": customer.followers > 10000,
                },
                "entities": {
                    "hashtags": [],
                    "urls": [],
                    "user_mentions": [{"screen_name": X_HANDLE, "id_str": X_ACCOUNT_ID}],
                    "symbols": [],
                },
            }
        ],
    }
