"""안전 위험 핵심어: the default list and the matching of a case's text against the active terms.

Matching is on the title and body with every space removed, against each term with its spaces removed,
so "가스 누출" finds "가스누출" and "가스  누출" alike. A substring match is what staff expect of a keyword
list (싱크홀 in "싱크홀이"); a term that matches too much is switched off on the page, and the dismissed
flags teach the classifier.
"""

from __future__ import annotations

from collections.abc import Iterable

from sotong.insights.models_alerts import SafetyTerm

# Seeded by migration 0004_alerts; staff add, switch off or remove terms on the keyword page.
DEFAULT_TERMS = (
    "싱크홀",
    "땅꺼짐",
    "지반침하",
    "붕괴",
    "균열",
    "가스 누출",
    "가스 냄새",
    "화재",
    "불이 났",
    "폭발",
    "감전",
    "누전",
    "전선이 끊어",
    "추락",
    "낙하물",
    "떨어질 것 같",
    "침수",
    "범람",
    "산사태",
    "옹벽",
    "축대",
    "맨홀",
    "쓰러질",
    "기울어",
)

MIN_TERM_LENGTH = 2
MAX_TERM_LENGTH = 40


def compact(text: str) -> str:
    return "".join(text.split())


def active_terms() -> list[tuple[str, str]]:
    """(term, compacted term) of every active term, longest first."""
    terms = SafetyTerm.objects.filter(is_active=True).values_list("term", flat=True)
    return sorted(((term, compact(term)) for term in terms), key=lambda item: (-len(item[1]), item[0]))


def matching_terms(text: str, terms: Iterable[tuple[str, str]]) -> list[str]:
    """The terms found in `text` (spaces ignored on both sides), in the order given."""
    flat = compact(text)
    return [term for term, key in terms if key and key in flat]


def seed_default_terms() -> int:
    """Add the default terms that are missing (the migration does it; tests and the demo after a flush)."""
    existing = set(SafetyTerm.objects.values_list("term", flat=True))
    new = [SafetyTerm(term=term) for term in DEFAULT_TERMS if term not in existing]
    SafetyTerm.objects.bulk_create(new)
    return len(new)
