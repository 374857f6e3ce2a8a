"""The pipeline on the real worker: sweeps enqueue batch tasks, the worker analyses by watermark, fits a
first model, persists it and the index; backfill and refit are idempotent; intake writes nothing."""

from __future__ import annotations

from pathlib import Path

from django_tasks_db.models import DBTaskResult
from scipy.sparse import hstack
from sklearn.preprocessing import normalize

from sotong.cases.actions import submit_case
from sotong.cases.models import Case
from sotong.cases.tests.conftest import case_values
from sotong.core.scheduler import run_due
from sotong.insights import index, pipeline, representation
from sotong.insights.models import CaseAnalysis
from sotong.insights.text import PIPELINE_VERSION, analyse


def test_kiwi_analysis_keeps_content_morphemes_and_drops_contact_details():
    result = analyse("행당동 골목에 쓰레기가 버려집니다. 연락처는 010-1234-5678, hong@example.com 입니다.")
    assert "쓰레기" in result.nouns
    assert "골목" in result.nouns
    assert "버리다" in result.morphemes
    assert result.sentences == 2
    assert not any(ch.isdigit() for token in result.morphemes for ch in token)
    assert "hong" not in " ".join(result.morphemes)


def test_submitting_a_case_writes_no_analysis_and_enqueues_no_insights_task(org):
    tasks_before = DBTaskResult.objects.filter(task_path__startswith="sotong.insights").count()
    submit_case(**case_values(org))
    assert CaseAnalysis.objects.count() == 0
    assert DBTaskResult.objects.filter(task_path__startswith="sotong.insights").count() == tasks_before


def test_sweep_and_worker_analyse_new_cases_fit_a_model_and_build_a_shared_index(
    corpus, run_worker, insights_dir: Path
):
    cases = corpus(answered=True)

    # when the minute sweep runs and the worker takes its task
    assert run_due(only=["insights.analyse_new"], force=True) == {"insights.analyse_new": "enqueued"}
    assert run_due(only=["insights.analyse_new"], force=True) == {"insights.analyse_new": "already queued"}
    run_worker()

    # then every case is analysed once, a first model is fitted and its files are on disk
    assert CaseAnalysis.objects.count() == len(cases)
    version = representation.current_version()
    assert version
    assert representation.model_path(version).exists()
    assert representation.model_path(version).is_relative_to(insights_dir)  # one folder per database
    assert index.index_path(version).exists()
    row = CaseAnalysis.objects.get(case=cases[0])
    assert row.version == PIPELINE_VERSION
    assert "쓰레기" in row.keywords
    assert row.length > 10
    assert row.model_version == version
    assert row.vector_array() is not None
    assert "9876" not in row.morphemes  # the phone number in the body never reached the analysis
    # and the sweep has nothing more to do
    assert run_due(only=["insights.analyse_new"], force=True) == {"insights.analyse_new": "up to date"}


def test_new_cases_go_to_the_delta_and_another_process_sees_them_after_the_file_changes(corpus, org):
    corpus(answered=False)
    pipeline.analyse_new()
    version = representation.current_version()
    reader = index.SharedIndex(version)  # stands for another web process holding its own view
    reader.refresh()
    size_before = len(reader)

    case = submit_case(
        **case_values(org, title="놀이터 미끄럼틀이 부서졌습니다", body="놀이터 미끄럼틀 수리 요청")
    )
    result = pipeline.analyse_new()

    assert result.analysed == 1
    ids, _vectors = index.read_delta(version)
    assert case.pk in ids
    vector = CaseAnalysis.objects.get(case=case).vector_array()
    hits = reader.search(vector, 3)
    assert len(reader) == size_before + 1
    assert hits[0].case_id == case.pk
    assert hits[0].similarity > 0.99


def test_backfill_analyses_cases_missing_analysis_and_is_idempotent(corpus):
    cases = corpus(answered=False)
    pipeline.analyse_new()
    CaseAnalysis.objects.filter(case__in=cases[:5]).delete()
    CaseAnalysis.objects.filter(case=cases[6]).update(version=0)

    first = pipeline.analyse_missing()
    second = pipeline.analyse_missing()

    assert first.analysed == 6
    assert second.analysed == 0
    assert CaseAnalysis.objects.filter(version=PIPELINE_VERSION).count() == len(cases)


def test_refit_switches_the_model_revectorises_every_row_and_removes_old_files(corpus, insights_dir: Path):
    corpus(answered=True)
    pipeline.analyse_new()
    old = representation.current_version()

    new = pipeline.refit().version

    assert new != old
    assert representation.current_version() == new
    assert set(CaseAnalysis.objects.values_list("model_version", flat=True)) == {new}
    assert not representation.model_path(old).exists()
    assert not index.index_path(old).exists()
    assert pipeline.current_model().classifier is not None  # two departments have answered
    assert pipeline.vectorise_stale() == 0


def test_rebuild_from_stored_vectors_folds_the_delta_into_the_graph(corpus, org):
    corpus(answered=False)
    pipeline.analyse_new()
    version = representation.current_version()
    submit_case(**case_values(org, title="공원 가로등 고장", body="공원 가로등이 꺼졌습니다"))
    pipeline.analyse_new()
    assert len(index.read_delta(version)[0]) == 1

    indexed = pipeline.rebuild_index()

    assert indexed == Case.objects.count()
    assert len(index.read_delta(version)[0]) == 0


def test_refit_backfill_and_rebuild_sweeps_run_their_tasks_on_the_worker(corpus, run_worker):
    corpus(answered=False)
    pipeline.analyse_new()
    old = representation.current_version()
    names = ["insights.backfill", "insights.rebuild_index", "insights.refit"]

    assert run_due(only=names, force=True) == dict.fromkeys(names, "enqueued")
    run_worker()

    assert representation.current_version() != old
    finished = DBTaskResult.objects.filter(task_path__startswith="sotong.insights.tasks", status="SUCCESSFUL")
    assert finished.count() == 3


def test_another_process_switches_to_a_refitted_model_when_current_json_changes(corpus):
    corpus(answered=False)
    pipeline.analyse_new()
    other_process = pipeline._Current()  # its own cache, as in a second web process
    old = other_process.get().version

    new = pipeline.refit().version

    assert old != new
    assert other_process.get().version == new


def test_sparse_rows_from_cached_morpheme_columns_equal_the_fitted_vectorizers(corpus):
    # given a fitted model and texts with known, unknown and no morphemes
    corpus(answered=False)
    pipeline.analyse_new()
    model = pipeline.current_model()
    texts = list(CaseAnalysis.objects.order_by("pk").values_list("morphemes", flat=True))
    texts += ["", "처음보는형태소 xyz", f"{texts[0]} {texts[0]} 없는말"]
    reference = normalize(hstack([model.words.transform(texts), model.chars.transform(texts)]).tocsr())

    # when the rows are computed cold, and again after the warm-up looked every morpheme up
    cold = model.sparse(texts)
    looked_up = model.warm()
    warm = model.sparse(texts)

    # then both are the vectorizers' matrix, and the warm-up covered the whole vocabulary
    assert cold.shape == reference.shape == warm.shape
    assert abs(cold - reference).max() < 1e-6
    assert abs(warm - reference).max() < 1e-6
    assert cold.nnz == reference.nnz
    assert looked_up >= len(model.words.vocabulary_) > 0
    assert warm[len(texts) - 3].nnz == 0  # the empty text has no term


def test_a_full_delta_is_folded_into_the_graph_by_the_worker_without_duplicating_reanalysed_cases(
    corpus, org, run_worker, monkeypatch
):
    # given a graph of the corpus, one case re-analysed and one new case waiting in the delta
    cases = corpus(answered=False)
    pipeline.analyse_new()
    version = representation.current_version()
    reanalysed = CaseAnalysis.objects.get(case=cases[0])
    index.add_to_delta(version, [reanalysed.case_id], reanalysed.vector_array()[None, :])
    monkeypatch.setattr(index, "DELTA_MAX", 1)  # the next batch finds the delta full
    case = submit_case(**case_values(org, title="놀이터 미끄럼틀이 부서졌습니다", body="미끄럼틀 수리"))

    # when the minute sweep's task analyses it and the worker runs what that task enqueued
    run_due(only=["insights.analyse_new"], force=True)
    run_worker()

    # then the fold task ran: the graph holds every case once and the delta is empty
    assert DBTaskResult.objects.filter(
        task_path="sotong.insights.tasks.fold_delta", status="SUCCESSFUL"
    ).exists()
    assert len(index.read_delta(version)[0]) == 0
    reader = index.SharedIndex(version)
    reader.refresh()
    assert len(reader) == Case.objects.count()
    vector = CaseAnalysis.objects.get(case=case).vector_array()
    hit = reader.search(vector, 1, exact=True)[0]
    assert hit.case_id == case.pk
    assert hit.similarity > 0.99
