"""유사민원: the cases most like a text or a case, for the portal form, the case page and the API.

The index gives `CANDIDATES` nearest cases by the dense vectors; they are re-ranked by the sparse
TF-IDF cosine of their stored morphemes and filtered by the caller's queryset (scoping, status). What a
citizen sees goes through `public_text`: the title and the last answer, with phone numbers, e-mail
addresses and the case's own citizen name masked; never the body, the name or the contact.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet
from scipy.sparse import vstack

from sotong.cases.models import Answer, Case, CaseStatus
from sotong.core.masking import mask_name
from sotong.insights.index import CANDIDATES, shared_index
from sotong.insights.models import CaseAnalysis
from sotong.insights.pipeline import current_model
from sotong.insights.representation import Representation
from sotong.insights.text import analyse, case_text

MIN_SIMILARITY = 0.12
HIDDEN_STATUSES = (CaseStatus.MERGED, CaseStatus.WITHDRAWN)
ANSWERED = (CaseStatus.ANSWERED, CaseStatus.CLOSED)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\d{2,4}[-.\s]?\d{3,4}[-.\s]?\d{4}")


def public_text(text: str, names: list[str]) -> str:
    """Text safe to show anyone: contact details and the given names masked."""
    text = _CONTACT.sub("***", text or "")
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text


@dataclass
class Similar:
    case: Case
    similarity: float
    answer: Answer | None = None
    keywords: list[str] = field(default_factory=list)
    visible: bool = True  # False: the user may not open the case (its answer may still be suggested)

    @property
    def is_answered(self) -> bool:
        return self.case.status in ANSWERED

    @property
    def public_title(self) -> str:
        return public_text(self.case.title, [self.case.citizen_name])

    @property
    def public_answer(self) -> str:
        return public_text(self.answer.body, [self.case.citizen_name]) if self.answer else ""


@dataclass
class Query:
    """A text made ready for search under one model."""

    model: Representation
    morphemes: str
    vector: np.ndarray
    sparse: object


def prepare(morphemes: str) -> Query | None:
    model = current_model()
    if model is None or model.svd is None or not morphemes.strip():
        return None
    sparse = model.sparse([morphemes])
    if not sparse.nnz:
        return None
    return Query(model, morphemes, model.dense([morphemes], sparse=sparse)[0], sparse)


def query_for_text(title: str, body: str) -> Query | None:
    if current_model() is None:  # no model yet: do not load Kiwi for nothing
        return None
    return prepare(" ".join(analyse(case_text(title, body)).morphemes))


def query_for_case(case: Case) -> Query | None:
    if current_model() is None:
        return None
    stored = CaseAnalysis.objects.filter(case=case).values_list("morphemes", flat=True).first()
    if stored is None:
        stored = " ".join(analyse(case_text(case.title, case.body)).morphemes)
    return prepare(stored)


def search(
    query: Query,
    cases: QuerySet[Case],
    *,
    limit: int = 5,
    exclude: int | None = None,
    answered_first: bool = False,
    min_similarity: float = MIN_SIMILARITY,
) -> list[Similar]:
    """The `limit` most similar cases of `cases` (re-ranked by sparse cosine), optionally answered first."""
    hits = shared_index(query.model.version).search(query.vector, CANDIDATES)
    ids = [hit.case_id for hit in hits if hit.case_id != exclude]
    if not ids:
        return []
    rows = _sparse_rows(query.model, ids)
    ids = [pk for pk in ids if pk in rows]
    if not ids:
        return []
    scores = (vstack([rows[pk] for pk in ids]) @ query.sparse.T).toarray().ravel()  # type: ignore[attr-defined]
    ranked = [(pk, float(score)) for pk, score in zip(ids, scores, strict=True) if score >= min_similarity]
    ranked.sort(key=lambda item: -item[1])
    visible = cases.exclude(status__in=HIDDEN_STATUSES).in_bulk([pk for pk, _s in ranked[: limit * 4]])
    # The `limit` most similar, then (for citizens) the answered ones of those first.
    found = [Similar(visible[pk], score) for pk, score in ranked if pk in visible][:limit]
    if answered_first:
        found.sort(key=lambda item: (not item.is_answered, -item.similarity))
    _attach_answers(found)
    return found


# Sparse TF-IDF rows of recently seen candidates, per process: as a citizen types, each debounced query
# meets mostly the same candidates, and computing their rows from the morphemes is most of a query's time.
# Keyed by model version, so a refit starts afresh (a re-analysis under the same model is seen after the
# row leaves the cache).
ROW_CACHE_SIZE = 20_000
_row_cache: OrderedDict[tuple[str, int], Any] = OrderedDict()
_row_cache_lock = threading.Lock()


def _sparse_rows(model: Representation, ids: list[int]) -> dict[int, Any]:
    rows: dict[int, Any] = {}
    with _row_cache_lock:
        for pk in ids:
            row = _row_cache.get((model.version, pk))
            if row is not None:
                _row_cache.move_to_end((model.version, pk))
                rows[pk] = row
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        stored = dict(CaseAnalysis.objects.filter(case_id__in=missing).values_list("case_id", "morphemes"))
        found = [pk for pk in missing if pk in stored]
        if found:
            matrix = model.sparse([stored[pk] for pk in found])
            with _row_cache_lock:
                for position, pk in enumerate(found):
                    rows[pk] = _row_cache[(model.version, pk)] = matrix[position]
                while len(_row_cache) > ROW_CACHE_SIZE:
                    _row_cache.popitem(last=False)
    return rows


def _attach_answers(found: list[Similar]) -> None:
    answered = [item.case.pk for item in found if item.is_answered]
    if not answered:
        return
    latest: dict[int, Answer] = {}
    for answer in Answer.objects.filter(case_id__in=answered).order_by("answered_at", "pk"):
        latest[answer.case_id] = answer
    for item in found:
        item.answer = latest.get(item.case.pk)


def public_cases() -> QuerySet[Case]:
    """What citizens may see as similar cases: not grievances (personal by nature), not merged or withdrawn."""
    return Case.objects.filter(is_grievance=False).only(
        "pk",
        "receipt_no",
        "title",
        "status",
        "received_at",
        "answered_at",
        "citizen_name",
        "category",
        "is_grievance",
    )
