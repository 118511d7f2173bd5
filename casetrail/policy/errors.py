"""Errors of policy files, and the refusal every rule raises (the lowest floor owns both).

Policy files fail with the file, the dotted key and the reason (in Chinese); a refused act
fails with a `RuleViolation`, which `casetrail.procedure.errors` re-exports for the rules.
"""

from __future__ import annotations


class ProfileError(ValueError):
    """A profile file that cannot be used; ``reason`` is Chinese and names what to fix."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


class CatalogueError(ProfileError):
    """A document kind that cannot be used, in the catalogue or in a profile's own kinds."""


class RuleViolation(Exception):
    """A refused act. `message` is Chinese and speaks to the person who tried it."""

    def __init__(self, *, rule: str, article: str, message: str, field: str = "") -> None:
        super().__init__(f"{message}（{article}）")
        self.rule = rule
        self.article = article
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）"
