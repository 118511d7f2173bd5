"""Reading a policy profile's TOML into a `PolicyProfile`, key by key.

Any problem raises `ProfileError` naming the file, the dotted key and the reason; the profile's
own document kinds (``[document_kinds.<code>]``) are read by `catalogue.parse_kind`, whose
`CatalogueError` is a `ProfileError` naming ``document_kinds.<code>.<key>``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from itertools import pairwise
from types import MappingProxyType
from typing import cast

from casetrail.policy.catalogue import DocumentKind, check_references, parse_kind
from casetrail.policy.errors import ProfileError
from casetrail.policy.model import (
    AV_LABELS,
    DECISION_LIMIT_BASES,
    DOCUMENT_KINDS,
    LEFT_AT_ADDRESS_PROOFS,
    PARTY_TYPES,
    PERIOD_UNITS,
    DecisionLimit,
    DecisionLimitBasis,
    HearingThreshold,
    LeftAtAddressProof,
    Period,
    PeriodUnit,
    PolicyProfile,
    RetentionClass,
    SummaryProcedure,
)
from casetrail.policy.toml_reader import Table, load

# 行政处罚法 第51条 and 第68条 are ceilings: a profile may be stricter, never laxer.
_SUMMARY_CEILINGS_YUAN: Mapping[str, tuple[int, str]] = {
    "citizen_fine_cap_yuan": (200, "行政处罚法 第51条"),
    "organisation_fine_cap_yuan": (3000, "行政处罚法 第51条"),
    "on_the_spot_collection_cap_yuan": (100, "行政处罚法 第68条"),
}
_KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
_CASE_NUMBER_FIELDS = frozenset({"short", "year", "seq"})
_ZERO_PAD = re.compile(r"0[1-9]d")
_OWN_KINDS_KEY = "document_kinds"
# A registry rule id: REFERENCE.md's number ("R17"), or a numbered rule's part ("R29.postal").
_RULE_ID = re.compile(r"R[1-9][0-9]*(\.[a-z_]+)?")
# An article of the regulation as a message cites it after its name: "第十条", "第七条第（七）项".
_ARTICLE = re.compile(r"第[一二三四五六七八九十百]+条\S*")
_TOP_LEVEL_KEYS = (
    *(field.name for field in fields(PolicyProfile) if field.name != "extra_kinds"),
    _OWN_KINDS_KEY,
)


def parse_profile(text: str, *, source: str) -> PolicyProfile:
    """Read and validate one profile; any problem raises :class:`ProfileError`."""
    root = load(text, source=source)
    root.only(*_TOP_LEVEL_KEYS)
    return _read_profile(root)


def _read_profile(root: Table) -> PolicyProfile:
    def p(name: str) -> Period:
        return _read_period(root.table(name))

    own_kinds = _read_own_kinds(root)
    return PolicyProfile(
        key=_read_key(root),
        name=root.text("name"),
        regulation_title=root.text("regulation_title"),
        citation_name=root.optional_text("citation_name") or root.text("regulation_title"),
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
        documents=root.codes("documents", {*DOCUMENT_KINDS, *own_kinds}),
        hearing_thresholds=_read_hearing_thresholds(root),
        decision_limit=_read_decision_limit(root.table("decision_limit")),
        summary_procedure=_read_summary_procedure(root.table("summary_procedure")),
        retention=_read_retention(root),
        rule_articles=_read_articles(root, "rule_articles", _RULE_ID.fullmatch, "规则编号"),
        document_articles=_read_articles(
            root, "document_articles", {*DOCUMENT_KINDS, *own_kinds}.__contains__, "文书代码"
        ),
        extra_kinds=own_kinds,
    )


def _read_articles(
    root: Table, name: str, known: Callable[[str], object], what: str
) -> Mapping[str, tuple[str, ...]]:
    """``[rule_articles]`` or ``[document_articles]``: id → this regulation's articles."""
    if not root.has(name):
        return MappingProxyType({})
    table = root.table(name)
    articles: dict[str, tuple[str, ...]] = {}
    for key in table.names():
        if not known(key):
            raise table.error(key, f"未知的{what}“{key}”")
        cited = table.text_or_strings(key)
        for article in cited:
            if not _ARTICLE.fullmatch(article):
                reason = f"条文应写作“第十条”“第七条第（七）项”等，实际为“{article}”"
                raise table.error(key, reason)
        articles[key] = cited
    return MappingProxyType(articles)


def _read_period(table: Table) -> Period:
    table.only("days", "unit")
    days = table.number("days", minimum=1)
    unit = cast(PeriodUnit, table.choice("unit", PERIOD_UNITS))
    return Period(days=days, unit=unit)


def _read_own_kinds(root: Table) -> Mapping[str, DocumentKind]:
    """The profile's own kinds: new codes only, so that no rule reading a built-in kind's
    fields by name is surprised by an agency's variant of it."""
    if not root.has(_OWN_KINDS_KEY):
        return MappingProxyType({})
    table = root.table(_OWN_KINDS_KEY)
    kinds: dict[str, DocumentKind] = {}
    for code in table.names():
        if code in DOCUMENT_KINDS:
            raise table.error(code, f"“{code}”是内置文书的代码：自定义文书请另起代码")
        raw = table.raw(code, dict)
        kinds[code] = parse_kind(code, raw, source=root.source, path=_OWN_KINDS_KEY)
    known = {*DOCUMENT_KINDS, *kinds}
    check_references(kinds, known, source=root.source, path=_OWN_KINDS_KEY)
    return MappingProxyType(kinds)


def _read_key(root: Table) -> str:
    key = root.text("key")
    if not _KEY_PATTERN.fullmatch(key):
        raise root.error("key", f"只能由小写字母、数字和连字符组成，实际为“{key}”")
    return key


def _read_case_number_format(root: Table) -> str:
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


def _read_hearing_thresholds(root: Table) -> tuple[HearingThreshold, ...]:
    thresholds = tuple(_read_hearing_threshold(item) for item in root.tables("hearing_thresholds"))
    for previous, current in pairwise(thresholds):
        if current.effective_from <= previous.effective_from:
            reason = "各项应按 effective_from 从早到晚排列，且日期不重复"
            raise root.error("hearing_thresholds", reason)
    return thresholds


def _read_hearing_threshold(item: Table) -> HearingThreshold:
    item.only("effective_from", *PARTY_TYPES)
    amounts = {party: item.number(party) for party in PARTY_TYPES if item.has(party)}
    if not amounts:
        raise item.fail("至少为一类当事人设定听证金额")
    return HearingThreshold(item.raw("effective_from", date), MappingProxyType(amounts))


def _read_decision_limit(table: Table) -> DecisionLimit:
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


def _read_summary_procedure(table: Table) -> SummaryProcedure:
    table.only(*_SUMMARY_CEILINGS_YUAN)
    caps: dict[str, int] = {}
    for name, (ceiling, article) in _SUMMARY_CEILINGS_YUAN.items():
        caps[name] = table.number(name)
        if caps[name] > ceiling:
            raise table.error(name, f"不得超过{article}规定的{ceiling}元，实际为{caps[name]}")
    return SummaryProcedure(**caps)


def _read_retention(root: Table) -> tuple[RetentionClass, ...]:
    classes = tuple(_read_retention_class(item) for item in root.tables("retention"))
    codes = [c.code for c in classes]
    for index, code in enumerate(codes):
        if code in codes[:index]:
            raise ProfileError(root.source, f"retention[{index}].code", f"代码“{code}”重复")
    return classes


def _read_retention_class(item: Table) -> RetentionClass:
    item.only("code", "name", "years", "months", "applies_to")
    if item.has("years") and item.has("months"):
        raise item.error("months", "years 与 months 只能设置一个（都不设置表示永久）")
    months: int | None = None
    if item.has("years"):
        months = item.number("years", minimum=1) * 12
    elif item.has("months"):
        months = item.number("months", minimum=1)
    return RetentionClass(item.text("code"), item.text("name"), months, item.text("applies_to"))
