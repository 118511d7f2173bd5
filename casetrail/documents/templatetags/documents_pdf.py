"""Template helpers for document designers: print a field, the fields left, a CSS string.

``{% val f.facts %}`` prints a field's value (line breaks kept), or on a blank form the
room to fill it in by hand; ``{% clause f.basis %}`` the same inside a fixed sentence, without
the closing mark the sentence adds; ``{% blank_label f.facts %}`` its label on a blank form only;
``{% for row in sheet.rows|excluding:"party,facts" %}`` walks the fields a kind's template
did not place itself, so a field added to the catalogue is never left off.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from casetrail.documents.sheet import Row

register = template.Library()


def _text(value: str) -> SafeString:
    """One line as inline text; several as blocks (each indented in a paragraph)."""
    lines = value.split("\n")
    if len(lines) == 1:
        return conditional_escape(value)
    return format_html_join("", '<span class="ln">{}</span>', ((line,) for line in lines))


def _blank(row: Row) -> SafeString:
    """Room to write by hand: a line, a box, or the options to tick (□)."""
    if row.type == "boolean":
        return mark_safe("□是　□否")
    if row.choices:
        return format_html_join("　", "□{}", ((label,) for label in row.choices))
    if row.multiline:
        return mark_safe('<span class="fill area"></span>')
    return mark_safe('<span class="fill"></span>')


@register.simple_tag(takes_context=True)
def val(context: template.Context, row: object) -> SafeString:
    """The value of *row* as printed; on a blank form, a field to fill in. A field the kind
    does not have (a template naming a field removed from the catalogue) prints nothing."""
    if not isinstance(row, Row):
        return mark_safe("")
    if row.value:
        return _text(row.value)
    if context.get("sheet") is not None and context["sheet"].blank:
        return _blank(row)
    return mark_safe("无")


_CLAUSE_END = "。．.；;，,、 \n"


@register.simple_tag(takes_context=True)
def clause(context: template.Context, row: object) -> SafeString:
    """A field printed inside a fixed sentence ("违反了{% clause f.x %}的规定。"): its value
    without the closing mark or "的规定" the sentence adds itself; else as `val`."""
    if isinstance(row, Row) and row.value:
        text = row.value.rstrip(_CLAUSE_END).removesuffix("的规定").rstrip(_CLAUSE_END)
        lines = text.split("\n")  # line breaks kept, the sentence's mark on the last line
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))
    return val(context, row)


@register.simple_tag(takes_context=True)
def blank_label(context: template.Context, row: object) -> SafeString:
    """On a blank form, the label of a field that the filled-in text does not name."""
    if isinstance(row, Row) and context.get("sheet") is not None and context["sheet"].blank:
        return format_html('<span class="label">{}：</span>', row.label)
    return mark_safe("")


@register.filter
def excluding(rows: tuple[Row, ...], names: str) -> list[Row]:
    placed = {name.strip() for name in names.split(",")}
    return [row for row in rows if row.name not in placed]


@register.filter
def cssstr(value: Any) -> SafeString:
    """*value* as the inside of a CSS string in a <style> element (page-margin boxes)."""
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\a "), ("<", "\\3c ")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # no quote, newline or "<" is left to break out
