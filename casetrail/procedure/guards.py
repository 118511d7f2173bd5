"""Which rules guard which act: creating a document, finalising it, moving a case on.

The tables are merged from the rule modules, one per stage, so `grep` finds every guard of a
kind in one place, and the case page asks the same functions what is still missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final, TypeVar

from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft
from casetrail.procedure.rules import after_decision, decision, investigation
from casetrail.procedure.rules.documents import (
    certificates_shown_problem,
    filing_problem,
    officers_problem,
    signatures_problem,
    stage_problem,
)

CreateGuard = Callable[[CaseFacts, Draft], RuleViolation | None]
FinaliseGuard = Callable[[CaseFacts, DocFacts], RuleViolation | None]
GateGuard = Callable[[CaseFacts], RuleViolation | None]

CREATE_ALL: Final[tuple[CreateGuard, ...]] = (
    filing_problem,
    stage_problem,
    officers_problem,
)
FINALISE_ALL: Final[tuple[FinaliseGuard, ...]] = (
    certificates_shown_problem,
    signatures_problem,
)


_G = TypeVar("_G")
_T = TypeVar("_T")


def _merge(*tables: Mapping[str, Sequence[_G]]) -> dict[str, tuple[_G, ...]]:
    merged: dict[str, tuple[_G, ...]] = {}
    for table in tables:
        for kind, guards in table.items():
            merged[kind] = merged.get(kind, ()) + tuple(guards)
    return merged


DECISION_KINDS: Final = frozenset({"decision", "no_penalty_decision"})
GATES: Final[Mapping[str, tuple[GateGuard, ...]]] = {
    "review": tuple(investigation.GATES),  # investigation → review (rule 17)
    "decided": tuple(decision.GATES),  # review → decided (rules 18–26)
    "closed": tuple(after_decision.GATES),  # decided → closed (rules 33, 38, 40)
}
CREATE_BY_KIND: Final = _merge(investigation.CREATE, decision.CREATE, after_decision.CREATE)
FINALISE_BY_KIND: Final = _merge(investigation.FINALISE, decision.FINALISE, after_decision.FINALISE)


def _problems(
    guards: Sequence[Callable[[CaseFacts, _T], RuleViolation | None]], facts: CaseFacts, item: _T
) -> list[RuleViolation]:
    return [p for guard in guards if (p := guard(facts, item)) is not None]


def create_problems(facts: CaseFacts, draft: Draft) -> list[RuleViolation]:
    """Every rule a new document of this kind breaks, in the order they are stated."""
    guards = CREATE_ALL + CREATE_BY_KIND.get(draft.kind.code, ())
    return _problems(guards, facts, draft)


def finalise_problems(facts: CaseFacts, doc: DocFacts) -> list[RuleViolation]:
    """Every rule that keeps *doc* from being finalised; a decision also passes the gates of
    the decided stage (rules 18–26)."""
    gates = [p for gate in decision.GATES if (p := gate(facts)) is not None]
    guards = FINALISE_ALL + FINALISE_BY_KIND.get(doc.kind, ())
    return (gates if doc.kind in DECISION_KINDS else []) + _problems(guards, facts, doc)


def gate_problems(facts: CaseFacts, target: str) -> list[RuleViolation]:
    """Every rule that keeps the case from moving to *target* now ("what is still missing")."""
    return [p for gate in GATES.get(target, ()) if (p := gate(facts)) is not None]
