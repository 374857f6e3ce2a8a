"""접수번호: readable receipt numbers with a check digit, e.g. ``2611-004271-3``.

    2611    year and month of receipt (yymm, Seoul time)
    004271  serial within the year (six digits, more once a year passes 999,999)
    3       check digit over the ten or more digits before it (Damm algorithm)

The Damm check digit catches every single-digit error and every swap of two neighbouring digits,
which is what people make when they read a number over the phone (Luhn misses 09 ↔ 90). The serial
comes from one `ReceiptCounter` row per year, created or incremented by one statement inside the caller's
transaction (``INSERT ... ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last``, SQLite ≥ 3.35
and PostgreSQL): the row lock (PostgreSQL) or the write lock (SQLite in IMMEDIATE mode) holds other
registrations back until the transaction ends, so no two cases get the same serial.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from django.db import connection
from django.utils import timezone

from sotong.cases.models import ReceiptCounter
from sotong.core.business_calendar import SEOUL

# A weakly totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
RECEIPT_NO = re.compile(r"^(\d{4})-(\d{6,9})-(\d)$")


def check_digit(digits: str) -> str:
    """The Damm check digit of a string of decimal digits."""
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return str(interim)


def format_receipt_no(moment: datetime, serial: int) -> str:
    local = timezone.localtime(moment, SEOUL)
    prefix, number = f"{local:%y%m}", f"{serial:06d}"
    return f"{prefix}-{number}-{check_digit(prefix + number)}"


def normalize_receipt_no(value: str) -> str:
    """What a person typed, as the canonical form: spaces dropped, hyphens put back (2611004271 3 → …)."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 11:
        return (value or "").strip()
    return f"{digits[:4]}-{digits[4:-1]}-{digits[-1]}"


def validate_receipt_no(value: str) -> bool:
    """Whether `value` is a well-formed receipt number whose check digit is right (typing errors fail)."""
    match = RECEIPT_NO.match(normalize_receipt_no(value))
    if match is None:
        return False
    prefix, number, digit = match.groups()
    month = int(prefix[2:])
    return 1 <= month <= 12 and check_digit(prefix + number) == digit


def next_receipt_no(moment: datetime | None = None) -> str:
    """A new receipt number for a case received at `moment`; call it inside the registering transaction."""
    moment = moment or timezone.now()
    year = timezone.localtime(moment, SEOUL).year
    with connection.cursor() as cursor:
        cursor.execute(_next_serial_sql(), [year])
        (serial,) = cursor.fetchone()
    return format_receipt_no(moment, serial)


@cache
def _next_serial_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(ReceiptCounter._meta.db_table)
    year, last = quote("year"), quote("last")  # the columns of ReceiptCounter's two fields
    # Names come from the model, the year goes as a parameter. One round trip: create or increment.
    return (
        f"INSERT INTO {table} ({year}, {last}) VALUES (%s, 1) "  # noqa: S608
        f"ON CONFLICT ({year}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )
