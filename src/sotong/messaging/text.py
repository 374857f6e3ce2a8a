"""Pure helpers for message text and addresses: EUC-KR byte counting, SMS/LMS choice, validation.

Korean carriers count SMS length in EUC-KR bytes (KS X 1001): ASCII 1 byte, Hangul and other
KS X 1001 characters 2 bytes. An SMS holds 90 bytes and an LMS 2,000. Python's `euc_kr` codec also
writes the 8-byte "make-up" sequences of KS X 1001 annex 3 for the Hangul syllables outside the 2,350
precomposed ones (똠, 뷁...); carriers do not accept those, so they count as unencodable here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
LMS_SUBJECT_MAX_BYTES = 40

SMS = "sms"
LMS = "lms"


class UnencodableText(ValueError):
    """The text holds characters that have no single KS X 1001 code."""

    def __init__(self, characters: tuple[str, ...]) -> None:
        super().__init__("cannot encode in EUC-KR: " + ", ".join(describe_character(c) for c in characters))
        self.characters = characters


class TextTooLong(ValueError):
    """The text is longer than an LMS can carry."""

    def __init__(self, length: int) -> None:
        super().__init__(f"{length} bytes in EUC-KR, more than {LMS_MAX_BYTES}")
        self.length = length


# KS X 1001 HANGUL FILLER: the first two bytes of the 8-byte make-up sequences of annex 3.
_MAKE_UP_START = b"\xa4\xd4"


def _text_length(text: str) -> int | None:
    """EUC-KR bytes of the whole text in one pass, or None when a character needs a closer look.

    One `encode` of the whole text instead of one per character. None when something does not encode or
    a make-up sequence may be in it (the filler byte pair can also straddle two characters; the
    per-character count then decides).
    """
    if text.isascii():
        return len(text)
    try:
        encoded = text.encode("euc_kr")
    except UnicodeEncodeError:
        return None
    return None if _MAKE_UP_START in encoded else len(encoded)


@lru_cache(maxsize=8192)
def _char_length(char: str) -> int | None:
    """Bytes of one character in EUC-KR, or None when it has no 1- or 2-byte code."""
    try:
        encoded = char.encode("euc_kr")
    except UnicodeEncodeError:
        return None
    return len(encoded) if len(encoded) <= 2 else None


def unencodable_characters(text: str) -> tuple[str, ...]:
    """The distinct characters of `text` that SMS cannot carry, in order of first appearance."""
    if _text_length(text) is not None:
        return ()
    seen: dict[str, None] = {}
    for char in text:
        if char not in seen and _char_length(char) is None:
            seen[char] = None
    return tuple(seen)


def euc_kr_length(text: str) -> int:
    """Length of `text` in EUC-KR bytes; raises `UnencodableText` naming what cannot be encoded."""
    fast = _text_length(text)
    if fast is not None:
        return fast
    total = 0
    bad: dict[str, None] = {}
    for char in text:
        length = _char_length(char)
        if length is None:
            bad[char] = None
        else:
            total += length
    if bad:
        raise UnencodableText(tuple(bad))
    return total


def classify_sms(text: str) -> str:
    """ "sms" up to 90 EUC-KR bytes, "lms" up to 2,000; raises `TextTooLong` or `UnencodableText`."""
    length = euc_kr_length(text)
    if length <= SMS_MAX_BYTES:
        return SMS
    if length <= LMS_MAX_BYTES:
        return LMS
    raise TextTooLong(length)


def describe_character(char: str) -> str:
    """'😀'(U+1F600) style label, for error messages that must name the offending character."""
    shown = char if unicodedata.category(char)[0] not in {"C", "Z"} else ""
    return f"'{shown}'(U+{ord(char):04X})" if shown else f"U+{ord(char):04X}"


_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
_MOBILE = re.compile(r"^01(?:0\d{8}|[16789]\d{7,8})$")
_SENDER = re.compile(r"^\d{8,12}$")


def normalize_mobile(value: str) -> str | None:
    """Korean mobile number as digits (01012345678), or None when it is not one.

    Accepts hyphens, spaces, dots, parentheses and the +82 country prefix.
    """
    digits = _PHONE_SEPARATORS.sub("", value or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("82") and len(digits) in {11, 12}:
        digits = "0" + digits[2:].lstrip("0")
    return digits if _MOBILE.match(digits) else None


def normalize_sender_number(value: str) -> str | None:
    """A registered sender number (landline, mobile or 15xx) as digits, or None."""
    digits = _PHONE_SEPARATORS.sub("", value or "")
    return digits if _SENDER.match(digits) else None


def mask_address(address: str) -> str:
    """Address shown in logs and timelines: 010-****-5678, ho***@example.kr."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:2]}***@{domain}"
    if len(address) >= 10 and address.isdigit():
        return f"{address[:3]}-****-{address[-4:]}"
    return address[:3] + "***"
