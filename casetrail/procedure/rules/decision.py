"""Rules of the review and decision stage (审查决定): Seed A art. 8, 10; Seed B art. 8, 11–13, 33.

Each rule is a pure function of `CaseFacts` and a draft (`CREATE`) or a document (`FINALISE`),
registered by document kind in the tables at the bottom; `GATES` guard leaving the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft

CREATE: Mapping[str, Sequence[Callable[[CaseFacts, Draft], RuleViolation | None]]] = {}
FINALISE: Mapping[str, Sequence[Callable[[CaseFacts, DocFacts], RuleViolation | None]]] = {}
GATES: Sequence[Callable[[CaseFacts], RuleViolation | None]] = ()
