"""What the case page shows of the procedure: documents by stage, what is still missing before
the next stage, and the time limit of the decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from casetrail.cases.selectors import case_documents, correction_dates
from casetrail.policy.catalogue import DocumentKind
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts
from casetrail.procedure.guards import GATES, gate_problems
from casetrail.procedure.rules.after_decision import closable_stage
from casetrail.procedure.rules.decision import ALERTS, decision_alerts, decision_due
from casetrail.procedure.rules.documents import STAGE_LABELS
from casetrail.procedure.rules.investigation import late_disposals
from casetrail.procedure.rules.performance import repeated_corrections_warning
from casetrail.procedure.stages import stage_label
from casetrail.procedure.workdays import Due

STAGE_ORDER = ("investigation", "review", "decided", "enforcement", "closing", "any")
# The stage a case moves to next, and the act that moves it (procedure/stages.py TRANSITIONS).
NEXT_STAGE: Mapping[str, str] = {
    "investigation": "review",
    "review": "decided",
    "decided": "closed",
}


@dataclass(frozen=True)
class DocumentItem:
    document: Document
    number: str
    final: bool
    superseded: bool  # corrected: a final document that a later one supersedes
    version: int = 1  # a draft's saved versions (edits), this one the newest


@dataclass(frozen=True)
class StageGroup:
    label: str
    items: list[DocumentItem]


def documents_by_stage(case: Case, catalogue: Mapping[str, DocumentKind]) -> list[StageGroup]:
    """The case's documents under the stage their kind belongs to (its first listed stage).

    A draft's earlier versions are not listed (the document page shows its history); a final
    document that a correction supersedes is, marked 已被更正."""
    documents = case_documents(case)
    by_pk = {d.pk: d for d in documents}
    superseded = {d.supersedes_id for d in documents if d.supersedes_id is not None}
    groups: dict[str, list[DocumentItem]] = {}
    for d in documents:
        final = hasattr(d, "final")
        if d.pk in superseded and not final:
            continue  # an earlier version of an edited draft
        kind = catalogue.get(d.kind)
        stage = kind.stages[0] if kind else "any"
        number = d.final.number if final else ""
        item = DocumentItem(d, number, final, d.pk in superseded, len(versions(d, by_pk)))
        groups.setdefault(stage, []).append(item)
    return [
        StageGroup(STAGE_LABELS.get(stage, "各阶段通用"), groups[stage])
        for stage in sorted(groups, key=lambda s: STAGE_ORDER.index(s) if s in STAGE_ORDER else 99)
    ]


def versions(document: Document, by_pk: Mapping[int, Document]) -> list[Document]:
    """The saved versions of *document*'s draft, oldest first, ending with it: the drafts it
    supersedes, one after another (a corrected final document starts a new line)."""
    line = [document]
    previous = by_pk.get(document.supersedes_id) if document.supersedes_id else None
    while previous is not None and not hasattr(previous, "final"):
        line.insert(0, previous)
        previous = by_pk.get(previous.supersedes_id) if previous.supersedes_id else None
    return line


@dataclass(frozen=True)
class Gate:
    target_label: str
    problems: list[RuleViolation]


def next_gate(facts: CaseFacts) -> Gate | None:
    """进入下一阶段前还缺少: every rule that keeps the case where it is. A case withdrawn or
    transferred without a decision goes next to 已结案."""
    target = "closed" if closable_stage(facts) else NEXT_STAGE.get(facts.stage)
    if target is None or target not in GATES:
        return None
    return Gate(stage_label(target), gate_problems(facts, target))


def compliance_flags(facts: CaseFacts, case: Case) -> list[str]:
    """Things done, but not as the rules ask — accepted and kept on the record: a late disposal
    of preserved evidence (rule 14), a summary decision not filed in time (rule 27), a party
    ordered to correct three times in a year (rule 33)."""
    flags = [
        f"证据登记保存处理决定逾期{late.working_days_late}个工作日作出"
        f"（应于{late.due.due_on.isoformat()}前；《行政处罚法》第五十六条）"
        for late in late_disposals(facts)
    ]
    flags += [
        f"{problem.message}（{problem.article}）"
        for alert in ALERTS
        if (problem := alert(facts)) is not None
    ]
    for party in case.parties.all():
        warning = repeated_corrections_warning(correction_dates(party), on=facts.today)
        if warning:
            flags.append(f"{party.name}：{warning}")
    return flags


DeadlineLevel = Literal["ok", "alert", "overdue"]


@dataclass(frozen=True)
class DecisionDeadline:
    due: Due
    days_left: int
    level: DeadlineLevel
    alerts: list[str]


def decision_deadline(facts: CaseFacts) -> DecisionDeadline | None:
    """行政处罚法 第60条: the time limit of the decision from filing, while undecided, with the
    profile's alert thresholds (`alert_days_before`) already crossed."""
    if facts.stage not in ("investigation", "review") or closable_stage(facts):
        return None  # decided, or ended without a decision (withdrawn, transferred)
    due = decision_due(facts)
    if due is None:
        return None
    days_left = (due.due_on - facts.today).days
    crossed = decision_alerts(facts)
    alerts = [f"已进入到期前{days}天的提醒期" for days in crossed[-1:]] if days_left >= 0 else []
    level: DeadlineLevel = "overdue" if days_left < 0 else "alert" if crossed else "ok"
    return DecisionDeadline(due, days_left, level, alerts)
