"""Rules of the summary procedure (简易程序，当场处罚), and the parts of a penalty both decision
forms share: the party's type, the fine amount, the dates, the remedy clause.

行政处罚法 第51–52条, 第68条; Seed A art. 10 第2款; REFERENCE.md rule 27. The shared readers
below also serve rules 22, 23 and 25 (`hearing.py`, `decision.py` import them from here).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from zoneinfo import ZoneInfo

from casetrail.policy.profiles import PolicyProfile
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft, PartyFacts
from casetrail.procedure.workdays import Due, WorkdayCalendar, add_period

# Deadlines are counted in the agency's time zone, whatever offset a time was entered with.
CHINA: Final = ZoneInfo("Asia/Shanghai")
FINE_TYPES: Final = frozenset({"fine", "warning_and_fine"})

# 第52条 第2款 and 第59条(五): the route *and* the period of both remedies. The periods are the
# statutory ones: 行政复议法 第20条 (六十日; a law may give longer, never shorter) and
# 行政诉讼法 第46条 (六个月). Digits are NFKC-normalised, so "６０日" counts.
_REMEDY_PARTS: Final = (
    (re.compile("复议"), "申请行政复议的途径"),
    (re.compile(r"(60|六十)\s*[日天]"), "申请行政复议的期限（六十日，《行政复议法》第二十条）"),
    (re.compile("诉讼"), "提起行政诉讼的途径"),
    (re.compile(r"(6|六)\s*个月"), "提起行政诉讼的期限（六个月，《行政诉讼法》第四十六条）"),
)


# --- reading fields -----------------------------------------------------------------------


def text_of(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def yuan(fields: Mapping[str, Any], name: str) -> Decimal | None:
    """A money field ("5000.00") as a Decimal; None when blank or unreadable."""
    value = fields.get(name)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def day_of(fields: Mapping[str, Any], name: str) -> date | None:
    """A date field, or a date-time field's day in China; None when blank or unreadable."""
    value = fields.get(name)
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == len("2026-01-01"):
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(CHINA).date() if moment.tzinfo else moment.date()


def party_type(party: PartyFacts | None) -> str:
    """The profile's party type (profiles.PARTY_TYPES) of a case party; unknown → citizen,
    whose limits are the lowest."""
    if party is None:
        return "citizen"
    if party.individual_business:
        return "individual_business"
    return "organisation" if party.kind == "organisation" else "citizen"


def party_of(facts: CaseFacts, fields: Mapping[str, Any]) -> PartyFacts | None:
    value = fields.get("party")
    return facts.party(value) if isinstance(value, int) else None


def remedy_problem(
    title: str, fields: Mapping[str, Any], *, rule: str, article: str
) -> RuleViolation | None:
    """The remedy clause names both routes (复议, 诉讼) and both periods (60 日, 6 个月)."""
    remedy = unicodedata.normalize("NFKC", text_of(fields, "remedy"))
    missing = [what for pattern, what in _REMEDY_PARTS if not pattern.search(remedy)]
    if not missing:
        return None
    return RuleViolation(
        rule=rule,
        article=article,
        field="remedy",
        message=f"{title}：救济途径和期限未写明{'、'.join(missing)}，不能定稿",
    )


# --- rule 27: the on-the-spot decision ----------------------------------------------------

_ARTICLE_51: Final = "《行政处罚法》第五十一条"
_ARTICLE_52: Final = "《行政处罚法》第五十二条"


def _refuse(field: str, message: str, article: str = _ARTICLE_52) -> RuleViolation:
    return RuleViolation(
        rule="27", article=article, field=field, message=f"当场行政处罚决定书：{message}"
    )


def summary_cap_yuan(profile: PolicyProfile, party: PartyFacts | None) -> int:
    """第51条: 公民 ≤200 元, 法人或者其他组织 ≤3000 元 (the profile may set lower). An
    individual business (个体工商户) is a citizen here: 第51条 knows only the two classes."""
    caps = profile.summary_procedure
    if party_type(party) == "organisation":
        return caps.organisation_fine_cap_yuan
    return caps.citizen_fine_cap_yuan


def summary_penalty_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """On the spot only a warning, or a fine within the cap for the party's class.

    行政处罚法 第51条; REFERENCE.md rule 27.
    """
    fine = yuan(doc.fields, "fine")
    if doc.fields.get("penalty_type") == "warning":
        if fine:
            return _refuse("fine", "处罚种类为警告时不能填写罚款金额", _ARTICLE_51)
        return None
    if not fine:
        return _refuse("fine", "处罚种类为罚款时必须填写罚款金额", _ARTICLE_51)
    cap = summary_cap_yuan(facts.profile, party_of(facts, doc.fields))
    if fine > cap:
        return _refuse(
            "fine",
            f"罚款{fine}元超过当场处罚的上限{cap}元，应当适用普通程序",
            _ARTICLE_51,
        )
    return None


def summary_procedure_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """Certificates shown and the party told, orally, the facts, reasons, basis and the right
    to state a defence (第52条; 第44条; Seed A art. 8: oral notice in summary procedure)."""
    if doc.fields.get("certificates_shown") is not True:
        return _refuse("certificates_shown", "未记录执法人员出示执法证件，不能定稿")
    if doc.fields.get("oral_notice") is not True:
        return _refuse("oral_notice", "未记录当场告知处罚的事实、理由、依据和陈述申辩权，不能定稿")
    return None


def form_number_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """A pre-printed, serially numbered form (预定格式、编有号码): the number is given and not
    used by another decision of the case. Facts hold one case: uniqueness across the agency
    needs a database check (see the report of this rule)."""
    number = text_of(doc.fields, "form_number")
    if not number:
        return _refuse("form_number", "必须填写预定格式决定书的编号")
    clash = [
        d
        for d in facts.current("summary_decision")
        if d.document_id != doc.document_id and text_of(d.fields, "form_number") == number
    ]
    if clash:
        return _refuse("form_number", f"编号“{number}”已用于本案另一份当场处罚决定书")
    return None


def collection_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """Collecting on the spot: only a fine ≤ the cap (100 元), or with the reason later
    collection would be impracticable (行政处罚法 第68条(一)(二); 第69条)."""
    if doc.fields.get("collected_on_spot") is not True:
        return None
    article = "《行政处罚法》第六十八条"
    fine = yuan(doc.fields, "fine")
    if not fine:
        return _refuse("collected_on_spot", "没有罚款，不能当场收缴", article)
    cap = facts.profile.summary_procedure.on_the_spot_collection_cap_yuan
    if fine > cap and not text_of(doc.fields, "collection_reason"):
        return _refuse(
            "collection_reason",
            f"罚款超过{cap}元，当场收缴须写明不当场收缴事后难以执行的理由",
            article,
        )
    return None


def summary_remedy_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """第52条 第2款: the form states the route and period of 复议 and 诉讼."""
    return remedy_problem("当场行政处罚决定书", doc.fields, rule="27", article=_ARTICLE_52)


# --- rule 27: filing (备案) with the agency -----------------------------------------------


def summary_filing_record_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A filing record (备案) files a final on-the-spot decision of this case.

    行政处罚法 第52条 第3款; Seed A art. 10 第2款.
    """
    value = draft.fields.get("decision")
    decision = facts.document(value) if isinstance(value, int) else None
    if decision is not None and decision.kind == "summary_decision" and decision.final:
        return None
    return RuleViolation(
        rule="27",
        article=_ARTICLE_52,
        field="decision",
        message="当场处罚备案记录：所备案的当场行政处罚决定书须为本案已定稿的决定书",
    )


def summary_filing_due(
    decision: DocFacts, profile: PolicyProfile, calendar: WorkdayCalendar
) -> Due | None:
    """The day by which an on-the-spot decision must be filed; None while it is a draft.

    第52条 sets no period. Until profiles carry their own key, the period is the one the
    officers have to hand the cash in (第71条, `cash_handover`, 2 working days): the filing
    goes with the cash and the form's counterfoil.
    """
    if decision.finalised_on is None:
        return None
    period = profile.cash_handover
    return add_period(calendar, decision.finalised_on, period.days, period.unit)


def _filed(facts: CaseFacts, decision: DocFacts) -> bool:
    return any(
        record.fields.get("decision") == decision.document_id
        for record in facts.final("summary_filing_record")
    )


def summary_filing_problem(facts: CaseFacts) -> RuleViolation | None:
    """A final on-the-spot decision not filed with the agency by its due day is flagged.

    行政处罚法 第52条 第3款; Seed A art. 10 第2款; REFERENCE.md rule 27 ("the record is
    checked for the filing").
    """
    for decision in facts.final("summary_decision"):
        due = summary_filing_due(decision, facts.profile, facts.calendar)
        if due is None or _filed(facts, decision) or facts.today <= due.due_on:
            continue
        return RuleViolation(
            rule="27",
            article=_ARTICLE_52,
            field="summary_filing_record",
            message=(
                f"当场行政处罚决定书（{text_of(decision.fields, 'form_number')}）"
                f"应于{due.due_on.isoformat()}前报本机关备案，至今没有备案记录"
            ),
        )
    return None
