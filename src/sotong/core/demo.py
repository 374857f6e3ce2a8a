"""Demo code tables: channels, complaint kinds with their statutory periods, categories."""

from __future__ import annotations

from sotong.core.models import Code, CodeGroup

CODE_TABLES: dict[str, tuple[str, list[tuple[str, str, str, dict[str, object]]]]] = {
    "channel": (
        "접수 경로",
        [
            ("web", "인터넷", "Web", {}),
            ("mobile", "모바일", "Mobile", {}),
            ("phone", "전화(120)", "Phone (120)", {}),
            ("visit", "방문", "Visit", {}),
            ("mayor_dialogue", "구청장과의 대화", "Dialogue with the mayor", {"meeting": True}),
            ("field_office", "현장구청장실", "Mayor's field office", {"meeting": True}),
            ("open_meeting", "열린만남", "Open meeting", {"meeting": True}),
            ("parents_meeting", "학부모간담회", "Parents' meeting", {"meeting": True}),
            ("sns", "SNS", "Social media", {}),
            ("email", "전자우편", "E-mail", {}),
            ("epeople", "국민신문고", "e-People", {}),
            ("monitor", "시민모니터 보고", "Citizen monitor report", {}),
        ],
    ),
    "case_kind": (
        "민원 종류",
        [
            ("statutory", "법정민원", "Statutory application", {"period": "table"}),
            ("inquiry_law", "질의민원(법령)", "Inquiry about laws", {"days": 14}),
            ("inquiry_procedure", "질의민원(제도·절차)", "Inquiry about procedures", {"days": 7}),
            ("suggestion", "건의민원", "Suggestion", {"days": 14}),
            ("other", "기타민원", "Other", {"hours": 3}),
            ("grievance", "고충민원", "Grievance", {"days": 7}),
            ("proposal", "제안", "Proposal", {"first_report_days": 7}),
        ],
    ),
    "case_category": (
        "민원 분야",
        [
            ("traffic", "교통·주차", "Traffic and parking", {}),
            ("cleaning", "청소·환경", "Cleaning and environment", {}),
            ("construction", "건축·주택", "Building and housing", {}),
            ("roads", "도로·시설물", "Roads and facilities", {}),
            ("parks", "공원·녹지", "Parks", {}),
            ("welfare", "복지", "Welfare", {}),
            ("health", "보건·위생", "Health and hygiene", {}),
            ("safety", "안전·재난", "Safety and disasters", {}),
            ("education", "교육", "Education", {}),
            ("culture", "문화·체육", "Culture and sports", {}),
            ("economy", "일자리·경제", "Jobs and economy", {}),
            ("administration", "행정·기타", "Administration and other", {}),
        ],
    ),
    "statutory_type": (
        "법정민원 처리기준표",
        [
            ("resident_copy", "주민등록표 등·초본 교부", "Resident registration copy", {"hours": 3}),
            ("building_permit", "건축허가", "Building permit", {"days": 10}),
            ("road_occupation", "도로점용허가", "Road occupation permit", {"days": 10}),
            ("outdoor_ad", "옥외광고물 표시 허가", "Outdoor advertising permit", {"days": 5}),
            ("food_business", "일반음식점 영업신고", "Restaurant registration", {"hours": 3}),
        ],
    ),
}


def load() -> str:
    created = 0
    for key, (name, rows) in CODE_TABLES.items():
        group, _ = CodeGroup.objects.get_or_create(key=key, defaults={"name": name})
        for order, (code, label, label_en, attributes) in enumerate(rows, start=1):
            _code, was_created = Code.objects.get_or_create(
                group=group,
                code=code,
                defaults={"name": label, "name_en": label_en, "sort_order": order, "attributes": attributes},
            )
            created += was_created
    return f"{len(CODE_TABLES)} code tables, {created} codes"
