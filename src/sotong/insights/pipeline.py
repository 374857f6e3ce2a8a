"""The batch work of the text pipeline: analyse new cases by id watermark, backfill, vectorise, refit
the representation and rebuild the index. Called by the tasks in `tasks.py` (driven by the sweeps);
each function is idempotent and safe to run twice or from two workers at once.

Nothing here runs in the intake transaction: a new case is analysed by the next batch, within a minute
(`insights.analyse_new`), so intake pays no extra write per case.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Max, Q
from django.utils import timezone

from sotong.cases.models import Case
from sotong.insights import index as ann
from sotong.insights import representation as rep
from sotong.insights.models import CaseAnalysis
from sotong.insights.text import PIPELINE_VERSION, analyse_many, case_text, kiwi

logger = logging.getLogger(__name__)

BATCH = 500
# A first model is fitted as soon as this many cases are analysed; later refits come from the sweep.
MIN_FIT_CASES = 30
# Refitting on a random sample keeps the time bounded at millions of cases (the vocabulary and the
# SVD axes settle long before that).
FIT_SAMPLE = 300_000


class _Current:
    """The representation named by `current.json`, loaded once per process and re-read when it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mtime: object = -2
        self._model: rep.Representation | None = None

    def get(self) -> rep.Representation | None:
        path = rep.current_path()
        try:
            stat = path.stat()
            # The inode too: an atomic replace always makes a new one, even within the clock's resolution.
            mtime: object = (stat.st_ino, stat.st_mtime_ns)
        except FileNotFoundError:
            mtime = -1
        with self._lock:
            if mtime != self._mtime:
                version = rep.current_version()
                self._model = rep.load(version) if version else None
                self._mtime = mtime
                if self._model is not None:
                    threading.Thread(target=_warm, args=(self._model,), daemon=True).start()
            return self._model

    def forget(self) -> None:
        with self._lock:
            self._mtime, self._model = -2, None


def _warm(model: rep.Representation) -> None:
    """What the first queries would otherwise load or compute: the columns of each morpheme, and Kiwi."""
    model.warm()
    kiwi()


current = _Current()


def current_model() -> rep.Representation | None:
    return current.get()


def watermark() -> int:
    """The highest case id analysed: every newer case is waiting for the next batch."""
    return CaseAnalysis.objects.aggregate(top=Max("case_id"))["top"] or 0


def _rows(cases: Sequence[tuple[int, str, str]], model: rep.Representation | None) -> list[CaseAnalysis]:
    now = timezone.now()
    analyses = list(analyse_many(case_text(title, body) for _id, title, body in cases))
    morphemes = [" ".join(a.morphemes) for a in analyses]
    vectors = model.dense(morphemes) if model is not None and model.svd is not None else None
    rows = []
    for position, ((case_id, _title, _body), analysis) in enumerate(zip(cases, analyses, strict=True)):
        rows.append(
            CaseAnalysis(
                case_id=case_id,
                version=PIPELINE_VERSION,
                morphemes=morphemes[position],
                nouns=" ".join(analysis.nouns),
                keywords=analysis.keywords,
                length=analysis.length,
                sentences=analysis.sentences,
                analysed_at=now,
                vector=vectors[position].tobytes() if vectors is not None else None,
                model_version=model.version if vectors is not None and model is not None else "",
                vectorised_at=now if vectors is not None else None,
            )
        )
    return rows


def _index_rows(rows: Sequence[CaseAnalysis], model: rep.Representation | None) -> bool:
    """Put freshly vectorised rows into the delta; True when the delta asks for a rebuild."""
    if model is None:
        return False
    mine = [row for row in rows if row.vector and row.model_version == model.version]
    if not mine:
        return False
    vectors = np.vstack([np.frombuffer(bytes(row.vector), dtype=np.float32) for row in mine])  # type: ignore[arg-type]
    size = ann.add_to_delta(model.version, [row.case_id for row in mine], vectors)
    return size > ann.DELTA_MAX


@dataclass
class BatchResult:
    analysed: int = 0
    rebuild_wanted: bool = False
    fitted: str = ""

    def __str__(self) -> str:
        return f"analysed {self.analysed}" + (f", fitted {self.fitted}" if self.fitted else "")


def _store(cases: list[tuple[int, str, str]], result: BatchResult, *, replace: bool = False) -> None:
    model = current_model()
    rows = _rows(cases, model)
    if replace:
        CaseAnalysis.objects.filter(case_id__in=[row.case_id for row in rows]).delete()
    CaseAnalysis.objects.bulk_create(rows, ignore_conflicts=True)
    result.analysed += len(rows)
    result.rebuild_wanted |= _index_rows(rows, model)


def analyse_new(*, batch: int = BATCH, max_batches: int = 20) -> BatchResult:
    """Analyse cases above the watermark, oldest first, in batches (Kiwi is faster on batches)."""
    result = BatchResult()
    for _round in range(max_batches):
        cases = list(
            Case.objects.filter(pk__gt=watermark()).order_by("pk").values_list("pk", "title", "body")[:batch]
        )
        if not cases:
            break
        _store(cases, result)
    _first_fit(result)
    return result


def analyse_missing(*, batch: int = BATCH, max_batches: int = 20) -> BatchResult:
    """Backfill: cases below the watermark with no analysis, or one from an older pipeline version."""
    result = BatchResult()
    for _round in range(max_batches):
        missing = Case.objects.filter(Q(analysis__isnull=True) | Q(analysis__version__lt=PIPELINE_VERSION))
        cases = list(missing.order_by("pk").values_list("pk", "title", "body")[:batch])
        if not cases:
            break
        _store(cases, result, replace=True)
    _first_fit(result)
    return result


def _first_fit(result: BatchResult) -> None:
    if current_model() is None and CaseAnalysis.objects.count() >= MIN_FIT_CASES:
        result.fitted = refit().version


def vectorise_stale(*, batch: int = 2_000, max_batches: int = 50, to_delta: bool = True) -> int:
    """Vectors of rows made under another model (after a refit), from the stored morphemes; a refit
    builds the whole graph afterwards, so it skips the delta (`to_delta=False`)."""
    model = current_model()
    if model is None or model.svd is None:
        return 0
    done = 0
    for _round in range(max_batches):
        stale = list(
            CaseAnalysis.objects.exclude(model_version=model.version)
            .order_by("pk")
            .only("pk", "morphemes")[:batch]
        )
        if not stale:
            break
        _vectorise(model, stale)
        done += len(stale)
        if to_delta:
            _index_rows(stale, model)
    return done


def _vectorise(model: rep.Representation, rows: list[CaseAnalysis]) -> None:
    vectors = model.dense([row.morphemes for row in rows])
    now = timezone.now()
    for row, vector in zip(rows, vectors, strict=True):
        row.vector, row.model_version, row.vectorised_at = vector.tobytes(), model.version, now
    CaseAnalysis.objects.bulk_update(rows, ["vector", "model_version", "vectorised_at"], batch_size=500)


def stored_vectors(version: str, chunk: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """All (case id, vector) of one model version, read in id order by chunks.

    Each chunk is a range of the primary key, and the version is checked here rather than in SQL: with
    `model_version = %s` in the query, SQLite took its index and sorted every row of the version for each
    chunk (quadratic: 10,900 rows a second at a million rows, 35,000 this way; docs/insights.md)."""
    ids: list[np.ndarray] = []
    vectors: list[bytes] = []
    last = 0
    while True:
        rows = list(
            CaseAnalysis.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "model_version", "vector")[:chunk]
        )
        if not rows:
            break
        mine = [(pk, vector) for pk, row_version, vector in rows if row_version == version and vector]
        ids.append(np.fromiter((pk for pk, _v in mine), dtype=np.int64, count=len(mine)))
        vectors.append(b"".join(bytes(vector) for _pk, vector in mine))
        last = rows[-1][0]
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    if not len(all_ids):
        return all_ids, np.zeros((0, 0), dtype=np.float32)
    return all_ids, np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(len(all_ids), -1)


def rebuild_index() -> int:
    """Build the graph of the current model from the stored vectors (folding the delta in)."""
    model = current_model()
    if model is None or model.svd is None:
        return 0
    ids, vectors = stored_vectors(model.version)
    return ann.save_graph(model.version, ids, vectors, model.dimensions)


def fold_delta() -> int:
    """Fold the delta into the current model's graph (a full rebuild when there is no graph yet)."""
    model = current_model()
    if model is None or model.svd is None:
        return 0
    folded = ann.fold_delta(model.version)
    return rebuild_index() if folded is None else folded


def refit(*, sample: int = FIT_SAMPLE, seed: int = 0) -> rep.Representation:
    """Fit a new representation (and the department classifier) on the stored analyses, switch every
    process to it, re-vectorise all rows and build its index."""
    from sotong.insights.suggest import fit_department_classifier

    total = CaseAnalysis.objects.count()
    rows = CaseAnalysis.objects.order_by("pk").values_list("morphemes", flat=True)
    if total > sample:
        step = total / sample
        corpus = [
            m for position, m in enumerate(rows.iterator(chunk_size=5_000)) if int(position % step) == 0
        ]
    else:
        corpus = list(rows)
    model = rep.fit(corpus, seed=seed)
    model.classifier = fit_department_classifier(model)
    rep.save(model)
    current.forget()
    vectorise_stale(max_batches=10**9, to_delta=False)
    rebuild_index()
    prune_files(keep={model.version})
    logger.info("insights: fitted %s on %d analyses", model.version, len(corpus))
    return model


def prune_files(keep: set[str]) -> list[str]:
    """Delete the model, graph and delta files of versions no longer in use (a process still reading an
    old graph keeps its memory map until it sees `current.json` change)."""
    removed: list[str] = []
    folder = rep.insights_dir()
    if not folder.exists():
        return removed
    for path in folder.iterdir():
        stem = path.name.split(".")[0] if not path.name.startswith(".") else path.name.split(".")[1]
        version = stem.split("-", 1)[1] if "-" in stem else ""
        if version and version not in keep and path.name.startswith(("model-", "index-", "delta-", ".lock-")):
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
