from django import template

from casetrail.procedure.stages import stage_label as _stage_label

register = template.Library()


@register.filter
def stage_label(code: str) -> str:
    return _stage_label(code)
