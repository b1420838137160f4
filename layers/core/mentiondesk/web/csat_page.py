"""The public CSAT page: GET /csat/{token} shows the survey, POST answers it (form-encoded `rating`,
`comment`). No sign-in: the token (256 random bits) is the credential, and it is never logged. Plain
HTML with no JavaScript, the agent page's security headers (strict CSP), every stored or
customer-given string escaped. A spent, expired or unknown link gets a polite page, never an error.
"""

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

from mentiondesk import http
from mentiondesk.clock import iso, utcnow
from mentiondesk.costs.metering import serve_ticket
from mentiondesk.errors import InvalidRequest, PayloadTooLarge
from mentiondesk.reports.csat import (
    MAX_COMMENT_CHARS,
    AnswerResult,
    Language,
    SurveyAnswers,
    answer,
    is_token,
    result_of,
    validate_answer,
)
from mentiondesk.store.csat import AnswerOutcome, why_closed
from mentiondesk.web import pages

MAX_BODY_BYTES = 32_768  # 1,000 characters of comment, percent-encoded, with room to spare
HTML_TYPE = "text/html; charset=utf-8"
STATUS: dict[AnswerOutcome, int] = {"recorded": 200, "already_answered": 200, "expired": 410, "not_found": 404}


class SurveyStore(SurveyAnswers, Protocol):
    """What the page reads and writes (store/csat.CsatStore)."""

    def get(self, token: str) -> dict[str, Any] | None: ...


TEXT: dict[Language, dict[str, str]] = {
    "ja": {
        "title": "アンケート",
        "heading": "{brand}のサポートはいかがでしたか？",
        "heading_plain": "サポートはいかがでしたか？",
        "intro": "この度はお問い合わせいただきありがとうございました。対応の満足度を1〜5でお選びください。",
        "legend": "満足度（1〜5）",
        "r1": "とても|不満",
        "r2": "不満",
        "r3": "ふつう",
        "r4": "満足",
        "r5": "とても|満足",
        "comment": "ご意見・ご感想（任意）",
        "comment_hint": "1,000文字まで。電話番号やご住所などの個人情報はお書きにならないでください。",
        "submit": "送信する",
        "error_rating": "1〜5のいずれかをお選びください。",
        "error_comment": "ご意見は1,000文字以内でお願いいたします。",
        "recorded_title": "ありがとうございました",
        "recorded": "ご回答ありがとうございました。いただいたご意見は、今後のサポートの改善に役立てます。",
        "already_answered_title": "ご回答済みです",
        "already_answered": "このアンケートにはすでにご回答いただいています。ご協力ありがとうございました。",
        "expired_title": "回答期限が過ぎました",
        "expired": "このアンケートの回答期限（7日間）が過ぎています。ご協力いただきありがとうございました。",
    },
    "en": {
        "title": "Survey",
        "heading": "How was your support from {brand}?",
        "heading_plain": "How was your support?",
        "intro": "Thank you for contacting us. Please rate the help you received from 1 to 5.",
        "legend": "Your rating (1 to 5)",
        "r1": "Very poor",
        "r2": "Poor",
        "r3": "OK",
        "r4": "Good",
        "r5": "Great",
        "comment": "Comments (optional)",
        "comment_hint": "Up to 1,000 characters. Please do not include personal details such as phone numbers"
        " or addresses.",
        "submit": "Send",
        "error_rating": "Please choose a rating from 1 to 5.",
        "error_comment": "Please keep your comment within 1,000 characters.",
        "recorded_title": "Thank you",
        "recorded": "Thank you for your answer. Your feedback helps us improve our support.",
        "already_answered_title": "Already answered",
        "already_answered": "This survey has already been answered. Thank you for your time.",
        "expired_title": "This link has expired",
        "expired": "This survey could be answered for 7 days, and that time has passed. Thank you all the same.",
    },
}
# An unknown link has no survey, hence no language: both, Japanese first.
NOT_FOUND_TITLE = "リンクが無効です / Link not valid"
NOT_FOUND = (
    ("ja", "このアンケートのリンクは無効です。お手数ですが、お受け取りになったメッセージのリンクをご確認ください。"),
    ("en", "This survey link is not valid. Please check the link in the message you received."),
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def handle(event: dict[str, Any], surveys: SurveyStore, *, clock: Callable[[], datetime] = utcnow) -> dict[str, Any]:
    """GET or POST /csat/{token} (API Gateway HTTP API, payload 2.0) -> the page."""
    verb = http.method(event)
    token = _token_of(event)
    if verb not in ("GET", "HEAD", "POST"):
        answer_ = _page(405, "Method not allowed", "<p>GET or POST only.</p>", "en")
        answer_["headers"]["allow"] = "GET, HEAD, POST"
        return answer_
    now = iso(clock())
    survey = surveys.get(token) if is_token(token) else None
    closed = why_closed(survey, now)
    if closed is not None or survey is None:
        return _outcome(result_of(closed or "not_found", survey))
    if survey.get("tenant_id") and survey.get("ticket_id"):
        serve_ticket(str(survey["tenant_id"]), str(survey["ticket_id"]))  # the survey is part of the ticket's cost
    language: Language = "en" if survey.get("language") == "en" else "ja"
    brand = str(survey.get("brand") or "")
    if verb != "POST":
        return _form(200, token, language, brand)
    try:
        form = _form_fields(event)
    except PayloadTooLarge:
        return _form(400, token, language, brand, error="error_comment")
    except (InvalidRequest, ValueError):
        return _form(400, token, language, brand, error="error_rating")
    rating, comment = form.get("rating"), form.get("comment")
    try:
        validate_answer(rating, comment)
    except InvalidRequest as problem:
        on_comment = any(d.get("loc") == ["comment"] for d in problem.details or [])
        return _form(
            400,
            token,
            language,
            brand,
            error="error_comment" if on_comment else "error_rating",
            rating=rating if on_comment else None,
            comment=comment,
        )
    return _outcome(answer(surveys, token, rating, comment, now, survey=survey))


def _token_of(event: dict[str, Any]) -> str:
    token = (event.get("pathParameters") or {}).get("token")
    if token is None:
        token = str(event.get("rawPath") or "").removeprefix("/csat/")
    return str(token)


def _form_fields(event: dict[str, Any]) -> dict[str, str]:
    """The form's fields (the first value of each); ValueError for a body that is not a small form."""
    body = http.raw_body(event, MAX_BODY_BYTES).decode("utf-8")
    fields = parse_qs(body, keep_blank_values=True, strict_parsing=False, max_num_fields=10)
    return {name: values[0] for name, values in fields.items() if values}


# -- rendering --------------------------------------------------------------------------------------


def _caption(value: str) -> str:
    """A scale label; "|" marks where a narrow tile may break it (Japanese has no spaces to break at)."""
    return "<wbr>".join(_e(part) for part in value.split("|"))


def _page(status: int, title: str, body: str, language: str, brand: str = "") -> dict[str, Any]:
    heading = f'<p class="csat-brand">{_e(brand)}</p>' if brand else ""
    document = (
        "<!doctype html>\n"
        f'<html lang="{_e(language)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="color-scheme" content="light">\n'
        f"<title>{_e(title)}{' – ' + _e(brand) if brand else ''}</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/csat.css">\n'
        "</head>\n<body>\n"
        f'<main class="csat" id="main">\n{heading}\n{body}\n</main>\n'
        "</body>\n</html>\n"
    )
    answer_ = pages.respond(status, document, HTML_TYPE)
    # The URL carries the token: no cache may keep the page, no search engine may list it.
    answer_["headers"]["cache-control"] = "no-store"
    answer_["headers"]["x-robots-tag"] = "noindex, nofollow"
    return answer_


def _outcome(result: AnswerResult) -> dict[str, Any]:
    if result.outcome == "not_found":
        paragraphs = "\n".join(f'<p lang="{lang}">{_e(text)}</p>' for lang, text in NOT_FOUND)
        body = f'<h1 class="csat-title">{_e(NOT_FOUND_TITLE)}</h1>\n{paragraphs}'
        return _page(STATUS["not_found"], NOT_FOUND_TITLE, body, "ja")
    text = TEXT[result.language]
    title = text[f"{result.outcome}_title"]
    body = (
        f'<h1 class="csat-title">{_e(title)}</h1>\n<p class="csat-message" role="status">{_e(text[result.outcome])}</p>'
    )
    return _page(STATUS[result.outcome], title, body, result.language, result.brand)


def _form(
    status: int,
    token: str,
    language: Language,
    brand: str,
    *,
    error: str | None = None,
    rating: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    text = TEXT[language]
    heading = text["heading"].replace("{brand}", brand) if brand else text["heading_plain"]
    alert = f'<p class="csat-error" id="csat-error" role="alert">{_e(text[error])}</p>\n' if error else ""
    rating_attrs = ' aria-describedby="csat-error"' if error == "error_rating" else ""
    options = "\n".join(
        '<label class="csat-option">'
        f'<input type="radio" name="rating" value="{n}" required{" checked" if rating == str(n) else ""}>'
        f'<span class="csat-tile"><span class="csat-star" aria-hidden="true">★</span>'
        f'<span class="csat-number">{n}</span>'
        f'<span class="csat-caption">{_caption(text[f"r{n}"])}</span></span>'
        "</label>"
        for n in range(1, 6)
    )
    comment_attrs = (
        ' aria-describedby="csat-comment-hint csat-error" aria-invalid="true"'
        if error == "error_comment"
        else ' aria-describedby="csat-comment-hint"'
    )
    body = (
        f'<h1 class="csat-title">{_e(heading)}</h1>\n'
        f'<p class="csat-intro">{_e(text["intro"])}</p>\n'
        f"{alert}"
        f'<form class="csat-form" method="post" action="/csat/{_e(token)}" accept-charset="utf-8">\n'
        f'<fieldset class="csat-scale"{rating_attrs}>\n'
        f'<legend class="csat-legend">{_e(text["legend"])}</legend>\n'
        f'<div class="csat-options">\n{options}\n</div>\n'
        "</fieldset>\n"
        f'<label class="csat-label" for="csat-comment">{_e(text["comment"])}</label>\n'
        f'<p class="csat-hint" id="csat-comment-hint">{_e(text["comment_hint"])}</p>\n'
        f'<textarea class="csat-comment" id="csat-comment" name="comment" rows="5"'
        f' maxlength="{MAX_COMMENT_CHARS}"{comment_attrs}>'
        f"{_e(comment or '')}</textarea>\n"
        f'<button class="csat-submit" type="submit">{_e(text["submit"])}</button>\n'
        "</form>"
    )
    return _page(status, text["title"], body, language, brand)
