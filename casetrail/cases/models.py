"""The domain core: agencies, officers, parties, cases, approvals.

Configuration (Agency, Officer, Membership) changes through admin actions that are ledgered;
history (Party, CaseHandler, Application, Approval) is insert-only (`RecordModel`); `Case` holds
the current state of a case and is changed only by `do_*` actions, each ledgered with the state
before it.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import ClassVar

from django.conf import settings
from django.db import models

from casetrail.ledger.coverage import Coverage, member_of, not_a_fact, rows
from casetrail.ledger.models import RecordModel
from casetrail.policy.profiles import PolicyProfile, parse_profile
from casetrail.procedure.rules.certificates import Certificate, certificate_valid_on


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    REVIEWER = "reviewer", "审核人"
    HEAD = "head", "负责人"
    ARCHIVIST = "archivist", "档案管理员"
    SUPERVISOR = "supervisor", "上级主管部门"
    ADMIN = "admin", "系统管理员"
    INGEST = "ingest", "采集站"


class Agency(models.Model):
    ledger_coverage: ClassVar[Coverage] = rows(
        "执法机关：每次变更都是记账的行为，核对最近一次记账的内容",
        added_later=frozenset({"uscc", "address", "parent"}),
    )

    name = models.CharField("机关名称", max_length=100, unique=True)
    short_name = models.CharField("简称（用于案号）", max_length=20, unique=True)
    code = models.SlugField("代码（用于账本标识与签名密钥）", max_length=50, unique=True)
    profile_key = models.CharField("制度配置", max_length=100)
    profile_source = models.TextField("制度配置内容（TOML）")
    created_at = models.DateTimeField()
    # GB 32100-2015, checked by `identifiers.check_uscc` in the acts.
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, default="", db_default=""
    )
    address = models.CharField("地址", max_length=200, blank=True, default="", db_default="")
    # The agency that supervises this one (a 市统计局 over its 县/区 bureaus): its supervisors
    # see this agency's cases (`access.supervised_agencies`). Chains are at most
    # `access.MAX_LEVELS` long, so access reads them in one query.
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政执法机关"

    def __str__(self) -> str:
        return self.name

    @cached_property
    def profile(self) -> PolicyProfile:
        return parse_profile(self.profile_source, source=f"{self.short_name}:{self.profile_key}")


class Officer(models.Model):
    ledger_coverage: ClassVar[Coverage] = rows(
        "执法人员：每次变更都是记账的行为，核对最近一次记账的内容",
        added_later=frozenset(
            {
                "legal_review_qualified",
                "legal_review_certificate_number",
                "certificate_issuer",
                "certificate_revoked_on",
                "certificate_revocation_reason",
                "deactivated_on",
            }
        ),
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer"
    )
    name = models.CharField("姓名", max_length=50)
    certificate_number = models.CharField("执法证件编号", max_length=50, blank=True)
    certificate_valid_from = models.DateField("证件有效期起", null=True, blank=True)
    certificate_valid_to = models.DateField("证件有效期止", null=True, blank=True)
    # 统计法实施条例 第36条: a 统计执法证 is issued by 国家统计局 or a provincial bureau.
    certificate_issuer = models.CharField(
        "发证机关", max_length=100, blank=True, default="", db_default=""
    )
    # Revoked from this day on: acts done before it keep their officers (REFERENCE rule 3).
    certificate_revoked_on = models.DateField("证件吊销日期", null=True, blank=True)
    certificate_revocation_reason = models.CharField(
        "吊销原因", max_length=200, blank=True, default="", db_default=""
    )
    # 行政处罚法 第58条 第2款: a legal reviewer holds 法律职业资格; set by `do_set_legal_review`.
    legal_review_qualified = models.BooleanField(
        "法制审核资格（取得法律职业资格）", default=False, db_default=False
    )
    legal_review_certificate_number = models.CharField(
        "法律职业资格证书编号", max_length=50, blank=True, default="", db_default=""
    )
    # Never deleted: a deactivated officer keeps their history and may no longer log in.
    deactivated_on = models.DateField("停用日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"

    def __str__(self) -> str:
        return self.name

    @property
    def certificate(self) -> Certificate:
        return Certificate(
            number=self.certificate_number,
            valid_from=self.certificate_valid_from,
            valid_to=self.certificate_valid_to,
            revoked_on=self.certificate_revoked_on,
        )

    def certificate_valid_on(self, day: date) -> bool:
        return certificate_valid_on(self.certificate, day)


class Membership(models.Model):
    ledger_coverage: ClassVar[Coverage] = rows("岗位（角色）授予：由授予行为记账")

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "岗位"
        constraints = [
            models.UniqueConstraint(fields=["officer", "agency", "role"], name="one_role_once"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.agency.short_name} · {self.get_role_display()}"


class StartType(models.TextChoices):
    ON_APPLICATION = "on_application", "依申请"
    EX_OFFICIO = "ex_officio", "依职权"
    EMERGENCY = "emergency", "紧急先行启动"


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", "普通程序"
    SUMMARY = "summary", "简易程序"


class Confidentiality(models.TextChoices):
    NONE = "none", "不涉密"
    PERSONAL_PRIVACY = "personal_privacy", "涉及个人隐私"
    TRADE_SECRET = "trade_secret", "涉及商业秘密"
    STATE_SECRET = "state_secret", "涉及国家秘密"


class CaseNumberCounter(models.Model):
    """The last case number issued per agency and year; locked while a case is opened."""

    ledger_coverage: ClassVar[Coverage] = not_a_fact("案号计数器：发出的案号在已核对的案件行中")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField()
    last_seq = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_counter_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last_seq}"


class Case(models.Model):
    ledger_coverage: ClassVar[Coverage] = rows(
        "案件的当前状态：每次变更都是记账的行为，核对最近一次记账的内容"
    )

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    case_number = models.CharField("案号", max_length=100, unique=True)
    year = models.IntegerField()
    seq = models.IntegerField()
    start_type = models.CharField("启动方式", max_length=20, choices=StartType.choices)
    procedure = models.CharField("程序", max_length=20, choices=Procedure.choices)
    stage = models.CharField("阶段", max_length=30)
    confidentiality = models.CharField(
        "保密属性", max_length=20, choices=Confidentiality.choices, default=Confidentiality.NONE
    )
    cause = models.CharField("案由", max_length=200)
    summary = models.TextField("案情摘要", blank=True)
    emergency_reason = models.TextField("紧急先行启动理由", blank=True)
    opened_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("启动时间")
    filed_at = models.DateTimeField("立案时间", null=True, blank=True)
    # 行政处罚法 第57条 第2款 and 第58条: which gates the case must pass before a decision.
    major = models.BooleanField("重大案件", default=False)
    complex_case = models.BooleanField("情节复杂", default=False)
    legal_review_required = models.BooleanField("须经法制审核（第五十八条）", default=False)
    decided_at = models.DateTimeField("作出决定时间", null=True, blank=True)
    # 行政处罚法 第36条: the limitation check at filing (rule 7).
    violation_on = models.DateField(
        "违法行为发生日期（连续或继续状态的，终了日期）", null=True, blank=True
    )
    discovered_on = models.DateField("发现日期", null=True, blank=True)
    limitation_five_years = models.BooleanField(
        "涉及公民生命健康安全、金融安全且有危害后果（五年）", default=False, db_default=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "seq"], name="gapless_number"),
        ]
        ordering = ["-opened_at"]
        # The case lists' keyset pages (web/paging.py): newest first, within an agency or all.
        indexes = [
            models.Index(fields=["agency", "-opened_at", "-id"], name="case_agency_newest"),
            models.Index(fields=["-opened_at", "-id"], name="case_newest"),
            models.Index(fields=["agency", "stage"], name="case_agency_stage"),
        ]

    def __str__(self) -> str:
        return self.case_number


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Party(RecordModel):
    """当事人 of a case, as recorded; a correction is a new row superseding this one."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField("当事人类型", max_length=20, choices=PartyKind.choices)
    name = models.CharField("姓名或名称", max_length=200)
    sex = models.CharField("性别", max_length=10, choices=Sex.choices, blank=True)
    id_type = models.CharField("证件类型", max_length=40, blank=True)
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    # 行政处罚法 第63条: the hearing threshold of 个体工商户 differs (统计: 2000元, [M]).
    individual_business = models.BooleanField("个体工商户", default=False, db_default=False)
    address = models.CharField("地址", max_length=300)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "当事人"

    def __str__(self) -> str:
        return self.name


class CaseHandler(RecordModel):
    """承办人 of a case, with the certificate as it stood when assigned."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handlers")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="handled")
    officer_name = models.CharField(max_length=50)
    certificate_number = models.CharField(max_length=50)
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "承办人"
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="handler_once"),
        ]
        # "我承办的": the cases of an officer, read from this table alone.
        indexes = [models.Index(fields=["officer", "case"], name="handler_cases")]

    def __str__(self) -> str:
        return self.officer_name


class Application(RecordModel):
    """The registration (登记) of an application that starts a case (Seed A art. 5)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="application")
    applicant = models.CharField("申请人", max_length=200)
    received_on = models.DateField("收到申请日期")
    request = models.TextField("申请事项")
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "申请登记"

    def __str__(self) -> str:
        return f"{self.applicant}: {self.request[:20]}"


class ApprovalSubject(models.TextChoices):
    FILING = "filing", "立案审批"
    INVESTIGATION_END = "investigation_end", "调查终结审批"
    DECISION = "decision", "处罚决定审批"
    EXTENSION = "extension", "延长办案期限审批"
    PRESERVATION = "preservation", "证据登记保存审批"


class ApprovalStep(models.TextChoices):
    HANDLER = "handler", "承办人意见"
    REVIEWER = "reviewer", "审核人意见"
    APPROVER = "approver", "批准人意见"


class ApprovalDecision(models.TextChoices):
    PROPOSE = "propose", "提请审批"
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"


class Approval(RecordModel):
    """One signed step of an internal approval chain (Seed B art. 33), with name snapshots."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approvals")
    subject = models.CharField(max_length=20, choices=ApprovalSubject.choices)
    document = models.ForeignKey(
        "cases.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    step = models.CharField(max_length=20, choices=ApprovalStep.choices)
    decision = models.CharField(max_length=20, choices=ApprovalDecision.choices)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    officer_name = models.CharField(max_length=50)
    role = models.CharField(max_length=20, choices=Role.choices)
    opinion = models.TextField("意见")
    acted_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "审批记录"
        ordering = ["acted_at", "pk"]
        # 审批待办 groups the approvals of a case by chain (case, subject, document).
        indexes = [models.Index(fields=["case", "subject", "document"], name="approval_chain")]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.get_step_display()} {self.officer_name}"


class CalendarYear(RecordModel):
    """One year's official schedule (国务院办公厅 holiday notice) as entered by an act.

    Insert-only: entering a year again adds a new row; the latest row of a year is in force.
    Its days are committed inside its digest (`ledger_coverage` members), so a forged, altered
    or removed day makes the year's row disagree with its ledger entry (issue 14, item 5).
    """

    ledger_coverage: ClassVar[Coverage] = rows(
        "工作日历的一年：由 do_set_calendar_year 记账，当年的放假与调休日计入其摘要",
        members=("days",),
    )

    year = models.IntegerField("年份")
    source = models.CharField("依据（国务院办公厅通知文号）", max_length=200)
    entered_at = models.DateTimeField("录入时间")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "工作日历（年度放假安排）"
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["year", "id"], name="calendar_year_latest")]

    def __str__(self) -> str:
        return f"{self.year}（{self.source}）"


class CalendarDay(RecordModel):
    """A day off or a make-up workday of one entered year, overriding the package data."""

    ledger_coverage: ClassVar[Coverage] = member_of("工作日历的一天：计入所属年度行的摘要")

    calendar = models.ForeignKey(CalendarYear, on_delete=models.PROTECT, related_name="days")
    day = models.DateField("日期")
    is_working_day = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历（调整日）"
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="one_entry_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_working_day else '休息'} {self.name}"


from casetrail.cases.documents import (  # noqa: E402  (models of this app in their own module)
    Document,
    DocumentFinal,
    DocumentNumberCounter,
    DocumentWithdrawal,
    Service,
    Signature,
    SignatureRefusal,
)

__all__ = [
    "Document",
    "DocumentFinal",
    "DocumentNumberCounter",
    "DocumentWithdrawal",
    "Service",
    "Signature",
    "SignatureRefusal",
]

from casetrail.cases.obligations import Obligation  # noqa: E402

__all__ += ["Obligation"]

from casetrail.cases.activation import AccountActivation, ActivationCode  # noqa: E402

__all__ += ["AccountActivation", "ActivationCode"]
