"""The error every procedure rule raises: it names the rule, the article and the field.

It lives on the policy floor (the catalogue's field checks raise it too, and policy imports
nothing above itself); the rules and their callers keep importing it from here.
"""

from __future__ import annotations

from casetrail.policy.errors import RuleViolation as RuleViolation  # re-exported

__all__ = ["RuleViolation"]
