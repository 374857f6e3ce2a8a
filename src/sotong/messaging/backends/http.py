"""HTTP SMS gateway adapter, modelled on Solapi's v4 API (`POST /messages/v4/send-many`).

Request body: `{"messages": [{"to", "from", "text", "type": "SMS"|"LMS", "subject"?, "customFields":
{"messageId"}}]}`, signed with `Authorization: HMAC-SHA256 apiKey=..., date=..., salt=..., signature=...`
where signature is the hex HMAC-SHA256 of date+salt under the API secret. 5xx, 408, 429, timeouts and
network errors are worth retrying; other 4xx answers mean the request itself is wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sotong.messaging.backends.base import SendResult, SmsBackend

if TYPE_CHECKING:
    from sotong.messaging.models import Message

RETRYABLE_STATUS = {408, 425, 429}
# Solapi accepts up to 10,000 messages per send-many request.
BATCH_SIZE = 1000


def sign(api_key: str, api_secret: str, *, date: str | None = None, salt: str | None = None) -> str:
    """The Authorization header value for one request."""
    date = date or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    salt = salt or secrets.token_hex(16)
    signature = hmac.new(api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}"


class HttpSmsBackend(SmsBackend):
    """Posts messages to SOTONG_SMS_GATEWAY_URL with SOTONG_SMS_API_KEY / SOTONG_SMS_API_SECRET."""

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url or settings.SOTONG_SMS_GATEWAY_URL
        self.api_key = api_key or settings.SOTONG_SMS_API_KEY
        self.api_secret = api_secret or settings.SOTONG_SMS_API_SECRET
        self.timeout = timeout or settings.SOTONG_SMS_TIMEOUT
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                "SOTONG_SMS_GATEWAY_URL must be an http(s) URL for the http SMS backend"
            )
        if not (self.api_key and self.api_secret):
            raise ImproperlyConfigured("SOTONG_SMS_API_KEY and SOTONG_SMS_API_SECRET must be set")

    def send_many(self, messages: Sequence[Message]) -> list[SendResult]:
        results: list[SendResult] = []
        for start in range(0, len(messages), BATCH_SIZE):
            results.extend(self._send_batch(messages[start : start + BATCH_SIZE]))
        return results

    def _send_batch(self, messages: Sequence[Message]) -> list[SendResult]:
        body = json.dumps({"messages": [self.payload(m) for m in messages]}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": sign(self.api_key, self.api_secret),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = _json(response.read())
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code}: {exc.read()[:500].decode('utf-8', 'replace')}"
            retryable = exc.code >= 500 or exc.code in RETRYABLE_STATUS
            result = SendResult.retry(detail) if retryable else SendResult.failed(detail)
            return [result] * len(messages)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return [SendResult.retry(f"{type(exc).__name__}: {reason}")] * len(messages)
        return self._results(messages, answer)

    @staticmethod
    def _results(messages: Sequence[Message], answer: dict[str, Any]) -> list[SendResult]:
        """Per-message outcome from the answer: listed failures fail, the rest are accepted."""
        accepted: dict[str, str] = {}
        for item in _as_list(answer.get("messageList")):
            ref = str((item.get("customFields") or {}).get("messageId", ""))
            accepted[ref] = str(item.get("messageId", ""))
        failed: dict[str, str] = {}
        for item in _as_list(answer.get("failedMessageList")):
            ref = str((item.get("customFields") or {}).get("messageId", ""))
            failed[ref] = f"{item.get('statusCode', '')} {item.get('statusMessage', '')}".strip()
        group_id = str((answer.get("groupInfo") or {}).get("groupId", ""))
        results = []
        for message in messages:
            ref = str(message.pk)
            if ref in failed:
                results.append(SendResult.failed(f"gateway refused: {failed[ref]}"))
            else:
                results.append(SendResult.sent(accepted.get(ref) or group_id))
        return results


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[dict[str, Any]]:
    """Solapi answers lists, or objects keyed by message id; take either."""
    if isinstance(value, dict):
        value = list(value.values())
    return [item for item in value or [] if isinstance(item, dict)]
