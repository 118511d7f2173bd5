"""The error every procedure rule raises: it names the rule, the article and the field."""

from __future__ import annotations


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
