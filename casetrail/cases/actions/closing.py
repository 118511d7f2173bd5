"""Closing a case (结案): the file complete for its path, every service proved, corrections
verified, a suspected crime transferred, the closing report signed (Seed A art. 14; Seed B
art. 14, 25, 33; 行政处罚法 第57条(四); REFERENCE.md rules 33, 38, 40)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import access
from casetrail.cases.actions.stage_move import advance_stage
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.procedure import stages
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.after_decision import closable_stage


def do_close_case(*, acting_user: User, case: Case) -> Case:
    """Close the case once every gate of the closed stage passes; the case file is then ready
    to be filed (立卷归档)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        article = cite(case.agency.profile, "R40")
        if not access.can_act(acting_user, case, "handle"):
            raise RuleViolation(
                rule="40", article=article, field="user", message="只有本案承办人可以结案"
            )
        if not closable_stage(case_facts(case)):
            raise RuleViolation(
                rule="40",
                article=article,
                field="stage",
                message=f"本案处于{stages.stage_label(case.stage)}阶段，不能结案：须作出处理决定"
                "并送达，或者经批准撤销案件（撤案审批表）、移送司法机关（涉嫌犯罪案件移送书）",
            )
        case = advance_stage(
            case, target=stages.CLOSED.code, action="case.close", acting_user=acting_user
        )
    return case
