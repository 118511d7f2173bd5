"""Rules of notice, statement and hearing (告知、陈述申辩、听证) before a penalty decision.

行政处罚法 第44–45条, 第62–65条; Seed A art. 7(五), 8; Seed B art. 8, 12; REFERENCE.md rules
21–24. Pure functions of `CaseFacts`; the tables that register them are in `decision.py`.
They guard a *penalty*: once the approved decision form proposes no penalty (or a transfer),
the gates stand aside (第44条 speaks of 拟作出的行政处罚).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft
from casetrail.procedure.rules.summary import day_of, party_of, party_type, text_of, yuan
from casetrail.procedure.workdays import Due, add_period

_ARTICLE_44: Final = "《行政处罚法》第四十四条、第六十二条"
_ARTICLE_45: Final = "《行政处罚法》第四十五条"
_ARTICLE_63: Final = "《行政处罚法》第六十三条、第六十四条"
_ARTICLE_65: Final = "《行政处罚法》第六十四条(八)、第六十五条"
MAX_AGENTS: Final = 2  # 第64条(五): 当事人可以亲自参加听证，也可以委托一至二人代理
# 第63条(三)(四): penalties that carry the hearing right whatever the amount.
HEARING_PENALTY_WORDS: Final = (
    "降低资质",
    "吊销",
    "限制开展生产经营",
    "停产停业",
    "责令关闭",
    "限制从业",
)
# What each choice of the decision form's penalty type imposes (第9条 kinds).
DECISION_PENALTIES: Final[Mapping[str, frozenset[str]]] = {
    "warning": frozenset({"warning"}),
    "fine": frozenset({"fine"}),
    "warning_and_fine": frozenset({"warning", "fine"}),
    "confiscation": frozenset({"confiscation"}),
}
PENALTY_LABELS: Final = {"warning": "警告", "fine": "罚款", "confiscation": "没收违法所得"}
# How a notice's free text names each kind.
_NOTICE_WORDS: Final = {"warning": "警告", "fine": "罚款", "confiscation": "没收"}


def penalty_intended(facts: CaseFacts) -> bool:
    """An ordinary case heads for a penalty unless its latest final decision form proposes
    otherwise (the summary procedure notifies orally: Seed A art. 8, rule 27)."""
    if facts.procedure != "ordinary":
        return False
    approval = facts.latest_final("decision_approval")
    return approval is None or approval.fields.get("proposed_decision") == "penalty"


def _served_notice(facts: CaseFacts) -> tuple[DocFacts, date] | None:
    notice = facts.latest_final("prior_notice")
    if notice is None or notice.served_on is None:
        return None
    return notice, notice.served_on


def _waived(facts: CaseFacts, since: date, *, hearing: bool) -> bool:
    """A final written waiver (Seed B art. 12) dated on or after *since*."""
    wanted = {"statement_and_hearing"} if hearing else {"statement", "statement_and_hearing"}
    return any(
        w.fields.get("waiver") in wanted and (day_of(w.fields, "waived_on") or since) >= since
        for w in facts.final("statement_waiver")
    )


# --- rule 21: prior notice and the statement period ---------------------------------------


def notice_penalties(fields: Mapping[str, Any]) -> frozenset[str]:
    """The kinds of penalty a prior notice announces (its text names them; a fine by amount)."""
    text = text_of(fields, "intended_penalty")
    kinds = {kind for kind, word in _NOTICE_WORDS.items() if word in text}
    if yuan(fields, "intended_fine"):
        kinds.add("fine")
    return frozenset(kinds)


def notice_contents_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """The prior notice states the intended penalty, its facts, reasons and basis, and the
    rights to state and defend; an intended fine states its amount.

    行政处罚法 第44条; Seed A art. 8; Seed B art. 8, 12; REFERENCE.md rule 21.
    """
    for name, what in (
        ("intended_penalty", "拟作出的行政处罚"),
        ("facts", "违法事实"),
        ("reasons", "理由"),
        ("legal_basis", "依据"),
        ("statement_right", "陈述、申辩的权利和期限"),
    ):
        if not text_of(doc.fields, name):
            return _notice_refusal(name, f"未载明{what}")
    if "fine" in notice_penalties(doc.fields) and not yuan(doc.fields, "intended_fine"):
        return _notice_refusal("intended_fine", "拟处罚款的，须载明拟罚款金额")
    return None


def _notice_refusal(field: str, message: str) -> RuleViolation:
    return RuleViolation(
        rule="21", article=_ARTICLE_44, field=field, message=f"行政处罚事先告知书：{message}"
    )


def statement_due(facts: CaseFacts, served_on: date) -> Due:
    """The last day of the statement period, counted from service (profile `statement`)."""
    period = facts.profile.statement
    return add_period(facts.calendar, served_on, period.days, period.unit)


def prior_notice_gate(facts: CaseFacts) -> RuleViolation | None:
    """No penalty decision before a prior notice stating its contents was served and the
    statement period has run, unless the party waived it in writing.

    行政处罚法 第44条、第62条; Seed A art. 8; Seed B art. 8, 12; REFERENCE.md rule 21.
    """
    if not penalty_intended(facts):
        return None
    if facts.latest_final("prior_notice") is None:
        return _notice_refusal("prior_notice", "作出处罚决定前须制作并定稿事先告知书")
    served = _served_notice(facts)
    if served is None:
        return _notice_refusal("prior_notice", "尚未送达当事人，不得作出处罚决定")
    notice, served_on = served
    problem = notice_contents_problem(facts, notice) or hearing_right_problem(facts, notice)
    if problem is not None or _waived(facts, served_on, hearing=False):
        return problem
    due = statement_due(facts, served_on)
    if facts.today <= due.due_on:
        return RuleViolation(
            rule="21",
            article=_ARTICLE_44,
            field="statement_waiver",
            message=(
                f"陈述申辩期限（{facts.profile.statement.label}）至{due.due_on.isoformat()}届满；"
                "期满或当事人书面放弃陈述申辩后方可作出处罚决定"
            ),
        )
    return None


def decision_date_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """The decision is not dated inside the statement period: a date before it ran out would
    record a decision made without hearing the party (unless the party waived).

    行政处罚法 第62条; REFERENCE.md rule 21.
    """
    served = _served_notice(facts)
    decided_on = day_of(doc.fields, "decided_on")
    if served is None or decided_on is None or not penalty_intended(facts):
        return None
    due = statement_due(facts, served[1])
    if decided_on > due.due_on or _waived(facts, served[1], hearing=False):
        return None
    return RuleViolation(
        rule="21",
        article=_ARTICLE_44,
        field="decided_on",
        message=f"行政处罚决定书：作出决定的日期须在陈述申辩期限届满（{due.due_on.isoformat()}）之后",
    )


# --- rule 22: re-examination; no heavier penalty ------------------------------------------


def re_examination_gate(facts: CaseFacts) -> RuleViolation | None:
    """Every statement the party made is re-examined (复核) in a final opinion.

    行政处罚法 第45条 第1款; REFERENCE.md rule 22.
    """
    if not penalty_intended(facts):
        return None
    examined = {o.fields.get("statement") for o in facts.final("re_examination_opinion")}
    for statement in facts.final("statement_transcript"):
        if statement.document_id not in examined:
            return RuleViolation(
                rule="22",
                article=_ARTICLE_45,
                field="re_examination_opinion",
                message="当事人进行了陈述申辩，须对其提出的事实、理由和证据制作复核意见",
            )
    return None


def no_heavier_penalty_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """The decision imposes no penalty the notice did not announce, and no larger fine; a
    warning alone (the lightest penalty) may replace any announced penalty.

    行政处罚法 第44条, 第45条 第2款（不得因陈述、申辩而给予更重的处罚）; REFERENCE.md rule 22.
    """
    notice = facts.latest_final("prior_notice")
    if notice is None:
        return None  # the prior-notice gate (rule 21) refuses this decision
    announced = notice_penalties(notice.fields)
    decided = DECISION_PENALTIES.get(str(doc.fields.get("penalty_type")), frozenset())
    extra = decided - announced
    if extra and not (decided == {"warning"} and announced):
        added = "、".join(PENALTY_LABELS[k] for k in sorted(extra))
        return _heavier("penalty_type", f"事先告知书未告知{added}，不得给予")
    fine, intended = yuan(doc.fields, "fine"), yuan(notice.fields, "intended_fine")
    if fine and intended is not None and fine > intended:
        return _heavier("fine", f"罚款{fine}元超过事先告知的{intended}元，不得给予更重的处罚")
    return None


def _heavier(field: str, message: str) -> RuleViolation:
    return RuleViolation(
        rule="22",
        article="《行政处罚法》第四十五条 第二款",
        field=field,
        message=f"行政处罚决定书：{message}",
    )


# --- rule 23: the hearing right, request, notice and chair --------------------------------


def hearing_eligible(facts: CaseFacts, fields: Mapping[str, Any], on: date) -> bool:
    """Whether the penalty a notice announces carries the hearing right (第63条): a fine at or
    above the profile's threshold for the party's type on *on*, or a penalty of 第63条(三)(四)."""
    text = text_of(fields, "intended_penalty")
    if any(word in text for word in HEARING_PENALTY_WORDS):
        return True
    fine = yuan(fields, "intended_fine")
    ptype = party_type(party_of(facts, fields))
    threshold = facts.profile.hearing_threshold_yuan(ptype, on)
    return fine is not None and threshold is not None and fine >= threshold


def hearing_right_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """A notice of a hearing-eligible penalty states the right to request a hearing.

    行政处罚法 第44条、第63条; REFERENCE.md rule 23.
    """
    on = doc.finalised_on or facts.today
    if not hearing_eligible(facts, doc.fields, on) or text_of(doc.fields, "hearing_right"):
        return None
    return RuleViolation(
        rule="23",
        article=_ARTICLE_63,
        field="hearing_right",
        message=(
            "行政处罚事先告知书：拟作出的处罚达到听证标准，须告知当事人要求听证的权利及"
            f"期限（告知后{facts.profile.hearing_request.label}内提出）"
        ),
    )


def hearing_request_due(facts: CaseFacts, served_on: date) -> Due:
    period = facts.profile.hearing_request
    return add_period(facts.calendar, served_on, period.days, period.unit)


def _hearing_refusal(field: str, message: str) -> RuleViolation:
    return RuleViolation(rule="23", article=_ARTICLE_63, field=field, message=message)


def hearing_application_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A hearing request counts if made within the period after the notice was served, with
    at most two agents.

    行政处罚法 第64条(一)（告知后五日内提出）、(五)（委托一至二人代理）; REFERENCE.md rule 23.
    """
    served = _served_notice(facts)
    if served is None:
        return _hearing_refusal("applied_on", "听证申请书：事先告知书尚未送达，无从受理听证申请")
    due = hearing_request_due(facts, served[1])
    applied_on = day_of(draft.fields, "applied_on")
    if applied_on is None or applied_on > due.due_on:
        return _hearing_refusal(
            "applied_on",
            f"听证申请书：要求听证应在事先告知书送达后{facts.profile.hearing_request.label}内"
            f"（{due.due_on.isoformat()}前）提出",
        )
    agents = [line for line in text_of(draft.fields, "agents").splitlines() if line.strip()]
    if len(agents) > MAX_AGENTS:
        return _hearing_refusal("agents", f"听证申请书：委托代理人至多{MAX_AGENTS}人")
    return None


def investigator_ids(facts: CaseFacts) -> frozenset[int]:
    """The case's handlers and every officer named on a document of the investigation."""
    ids = set(facts.handler_ids)
    for doc in facts.documents:
        kind = facts.catalogue.get(doc.kind)
        if kind is None or "investigation" not in kind.stages:
            continue
        for spec in kind.fields:
            value = doc.fields.get(spec.name)
            if spec.type == "officer" and isinstance(value, int):
                ids.add(value)
            elif spec.type == "officers" and isinstance(value, list):
                ids.update(v for v in value if isinstance(v, int))
    return frozenset(ids)


def hearing_chair_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """The hearing is chaired by an officer who did not investigate the case.

    行政处罚法 第64条(四)（听证由行政机关指定的非本案调查人员主持）; REFERENCE.md rule 23.
    """
    chair = draft.fields.get("chair")
    if not isinstance(chair, int) or chair not in investigator_ids(facts):
        return None
    officer = facts.officers.get(chair)
    name = officer.name if officer else f"编号{chair}"
    return _hearing_refusal("chair", f"{draft.kind.title}：{name}是本案调查人员，不得主持听证")


def hearing_notice_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A hearing is noticed only on a request, by a non-investigator chair, and held no sooner
    than the notice period after the earliest day the notice can be served (today).

    行政处罚法 第63条（当事人要求听证的）、第64条(二)(四); REFERENCE.md rule 23.
    """
    if not facts.final("hearing_application"):
        return _hearing_refusal("party", "听证通知书：当事人没有要求听证，无需组织听证")
    problem = hearing_chair_problem(facts, draft)
    if problem is not None:
        return problem
    return _hearing_time_problem(facts, day_of(draft.fields, "hearing_at"), draft.on)


def _hearing_time_problem(
    facts: CaseFacts, hearing_on: date | None, served_on: date
) -> RuleViolation | None:
    period = facts.profile.hearing_notice
    earliest = add_period(facts.calendar, served_on, period.days, period.unit)
    if hearing_on is not None and hearing_on >= earliest.due_on:
        return None
    return _hearing_refusal(
        "hearing_at",
        f"听证通知书：应在举行听证的{period.label}前通知当事人；"
        f"{served_on.isoformat()}送达的，听证最早于{earliest.due_on.isoformat()}举行",
    )


def hearing_notice_service_gate(facts: CaseFacts) -> RuleViolation | None:
    """The hearing notice was served at least the notice period before the hearing.

    行政处罚法 第64条(二); REFERENCE.md rule 23.
    """
    notice = facts.latest_final("hearing_notice")
    if notice is None or not penalty_intended(facts):
        return None
    if notice.served_on is None:
        return _hearing_refusal("hearing_notice", "听证通知书尚未送达当事人")
    return _hearing_time_problem(facts, day_of(notice.fields, "hearing_at"), notice.served_on)


def hearing_request_window_gate(facts: CaseFacts) -> RuleViolation | None:
    """A hearing-eligible penalty waits for the request period to run (or a written waiver of
    the hearing, or the request itself, which rule 24 then follows).

    行政处罚法 第63条、第64条(一); REFERENCE.md rule 23.
    """
    served = _served_notice(facts)
    if served is None or not penalty_intended(facts) or facts.final("hearing_application"):
        return None
    notice, served_on = served
    eligible = hearing_eligible(facts, notice.fields, notice.finalised_on or served_on)
    if not eligible or _waived(facts, served_on, hearing=True):
        return None
    due = hearing_request_due(facts, served_on)
    if facts.today > due.due_on:
        return None
    return _hearing_refusal(
        "hearing_application",
        f"当事人可在{due.due_on.isoformat()}前要求听证；期满或当事人书面放弃听证后方可作出决定",
    )


# --- rule 24: the hearing record ----------------------------------------------------------


def hearing_required(facts: CaseFacts) -> bool:
    """The party asked for a hearing and did not waive it in writing afterwards."""
    applications = facts.final("hearing_application")
    if not applications or not penalty_intended(facts):
        return False
    last = max(day_of(a.fields, "applied_on") or a.created_on for a in applications)
    return not _waived(facts, last, hearing=True)


def hearing_record_gate(facts: CaseFacts) -> RuleViolation | None:
    """A requested hearing is held and recorded in a final transcript before the decision
    (its signatures or refusals are checked when it is finalised, rule 9).

    行政处罚法 第64条(八)、第65条; Seed B art. 12; REFERENCE.md rule 24.
    """
    if not hearing_required(facts) or facts.final("hearing_transcript"):
        return None
    return RuleViolation(
        rule="24",
        article=_ARTICLE_65,
        field="hearing_transcript",
        message="当事人要求听证：须举行听证并将听证笔录定稿后，方可作出决定",
    )


def hearing_reference_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """After a hearing the decision names the transcript it rests on (第65条: 根据听证笔录).

    行政处罚法 第65条; REFERENCE.md rule 24.
    """
    value = doc.fields.get("hearing_transcript")
    finals = {t.document_id for t in facts.final("hearing_transcript")}
    if value is None and not hearing_required(facts):
        return None
    if value in finals:
        return None
    return RuleViolation(
        rule="24",
        article=_ARTICLE_65,
        field="hearing_transcript",
        message="行政处罚决定书：经听证的案件，须引用已定稿的听证笔录",
    )
