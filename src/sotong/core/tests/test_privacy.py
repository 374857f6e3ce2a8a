"""The personal-data access log: written by a helper and a view decorator, never changed."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.test import RequestFactory

from sotong.core.errors import DomainError
from sotong.core.models import AppendOnlyError, CodeGroup, PersonalDataAccessLog, PersonalDataAction
from sotong.core.privacy import log_personal_data_access, logs_personal_data_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(
        "pii_reader", "r@example.com", "x-long-password-1", name="열람자"
    )


@pytest.fixture
def subject():
    return CodeGroup.objects.create(key="subject", name="정보주체 대용")


def request_by(user, path="/office/x/", method="get", data=None, ip="10.1.2.3"):
    request = getattr(RequestFactory(), method)(path, data or {}, REMOTE_ADDR=ip)
    request.user = user
    return request


def test_helper_records_account_time_ip_subject_and_action(staff, subject):
    row = log_personal_data_access(
        request_by(staff), subject=subject, action=PersonalDataAction.VIEW, fields="연락처"
    )

    row.refresh_from_db()
    assert row.account == staff
    assert row.account_label == "pii_reader"
    assert row.ip_address == "10.1.2.3"
    assert (row.subject_type, row.subject_id) == ("core.CodeGroup", str(subject.pk))
    assert row.action == "view"
    assert row.fields == "연락처"
    assert row.path == "/office/x/"
    assert row.accessed_at is not None


def test_download_without_reason_is_refused_and_nothing_is_logged(staff, subject):
    with pytest.raises(DomainError) as excinfo:
        log_personal_data_access(request_by(staff), subject=subject, action=PersonalDataAction.DOWNLOAD)

    assert "사유" in excinfo.value.message
    assert PersonalDataAccessLog.objects.count() == 0


def test_bulk_export_is_logged_with_count_and_reason(staff):
    row = log_personal_data_access(
        request_by(staff),
        subject=("people.Person", "*", "1,204명"),
        action="download",
        reason="위원회 개최 안내",
        record_count=1204,
    )

    assert row.record_count == 1204
    assert row.reason == "위원회 개최 안내"


def test_decorator_logs_after_a_successful_view(staff, subject):
    @logs_personal_data_access(
        PersonalDataAction.VIEW, subject=lambda request, pk: subject, fields="전화번호"
    )
    def unmask(request, pk):
        return HttpResponse("010-1234-5678")

    response = unmask(request_by(staff), pk=subject.pk)

    assert response.status_code == 200
    assert PersonalDataAccessLog.objects.get().fields == "전화번호"


def test_decorator_writes_nothing_when_the_view_fails(staff, subject):
    @logs_personal_data_access(PersonalDataAction.VIEW, subject=lambda request: subject)
    def forbidden(request):
        return HttpResponse(status=403)

    assert forbidden(request_by(staff)).status_code == 403
    assert PersonalDataAccessLog.objects.count() == 0


def test_decorated_download_needs_a_reason_before_the_view_runs(staff, subject):
    calls = []

    @logs_personal_data_access(PersonalDataAction.DOWNLOAD, subject=lambda request: subject)
    def export(request):
        calls.append(1)
        return HttpResponse("csv")

    refused = export(request_by(staff, method="post"))
    allowed = export(request_by(staff, method="post", data={"reason": "민원 회신"}))

    assert refused.status_code == 400
    assert "사유" in refused.content.decode()
    assert allowed.status_code == 200
    assert calls == [1]
    assert PersonalDataAccessLog.objects.get().reason == "민원 회신"


def test_log_rows_cannot_be_changed_or_deleted_through_the_orm(staff, subject):
    row = log_personal_data_access(request_by(staff), subject=subject, action="view")

    row.reason = "고친 사유"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


def test_database_refuses_update_and_delete_of_log_rows(staff, subject):
    log_personal_data_access(request_by(staff), subject=subject, action="view")

    for sql in (
        "UPDATE core_personaldataaccesslog SET reason = 'x'",
        "DELETE FROM core_personaldataaccesslog",
    ):
        with (
            pytest.raises((DatabaseError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert PersonalDataAccessLog.objects.count() == 1
    assert PersonalDataAccessLog.objects.filter(reason="x").count() == 0
