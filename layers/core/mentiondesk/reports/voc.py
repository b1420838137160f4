"""The weekly voice of the customer: this week's requests and complaints grouped into topics.

Japanese active support sends product planning a weekly list of what customers asked for and
complained about (e.g. every Tuesday 18:00, before Wednesday's planning meeting). This module is the
pure logic behind it: :func:`group_topics` groups posts into topics across Japanese and English,
:func:`weekly_report` adds totals and the trend against the previous week, and :func:`next_run` /
:func:`week_window` say when a tenant's report is due and which posts it covers.

Grouping is explainable and needs no model: each post's text is normalised
(:func:`~mentiondesk.triage.normalize.normalize`) and matched against a bilingual concept lexicon
(配送/届かない/delivery → ``delivery``), so "配送が遅い" and "my delivery is late" land in one topic. The
post goes to its strongest concept (summed cue weights; ties go to the concept listed first, the more
specific one). Posts with no concept are clustered by the overlap (Jaccard) of their key terms: runs of
kanji and katakana (with kanji bigrams) in Japanese, lightly stemmed content words in English.

Counts are tickets, not messages: a customer who writes three times about one late parcel is one voice.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mentiondesk.models import Intent, Sentiment
from mentiondesk.triage.intent import INTENTS, CueTable
from mentiondesk.triage.language import detect_language_normalized
from mentiondesk.triage.normalize import normalize, strip_placeholders
from mentiondesk.triage.pii import PII_TYPES, mask_pii

Trend = Literal["new", "up", "down", "same"]
TopicKind = Literal["concept", "terms"]

DEFAULT_INTENTS: tuple[Intent, ...] = ("request", "complaint", "problem")
"""The intents a voice-of-the-customer report is about; praise and questions only when asked."""

EXAMPLES_PER_TOPIC = 3
EXAMPLE_MAX_CHARS = 280

# --- models -------------------------------------------------------------------------------------


class VocPost(BaseModel):
    """One customer post of the week, as the report needs it (text already masked by the caller)."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    message_id: str
    channel: str
    language: Literal["ja", "en"] | None = None
    intent: Intent
    sentiment: Sentiment | None = None
    text: str
    created_at: datetime = Field(description="ISO-8601 with an offset (UTC from the store)")
    url: str | None = None

    @field_validator("language", mode="before")
    @classmethod
    def _known_language(cls, value: object) -> object:
        # Triage also says "und", "zh", "ko"...; the report only tells Japanese from English.
        return value if value in ("ja", "en") else None

    @field_validator("created_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("created_at needs a timezone offset (e.g. 2026-11-17T09:00:00Z)")
        return value.astimezone(UTC)


class TopicExample(BaseModel):
    """A post quoted as an example of a topic; its text masked again and cut to 280 characters."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    message_id: str
    channel: str
    language: str
    intent: Intent
    created_at: datetime
    text: str
    url: str | None = None


class Topic(BaseModel):
    """One thing customers raised this week, with the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description='"concept:<id>" or "terms:<a>+<b>"; stable from week to week')
    kind: TopicKind
    label_en: str
    label_ja: str
    terms: list[str] = Field(description="the words that define the topic, most frequent first")
    count: int = Field(description="tickets (customers) that raised it")
    post_count: int = Field(description="posts, counting every message of those tickets")
    examples: list[TopicExample]
    intents: dict[str, int] = Field(description="tickets by intent (of each ticket's first post in the topic)")
    channels: dict[str, int] = Field(description="tickets by channel, most first")
    languages: dict[str, int] = Field(description='tickets by language: "ja", "en", "other"')


class ReportTopic(Topic):
    """A topic of the week with its trend against the previous week."""

    previous_count: int
    delta: int
    trend: Trend


class DisappearedTopic(BaseModel):
    """A topic of the previous week that no longer makes the list."""

    model_config = ConfigDict(frozen=True)

    key: str
    label_en: str
    label_ja: str
    previous_count: int
    count: int = Field(description="tickets this week (0, or fewer than the minimum to be listed)")


class VocReport(BaseModel):
    """The weekly voice of the customer, ready to render and to store for the app."""

    model_config = ConfigDict(frozen=True)

    week_start: datetime
    week_end: datetime
    timezone: str
    grouped_intents: list[str]
    total_posts: int = Field(description="every post of the week, any intent")
    previous_total_posts: int
    intents: dict[str, int] = Field(description="posts of the week by intent")
    channels: dict[str, int] = Field(description="posts of the week by channel, most first")
    languages: dict[str, int] = Field(description="posts of the week by language")
    considered_posts: int = Field(description="posts with a grouped intent")
    unlisted_posts: int = Field(description="considered posts in no listed topic (one-offs, small topics)")
    ignored_posts: int = Field(description="posts given to the report whose time is outside their week")
    topics: list[ReportTopic]
    disappeared: list[DisappearedTopic]


# --- the concept lexicon ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Concept:
    """A topic the lexicon knows, with its label in both languages."""

    key: str
    label_en: str
    label_ja: str


# Listed from the specific to the general: a post with equal evidence for two concepts goes to the
# one listed first ("配送が遅れている" is about delivery before it is about delays).
_CONCEPTS: tuple[Concept, ...] = (
    Concept("shipping_fee", "Shipping fees", "送料"),
    Concept("wrong_item", "Wrong or missing items", "誤配送・商品違い・入っていない"),
    Concept("damaged_item", "Damaged on arrival", "破損・傷・汚れ"),
    Concept("refund", "Refunds", "返金・払い戻し"),
    Concept("returns", "Returns and exchanges", "返品・交換"),
    Concept("delivery", "Delivery and shipping status", "配送・お届け"),
    Concept("packaging", "Packaging and gift wrapping", "梱包・包装"),
    Concept("stock", "Stock and sold out", "在庫・品切れ・再入荷"),
    Concept("lineup", "Product lineup and bring-back requests", "商品ラインナップ・復活の要望"),
    Concept("order", "Ordering and checkout", "注文・購入手続き"),
    Concept("billing", "Billing and charges", "請求・課金"),
    Concept("receipts", "Receipts and invoices", "領収書・請求書"),
    Concept("payment", "Payment methods", "決済・支払い方法"),
    Concept("subscription", "Subscriptions and cancelling a contract", "解約・退会・定期便"),
    Concept("price", "Prices", "値段・料金"),
    Concept("coupons", "Coupons, sales and campaigns", "クーポン・セール・キャンペーン"),
    Concept("points", "Points and rewards", "ポイント・会員特典"),
    Concept("security", "Account security and fraud", "乗っ取り・不正利用"),
    Concept("login", "Login and passwords", "ログイン・パスワード"),
    Concept("account", "Account and registration", "アカウント・会員登録"),
    Concept("app_crash", "App crashes and freezes", "アプリが落ちる・固まる"),
    Concept("app_bug", "Errors and bugs", "エラー・不具合"),
    Concept("feature_request", "Feature requests", "機能の要望"),
    Concept("notifications", "Notifications and e-mails", "通知・メール"),
    Concept("app_general", "The app (general)", "アプリ全般"),
    Concept("website", "Website", "ウェブサイト"),
    Concept("manual", "Manuals and instructions", "説明書・使い方"),
    Concept("usability", "Ease of use", "使いやすさ・分かりにくさ"),
    Concept("setup", "Setup and installation", "設定・設置"),
    Concept("language_support", "Language support and translation", "多言語対応・翻訳"),
    Concept("connection", "Connection and signal", "回線・通信・繋がらない"),
    Concept("outage", "Outages and maintenance", "障害・サービス停止・メンテナンス"),
    Concept("contract_plan", "Contracts and plans", "契約・料金プラン・機種変更"),
    Concept("battery", "Battery and charging", "バッテリー・充電"),
    Concept("device_fault", "Broken or faulty products", "故障・動かない・異音"),
    Concept("warranty_repair", "Repairs and warranty", "修理・保証"),
    Concept("quality", "Product quality and materials", "品質・素材"),
    Concept("size", "Size and fit", "サイズ"),
    Concept("design", "Design and colours", "デザイン・色"),
    Concept("not_as_described", "Not as described or pictured", "写真・説明と違う"),
    Concept("food_safety", "Food safety and freshness", "異物混入・賞味期限"),
    Concept("skin_reaction", "Skin reactions", "肌トラブル・かぶれ"),
    Concept("taste", "Taste", "味"),
    Concept("ingredients", "Ingredients and allergies", "原材料・アレルギー"),
    Concept("portion", "Portion and contents size", "量・内容量"),
    Concept("sales_pressure", "Pushy selling", "しつこい勧誘・押し売り"),
    Concept("store", "Stores and opening hours", "店舗・営業時間"),
    Concept("waiting", "Crowding and waiting times", "混雑・待ち時間"),
    Concept("cleanliness", "Cleanliness and toilets", "清潔さ・トイレ"),
    Concept("booking", "Bookings and reservations", "予約"),
    Concept("tickets_events", "Tickets and events", "チケット・イベント"),
    Concept("venue", "Venues, access and directions", "会場・アクセス・道案内"),
    Concept("delay", "Delays", "遅延・遅れ"),
    Concept("cancellation", "Cancellations", "欠航・運休・キャンセル"),
    Concept("baggage", "Baggage", "手荷物・預け荷物"),
    Concept("seats_inflight", "Seats and in-flight service", "座席・機内サービス"),
    Concept("checkin_airport", "Check-in, boarding and airports", "チェックイン・搭乗・空港"),
    Concept("staff_attitude", "Staff attitude and service", "店員の態度・接客"),
    Concept("support_response", "Customer support: replies, phone and chat", "問い合わせ対応・サポート窓口"),
    Concept("trains", "Trains, buses and stations", "電車・バス・駅"),
    Concept("flight", "Flights (general)", "フライト全般"),
    Concept("privacy", "Privacy and personal data", "個人情報・プライバシー"),
    Concept("accessibility", "Accessibility", "バリアフリー・アクセシビリティ"),
    Concept("policy", "Policies and terms", "規約・ルール・仕様変更"),
    Concept("advertising", "Ads and brand communication", "広告・CM・SNS発信"),
)

# CueTable format (mentiondesk.triage.intent): "[concept]" sections, "weight | cue | cue" lines, in
# normalised form. Japanese cues match as substrings (a one-kanji cue only stands alone: 味 is not in
# 意味), English ones on words; English entries also match their inflections (_english_forms).
# Weights: 3 names the topic, 2 points to it, 1 is a generic word that decides only when nothing else
# does. A cue of weight 0 hides the shorter cues inside it.
_CUES = """
[shipping_fee]
3 | 送料 | 配送料 | 配送手数料 | 送料無料 | shipping fee | shipping cost | shipping charge | delivery fee
3 | delivery charge | postage | free shipping

[wrong_item]
3 | 違う商品 | 別の商品 | 間違った商品 | 商品が違 | 誤配 | 誤送 | 同梱されて | 足りな | 足りません
3 | wrong item | wrong product | wrong order | wrong size | wrong colour | wrong color | sent the wrong
3 | missing item | missing part | not in the box | incomplete order
2 | 入っていな | 入ってな | 入っていません | 部品 | ネジ | パーツ | 付属品

[damaged_item]
3 | 破損 | 割れて | 割れた | 割れま | 傷が | 傷つ | 傷あり | 凹み | へこみ | 汚れ | 潰れ | damaged | dented
3 | scratched | cracked | crushed | arrived broken

[refund]
3 | 返金 | 払い戻し | 払戻 | refund | money back | reimburse | reimbursement | chargeback

[returns]
3 | 返品 | 交換 | 返送 | 取り替え | 取替 | exchange | replacement | send back | return policy
2 | return

[delivery]
3 | 配送 | 配達 | 発送 | 出荷 | 未着 | 届か | 届いていない | 届いてない | 届いてません | 届いていません | 届きません
3 | 宅配 | 置き配 | 追跡 | いつ来 | 不在票 | 時間指定
3 | delivery | deliver | shipping | shipment | package | parcel | courier | tracking | dispatch
3 | not delivered | where is my order | hasn't arrived | has not arrived | never arrived | didn't arrive
2 | 荷物 | 到着 | 配達員 | 届い | 届き | 届く | 届け
1 | arrive

[packaging]
3 | 梱包 | 包装 | 過剰包装 | ラッピング | 緩衝材 | packaging | packing | gift wrap | wrapping
2 | 箱 | 段ボール | ダンボール | box

[stock]
3 | 在庫 | 品切れ | 売り切れ | 売切 | 完売 | 欠品 | 入荷 | 再入荷 | 品薄 | sold out | out of stock | restock
3 | back in stock | in stock
2 | stock

[lineup]
3 | 新商品 | 新作 | 新メニュー | 新色 | 復活 | 販売終了 | 終売 | 廃盤 | 再販 | 再発売 | 定番化 | 商品化 | bring back
3 | discontinued | new flavour | new flavor | new product | limited edition | new menu | new colour | new color
2 | 限定 | 新発売 | 出してほしい | 出して欲しい | 出してもらえ | 発売してほしい | 販売してほしい

[order]
3 | 購入手続き | 購入できない | 購入できません | 注文できない | 注文できません
2 | 注文 | 購入 | カート | order | purchase | basket | checkout | cart

[billing]
3 | 請求 | 二重請求 | 引き落とし | 引き落とさ | 引落 | 課金 | 明細 | 高額請求 | charged twice | double charged | charged
3 | overcharged | billing | billed | statement
2 | 月額 | charge | bill

[receipts]
3 | 領収書 | レシート | インボイス | 請求書 | receipt | invoice

[payment]
3 | 決済 | 支払 | 払え | 払い方 | クレジットカード | クレカ | カード払い | 後払い | 代引 | 代金引換 | コンビニ払い
3 | paypay | 電子マネー | payment | paypal | apple pay | google pay | credit card | debit card | card declined
2 | 分割 | pay

[subscription]
3 | 解約 | 退会 | 定期便 | 定期購入 | サブスク | 自動更新 | 継続課金 | 月額会員 | unsubscribe | subscription
3 | cancel subscription | cancel my subscription | auto renew | auto renewal | membership | renewal

[price]
3 | 値段 | 価格 | 料金 | 値上げ | 値上がり | 高すぎ | 割高 | 値下げ | 安く | ぼったくり | コスパ | 高額 | 手数料
3 | price | pricing | overpriced | expensive | price increase | cheaper | rip off | ripoff
2 | cost
1 | 高い | 安い

[coupons]
3 | クーポン | キャンペーン | セール | 割引 | 特典 | プロモ | coupon | promo | promo code | discount | voucher
3 | giveaway | campaign | offer code
2 | sale

[points]
3 | ポイント | マイル | 会員ランク | スタンプカード | points | reward | loyalty | frequent flyer | mileage
3 | elite status | miles

[security]
3 | 乗っ取 | のっと | 不正ログイン | 不正利用 | 身に覚えのない | 心当たりのない | フィッシング | 詐欺メール | なりすまし
3 | 不審なメール | hacked | compromised | unauthorized | unauthorised | fraud | fraudulent | phishing
3 | suspicious login | suspicious activity | identity theft | scam email | scam text

[login]
3 | ログイン | パスワード | ログアウト | 認証コード | 二段階認証 | 2段階認証 | ワンタイムパスワード | サインイン
3 | パスコード | 暗証番号 | 生体認証 | 顔認証 | login | log in | logged in | sign in | signin | logged out
3 | password | 2fa | two factor | verification code | otp | locked out | password reset
2 | 認証

[account]
3 | アカウント | 会員登録 | 新規登録 | 登録情報 | 登録できない | マイページ | 凍結 | 垢 | account | sign up
3 | signup | registration | username | my page | suspended | deactivated | banned
2 | 会員 | 登録 | register | profile

[app_crash]
3 | アプリが落ち | 落ちる | 落ちた | 落ちて | 落ちま | クラッシュ | 強制終了 | フリーズ | 固まる | 固まった | 固まって
3 | 固まり | 起動しない | 起動しません | 起動できない | 真っ白 | ぐるぐる | crash
3 | crashes | crashed | crashing | keeps crashing | freeze | freezes | frozen | force close | won't open
3 | wont open | won't load | wont load | keeps closing | black screen | white screen | blank screen
2 | 開かない | 開けない

[app_bug]
3 | エラー | バグ | 表示されない | 表示されません | 反映されない | 反映されてない | 反映されていない | 反映されません
3 | 動作しない | 読み込めない | 読み込まない | error | error message | error code | bug | buggy | glitch
3 | not loading | not showing
2 | 不具合

[feature_request]
3 | 機能 | 新機能 | 追加してほしい | 追加して欲しい | 追加してください | 実装 | ダークモード | ウィジェット
3 | feature | feature request | please add | would be great if | would be nice if | add an option
3 | add a feature | option to | dark mode | widget | wishlist | wish list
2 | integration
1.5 | できるようにしてほしい | できるようにして欲しい | できるようになると | できたら嬉しい | できると嬉しい
1.5 | 対応してほしい | 対応して欲しい

[notifications]
3 | 通知 | プッシュ通知 | メルマガ | 迷惑メール | メールが届 | sms | notification | push notification
3 | newsletter | text message
2 | メール | email | e mail | spam | alert

[app_general]
3 | app store | play store
2 | アプリ | アップデート | 最新版 | app | update | latest version
1 | ios | android | iphone | スマホ | smartphone

[website]
2 | サイト | ホームページ | ウェブ | 公式サイト | ページ | リンク | website | site | web site | webpage
2 | web page | browser
1 | hp | online | link

[manual]
3 | 説明書 | 取扱説明書 | 取説 | トリセツ | マニュアル | 使い方 | 使用方法 | 設定方法 | 操作方法 | 組み立て方
3 | 組立 | manual | instructions | instruction | user guide | how to use
2 | 手順 | guide
1.5 | 説明 | explanation

[usability]
3 | 分かりにく | わかりにく | 分かりづら | わかりづら | 使いにく | 使いづら | 見づら | 見にく | 操作性 | 使い勝手
3 | 不便 | confusing | hard to use | user friendly | interface | clunky | unintuitive | not intuitive
2 | 画面 | ui | ux | layout | navigate | navigation

[setup]
3 | 初期設定 | 設定 | ペアリング | インストール | 設置 | 取り付け | 取付 | 接続方法 | 連携 | setup | set up
3 | install | installation | pairing | settings | configure | configuration | bluetooth
2 | pair | setting

[language_support]
2 | 英語 | 日本語 | 中国語 | 韓国語 | 多言語 | 翻訳 | 外国語 | english | japanese | translation | translate
2 | language | bilingual

[connection]
3 | 回線 | 繋がらな | つながらな | 繋がりにく | つながりにく | 繋がりません | つながりません | 繋がらず | つながらず
3 | 圏外 | 電波
3 | 通信速度 | 速度が遅 | 通信制限 | インターネット | wifi | wi fi | ルーター | モデム | disconnect
3 | disconnected | signal | internet | no service | bandwidth | router | modem | connection speed
2 | connection | connect | network
3 | slow internet | 5g | 4g | lte | coverage
2 | 通信 | speed
1 | ネット

[outage]
3 | 障害 | 通信障害 | システム障害 | 大規模障害 | 鯖落ち | サーバーが落ち | サーバーダウン | サーバー落ち | メンテナンス
3 | メンテ | 停止 | 利用できない | アクセスできない | outage | is down | are down | went down | site down
3 | server down | servers down | maintenance | service down | downtime
2 | サーバー | server

[contract_plan]
3 | 契約 | 料金プラン | プラン変更 | 機種変更 | 機種変 | mnp | sim | esim | 開通 | 名義変更 | contract
3 | data plan | phone plan | carrier | prepaid
2 | ギガ | 繰り越し | データ容量
1 | プラン | plan

[battery]
3 | バッテリー | 充電 | 電池 | 減りが早 | 減りがはや | 発熱 | 熱くなる | 熱くなって | 熱を持 | battery | charging
3 | charger | won't charge | not charging | overheating | overheat | battery life | drains | drain

[device_fault]
3 | 故障 | 壊れ | こわれ | 初期不良 | 不良品 | 異音 | 変な音 | 水漏れ | 電源が入らない | 電源が入りません
3 | 作動しない | 煙 | 発火 | 異臭 | broken | broke | defective | faulty | stopped working | won't turn on
3 | doesn't turn on | not turning on | malfunction | noise | noisy | grinding | rattling | leaking
3 | smoke | sparks | dead on arrival | 火花 | 焦げ臭
2 | 動かない | 動きません | 止まった | 止まって | 止まりました | leak

[warranty_repair]
3 | 修理 | 保証 | 保証期間 | メーカー保証 | 延長保証 | 点検 | 修理依頼 | 見積 | repair | warranty | guarantee
3 | service center | technician

[quality]
3 | 品質 | 素材 | 生地 | 耐久性 | 毛玉 | 色落ち | ほつれ | 縫製 | 質が悪 | 質が落ち | 安っぽ | すぐ壊れ | quality
3 | material | fabric | durability | flimsy | cheaply made | poor quality | stitching | pilling | faded

[size]
3 | サイズ | 寸法 | 大きすぎ | 小さすぎ | 着丈 | 身幅 | 丈 | size | sizing | too small | too big | too tight
3 | too large | true to size | measurements | dimensions
2 | ゆるい | fit | tight | loose
1.5 | きつい

[design]
2 | デザイン | 色 | カラー | 柄 | 見た目 | design | colour | color | style

[not_as_described]
3 | 写真と違 | 写真と実物 | 実物と違 | イメージと違 | 思ってたのと違 | 思っていたのと違 | 説明と違 | 記載と違
3 | not as described | not as pictured | looks nothing like | nothing like the picture | not what i ordered

[food_safety]
3 | 異物 | 混入 | 髪の毛 | 虫が | カビ | かび | 腐っ | 腐敗 | 賞味期限 | 消費期限 | 期限切れ | 食中毒
3 | お腹を壊 | 腹痛 | 傷んで | foreign object | hair in | bug in | mold | mould | moldy | expired | expiry
3 | best before | spoiled | rotten | stale | food poisoning | undercooked | 破片 | 片が
2 | 入ってた | 入っていた | 入ってました

[skin_reaction]
3 | 肌荒れ | 腫れ | かぶれ | ヒリヒリ | かゆみ | 痒い | かゆい | 湿疹 | 赤くなっ | 真っ赤 | ニキビ | rash
3 | itchy | irritation | breakout | broke out | swollen | skin reaction | allergic reaction | burning sensation

[taste]
3 | 味 | 味付け | 風味 | まずい | 不味い | 美味しくな | おいしくな | 味が落ち | 薄味 | しょっぱ | 塩辛 | 甘すぎ
3 | 辛すぎ | 苦い | 味が変わ | taste | flavour | flavor | bland | salty | too sweet | tasteless
2 | レシピ | recipe

[ingredients]
3 | アレルギー | 原材料 | 成分 | 添加物 | 原産地 | 産地 | カロリー | 糖質 | allergy | allergies | allergic
3 | allergen | ingredient | gluten | vegan | vegetarian | halal | calories | nutrition | dairy | lactose

[portion]
3 | 内容量 | 量が少な | 量が減 | 少なくなった | 小さくなった | ステルス値上げ | 実質値上げ | 量 | portion
3 | shrinkflation | serving size
2 | smaller | amount

[staff_attitude]
3 | 店員 | 態度 | 接客 | 無愛想 | 横柄 | 失礼 | 高圧的 | 上から目線 | 言い方 | 対応が悪 | 対応悪 | 対応最悪
3 | 感じが悪 | 感じ悪 | 乗務員 | cabin crew | flight attendant | rude | rudeness | attitude | cashier
3 | unprofessional | disrespectful | condescending | gate agent
2 | スタッフ | 従業員 | staff | employee | crew | manager

[support_response]
3 | 問い合わせ | 問合せ | 問い合せ | 問合わせ | 返信がない | 返信が来ない | 返信がありません | 返事がない
3 | 連絡がない | 連絡が来ない | 連絡がありません | 音沙汰 | 電話が繋がらない | 電話がつながらない
3 | 電話繋がらない | 電話つながらない | 電話も繋がらない | 電話もつながらない | サポートに繋がらない
3 | 窓口に繋がらない | チャットが繋がらない | コールセンター | カスタマーセンター | カスタマーサポート
3 | サポートセンター | たらい回し | 折り返し | 保留 | オペレーター | 担当者 | 返信 | 返事 | テンプレ
3 | 返信が遅 | 返事が遅 | 対応が遅 | 回答が遅
3 | customer service | customer support | customer care | support team | on hold | hold time
3 | no response | no reply | no answer | call back | callback | phone line | hotline | call center
3 | call centre | representative | live chat | hung up
2 | サポート | チャット | 窓口 | 回答 | support | hold | response | respond | reply | agent | chat | dm
1.5 | 電話 | 連絡 | phone | call

[sales_pressure]
3 | 勧誘 | 押し売り | 営業電話 | しつこい営業 | セールス | upsell | upselling | pushy | sales call | hard sell

[store]
3 | 店舗 | 営業時間 | 閉店 | 開店 | 営業日 | 定休日 | 駐車場 | レジ | 支店 | 店内 | opening hours
3 | open hours | closing time | parking
2 | 店 | 土日 | 土曜 | 日曜 | 平日 | 週末 | store | shop | branch | weekend

[waiting]
3 | 混雑 | 行列 | 並ん | 待ち時間 | 混んで | 長蛇の列 | queue | long line | wait time | waiting time | in line
3 | crowded
2 | 待たされ | 待たせ | packed
1.5 | 待った
1.5 | waiting | waited | busy

[cleanliness]
3 | 汚い | 不潔 | 清潔 | 掃除 | 衛生 | トイレ | dirty | filthy | cleanliness | hygiene | toilet
3 | bathroom | restroom | smelly
2 | clean | smell

[booking]
3 | 予約 | 予約変更 | 予約が取れ | 空席 | booking | reservation | reserve | rebook | itinerary
3 | change my flight | change fee | plane ticket | flight ticket
2 | book

[tickets_events]
3 | チケット | 抽選 | 当選 | 落選 | 入場 | イベント | ライブ | 公演 | 整理券 | 先行販売 | 転売 | concert
3 | lottery | presale | resale | scalper
2 | ticket | event | entry

[venue]
3 | 会場 | 入口 | 入り口 | 出口 | 場所 | 道 | 迷った | 迷って | 道案内 | 最寄り | 地図 | 看板 | venue
3 | entrance | directions | signage | how do i get
2 | アクセス | location | map | exit
1.5 | 案内

[delay]
3 | 遅延 | 延着 | 遅れ | 運転見合わせ | 見合わせ | 乗り遅れ | delay | delayed | late flight | behind schedule | tarmac
3 | missed connection | missed my connection | missed our connection | connecting flight | misconnect
2 | 定刻 | late | on time

[cancellation]
3 | 欠航 | 運休 | キャンセル | 取り消し | 取消 | cancel | cancelled | canceled | cancellation
2 | 中止

[baggage]
3 | 手荷物 | 預け荷物 | 預けた荷物 | ロストバゲージ | スーツケース | 荷物が出てこ | baggage | luggage | suitcase
3 | carry on | lost bag | baggage claim | checked bag
2 | bag

[seats_inflight]
3 | 座席 | 席 | 機内 | 機内食 | 指定席 | 自由席 | seat | seating | legroom | inflight | in flight
3 | entertainment | seatbelt | overhead bin | first class | business class | economy
1.5 | upgrade

[checkin_airport]
3 | チェックイン | 空港 | 搭乗 | 保安検査 | 搭乗口 | ゲート | ラウンジ | check in | checkin | boarding
3 | boarding pass | gate | airport | terminal | tsa | security line | kiosk | lounge | precheck

[trains]
2 | 電車 | 列車 | 駅 | 路線 | ダイヤ | 乗り換え | 改札 | 車内 | 新幹線 | 特急 | 終電 | 始発 | train
2 | station | subway | metro | bus | commute

[flight]
1 | フライト | 便 | 飛行機 | 航空 | flight | plane | aircraft | fly | flying | flew | airline | pilot

[privacy]
3 | 個人情報 | 情報漏洩 | 漏洩 | 流出 | プライバシー | 情報流出 | privacy | personal data | personal information
3 | data breach | breach | gdpr | my data

[accessibility]
3 | バリアフリー | 車椅子 | 車いす | 障害者 | 字幕 | 音声読み上げ | 文字が小さ | 点字 | 手話 | ベビーカー
3 | 授乳室 | 盲導犬 | accessibility | accessible | wheelchair | disabled | disability | captions
3 | subtitles | screen reader | font size | text size | stroller | hearing impaired

[policy]
3 | 規約 | 利用規約 | ルール | 方針 | 仕様変更 | 改悪 | 廃止 | 改定 | 有料化 | 規定 | policy | terms
3 | terms of service | fine print | rule

[advertising]
3 | cm | 広告 | コマーシャル | 宣伝 | 炎上 | 公式アカウント | ad | ads | advert | advertisement | commercial
3 | marketing
2 | 表現

[_blockers]
0 | が落ち | 落ち着 | 落ち込 | 届け出 | 意味 | 興味 | 趣味 | 気味 | 味方 | 背が高い | 評価が高い | 意識が高い
0 | 障害物 | 電話番号 | out of order | in order to | in order for | on board with | sign of | no signs
0 | time to book | would book | look forward | 手が届 | ご不便
"""


def _english_forms(entry: str) -> list[str]:
    """Inflections of an English cue's last word (deliver → delivers, delivered, delivering)."""
    *head, word = entry.split(" ")
    if not word.isalpha() or len(word) < 3 or word.endswith(("ed", "ing")):
        return []
    forms = {word + "s", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word.endswith(("s", "x", "ch", "sh")):
        forms.add(word + "es")
    if len(word) <= 4 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # ship → shipped, shipping
    return sorted(" ".join([*head, form]) for form in forms)


class ConceptLexicon:
    """Concepts with their labels and bilingual cues; a tenant can extend the default with its own."""

    def __init__(self, concepts: Sequence[Concept], cues: str) -> None:
        """``cues`` is CueTable text whose sections are concept keys (and ``_blockers``)."""
        self.concepts = {concept.key: concept for concept in concepts}
        self.order = {concept.key: index for index, concept in enumerate(concepts)}
        sections: set[str] = set()
        extra: dict[str, tuple[str, float]] = {}
        tag = ""
        for raw in cues.splitlines():
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                tag = line[1:-1]
                sections.add(tag)
            elif line and not line.startswith("#"):
                weight, *entries = (part.strip() for part in line.split(" | "))
                for entry in entries:
                    if entry.isascii() and float(weight):
                        for form in _english_forms(entry):
                            extra.setdefault(form, (tag, float(weight)))
        unknown = sorted(sections - set(self.concepts) - {"_blockers"})
        missing = sorted(set(self.concepts) - sections)
        if unknown or missing:
            raise ValueError(f"cue sections without a concept: {unknown}; concepts without cues: {missing}")
        self.table = CueTable(cues, extra=extra)

    def match(self, normalized: str) -> tuple[str | None, float, tuple[str, ...]]:
        """The strongest concept in normalised text, its score and the cues that named it."""
        hits = self.table.find(
            normalized, has_latin=_ASCII_LETTER_RE.search(normalized) is not None, has_other=not normalized.isascii()
        )
        if not hits:
            return None, 0.0, ()
        scores: dict[str, float] = defaultdict(float)
        cues: dict[str, list[str]] = defaultdict(list)
        for hit in hits:
            if hit.text not in cues[hit.tag]:  # a cue said twice is said once
                cues[hit.tag].append(hit.text)
                scores[hit.tag] += hit.weight
        best = min(scores, key=lambda key: (-scores[key], self.order[key]))
        return best, scores[best], tuple(cues[best])


DEFAULT_LEXICON = ConceptLexicon(_CONCEPTS, _CUES)
"""The built-in bilingual lexicon (about 60 concepts across retail, food, telecom, apps, travel, events)."""


# --- key terms ----------------------------------------------------------------------------------

_ASCII_LETTER_RE = re.compile("[a-z]")
_PII_PLACEHOLDER_RE = re.compile("<(?:" + "|".join(PII_TYPES) + ")>", re.IGNORECASE)
_EN_WORD_RE = re.compile(r"[a-z][a-z0-9']*[a-z0-9]")
_KANJI_RUN_RE = re.compile("[\u4e00-\u9fff\u3005]{2,}")
_KATAKANA_RUN_RE = re.compile("[\u30a1-\u30fa][\u30a1-\u30fa\u30fc]+")
_DIGITS_RE = re.compile("[0-9]")
# Eight or more digits in a row (spaces and dashes allowed): an account, card or member number that
# failed mask_pii's stricter checks (a card number with a typo fails the Luhn check) still stays out of
# a quote that product planning reads.
_LONG_NUMBER_RE = re.compile(r"(?<!\d)\d(?:[ \-\u2010-\u2015\u2212\u30fc\uff0d]?\d){7,}(?!\d)")


def _words(text: str) -> frozenset[str]:
    """A word set written as a space-separated string."""
    return frozenset(text.split())


_EN_STOPWORDS = _words(
    """
    a about above after again against all almost already also although always am amp among an and another any
    anyone anything anyway are aren't around as ask asked asking at away back be became because been before
    being below best better between both but by came can can't cannot cant come comes coming could couldn't
    day days did didn't do does doesn't doing don't done dont down during each either else even ever every
    everyone everything few find first for from get gets getting give given go goes going gone good got gotten
    great guys had hadn't has hasn't have haven't having he hello help her here hers hey hi him his how however
    i i'd i'll i'm i've if im in instead into is isn't it it's its itself ive just keep know last less let like
    lol look looks lot lots gt lt quot made make makes many may maybe me might mine more most much must my myself need
    needs never new next no nobody none nor not nothing now of off ok okay on once one only or other our ours
    out over own please pls plz really right said same say says see seems she should shouldn't since so some
    someone something still such sure take tell than thank thanks that that's the their theirs them then there
    there's these they they're thing things think this those though through thx time times to today told too
    tried try trying two until up upon us use used using very via wait want wanted wants was wasn't way we
    we're week well went were weren't what what's when where which while who why will with without won't
    wont would wouldn't yes yesterday yet you you're your yours yourself
    awesome amazing awful bad badly crap damn ever fail fails fine happen happened hate hates horrible
    joke love loved omg pathetic pissed pretty ridiculous seriously stupid suck sucks terrible ugh unacceptable
    whatever worse worst wow wtf yeah
    """
)
# Japanese runs that say nothing about a topic: time words, politeness, filler nouns.
_JA_STOP_TERMS = _words(
    """
    今日 昨日 明日 今朝 今週 先週 来週 今月 先月 本当 自分 今回 前回 何度 何回 場合 以上 以下 確認 対応 状況
    時間 毎回 全然 一度 二度 大丈夫 可能 必要 問題 理由 最近 以前 現在 途中 普通 本日 先日 当日 一番 結局
    全部 早急 至急 返答 回答 方法 客様 様子 残念 最悪 最低 感じ 気持 相談 質問 情報 予定 御社 貴社 弊社 皆様
    宜敷 失礼 対象 今後 改善 連絡 電話 商品 購入 利用 使用 何故 一体 毎日 毎週 色々 是非 絶対 早く 今月中 番号
    マジ ホント ヤバ ダメ ストレス ショック ガッカリ イライラ ムカ ありがとう 最高 最強 不快 不満 意味
    """
)


def _stem(word: str) -> str:
    """A light English stem, enough to make "deliveries" meet "delivery" and "crashed" meet "crash"."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # shipped → shipp → ship
    return word


def _terms(normalized: str) -> dict[str, str]:
    """Key terms of normalised, placeholder-free text: stem → the surface form seen."""
    terms: dict[str, str] = {}
    if _ASCII_LETTER_RE.search(normalized):
        for word in _EN_WORD_RE.findall(normalized):
            if len(word) < 3 or word in _EN_STOPWORDS or len(_DIGITS_RE.findall(word)) > 2:
                continue
            stem = _stem(word)
            if len(stem) >= 3 and stem not in _EN_STOPWORDS:
                terms.setdefault(stem, word)
    if not normalized.isascii():
        for run in _KATAKANA_RUN_RE.findall(normalized):
            if run not in _JA_STOP_TERMS:
                terms.setdefault(run, run)
        for match in _KANJI_RUN_RE.finditer(normalized):
            run = match.group()
            if match.start() and normalized[match.start() - 1].isdigit():
                run = run[1:]  # 50分待ち: the counter belongs to the number, not to the word
                if len(run) < 2:
                    continue
            if len(run) <= 6 and run not in _JA_STOP_TERMS:
                terms.setdefault(run, run)
            if len(run) >= 3:
                # Bigrams let 配送料 meet 配送 and 洗濯機 meet 洗濯.
                for i in range(len(run) - 1):
                    bigram = run[i : i + 2]
                    if bigram not in _JA_STOP_TERMS:
                        terms.setdefault(bigram, bigram)
    return terms


# --- grouping -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Features:
    """What grouping needs to know about one post, computed once."""

    post: VocPost
    masked: str
    normalized: str
    language: str
    concept: str | None
    score: float
    cues: tuple[str, ...]
    terms: dict[str, str]


@dataclass(slots=True)
class _Cluster:
    key: str
    kind: TopicKind
    label_en: str
    label_ja: str
    members: list[_Features]
    lead_terms: tuple[str, ...] = ()


def _features(post: VocPost, lexicon: ConceptLexicon, ignore: frozenset[str]) -> _Features:
    # The caller masks personal data; masking again costs little and keeps names and numbers out of
    # examples and out of the key terms (a name shared by two posts would otherwise become a topic).
    masked = mask_pii(post.text)
    normalized = strip_placeholders(normalize(_PII_PLACEHOLDER_RE.sub(" ", masked)))
    language: str | None = post.language
    if language is None:
        detected, _ = detect_language_normalized(normalized)
        language = detected if detected in ("ja", "en") else "other"
    concept, score, cues = lexicon.match(normalized)
    terms = _terms(normalized)
    if ignore:
        terms = {stem: surface for stem, surface in terms.items() if stem not in ignore and surface not in ignore}
    return _Features(post, masked, normalized, language, concept, score, cues, terms)


def _prepare(
    posts: Iterable[VocPost], intents: Collection[str], lexicon: ConceptLexicon, ignore_terms: Collection[str]
) -> list[_Features]:
    """Posts of the grouped intents, each message once, in a fixed order (input order never matters)."""
    ordered = sorted(
        (post for post in posts if post.intent in intents),
        key=lambda p: (p.created_at, p.ticket_id, p.message_id, p.text),
    )
    seen: set[str] = set()
    unique = []
    for post in ordered:
        if post.message_id not in seen:
            seen.add(post.message_id)
            unique.append(post)
    ignore = frozenset(normalize(term) for term in ignore_terms) | frozenset(_stem(normalize(t)) for t in ignore_terms)
    features = [_features(post, lexicon, ignore) for post in unique]
    # A word in more than a quarter of the week's posts (the brand, "flight" at an airline) names no
    # topic; it would only link everything to everything.
    df = Counter(stem for item in features for stem in item.terms)
    generic = _generic(df, len(features))
    if generic:
        for item in features:
            item.terms = {stem: surface for stem, surface in item.terms.items() if stem not in generic}
    return features


def _generic(df: Counter[str], n: int) -> set[str]:
    return {stem for stem, count in df.items() if count > 3 and count > n / 4} if n >= 20 else set()


def _cluster(features: list[_Features], lexicon: ConceptLexicon, jaccard: float) -> list[_Cluster]:
    """Concept clusters, then term clusters of the posts no concept claimed."""
    by_concept: dict[str, list[_Features]] = defaultdict(list)
    rest: list[_Features] = []
    for item in features:
        if item.concept is None:
            rest.append(item)
        else:
            by_concept[item.concept].append(item)
    clusters = [
        _Cluster(f"concept:{key}", "concept", lexicon.concepts[key].label_en, lexicon.concepts[key].label_ja, members)
        for key, members in by_concept.items()
    ]
    return clusters + _term_clusters(rest, jaccard)


def _term_clusters(items: list[_Features], threshold: float) -> list[_Cluster]:
    """Leader clustering by Jaccard overlap of key terms, with an inverted index to stay near-linear.

    Terms in more than a quarter of these posts link everything to everything and are left out.
    """
    if not items:
        return []
    generic = _generic(Counter(stem for item in items for stem in item.terms), len(items))
    leaders: list[frozenset[str]] = []
    groups: list[list[_Features]] = []
    index: dict[str, list[int]] = defaultdict(list)
    for item in items:
        terms = frozenset(stem for stem in item.terms if stem not in generic)
        if not terms:
            continue
        candidates = {c for stem in terms for c in index.get(stem, ())}
        best, best_score = -1, 0.0
        for c in sorted(candidates):
            leader = leaders[c]
            score = len(terms & leader) / len(terms | leader)
            if score > best_score:
                best, best_score = c, score
        if best >= 0 and best_score >= threshold:
            groups[best].append(item)
            continue
        leaders.append(terms)
        groups.append([item])
        for stem in terms:
            index[stem].append(len(leaders) - 1)
    clusters = []
    for members in groups:
        if len(members) < 2:
            continue  # one post is not a topic, whatever min_count says
        counts = Counter(stem for item in members for stem in item.terms if stem not in generic)
        shared = [stem for stem, n in counts.items() if n >= 2] or list(counts)
        top: list[str] = []
        for stem in sorted(shared, key=lambda stem: (-counts[stem], -len(stem), stem)):
            if len(top) < 3 and not any(stem in chosen for chosen in top):  # not 印帳 after 御朱印帳
                top.append(stem)
        surfaces = _surfaces(members)
        label = " / ".join(surfaces.get(stem, stem) for stem in top)
        clusters.append(_Cluster("terms:" + "+".join(sorted(top)), "terms", label, label, members, tuple(top)))
    return clusters


def _surfaces(members: Iterable[_Features]) -> dict[str, str]:
    """The most common surface form of each stem among the members (ties alphabetical)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for item in members:
        for stem, surface in item.terms.items():
            seen[stem][surface] += 1
    return {stem: min(forms, key=lambda form: (-forms[form], form)) for stem, forms in seen.items()}


def _tickets(members: list[_Features]) -> list[_Features]:
    """Each ticket's first post (members are in time order)."""
    first: dict[str, _Features] = {}
    for item in members:
        first.setdefault(item.post.ticket_id, item)
    return list(first.values())


def _breakdown(values: Iterable[str]) -> dict[str, int]:
    counts = Counter(values)
    return {key: counts[key] for key in sorted(counts, key=lambda k: (-counts[k], k))}


def _key_terms(cluster: _Cluster, limit: int = 8) -> list[str]:
    """The cues that named the concept, then the words the members share, most frequent first."""
    surfaces = _surfaces(cluster.members)
    if cluster.kind == "terms":
        counts = Counter(stem for item in cluster.members for stem in item.terms)
        picked = list(cluster.lead_terms)
        for stem in sorted((s for s, n in counts.items() if n >= 2), key=lambda s: (-counts[s], -len(s), s)):
            if len(picked) < limit and not any(stem in other for other in picked):
                picked.append(stem)
        return [surfaces.get(stem, stem) for stem in picked]
    cue_counts = Counter(cue for item in cluster.members for cue in item.cues)
    chosen: list[str] = []
    for cue in sorted(cue_counts, key=lambda c: (-cue_counts[c], c)):
        # One form per word: "delayed" stands for "delays" and "delay" too.
        if len(chosen) < limit // 2 and not any(_stem(cue) == _stem(other) for other in chosen):
            chosen.append(cue)
    term_counts = Counter(stem for item in cluster.members for stem in item.terms)
    for stem in sorted(term_counts, key=lambda s: (-term_counts[s], s)):
        if len(chosen) >= limit or term_counts[stem] < 2:
            break
        surface = surfaces.get(stem, stem)
        if not any(surface in cue or cue in surface or _stem(cue) == stem for cue in chosen):
            chosen.append(surface)
    return chosen


def _examples(members: list[_Features]) -> list[TopicExample]:
    """Up to three representative posts: sharing the most of the topic's words, one per language first."""
    df = Counter(feature for item in members for feature in {*item.cues, *item.terms})

    def representativeness(item: _Features) -> float:
        features = {*item.cues, *item.terms}
        shared = sum(df[f] - 1 for f in features)
        short = 0.5 if len(item.normalized) < 12 else 1.0
        return short * (shared / math.sqrt(len(features) + 1) + item.score)

    ranked = sorted(members, key=lambda item: (-representativeness(item), item.post.created_at, item.post.message_id))
    chosen: list[_Features] = []
    seen_texts: set[str] = set()
    languages = [lang for lang, _ in Counter(item.language for item in members).most_common()]
    # The best post of each language first, so a topic raised in both shows both, then by rank.
    for pool in [[item for item in ranked if item.language == lang][:1] for lang in languages] + [ranked]:
        for item in pool:
            if len(chosen) >= EXAMPLES_PER_TOPIC:
                break
            if item.normalized in seen_texts or any(item.post.ticket_id == c.post.ticket_id for c in chosen):
                continue
            seen_texts.add(item.normalized)
            chosen.append(item)
    return [
        TopicExample(
            ticket_id=item.post.ticket_id,
            message_id=item.post.message_id,
            channel=item.post.channel,
            language=item.language,
            intent=item.post.intent,
            created_at=item.post.created_at,
            text=_shorten(_LONG_NUMBER_RE.sub("<number>", item.masked).strip(), EXAMPLE_MAX_CHARS),
            url=item.post.url,
        )
        for item in chosen
    ]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _topic(cluster: _Cluster) -> Topic:
    tickets = _tickets(cluster.members)
    return Topic(
        key=cluster.key,
        kind=cluster.kind,
        label_en=cluster.label_en,
        label_ja=cluster.label_ja,
        terms=_key_terms(cluster),
        count=len(tickets),
        post_count=len(cluster.members),
        examples=_examples(cluster.members),
        intents=_breakdown(item.post.intent for item in tickets),
        channels=_breakdown(item.post.channel for item in tickets),
        languages=_breakdown(item.language for item in tickets),
    )


def _ranked(clusters: list[_Cluster]) -> list[_Cluster]:
    return sorted(clusters, key=lambda c: (-len({m.post.ticket_id for m in c.members}), c.label_en, c.key))


def group_topics(
    posts: Iterable[VocPost],
    *,
    min_count: int = 2,
    max_topics: int = 30,
    intents: Collection[Intent] = DEFAULT_INTENTS,
    lexicon: ConceptLexicon = DEFAULT_LEXICON,
    jaccard: float = 0.25,
    ignore_terms: Collection[str] = (),
) -> list[Topic]:
    """Group the week's posts of ``intents`` into topics, largest first (then by English label).

    A topic needs ``min_count`` tickets; at most ``max_topics`` are returned. ``ignore_terms`` are words
    that say nothing here (the brand's own name) and must not link posts. Same posts in any order give
    the same topics.
    """
    features = _prepare(posts, intents, lexicon, ignore_terms)
    clusters = _ranked(_cluster(features, lexicon, jaccard))
    return [_topic(c) for c in clusters if len({m.post.ticket_id for m in c.members}) >= min_count][:max_topics]


# --- the weekly report --------------------------------------------------------------------------


def weekly_report(
    this_week_posts: Iterable[VocPost],
    previous_week_posts: Iterable[VocPost],
    week_start: datetime,
    week_end: datetime,
    timezone: str = "Asia/Tokyo",
    *,
    min_count: int = 2,
    max_topics: int = 30,
    intents: Collection[Intent] = DEFAULT_INTENTS,
    lexicon: ConceptLexicon = DEFAULT_LEXICON,
    ignore_terms: Collection[str] = (),
) -> VocReport:
    """The report for [week_start, week_end): topics with their trend, totals, and topics gone quiet.

    Posts outside their window (this week, or the same span before it for the previous week) are
    counted in ``ignored_posts`` and left out, so a generous store query cannot skew the counts.
    """
    zone = _zone(timezone)
    start, end = _as_utc(week_start, "week_start"), _as_utc(week_end, "week_end")
    if end <= start:
        raise ValueError("week_end must come after week_start")
    previous_start = _resolve(start.astimezone(zone).replace(tzinfo=None) - _wall_span(start, end, zone), zone)
    given_now, given_before = list(this_week_posts), list(previous_week_posts)
    current = [p for p in given_now if start <= p.created_at < end]
    previous = [p for p in given_before if previous_start <= p.created_at < start]
    ignored = len(given_now) + len(given_before) - len(current) - len(previous)

    now_clusters = _ranked(_cluster(_prepare(current, intents, lexicon, ignore_terms), lexicon, 0.25))
    before_clusters = _cluster(_prepare(previous, intents, lexicon, ignore_terms), lexicon, 0.25)
    now_counts = {c.key: len({m.post.ticket_id for m in c.members}) for c in now_clusters}
    before_counts = {c.key: len({m.post.ticket_id for m in c.members}) for c in before_clusters}

    listed = [c for c in now_clusters if now_counts[c.key] >= min_count][:max_topics]
    matched: dict[str, str] = {}  # this week's key → last week's key
    for cluster in listed:
        match = _previous_key(cluster, before_clusters, set(matched.values()))
        if match:
            matched[cluster.key] = match
    topics = []
    for cluster in listed:
        topic = _topic(cluster)
        previous_count = before_counts.get(matched.get(cluster.key, ""), 0)
        delta = topic.count - previous_count
        trend: Trend = "new" if previous_count == 0 else "up" if delta > 0 else "down" if delta < 0 else "same"
        topics.append(ReportTopic(**topic.model_dump(), previous_count=previous_count, delta=delta, trend=trend))

    listed_before = set(matched.values())
    disappeared = [
        DisappearedTopic(
            key=c.key,
            label_en=c.label_en,
            label_ja=c.label_ja,
            previous_count=before_counts[c.key],
            count=now_counts.get(c.key, 0),
        )
        for c in before_clusters
        if before_counts[c.key] >= min_count and c.key not in listed_before and now_counts.get(c.key, 0) < min_count
    ]
    disappeared.sort(key=lambda d: (-d.previous_count, d.label_en, d.key))

    considered = [p for p in current if p.intent in intents]
    listed_messages = {m.post.message_id for c in listed for m in c.members}
    languages = _breakdown(_language_of(p) for p in current)
    return VocReport(
        week_start=start,
        week_end=end,
        timezone=timezone,
        grouped_intents=[i for i in INTENTS if i in intents],
        total_posts=len(current),
        previous_total_posts=len(previous),
        intents={intent: sum(1 for p in current if p.intent == intent) for intent in INTENTS},
        channels=_breakdown(p.channel for p in current),
        languages=languages,
        considered_posts=len(considered),
        unlisted_posts=len({p.message_id for p in considered} - listed_messages),
        ignored_posts=ignored,
        topics=topics,
        disappeared=disappeared,
    )


def _language_of(post: VocPost) -> str:
    if post.language:
        return post.language
    detected, _ = detect_language_normalized(normalize(post.text))
    return detected if detected in ("ja", "en") else "other"


def _previous_key(cluster: _Cluster, before: list[_Cluster], taken: set[str]) -> str | None:
    """Last week's topic that is this one: the same key, or for term topics two lead terms in common."""
    keys = {c.key for c in before}
    if cluster.key in keys:
        return cluster.key
    if cluster.kind != "terms":
        return None
    best: tuple[int, str] | None = None
    for old in before:
        if old.kind == "terms" and old.key not in taken:
            shared = len(set(cluster.lead_terms) & set(old.lead_terms))
            if shared >= min(2, len(cluster.lead_terms)) and (best is None or (shared, old.key) > best):
                best = (shared, old.key)
    return best[1] if best else None


# --- schedule -----------------------------------------------------------------------------------


def next_run(after: datetime, weekday: int = 1, hour: int = 18, minute: int = 0, tz: str = "Asia/Tokyo") -> datetime:
    """The first scheduled run strictly after ``after``, in UTC: ``weekday`` (0 = Monday) at hour:minute in ``tz``.

    A wall time skipped by a DST change reads with the offset before the change (02:30 becomes 03:30
    the day clocks go forward); a wall time that occurs twice means its first occurrence.
    """
    if not 0 <= weekday <= 6 or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        raise ValueError("weekday is 0 (Monday) to 6 (Sunday), hour 0-23, minute 0-59")
    zone = _zone(tz)
    instant = _as_utc(after, "after")
    local = instant.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    while True:
        candidate = _resolve(datetime.combine(day, time(hour, minute)), zone)
        if candidate > instant:
            return candidate
        day += timedelta(days=7)


def week_window(run_at: datetime, tz: str = "Asia/Tokyo") -> tuple[datetime, datetime]:
    """The week a run covers, in UTC: from the same wall time seven local days earlier up to ``run_at``.

    Pass the scheduled instant (from :func:`next_run`), not the time the job happened to start, so
    consecutive windows meet exactly. Across a DST change the week is 167 or 169 hours long.
    """
    zone = _zone(tz)
    end = _as_utc(run_at, "run_at")
    start = _resolve(end.astimezone(zone).replace(tzinfo=None) - timedelta(days=7), zone)
    return start, end


def _resolve(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of naive local ``wall`` (fold=0: first occurrence; a skipped time moves forward)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _wall_span(start: datetime, end: datetime, zone: ZoneInfo) -> timedelta:
    """The length of [start, end) on the local wall clock (a DST week is still 7 days)."""
    return end.astimezone(zone).replace(tzinfo=None) - start.astimezone(zone).replace(tzinfo=None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown IANA timezone {name!r} (e.g. 'Asia/Tokyo')") from None


def _as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)
