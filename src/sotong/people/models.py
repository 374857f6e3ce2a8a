"""정책고객 (PCRM) registry: one Person per citizen, consents as records, memberships, lists, segments.

A person is one row however many ways they take part: 전자소통 가입자, 단체 회원, 위원회 위원, later
시민모니터. Each of those is a `Membership` row; other apps (communities, monitors) add theirs through
`actions.add_membership`, pointing at their own group row by content type and id, so this app never
imports them. Consent is never a boolean: each purpose a person agreed to is a `Consent` row with its
items, channels, evidence, retention and re-confirmation dates.

Contact data (mobile, e-mail) is Fernet-encrypted at rest; `mobile_index`/`email_index` are keyed blind
indexes, the only way to look a person up by contact (exact match, ISMS-P 3.2.3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.core.crypto import EncryptedTextField
from sotong.core.masking import mask_email, mask_name, mask_phone
from sotong.core.models import AppendOnlyModel

RECONFIRM_YEARS = 2


class Gender(models.TextChoices):
    MALE = "M", _("남")
    FEMALE = "F", _("여")


class AgeBand(models.TextChoices):
    """연령대 as in seed 001's tables (20대 미만 … 70대 이상), from the year of birth (연 나이)."""

    UNDER_20 = "u20", _("20대 미만")
    TWENTIES = "20s", _("20대")
    THIRTIES = "30s", _("30대")
    FORTIES = "40s", _("40대")
    FIFTIES = "50s", _("50대")
    SIXTIES = "60s", _("60대")
    SEVENTY_PLUS = "70p", _("70대 이상")


# (band, lowest age, highest age or None) — age is the calendar year minus the year of birth: only the
# year is collected (seed 001: 연령대), so 만 나이 cannot be known and 연 나이 is what the tables count.
AGE_BAND_RANGES: tuple[tuple[str, int, int | None], ...] = (
    (AgeBand.UNDER_20, 0, 19),
    (AgeBand.TWENTIES, 20, 29),
    (AgeBand.THIRTIES, 30, 39),
    (AgeBand.FORTIES, 40, 49),
    (AgeBand.FIFTIES, 50, 59),
    (AgeBand.SIXTIES, 60, 69),
    (AgeBand.SEVENTY_PLUS, 70, None),
)


def current_year() -> int:
    return timezone.localdate().year


def age_band_for(birth_year: int | None, year: int | None = None) -> str:
    """The age band of someone born in `birth_year`, counted in `year` (this year by default); "" if unknown."""
    if not birth_year:
        return ""
    age = (year or current_year()) - birth_year
    for band, low, high in AGE_BAND_RANGES:
        if age >= low and (high is None or age <= high):
            return str(band)
    return ""


def age_band_q(band: str, year: int | None = None) -> Q:
    """A filter on `birth_year` selecting the people of one age band."""
    year = year or current_year()
    for name, low, high in AGE_BAND_RANGES:
        if name == band:
            q = Q(birth_year__lte=year - low)
            return q & Q(birth_year__gte=year - high) if high is not None else q
    raise ValueError(band)


def age_band_expression(year: int | None = None) -> models.Case:
    """`birth_year` → age band code as an SQL CASE, for grouping in one aggregate query."""
    year = year or current_year()
    return models.Case(
        *[
            models.When(age_band_q(band, year), then=models.Value(str(band)))
            for band, _l, _h in AGE_BAND_RANGES
        ],
        default=models.Value(""),
        output_field=models.CharField(),
    )


class Source(models.TextChoices):
    """Where the person's record came from."""

    PORTAL = "portal", _("전자소통 가입")
    HOMEPAGE = "homepage", _("구 홈페이지")
    MOBILE_WEB = "mobile_web", _("모바일 웹")
    EMAIL_LIST = "email_list", _("전자우편 목록")
    IMPORT = "import", _("일괄 등록")
    STAFF = "staff", _("직원 입력")
    MEETING = "meeting", _("회의·행사")


class ContactChannel(models.TextChoices):
    """The ways a consent allows the government to reach the person."""

    SMS = "sms", _("문자")
    EMAIL = "email", _("전자우편")


class ImportBatch(models.Model):
    """일괄 등록 이력: one committed import file, the evidence that its rows' consents point at."""

    filename = models.CharField(_("파일명"), max_length=255)
    source = models.CharField(_("출처"), max_length=20, choices=Source.choices)
    purposes = models.JSONField(_("동의 목적"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("시작 시각"), default=timezone.now)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)
    counts = models.JSONField(_("결과"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("일괄 등록")
        verbose_name_plural = _("일괄 등록")

    def __str__(self) -> str:
        return f"{self.filename} ({self.started_at:%Y-%m-%d %H:%M})"


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> PersonQuerySet:
        """People not anonymised."""
        return self.filter(anonymised_at__isnull=True)

    def with_live_consent(
        self, purpose: ConsentPurpose | str, channel: str | None = None, now: datetime | None = None
    ) -> PersonQuerySet:
        """People holding a live consent for `purpose` (a ConsentPurpose or its code), optionally for
        one contact channel, and a contact for that channel."""
        consents = Consent.objects.live(now).for_purpose(purpose).filter(person=OuterRef("pk"))
        qs = self.active()
        if channel is not None:
            consents = consents.for_channel(channel)
            qs = qs.exclude(**{CONTACT_INDEX[ContactChannel(channel)]: ""})
        return qs.filter(Exists(consents))

    def by_contact_index(self, field: str, values: str | list[str]) -> PersonQuerySet:
        """People whose `mobile_index` or `email_index` is one of `values` (exact match).

        The condition `<> ''` is the one of the partial unique indexes: without it SQLite cannot use them
        and scans the table."""
        if field not in ("mobile_index", "email_index"):
            raise ValueError(field)
        wanted = [values] if isinstance(values, str) else list(values)
        return self.exclude(**{field: ""}).filter(**{f"{field}__in": wanted})

    def in_membership(self, kind: str) -> PersonQuerySet:
        return self.filter(Exists(Membership.objects.current().filter(person=OuterRef("pk"), kind=kind)))


class Person(models.Model):
    """정책고객: one engaged citizen, whatever roles they hold (subscriber, member, committee, monitor)."""

    name = models.CharField(_("성명"), max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("성별"), max_length=1, choices=Gender.choices, blank=True, db_index=True)
    birth_year = models.PositiveSmallIntegerField(_("출생연도"), null=True, blank=True, db_index=True)
    district = models.CharField(_("자치구"), max_length=40, blank=True)
    dong = models.CharField(_("행정동"), max_length=40, blank=True, db_index=True)
    mobile = EncryptedTextField(_("휴대전화"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, editable=False)
    email = EncryptedTextField(_("전자우편"), blank=True)
    email_index = models.CharField(max_length=64, blank=True, editable=False)
    occupation = models.CharField(_("직업"), max_length=100, blank=True, db_index=True)
    source = models.CharField(_("출처"), max_length=20, choices=Source.choices, default=Source.STAFF)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    import_row = models.PositiveIntegerField(_("가져온 행"), null=True, blank=True)
    created_at = models.DateTimeField(_("등록 시각"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)
    anonymised_at = models.DateTimeField(_("익명화 시각"), null=True, blank=True, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            # One person per contact: the blind indexes are the deduplication key (empty = none).
            models.UniqueConstraint(
                fields=["mobile_index"], condition=~Q(mobile_index=""), name="people_person_unique_mobile"
            ),
            models.UniqueConstraint(
                fields=["email_index"], condition=~Q(email_index=""), name="people_person_unique_email"
            ),
        ]
        verbose_name = _("정책고객")
        verbose_name_plural = _("정책고객")

    def __str__(self) -> str:
        return f"#{self.pk} {mask_name(self.name)}" if self.name else f"#{self.pk}"

    @property
    def age_band(self) -> str:
        return age_band_for(self.birth_year)

    @property
    def age_band_label(self) -> str:
        band = self.age_band
        return str(AgeBand(band).label) if band else ""

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def masked(self) -> dict[str, str]:
        """The person as every screen and masked export shows them (홍*동, 010-****-5678, hong***@…)."""
        return {
            "name": mask_name(self.name),
            "mobile": mask_phone(self.mobile) if self.mobile else "",
            "email": mask_email(self.email) if self.email else "",
        }


CONTACT_INDEX = {ContactChannel.SMS: "mobile_index", ContactChannel.EMAIL: "email_index"}


class MembershipKind(models.TextChoices):
    SUBSCRIBER = "subscriber", _("전자소통 가입자")
    ORGANIZATION = "organization", _("단체 회원")
    COMMITTEE = "committee", _("위원회 위원")
    MONITOR = "monitor", _("시민모니터")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: Any = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Membership(models.Model):
    """One way a person takes part: a subscription, a seat in an organization or committee, a monitor term.

    `group` is the organization or committee row of the app that owns it (by content type and id, so
    this app needs no import of it); `group_label` keeps its name for search and lists.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    kind = models.CharField(_("구분"), max_length=20, choices=MembershipKind.choices, db_index=True)
    group_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group_id = models.CharField(max_length=64, blank=True)
    group_label = models.CharField(_("단체·위원회"), max_length=200, blank=True, db_index=True)
    role = models.CharField(_("직위·역할"), max_length=100, blank=True)
    started_on = models.DateField(_("시작일"), null=True, blank=True)
    ended_on = models.DateField(_("종료일"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["person", "kind", "id"]
        indexes = [models.Index(fields=["group_type", "group_id"])]
        verbose_name = _("참여 구분")
        verbose_name_plural = _("참여 구분")

    def __str__(self) -> str:
        label = f" {self.group_label}" if self.group_label else ""
        return f"{self.get_kind_display()}{label}"


class ConsentPurpose(models.Model):
    """동의 목적: what the data is for, which items, how long it is kept; each purpose a separate consent.

    `is_advertising` marks 광고성 정보 (정보통신망법 §50): prior consent, the (광고) prefix and the 2-yearly
    notice are enforced by the campaigns that send for it.
    """

    code = models.SlugField(_("코드"), max_length=40, unique=True)
    name = models.CharField(_("목적"), max_length=100)
    items = models.CharField(_("수집 항목"), max_length=200)
    retention_months = models.PositiveSmallIntegerField(
        _("보유 기간(개월)"), help_text=_("동의일(재확인일)부터 이 기간이 지나면 파기합니다.")
    )
    is_advertising = models.BooleanField(_("광고성 정보"), default=False)
    is_required = models.BooleanField(_("필수 동의"), default=False)
    description = models.TextField(_("안내"), blank=True)
    is_active = models.BooleanField(_("사용"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("순서"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("동의 목적")
        verbose_name_plural = _("동의 목적")

    def __str__(self) -> str:
        return self.name


class ConsentMethod(models.TextChoices):
    """How the consent was given; `Consent.evidence` holds the proof, its keys depend on the method."""

    WEB_FORM = "web_form", _("웹 동의서")  # ip, user_agent
    PAPER = "paper", _("서면 동의서")  # scan_ref
    IMPORT = "import", _("일괄 등록 파일")  # file, row, batch
    SMS_CODE = "sms_code", _("문자 인증")  # verification
    EMAIL_LINK = "email_link", _("전자우편 확인")  # token_ref


EVIDENCE_KEYS: dict[str, tuple[str, ...]] = {
    ConsentMethod.WEB_FORM: ("ip", "user_agent"),
    ConsentMethod.PAPER: ("scan_ref",),
    ConsentMethod.IMPORT: ("file", "row"),
    ConsentMethod.SMS_CODE: ("verification",),
    ConsentMethod.EMAIL_LINK: ("token_ref",),
}


class ConsentQuerySet(models.QuerySet["Consent"]):
    def open(self) -> ConsentQuerySet:
        """Neither withdrawn nor replaced by a later consent (it may still have expired)."""
        return self.filter(withdrawn_at__isnull=True, superseded_at__isnull=True)

    def live(self, now: datetime | None = None) -> ConsentQuerySet:
        """Consents that allow contact now: given, open, and within the retention period."""
        now = now or timezone.now()
        return self.open().filter(given_at__lte=now, expires_at__gt=now)

    def for_purpose(self, purpose: ConsentPurpose | str) -> ConsentQuerySet:
        if isinstance(purpose, ConsentPurpose):
            return self.filter(purpose=purpose)
        return self.filter(purpose__code=purpose)

    def for_channel(self, channel: str) -> ConsentQuerySet:
        return self.filter(**{ContactChannel(channel).value: True})


class Consent(models.Model):
    """개인정보 수집·이용 동의: one purpose agreed by one person, with its evidence and its clock.

    Live while not withdrawn, not superseded and before `expires_at` (given or re-confirmed + retention).
    `reconfirm_due_at` is two years after the consent or its last re-confirmation: the date the person is
    reminded that they consented (정보통신망법 §50⑧; public bodies re-confirm outreach lists every 2 years).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="consents")
    items = models.CharField(_("수집 항목"), max_length=200)
    sms = models.BooleanField(_("문자 수신"), default=False)
    email = models.BooleanField(_("전자우편 수신"), default=False)
    method = models.CharField(_("동의 방법"), max_length=20, choices=ConsentMethod.choices)
    evidence = models.JSONField(_("동의 증빙"), default=dict)
    given_at = models.DateTimeField(_("동의 시각"), default=timezone.now)
    expires_at = models.DateTimeField(_("보유 기한"), db_index=True)
    reconfirm_due_at = models.DateTimeField(_("재확인 기한"), db_index=True)
    reconfirmed_at = models.DateTimeField(_("재확인 시각"), null=True, blank=True)
    # The reconfirm_due_at of the cycle whose notice went out (one notice per consent per cycle).
    reconfirm_notice_for = models.DateTimeField(_("재확인 안내 주기"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("철회 시각"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("대체 시각"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["person", "purpose", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True, superseded_at__isnull=True),
                name="people_consent_one_open_per_purpose",
            )
        ]
        indexes = [models.Index(fields=["purpose", "withdrawn_at", "expires_at"])]
        verbose_name = _("동의")
        verbose_name_plural = _("동의")

    def __str__(self) -> str:
        return f"{self.purpose} ({self.given_at:%Y-%m-%d})"

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.withdrawn_at is None
            and self.superseded_at is None
            and self.given_at <= now < self.expires_at
        )

    def allows(self, channel: str) -> bool:
        return bool(getattr(self, ContactChannel(channel).value))

    @property
    def channels(self) -> list[str]:
        return [str(channel) for channel in ContactChannel if self.allows(channel)]


class PersonList(models.Model):
    """정적 명단: a hand-picked list of people (e.g. 2026 주민참여예산 설명회 참석자)."""

    name = models.CharField(_("명단 이름"), max_length=100)
    description = models.TextField(_("설명"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(Person, through="PersonListMember", related_name="lists")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("명단")
        verbose_name_plural = _("명단")

    def __str__(self) -> str:
        return self.name


class PersonListMember(models.Model):
    person_list = models.ForeignKey(PersonList, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="list_entries")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_list", "person"], name="people_list_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_list_id}:{self.person_id}"


class Segment(models.Model):
    """저장된 조건: a saved filter (age band, gender, dong, occupation, membership, consent) whose
    members are counted live; see `segments.SegmentFilter` for the shape of `filters`."""

    name = models.CharField(_("조건 이름"), max_length=100)
    filters = models.JSONField(_("조건"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("저장된 조건")
        verbose_name_plural = _("저장된 조건")

    def __str__(self) -> str:
        return self.name


class DestructionReason(models.TextChoices):
    RETENTION = "retention", _("보유기간 경과·동의 철회")
    REQUEST = "request", _("정보주체 요청")
    STAFF = "staff", _("담당자 처리")


class DestructionLog(AppendOnlyModel):
    """개인정보 파기 대장: one row per person anonymised, with what was destroyed, when, by whom, why.

    Holds no personal data itself: the person's id, the fields cleared and the reason.
    """

    person_id_ref = models.PositiveBigIntegerField(_("정보주체 ID"), db_index=True)
    destroyed_at = models.DateTimeField(_("파기 시각"), default=timezone.now, db_index=True)
    actor_label = models.CharField(_("처리자"), max_length=150)
    reason = models.CharField(_("사유"), max_length=20, choices=DestructionReason.choices)
    fields = models.CharField(_("파기 항목"), max_length=200)
    method = models.CharField(_("파기 방법"), max_length=100, default="익명화(복원 불가 삭제)")
    note = models.TextField(_("비고"), blank=True)

    class Meta:
        ordering = ["-destroyed_at", "-id"]
        verbose_name = _("개인정보 파기 대장")
        verbose_name_plural = _("개인정보 파기 대장")

    def __str__(self) -> str:
        return f"{self.destroyed_at:%Y-%m-%d} #{self.person_id_ref} {self.get_reason_display()}"


class JobState(models.TextChoices):
    """State of an import or export run by the worker (대기 → 분석 중 → 미리보기 준비 → 반영 중 → 완료/실패)."""

    QUEUED = "queued", _("대기")
    ANALYSING = "analysing", _("분석 중")
    PREVIEWED = "previewed", _("미리보기 준비")
    COMMITTING = "committing", _("반영 중")
    DONE = "done", _("완료")
    FAILED = "failed", _("실패")


class ImportJob(models.Model):
    """일괄 등록 작업: one uploaded file, analysed by a task (preview), confirmed by the staff member who
    uploaded it, then written by a second task in batches. The file and its row-by-row report CSVs live in
    `VAR_DIR/people-imports`, named by `token`; `committed_through` and `report_bytes` let a stopped
    commit resume where its last whole batch ended."""

    token = models.CharField(max_length=32, unique=True)
    filename = models.CharField(_("파일명"), max_length=255)
    options = models.JSONField(_("설정"), default=dict, blank=True)  # source, purposes, channels, membership
    mapping = models.JSONField(_("열 연결"), null=True, blank=True)  # header → field
    on_match = models.CharField(max_length=5, default="skip")  # proposals not decided one by one
    state = models.CharField(_("상태"), max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)  # an upper bound, for the progress bar
    rows_done = models.PositiveIntegerField(default=0)  # rows of the current phase done
    preview_counts = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # the commit's counts so far
    committed_through = models.PositiveIntegerField(default=0)  # the last row of the last whole batch
    report_bytes = models.BigIntegerField(default=0)  # the commit report's length at that batch
    batch = models.OneToOneField(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("일괄 등록 작업")
        verbose_name_plural = _("일괄 등록 작업")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.ANALYSING, JobState.COMMITTING)

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, round(100 * self.rows_done / self.rows_total))


class ImportJobRow(models.Model):
    """One row of an import's report that needs a look (rejected, duplicate, proposal, merged), per phase;
    rows registered as new are only counted (the CSV report has every row)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="report_rows")
    phase = models.CharField(max_length=7)  # "preview" or "commit"
    row = models.PositiveIntegerField()
    status = models.CharField(max_length=10)
    reasons = models.JSONField(default=list, blank=True)
    person_id = models.PositiveIntegerField(null=True, blank=True)
    duplicate_of = models.PositiveIntegerField(null=True, blank=True)
    differences = models.JSONField(default=dict, blank=True)
    decision = models.CharField(max_length=5, blank=True)  # proposals: "merge" or "skip"

    class Meta:
        ordering = ["row"]
        constraints = [models.UniqueConstraint(fields=["job", "phase", "row"], name="people_job_row_once")]
        indexes = [models.Index(fields=["job", "phase", "status", "row"], name="people_job_row_status")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.phase}/{self.row}: {self.status}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("대기")
    WRITING = "writing", _("작성 중")
    DONE = "done", _("완료")
    FAILED = "failed", _("실패")
    EXPIRED = "expired", _("만료")


class ExportJob(models.Model):
    """명단 내려받기 작업: the file written by a task for the one who asked; downloaded until `expires_at`
    (then the sweep deletes it). Each download writes a personal-data access-log row."""

    token = models.CharField(max_length=32, unique=True)
    query = models.TextField(blank=True)  # the registry filter that selects the people
    scope = models.CharField(max_length=200, blank=True)
    fmt = models.CharField(max_length=4)
    unmasked = models.BooleanField(default=False)
    reason = models.CharField(_("사유"), max_length=200)
    state = models.CharField(
        _("상태"), max_length=12, choices=ExportState.choices, default=ExportState.QUEUED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("명단 내려받기 작업")
        verbose_name_plural = _("명단 내려받기 작업")

    def __str__(self) -> str:
        return f"{self.fmt} {self.get_state_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_running(self) -> bool:
        return self.state in (ExportState.QUEUED, ExportState.WRITING)
