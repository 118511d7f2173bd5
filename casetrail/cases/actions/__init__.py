"""Every legally meaningful act is a `do_*` function here: `grep "def do_" casetrail/cases/actions`.

Each runs in one transaction, writes its rows and appends exactly one ledger entry. An act that
a rule refuses raises `RuleViolation` (procedure) or `IdentifierError` (bad data) before
anything is written.
"""

from casetrail.cases.identifiers import IdentifierError
from casetrail.procedure.errors import RuleViolation

REFUSALS = (RuleViolation, IdentifierError)
