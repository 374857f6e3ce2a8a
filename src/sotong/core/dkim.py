"""DKIM signatures (RFC 6376) for every e-mail the platform sends: the outbox's and the campaigns'.

One implementation, one set of settings: `SOTONG_DKIM_DOMAIN`, `SOTONG_DKIM_SELECTOR` and
`SOTONG_DKIM_PRIVATE_KEY_FILE` (PEM). Without a domain and a key file nothing is signed.

The header list is passed explicitly: dkimpy's default leaves out `List-Unsubscribe-Post`, and RFC 8058 §4
asks that both unsubscribe headers be covered, so they are signed whenever the message carries them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from django.conf import settings

# Signed when present (absent ones are left out: signing an absent header would forbid adding it later,
# which relays that add Cc or Reply-To never do, but there is no need to promise it either).
BASE_HEADERS = (
    b"from",
    b"to",
    b"cc",
    b"reply-to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
)
UNSUBSCRIBE_HEADERS = (b"list-unsubscribe", b"list-unsubscribe-post")


def is_configured() -> bool:
    """True when a signing domain and a key file are set."""
    return bool(
        getattr(settings, "SOTONG_DKIM_DOMAIN", "") and getattr(settings, "SOTONG_DKIM_PRIVATE_KEY_FILE", "")
    )


@lru_cache(maxsize=2)
def private_key(path: str) -> bytes:
    """The PEM key, read once per process and path (a rotated key gets a new path or a restart)."""
    return Path(path).read_bytes()


def header_names(raw: bytes) -> set[bytes]:
    """The lower-cased names of the top-level header fields of an RFC 5322 message."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    head = raw if end < 0 else raw[:end]
    names = set()
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t") or b":" not in line:
            continue  # folded continuation
        names.add(line.split(b":", 1)[0].strip().lower())
    return names


def headers_to_sign(raw: bytes) -> list[bytes]:
    """The base headers and the two unsubscribe headers, each only if the message has it."""
    present = header_names(raw)
    return [name for name in (*BASE_HEADERS, *UNSUBSCRIBE_HEADERS) if name in present]


def sign(raw: bytes, *, include_headers: Iterable[bytes] | None = None) -> bytes:
    """`raw` with a DKIM-Signature header prepended, or `raw` unchanged when no key is configured.

    `raw` must be the exact bytes handed to the SMTP server (CRLF line ends): the signature covers them.
    """
    if not is_configured():
        return raw
    import dkim

    headers = list(include_headers) if include_headers is not None else headers_to_sign(raw)
    signature = dkim.sign(
        raw,
        settings.SOTONG_DKIM_SELECTOR.encode(),
        settings.SOTONG_DKIM_DOMAIN.encode(),
        private_key(settings.SOTONG_DKIM_PRIVATE_KEY_FILE),
        include_headers=headers,
    )
    return bytes(signature) + raw
