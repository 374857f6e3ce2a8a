"""Department suggestion (처리부서 추천) and suggested answers (답변 추천).

The label of a case is the department that finally answered it (the last answer's department, after
any transfers), taken from answered and closed cases. A logistic-loss linear classifier on the sparse
TF-IDF is fitted with each representation (it was the most accurate of the options measured, see
docs/insights.md); between refits, and when too few departments have answered yet, the suggestion is a
similarity-weighted vote of the nearest answered cases, which learns from every new answer at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import OuterRef, Subquery

from sotong.accounts.models import Department
from sotong.cases.models import Answer, Case, CaseStatus
from sotong.insights.models import CaseAnalysis

if TYPE_CHECKING:
    from sotong.insights.representation import Representation
    from sotong.insights.similar import Similar

ANSWERED = (CaseStatus.ANSWERED, CaseStatus.CLOSED)
TRAINING_LIMIT = 300_000
TOP = 3


def final_departments(case_ids: list[int] | None = None) -> dict[int, int]:
    """case id → id of the department of its last answer, for answered and closed cases."""
    last = Answer.objects.filter(case=OuterRef("pk")).order_by("-answered_at", "-pk").values("department")[:1]
    cases = Case.objects.filter(status__in=ANSWERED)
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    rows = cases.annotate(final=Subquery(last)).values_list("pk", "final")
    return {pk: final for pk, final in rows if final is not None}


def fit_department_classifier(model: Representation) -> Any:
    """A classifier of final departments over the sparse TF-IDF; None with fewer than two departments."""
    labels = final_departments()
    if len(set(labels.values())) < 2:
        return None
    ids = sorted(labels)[-TRAINING_LIMIT:]
    texts = dict(CaseAnalysis.objects.filter(case_id__in=ids).values_list("case_id", "morphemes"))
    ids = [pk for pk in ids if pk in texts]
    if len({labels[pk] for pk in ids}) < 2:
        return None
    return train_classifier(model.sparse([texts[pk] for pk in ids]), [labels[pk] for pk in ids])


def train_classifier(matrix: Any, labels: list[Any]) -> Any:
    """The linear classifier used for suggestions (logistic loss, so it gives probabilities)."""
    from sklearn.linear_model import SGDClassifier

    classifier = SGDClassifier(loss="log_loss", alpha=1e-4, random_state=0, max_iter=50, tol=1e-3)
    return classifier.fit(matrix, labels)


@dataclass
class DepartmentSuggestion:
    department: Department
    confidence: float  # 0..1


def classify(model: Representation, morphemes: str) -> list[tuple[Any, float]]:
    """The classifier's top labels with probabilities."""
    classifier = model.classifier
    probabilities = classifier.predict_proba(model.sparse([morphemes]))[0]
    order = np.argsort(-probabilities)[:TOP]
    return [(classifier.classes_[i], float(probabilities[i])) for i in order]


def vote(neighbours: list[tuple[Any, float]]) -> list[tuple[Any, float]]:
    """Similarity-weighted vote of (label, similarity) pairs, as shares of the total weight."""
    weights: dict[Any, float] = defaultdict(float)
    for label, similarity in neighbours:
        weights[label] += max(similarity, 0.0)
    total = sum(weights.values()) or 1.0
    ranked = sorted(weights.items(), key=lambda item: -item[1])[:TOP]
    return [(label, weight / total) for label, weight in ranked]


def suggest_departments(
    model: Representation, morphemes: str, similar: list[Similar]
) -> list[DepartmentSuggestion]:
    """The three most likely handling departments with confidence (active departments only)."""
    ranked: list[tuple[Any, float]] = []
    if model.classifier is not None:
        ranked = classify(model, morphemes)
    if not ranked:
        finals = final_departments([item.case.pk for item in similar])
        ranked = vote([(finals[item.case.pk], item.similarity) for item in similar if item.case.pk in finals])
    departments = Department.objects.in_bulk([label for label, _c in ranked])
    return [
        DepartmentSuggestion(departments[label], confidence)
        for label, confidence in ranked
        if label in departments and departments[label].is_active
    ]
