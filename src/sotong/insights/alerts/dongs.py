"""Approximate centres of the demo district's 행정동 (성동구, 17 dongs), for placing a case on the safety map
when it has a dong but no coordinates.

Points are rough centres read off a map (about ±300 m), good enough to show where in the district a
case is, not where on the street. A deployment for another district replaces this table; a case with
its own latitude and longitude is always placed there instead.
"""

from __future__ import annotations

import math

DONG_CENTRES: dict[str, tuple[float, float]] = {
    "왕십리도선동": (37.5660, 127.0310),
    "왕십리2동": (37.5625, 127.0290),
    "마장동": (37.5665, 127.0445),
    "사근동": (37.5610, 127.0470),
    "행당1동": (37.5590, 127.0335),
    "행당2동": (37.5575, 127.0280),
    "응봉동": (37.5530, 127.0325),
    "금호1가동": (37.5545, 127.0225),
    "금호2·3가동": (37.5510, 127.0190),
    "금호4가동": (37.5475, 127.0230),
    "옥수동": (37.5420, 127.0135),
    "성수1가1동": (37.5470, 127.0440),
    "성수1가2동": (37.5445, 127.0480),
    "성수2가1동": (37.5420, 127.0560),
    "성수2가3동": (37.5460, 127.0590),
    "송정동": (37.5585, 127.0680),
    "용답동": (37.5650, 127.0540),
}


def centre_of(dong: str) -> tuple[float, float] | None:
    return DONG_CENTRES.get(dong.strip()) if dong else None


def spread(centre: tuple[float, float], n: int) -> tuple[float, float]:
    """The `n`-th point of a small spiral around `centre`, so several cases of one dong stay apart."""
    if n == 0:
        return centre
    angle = n * 2.39996  # the golden angle, in radians
    radius = 0.00035 * math.sqrt(n)
    return (round(centre[0] + radius * math.sin(angle), 6), round(centre[1] + radius * math.cos(angle), 6))
