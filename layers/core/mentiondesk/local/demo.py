"""The demo tenant and a live simulator of customer posts arriving as signed X webhooks.

The posts below are written for this project (a fictional broadband and delivery brand); they are
not taken from any data set.
"""

import json
import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from mentiondesk.channels import x
from mentiondesk.models import Agent, ChannelAccount, Team
from mentiondesk.observability import logger
from mentiondesk.store.factory import Store

TENANT = "demo"
X_ACCOUNT_ID = "1500000000000000001"
X_HANDLE = "mentiondesk_jp"


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


def seed(store: Store, now: str) -> None:
    """Create the demo tenant, its team, users and X account (idempotent)."""
    store.directory.put_tenant(TENANT, "Demo Co.", now)
    store.directory.put_team(Team(tenant_id=TENANT, id="support", name="Support", strategy="round_robin"))
    for agent in DEMO_USERS:
        store.directory.put_agent(agent)
    if store.directory.route("x", X_ACCOUNT_ID) is None:
        store.directory.register_channel(
            ChannelAccount(
                tenant_id=TENANT,
                platform="x",
                account_id=X_ACCOUNT_ID,
                handle=X_HANDLE,
                team="support",
                created_at=now,
                created_by=DEMO_USERS[0].id,
            )
        )


@dataclass(frozen=True)
class Customer:
    id: str
    handle: str
    name: str
    followers: int
    lang: str


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


class Simulator:
    """Posts a realistic customer post to the local X webhook every few seconds, signed like X does."""

    def __init__(
        self,
        webhook_url: str,
        consumer_secret: str,
        interval: tuple[float, float] = (2.0, 5.0),
        seed: int | None = None,
    ) -> None:
        self.url = webhook_url
        self.secret = consumer_secret
        self.interval = interval
        self.random = random.Random(seed)  # noqa: S311 - picks demo posts, nothing secret
        self.sent = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._recent: list[tuple[Customer, str]] = []
        self._next_id = int(time.time() * 1000) * 1000

    def post_one(self) -> int:
        """Send one delivery; returns the HTTP status."""
        rnd = self.random
        self._next_id += rnd.randint(1, 999)
        tweet_id = str(self._next_id)
        if self._recent and rnd.random() < 0.25:
            customer, reply_to = rnd.choice(self._recent)
            text = f"@{X_HANDLE} {rnd.choice(FOLLOW_UPS[customer.lang])}"
        else:
            customer, reply_to = rnd.choice(CUSTOMERS), None
            text = rnd.choice(POSTS[customer.lang])
        body = json.dumps(
            build_delivery(customer, text, tweet_id, reply_to, datetime.now(UTC)), ensure_ascii=False
        ).encode()
        response = requests.post(
            self.url,
            data=body,
            timeout=10,
            headers={"content-type": "application/json", x.SIGNATURE_HEADER: x.sign(self.secret, body)},
        )
        if response.status_code == 200:
            self.sent += 1
            self._recent = ([*self._recent, (customer, tweet_id)])[-10:]
        else:
            self.failed += 1
            logger.warning("demo post refused", extra={"status": response.status_code})
        return response.status_code

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.post_one()
            except requests.RequestException as error:
                self.failed += 1
                logger.warning("demo post failed", extra={"error": type(error).__name__})
            self._stop.wait(self.random.uniform(*self.interval))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="demo-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=15)
