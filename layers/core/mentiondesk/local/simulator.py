"""The live demo: customers writing on every channel, delivered to the local webhooks exactly as the
platforms deliver them — X Account Activity (signed), Meta Instagram/Page webhooks (signed over the
escaped bytes Meta sends), Google Business Profile reviews (a Pub/Sub push carrying an OIDC token,
the review itself served by the fake Business Profile API).

The texts are written for this project (see demo.py); none comes from a data set.
"""

import base64
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests

from mentiondesk.channels import meta, x
from mentiondesk.local import demo
from mentiondesk.local.auth import LocalGooglePush
from mentiondesk.local.gateway import FakePlatforms
from mentiondesk.observability import logger

STARS = ("ONE", "TWO", "THREE", "FOUR", "FIVE")


@dataclass
class Sent:
    """One simulated customer message, remembered so a later one can follow it up."""

    channel: str
    customer: demo.Customer
    native_id: str
    conversation_id: str


class Simulator:
    """Posts a realistic customer message on a random channel every few seconds."""

    # channel -> weight; the mix a Japanese consumer brand sees (X first, then Instagram).
    CHANNELS: ClassVar[dict[str, int]] = {
        "x_mention": 30,
        "x_dm": 8,
        "x_keyword": 8,
        "instagram_comment": 14,
        "instagram_dm": 10,
        "instagram_mention": 5,
        "facebook_comment": 10,
        "messenger": 10,
        "google_review": 10,
    }

    def __init__(
        self,
        base_url: str,
        secrets: dict[str, str],
        google_push: LocalGooglePush,
        fakes: FakePlatforms,
        interval: tuple[float, float] = (2.0, 5.0),
        seed: int | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.x_secret = secrets["MENTIONDESK_X_CONSUMER_SECRET"]
        self.meta_secret = secrets["MENTIONDESK_META_APP_SECRET"]
        self.google_push = google_push
        self.fakes = fakes
        self.interval = interval
        self.random = random.Random(seed)  # noqa: S311 - picks demo posts, nothing secret
        self.sent = 0
        self.failed = 0
        self.by_channel: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._recent: list[Sent] = []
        # The latest deliveries as sent (path, body, headers): replayed by tests to prove idempotency.
        self.deliveries: deque[tuple[str, bytes, dict[str, str]]] = deque(maxlen=200)
        self._next_id = int(time.time() * 1000) * 1000
        self._senders: dict[str, Callable[[demo.Customer, str, Sent | None], Sent]] = {
            "x_mention": self._x_mention,
            "x_dm": self._x_dm,
            "x_keyword": self._x_keyword,
            "instagram_comment": self._instagram_comment,
            "instagram_dm": self._meta_dm("instagram"),
            "instagram_mention": self._instagram_mention,
            "facebook_comment": self._facebook_comment,
            "messenger": self._meta_dm("facebook"),
            "google_review": self._google_review,
        }

    # -- choosing --------------------------------------------------------------------------------

    def post_one(self, channel: str | None = None) -> Sent:
        """Send one message (on `channel`, or a weighted random one); raises on a refused delivery."""
        rnd = self.random
        if channel is None:
            channel = rnd.choices(list(self.CHANNELS), weights=list(self.CHANNELS.values()))[0]
        follow = [
            s
            for s in self._recent
            if s.channel == channel and channel not in ("google_review", "x_keyword", "instagram_mention")
        ]
        previous = rnd.choice(follow) if follow and rnd.random() < 0.3 else None
        customer = previous.customer if previous else rnd.choice(demo.CUSTOMERS)
        if channel == "x_keyword":
            text = rnd.choice(demo.KEYWORD_POSTS[customer.lang])
        elif channel == "google_review":
            stars, text = rnd.choice(demo.REVIEWS[customer.lang])
            text = f"{stars}:{text}"
        elif previous:
            text = rnd.choice(demo.FOLLOW_UPS[customer.lang])
        else:
            text = rnd.choice(demo.POSTS[customer.lang]).removeprefix(f"@{demo.X_HANDLE} ")
        sent = self._senders[channel](customer, text, previous)
        self.sent += 1
        self.by_channel[channel] = self.by_channel.get(channel, 0) + 1
        self._recent = [*self._recent, sent][-20:]
        return sent

    def _new_id(self) -> str:
        self._next_id += self.random.randint(1, 999)
        return str(self._next_id)

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> None:
        self.deliveries.append((path, body, headers))
        response = requests.post(
            f"{self.base_url}{path}",
            data=body,
            timeout=10,
            headers={"content-type": "application/json", **headers},
        )
        if response.status_code != 200:
            raise SimulatorRefused(path, response.status_code)

    # -- X ---------------------------------------------------------------------------------------

    def _send_x(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self._post("/webhooks/x", body, {x.SIGNATURE_HEADER: x.sign(self.x_secret, body)})

    def _x_mention(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        tweet_id = self._new_id()
        reply_to = previous.native_id if previous else None
        now = datetime.now(UTC)
        conversation = previous.conversation_id if previous else tweet_id
        # The post exists on (fake) X too, so an agent's reply to it is accepted there.
        self.fakes.x_api.add_post(
            {
                "id": tweet_id,
                "text": f"@{demo.X_HANDLE} {text}",
                "created_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "conversation_id": conversation,
                "lang": customer.lang,
            },
            _x_user(customer),
        )
        self._send_x(demo.build_delivery(customer, f"@{demo.X_HANDLE} {text}", tweet_id, reply_to, now))
        return Sent("x_mention", customer, tweet_id, conversation)

    def _x_dm(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        event_id = self._new_id()
        payload = {
            "for_user_id": demo.X_ACCOUNT_ID,
            "direct_message_events": [
                {
                    "type": "message_create",
                    "id": event_id,
                    "created_timestamp": str(int(time.time() * 1000)),
                    "message_create": {
                        "target": {"recipient_id": demo.X_ACCOUNT_ID},
                        "sender_id": customer.id,
                        "message_data": {"text": text, "entities": {"hashtags": [], "urls": [], "user_mentions": []}},
                    },
                }
            ],
            "users": {
                customer.id: {
                    "id": customer.id,
                    "created_timestamp": "1500000000000",
                    "name": customer.name,
                    "screen_name": customer.handle,
                    "followers_count": customer.followers,
                    "verified": customer.followers > 10000,
                },
                demo.X_ACCOUNT_ID: {
                    "id": demo.X_ACCOUNT_ID,
                    "name": "Mentiondesk",
                    "screen_name": demo.X_HANDLE,
                    "followers_count": 52000,
                    "verified": True,
                },
            },
        }
        self._send_x(payload)
        return Sent("x_dm", customer, event_id, customer.id)

    def _x_keyword(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        """A post that names the brand without tagging it: it waits in the fake X API until the keyword
        monitor's next poll finds it (every minute, or sooner with --time-scale)."""
        post_id = self._new_id()
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.fakes.x_api.add_post(
            {
                "id": post_id,
                "text": text,
                "created_at": now,
                "author_id": customer.id,
                "conversation_id": post_id,
                "lang": customer.lang,
                "edit_history_tweet_ids": [post_id],
            },
            _x_user(customer),
        )
        return Sent("x_keyword", customer, post_id, post_id)

    # -- Meta ------------------------------------------------------------------------------------

    def _send_meta(self, payload: dict[str, Any]) -> None:
        # Meta's own bytes: non-ASCII escaped, ", " and ": " separators. The signature covers these.
        body = json.dumps(payload, ensure_ascii=True).encode()
        self._post("/webhooks/meta", body, {meta.SIGNATURE_HEADER: meta.sign(self.meta_secret, body)})

    def _instagram_comment(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        comment_id = "179" + self._new_id()
        media_id = previous.conversation_id if previous else self.random.choice(demo.IG_MEDIA)
        value: dict[str, Any] = {
            "from": {"id": customer.meta_id, "username": customer.handle},
            "media": {"id": media_id, "media_product_type": "FEED"},
            "id": comment_id,
            "text": text,
        }
        if previous:
            value["parent_id"] = previous.native_id
        now = int(time.time())
        self.fakes.meta_graph.add_comment(
            demo.IG_ACCOUNT_ID, comment_id, platform="instagram", text=text, from_id=customer.meta_id, at=now
        )
        self._send_meta(
            {
                "object": "instagram",
                "entry": [{"id": demo.IG_ACCOUNT_ID, "time": now, "changes": [{"field": "comments", "value": value}]}],
            }
        )
        return Sent("instagram_comment", customer, comment_id, media_id)

    def _instagram_mention(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        """@mentioned in a comment on someone else's post: Meta sends only ids; webhook_meta reads the
        comment through the (fake) Graph API with the account's token."""
        media_id = "180" + self._new_id()
        comment_id = "179" + self._new_id()
        self.fakes.meta_graph.add_comment_mention(
            demo.IG_ACCOUNT_ID,
            media_id,
            comment_id,
            f"@{demo.X_HANDLE} {text}",
            customer.handle,
            from_id=customer.meta_id,
        )
        change = {"field": "mentions", "value": {"media_id": media_id, "comment_id": comment_id}}
        self._send_meta(
            {
                "object": "instagram",
                "entry": [{"id": demo.IG_ACCOUNT_ID, "time": int(time.time()), "changes": [change]}],
            }
        )
        return Sent("instagram_mention", customer, comment_id, media_id)

    def _facebook_comment(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        post_id = previous.conversation_id if previous else self.random.choice(demo.FB_POSTS)
        comment_id = f"{post_id.split('_')[1]}_{self._new_id()}"
        now = int(time.time())
        value = {
            "from": {"id": customer.meta_id, "name": customer.name},
            "post": {
                "status_type": "added_photos",
                "is_published": True,
                "permalink_url": f"https://www.facebook.com/{demo.FB_PAGE_ID}/posts/{post_id.split('_')[1]}",
                "id": post_id,
            },
            "message": text,
            "post_id": post_id,
            "comment_id": comment_id,
            "created_time": now,
            "item": "comment",
            "parent_id": previous.native_id if previous else post_id,
            "verb": "add",
        }
        self.fakes.meta_graph.add_comment(
            demo.FB_PAGE_ID, comment_id, platform="facebook", text=text, from_id=customer.meta_id, at=now
        )
        self._send_meta(
            {
                "object": "page",
                "entry": [{"id": demo.FB_PAGE_ID, "time": now, "changes": [{"field": "feed", "value": value}]}],
            }
        )
        return Sent("facebook_comment", customer, comment_id, post_id)

    def _meta_dm(self, platform: str) -> Callable[[demo.Customer, str, Sent | None], Sent]:
        account = demo.IG_ACCOUNT_ID if platform == "instagram" else demo.FB_PAGE_ID
        channel = "instagram_dm" if platform == "instagram" else "messenger"

        def send(customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
            mid = f"m_{self._new_id()}"
            now_ms = int(time.time() * 1000)
            sender = customer.meta_id
            # What the (fake) User Profile APIs tell webhook_meta about this sender.
            first, _, last = customer.name.partition(" ")
            self.fakes.meta_graph.add_sender(
                sender,
                name=customer.name,
                username=customer.handle,
                follower_count=customer.followers,
                is_verified_user=customer.followers > 10000,
                first_name=first,
                last_name=last or None,
            )
            self._send_meta(
                {
                    "object": "instagram" if platform == "instagram" else "page",
                    "entry": [
                        {
                            "id": account,
                            "time": now_ms,
                            "messaging": [
                                {
                                    "sender": {"id": sender},
                                    "recipient": {"id": account},
                                    "timestamp": now_ms,
                                    "message": {"mid": mid, "text": text},
                                }
                            ],
                        }
                    ],
                }
            )
            return Sent(channel, customer, mid, sender)

        return send

    # -- Google ----------------------------------------------------------------------------------

    def _google_review(self, customer: demo.Customer, text: str, previous: Sent | None) -> Sent:
        review_id = "Ci9" + base64.urlsafe_b64encode(self._new_id().encode()).decode().rstrip("=")
        name = f"{demo.GOOGLE_LOCATION}/reviews/{review_id}"
        at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        stars_text, text = text.split(":", 1)
        stars = int(stars_text)
        self.fakes.google_reviews[name] = {
            "name": name,
            "reviewId": review_id,
            "reviewer": {"displayName": customer.name, "isAnonymous": False},
            "starRating": STARS[stars - 1],
            "comment": text,
            "createTime": at,
            "updateTime": at,
        }
        notification = {"type": "NEW_REVIEW", "reviewName": name, "locationName": demo.GOOGLE_LOCATION}
        push = {
            "message": {
                "attributes": {},
                "data": base64.b64encode(json.dumps(notification).encode()).decode(),
                "messageId": self._new_id(),
                "publishTime": at,
            },
            "subscription": "projects/mentiondesk-local/subscriptions/gbp-reviews-push",
        }
        self._post(
            "/webhooks/google",
            json.dumps(push).encode(),
            {"authorization": f"Bearer {self.google_push.token()}"},
        )
        return Sent("google_review", customer, name, name)

    # -- running ---------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.post_one()
            except (requests.RequestException, SimulatorRefused) as error:
                self.failed += 1
                logger.warning("demo post failed", extra={"error": str(error)})
            self._stop.wait(self.random.uniform(*self.interval))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="demo-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=15)


class SimulatorRefused(Exception):
    """The local webhook did not accept a simulated delivery."""

    def __init__(self, path: str, status: int) -> None:
        super().__init__(f"{path} answered HTTP {status}")
        self.status = status


def _x_user(customer: demo.Customer) -> dict[str, Any]:
    """The customer as X API v2 describes a user."""
    return {
        "id": customer.id,
        "username": customer.handle,
        "name": customer.name,
        "verified": customer.followers > 10000,
        "public_metrics": {"followers_count": customer.followers},
    }
