"""Forms of the agencies' pages. They shape input; the rules are `agency_checks` and the profile
parser, asked again by the act."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail.cases.agency_audit import KIND_LABELS
from casetrail.cases.agency_checks import FIELD_CODES, AgencyInput
from casetrail.cases.models import Agency
from casetrail.cases.officer_checks import FieldProblem
from casetrail.policy.profiles import builtin_profiles
from casetrail.web.form_errors import NamedErrorsMixin

UPLOAD = "file"
MAX_PROFILE_BYTES = 512 * 1024


def _profile_choices() -> list[tuple[str, str]]:
    builtin = [(key, f"内置：{profile.name}") for key, profile in builtin_profiles().items()]
    return [*builtin, (UPLOAD, "上传 TOML 文件")]


class AgencyForm(NamedErrorsMixin, forms.Form):
    name = forms.CharField(label="机关名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=20, help_text="用于案号，如“栾统”。")
    code = forms.CharField(
        label="机关代码",
        max_length=50,
        help_text="账本标识，小写字母、数字和连字符，如 luanchuan-tjj；创建后不能更改。",
    )
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    parent = forms.ModelChoiceField(
        label="上级机关",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="（无上级机关）",
        help_text="上级机关的监督人员可查看本机关的案件。",
    )
    profile = forms.ChoiceField(label="执法全过程记录制度配置", choices=())
    profile_file = forms.FileField(
        label="制度配置文件（TOML）", required=False, help_text="选择“上传 TOML 文件”时填写。"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = Agency.objects.defer("profile_source").order_by("name")
        profile = self.fields["profile"]
        assert isinstance(profile, forms.ChoiceField)
        profile.choices = _profile_choices()
        self.name_errors()

    def agency_input(self) -> AgencyInput:
        data = self.cleaned_data
        return AgencyInput(
            name=data["name"],
            short_name=data["short_name"],
            code=data["code"],
            uscc=data["uscc"],
            address=data["address"],
            parent=data["parent"],
        )

    def add_problems(self, problems: list[FieldProblem]) -> None:
        for problem in problems:
            name = FIELD_CODES.get(problem.field, "")
            self.add_error(name if name in self.fields else None, str(problem))


class AgencyChangeForm(AgencyForm):
    """The changeable fields: not the code (the log's name), not the profile (`load_profile`)."""

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("code", "profile", "profile_file"):
            del self.fields[name]
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = (
            Agency.objects.defer("profile_source").exclude(pk=agency.pk).order_by("name")
        )
        self.agency = agency

    def agency_input(self) -> AgencyInput:
        data = self.cleaned_data
        return AgencyInput(
            name=data["name"],
            short_name=data["short_name"],
            code=self.agency.code,
            uscc=data["uscc"],
            address=data["address"],
            parent=data["parent"],
        )

    @classmethod
    def initial_of(cls, agency: Agency) -> dict[str, object]:
        return {
            "name": agency.name,
            "short_name": agency.short_name,
            "uscc": agency.uscc,
            "address": agency.address,
            "parent": agency.parent_id,
        }


class AuditFilterForm(NamedErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *KIND_LABELS.items()]
    )
    since = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_errors()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "截止日期：不能早于起始日期")
        return data
