"""Personal data in a post: where it is and what kind, never what it says.

A :class:`PiiMatch` holds only a type and a span (``start``/``end`` index the original text, end
exclusive), so results can be logged and stored without the data itself. Types (DESIGN.md):
``phone | email | postal_address | card_number | order_number | full_name``.

Precision comes first: an agent told "personal data" moves the conversation to DM, so a false
alarm costs a customer a detour. Hence:

- phones: Japanese mobile/IP (070/080/090/050, 11 digits), landlines (10 digits with the area code
  separated, or unseparated after a phone word such as 電話/TEL), and +81 forms. Toll-free and
  navi-dial numbers (0120, 0800, 0570) belong to companies and are not reported;
- cards: 13-19 digits, contiguous or in groups, with a card-brand prefix and length and a valid
  Luhn check digit (tweet ids, JAN barcodes and order numbers fail one of the three);
- postal addresses: 〒 or 郵便番号 with a 7-digit postcode, or a prefecture / city / ward followed
  by a house number (1-2-3, 1丁目2番3号);
- order numbers: a reference word (注文番号, 予約番号, order #, booking ref, ...) followed by an
  id with digits; tenants add their own patterns (:class:`PiiDetector`);
- full names: only after a strong cue (名前は, 契約者は, ...と申します, my name is, booked under).

Full-width digits, ＠ and the many dashes people type between digits (ー, −, ‐, －) are folded to
ASCII first, one character for one, so every span stays valid in the original text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

PiiType = Literal["phone", "email", "postal_address", "card_number", "order_number", "full_name"]
PII_TYPES: tuple[PiiType, ...] = ("phone", "email", "postal_address", "card_number", "order_number", "full_name")
_Add = Callable[[PiiType, int, int], None]


class PiiMatch(BaseModel):
    """One piece of personal data: its type and where it is (``text[start:end]``), not its value."""

    model_config = ConfigDict(frozen=True)

    type: PiiType
    start: int
    end: int


def _words(text: str) -> frozenset[str]:
    """A word set written as a space-separated string."""
    return frozenset(text.split())


# --- folding (length-preserving) ----------------------------------------------------------------

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20
_NEEDS_FOLD_RE = re.compile("[\uff01-\uff5e\u3000]")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\ufe63\uff0d"
_DASH_BETWEEN_DIGITS_RE = re.compile(f"(?<=[0-9])[{_DASHES}](?=[0-9])")


def fold(text: str) -> str:
    """Full-width ASCII to ASCII and dashes between digits to "-", one character for one."""
    if text.isascii():
        return text
    if _NEEDS_FOLD_RE.search(text):
        text = text.translate(_FULL_WIDTH)
    return _DASH_BETWEEN_DIGITS_RE.sub("-", text)


# --- patterns -----------------------------------------------------------------------------------

_DIGIT_RE = re.compile("[0-9]")
_LONG_DIGITS_RE = re.compile(r"[0-9](?:[ -]?[0-9]){12}")
_PHONE_HINT_RE = re.compile(r"(?<![0-9])0[1-9]|\+81")
_ORDER_HINT_RE = re.compile(
    r"番号|no|id|コード|order|booking|confirmation|reservation|tracking|case|ticket|invoice|ref|pnr|locator"
)
_URL_RE = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)

_D = r"(?<![0-9,/-])"  # no digit or date part right before
_E = r"(?![0-9]|[-.,/:][0-9])"  # and none right after
_SEP = r"[- .]"
_PHONE_RES = (
    # mobile and IP phones: 090-1234-5678, 090 1234 5678, 09012345678
    re.compile(_D + r"0[5789]0(?:" + _SEP + r"?)[0-9]{4}(?:" + _SEP + r"?)[0-9]{4}" + _E),
    # landlines with the area code set apart: 03-1234-5678, 0422-12-3456, 03(1234)5678, (03)1234-5678
    re.compile(_D + r"0[1-9][0-9]{0,3}" + _SEP + r"[0-9]{1,4}" + _SEP + r"[0-9]{4}" + _E),
    re.compile(_D + r"0[1-9][0-9]{0,3}\([0-9]{1,4}\)[0-9]{4}" + _E),
    re.compile(r"(?<![0-9])\(0[1-9][0-9]{0,3}\) ?[0-9]{1,4}[- ]?[0-9]{4}" + _E),
    # international: +81 90-1234-5678, +81-3-1234-5678, +81 (0)90 1234 5678, +819012345678
    re.compile(r"\+81[- ]?(?:\(0\)[- ]?)?[1-9][0-9]{0,3}[- ]?[0-9]{1,4}[- ]?[0-9]{4}" + _E),
)
# Ten digits starting with 0 and no separators: a landline only next to a phone word.
_BARE_LANDLINE_RE = re.compile(_D + r"0[1-9][0-9]{8}" + _E)
_PHONE_WORD_RE = re.compile(r"電話|tel|☎|📞|phone|call|携帯|連絡先|fax|ファックス|でんわ", re.IGNORECASE)
_COMPANY_PREFIXES = ("0120", "0800", "0570", "0990")

_CARD_RE = re.compile(
    r"(?<![0-9-])(?:[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{1,7}|[0-9]{4}([ -])[0-9]{6}\2[0-9]{4,5}|[0-9]{13,19})"
    r"(?![0-9]|-[0-9])"
)

_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|"
    "富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|"
    "和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|"
    "熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_KANJI = "\u4e00-\u9fff\u3005\u3006\u30f5\u30f6"  # kanji, 々, 〆, ヵ, ヶ
_KATAKANA = "\u30a1-\u30fa\u30fc"
_KANJI_NUM = "一二三四五六七八九十〇"
# A house number: 1-2-3, 1-2, 1丁目2番3号, 1丁目2-3, 三丁目4番地, 12番地; then an optional room.
_HOUSE = (
    rf"(?:[0-9]{{1,4}}|[{_KANJI_NUM}]{{1,3}})丁目(?:[0-9]{{1,4}}(?:番地?|-)?(?:[0-9]{{1,4}}号?)?)?"
    r"|[0-9]{1,5}番地?(?:[0-9]{1,4}号?)?"
    r"|[0-9]{1,5}-[0-9]{1,4}(?:-[0-9]{1,4})?"
)
_ROOM = r"(?:[ ]?[^\s、。,!?]{0,20}?[0-9]{1,4}号室|[ ]?[0-9]{1,4}号室)?"
_NOT_A_COUNT = (
    r"(?![0-9]|時|分|秒|円|人|個|回|日|月|年|%|件|歳|枚|本|台|ヶ月|か月|カ月|名|位|点|倍|割|階|線|出口|km|m|cm|kg|g|F)"
)
_ADDRESS_BODY = (
    rf"[{_KANJI}{_KATAKANA}]{{1,8}}?[市区町村郡](?:[{_KANJI}]{{1,6}}?[市区町村])?"
    rf"(?:[{_KANJI}{_KATAKANA}]|[0-9]{{1,2}}条|[のがケ](?=[{_KANJI}])){{0,10}}?(?:{_HOUSE}){_NOT_A_COUNT}{_ROOM}"
)
_POSTAL_HINTS = ("〒", "郵", "都道府県", "市区町村郡")
_POSTAL_PATTERNS = (
    # 〒150-0002 (and the address after it, if any)
    rf"〒 ?[0-9]{{3}}-?[0-9]{{4}}(?![0-9])(?: ?(?:{_PREFECTURES})?(?:{_ADDRESS_BODY}))?",
    rf"郵便番号(?:は|:| )* ?[0-9]{{3}}-?[0-9]{{4}}(?![0-9])(?: ?(?:{_PREFECTURES})?(?:{_ADDRESS_BODY}))?",
    # 東京都港区芝浦9-8-7, 千代田区丸の内9-8-7, 大阪市北区梅田1丁目2番3号
    rf"(?:{_PREFECTURES}) ?(?:{_ADDRESS_BODY})",
    rf"(?<![{_KANJI}])(?:{_ADDRESS_BODY})",
)

# Order numbers: a reference word, a short gap, then an id with at least three digits (or, after a
# booking word, an all-capitals record locator such as XKJQ7P).
_ORDER_WORDS_JA = (
    "ご?注文番号|注文no\\.?|注文id|オーダー番号|オーダーno\\.?|受注番号|ご?予約番号|予約no\\.?|予約コード|"
    "確認番号|伝票番号|追跡番号|お?問い?合わ?せ番号|会員番号|お客様番号|契約番号|管理番号|申込番号|"
    "申し?込み番号|受付番号|購入番号|チケット番号|整理番号|配送番号|荷物番号"
)
_ORDER_WORDS_EN = (
    r"order(?: ?(?:#|no\.?|number|num|id))?|booking(?: ?(?:ref(?:erence)?|number|no\.?|code|id|#))?|"
    r"confirmation(?: ?(?:number|code|no\.?|#))?|reservation(?: ?(?:number|code|no\.?|#))?|"
    r"tracking(?: ?(?:number|no\.?|#|id))?|case(?: ?(?:number|no\.?|#|id))|ticket(?: ?(?:number|no\.?|#))|"
    r"invoice(?: ?(?:number|no\.?|#))?|ref(?:erence)?(?: ?(?:number|no\.?|#))|pnr|record locator"
)
_GAP = r"[ :#=、,は]*(?:is[ :#]+|が ?)?"
_ID = r"(?P<id>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){3,29})(?![A-Za-z0-9])"
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    rf"(?i:{_ORDER_WORDS_JA}){_GAP}{_ID}",
    rf"(?<![A-Za-z])(?i:{_ORDER_WORDS_EN}){_GAP}#?{_ID}",
)
_LOCATOR_WORDS = re.compile(r"予約|booking|confirmation|reservation|pnr|locator|ref", re.IGNORECASE)
_LOCATOR_RE = re.compile(r"[A-Z0-9]{5,8}")

# Full names, only after strong cues.
_NAME_JA = (
    rf"(?P<name>[{_KANJI}]{{2,3}}[ ]?[{_KANJI}]{{1,3}}|[{_KATAKANA}]{{1,7}}[ ・][{_KATAKANA}]{{1,7}}"
    r"|[\u3041-\u3096]{1,6} [\u3041-\u3096]{1,6}|[" + _KANJI + r"]{1,3} [\u3041-\u3096\u30a1-\u30fa]{1,6})"
)
_NAME_JA_END = (
    r"(?=様|さん|殿|です|でした|と申|といい|と言い|で[すし登予契申]|で$|、|。|,|\.| |!|$|\n|の名|名義|に|宛|が|は|\))"
)
_NAME_EN = r"(?P<name>[A-Z][a-z'\-]{1,20}(?: [A-Z]\.?)? [A-Z][a-z'\-]{1,20}(?:-[A-Z][a-z]+)?|[A-Z]{2,20} [A-Z]{2,20})"
_NAME_CUED_PATTERN = (
    r"(?:名前|氏名|お名前|フルネーム|契約者名?|名義人?|予約者名?|予約名|申込者名?|申し込み者|購入者名?|"
    r"注文者名?|登録名|受取人名?|宛名|本名)(?:は|が|:| )*" + _NAME_JA + _NAME_JA_END
)
_NAME_INTRODUCED_PATTERN = (
    r"(?:^|[ 、。,!\n]|私は|わたしは|僕は|こちら)" + _NAME_JA + r"(?=と申します|と申す|といいます|と言います)"
)
_NAME_EN_RE = re.compile(
    r"(?i:my name is|my name's|full name(?: is)?:?|name:|account holder(?: is|:)?|account is under"
    r"|booked under(?: the name)?|booking is under|reservation (?:is )?under|under the name(?: of)?"
    r"|cardholder(?: name)?(?: is|:)?) +" + _NAME_EN + r"(?![A-Za-z])"
)
# Common Japanese family names of two or three characters. A name in running text (中川陽菜です,
# 石井翼の名義で, a signature "(河合蓮)") is reported only when it starts with one of them and is
# followed by a self-introduction or a closing mark; one-character names (林, 森) are too often words.
_SURNAMES = (
    "佐藤|鈴木|高橋|田中|伊藤|渡辺|渡邊|渡部|山本|中村|小林|加藤|吉田|山田|佐々木|山口|松本|井上|木村|斎藤|斉藤|"
    "清水|山崎|池田|橋本|阿部|石川|山下|中島|石井|小川|前田|岡田|長谷川|藤田|後藤|近藤|村上|遠藤|青木|坂本|"
    "福田|太田|西村|藤井|金子|岡本|藤原|中野|三浦|原田|中川|松田|竹内|小野|田村|中山|和田|石田|森田|上田|"
    "内田|柴田|酒井|宮崎|横山|高木|安藤|宮本|大野|小島|谷口|今井|工藤|高田|増田|丸山|杉山|村田|大塚|新井|"
    "小山|平野|藤本|河野|上野|野口|武田|松井|千葉|岩崎|菅原|木下|久保|佐野|野村|松尾|市川|菊地|菊池|杉本|"
    "古川|大西|島田|水野|桜井|高野|吉川|山内|西田|飯田|西川|小松|北村|安田|五十嵐|川口|平田|中田|久保田|"
    "服部|岩田|土屋|川崎|福島|本田|樋口|秋山|田口|永井|山中|中西|吉村|川上|石原|大橋|松岡|馬場|浜田|森本|"
    "星野|矢野|浅野|大久保|松下|吉岡|小池|野田|荒木|大谷|内藤|松浦|熊谷|黒田|尾崎|永田|川村|望月|田辺|"
    "松村|荒井|大島|平井|早川|菅野|栗原|西山|広瀬|横田|石橋|萩原|岩本|片山|関口|宮田|大石|高山|本間|吉野|"
    "須藤|岡崎|小田|伊東|鎌田|上原|篠原|小西|松原|福井|古賀|大森|成田|奥村|内山|沢田|川島|桑原|三宅|片岡|"
    "富田|杉浦|八木|奥田|小沢|松永|北川|関根|河合|平川|岩井|中尾|白石|中井|今村|森下|小出|西尾|宮下|大川|"
    "松山|竹田|佐久間|堀内|金井|小澤|田島|西岡|飯島|細川|北野|原口|野中|中原|坂口|山根|新田|武藤|大竹|"
    "大村|水谷|小松崎|宇野|上村|松崎|内海|浅井|北原|谷|植田|大木|岡部|吉原|志村|米田|竹中|大山|石黒|井口|"
    "椎名|堀江|日高|関谷|小森|岸本|荻野|片桐|三上|梅田|稲葉|堀田|長尾|岩瀬|相馬|宮原|寺田|寺島|亀井|西野"
)
# A hiragana given name (さくら) must not be the sentence going on (山田です, 田中さん, 佐藤より).
_GIVEN = (
    r"(?:[\u4e00-\u9fff\u3005]{1,3}"
    r"|(?!です|でし|でご|さん|さま|くん|ちゃん|と|より|の|が|は|に|を|も|で|へ|や)[\u3041-\u3096]{2,4})"
)
# Characters that end place and company names, never given names (中野店, 上野駅, 藤田観光).
_NOT_GIVEN_CHARS = frozenset(
    "店駅区市町村県線口側様氏殿家屋社局部課係園館院港寺城堂亭軒荘組党校業商産工電製銀証観建運薬医病歯書庁省署所場"
)
_SIGNED_NAME_PATTERN = (
    rf"(?<![{_KANJI}])(?P<name>(?:{_SURNAMES}) ?{_GIVEN})"
    r"(?=です|でした|と申|でございます|より|\)|）|$|\n|様|さん|くん|ちゃん|の名前|の名義|名義| ?\(|で予約|で登録"
    r"|で契約)"
)


class _JapanesePatterns(NamedTuple):
    postal: tuple[re.Pattern[str], ...]
    cued_name: re.Pattern[str]
    introduced_name: re.Pattern[str]
    signed_name: re.Pattern[str]


@functools.cache
def _japanese() -> _JapanesePatterns:
    """Compiled on first use: classes spanning the kanji block cost ~60 ms to compile, too much for a cold start."""
    return _JapanesePatterns(
        postal=tuple(re.compile(p) for p in _POSTAL_PATTERNS),
        cued_name=re.compile(_NAME_CUED_PATTERN),
        introduced_name=re.compile(_NAME_INTRODUCED_PATTERN),
        signed_name=re.compile(_SIGNED_NAME_PATTERN),
    )


_NOT_NAMES = _words(
    "本人 私 自分 家族 父 母 夫 妻 主人 息子 娘 不明 未定 非公開 同じ 別人 会社 法人 登録 変更 旧姓 本名 "
    "未登録 個人 担当 担当者 代表 代理 名義 契約 旦那 嫁 母親 父親 同居"
)
_NOT_NAME_SUFFIXES = ("会社", "店", "部", "課", "係", "様", "局", "所", "省", "庁", "社", "県", "市", "区", "町", "村")
_EN_NOT_NAME_WORDS = _words(
    "Not The On In Your My This That A An And Also Just Still Very Really Here There Is Was Being Going Trying "
    "Calling Writing Waiting Customer Service Support Team Order Booking Flight Account Number Mr Mrs Ms Dr"
)
# Every kind needs a digit, an @ or a name cue (or a signature: a post ending in kanji): most posts
# are skipped after one search.
_QUICK_RE = re.compile("[0-9@\uff10-\uff19\uff20]|名|申|者|義|です|さん|様|より|[)）]|name|under|holder", re.IGNORECASE)


class PiiDetector:
    """Finds personal data; ``order_patterns`` replaces the default order-number patterns.

    Each order pattern is a regular expression; a group named ``id`` marks the span to report,
    otherwise the whole match is reported. Compiled once per detector.
    """

    def __init__(self, order_patterns: Iterable[str] = DEFAULT_ORDER_PATTERNS) -> None:
        patterns = tuple(order_patterns)
        self.order_res = tuple(re.compile(p) for p in patterns)
        # The defaults all start with a reference word, so a cheap search can skip them; a tenant's own
        # patterns (a bare "SJ-123456") always run.
        self.custom_orders = patterns != DEFAULT_ORDER_PATTERNS

    def find(self, text: str) -> list[PiiMatch]:
        """Every piece of personal data in ``text``, by position; overlapping finds keep the first kind."""
        if not text or not (_QUICK_RE.search(text) or _ends_in_kanji(text)):
            return []
        folded = fold(text)
        taken: list[tuple[int, int]] = [m.span() for m in _URL_RE.finditer(folded)] if "/" in folded else []
        found: list[PiiMatch] = []

        def add(kind: PiiType, start: int, end: int) -> None:
            if start < end and not any(start < b and a < end for a, b in taken):
                taken.append((start, end))
                found.append(PiiMatch(type=kind, start=start, end=end))

        # Each family runs only when a cheap hint is present: most posts hold no personal data.
        japanese = not folded.isascii()
        lowered = folded.lower()
        if "@" in folded:
            for match in _EMAIL_RE.finditer(folded):
                add("email", *match.span())
        if _DIGIT_RE.search(folded):
            if self.custom_orders or _ORDER_HINT_RE.search(lowered):
                self._orders(folded, add)
            if _LONG_DIGITS_RE.search(folded):
                for match in _CARD_RE.finditer(folded):
                    if is_card_number(match.group()):
                        add("card_number", *match.span())
            if _PHONE_HINT_RE.search(folded):
                self._phones(folded, add)
            if japanese:
                for hint, pattern in zip(_POSTAL_HINTS, _japanese().postal, strict=True):
                    if _has_any(folded, hint):
                        for match in pattern.finditer(folded):
                            add("postal_address", *match.span())
        self._names(folded, lowered, japanese, add)
        found.sort(key=lambda m: m.start)
        return found

    def _names(self, folded: str, lowered: str, japanese: bool, add: _Add) -> None:
        if japanese:
            patterns = _japanese()
            for match in patterns.cued_name.finditer(folded):
                if _plausible_name(match.group("name")):
                    add("full_name", *match.span("name"))
            if "申" in folded or "とい" in folded or "と言" in folded:
                for match in patterns.introduced_name.finditer(folded):
                    if _plausible_name(match.group("name")):
                        add("full_name", *match.span("name"))
            for match in patterns.signed_name.finditer(folded):
                name = match.group("name")
                if not any(ch in _NOT_GIVEN_CHARS for ch in name) and _plausible_name(name):
                    add("full_name", *match.span("name"))
        if "name" in lowered or "under" in lowered or "holder" in lowered:
            for match in _NAME_EN_RE.finditer(folded):
                if _plausible_name(match.group("name")):
                    add("full_name", *match.span("name"))

    def _orders(self, folded: str, add: _Add) -> None:
        for pattern in self.order_res:
            for match in pattern.finditer(folded):
                has_id = "id" in pattern.groupindex and match.group("id") is not None
                start, end = match.span("id") if has_id else match.span()
                value = folded[start:end]
                digits = sum(ch.isdigit() for ch in value)
                locator = has_id and _LOCATOR_WORDS.search(match.group()) and _LOCATOR_RE.fullmatch(value)
                if not has_id or digits >= 3 or (locator and digits):
                    add("order_number", start, end)

    def _phones(self, folded: str, add: _Add) -> None:
        for pattern in _PHONE_RES:
            for match in pattern.finditer(folded):
                digits = "".join(ch for ch in match.group() if ch.isdigit())
                if match.group().startswith("+81"):
                    if len(digits) in (11, 12):  # 81 + 9 or 10 national digits
                        add("phone", *match.span())
                    continue
                if digits.startswith(_COMPANY_PREFIXES):
                    continue
                mobile = digits[:3] in {"070", "080", "090", "050"}
                if (mobile and len(digits) == 11) or (not mobile and len(digits) == 10):
                    add("phone", *match.span())
        if _PHONE_WORD_RE.search(folded):
            for match in _BARE_LANDLINE_RE.finditer(folded):
                if not match.group().startswith(_COMPANY_PREFIXES):
                    add("phone", *match.span())


_DEFAULT = PiiDetector()


def find_pii(text: str) -> list[PiiMatch]:
    """Personal data in ``text`` with the default order-number patterns."""
    return _DEFAULT.find(text)


def is_card_number(candidate: str) -> bool:
    """13-19 digits with a card-brand prefix and length and a valid Luhn check digit."""
    digits = candidate.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    if not _brand_ok(digits):
        return False
    return luhn_ok(digits)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _brand_ok(digits: str) -> bool:
    length, two, four = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4":  # Visa
        return length in (16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:  # Mastercard
        return length == 16
    if two in (34, 37):  # American Express
        return length == 15
    if 3528 <= four <= 3589:  # JCB
        return length in (16, 17, 18, 19)
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:  # Diners Club
        return length in (14, 16)
    if digits.startswith(("6011", "65", "62")) or 644 <= int(digits[:3]) <= 649:  # Discover, UnionPay
        return 16 <= length <= 19
    return False


def _ends_in_kanji(text: str) -> bool:
    """A post ending in three kanji may be signed with a name (…お願いします 山田花子)."""
    tail = text.rstrip()[-3:]
    return len(tail) == 3 and all("\u4e00" <= ch <= "\u9fff" for ch in tail)


def _has_any(text: str, chars: str) -> bool:
    return any(ch in text for ch in chars)


def _plausible_name(name: str) -> bool:
    bare = name.replace(" ", "").replace("・", "")
    if bare in _NOT_NAMES or name.endswith(_NOT_NAME_SUFFIXES):
        return False
    if name.isascii():
        words = name.replace(".", "").split()
        return not any(word.capitalize() in _EN_NOT_NAME_WORDS for word in words)
    # Kanji without a space: three or more characters (two is usually a family name alone).
    return " " in name or "・" in name or len(bare) >= 3


def mask_pii(text: str) -> str:
    """The text with each piece of personal data replaced by its type, e.g. ``<phone>``.

    Masked again until nothing more is found: a mask can free its neighbour (in ``taro@example.com090-1234-5678``
    the e-mail is only recognised once the phone glued to it is ``<phone>``).
    """
    for _ in range(4):
        masked = _mask_once(text)
        if masked == text:
            break
        text = masked
    return text


def _mask_once(text: str) -> str:
    out, at = [], 0
    for match in sorted(find_pii(text), key=lambda m: m.start):
        if match.start < at:
            continue
        out.append(text[at : match.start])
        out.append(f"<{match.type}>")
        at = match.end
    out.append(text[at:])
    return "".join(out)
