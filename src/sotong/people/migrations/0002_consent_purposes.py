"""The consent purposes every deployment starts with (editable afterwards by system administrators)."""

from django.db import migrations

PURPOSES = [
    # code, name, items, retention months, advertising, order
    (
        "e_sotong",
        "전자소통 정책정보 수신",
        "성명, 휴대전화, 전자우편, 성별, 출생연도, 행정동, 직업",
        24,
        False,
        1,
    ),
    (
        "organization",
        "단체 회원 관리",
        "성명, 휴대전화, 전자우편, 성별, 출생연도, 행정동, 소속 단체",
        36,
        False,
        2,
    ),
    ("committee", "위원회 운영", "성명, 휴대전화, 전자우편, 직업, 소속 위원회", 48, False, 3),
    ("advertising", "광고성 정보 수신", "성명, 휴대전화, 전자우편", 24, True, 4),
]


def create(apps, schema_editor):
    ConsentPurpose = apps.get_model("people", "ConsentPurpose")
    for code, name, items, months, advertising, order in PURPOSES:
        ConsentPurpose.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "items": items,
                "retention_months": months,
                "is_advertising": advertising,
                "sort_order": order,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("people", "ConsentPurpose").objects.filter(code__in=[p[0] for p in PURPOSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
