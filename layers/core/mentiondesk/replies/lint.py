"""The reply composer's checks: what a support team expects of every reply before it is sent.

Personal (the customer's name, the agent's signature), never copy-paste, never sell to a customer
with a problem, no personal data in public (offer a DM instead), the brand's symbol and emoji
policy, the channel's length rule and, on X, what the post costs. Pure logic with no I/O: the
caller passes the text, the ticket's context, the brand's policy and the brand's recent replies.

Every finding is a :class:`Check` with a stable code and a severity: ``block`` stops the send
unless the brand allows an override, ``warn`` and ``info`` advise. Messages are short English
sentences that never quote the customer's data; ``params`` carry the details the agent page
translates.

Precision comes first: a false alarm costs an agent's attention on every reply. So the selling
phrases look for promotion, not for topics (a complaint about a coupon makes the reply mention the
coupon); the brand's own support numbers and role mailboxes are not personal data; and the
signature and name checks accept any reasonable form of the name.

X counts length as twitter-text v3 does (its config, URL extraction and emoji parsing); the tests
check this against twitter-text's published conformance examples.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.clock import parse_iso, utcnow
from mentiondesk.prices import X_PRICES
from mentiondesk.triage.pii import find_pii

Platform = Literal["x", "instagram", "facebook", "google"]
Mode = Literal["public", "dm", "private_reply"]
Severity = Literal["block", "warn", "info"]

CHECK_CODES: tuple[str, ...] = (
    "empty",
    "length",
    "pii_public",
    "selling",
    "emoji",
    "personal_name",
    "personal_signature",
    "copy_paste",
    "symbols",
    "cost_url",
)
_SEVERITY_RANK = {"block": 0, "warn": 1, "info": 2}
_CODE_RANK = {code: i for i, code in enumerate(CHECK_CODES)}


class BrandPolicy(BaseModel):
    """A brand's reply rules; the defaults suit a Japanese consumer brand."""

    model_config = ConfigDict(extra="forbid")

    require_customer_name: bool = True  # a public reply / DM must address the customer
    require_signature: bool = True  # the agent signs with their name ("担当：佐藤", "^Sato", "- Sato")
    # Symbols allowed beyond letters, digits, CJK, kana and ordinary punctuation.
    allowed_symbols: str = "☆★♪！!？?…。、・ー〜~"
    # deny_on_complaint: no emoji when the customer has a problem or complaint (or is negative) and it is urgent.
    emoji: Literal["allow", "deny_on_complaint", "deny"] = "deny_on_complaint"
    copy_paste_days: int = Field(7, ge=1, le=90)
    copy_paste_similarity: float = Field(0.9, gt=0.5, le=1.0)
    allow_override: bool = True  # the brand lets an agent send despite blocking checks (explicitly)


@dataclass(frozen=True)
class RecentReply:
    """A reply this brand sent recently."""

    text: str
    customer_id: str  # whose ticket it answered
    sent_at: str  # ISO-8601 UTC


@dataclass(frozen=True)
class LintContext:
    """What the checks need to know about the ticket, the agent and the channel."""

    platform: Platform
    mode: Mode
    language: str | None  # "ja" | "en" | None
    customer_id: str
    customer_name: str | None  # display name
    customer_handle: str | None  # @handle without @
    agent_name: str  # display name of the agent, e.g. "佐藤 花子" or "Sato Hanako"
    intent: str | None  # praise|question|problem|complaint|request|other
    sentiment: str | None  # positive|neutral|negative
    urgency: str | None  # high|normal|low
    account_id: str  # our channel account (for DM links)
    account_handle: str | None = None  # our @handle / IG username (for DM links)
    now: str = ""  # ISO-8601 UTC; the copy-paste window is measured back from here (the clock if empty)
    recent_replies: tuple[RecentReply, ...] = ()
    # Kinds of personal data in the customer's own message (the ticket's pii_types): a public
    # answer then offers a DM even when the reply itself is clean.
    customer_pii_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One finding: a stable code, how serious it is, an English sentence and details for the page."""

    code: str
    severity: Severity
    message: str  # one English sentence for API users; never quotes customer personal data
    params: dict[str, object] = field(default_factory=dict)  # machine-readable details for the page


@dataclass(frozen=True)
class DmOffer:
    """Move the conversation out of public: how, where, and a public reply that invites the customer."""

    mode: Literal["dm", "private_reply"]
    link: str | None  # where the customer (or the agent) opens the conversation; None when unknown
    suggested_text: dict[str, str]  # {"ja": ..., "en": ...}: a short public reply with no personal data


@dataclass(frozen=True)
class LintResult:
    """The checks in severity order, the length against the channel's limit, the cost and any DM offer."""

    checks: tuple[Check, ...]
    length: int  # weighted length on X posts; characters elsewhere
    limit: int  # the channel's limit for this mode
    cost_usd: str | None  # the platform fee of sending this reply (X only)
    dm_offer: DmOffer | None

    @property
    def blocked(self) -> bool:
        """Whether any check blocks the send."""
        return any(check.severity == "block" for check in self.checks)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        offer = self.dm_offer
        return {
            "checks": [
                {"code": c.code, "severity": c.severity, "message": c.message, "params": dict(c.params)}
                for c in self.checks
            ],
            "blocked": self.blocked,
            "length": self.length,
            "limit": self.limit,
            "cost_usd": self.cost_usd,
            "dm_offer": None
            if offer is None
            else {"mode": offer.mode, "link": offer.link, "suggested_text": dict(offer.suggested_text)},
        }


# --- X's weighted length (twitter-text v3) --------------------------------------------------------

_URL_WEIGHT = 23
_EMOJI_WEIGHT = 2


def _char_weight(code: int) -> int:
    """twitter-text v3: Latin, Greek, Cyrillic, Hebrew, Arabic, ... and some punctuation weigh 1, the rest 2."""
    if code <= 0x10FF or 0x2000 <= code <= 0x200D or 0x2010 <= code <= 0x201F or 0x2032 <= code <= 0x2037:
        return 1
    return 2


def _code_points(spec: str) -> frozenset[int]:
    """Code points from hex singles and inclusive ranges: "A9 2194-2199"."""
    out: set[int] = set()
    for part in spec.split():
        first, _, last = part.partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(out)


# Unicode's Emoji=Yes characters beyond ASCII (emoji-data.txt), and the BMP ones that show as emoji
# by default (Emoji_Presentation=Yes); the rest of the BMP ones are text unless followed by U+FE0F.
_EMOJI = _code_points(
    "A9 AE 203C 2049 2122 2139 2194-2199 21A9-21AA 231A-231B 2328 23CF 23E9-23F3 23F8-23FA 24C2 25AA-25AB"
    " 25B6 25C0 25FB-25FE 2600-2604 260E 2611 2614-2615 2618 261D 2620 2622-2623 2626 262A 262E-262F"
    " 2638-263A 2640 2642 2648-2653 265F-2660 2663 2665-2666 2668 267B 267E-267F 2692-2697 2699 269B-269C"
    " 26A0-26A1 26A7 26AA-26AB 26B0-26B1 26BD-26BE 26C4-26C5 26C8 26CE-26CF 26D1 26D3-26D4 26E9-26EA"
    " 26F0-26F5 26F7-26FA 26FD 2702 2705 2708-270D 270F 2712 2714 2716 271D 2721 2728 2733-2734 2744 2747"
    " 274C 274E 2753-2755 2757 2763-2764 2795-2797 27A1 27B0 27BF 2934-2935 2B05-2B07 2B1B-2B1C 2B50 2B55"
    " 3030 303D 3297 3299"
    " 1F004 1F0CF 1F170-1F171 1F17E-1F17F 1F18E 1F191-1F19A 1F1E6-1F1FF 1F201-1F202 1F21A 1F22F 1F232-1F23A"
    " 1F250-1F251 1F300-1F321 1F324-1F393 1F396-1F397 1F399-1F39B 1F39E-1F3F0 1F3F3-1F3F5 1F3F7-1F4FD"
    " 1F4FF-1F53D 1F549-1F54E 1F550-1F567 1F56F-1F570 1F573-1F57A 1F587 1F58A-1F58D 1F590 1F595-1F596"
    " 1F5A4-1F5A5 1F5A8 1F5B1-1F5B2 1F5BC 1F5C2-1F5C4 1F5D1-1F5D3 1F5DC-1F5DE 1F5E1 1F5E3 1F5E8 1F5EF"
    " 1F5F3 1F5FA-1F64F 1F680-1F6C5 1F6CB-1F6D2 1F6D5-1F6D7 1F6DC-1F6E5 1F6E9 1F6EB-1F6EC 1F6F0 1F6F3-1F6FC"
    " 1F7E0-1F7EB 1F7F0 1F90C-1F93A 1F93C-1F945 1F947-1F9FF 1FA70-1FAFF"
)
_PRESENTATION_BMP = _code_points(
    "231A-231B 23E9-23EC 23F0 23F3 25FD-25FE 2614-2615 2648-2653 267F 2693 26A1 26AA-26AB 26BD-26BE"
    " 26C4-26C5 26CE 26D4 26EA 26F2-26F3 26F5 26FA 26FD 2705 270A-270B 2728 274C 274E 2753-2755 2757"
    " 2795-2797 27B0 27BF 2B1B-2B1C 2B50 2B55"
)
# twemoji-parser (which X uses) takes these for emoji only with U+FE0F: ©, ®, ™, ♟, ♾.
_EMOJI_ONLY_WITH_VS16 = frozenset({0xA9, 0xAE, 0x2122, 0x265F, 0x267E})
_ZWJ, _VS15, _VS16, _KEYCAP = 0x200D, 0xFE0E, 0xFE0F, 0x20E3


class _Emoji(NamedTuple):
    start: int
    end: int
    shown: bool  # drawn as a picture (what the brand's emoji policy is about), not a text symbol


def _emoji_tail(text: str, j: int, base: int) -> tuple[int, bool]:
    """The end of one emoji whose base ends before `j` (VS16, skin tone, tag sequence), and whether it shows."""
    n = len(text)
    shown = base > 0xFFFF or base in _PRESENTATION_BMP
    if j < n and ord(text[j]) == _VS16:
        j, shown = j + 1, True
    if j < n and 0x1F3FB <= ord(text[j]) <= 0x1F3FF:
        j, shown = j + 1, True
    if base == 0x1F3F4:  # subdivision flags: black flag, tag letters, cancel tag
        while j < n and 0xE0020 <= ord(text[j]) <= 0xE007F:
            j += 1
    return j, shown


def _emoji_at(text: str, i: int) -> _Emoji | None:
    """The emoji sequence starting at `text[i]`, as twemoji-parser splits text (ZWJ chains kept whole)."""
    n = len(text)
    code = ord(text[i])
    after = ord(text[i + 1]) if i + 1 < n else 0
    if code < 0x80:
        if text[i] in "#*0123456789":  # keycaps: 1⃣ and 1️⃣
            if after == _KEYCAP:
                return _Emoji(i, i + 2, True)
            if after == _VS16 and i + 2 < n and ord(text[i + 2]) == _KEYCAP:
                return _Emoji(i, i + 3, True)
        return None
    if 0x1F1E6 <= code <= 0x1F1FF:  # flags are pairs of regional indicators
        return _Emoji(i, i + 2 if 0x1F1E6 <= after <= 0x1F1FF else i + 1, True)
    if code == _VS16:  # a stray VS16: twemoji-parser counts it, nothing is drawn
        return _Emoji(i, i + 1, False)
    if code not in _EMOJI or after == _VS15 or (code in _EMOJI_ONLY_WITH_VS16 and after != _VS16):
        return None
    j, shown = _emoji_tail(text, i + 1, code)
    while j + 1 < n and ord(text[j]) == _ZWJ and ord(text[j + 1]) in _EMOJI:
        j, _ = _emoji_tail(text, j + 2, ord(text[j + 1]))
        shown = True
    return _Emoji(i, j, shown)


def _class_of(codes: frozenset[int]) -> str:
    """A regex character class body for these code points, as ranges."""
    parts: list[str] = []
    ordered = sorted(codes)
    first = last = ordered[0]
    for code in [*ordered[1:], -1]:
        if code == last + 1:
            last = code
            continue
        parts.append(re.escape(chr(first)) + ("" if first == last else "-" + re.escape(chr(last))))
        first = last = code
    return "".join(parts)


# Where an emoji may start: most of a reply is plain text, skipped in one regex search.
_EMOJI_START_RE = re.compile(f"[#*0-9{_class_of(_EMOJI)}\ufe0f]")


def _emoji(text: str) -> list[_Emoji]:
    """Every emoji sequence in `text`, in order."""
    found: list[_Emoji] = []
    i = 0
    while (candidate := _EMOJI_START_RE.search(text, i)) is not None:
        emoji = _emoji_at(text, candidate.start())
        if emoji is None:
            i = candidate.start() + 1
        else:
            found.append(emoji)
            i = emoji.end
    return found


# --- URLs, as twitter-text extracts them: http(s):// or a bare domain with a known TLD ------------

# Country-code TLDs (twitter-text's list).
_CC_TLDS = (
    "ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br "
    "bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee "
    "eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm "
    "hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li "
    "lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne "
    "nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc "
    "sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tp tr tt "
    "tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
# Generic TLDs (twitter-text's list, ASCII ones).
_G_TLDS = (
    "aaa aarp abarth abb abbott abbvie abc able abogado abudhabi academy accenture accountant accountants "
    "aco active actor adac ads adult aeg aero aetna afamilycompany afl africa agakhan agency aig aigo "
    "airbus airforce airtel akdn alfaromeo alibaba alipay allfinanz allstate ally alsace alstom "
    "americanexpress americanfamily amex amfam amica amsterdam analytics android anquan anz aol "
    "apartments app apple aquarelle arab aramco archi army arpa art arte asda asia associates athleta "
    "attorney auction audi audible audio auspost author auto autos avianca aws axa azure baby baidu "
    "banamex bananarepublic band bank bar barcelona barclaycard barclays barefoot bargains baseball "
    "basketball bauhaus bayern bbc bbt bbva bcg bcn beats beauty beer bentley berlin best bestbuy bet "
    "bharti bible bid bike bing bingo bio biz black blackfriday blanco blockbuster blog bloomberg blue "
    "bms bmw bnl bnpparibas boats boehringer bofa bom bond boo book booking boots bosch bostik boston bot "
    "boutique box bradesco bridgestone broadway broker brother brussels budapest bugatti build builders "
    "business buy buzz bzh cab cafe cal call calvinklein cam camera camp cancerresearch canon capetown "
    "capital capitalone car caravan cards care career careers cars cartier casa case caseih cash casino "
    "cat catering catholic cba cbn cbre cbs ceb center ceo cern cfa cfd chanel channel charity chase chat "
    "cheap chintai chloe christmas chrome chrysler church cipriani circle cisco citadel citi citic city "
    "cityeats claims cleaning click clinic clinique clothing cloud club clubmed coach codes coffee "
    "college cologne com comcast commbank community company compare computer comsec condos construction "
    "consulting contact contractors cooking cookingchannel cool coop corsica country coupon coupons "
    "courses credit creditcard creditunion cricket crown crs cruise cruises csc cuisinella cymru cyou "
    "dabur dad dance data date dating datsun day dclk dds deal dealer deals degree delivery dell deloitte "
    "delta democrat dental dentist desi design dev dhl diamonds diet digital direct directory discount "
    "discover dish diy dnp docs doctor dodge dog doha domains doosan dot download drive dtv dubai duck "
    "dunlop duns dupont durban dvag dvr earth eat eco edeka edu education email emerck energy engineer "
    "engineering enterprises epost epson equipment ericsson erni esq estate esurance etisalat eurovision "
    "eus events everbank exchange expert exposed express extraspace fage fail fairwinds faith family fan "
    "fans farm farmers fashion fast fedex feedback ferrari ferrero fiat fidelity fido film final finance "
    "financial fire firestone firmdale fish fishing fit fitness flickr flights flir florist flowers "
    "flsmidth fly foo food foodnetwork football ford forex forsale forum foundation fox free fresenius "
    "frl frogans frontdoor frontier ftr fujitsu fujixerox fun fund furniture futbol fyi gal gallery gallo "
    "gallup game games gap garden gbiz gdn gea gent genting george ggee gift gifts gives giving glade "
    "glass gle global globo gmail gmbh gmo gmx godaddy gold goldpoint golf goo goodhands goodyear goog "
    "google gop got gov grainger graphics gratis green gripe grocery group guardian gucci guge guide "
    "guitars guru hair hamburg hangout haus hbo hdfc hdfcbank health healthcare help helsinki here hermes "
    "hgtv hiphop hisamitsu hitachi hiv hkt hockey holdings holiday homedepot homegoods homes homesense "
    "honda honeywell horse hospital host hosting hot hoteles hotels hotmail house how hsbc htc hughes "
    "hyatt hyundai ibm icbc ice icu ieee ifm iinet ikano imamat imdb immo immobilien inc industries "
    "infiniti info ing ink institute insurance insure int intel international intuit investments ipiranga "
    "irish iselect ismaili ist istanbul itau itv iveco iwc jaguar java jcb jcp jeep jetzt jewelry jio jlc "
    "jll jmp jnj jobs joburg jot joy jpmorgan jprs juegos juniper kaufen kddi kerryhotels kerrylogistics "
    "kerryproperties kfh kia kim kinder kindle kitchen kiwi koeln komatsu kosher kpmg kpn krd kred "
    "kuokgroup kyoto lacaixa ladbrokes lamborghini lamer lancaster lancia lancome land landrover lanxess "
    "lasalle lat latino latrobe law lawyer lds lease leclerc lefrak legal lego lexus lgbt liaison lidl "
    "life lifeinsurance lifestyle lighting like lilly limited limo lincoln linde link lipsy live living "
    "lixil llc loan loans locker locus loft lol london lotte lotto love lpl lplfinancial ltd ltda "
    "lundbeck lupin luxe luxury macys madrid maif maison makeup man management mango map market marketing "
    "markets marriott marshalls maserati mattel mba mcd mcdonalds mckinsey med media meet melbourne meme "
    "memorial men menu meo merckmsd metlife miami microsoft mil mini mint mit mitsubishi mlb mls mma mobi "
    "mobile mobily moda moe moi mom monash money monster montblanc mopar mormon mortgage moscow moto "
    "motorcycles mov movie movistar msd mtn mtpc mtr museum mutual mutuelle nab nadex nagoya name "
    "nationwide natura navy nba nec net netbank netflix network neustar new newholland news next "
    "nextdirect nexus nfl ngo nhk nico nike nikon ninja nissan nissay nokia northwesternmutual norton now "
    "nowruz nowtv nra nrw ntt nyc obi observer off office okinawa olayan olayangroup oldnavy ollo omega "
    "one ong onion onl online onyourside ooo open oracle orange org organic orientexpress origins osaka "
    "otsuka ott ovh page pamperedchef panasonic panerai paris pars partners parts party passagens pay "
    "pccw pet pfizer pharmacy phd philips phone photo photography photos physio piaget pics pictet "
    "pictures pid pin ping pink pioneer pizza place play playstation plumbing plus pnc pohl poker politie "
    "porn post pramerica praxi press prime pro prod productions prof progressive promo properties "
    "property protection pru prudential pub pwc qpon quebec quest qvc racing radio raid read realestate "
    "realtor realty recipes red redstone redumbrella rehab reise reisen reit reliance ren rent rentals "
    "repair report republican rest restaurant review reviews rexroth rich richardli ricoh rightathome ril "
    "rio rip rmit rocher rocks rodeo rogers room rsvp rugby ruhr run rwe ryukyu saarland safe safety "
    "sakura sale salon samsclub samsung sandvik sandvikcoromant sanofi sap sapo sarl sas save saxo sbi "
    "sbs sca scb schaeffler schmidt scholarships school schule schwarz science scjohnson scor scot search "
    "seat secure security seek select sener services ses seven sew sex sexy sfr shangrila sharp shaw "
    "shell shia shiksha shoes shop shopping shouji show showtime shriram silk sina singles site ski skin "
    "sky skype sling smart smile sncf soccer social softbank software sohu solar solutions song sony soy "
    "space spiegel sport spot spreadbetting srl srt stada staples star starhub statebank statefarm "
    "statoil stc stcgroup stockholm storage store stream studio study style sucks supplies supply support "
    "surf surgery suzuki swatch swiftcover swiss sydney symantec systems tab taipei talk taobao target "
    "tatamotors tatar tattoo tax taxi tci tdk team tech technology tel telecity telefonica temasek tennis "
    "teva thd theater theatre tiaa tickets tienda tiffany tips tires tirol tjmaxx tjx tkmaxx tmall today "
    "tokyo tools top toray toshiba total tours town toyota toys trade trading training travel "
    "travelchannel travelers travelersinsurance trust trv tube tui tunes tushu tvs ubank ubs uconnect "
    "unicom university uno uol ups vacations vana vanguard vegas ventures verisign vermögensberater "
    "vermögensberatung versicherung vet viajes video vig viking villas vin vip virgin visa vision vista "
    "vistaprint viva vivo vlaanderen vodka volkswagen volvo vote voting voto voyage vuelos wales walmart "
    "walter wang wanggou warman watch watches weather weatherchannel webcam weber website wed wedding "
    "weibo weir whoswho wien wiki williamhill win windows wine winners wme wolterskluwer woodside work "
    "works world wow wtc wtf xbox xerox xfinity xihuan xin xperia xxx xyz yachts yahoo yamaxun yandex "
    "yodobashi yoga yokohama you youtube yun zappos zara zero zip zippo zone zuerich"
)
# Internationalised TLDs (twitter-text's list).
_UNICODE_TLDS = (
    "ευ البحرين ລາວ 한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე ไทย ලංකා ഭാരതം ಭಾರತ భారత్ "
    "சிங்கப்பூர் இலங்கை இந்தியா ଭାରତ ભારત ਭਾਰਤ ভাৰত ভারত বাংলা भारोत भारतम् भारत ڀارت پاکستان "
    "موريتانيا مليسيا مصر قطر فلسطين عمان عراق سورية سودان تونس بھارت بارت ایران امارات المغرب "
    "السعودية الجزائر الاردن հայ қаз укр срб рф мон мкд ею бел бг ελ 삼성 닷컴 닷넷 香格里拉 "
    "餐厅 食品 飞利浦 電訊盈科 集团 通販 购物 谷歌 诺基亚 联通 网络 网站 网店 网址 组织机构 "
    "移动 珠宝 点看 游戏 淡马锡 机构 書籍 时尚 新闻 政府 政务 招聘 手表 手机 我爱你 慈善 微博 "
    "广东 工行 家電 娱乐 天主教 大拿 大众汽车 在线 嘉里大酒店 嘉里 商标 商店 商城 公益 公司 "
    "八卦 健康 信息 佛山 企业 中文网 中信 世界 ポイント ファッション セール ストア コム "
    "グーグル クラウド みんな คอม संगठन नेट कॉम همراه موقع موبايلي كوم كاثوليك عرب شبكة بيتك "
    "بازار العليان ارامكو اتصالات ابوظبي קום сайт рус орг онлайн москва ком католик дети"
)


@functools.cache
def _tlds() -> tuple[frozenset[str], tuple[str, ...]]:
    """(ASCII TLDs, internationalised TLDs longest first), built on first use."""
    return frozenset((_CC_TLDS + " " + _G_TLDS).split()), tuple(sorted(_UNICODE_TLDS.split(), key=len, reverse=True))


_PUNCT = frozenset("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$")
_SPACES = frozenset(
    chr(c)
    for c in (*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, 0x180E, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F)
) | frozenset("\u205f\u3000")
_INVALID = frozenset("\ufffe\ufeff\uffff")
_DIRECTIONAL = frozenset("\u202a\u202b\u202c\u202d\u202e")
# A URL may not follow a letter, a digit, @ or $ or # (mentions, cashtags, hashtags, e-mail addresses).
_NOT_BEFORE_URL = frozenset("@＠$#＃") | _INVALID
_NOT_BEFORE_BARE_DOMAIN = frozenset("-_./")
_TLD_STOP = frozenset("@+-")  # a TLD must not run on into these (nor into a letter or digit)
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268"
    "\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff\u0500-\u0527\u2de0-\u2dff\ua640-\ua69f"
_PATH_CHAR_RE = re.compile(f"[a-z0-9{_CYRILLIC}{_LATIN_ACCENTS}!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&]", re.IGNORECASE)
_PATH_END_RE = re.compile(f"[a-z0-9{_CYRILLIC}{_LATIN_ACCENTS}+\\-=_#/]", re.IGNORECASE)
_QUERY_CHAR_RE = re.compile(r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]", re.IGNORECASE)
_QUERY_END_RE = re.compile(r"[a-z0-9\-_&=#/]", re.IGNORECASE)
_PROTOCOL_RE = re.compile(r"https?://", re.IGNORECASE)
# A run of characters a domain may hold (with the dots, hyphens and underscores between labels).
_DOMAIN_RUN_RE = re.compile("[^\\s!'#%&()*+,\\\\/:;<=>?@\\[\\]^{|}~$\u180e\ufffe\ufeff\uffff\u202a-\u202e]+")
_ASCII_LABELS_RE = re.compile(f"(?:[a-z0-9{_LATIN_ACCENTS}-]+\\.)+", re.IGNORECASE)
_TCO_RE = re.compile(r"https?://t\.co/([a-z0-9]+)(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?", re.I)
_MAX_TCO_SLUG = 40
_ALNUM_RUN_RE = re.compile(r"[A-Za-z0-9]+")
_PUNYCODE_RUN_RE = re.compile(r"xn--[a-z0-9-]+", re.IGNORECASE)
_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63


def _is_domain_char(ch: str) -> bool:
    return ch not in _PUNCT and ch not in _SPACES and ch not in _INVALID and ch not in _DIRECTIONAL


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _label_fits(label: str) -> bool:
    """A DNS label of 1-63 characters once punycode-encoded, as twitter-text's IDNA check."""
    if label.isascii():
        return 0 < len(label) <= _MAX_LABEL_LENGTH
    if label[:4].lower() == "xn--":  # already punycode, so it must be ASCII
        return False
    try:
        encoded = "xn--" + label.encode("punycode").decode("ascii")
    except (UnicodeError, ValueError):
        return False
    return len(encoded) <= _MAX_LABEL_LENGTH


def _domain_fits(domain: str) -> bool:
    """Every label fits (twitter-text's IDNA check; it keeps the domain's own length for the URL limit)."""
    return all(_label_fits(label) for label in domain.split("."))


def _tld_end(text: str, start: int, end: int) -> int | None:
    """Where a known TLD starting at `start` (inside the label ending at `end`) ends, or None."""
    ascii_tlds, unicode_tlds = _tlds()
    after: int
    if text[start].isascii():
        punycode = _PUNYCODE_RUN_RE.match(text, start, end)
        if punycode:
            return punycode.end()
        run = _ALNUM_RUN_RE.match(text, start, end)
        if run is None or run.group().lower() not in ascii_tlds:
            return None
        after = run.end()
    else:
        found = next((t for t in unicode_tlds if text.startswith(t, start)), None)
        if found is None:
            return None
        after = start + len(found)
    if after < len(text) and (_ascii_alnum(text[after]) or text[after] in _TLD_STOP):
        return None
    return after


def _valid_label(text: str, start: int, end: int, underscore: bool) -> bool:
    label = text[start:end]
    if not label or label[0] in "-_" or label[-1] in "-_":
        return False
    return underscore or "_" not in label


def _host_end(text: str, start: int) -> int | None:
    """The end of a domain (subdomains, a domain name and a known TLD) starting at `start`, or None."""
    n = len(text)
    labels: list[tuple[int, int]] = []
    j = start
    while j < n:
        s = j
        while j < n and (_is_domain_char(text[j]) or text[j] in "-_"):
            j += 1
        if j == s:
            break
        labels.append((s, j))
        if j < n - 1 and text[j] == ".":
            j += 1
            continue
        break
    # The longest host whose last label starts with a known TLD (regex backtracking, made explicit).
    for k in range(len(labels) - 1, 0, -1):
        end = _tld_end(text, labels[k][0], labels[k][1])
        if end is None:
            continue
        name_ok = _valid_label(text, *labels[k - 1], underscore=False)
        if name_ok and all(_valid_label(text, s, e, underscore=True) for s, e in labels[: k - 1]):
            return end
        return None
    return None


def _balanced_parens_end(text: str, i: int) -> int:
    """The end of "(...)" (one nested level allowed) at `text[i]`, or 0."""
    n = len(text)

    def run(j: int) -> int:
        while j < n and _PATH_CHAR_RE.match(text, j):
            j += 1
        return j

    j = run(i + 1)
    if j < n and text[j] == ")" and j > i + 1:
        return j + 1
    if j < n and text[j] == "(":
        k = run(j + 1)
        if k < n and text[k] == ")" and k > j + 1:
            k = run(k + 1)
            if k < n and text[k] == ")":
                return k + 1
    return 0


def _path_end(text: str, i: int) -> int:
    """The end of a URL path starting with "/" at `text[i]` (trailing "." or "," is not part of it)."""
    end = j = i + 1
    n = len(text)
    while j < n:
        if _PATH_CHAR_RE.match(text, j):
            j += 1
            if _PATH_END_RE.match(text, j - 1):
                end = j
        elif text[j] == "(":
            closed = _balanced_parens_end(text, j)
            if not closed:
                break
            end = j = closed
        else:
            break
    return end


def _query_end(text: str, i: int) -> int:
    """The end of a query starting with "?" at `text[i]`, or `i` when there is none."""
    end, j, n = i, i + 1, len(text)
    while j < n and _QUERY_CHAR_RE.match(text, j):
        j += 1
        if _QUERY_END_RE.match(text, j - 1):
            end = j
    return end


def _tail_end(text: str, j: int) -> tuple[int, bool]:
    """After a host: the end of an optional port, path and query, and whether there was a path."""
    n = len(text)
    if j + 1 < n and text[j] == ":" and text[j + 1].isdigit():
        j += 1
        while j < n and text[j].isdigit():
            j += 1
    has_path = j < n and text[j] == "/"
    if has_path:
        j = _path_end(text, j)
    if j < n and text[j] == "?":
        j = _query_end(text, j)
    return j, has_path


class _Scan:
    """Where twitter-text's URL regex stands: `floor` ends its last match, `cursor` is where it looks next."""

    def __init__(self) -> None:
        self.floor = 0
        self.cursor = 0

    def may_start(self, i: int, text: str) -> bool:
        """Whether a URL may start at `i`: the regex reads the character before it, after its last match."""
        if i == 0:
            return True
        before = text[i - 1]
        return i - 1 >= self.floor and not _ascii_alnum(before) and before not in _NOT_BEFORE_URL


def _next_protocol(text: str, scan: _Scan) -> re.Match[str] | None:
    for match in _PROTOCOL_RE.finditer(text, scan.cursor):
        if scan.may_start(match.start(), text):
            return match
    return None


def _next_domain(text: str, scan: _Scan) -> tuple[int, int] | None:
    """The next (start, end of run) where a domain without protocol may start, in a run with a dot."""
    for run in _DOMAIN_RUN_RE.finditer(text, scan.cursor):
        if "." not in run.group():
            continue
        for i in range(max(run.start(), scan.floor + 1 if scan.floor else 0), run.end()):
            if text[i] not in "-_." and scan.may_start(i, text):
                return i, run.end()
    return None


def _ascii_domains(domain: str) -> list[tuple[int, int]]:
    """The ASCII domains inside a domain run ("twitter.comこれはexample.com" holds two)."""
    found: list[tuple[int, int]] = []
    i = 0
    while (match := _ASCII_LABELS_RE.search(domain, i)) is not None:
        dots = [match.start() + k for k, ch in enumerate(match.group()) if ch == "."]
        ends = (_tld_end(domain, dot + 1, len(domain)) for dot in reversed(dots))
        end = next((e for e in ends if e is not None), None)
        if end is None:
            i = dots[0] + 1
            continue
        found.append((match.start(), end))
        i = end
    return found


def _take_protocol(text: str, match: re.Match[str], scan: _Scan, found: list[tuple[int, int]]) -> None:
    start = match.start()
    host_end = _host_end(text, match.end())
    if host_end is None:  # no URL here: look on from the next character
        scan.cursor = start + 1
        return
    end, _ = _tail_end(text, host_end)
    scan.floor = scan.cursor = end
    domain = text[match.end() : host_end]
    if not _domain_fits(domain) or len(match.group()) + end - start > _MAX_URL_LENGTH:
        return
    if domain.lower() == "t.co":  # a t.co link ends with its slug (at most 40 characters) and query
        tco = _TCO_RE.match(text, start)
        if tco:
            if len(tco.group(1)) > _MAX_TCO_SLUG:
                return
            end = tco.end()
    found.append((start, end))


def _take_domain(text: str, start: int, stop: int, scan: _Scan, found: list[tuple[int, int]]) -> None:
    """A domain without protocol at `start`; when there is none, look on from `stop`."""
    host_end = _host_end(text, start)
    if host_end is None:
        scan.cursor = stop
        return
    end, has_path = _tail_end(text, host_end)
    scan.floor = scan.cursor = end
    before = text[start - 1] if start else ""
    domain = text[start:host_end]
    if before in _NOT_BEFORE_BARE_DOMAIN or not _domain_fits(domain) or len("https://") + end - start > _MAX_URL_LENGTH:
        return
    # twitter-text reads the whole run (これは日本語です。example.com) as the domain, then links
    # only the ASCII domains inside it; a path goes with the last one.
    urls = [(start + a, start + b) for a, b in _ascii_domains(domain)]
    if urls and has_path:
        urls[-1] = (urls[-1][0], end)
    found.extend(urls)


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Each URL's (start, end) in `text`, as twitter-text extracts them (NFC text expected)."""
    if "." not in text:
        return []
    found: list[tuple[int, int]] = []
    scan = _Scan()
    protocol = _next_protocol(text, scan)
    while scan.cursor < len(text):
        # The next "http(s)://" stays the next one until the scan passes it (none now: none later).
        if protocol is not None and not (protocol.start() >= scan.cursor and scan.may_start(protocol.start(), text)):
            protocol = _next_protocol(text, scan)
        domain = _next_domain(text, scan)
        if domain is not None and (protocol is None or domain[0] < protocol.start()):
            # A run that holds no domain ("見て.http") must not hide the protocol after it.
            stop = domain[1] if protocol is None else min(domain[1], protocol.start())
            _take_domain(text, domain[0], stop, scan, found)
        elif protocol is not None:
            _take_protocol(text, protocol, scan, found)
        else:
            break
    return found


def _weighted(text: str, urls: list[tuple[int, int]], emoji: list[_Emoji]) -> int:
    url_at = dict(urls)
    emoji_at = {e.start: e.end for e in emoji}
    total, i, n = 0, 0, len(text)
    while i < n:
        if i in url_at:
            total, i = total + _URL_WEIGHT, url_at[i]
        elif i in emoji_at:
            total, i = total + _EMOJI_WEIGHT, emoji_at[i]
        else:
            total, i = total + _char_weight(ord(text[i])), i + 1
    return total


def extract_urls(text: str) -> list[str]:
    """The URLs X finds in `text` (twitter-text's rules), in order; each counts 23 and makes a post cost more."""
    text = unicodedata.normalize("NFC", text)
    return [text[start:end] for start, end in _url_spans(text)]


def weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3): most CJK and emoji weigh 2, every URL 23."""
    text = unicodedata.normalize("NFC", text)
    return _weighted(text, _url_spans(text), _emoji(text))


# --- channel limits and prices ------------------------------------------------------------------

_PLATFORM_NAMES = {"x": "X", "instagram": "Instagram", "facebook": "Facebook", "google": "Google"}
_WARN_SHARE = 0.9  # warn above 90% of the limit


def _limit(platform: Platform, mode: Mode) -> tuple[int, bool]:
    """(the channel's limit for this mode, whether it counts X's weighted length)."""
    public = mode == "public"
    if platform == "x":
        return (280, True) if public else (10_000, False)
    if platform == "instagram":
        return (2_200, False) if public else (1_000, False)  # comment; DM and private reply
    if platform == "facebook":
        return (8_000, False) if public else (2_000, False)  # comment; Messenger
    return 4_096, False  # a Google review reply (Google has no private messages)


def _price(name: str) -> str:
    return str(X_PRICES[name].usd)


# --- names and signatures -----------------------------------------------------------------------

_HONORIFIC = r"[ ]?(?:様|さま|さん|殿|くん|君|ちゃん|氏|-?sama\b|-?san\b)"
_HONORIFIC_RE = re.compile(_HONORIFIC)
# Display names carry decorations: "さくら🌸@低浮上", "Tom | coffee", "たろう(30)", "【公式】...".
_NAME_CUT_RE = re.compile(r"[@|/()\[\]【】「」<>《》〔〕{}]")


def _fold(text: str) -> str:
    """NFKC, lower case, one space for any run of whitespace."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _name_core(name: str | None) -> str:
    """A display name without decorations: emoji, symbols, and what follows @, | or a bracket."""
    if not name:
        return ""
    for part in _NAME_CUT_RE.split(_fold(name)):
        kept = "".join(ch if ch.isalnum() or ch in "'-." or unicodedata.category(ch)[0] == "M" else " " for ch in part)
        core = " ".join(kept.split()).strip("'-.")
        if core:
            return core
    return ""


def _is_latin(word: str) -> bool:
    return word.isascii()


def _word_re(word: str) -> re.Pattern[str]:
    """`word` as a whole word for Latin names, anywhere for Japanese ones."""
    if _is_latin(word):
        return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")
    return re.compile(re.escape(word))


def _name_parts(core: str) -> list[str]:
    """The words of a name, and for a Japanese name written without a space its likely family and given names."""
    words = [w.strip("'-.") for w in re.split(r"[ ・]", core)]
    parts = [w for w in words if w and (not _is_latin(w) or len(w) >= 2)]
    compact = core.replace(" ", "").replace("・", "")
    if len(words) == 1 and not _is_latin(compact) and len(compact) >= 3:
        parts += [compact[:k] for k in range(2, len(compact))] + [compact[-k:] for k in range(2, len(compact))]
    return parts


def _addresses_customer(reply: str, name: str, handle: str) -> bool:
    """The reply names the customer: the handle, the full name, a Latin first name, or a Japanese name with 様/さん."""
    if handle and re.search(rf"(?<![a-z0-9_]){re.escape(handle)}(?![a-z0-9_])", reply):
        return True
    if not name:
        return False
    compact = name.replace(" ", "")
    if _word_re(name).search(reply) or (
        not _is_latin(compact) and len(compact) >= 2 and compact in reply.replace(" ", "")
    ):
        return True
    for part in _name_parts(name):
        pattern = _word_re(part) if _is_latin(part) else re.compile(re.escape(part) + _HONORIFIC)
        if pattern.search(reply):
            return True
    return False


def _signed_by(reply: str, agent: str) -> bool:
    """The agent's full, family or given name appears, and not as someone addressed (佐藤様)."""
    core = _fold(agent)
    candidates = [core, core.replace(" ", ""), *_name_parts(core)]
    for candidate in candidates:
        if not candidate:
            continue
        for match in _word_re(candidate).finditer(reply):
            if not _HONORIFIC_RE.match(reply, match.end()):
                return True
    return False


# --- copy-paste ---------------------------------------------------------------------------------

_MENTION_RE = re.compile(r"@\w+")
# Names in front of an honorific (山田様, カトウさん, tomさん): other customers' names we do not know.
_NAME_BEFORE_HONORIFIC_RE = re.compile(
    r"(?:[\u4e00-\u9fff\u3005]{1,4}|[\u30a1-\u30fa\u30fc]{1,12}|[a-z][a-z'.\-]{0,30})"
    r"[ ]?(?=様|さま|さん|殿|くん|ちゃん|氏)"
)
_GREETING_NAME_RE = re.compile(r"\b(hi|hello|hey|dear)(?: (?:mr|mrs|ms|dr)\.?)? [a-z][a-z'\-]*(?=[ ]?[,!.:])")
_SIGNATURE_RE = re.compile(r"担当\s*[:]?\s*\S{1,12}|\^\s*\w+|^\s*[-–—]\s*\w+(?: \w+)?\s*$", re.MULTILINE)
_MIN_COMPARABLE = 20  # characters: short thanks are alike by nature, not copy-paste
_SHINGLE = 3


def _comparable(text: str, names: tuple[str, ...]) -> str:
    """The text as compared: NFKC, lower case, without names, handles and signatures, whitespace folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for name in names:
        text = text.replace(name, " ")
    text = _SIGNATURE_RE.sub(" ", text)
    text = _MENTION_RE.sub(" ", text)
    text = _GREETING_NAME_RE.sub(r"\1 ", text)
    text = _NAME_BEFORE_HONORIFIC_RE.sub(" ", text)
    return " ".join(text.split())


def _shingles_of(text: str) -> frozenset[str]:
    return frozenset(text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE + 1))


@functools.lru_cache(maxsize=4096)
def _recent_shingles(text: str) -> frozenset[str] | None:
    """A recent reply's character 3-grams (cached: the same replies come back on every keystroke)."""
    comparable = _comparable(text, ())
    return _shingles_of(comparable) if len(comparable.replace(" ", "")) >= _MIN_COMPARABLE else None


def _names_to_drop(name: str | None, handle: str | None) -> tuple[str, ...]:
    """The forms of a customer's name and handle to remove before comparing, longest first."""
    forms: set[str] = {_fold(handle).lstrip("@")} if handle else set()
    core = _name_core(name)
    if core:
        forms.update({core, core.replace(" ", "")})
        forms.update(part for part in _name_parts(core) if len(part) >= 2)
    return tuple(sorted(forms - {""}, key=len, reverse=True))


def _instant(value: str) -> datetime | None:
    """An ISO-8601 timestamp as an aware datetime (UTC when it names no zone), or None."""
    try:
        instant = parse_iso(value)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _copy_paste(text: str, context: LintContext, policy: BrandPolicy) -> Check | None:
    if not context.recent_replies:
        return None
    # Our customer's name goes; other customers' names are only known by form (山田様, Hi Tom,
    # @handle), and signatures by theirs (担当：佐藤, ^Sato, - Sato), on both sides alike.
    mine = _comparable(text, _names_to_drop(context.customer_name, context.customer_handle))
    if len(mine.replace(" ", "")) < _MIN_COMPARABLE:
        return None
    grams = _shingles_of(mine)
    since = (_instant(context.now) or utcnow()) - timedelta(days=policy.copy_paste_days)
    threshold = policy.copy_paste_similarity
    best, count = 0.0, 0
    # A text far shorter or longer than ours cannot reach the threshold, whatever its names and
    # signature: skip it before normalising (the slack covers names and signatures removed).
    shortest, longest = threshold * len(grams) - 8, len(grams) / threshold + 64
    for reply in context.recent_replies:
        if reply.customer_id == context.customer_id or not shortest <= len(reply.text) <= longest:
            continue
        sent = _instant(reply.sent_at)
        if sent is None or sent < since:
            continue
        theirs = _recent_shingles(reply.text)
        # Jaccard can reach the threshold only when the sizes are close: skip the rest cheaply.
        if not theirs or min(len(grams), len(theirs)) < threshold * max(len(grams), len(theirs)):
            continue
        shared = len(grams & theirs)
        similarity = shared / (len(grams) + len(theirs) - shared)
        if similarity >= threshold:
            best, count = max(best, similarity), count + 1
    if not count:
        return None
    days = policy.copy_paste_days
    return Check(
        "copy_paste",
        "warn",
        f"This reply is nearly identical to {count} sent to other customers in the last {days} days; personalise it.",
        {"similarity": round(best, 2), "count": count, "days": days},
    )


# --- selling ------------------------------------------------------------------------------------

# Promotion, not topics: a customer complaining about a coupon, a sale item or their purchase gets a
# reply that names them, so only promotional phrasing counts. English words are case-insensitive,
# codes (SAVE20) are not.
_SELLING_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "campaign",
        r"キャンペーン(?:を)?(?:実施|開催|展開)中|キャンペーン中|キャンペーン(?:の|を)(?:ご案内|ご紹介|お知らせ)"
        r"|キャンペーンに(?:ぜひ|是非)",
    ),
    (
        "sale",
        r"セール(?:を)?(?:実施|開催)中|セール中|セール(?:の|を)(?:ご案内|ご紹介|お知らせ)"
        r"|(?:期間限定|タイム|特別|決算|年末|新春|夏の|冬の)セール"
        r"|(?i:\bon sale\b|\bsale (?:ends|starts|is on|now on)\b"
        r"|\b(?:big|flash|clearance|summer|winter|spring|fall|autumn|holiday|annual|seasonal|black friday) sale\b)",
    ),
    (
        "coupon",
        r"クーポン(?:を)?(?:配布|配信|プレゼント|進呈)|クーポン(?:は|を)?こちら|お得な?クーポン"
        r"|(?i:\b(?:coupon|promo|discount) code)[:：]?\s*[A-Z0-9]{4,}\b"
        r"|(?i:\b(?:use|using|with|enter) (?:the )?code) [A-Z0-9]{4,}\b",
    ),
    (
        "discount",
        r"\d+\s*[%％]\s*(?:OFF|off|オフ|引き|割引)|\d割引|[一二三四五六七八九]割引|割引(?:価格|キャンペーン|セール|実施中|中)"
        r"|お得(?!意)|半額"
        r"|(?i:\b\d+\s?% off\b|\b(?:special|exclusive|extra|member) discount\b|\bat a discount\b"
        r"|\bget (?:a |an )?(?:\d+% )?discount\b)",
    ),
    ("points", r"ポイント還元(?:中|キャンペーン|実施)|ポイント(?:が)?\s*\d+\s*倍"),
    (
        "new_product",
        r"新発売|新登場|新商品(?:の|を)?(?:ご案内|ご紹介|お知らせ|発売|登場)|新商品(?:も|を)(?:ぜひ|是非)"
        r"|(?i:\bcheck out our (?:new|latest)\b|\bintroducing our new\b|\bnew arrivals?\b)",
    ),
    (
        "purchase",
        r"(?:ご)?購入はこちら|お買い求めはこちら|(?:ぜひ|是非)(?:この機会に)?(?:ご購入|お買い求め)"
        r"|この機会に(?:ぜひ|是非)?(?:ご購入|お買い求め|お試し)"
        r"|(?i:\bbuy now\b|\bshop now\b|\border (?:now|today)\b|\bshop (?:our|the) (?:new|latest|sale)\b)",
    ),
    (
        "upgrade",
        r"(?:上位|有料|プレミアム|プロ|ゴールド)(?:プラン|版|会員|コース)?(?:への|に|へ)?アップグレード"
        r"|アップグレード.{0,10}(?:特典|お得|割引)"
        r"|(?i:\bupgrade to (?:our |the |a )?(?:premium|pro|plus|gold|platinum|business|unlimited|paid|annual"
        r"|family|deluxe|(?:\w+ )?(?:plan|tier|membership|subscription))\b)",
    ),
    (
        "limited_offer",
        r"今なら.{0,15}(?:割引|お得|無料|プレゼント|ポイント|半額|特典|[%％]|セール|キャンペーン|クーポン|限定)"
        r"|期間限定(?:の)?(?:セール|キャンペーン|割引|特典|価格|販売|クーポン)|数量限定|先着\d*名"
        r"|(?i:\blimited[- ]time (?:offer|deal|only)\b|\blimited offer\b|\bfor a limited time\b"
        r"|\bwhile (?:supplies|stocks?) lasts?\b)",
    ),
)


@functools.cache
def _selling_res() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled on first use: together they cost milliseconds, too much for every cold start."""
    return tuple((category, re.compile(pattern)) for category, pattern in _SELLING_PATTERNS)


# A coupon or discount offered to make up for the trouble is service recovery, not selling.
_AMENDS_CATEGORIES = frozenset({"coupon", "discount", "points"})
_AMENDS_RE = re.compile(r"お詫び|おわび|補償|ご迷惑をおかけ|返金|(?i:apolog|compensat|sorry|make up for|goodwill)")
_SENTENCE_END_RE = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
_WITH_A_PROBLEM = frozenset({"problem", "complaint"})


def _sentence_around(text: str, start: int, end: int) -> str:
    begin = max((m.end() for m in _SENTENCE_END_RE.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END_RE.search(text, end)
    return text[begin : stop.start() if stop else len(text)]


def _selling(text: str) -> list[str]:
    """The kinds of promotion in `text` (sorted)."""
    text = unicodedata.normalize("NFKC", text)
    found: set[str] = set()
    for category, pattern in _selling_res():
        for match in pattern.finditer(text):
            if category in _AMENDS_CATEGORIES and _AMENDS_RE.search(_sentence_around(text, *match.span())):
                continue
            found.add(category)
            break
    return sorted(found)


# --- personal data in public --------------------------------------------------------------------

_ROLE_MAILBOXES = frozenset(
    {"support", "info", "help", "contact", "cs", "customer", "customers", "service", "care", "hello", "press"}
    | {"sales", "inquiry", "inquiries", "noreply", "no-reply", "official"}
)
_MOBILE_PREFIXES = ("070", "080", "090", "050", "+8170", "+8180", "+8190", "+8150")
# The brand's own landline: named as ours just before it (unless the customer is named in between),
# or followed by "call us there". Mobiles are never the brand's.
_OWN_NUMBER_BEFORE_RE = re.compile(
    r"(?:窓口|センター|店舗|当店|弊社|代表|(?i:\bcall us|\bcontact us|\bour|\bcustomer (?:service|care|support)"
    r"|\bsupport (?:line|team|center|centre|desk)|\bhotline|\bhelpline))"
    r"(?:(?!お客様|ご自宅|ご本人|携帯|(?i:\byours?\b|\byou\b))[^。\n]){0,12}$"
)
_OWN_NUMBER_AFTER_RE = re.compile(
    r"[)）\s]*(?:まで|へ|に)(?:お電話|ご連絡|お問い?合わ?せ)(?:を)?(?:ください|下さい|お願い|いただけ|頂け|願います)"
)


def _personal_data(text: str, context: LintContext) -> list[str]:
    """Kinds of personal data in a reply, leaving out the brand's own contact points and the names it may use."""
    own_names = [n for n in (_name_core(context.agent_name), _name_core(context.customer_name)) if n]
    kinds: set[str] = set()
    for match in find_pii(text):
        value = text[match.start : match.end]
        if match.type == "email" and value.split("@")[0].casefold() in _ROLE_MAILBOXES:
            continue
        if match.type == "phone":
            digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit() or ch == "+")
            landline = not digits.startswith(_MOBILE_PREFIXES)
            if landline and (
                _OWN_NUMBER_BEFORE_RE.search(text, 0, match.start) or _OWN_NUMBER_AFTER_RE.match(text, match.end)
            ):
                continue
        if match.type == "full_name":
            # The agent signing with a full name, or the customer's own public display name.
            compact = _fold(value).replace(" ", "")
            if any(compact and compact in n.replace(" ", "") for n in own_names):
                continue
        kinds.add(match.type)
    return sorted(kinds)


_DM_TEXT = {
    "dm": {
        "ja": "お問い合わせありがとうございます。詳しい状況を確認したいため、お手数ですがDMにてお伺いします。"
        "ダイレクトメッセージをお送りいただけますでしょうか。",
        "en": "Thanks for reaching out. So we can look into this without sharing your details publicly, "
        "please send us a DM.",
    },
    "private_reply": {
        "ja": "お問い合わせありがとうございます。詳しい状況を確認したいため、メッセージにてご連絡いたしました。"
        "お手数ですがご確認ください。",
        "en": "Thanks for reaching out. We've sent you a private message so we can look into this without "
        "sharing your details publicly.",
    },
}


def _dm_offer(context: LintContext) -> DmOffer | None:
    """How to move this conversation to private messages; None on Google (reviews have no DMs)."""
    mode: Literal["dm", "private_reply"]
    link: str | None
    if context.platform == "x":
        mode, link = "dm", f"https://x.com/messages/compose?recipient_id={context.account_id}"
    elif context.platform == "instagram":
        mode = "private_reply"
        link = f"https://ig.me/m/{context.account_handle.lstrip('@')}" if context.account_handle else None
    elif context.platform == "facebook":
        mode, link = "private_reply", f"https://m.me/{context.account_id}"
    else:
        return None
    texts = dict(_DM_TEXT[mode])
    signer = _fold(context.agent_name).split(" ")[0] if context.agent_name.strip() else ""
    if signer:
        texts = {"ja": f"{texts['ja']}（担当：{signer}）", "en": f"{texts['en']} ^{signer}"}
    return DmOffer(mode=mode, link=link, suggested_text=texts)


# --- symbols and emoji --------------------------------------------------------------------------

# Ordinary punctuation: ASCII, Japanese, and what phones and agents type every day (^ before a
# signature, smart quotes, dashes, ※ notes, 【】 headings, menu arrows, ℃ and × in product
# answers). Currency signs too.
_ORDINARY = frozenset(".,;:'\"()[]-/@#&%+=_、。「」『』（）・ー〜" + "^※【】〔〕〈〉《》‘’“”‐–—→←↑↓°℃×")
_MAX_LISTED = 10


def _plain(ch: str, allowed: str) -> bool:
    if ch in allowed or ch in _ORDINARY or ch.isspace():
        return True
    category = unicodedata.category(ch)
    return category[0] in "LMNZC" or category == "Sc"


def _symbols(text: str, skip: list[tuple[int, int]], allowed: str) -> list[str]:
    """Distinct characters outside letters, digits, ordinary punctuation and the brand's allowed symbols."""
    found: list[str] = []
    skip_at = dict(skip)
    i, n = 0, len(text)
    while i < n:
        if i in skip_at:
            i = skip_at[i]
            continue
        ch = text[i]
        i += 1
        if _plain(ch, allowed) or ch in found:
            continue
        # Compatibility forms of plain characters are plain: full-width ！, ‼ → !!, ① → 1, ㈱ → (株);
        # spacing accents (´ → space + combining acute) are not.
        folded = unicodedata.normalize("NFKC", ch)
        spacing = any(c.isspace() or unicodedata.combining(c) for c in folded)
        if folded != ch and not spacing and all(_plain(c, allowed) for c in folded):
            continue
        found.append(ch)
    return found


def _emoji_denied(context: LintContext, policy: BrandPolicy) -> bool:
    if policy.emoji == "deny":
        return True
    if policy.emoji == "allow":
        return False
    troubled = context.intent in _WITH_A_PROBLEM or context.sentiment == "negative"
    return troubled and context.urgency == "high"


# --- the composer's checks ----------------------------------------------------------------------


def _blank(text: str) -> bool:
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Mn") for ch in text)


def _sorted(checks: list[Check]) -> tuple[Check, ...]:
    return tuple(sorted(checks, key=lambda c: (_SEVERITY_RANK[c.severity], _CODE_RANK.get(c.code, len(_CODE_RANK)))))


def lint(text: str, context: LintContext, policy: BrandPolicy | None = None) -> LintResult:
    """Every check of the reply `text` for this ticket under the brand's `policy` (defaults when None)."""
    policy = policy or BrandPolicy()
    limit, weighted = _limit(context.platform, context.mode)
    public = context.mode == "public" or context.platform == "google"
    nfc = unicodedata.normalize("NFC", text)
    urls = _url_spans(nfc)
    emoji = _emoji(nfc)
    length = _weighted(nfc, urls, emoji) if weighted else len(text)
    cost: str | None = None
    if context.platform == "x":
        cost = _price("post_create_with_url" if urls else "post_create") if public else _price("dm_create")
    checks: list[Check] = []
    if _blank(text):
        checks.append(Check("empty", "block", "The reply is empty; write a message before sending.", {}))
        return LintResult(checks=_sorted(checks), length=length, limit=limit, cost_usd=cost, dm_offer=None)

    counted = {"weighted_length": length} if weighted else {"length": length}
    where = _PLATFORM_NAMES[context.platform]
    if length > limit:
        unit = "weighted characters (CJK and emoji count 2, links 23)" if weighted else "characters"
        checks.append(
            Check(
                "length",
                "block",
                f"The reply is {length} {unit}, over the {where} limit of {limit}; shorten it.",
                {**counted, "limit": limit},
            )
        )
    elif length > _WARN_SHARE * limit:
        checks.append(
            Check(
                "length",
                "warn",
                f"The reply is close to the {where} limit ({length} of {limit}); consider shortening it.",
                {**counted, "limit": limit},
            )
        )

    dm_offer: DmOffer | None = None
    if public:
        kinds = _personal_data(text, context)
        if kinds:
            listed = ", ".join(kinds)
            offer = _dm_offer(context)
            message = (
                f"A public reply must not contain personal data ({listed}); offer a DM instead."
                if offer
                else f"A public review reply must not contain personal data ({listed}); remove it."
            )
            checks.append(Check("pii_public", "block", message, {"types": kinds}))
            dm_offer = offer
        elif context.customer_pii_types:
            dm_offer = _dm_offer(context)

    if context.intent in _WITH_A_PROBLEM or context.sentiment == "negative":
        categories = _selling(text)
        if categories:
            checks.append(
                Check(
                    "selling",
                    "block",
                    f"Do not promote to a customer with a problem; remove the promotion ({', '.join(categories)}).",
                    {"categories": categories},
                )
            )

    shown = [nfc[e.start : e.end] for e in emoji if e.shown]
    if shown and _emoji_denied(context, policy):
        message = (
            "The brand does not allow emoji in replies; remove them."
            if policy.emoji == "deny"
            else "Do not use emoji in a reply to an urgent problem or complaint; remove them."
        )
        checks.append(Check("emoji", "block", message, {"chars": list(dict.fromkeys(shown))[:_MAX_LISTED]}))

    folded = _fold(text)
    name, handle = _name_core(context.customer_name), _fold(context.customer_handle or "").lstrip("@")
    if policy.require_customer_name and (name or handle) and not _addresses_customer(folded, name, handle):
        checks.append(Check("personal_name", "warn", "Address the customer by name to keep the reply personal.", {}))
    if policy.require_signature and context.agent_name.strip() and not _signed_by(folded, context.agent_name):
        checks.append(
            Check("personal_signature", "warn", "Sign the reply with your name (e.g. '担当：佐藤' or '^Sato').", {})
        )

    copied = _copy_paste(text, context, policy)
    if copied:
        checks.append(copied)

    skip = urls + [(e.start, e.end) for e in emoji if e.shown]
    symbols = _symbols(nfc, skip, policy.allowed_symbols)
    if symbols:
        checks.append(
            Check(
                "symbols",
                "warn",
                "The reply uses symbols outside the brand's style; remove or replace them.",
                {"chars": symbols[:_MAX_LISTED]},
            )
        )

    if context.platform == "x" and public and urls:
        with_url, without_url = _price("post_create_with_url"), _price("post_create")
        checks.append(
            Check(
                "cost_url",
                "info",
                f"A post with a link costs ${with_url} on X instead of ${without_url}; drop it if it is not needed.",
                {"with_url": with_url, "without_url": without_url},
            )
        )
    return LintResult(checks=_sorted(checks), length=length, limit=limit, cost_usd=cost, dm_offer=dm_offer)
