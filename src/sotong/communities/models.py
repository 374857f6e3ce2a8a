"""단체 organizations and 위원회 committees: their records, activities, minutes and meetings.

Members are not stored here: each seat is a `people.Membership` row (kind 단체 회원 or 위원회 위원) that
points at its organization or committee by content type and id, with the role or position and the term
dates; the member's occupation and e-mail come from their `Person`. `members_of(group)` reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.accounts.models import Department
from sotong.people.models import Membership, MembershipKind, MembershipQuerySet


class OrganizationType(models.TextChoices):
    RESIDENTS_COUNCIL = "residents_council", _("주민자치회")
    TONGJANG_COUNCIL = "tongjang_council", _("통장협의회")
    VOLUNTEER = "volunteer", _("자원봉사단체")
    CIVIC = "civic", _("시민단체")
    PROFESSIONAL = "professional", _("직능단체")
    OTHER = "other", _("기타")


class Organization(models.Model):
    """단체: a residents' council, volunteer group, civic or professional body the district works with."""

    name = models.CharField(_("단체명"), max_length=100, db_index=True)
    type = models.CharField(_("유형"), max_length=30, choices=OrganizationType.choices, db_index=True)
    dong = models.CharField(_("행정동"), max_length=40, blank=True, db_index=True)
    description = models.TextField(_("소개"), blank=True)
    founded_on = models.DateField(_("설립일"), null=True, blank=True)
    is_active = models.BooleanField(_("활동 중"), default=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("단체")
        verbose_name_plural = _("단체")

    def __str__(self) -> str:
        return self.name

    membership_kind = MembershipKind.ORGANIZATION


def activity_photo_path(instance: ActivityPhoto, filename: str) -> str:
    return f"communities/activities/{timezone.now():%Y/%m}/{instance.activity_id}/{filename}"


def record_file_path(instance: models.Model, filename: str) -> str:
    return f"communities/minutes/{timezone.now():%Y/%m}/{filename}"


class OrganizationActivity(models.Model):
    """단체 활동내역: what the organization did on a day (with photos)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("활동일"), db_index=True)
    title = models.CharField(_("제목"), max_length=200)
    text = models.TextField(_("내용"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("단체 활동")
        verbose_name_plural = _("단체 활동")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class ActivityPhoto(models.Model):
    """활동 사진: an image checked by its content and size when it was recorded."""

    activity = models.ForeignKey(OrganizationActivity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=activity_photo_path, max_length=300)
    name = models.CharField(_("파일명"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MinutesFields(models.Model):
    """회의록: the fields organization minutes and committee meetings share."""

    date = models.DateField(_("회의일"), db_index=True)
    attendees = models.TextField(_("참석자"), blank=True)
    agenda = models.TextField(_("안건"))
    decisions = models.TextField(_("결정 사항"), blank=True)
    attachment = models.FileField(_("첨부파일"), upload_to=record_file_path, max_length=300, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.agenda[:40]}"


class OrganizationMinutes(MinutesFields):
    """단체 회의록."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="minutes")

    class Meta(MinutesFields.Meta):
        verbose_name = _("단체 회의록")
        verbose_name_plural = _("단체 회의록")


class Committee(models.Model):
    """위원회: a statutory or advisory committee of experts and residents, owned by a department."""

    name = models.CharField(_("위원회명"), max_length=100, db_index=True)
    purpose = models.TextField(_("설치 목적"), blank=True)
    legal_basis = models.CharField(_("설치 근거"), max_length=200, blank=True)
    term_start = models.DateField(_("임기 시작"), null=True, blank=True)
    term_end = models.DateField(_("임기 종료"), null=True, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="committees", verbose_name=_("소관 부서")
    )
    is_active = models.BooleanField(_("운영 중"), default=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("위원회")
        verbose_name_plural = _("위원회")

    def __str__(self) -> str:
        return self.name

    membership_kind = MembershipKind.COMMITTEE


class CommitteeMeeting(MinutesFields):
    """위원회 회의와 회의록."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")

    class Meta(MinutesFields.Meta):
        verbose_name = _("위원회 회의")
        verbose_name_plural = _("위원회 회의")


Group = Organization | Committee


def members_of(group: Group) -> MembershipQuerySet:
    """The membership rows (current and past) of an organization or committee, with their person."""
    return Membership.objects.filter(
        kind=group.membership_kind,
        group_type=ContentType.objects.get_for_model(type(group)),
        group_id=str(group.pk),
    ).select_related("person")
