from collections.abc import Sequence

from django import template

from casetrail.policy.catalogue import articles_under
from casetrail.procedure.stages import stage_label as _stage_label

register = template.Library()


@register.filter
def stage_label(code: str) -> str:
    return _stage_label(code)


@register.filter
def own_articles(articles: Sequence[str], regulation_title: str) -> tuple[str, ...]:
    """A kind's articles as a case cites them: its own agency's regulation, not another's."""
    return articles_under(articles, regulation_title)


SENTENCE_ENDS = "。；;，,、.！!？?：: "


@register.filter
def sentence(text: str) -> str:
    """*text* as one sentence: its own closing punctuation replaced by one "。" (a refusal's
    reason "当事人拒绝签字。" read "签字。；见证：…")."""
    body = str(text or "").strip().rstrip(SENTENCE_ENDS)
    return f"{body}。" if body else ""
