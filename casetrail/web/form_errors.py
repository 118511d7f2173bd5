"""Form errors that name their field, all at once, with a summary at the top of the form.

Django's own messages (`这个字段是必填项。`, `输入一个有效的日期。`) do not say which field they
are about; a long form showed them one by one below the fold. Every form of the pages uses
`NamedErrorsMixin`: each message starts with the field's label, and `error_summary()` lists
every error in the form's order for `web/_error_summary.html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

# The longest text a textarea takes; stated on the form (maxlength and its help) before submit.
TEXT_LIMIT = 20000


def limit_help(limit: int = TEXT_LIMIT) -> str:
    return f"不超过 {limit} 字。"


def long_text(*, rows: int = 3, limit: int = TEXT_LIMIT, **kwargs: Any) -> forms.CharField:
    """A textarea with its limit in the page (maxlength) and in its help text."""
    help_text = kwargs.pop("help_text", "")
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=limit,
        help_text=f"{help_text}{limit_help(limit)}",
        **kwargs,
    )


def named_messages(label: str, field: forms.Field) -> dict[str, str]:
    messages = {
        "required": f"{label}：必须填写",
        "invalid_choice": f"{label}：请从列表中选择（“%(value)s”不是可选的一项）",
        "max_length": f"{label}：不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）",
        "min_length": f"{label}：至少 %(limit_value)d 个字（现有 %(show_value)d 个）",
        "invalid_list": f"{label}：请从列表中选择",
        "invalid_pk_value": f"{label}：“%(pk)s”不是可选的一项",
    }
    if isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{label}：时间格式不正确（应为 年-月-日 时:分）"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{label}：日期格式不正确（应为 年-月-日）"
    elif isinstance(field, forms.IntegerField | forms.DecimalField):
        messages["invalid"] = f"{label}：请填写数字"
    elif isinstance(field, forms.ModelChoiceField):
        messages["invalid_choice"] = f"{label}：请从列表中选择"
    return messages


@dataclass(frozen=True)
class SummaryItem:
    field: str  # the field's name ("" for the form as a whole)
    anchor: str  # the id of its input, to jump to
    message: str


def name_errors(form: forms.BaseForm) -> None:
    """Give every field's Django messages its label (call after the fields are final)."""
    for name, field in form.fields.items():
        label = str(field.label or name)
        field.error_messages = {**field.error_messages, **named_messages(label, field)}


def with_label(label: str, message: str) -> str:
    return message if message.startswith(label) else f"{label}：{message}"


def error_summary(form: forms.BaseForm) -> list[SummaryItem]:
    """Every error of a bound form, in the order of its fields, each naming its field."""
    if not form.is_bound or not form.errors:
        return []
    items = [SummaryItem("", "", str(m)) for m in form.non_field_errors()]
    for name in form.fields:
        bound = form[name]
        label = str(bound.label or name)
        for message in bound.errors:
            items.append(SummaryItem(name, bound.id_for_label, with_label(label, str(message))))
    return items


class NamedErrorsMixin:
    """Mix into a form: messages name their field; `error_summary` lists them all."""

    fields: dict[str, forms.Field]

    def name_errors(self) -> None:
        assert isinstance(self, forms.BaseForm)
        name_errors(self)

    def error_summary(self) -> list[SummaryItem]:
        assert isinstance(self, forms.BaseForm)
        return error_summary(self)
