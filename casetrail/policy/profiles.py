"""Policy profiles: a regulation as data.

Each agency runs under a profile. Every number or list that differs between agencies, or that
REFERENCE.md marks unverified [M], is a profile setting here, never a constant in the rules. The
two seed regulations ship as built-in TOML files in ``builtin/``; an agency may load its own,
which is validated key by key so that a broken file is refused with its file, key and reason.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Literal, TypeVar, cast

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

# The document catalogue (REFERENCE.md "Document types"); a profile picks the kinds it uses.
DOCUMENT_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "intake_register": "案件来源登记表（申请、举报登记）",
        "inspection_notice": "统计执法检查通知书",
        "inspection_inquiry": "统计检查查询书",
        "inspection_record": "现场检查（勘验）笔录",
        "inquiry_transcript": "询问（调查）笔录",
        "witness_statement": "证人证言",
        "evidence_request_notice": "调取证据通知书",
        "evidence_list": "调取证据清单",
        "evidence_request_refusal": "不受理调查证据申请的理由记录",
        "electronic_data_record": "电子数据收集记录",
        "preservation_approval": "证据登记保存审批表",
        "preservation_notice": "证据先行登记保存通知书",
        "preservation_list": "证据登记保存清单",
        "preservation_disposal": "登记保存证据处理决定书",
        "sampling_list": "抽样取证物品清单",
        "testing_commission": "检验（检测、鉴定）委托书",
        "seizure_decision": "查封（扣押）决定书",
        "seizure_list": "查封（扣押）物品（财产）清单",
        "enforcement_decision": "行政强制执行决定书",
        "enforcement_record": "行政强制执行现场笔录",
        "av_register": "音像记录登记表",
        "refusal_record": "拒绝调查、拒绝签字情况记录",
        "correction_order": "责令（限期）改正通知书",
        "correction_check": "改正情况核查记录",
        "filing_approval": "立案审批表",
        "non_filing_approval": "不予立案审批表",
        "withdrawal_approval": "撤案审批表",
        "investigation_report": "调查终结报告",
        "investigation_approval": "调查终结审批表",
        "legal_review_opinion": "法制审核意见书",
        "collective_deliberation_record": "集体讨论记录",
        "prior_notice": "行政处罚事先告知书",
        "hearing_rights_notice": "行政处罚听证告知书",
        "hearing_application": "听证申请书",
        "statement_transcript": "陈述申辩笔录",
        "statement_waiver": "放弃陈述申辩记录",
        "re_examination_opinion": "复核意见",
        "hearing_notice": "听证通知书（公告）",
        "hearing_transcript": "听证笔录",
        "hearing_report": "听证报告",
        "decision_approval": "行政处罚决定审批表",
        "decision": "行政处罚决定书",
        "no_penalty_decision": "不予行政处罚决定书",
        "summary_decision": "当场行政处罚决定书",
        "summary_filing_record": "当场处罚备案记录",
        "service_address_confirmation": "送达地址确认书",
        "service_receipt": "送达回证",
        "entrusted_service_letter": "委托送达函",
        "postal_service_record": "邮寄送达记录（付邮凭证、回执）",
        "public_notice": "送达公告",
        "public_notice_record": "公告送达记录",
        "payment_deferral_application": "延期（分期）缴纳罚款申请书",
        "payment_deferral_approval": "延期（分期）缴纳罚款审批表",
        "performance_record": "执行情况记录",
        "demand_notice": "催告书",
        "demand_statement_record": "催告陈述申辩记录及复核意见",
        "court_enforcement_application": "强制执行申请书",
        "case_transfer_letter": "涉嫌犯罪案件移送书",
        "disciplinary_recommendation": "处分建议书",
        "publication_record": "行政处罚决定公示记录",
        "closing_report": "结案审批表",
        "dossier_cover": "案卷封面、卷内目录、备考表",
        "copy_request": "复制（查阅）申请书及审批表",
        "access_register": "执法记录调阅登记",
    }
)
# Statistics agencies have neither power: 行政强制法 第22条 (查封、扣押 only where a law or
# regulation grants it) and 第53条 (no 强制执行权: apply to the court instead).
COMPULSORY_MEASURE_KINDS = frozenset(
    {"seizure_decision", "seizure_list", "enforcement_decision", "enforcement_record"}
)

# 行政处罚法 第51条 and 第68条 are ceilings: a profile may be stricter, never laxer.
_SUMMARY_CEILINGS_YUAN: Mapping[str, tuple[int, str]] = {
    "citizen_fine_cap_yuan": (200, "行政处罚法 第51条"),
    "organisation_fine_cap_yuan": (3000, "行政处罚法 第51条"),
    "on_the_spot_collection_cap_yuan": (100, "行政处罚法 第68条"),
}
_KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
_CASE_NUMBER_FIELDS = frozenset({"short", "year", "seq"})
_ZERO_PAD = re.compile(r"0[1-9]d")
_BUILTIN_DIR = "builtin"


class ProfileError(ValueError):
    """A profile file that cannot be used; ``reason`` is Chinese and names what to fix."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


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
    """One agency's regulation as data; each field is the TOML key of the same name."""

    key: str
    name: str
    regulation_title: str
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

    def warnings(self) -> tuple[str, ...]:
        """Settings an administrator should confirm (REFERENCE.md §2.4)."""
        enabled = [DOCUMENT_KINDS[k] for k in self.documents if k in COMPULSORY_MEASURE_KINDS]
        if not enabled:
            return ()
        return (
            f"启用了{'、'.join(enabled)}：统计机关无查封、扣押和强制执行职权"
            "（行政强制法 第22条、第53条），请确认有法律、法规授权",
        )


# --- parsing -------------------------------------------------------------------------------

_TYPE_NAMES: Mapping[type, str] = {
    bool: "布尔值（true/false）",
    int: "整数",
    float: "小数",
    str: "字符串",
    date: "日期",
    datetime: "日期时间",
    dict: "表",
    list: "数组",
}
_T = TypeVar("_T")


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class _Table:
    """One TOML table being read: tracks its dotted path so every error can name the key."""

    def __init__(self, data: Mapping[str, object], *, source: str, path: str = "") -> None:
        self._data = data
        self.source = source
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, reason: str) -> ProfileError:
        return ProfileError(self.source, self.key(name), reason)

    def only(self, *names: str) -> None:
        """Refuse unknown keys first: a misspelt key says more than the missing one it causes."""
        for name in self._data:
            if name not in names:
                raise self.error(name, "未知的设置项")

    def has(self, name: str) -> bool:
        return name in self._data

    def raw(self, name: str, expected: type[_T]) -> _T:
        if name not in self._data:
            raise self.error(name, "缺少必填设置项")
        value = self._data[name]
        # Exact types: TOML's true is not an integer, nor a date-time a date.
        if type(value) is not expected:
            raise self.error(name, f"应为{_TYPE_NAMES[expected]}，实际为{_type_name(value)}")
        return value

    def text(self, name: str) -> str:
        value = self.raw(name, str).strip()
        if not value:
            raise self.error(name, "不能为空")
        return value

    def number(self, name: str, *, minimum: int = 0) -> int:
        value = self.raw(name, int)
        if value < minimum:
            reason = "不能为负数" if minimum == 0 else f"不能小于{minimum}"
            raise self.error(name, f"{reason}，实际为{value}")
        return value

    def choice(self, name: str, options: Mapping[str, str]) -> str:
        value = self.raw(name, str)
        if value not in options:
            allowed = "、".join(f"{code}（{label}）" for code, label in options.items())
            raise self.error(name, f"应为{allowed}之一，实际为“{value}”")
        return value

    def table(self, name: str) -> _Table:
        return _Table(self.raw(name, dict), source=self.source, path=self.key(name))

    def tables(self, name: str) -> list[_Table]:
        items = self.raw(name, list)
        if not items:
            raise self.error(name, "至少需要一项")
        return [self._item(name, index, item) for index, item in enumerate(items)]

    def _item(self, name: str, index: int, item: object) -> _Table:
        path = f"{self.key(name)}[{index}]"
        if not isinstance(item, dict):
            raise ProfileError(self.source, path, f"应为表，实际为{_type_name(item)}")
        return _Table(item, source=self.source, path=path)

    def codes(self, name: str, allowed: Mapping[str, str]) -> tuple[str, ...]:
        items = self.raw(name, list)
        seen: list[str] = []
        for index, item in enumerate(items):
            path = f"{self.key(name)}[{index}]"
            if not isinstance(item, str) or item not in allowed:
                raise ProfileError(self.source, path, f"未知的代码“{item}”")
            if item in seen:
                raise ProfileError(self.source, path, f"代码“{item}”重复")
            seen.append(item)
        return tuple(seen)

    def numbers(self, name: str, *, minimum: int) -> tuple[int, ...]:
        items = self.raw(name, list)
        for index, item in enumerate(items):
            if type(item) is not int or item < minimum:
                path = f"{self.key(name)}[{index}]"
                raise ProfileError(self.source, path, f"应为不小于{minimum}的整数，实际为{item!r}")
        return tuple(cast(list[int], items))

    def period(self, name: str) -> Period:
        table = self.table(name)
        table.only("days", "unit")
        days = table.number("days", minimum=1)
        unit = cast(PeriodUnit, table.choice("unit", PERIOD_UNITS))
        return Period(days=days, unit=unit)


_TOP_LEVEL_KEYS = tuple(field.name for field in fields(PolicyProfile))


def parse_profile(text: str, *, source: str) -> PolicyProfile:
    """Read and validate one profile; any problem raises :class:`ProfileError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(source, "(TOML)", f"不是合法的 TOML 文件：{exc}") from exc
    root = _Table(data, source=source)
    root.only(*_TOP_LEVEL_KEYS)
    return _read_profile(root)


def _read_profile(root: _Table) -> PolicyProfile:
    p = root.period
    return PolicyProfile(
        key=_read_key(root),
        name=root.text("name"),
        regulation_title=root.text("regulation_title"),
        regulation_issued_on=root.raw("regulation_issued_on", date),
        regulation_file=root.text("regulation_file"),
        case_number_format=_read_case_number_format(root),
        filing_check=p("filing_check"),
        emergency_backfill=p("emergency_backfill"),
        av_storage=p("av_storage"),
        av_time_tolerance_minutes=root.number("av_time_tolerance_minutes"),
        av_required_labels=root.codes("av_required_labels", AV_LABELS),
        offsite_backup_max_age_days=root.number("offsite_backup_max_age_days", minimum=1),
        statement=p("statement"),
        hearing_request=p("hearing_request"),
        hearing_notice=p("hearing_notice"),
        evidence_disposal=p("evidence_disposal"),
        decision_service=p("decision_service"),
        electronic_service_of_decision=root.raw("electronic_service_of_decision", bool),
        left_at_address_proof=cast(
            LeftAtAddressProof, root.choice("left_at_address_proof", LEFT_AT_ADDRESS_PROOFS)
        ),
        fine_payment=p("fine_payment"),
        cash_handover=p("cash_handover"),
        demand_to_court=p("demand_to_court"),
        court_window_months=root.number("court_window_months", minimum=1),
        publication=p("publication"),
        publication_withdrawal=p("publication_withdrawal"),
        inspections_per_year_max=root.number("inspections_per_year_max", minimum=1),
        documents=root.codes("documents", DOCUMENT_KINDS),
        hearing_thresholds=_read_hearing_thresholds(root),
        decision_limit=_read_decision_limit(root.table("decision_limit")),
        summary_procedure=_read_summary_procedure(root.table("summary_procedure")),
        retention=_read_retention(root),
    )


def _read_key(root: _Table) -> str:
    key = root.text("key")
    if not _KEY_PATTERN.fullmatch(key):
        raise root.error("key", f"只能由小写字母、数字和连字符组成，实际为“{key}”")
    return key


def _read_case_number_format(root: _Table) -> str:
    """Placeholders: exactly {short}, {year}, {seq} (zero-padding like {seq:03d} allowed)."""
    key = "case_number_format"
    fmt = root.raw(key, str)
    try:
        placeholders = [(n, s, c) for _, n, s, c in string.Formatter().parse(fmt) if n is not None]
    except ValueError as exc:
        raise root.error(key, f"花括号不成对（字面花括号应写成 {{{{ 或 }}}}）：{exc}") from exc
    for name, spec, conversion in placeholders:
        if name not in _CASE_NUMBER_FIELDS or conversion is not None:
            allowed = "只能使用 {short}、{year}、{seq} 占位符"
            raise root.error(key, f"{allowed}，不能使用“{{{name}}}”")
        if spec and not (name == "seq" and _ZERO_PAD.fullmatch(spec)):
            hint = "只有 {seq} 可以补零，写法如 {seq:03d}"
            raise root.error(key, f"“{{{name}:{spec}}}”的格式说明无效，{hint}")
    if "seq" not in {name for name, _, _ in placeholders}:
        raise root.error(key, "必须包含 {seq}（案件序号）")
    return fmt


def _read_hearing_thresholds(root: _Table) -> tuple[HearingThreshold, ...]:
    thresholds = tuple(_read_hearing_threshold(item) for item in root.tables("hearing_thresholds"))
    for previous, current in pairwise(thresholds):
        if current.effective_from <= previous.effective_from:
            reason = "各项应按 effective_from 从早到晚排列，且日期不重复"
            raise root.error("hearing_thresholds", reason)
    return thresholds


def _read_hearing_threshold(item: _Table) -> HearingThreshold:
    item.only("effective_from", *PARTY_TYPES)
    amounts = {party: item.number(party) for party in PARTY_TYPES if item.has(party)}
    if not amounts:
        raise ProfileError(item.source, item.path, "至少为一类当事人设定听证金额")
    return HearingThreshold(item.raw("effective_from", date), MappingProxyType(amounts))


def _read_decision_limit(table: _Table) -> DecisionLimit:
    table.only(*(field.name for field in fields(DecisionLimit)))
    alerts = table.numbers("alert_days_before", minimum=1)
    return DecisionLimit(
        basis=cast(DecisionLimitBasis, table.choice("basis", DECISION_LIMIT_BASES)),
        statute_days=table.number("statute_days", minimum=1),
        statistics_months=table.number("statistics_months", minimum=1),
        extension_months=table.number("extension_months"),
        max_extensions=table.number("max_extensions"),
        alert_days_before=tuple(sorted(set(alerts), reverse=True)),
    )


def _read_summary_procedure(table: _Table) -> SummaryProcedure:
    table.only(*_SUMMARY_CEILINGS_YUAN)
    caps: dict[str, int] = {}
    for name, (ceiling, article) in _SUMMARY_CEILINGS_YUAN.items():
        caps[name] = table.number(name)
        if caps[name] > ceiling:
            raise table.error(name, f"不得超过{article}规定的{ceiling}元，实际为{caps[name]}")
    return SummaryProcedure(**caps)


def _read_retention(root: _Table) -> tuple[RetentionClass, ...]:
    classes = tuple(_read_retention_class(item) for item in root.tables("retention"))
    codes = [c.code for c in classes]
    for index, code in enumerate(codes):
        if code in codes[:index]:
            raise ProfileError(root.source, f"retention[{index}].code", f"代码“{code}”重复")
    return classes


def _read_retention_class(item: _Table) -> RetentionClass:
    item.only("code", "name", "years", "months", "applies_to")
    if item.has("years") and item.has("months"):
        raise item.error("months", "years 与 months 只能设置一个（都不设置表示永久）")
    months: int | None = None
    if item.has("years"):
        months = item.number("years", minimum=1) * 12
    elif item.has("months"):
        months = item.number("months", minimum=1)
    return RetentionClass(item.text("code"), item.text("name"), months, item.text("applies_to"))


# --- loading -------------------------------------------------------------------------------


def load_profile(path: Path) -> PolicyProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(path.name, "(文件)", "不是 UTF-8 编码的文本文件") from exc
    return parse_profile(text, source=path.name)


def _builtin_files() -> Mapping[str, Traversable]:
    folder = resources.files("casetrail.policy").joinpath(_BUILTIN_DIR)
    # catalogue.toml is the document catalogue (casetrail.policy.catalogue), not a profile.
    profiles = (
        e for e in folder.iterdir() if e.name.endswith(".toml") and e.name != "catalogue.toml"
    )
    files = sorted(profiles, key=lambda e: e.name)
    return {entry.name.removesuffix(".toml"): entry for entry in files}


@cache
def builtin_profiles() -> Mapping[str, PolicyProfile]:
    """The profiles shipped with casetrail, by key; each file's key must match its name."""
    profiles: dict[str, PolicyProfile] = {}
    for key, entry in _builtin_files().items():
        profile = parse_profile(entry.read_text(encoding="utf-8"), source=entry.name)
        if profile.key != key:
            reason = f"应与文件名一致（“{key}”），实际为“{profile.key}”"
            raise ProfileError(entry.name, "key", reason)
        profiles[key] = profile
    return MappingProxyType(profiles)


def builtin_profile(key: str) -> PolicyProfile:
    profiles = builtin_profiles()
    if key not in profiles:
        raise _unknown_builtin(key)
    return profiles[key]


def builtin_profile_text(key: str) -> str:
    """The raw TOML of a built-in profile, for an agency to keep its own copy."""
    files = _builtin_files()
    if key not in files:
        raise _unknown_builtin(key)
    return files[key].read_text(encoding="utf-8")


def _unknown_builtin(key: str) -> ProfileError:
    known = "、".join(_builtin_files())
    return ProfileError(f"{key}.toml", "key", f"没有名为“{key}”的内置制度配置（可选：{known}）")
