"""Moving a locked case to its next stage once every gate passes: one helper for the acts that
do nothing else (ending the investigation, closing), so the gate check and the ledger entry
with the previous stage are written the same way."""

from __future__ import annotations

from django.contrib.auth.models import User

from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.ledger.append import append_entry
from casetrail.procedure.guards import gate_problems


def advance_stage(case: Case, *, target: str, action: str, acting_user: User) -> Case:
    """Refuse with the first gate problem of *target*, else move *case* (locked by the caller,
    inside its transaction) and ledger the move with the stage it left."""
    problems = gate_problems(case_facts(case), target)
    if problems:
        raise problems[0]
    previous = case.stage
    case.stage = target
    case.save(update_fields=["stage"])
    append_entry(
        agency=case.agency,
        action=action,
        actor=acting_user,
        case=case,
        records=[case],
        facts={"stage": target},
        previous={"stage": previous},
    )
    return case
