"""Acts of review and decision (审查决定): ending the investigation, the internal approval
chains (Seed B art. 33), the gates a case is flagged for (行政处罚法 第57条 第2款、第58条).
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import access, clock
from casetrail.cases.actions.stage_move import advance_stage
from casetrail.cases.documents import Document
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Approval, ApprovalSubject, Case, Officer
from casetrail.cases.selectors import roles_of
from casetrail.ledger.append import append_entry
from casetrail.ledger.records import row_snapshot
from casetrail.procedure import stages
from casetrail.procedure.citations import cite, statute_of
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.decision import extension_problem
from casetrail.procedure.rules.start import (
    STEP_ROLE,
    SignedStep,
    approval_chain_problem,
    chain_outcome,
)

# Which document each chain approves (None: the chain is about the case itself).
CHAIN_DOCUMENT_KIND: dict[str, str | None] = {
    ApprovalSubject.INVESTIGATION_END: "investigation_report",
    ApprovalSubject.DECISION: "decision_approval",
    ApprovalSubject.PRESERVATION: "preservation_approval",
    ApprovalSubject.EXTENSION: None,
}


def _officer(user: User) -> Officer:
    officer = Officer.objects.filter(user=user).first()
    if officer is None:
        raise RuleViolation(
            rule="role", article=statute_of("R1"), field="user", message="您不是执法人员"
        )
    return officer


def _chain(case: Case, subject: str, document: Document | None) -> list[SignedStep]:
    rows = case.approvals.filter(subject=subject, document=document).order_by("acted_at", "pk")
    return [SignedStep(a.step, a.officer_id, a.decision) for a in rows]


def do_sign_approval(
    *,
    acting_user: User,
    case: Case,
    subject: str,
    step: Literal["handler", "reviewer", "approver"],
    decision: Literal["propose", "approve", "reject"],
    opinion: str,
    document: Document | None = None,
) -> Approval:
    """Sign one step of an internal approval chain: handler proposes → reviewer → approver;
    no skipped step, nobody signs twice (Seed B art. 33; Seed A art. 10; rule 20)."""
    officer = _officer(acting_user)
    article = cite(case.agency.profile, "R20")
    if subject not in CHAIN_DOCUMENT_KIND:
        raise RuleViolation(rule="20", article=article, field="subject", message="未知的审批事项")
    expected_kind = CHAIN_DOCUMENT_KIND[subject]
    if expected_kind is not None and (document is None or document.kind != expected_kind):
        raise RuleViolation(
            rule="20", article=article, field="document", message="审批事项：须附所审批的文书"
        )
    if not opinion.strip():
        raise RuleViolation(rule="20", article=article, field="opinion", message="意见：必须填写")
    if (step == "handler") != (decision == "propose"):
        raise RuleViolation(
            rule="20",
            article=article,
            field="decision",
            message="承办人提出意见（提请审批），审核人、批准人同意或不同意",
        )
    now = clock.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if document is not None and document.case_id != case.pk:
            raise RuleViolation(
                rule="20", article=article, field="document", message="不是本案的文书"
            )
        if document is not None and not hasattr(document, "final"):
            raise RuleViolation(
                rule="20", article=article, field="document", message="所审批的文书须先定稿"
            )
        if subject == ApprovalSubject.EXTENSION:
            refused = extension_problem(case_facts(case))
            if refused is not None:
                raise refused
        chain = _chain(case, subject, document)
        problem = approval_chain_problem(
            chain,
            step=step,
            officer_id=officer.pk,
            officer_roles=roles_of(officer, case.agency),
            is_handler=case.handlers.filter(officer=officer).exists(),
            article=article,
        )
        if problem is not None:
            raise RuleViolation(
                rule="20", article=problem.article, field=problem.field, message=problem.message
            )
        approval = Approval(
            case=case,
            subject=subject,
            document=document,
            step=step,
            decision=decision,
            officer=officer,
            officer_name=officer.name,
            role=STEP_ROLE[step],
            opinion=opinion.strip(),
            acted_at=now,
        )
        approval.save()
        outcome = chain_outcome([*chain, SignedStep(step, officer.pk, decision)])
        append_entry(
            agency=case.agency,
            action="approval.sign",
            actor=acting_user,
            case=case,
            records=[approval],
            facts={"subject": subject, "step": step, "decision": decision, "outcome": outcome},
        )
    return approval


def do_close_investigation(*, acting_user: User, case: Case) -> Case:
    """End the investigation: the closing report is final and approved (Seed B art. 10;
    行政处罚法 第57条; rule 17). The case moves to 审查决定."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not access.can_act(acting_user, case, "handle"):
            raise RuleViolation(
                rule="17",
                article=cite(case.agency.profile, "R17"),
                field="user",
                message="只有承办人可以终结调查",
            )
        if case.stage != stages.INVESTIGATION.code:
            raise RuleViolation(
                rule="17",
                article=cite(case.agency.profile, "R17"),
                field="stage",
                message=f"本案处于{stages.stage_label(case.stage)}阶段，不能终结调查",
            )
        case = advance_stage(
            case,
            target=stages.REVIEW.code,
            action="case.close_investigation",
            acting_user=acting_user,
        )
    return case


def do_set_case_gates(
    *,
    acting_user: User,
    case: Case,
    major: bool,
    complex_case: bool,
    legal_review_required: bool,
    reason: str,
) -> Case:
    """Flag the case as 重大 / 情节复杂 / 须法制审核: the gates of rules 18 and 19.

    行政处罚法 第57条 第2款 (集体讨论)、第58条 (法制审核); Seed A art. 10; Seed B art. 11.
    A flag once set is never cleared by this act: gates only get stricter.
    """
    if not reason.strip():
        raise RuleViolation(
            rule="18", article="《行政处罚法》第五十八条", field="reason", message="理由：必须填写"
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not access.can_act(acting_user, case, "participate"):
            raise RuleViolation(
                rule="18",
                article="《行政处罚法》第五十八条",
                field="user",
                message="您不能设置本案的审查要求",
            )
        if case.stage not in stages.BEFORE_DECISION:
            raise RuleViolation(
                rule="18",
                article="《行政处罚法》第五十七条、第五十八条",
                field="stage",
                message=f"案件已处于“{stages.stage_label(case.stage)}”阶段：审查要求须在作出决定前设置",
            )
        before = row_snapshot(case)
        case.major = case.major or major
        case.complex_case = case.complex_case or complex_case
        case.legal_review_required = case.legal_review_required or legal_review_required or major
        case.save(update_fields=["major", "complex_case", "legal_review_required"])
        append_entry(
            agency=case.agency,
            action="case.set_gates",
            actor=acting_user,
            case=case,
            records=[case],
            facts={"reason": reason.strip()},
            previous={k: before[k] for k in ("major", "complex_case", "legal_review_required")},
        )
    return case
