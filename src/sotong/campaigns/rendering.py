"""Templates in a sandboxed subset of Django's language, and what advertising adds to every message.

A template sees only a dict of the person's fields (strings and numbers: no object, so no method is ever
called), loads no library, includes or extends nothing, and uses only the tags in `ALLOWED_TAGS`. It is
compiled once per campaign and rendered once per recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from sotong.campaigns.models import CampaignError, Channel, Newsletter
from sotong.core.masking import mask_name
from sotong.messaging.text import (
    LMS_MAX_BYTES,
    LMS_SUBJECT_MAX_BYTES,
    TextTooLong,
    UnencodableText,
    classify_sms,
    describe_character,
    euc_kr_length,
)

ALLOWED_TAGS = frozenset(
    {"if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith", "firstof", "comment",
     "endcomment", "spaceless", "endspaceless", "autoescape", "endautoescape"}
)  # fmt: skip
# The person's fields a template may use, with a sample for previews without a person.
PERSON_FIELDS: dict[str, str] = {
    "name": "홍길동",
    "masked_name": "홍*동",
    "dong": "행당1동",
    "district": "성동구",
    "birth_year": "1980",
    "occupation": "회사원",
}
AD_PREFIX = "(광고)"


@lru_cache(maxsize=1)
def _engine(autoescape: bool) -> Engine:
    # No loaders and no libraries: {% include %} and {% extends %} have nothing to find, {% load %} nothing
    # to load (and both are refused before compiling anyway).
    return Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=autoescape, debug=False)


def check_syntax(source: str, *, field: str) -> None:
    """Refuse tags outside the sandbox and text Django cannot compile, naming the field (Korean)."""
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name not in ALLOWED_TAGS:
                raise CampaignError(
                    _("서식에서 쓸 수 없는 태그입니다: {%% %(tag)s %%}") % {"tag": name}, field=field
                )
        if token.token_type == TokenType.VAR:
            variable = token.contents.split("|")[0].strip().split(".")[0]
            if (
                variable
                and not variable[0].isdigit()
                and variable[0] not in "\"'"
                and variable not in PERSON_FIELDS
            ) and variable not in ("forloop",):
                raise CampaignError(
                    _("서식에서 쓸 수 없는 항목입니다: {{ %(name)s }} (쓸 수 있는 항목: %(allowed)s)")
                    % {"name": variable, "allowed": ", ".join(PERSON_FIELDS)},
                    field=field,
                )
    try:
        _engine(True).from_string(source)
    except TemplateSyntaxError as exc:
        raise CampaignError(_("서식 문법 오류: %(error)s") % {"error": exc}, field=field) from exc


def person_context(person: Any) -> dict[str, str]:
    """What a template sees of a person: plain strings only."""
    return {
        "name": person.name or "",
        "masked_name": mask_name(person.name) if person.name else "",
        "dong": person.dong or "",
        "district": person.district or "",
        "birth_year": str(person.birth_year or ""),
        "occupation": person.occupation or "",
    }


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class _Simple:
    """A template of text and bare `{{ field }}` only (the usual newsletter), rendered by one `format_map`
    over the text with its fields as `{name}`: the same output as Django's engine for such a template, at a
    fraction of the cost (autoescaping escapes the values, as the engine does)."""

    def __init__(self, parts: list[tuple[str, str]], escape: bool) -> None:
        self.escape = escape
        self.fields = tuple(dict.fromkeys(field for _text, field in parts if field))
        self.format = "".join(
            text.replace("{", "{{").replace("}", "}}") if not field else f"{{{field}}}"
            for text, field in parts
        )

    def render_values(self, values: dict[str, str]) -> str:
        if self.escape:
            values = {field: str(conditional_escape(values.get(field, ""))) for field in self.fields}
        elif not all(field in values for field in self.fields):
            values = {field: str(values.get(field, "")) for field in self.fields}
        return self.format.format_map(values)


def _compile(source: str, autoescape: bool) -> Any:
    parts: list[tuple[str, str]] = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            parts.append((token.contents, ""))
        elif token.token_type == TokenType.VAR and token.contents.strip() in PERSON_FIELDS:
            parts.append(("", token.contents.strip()))
        elif token.token_type != TokenType.COMMENT:
            return _engine(autoescape).from_string(source)
    return _Simple(parts, autoescape)


class CompiledTemplate:
    """A template compiled once, with the newsletter's advertising additions, rendered per person."""

    def __init__(self, channel: str, subject: str, text: str, html: str, newsletter: Newsletter) -> None:
        self.channel = channel
        self.is_advertising = newsletter.is_advertising
        self._subject = _compile(subject or "", False)
        self._text = _compile(text or "", False)
        self._html = _compile(html, True) if html else None
        self._prefix = f"{AD_PREFIX} " if self.is_advertising else ""
        self._text_footer, self._html_footer = footers(newsletter, channel)
        # The sender computes the masked name only for templates that mention it.
        self.uses_masked_name = any("masked_name" in (source or "") for source in (subject, text, html))

    def render(self, values: dict[str, str], unsubscribe_url: str = "") -> Rendered:
        text = _render(self._text, values, False).strip()
        footer = self._text_footer.replace("{unsubscribe_url}", unsubscribe_url)
        if self.channel == Channel.SMS:
            return Rendered("", f"{self._prefix}{text}{footer}", "")
        subject = _render(self._subject, values, False).strip()
        html = ""
        if self._html is not None:
            html_footer = self._html_footer.replace("{unsubscribe_url}", unsubscribe_url)
            body = _render(self._html, values, True)
            html = (
                body.replace("</body>", html_footer + "</body>") if "</body>" in body else body + html_footer
            )
        return Rendered(f"{self._prefix}{subject}".strip(), f"{text}\n{footer}", html)


def _render(template: Any, values: dict[str, str], autoescape: bool) -> str:
    if isinstance(template, _Simple):
        return template.render_values(values)
    return str(template.render(Context(values, autoescape=autoescape)))


def footers(newsletter: Newsletter, channel: str) -> tuple[str, str]:
    """The sender line and the opt-out line every message carries (정보통신망법 §50④: sender name and
    contact, and a free way to refuse); for SMS the 080 number, for e-mail the unsubscribe link."""
    from django.utils.html import escape

    sender = f"{newsletter.sender_name} {newsletter.contact_line}".strip()
    if channel == Channel.SMS:
        if newsletter.is_advertising:
            return f"\n{_('무료수신거부')} {newsletter.opt_out_number}", ""
        return "", ""
    text = "\n".join(
        [
            "--",
            _("보낸 곳: %(sender)s") % {"sender": sender},
            _("수신을 원하지 않으시면: %(url)s") % {"url": "{unsubscribe_url}"},
        ]
        + (
            [_("무료수신거부: %(number)s") % {"number": newsletter.opt_out_number}]
            if newsletter.is_advertising
            else []
        )
    )
    html = (
        '<hr><p style="font-size:13px;color:#555">'
        + escape(_("보낸 곳: %(sender)s") % {"sender": sender})
        + '<br><a href="{unsubscribe_url}">'
        + escape(_("수신 거부"))
        + "</a>"
        + (
            "<br>" + escape(_("무료수신거부: %(number)s") % {"number": newsletter.opt_out_number})
            if newsletter.is_advertising
            else ""
        )
        + "</p>"
    )
    return text, html


def check_sms_text(text: str, *, field: str = "body_text") -> str:
    """The SMS kind ("sms" up to 90 EUC-KR bytes, "lms" up to 2,000) or a Korean refusal."""
    try:
        return classify_sms(text)
    except UnencodableText as exc:
        raise CampaignError(
            _("문자로 보낼 수 없는 글자가 있습니다: %(chars)s")
            % {"chars": ", ".join(map(describe_character, exc.characters))},
            field=field,
        ) from exc
    except TextTooLong as exc:
        raise CampaignError(
            _("문자 내용이 %(length)d바이트로 장문 문자 한도(%(limit)d바이트)를 넘습니다.")
            % {"length": exc.length, "limit": LMS_MAX_BYTES},
            field=field,
        ) from exc


def check_lms_subject(subject: str) -> None:
    if subject and euc_kr_length(subject) > LMS_SUBJECT_MAX_BYTES:
        raise CampaignError(
            _("문자 제목은 %(limit)d바이트 이내여야 합니다.") % {"limit": LMS_SUBJECT_MAX_BYTES},
            field="subject",
        )


_WORST = dict.fromkeys(PERSON_FIELDS, "가" * 20)


def worst_case_sms(compiled: CompiledTemplate) -> tuple[str, int]:
    """The SMS with every field 20 Hangul long, and its bytes: the check made before a campaign starts."""
    text = compiled.render(_WORST).text
    return text, euc_kr_length(text)
