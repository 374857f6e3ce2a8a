"""Signed unsubscribe tokens: who (person), from what (newsletter) and by which channel, without a login.

    token = unsubscribe_token(newsletter_id=3, person_id=42, channel="email")   # "3-42-e-1f0c…"
    read_unsubscribe_token(token)                                                # (3, 42, "email") or None

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


def read_unsubscribe_token(token: str) -> tuple[int, int, str] | None:
    """(newsletter id, person id, channel) of a valid token, else None."""
    parts = (token or "").split("-")
    if len(parts) != 4 or parts[2] not in _CHANNELS or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    payload = "-".join(parts[:3])
    if not hmac.compare_digest(_sign(payload), parts[3]):
        return None
    return int(parts[0]), int(parts[1]), _CHANNELS[parts[2]]


def unsubscribe_url(token: str) -> str:
    """The https link of the preference page and of the one-click POST (RFC 8058)."""
    return f"{settings.SITE_URL}{reverse('campaigns_public:unsubscribe', args=[token])}"


def unsubscribe_url_prefix() -> str:
    """The link without its token, so the sender joins strings instead of reversing URLs per message."""
    return unsubscribe_url("TOKEN").removesuffix("TOKEN/")
