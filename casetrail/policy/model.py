"""Policy profiles as typed values: what `parse.py` builds from a profile's TOML.

Every number or list that differs between agencies, or that REFERENCE.md marks unverified [M],
is a field here, never a constant in the rules. Each field of `PolicyProfile` is the TOML key of
the same name, except ``extra_kinds``, which is read from ``[document_kinds.<code>]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Literal

from casetrail.policy.catalogue import DocumentKind, builtin_catalogue, catalogue_for

PeriodUnit = Literal["working_days", "calendar_days"]
LeftAtAddressProof = Literal["witness_or_recording", "witness_and_recording"]
DecisionLimitBasis = Literal["statute", "statistics"]

PERIOD_UNITS: Mapping[str, str] = {"working_days": "工作日", "calendar_days": "自然日"}
LEFT_AT_ADDRESS_PROOFS: Mapping[str, str] = {
    "witness_or_recording": "见证人签名或拍照、录像（民诉法 第89条）",
    "witness_and_recording": "见证人签名并音像记录",
}
DECISION_LIMIT_BASES: Mapping[str, str] = {
    "statute": "行政处罚法 第60条：立案之日起90日",
    "statistics": "统计执法：立案后3个月，经批准可延长",
}
PARTY_TYPES: Mapping[str, str] = {
    "citizen": "公民",
    "individual_business": "个体工商户",
    "organisation": "法人或者其他组织",
}
AV_LABELS: Mapping[str, str] = {
    "case_number": "案号",
    "party_name": "当事人姓名或者名称",
    "handler_name": "承办人姓名",
}

# The built-in document kinds, code → title: the catalogue (builtin/catalogue.toml) is the one
# source of titles (REFERENCE.md "Document types"); a profile picks the kinds it uses.
DOCUMENT_KINDS: Mapping[str, str] = MappingProxyType(
    {code: kind.title for code, kind in builtin_catalogue().items()}
)
# Statistics agencies have neither power: 行政强制法 第22条 (查封、扣押 only where a law or
# regulation grants it) and 第53条 (no 强制执行权: apply to the court instead).
COMPULSORY_MEASURE_KINDS = frozenset(
    {"seizure_decision", "seizure_list", "enforcement_decision", "enforcement_record"}
)


@dataclass(frozen=True)
class Period:
    days: int
    unit: PeriodUnit

    @property
    def label(self) -> str:
        """How a notice states it: "2个工作日" or "15日"."""
        return f"{self.days}个工作日" if self.unit == "working_days" else f"{self.days}日"


@dataclass(frozen=True)
class HearingThreshold:
    """Fines at or above these amounts carry the right to a hearing (行政处罚法 第63条)."""

    effective_from: date
    amounts_yuan: Mapping[str, int]


@dataclass(frozen=True)
class DecisionLimit:
    """行政处罚法 第60条: 90 days from filing, unless a 规章 says otherwise (统计: 3 + 3 months)."""

    basis: DecisionLimitBasis
    statute_days: int
    statistics_months: int
    extension_months: int
    max_extensions: int
    alert_days_before: tuple[int, ...]


@dataclass(frozen=True)
class SummaryProcedure:
    """行政处罚法 第51条 (当场处罚 caps) and 第68条 (当场收缴 cap)."""

    citizen_fine_cap_yuan: int
    organisation_fine_cap_yuan: int
    on_the_spot_collection_cap_yuan: int


@dataclass(frozen=True)
class RetentionClass:
    """A retention period for case files (档案法 第21条); ``months`` None means permanent."""

    code: str
    name: str
    months: int | None
    applies_to: str


@dataclass(frozen=True)
class PolicyProfile:
    """One agency's regulation as data; each field is the TOML key of the same name, except
    ``extra_kinds`` (the profile's own document kinds, ``[document_kinds.<code>]``)."""

    key: str
    name: str
    regulation_title: str
    # How a message names this regulation before an article ("…第十条"); the title by default.
    citation_name: str
    regulation_issued_on: date
    regulation_file: str
    case_number_format: str
    filing_check: Period
    emergency_backfill: Period
    av_storage: Period
    av_time_tolerance_minutes: int
    av_required_labels: tuple[str, ...]
    offsite_backup_max_age_days: int
    statement: Period
    hearing_request: Period
    hearing_notice: Period
    evidence_disposal: Period
    decision_service: Period
    electronic_service_of_decision: bool
    left_at_address_proof: LeftAtAddressProof
    fine_payment: Period
    cash_handover: Period
    demand_to_court: Period
    court_window_months: int
    publication: Period
    publication_withdrawal: Period
    inspections_per_year_max: int
    documents: tuple[str, ...]
    hearing_thresholds: tuple[HearingThreshold, ...]
    decision_limit: DecisionLimit
    summary_procedure: SummaryProcedure
    retention: tuple[RetentionClass, ...]
    # This regulation's own articles for each rule (registry id → "第十条", …) and for each
    # document kind; a rule or kind it does not name cites its statute only.
    rule_articles: Mapping[str, tuple[str, ...]]
    document_articles: Mapping[str, tuple[str, ...]]
    extra_kinds: Mapping[str, DocumentKind]

    def format_case_number(self, *, short: str, year: int, seq: int) -> str:
        """The case number (案号) for the ``seq``-th case of ``year``."""
        if not short.strip():
            raise ValueError("案号：机关简称不能为空")
        if seq < 1:
            raise ValueError(f"案号：序号应从1开始，实际为{seq}")
        return self.case_number_format.format(short=short.strip(), year=year, seq=seq)

    def hearing_threshold_yuan(self, party_type: str, on: date) -> int | None:
        """The threshold in force on ``on`` for ``party_type``; None if the profile sets none."""
        if party_type not in PARTY_TYPES:
            raise ValueError(f"未知的当事人类型：{party_type}")
        in_force = [t for t in self.hearing_thresholds if t.effective_from <= on]
        return in_force[-1].amounts_yuan.get(party_type) if in_force else None

    def uses_document(self, kind: str) -> bool:
        return kind in self.documents

    def regulation_citation(self, articles: Sequence[str]) -> str:
        """The name and the articles ("<简称>第十条、第十四条"); "" when there is no article."""
        return f"{self.citation_name}{'、'.join(articles)}" if articles else ""

    def rule_citation(self, rule: str) -> str:
        """This regulation's articles for the registry rule *rule* ("" if it has none)."""
        return self.regulation_citation(self.rule_articles.get(rule, ()))

    def catalogue(self) -> Mapping[str, DocumentKind]:
        """The kinds this agency uses, in ``documents`` order: built-in ones and its own, each
        citing this regulation's articles (``document_articles``) before its statutes."""
        kinds = catalogue_for(self.documents, self.extra_kinds)
        return MappingProxyType({code: self._cited(kind) for code, kind in kinds.items()})

    def _cited(self, kind: DocumentKind) -> DocumentKind:
        own = self.regulation_citation(self.document_articles.get(kind.code, ()))
        return replace(kind, articles=(own, *kind.articles)) if own else kind

    def warnings(self) -> tuple[str, ...]:
        """Settings an administrator should confirm (REFERENCE.md §2.4)."""
        enabled = [DOCUMENT_KINDS[k] for k in self.documents if k in COMPULSORY_MEASURE_KINDS]
        if not enabled:
            return ()
        return (
            f"启用了{'、'.join(enabled)}：统计机关无查封、扣押和强制执行职权"
            "（行政强制法 第22条、第53条），请确认有法律、法规授权",
        )
