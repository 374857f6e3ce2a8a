"""One masking standard for every screen and export (KOREAN-RULES.md, 개인정보의 안전성 확보조치 기준).

mask_name("홍길동") == "홍*동"      mask_name("홍길") == "홍*"      mask_name("남궁민수") == "남**수"
mask_phone("010-1234-5678") == "010-****-5678"
mask_email("honggildong@example.com") == "hong***@example.com"
"""

from __future__ import annotations

import re

MASK = "*"


def mask_name(name: str | None) -> str:
    """Keep the first and last character of names of 3+ characters, the first of 2; mask the rest."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def phone_digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def format_phone(phone: str | None) -> str:
    """Hyphenate a Korean phone number: 010-1234-5678, 02-123-4567, 031-1234-5678, 1588-1234."""
    digits = phone_digits(phone)
    if len(digits) == 8 and digits[:2] in {"15", "16", "18"}:
        return f"{digits[:4]}-{digits[4:]}"
    if digits.startswith("02") and 9 <= len(digits) <= 10:
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if 10 <= len(digits) <= 11:
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    return digits


def mask_phone(phone: str | None) -> str:
    """Mask the middle group: 010-****-5678 (the number of stars follows the group's length)."""
    formatted = format_phone(phone)
    parts = formatted.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{MASK * len(parts[1])}-{parts[2]}"
    if len(parts) == 2:
        return f"{MASK * len(parts[0])}-{parts[1]}"
    digits = phone_digits(phone)
    return MASK * max(len(digits) - 4, 0) + digits[-4:] if digits else ""


def mask_email(email: str | None) -> str:
    """Keep up to four leading characters of the local part (at most half of it), then ***."""
    email = (email or "").strip()
    if "@" not in email:
        return MASK * 3 if email else ""
    local, domain = email.rsplit("@", 1)
    keep = min(4, max(1, len(local) // 2))
    return f"{local[:keep]}{MASK * 3}@{domain}"


def mask_address(address: str | None) -> str:
    """Keep the road or lot part and hide the building detail: 서울 성동구 왕십리로 *** (동·호 omitted)."""
    address = (address or "").strip()
    match = re.match(r"^(.*?(?:로|길|동|가|리))\s*\d", address)
    if match:
        return f"{match.group(1)} {MASK * 3}"
    return address.split(" ")[0] + f" {MASK * 3}" if address else ""
