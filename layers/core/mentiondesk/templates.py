"""Reply templates: one template, a body per language, with {variables} filled from the ticket, and
which templates suit a ticket best.

Bodies are plain text. ``{name}`` is a variable (the known names are in :data:`VARIABLES`; any other
is refused when the template is saved), ``{{`` and ``}}`` are literal braces. A ticket is answered in
its own language when the template has a body for it, else in the template's first language.
Variables follow the body's language: a Japanese body addresses ``山田様`` and signs ``担当：佐藤``, an
English one says ``Hi Taro`` and signs ``^Hanako``. A customer's order number is echoed in private
messages only, never in a public reply.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import time
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from mentiondesk.models import Author, DisplayName, Intent, Platform, Ticket
from mentiondesk.sla.calendar import BusinessCalendar
from mentiondesk.triage.pii import find_pii

VARIABLES = {
    "customer_name": "the customer's display name (or @handle when the platform gives none)",
    "customer_handle": "the customer's @handle",
    "customer_honorific": "the customer's name as the body's language addresses them: 山田様, 株式会社アクメ御中, Taro",
    "agent_name": "the replying agent's display name",
    "agent_first_name": "the name the agent signs with: the first word of their name (佐藤 of 佐藤 花子, Hanako)",
    "agent_signature": "the agent's sign-off in the body's language: 担当：佐藤 or ^Hanako",
    "brand": "the channel account's name",
    "ticket_id": "the ticket's id",
    "order_number": "the order number in the customer's messages (private replies only; empty in public)",
    "support_hours": "the team's business hours in the body's language: 平日 9:00〜18:00, weekdays 9:00–18:00",
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
MAX_BODY = 2_000

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
ReplyMode = Literal["public", "dm", "private_reply"]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^\S(?:.*\S)?$")]

T = TypeVar("T")

WITHHELD_IN_PUBLIC = "order_number_withheld_in_public"
LANGUAGE_FALLBACK = "language_fallback"


class TemplateError(ValueError):
    pass


def _check_body(body: str) -> str:
    for match in _TOKEN.finditer(body):
        if match.group(0) in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise TemplateError("a lone { or } : write {{ or }} for a literal brace")
        if name not in VARIABLES:
            raise TemplateError(f"unknown variable {{{name}}}; known: {', '.join('{' + v + '}' for v in VARIABLES)}")
    return body


def _unique(values: list[T]) -> list[T]:
    return list(dict.fromkeys(values))


def _brand_name(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("brand must not be blank (leave it out for every brand)")
    return value


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName
    bodies: dict[Language, Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY)]] = Field(
        min_length=1, description="Language (ISO 639-1) → body"
    )
    # What the template suits, for suggestions; an empty list means "any". Stored templates saved before
    # these fields existed load with the defaults.
    intents: Annotated[list[Intent], AfterValidator(_unique)] = Field(
        default_factory=list, description="The ticket intents it answers"
    )
    channels: Annotated[list[Platform], AfterValidator(_unique)] = Field(
        default_factory=list, description="Only for these channels (empty: any)"
    )
    modes: Annotated[list[ReplyMode], AfterValidator(_unique)] = Field(
        default_factory=list, description="Only as a public reply, DM or private reply (empty: any)"
    )
    tags: Annotated[list[Tag], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=20, description="Topics such as shipping, apology, thanks"
    )
    brand: Annotated[str | None, StringConstraints(max_length=100), AfterValidator(_brand_name)] = Field(
        default=None, description="Only for this brand's channels (the channel handle); none: every brand"
    )

    @field_validator("bodies")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        for body in value.values():
            _check_body(body)
        return value


class Template(TemplateIn):
    model_config = ConfigDict(extra="ignore")

    id: str
    tenant_id: str
    created_at: str
    updated_at: str
    updated_by: str
    version: int = 1


# --- rendering ----------------------------------------------------------------------------------


class RenderContext(BaseModel):
    """What a template is filled from: the ticket, its customer, the replying agent, how it is sent."""

    model_config = ConfigDict(frozen=True)

    language: str | None = None  # the ticket's language ("ja", "en", "zh-TW"); None: the template's first
    customer: Author | None = None
    agent_name: str = ""  # "" for automatic replies
    brand: str = ""
    ticket_id: str = ""
    mode: ReplyMode = "public"
    customer_texts: tuple[str, ...] = ()  # the customer's messages, oldest first
    calendar: BusinessCalendar | None = None  # None: support_hours renders empty


class Rendered(BaseModel):
    """A rendered body: its language, the text, the variables that came out empty, and warning codes."""

    model_config = ConfigDict(frozen=True)

    language: str
    text: str
    missing: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def _primary(language: str | None) -> str:
    return (language or "").split("-")[0].split("_")[0].lower()


def choose_language(template: Template, language: str | None) -> str:
    """The body a ticket in `language` is answered with: its own ("zh" for "zh-TW"), else the first."""
    if language in template.bodies:
        return language
    primary = _primary(language)
    return primary if primary in template.bodies else next(iter(template.bodies))


def variables_in(body: str) -> list[str]:
    """The variables a body uses, in order of first use."""
    return _unique([m.group(1) for m in _TOKEN.finditer(body) if m.group(1) is not None])


def _fill(body: str, variables: Mapping[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece in ("{{", "}}"):
            return piece[0]
        return variables.get(match.group(1) or "", "")

    return _TOKEN.sub(fill, body)


def render(template: Template, language: str | None, variables: Mapping[str, str]) -> tuple[str, str]:
    """The body for `language` (or the first one) with its variables filled: (language, text)."""
    chosen = choose_language(template, language)
    return chosen, _fill(template.bodies[chosen], variables)


def render_for(template: Template, context: RenderContext) -> Rendered:
    """The body for the context's language with every variable filled for that language and mode."""
    language = choose_language(template, context.language)
    body = template.bodies[language]
    values = variables_for(template, context)
    used = variables_in(body)
    warnings = []
    if context.language and _primary(context.language) != language:
        warnings.append(LANGUAGE_FALLBACK)
    if "order_number" in used and context.mode == "public":
        warnings.append(WITHHELD_IN_PUBLIC)
    return Rendered(
        language=language,
        text=_fill(body, values),
        missing=[name for name in used if not values.get(name)],
        warnings=warnings,
    )


def variables_for(template: Template, context: RenderContext) -> dict[str, str]:
    """Every variable's value for the body `template` answers the context with (empty when unknown)."""
    language = choose_language(template, context.language)
    customer = context.customer
    handle = f"@{customer.handle}" if customer and customer.handle else ""
    display = (customer.display_name or "").strip() if customer else ""
    agent = " ".join(context.agent_name.split())
    return {
        "customer_name": display or handle,
        "customer_handle": handle,
        "customer_honorific": addressed(display, handle, language),
        "agent_name": agent,
        "agent_first_name": first_name(agent),
        "agent_signature": signature(agent, language),
        "brand": context.brand,
        "ticket_id": context.ticket_id,
        "order_number": "" if context.mode == "public" else order_number(context.customer_texts),
        "support_hours": support_hours(context.calendar, language) if context.calendar else "",
    }


# --- names --------------------------------------------------------------------------------------

# A name that already carries an honorific keeps it (たろうさん, not たろうさん様).
_HONORIFIC_END = re.compile(r"(?:様|さま|さん|くん|ちゃん|殿|御中|[-\s](?i:sama|san))$")
_COMPANY = re.compile(
    r"^(?:株式会社|有限会社|合同会社|[(（](?:株|有)[)）]|㈱|㈲)"
    r"|(?:株式会社|有限会社|合同会社|[(（](?:株|有)[)）]|㈱|㈲|(?:^|[\s,])(?i:inc|corp|co|ltd|llc|k\.k|gmbh)\.?)$"
)
# Display names carry decorations: "【公式】...", "さくら🌸@低浮上", "Tom | coffee", "たろう(30)".
_BRACKETED = re.compile(
    r"【[^】]*】|[\[［][^\]］]*[\]］]|「[^」]*」|《[^》]*》|〔[^〕]*〕|[(（](?![株有][)）])[^)）]*[)）]"
)
_CUT = re.compile(r"[@＠|｜/／]")
_EDGE = "-_~・･,;:!?、。 \u3000"
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3005]")


def _name_core(display: str) -> str:
    """A display name without decorations (emoji, symbols, bracketed notes, what follows @, | or /)."""
    text = _BRACKETED.sub(" ", display)
    for part in _CUT.split(text):
        kept = "".join(" " if unicodedata.category(ch)[0] in "SC" and ch not in "㈱㈲" else ch for ch in part)
        core = " ".join(kept.split()).strip(_EDGE)
        if core:
            return core
    return ""


def addressed(display: str, handle: str, language: str) -> str:
    """The customer's name as a body in `language` addresses them ("" when neither name is known).

    Japanese adds 様 (御中 for a company) unless the name already has an honorific; other languages
    use the name as it is.
    """
    name = _name_core(display) or handle
    if not name or language != "ja":
        return name
    if _HONORIFIC_END.search(name):
        return name
    if _COMPANY.search(name):
        latin = name[-1].isascii() and (name[-1].isalnum() or name[-1] == ".")
        return f"{name} 御中" if latin else f"{name}御中"  # Acme Inc. 御中, 株式会社アクメ御中
    return f"{name}様"


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s・]+", name) if w]


def first_name(agent: str) -> str:
    """The first word of a name: the family name of 佐藤 花子, the given name of Hanako Sato."""
    words = _words(agent)
    return words[0] if words else ""


def family_name(agent: str) -> str:
    """佐藤 of 佐藤 花子 (family name first), Sato of Hanako Sato (family name last)."""
    words = _words(agent)
    if not words:
        return ""
    return words[0] if _JAPANESE.search(agent) else words[-1]


def signature(agent: str, language: str) -> str:
    """How agents sign in `language`: 担当：佐藤 in Japanese, ^Hanako (the social-care sign-off) otherwise."""
    if not agent:
        return ""
    return f"担当：{family_name(agent)}" if language == "ja" else f"^{first_name(agent)}"


# --- order numbers and support hours -------------------------------------------------------------


def order_number(texts: Iterable[str]) -> str:
    """The first order number the PII detector finds in the customer's messages ("" when none)."""
    for text in texts:
        found = sorted((m.start, m.end) for m in find_pii(text) if m.type == "order_number")
        if found:
            start, end = found[0]
            return text[start:end]
    return ""


_DAYS = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_NAMED_DAYS = {
    (0, 1, 2, 3, 4): {"ja": "平日", "en": "weekdays"},
    (5, 6): {"ja": "土日", "en": "weekends"},
    (0, 1, 2, 3, 4, 5, 6): {"ja": "毎日", "en": "every day"},
}
# ja: 平日 9:00〜18:00／土 10:00〜17:00; en: weekdays 9:00–18:00; Sat 10:00–17:00
_STYLE = {
    "ja": {"to": "〜", "range": "〜", "days": "・", "intervals": "、", "groups": "／", "all_day": "24時間"},
    "en": {"to": "–", "range": "–", "days": ", ", "intervals": ", ", "groups": "; ", "all_day": "24 hours"},
}


def _clock(value: time, end: bool = False) -> str:
    return "24:00" if end and value == time(0) else f"{value.hour}:{value.minute:02d}"


def _day_names(days: tuple[int, ...], lang: str) -> str:
    if days in _NAMED_DAYS:
        return _NAMED_DAYS[days][lang]
    names, style = _DAYS[lang], _STYLE[lang]
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}{style['range']}{names[run[-1]]}")
        else:
            parts.extend(names[day] for day in run)
    return style["days"].join(parts)


def support_hours(calendar: BusinessCalendar, language: str) -> str:
    """The weekly hours as text: 平日 9:00〜18:00 (ja) or weekdays 9:00–18:00 (other languages).

    Days with the same hours are grouped; holidays and special days are not described.
    """
    lang = "ja" if language == "ja" else "en"
    style = _STYLE[lang]
    groups: dict[tuple[tuple[time, time], ...], list[int]] = {}
    for weekday, intervals in sorted(calendar.hours.items()):
        if intervals:
            groups.setdefault(tuple((i.start, i.end) for i in intervals), []).append(weekday)
    described = []
    for spans, days in sorted(groups.items(), key=lambda group: group[1][0]):
        if spans == ((time(0), time(0)),):
            hours = style["all_day"]
        else:
            hours = style["intervals"].join(f"{_clock(a)}{style['to']}{_clock(b, end=True)}" for a, b in spans)
        described.append(f"{_day_names(tuple(days), lang)} {hours}")
    return style["groups"].join(described)


# --- suggestions --------------------------------------------------------------------------------

# Weights: having the ticket's language outweighs everything else together, a matching intent
# outweighs every lesser signal together, so the order reads as a list of priorities.
_LANGUAGE = 100
_INTENT = 40
_ANY_INTENT = 10
_BRAND = 10
_TAG = 5
_MAX_TAGS = 3
_CHANNEL = 5
_MODE = 5


class Suggestion(BaseModel):
    """A template ranked for a ticket, why, and how it reads for that ticket."""

    model_config = ConfigDict(frozen=True)

    template_id: str
    name: str
    score: int
    reasons: list[str]
    uses: int = 0
    rendered: Rendered


def _key(value: str) -> str:
    return value.strip().lstrip("@").casefold()


def _score(template: Template, ticket: Ticket, mode: ReplyMode, brand: str) -> tuple[int, list[str]] | None:
    """The template's score for the ticket and the reasons, or None when it does not fit at all."""
    if template.channels and ticket.platform not in template.channels:
        return None
    if template.modes and mode not in template.modes:
        return None
    if template.brand is not None and brand and _key(template.brand) != _key(brand):
        return None
    shared = {_key(tag) for tag in ticket.tags} & {_key(tag) for tag in template.tags}
    signals = [
        ("language", _LANGUAGE, _primary(ticket.language) in template.bodies),
        ("intent", _INTENT, ticket.intent is not None and ticket.intent in template.intents),
        ("brand", _BRAND, template.brand is not None and bool(brand)),
        ("tags", _TAG * min(len(shared), _MAX_TAGS), bool(shared)),
        ("channel", _CHANNEL, bool(template.channels)),
        ("mode", _MODE, bool(template.modes)),
    ]
    reasons = [reason for reason, _, holds in signals if holds]
    score = sum(weight for _, weight, holds in signals if holds)
    # A template for any intent suits a ticket better than one written for another intent.
    return score + (_ANY_INTENT if not template.intents else 0), reasons


def suggest(
    templates: Sequence[Template],
    ticket: Ticket,
    mode: ReplyMode,
    limit: int = 5,
    *,
    usage: Mapping[str, int] | None = None,
    context: RenderContext | None = None,
) -> list[Suggestion]:
    """The templates that suit `ticket` best, rendered for it, best first.

    Templates for other channels, modes or brands are left out. Ties go to the template used more
    often (`usage`: template id → recent uses), then by name and id. `context` fills the previews
    (agent, brand, messages, calendar; rendered in `mode`); without it, from the ticket alone.
    """
    usage = usage or {}
    if context is None:
        context = RenderContext(language=ticket.language, customer=ticket.customer, ticket_id=ticket.id, mode=mode)
    elif context.mode != mode:
        context = context.model_copy(update={"mode": mode})
    ranked: list[tuple[int, int, Template, list[str]]] = []
    for template in templates:
        scored = _score(template, ticket, mode, context.brand)
        if scored is not None:
            ranked.append((scored[0], usage.get(template.id, 0), template, scored[1]))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2].name.casefold(), r[2].name, r[2].id))
    return [
        Suggestion(
            template_id=template.id,
            name=template.name,
            score=score,
            reasons=[*reasons, "recently_used"] if uses else reasons,
            uses=uses,
            rendered=render_for(template, context),
        )
        for score, uses, template, reasons in ranked[: max(limit, 0)]
    ]
