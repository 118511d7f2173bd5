"""Forms of the pages. They shape input; the rules live in the actions they feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet

from casetrail import clock
from casetrail.cases.identifiers import (
    ID_TYPES,
    IdentifierError,
    check_id_number,
    check_phone,
    check_uscc,
)
from casetrail.cases.models import (
    Agency,
    Confidentiality,
    Officer,
    PartyKind,
    Procedure,
    Role,
    Sex,
    StartType,
)
from casetrail.web.form_errors import NamedErrorsMixin, long_text

SEX_CHOICES = [("", "——"), *Sex.choices]


class OfficerChoiceField(forms.ModelMultipleChoiceField[Officer]):
    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.name}（证号 {obj.certificate_number or '无'}）"


class OpenCaseForm(NamedErrorsMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="执法机关")
    start_type = forms.ChoiceField(choices=StartType.choices, label="启动方式")
    procedure = forms.ChoiceField(choices=Procedure.choices, label="程序")
    cause = forms.CharField(max_length=200, label="案由")
    summary = long_text(rows=3, required=False, label="案情摘要")
    opinion = long_text(rows=2, label="承办人意见（立案理由）")
    confidentiality = forms.ChoiceField(choices=Confidentiality.choices, label="保密属性")
    co_handlers = OfficerChoiceField(
        queryset=Officer.objects.none(), required=False, label="共同承办人"
    )
    emergency_reason = long_text(rows=2, required=False, label="紧急先行启动理由")
    violation_on = forms.DateField(
        required=False,
        label="违法行为发生日期（连续或继续状态的，终了日期）",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    discovered_on = forms.DateField(
        required=False, label="发现日期（默认今天）", widget=forms.DateInput(attrs={"type": "date"})
    )
    limitation_five_years = forms.BooleanField(
        required=False, label="涉及公民生命健康安全、金融安全且有危害后果（追责期限五年）"
    )
    party_kind = forms.ChoiceField(choices=PartyKind.choices, label="当事人类型")
    party_name = forms.CharField(max_length=200, label="当事人姓名或名称")
    party_sex = forms.ChoiceField(choices=SEX_CHOICES, required=False, label="性别")
    party_id_type = forms.ChoiceField(
        choices=list(ID_TYPES.items()), required=False, label="证件类型"
    )
    party_id_number = forms.CharField(max_length=40, required=False, label="证件号码")
    party_uscc = forms.CharField(max_length=18, required=False, label="统一社会信用代码")
    party_legal_representative = forms.CharField(max_length=50, required=False, label="法定代表人")
    party_individual_business = forms.BooleanField(required=False, label="个体工商户")
    party_address = forms.CharField(max_length=300, label="地址")
    party_phone = forms.CharField(max_length=40, required=False, label="联系电话")
    applicant = forms.CharField(max_length=200, required=False, label="申请人")
    received_on = forms.DateField(
        required=False, label="收到申请日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    request = long_text(rows=2, required=False, label="申请事项")

    def __init__(self, *args: Any, agencies: QuerySet[Agency], me: Officer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        agency_field.empty_label = None  # most officers serve one agency: preselect it
        handlers_field = self.fields["co_handlers"]
        assert isinstance(handlers_field, forms.ModelMultipleChoiceField)
        handlers_field.queryset = (
            Officer.objects.filter(memberships__agency__in=agencies, memberships__role=Role.OFFICER)
            .filter(deactivated_on__isnull=True)  # stopped officers are not offered
            .exclude(pk=me.pk)
            .distinct()
            .order_by("name")
        )
        self.name_errors()

    def clean(self) -> dict[str, Any]:
        """Every rule a field breaks, at once (the action checks the same rules again, with
        `casetrail/cases/identifiers.py`, and stops at the first)."""
        data = super().clean() or {}
        today = clock.today()
        checks: list[tuple[str, Callable[[], object]]] = []
        if data.get("party_phone"):
            checks.append(("party_phone", lambda: check_phone(data["party_phone"])))
        if data.get("party_kind") == PartyKind.PERSON:
            number = data.get("party_id_number", "")
            id_type = data.get("party_id_type", "")
            checks.append(
                ("party_id_number", lambda: check_id_number(id_type, number, today=today))
            )
            self._require(data, "party_sex")
        elif data.get("party_kind") == PartyKind.ORGANISATION:
            checks.append(("party_uscc", lambda: check_uscc(data.get("party_uscc", ""))))
            self._require(data, "party_legal_representative")
        if data.get("start_type") == StartType.EMERGENCY:
            self._require(data, "emergency_reason")
        if data.get("start_type") == StartType.ON_APPLICATION:
            for name in ("applicant", "received_on", "request"):
                self._require(data, name)
        for name, check in checks:
            if name in self.errors:
                continue
            try:
                check()
            except IdentifierError as refusal:
                label = str(self.fields[name].label)
                self.add_error(name, f"{label}：{str(refusal).split('：', 1)[-1]}")
        return data

    def _require(self, data: dict[str, Any], name: str) -> None:
        value = data.get(name)
        if name not in self.errors and (value is None or not str(value).strip()):
            self.add_error(name, f"{self.fields[name].label}：必须填写")


class FilingDecisionForm(forms.Form):
    step = forms.ChoiceField(choices=[("reviewer", "审核人意见"), ("approver", "批准人意见")])
    decision = forms.ChoiceField(choices=[("approve", "同意"), ("reject", "不同意")], label="意见")
    opinion = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="审批意见")


class CaseSearchForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("mine", "我承办的"), ("agency", "本机关全部")], required=False
    )
    q = forms.CharField(required=False, label="案号或当事人")
