"""The weekly voice-of-the-customer report as a file people open: an HTML page and a CSV sheet.

The HTML page is self-contained (inline CSS, an inline-SVG chart, no scripts, nothing fetched) so it
reads the same from S3, an e-mail link or a printout. Every customer word and every label goes through
:func:`html.escape`; post links are kept only when they are http(s).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape
from typing import Literal
from zoneinfo import ZoneInfo

from mentiondesk.reports.voc import ReportTopic, VocReport

Language = Literal["ja", "en"]

CHART_TOPICS = 10
QUOTE_CHARS = 140

_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "title": "お客様の声 週次レポート",
        "period": "対象期間",
        "posts": "投稿数",
        "considered": "要望・不満・不具合",
        "topics": "トピック",
        "unlisted": "分類外",
        "previous": "前週",
        "by_intent": "意図別の投稿数",
        "by_channel": "チャネル別の投稿数",
        "chart": "件数の多いトピック(上位10件)",
        "table": "トピック一覧",
        "rank": "順位",
        "topic": "トピック",
        "count": "件数",
        "trend": "前週比",
        "channels": "主なチャネル",
        "example": "お客様の声(例)",
        "terms": "キーワード",
        "disappeared": "今週は見られなくなったトピック",
        "last_week": "前週",
        "this_week": "今週",
        "none": "今週は該当するトピックがありません。",
        "new": "新規",
        "open": "投稿を開く",
        "note": "件数はチケット(お客様)単位です。同じお客様の複数の投稿は1件と数えます。"
        "引用は個人情報を伏せて表示しています。",
        "unit": "件",
    },
    "en": {
        "title": "Voice of the customer — weekly report",
        "period": "Period",
        "posts": "Posts",
        "considered": "Requests, complaints, problems",
        "topics": "Topics",
        "unlisted": "Not in a topic",
        "previous": "previous week",
        "by_intent": "Posts by intent",
        "by_channel": "Posts by channel",
        "chart": "Largest topics (top 10)",
        "table": "Topics",
        "rank": "#",
        "topic": "Topic",
        "count": "Tickets",
        "trend": "vs last week",
        "channels": "Top channels",
        "example": "In the customer's words",
        "terms": "Key words",
        "disappeared": "Topics gone quiet this week",
        "last_week": "Last week",
        "this_week": "This week",
        "none": "No topics this week.",
        "new": "new",
        "open": "open post",
        "note": "Counts are tickets (customers): several posts from one customer count once. "
        "Quotes are shown with personal data masked.",
        "unit": "",
    },
}
_INTENT_NAMES = {
    "ja": {
        "request": "要望",
        "complaint": "不満",
        "problem": "不具合・トラブル",
        "question": "質問",
        "praise": "称賛",
        "other": "その他",
    },
    "en": {
        "request": "Requests",
        "complaint": "Complaints",
        "problem": "Problems",
        "question": "Questions",
        "praise": "Praise",
        "other": "Other",
    },
}
_CHANNEL_NAMES = {"x": "X", "instagram": "Instagram", "facebook": "Facebook", "google": "Google"}
_WEEKDAYS = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --bar: #2f6fb0;
  --up: #b42318; --down: #1e7b34; --new: #6941c6; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; color: var(--ink); background: #fff;
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", "Yu Gothic UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.period { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.cards .value { display: block; font-size: 1.6rem; font-weight: 700; }
.cards .label { color: var(--muted); font-size: 0.85rem; }
.cards .sub { color: var(--muted); font-size: 0.8rem; }
.breakdown { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 8px 0 0; padding: 0; list-style: none;
  color: var(--muted); font-size: 0.9rem; }
svg { max-width: 100%; height: auto; }
svg text { font-size: 13px; fill: var(--ink); }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { border-bottom: 1px solid var(--line); padding: 8px 6px; text-align: left; vertical-align: top; }
th { background: #f5f7fa; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
.terms { color: var(--muted); font-size: 0.8rem; }
.trend { white-space: nowrap; font-weight: 600; }
.trend.up { color: var(--up); } .trend.down { color: var(--down); } .trend.new { color: var(--new); }
.trend.same { color: var(--muted); }
blockquote { margin: 0; padding-left: 10px; border-left: 3px solid var(--line); overflow-wrap: anywhere; }
blockquote a { font-size: 0.8rem; }
.note { color: var(--muted); font-size: 0.8rem; margin-top: 24px; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { padding: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  tr, .cards li, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  blockquote a { display: none; }
}
"""


def render_html(report: VocReport, language: Language = "ja") -> str:
    """The report as one self-contained HTML page in ``language`` ("ja" or "en")."""
    if language not in _TEXT:
        raise ValueError(f"language must be 'ja' or 'en', not {language!r}")
    t = _TEXT[language]
    period = _period(report, language)
    parts = [
        "<!doctype html>",
        f'<html lang="{language}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No script may run in a page of customers' words, even if escaping ever failed: S3 sets no
        # headers, so the policy travels in the page.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
        " img-src https: data:; base-uri 'none'; form-action 'none'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(t['title'])} {_e(period)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(t['title'])}</h1>",
        f'<p class="period">{_e(t["period"])}: {_e(period)}</p>',
        "</header>",
        "<main>",
        _totals(report, language),
    ]
    if report.topics:
        parts += [
            f"<h2>{_e(t['chart'])}</h2>",
            _chart(report.topics[:CHART_TOPICS], language),
            f"<h2>{_e(t['table'])}</h2>",
            _table(report.topics, language),
        ]
    else:
        parts.append(f"<p>{_e(t['none'])}</p>")
    if report.disappeared:
        parts.append(_disappeared(report, language))
    parts += [f'<p class="note">{_e(t["note"])}</p>', "</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def render_csv(report: VocReport) -> str:
    """One row per topic; the text starts with a UTF-8 BOM so Excel opens the Japanese correctly.

    Encode the result with ``"utf-8"`` (not ``"utf-8-sig"``, which would add a second BOM). Cells that
    Excel would read as a formula (=, +, -, @ at the start) are prefixed with an apostrophe.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["topic_en", "topic_ja", "count", "previous_count", "delta", "trend", "channels", "example"])
    for topic in report.topics:
        channels = "; ".join(f"{name}:{count}" for name, count in topic.channels.items())
        example = topic.examples[0].text if topic.examples else ""
        writer.writerow(
            [
                _cell(topic.label_en),
                _cell(topic.label_ja),
                topic.count,
                topic.previous_count,
                topic.delta,
                topic.trend,
                _cell(channels),
                _cell(" ".join(example.split())),
            ]
        )
    return out.getvalue()


# --- pieces -------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in customer text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _label(topic: ReportTopic, language: Language) -> str:
    return topic.label_ja if language == "ja" else topic.label_en


def _channel(name: str) -> str:
    return _CHANNEL_NAMES.get(name, name)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(instant: datetime, zone: ZoneInfo, language: Language, with_year: bool) -> str:
    local = instant.astimezone(zone)
    if language == "ja":
        day = f"{local.year}年{local.month}月{local.day}日" if with_year else f"{local.month}月{local.day}日"
        return f"{day}({_WEEKDAYS['ja'][local.weekday()]}) {local:%H:%M}"
    year = f" {local.year}" if with_year else ""
    return f"{_WEEKDAYS['en'][local.weekday()]} {local.day} {_MONTHS[local.month - 1]}{year} {local:%H:%M}"


def _period(report: VocReport, language: Language) -> str:
    zone = ZoneInfo(report.timezone)
    start_year = report.week_start.astimezone(zone).year
    end_year = report.week_end.astimezone(zone).year
    start = _when(report.week_start, zone, language, with_year=True)
    end = _when(report.week_end, zone, language, with_year=start_year != end_year)
    separator = " 〜 " if language == "ja" else " – "
    return f"{start}{separator}{end} ({report.timezone})"


def _trend(topic: ReportTopic, language: Language) -> str:
    t = _TEXT[language]
    if topic.trend == "new":
        text = f"★ {t['new']}"
    elif topic.trend == "up":
        text = f"▲ +{topic.delta}"
    elif topic.trend == "down":
        text = f"▼ −{-topic.delta}"
    else:
        text = "→ ±0"
    title = f"{t['previous']}: {topic.previous_count}"
    return f'<span class="trend {topic.trend}" title="{_e(title)}">{_e(text)}</span>'


def _totals(report: VocReport, language: Language) -> str:
    t = _TEXT[language]
    names = _INTENT_NAMES[language]
    cards = [
        (t["posts"], report.total_posts, f"{t['previous']}: {report.previous_total_posts}"),
        (t["considered"], report.considered_posts, ""),
        (t["topics"], len(report.topics), ""),
        (t["unlisted"], report.unlisted_posts, ""),
    ]
    items = "".join(
        f'<li><span class="value">{_e(value)}</span><span class="label">{_e(label)}</span>'
        + (f'<br><span class="sub">{_e(sub)}</span>' if sub else "")
        + "</li>"
        for label, value, sub in cards
    )
    intents = "".join(
        f"<li>{_e(names.get(intent, intent))}: {_e(count)}</li>" for intent, count in report.intents.items() if count
    )
    channels = "".join(f"<li>{_e(_channel(name))}: {_e(count)}</li>" for name, count in report.channels.items())
    return (
        f'<section aria-label="{_e(t["posts"])}"><ul class="cards">{items}</ul>'
        f'<ul class="breakdown" aria-label="{_e(t["by_intent"])}">{intents}</ul>'
        f'<ul class="breakdown" aria-label="{_e(t["by_channel"])}">{channels}</ul></section>'
    )


def _chart(topics: list[ReportTopic], language: Language) -> str:
    """Horizontal bars, one per topic, drawn in SVG (prints crisp, needs no script)."""
    label_width, bar_width, row, top = 300, 420, 28, 8
    width = label_width + bar_width + 60
    height = top * 2 + row * len(topics)
    peak = max(topic.count for topic in topics) or 1
    t = _TEXT[language]
    rows = []
    for i, topic in enumerate(topics):
        y = top + i * row
        length = max(2, round(bar_width * topic.count / peak))
        label = _label(topic, language)
        rows.append(
            f"<g><title>{_e(label)}: {_e(topic.count)}</title>"
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end">{_e(_shorten(label, 24))}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{length}" height="{row - 10}" rx="3" fill="#2f6fb0"></rect>'
            f'<text x="{label_width + length + 6}" y="{y + 18}">{_e(topic.count)}</text></g>'
        )
    return (
        f'<svg role="img" aria-label="{_e(t["chart"])}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">' + "".join(rows) + "</svg>"
    )


def _table(topics: list[ReportTopic], language: Language) -> str:
    t = _TEXT[language]
    head = (
        f'<thead><tr><th scope="col" class="num">{_e(t["rank"])}</th><th scope="col">{_e(t["topic"])}</th>'
        f'<th scope="col" class="num">{_e(t["count"])}</th><th scope="col">{_e(t["trend"])}</th>'
        f'<th scope="col">{_e(t["channels"])}</th><th scope="col">{_e(t["example"])}</th></tr></thead>'
    )
    body = []
    for rank, topic in enumerate(topics, start=1):
        channels = ", ".join(f"{_channel(name)} {count}" for name, count in list(topic.channels.items())[:3])
        terms = " · ".join(topic.terms[:6])
        body.append(
            "<tr>"
            f'<td class="num">{rank}</td>'
            f"<td><strong>{_e(_label(topic, language))}</strong>"
            + (f'<br><span class="terms">{_e(t["terms"])}: {_e(terms)}</span>' if terms else "")
            + "</td>"
            f'<td class="num">{_e(topic.count)}</td>'
            f"<td>{_trend(topic, language)}</td>"
            f"<td>{_e(channels)}</td>"
            f"<td>{_quote(topic, language)}</td>"
            "</tr>"
        )
    return f"<table>{head}<tbody>{''.join(body)}</tbody></table>"


def _quote(topic: ReportTopic, language: Language) -> str:
    if not topic.examples:
        return ""
    example = topic.examples[0]
    link = ""
    if example.url and example.url.lower().startswith(("https://", "http://")):
        link = f' <a href="{_e(example.url)}" rel="noopener noreferrer">{_e(_TEXT[language]["open"])}</a>'
    lang = example.language if example.language in ("ja", "en") else ""
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<blockquote{lang_attr}>{_e(_shorten(example.text, QUOTE_CHARS))}{link}</blockquote>"


def _disappeared(report: VocReport, language: Language) -> str:
    t = _TEXT[language]
    rows = "".join(
        f"<tr><td>{_e(item.label_ja if language == 'ja' else item.label_en)}</td>"
        f'<td class="num">{_e(item.previous_count)}</td><td class="num">{_e(item.count)}</td></tr>'
        for item in report.disappeared
    )
    return (
        f'<h2>{_e(t["disappeared"])}</h2><table><thead><tr><th scope="col">{_e(t["topic"])}</th>'
        f'<th scope="col" class="num">{_e(t["last_week"])}</th><th scope="col" class="num">{_e(t["this_week"])}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
