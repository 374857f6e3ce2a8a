"""Fixtures of the insights tests: a private SOTONG_INSIGHTS_DIR per test, the per-process model and
index caches reset, and a small corpus of cases made through the real cases actions.

    corpus(answered=True)  → 36 cases on three topics; with `answered`, two thirds are answered by the
                             department of their topic (청소행정과, 교통행정과), through assign and answer
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sotong.accounts.models import User
from sotong.accounts.tests.fixtures import Org
from sotong.cases.actions import answer_case, assign_case, start_processing, submit_case
from sotong.cases.models import Case
from sotong.cases.tests.conftest import case_values
from sotong.insights import index, pipeline, similar

TOPICS = {
    "sanitation": [
        "골목길 쓰레기 무단투기 단속 요청",
        "음식물 쓰레기 수거가 늦어 악취가 납니다",
        "재활용 쓰레기 분리수거함 설치 요청",
        "대형 폐기물 수거 신청 방법 문의",
        "쓰레기 봉투 판매처를 늘려 주세요",
        "공원 쓰레기통이 넘쳐서 치워 주세요",
        "밤마다 쓰레기를 몰래 버리는 사람이 있습니다",
        "쓰레기 수거 차량 소음이 심합니다",
        "종량제 봉투 없이 버린 쓰레기 처리 요청",
        "길거리 담배꽁초와 쓰레기 청소 요청",
        "음식물 쓰레기 수거통이 부서졌습니다",
        "아파트 앞 쓰레기 더미 치워 주세요",
    ],
    "parking": [
        "불법 주차 차량 단속 요청",
        "학교 앞 불법 주정차 때문에 위험합니다",
        "거주자 우선 주차구역 신청 문의",
        "공영 주차장 요금이 너무 비쌉니다",
        "주차 단속 카메라 설치를 요청합니다",
        "소방차 전용구역에 주차한 차량 신고",
        "장애인 주차구역 불법 주차 단속",
        "골목길 이중 주차로 통행이 어렵습니다",
        "공영 주차장을 더 만들어 주세요",
        "주차 위반 과태료 부과에 이의가 있습니다",
        "버스 정류장 앞 불법 주정차 단속",
        "밤마다 인도 위에 주차하는 차량이 있습니다",
    ],
    "parks": [
        "어린이 놀이터 놀이기구가 고장났습니다",
        "공원 산책로 가로등이 꺼져 있습니다",
        "놀이터 모래 교체를 요청합니다",
        "공원 벤치가 부서져 위험합니다",
        "공원에 운동기구를 더 설치해 주세요",
        "놀이터 바닥 고무매트가 찢어졌습니다",
        "산책로에 나무 그늘을 만들어 주세요",
        "공원 화장실이 너무 더럽습니다",
        "놀이터 주변에 CCTV 설치 요청",
        "공원 분수대 운영 시간 문의",
        "공원 잔디밭 관리가 안 됩니다",
        "놀이터 그네 줄이 끊어졌습니다",
    ],
}


@pytest.fixture(autouse=True)
def insights_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "insights"
    settings.SOTONG_INSIGHTS_DIR = folder
    settings.MEDIA_ROOT = str(tmp_path / "media")
    pipeline.current.forget()
    index._indexes.clear()
    similar._row_cache.clear()
    yield folder
    pipeline.current.forget()
    index._indexes.clear()


def topic_of(case: Case) -> str:
    return next(topic for topic, titles in TOPICS.items() if case.title in titles)


@pytest.fixture
def corpus(
    org: Org, intake_officer: User, handler: User, other_dept_handler: User
) -> Callable[..., list[Case]]:
    departments = {"sanitation": (org.sanitation, handler), "parking": (org.transport, other_dept_handler)}

    def make(answered: bool = True) -> list[Case]:
        cases = []
        for topic, titles in TOPICS.items():
            for number, title in enumerate(titles):
                body = f"{title}. 빠른 처리를 부탁드립니다. 연락은 010-9876-{number:04d} 으로 주세요."
                case = submit_case(**case_values(org, title=title, body=body, citizen_name="김민원"))
                if answered and topic in departments and number % 3 != 2:
                    department, officer = departments[topic]
                    case = assign_case(case, actor=intake_officer, department=department, officer=officer)
                    case = start_processing(case, actor=officer)
                    answer_case(
                        case, actor=officer, body=f"김민원 님, {title} 건은 담당 부서에서 조치했습니다."
                    )
                cases.append(case)
        return cases

    return make
