"""Signed unsubscribe tokens: who (person), from what (newsletter) and by which channel, without a login.

    token = unsubscribe_token(newsletter_id=3, person_id=42, channel="email")   # "3-42-e-1f0c…"
    read_unsubscribe_token(token)                                                # (3, 42, "email") or None

The registry's message screen (people.views.office_message) sends for a consent purpose, not a newsletter:

    token = purpose_token(purpose_id=2, person_id=42, channel="email")          # "p2-42-e-9a3b…"
    read_purpose_token(token)                                                    # (2, 42, "email") or None

The "p" prefix is part of the signed payload, so a newsletter token never reads as a purpose token.

HMAC-SHA256 under SOTONG_UNSUBSCRIBE_SECRET (or a key derived from SECRET_KEY), truncated to 96 bits:
short enough for an SMS-free e-mail header line, long enough that guessing one is out of reach.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.urls import reverse

_CHANNELS = {"e": "email", "s": "sms"}
_CODES = {value: key for key, value in _CHANNELS.items()}


@lru_cache(maxsize=4)
def _key(secret: str, fallback: str) -> bytes:
    if secret:
        return secret.encode()
    return hashlib.sha256(b"sotong.campaigns.unsubscribe:" + fallback.encode()).digest()


def _sign(payload: str) -> str:
    key = _key(getattr(settings, "SOTONG_UNSUBSCRIBE_SECRET", ""), settings.SECRET_KEY)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:24]


def unsubscribe_token(*, newsletter_id: int, person_id: int, channel: str) -> str:
    payload = f"{newsletter_id}-{person_id}-{_CODES[channel]}"
    return f"{payload}-{_sign(payload)}"


def _read(token: str, prefix: str) -> tuple[int, int, str] | None:
    parts = (token or "").split("-")
    if len(parts) != 4 or not parts[0].startswith(prefix) or parts[2] not in _CHANNELS:
        return None
    first = parts[0].removeprefix(prefix)
    if not (first.isdigit() and parts[1].isdigit()):
        return None
    if not hmac.compare_digest(_sign("-".join(parts[:3])), parts[3]):
        return None
    return int(first), int(parts[1]), _CHANNELS[parts[2]]


def read_unsubscribe_token(token: str) -> tuple[int, int, str] | None:
    """(newsletter id, person id, channel) of a valid token, else None."""
    return _read(token, "")


def purpose_token(*, purpose_id: int, person_id: int, channel: str) -> str:
    payload = f"p{purpose_id}-{person_id}-{_CODES[channel]}"
    return f"{payload}-{_sign(payload)}"


def read_purpose_token(token: str) -> tuple[int, int, str] | None:
    """(consent purpose id, person id, channel) of a valid purpose token, else None."""
    return _read(token, "p")


def purpose_unsubscribe_url(token: str) -> str:
    """The https link of the purpose's confirmation page and of its one-click POST (RFC 8058)."""
    return f"{settings.SITE_URL}{reverse('campaigns_public:purpose_unsubscribe', args=[token])}"


def unsubscribe_url(token: str) -> str:
    """The https link of the preference page and of the one-click POST (RFC 8058)."""
    return f"{settings.SITE_URL}{reverse('campaigns_public:unsubscribe', args=[token])}"


def unsubscribe_url_prefix() -> str:
    """The link without its token, so the sender joins strings instead of reversing URLs per message."""
    return unsubscribe_url("TOKEN").removesuffix("TOKEN/")
