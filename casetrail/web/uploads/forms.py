"""The form of the recording upload page. It shapes input; the rules live in the action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from casetrail.cases.models import Case, Officer
from casetrail.evidence import uploads
from casetrail.evidence.models import RecordingKind, Upload
from casetrail.procedure.citations import cite
from casetrail.procedure.rules.evidence import METADATA_RULE

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# Required by rule 10; their messages cite the case's own regulation (set per form, below).
_METADATA_FIELDS = ("method", "recorded_start_at", "maker", "proves")


class MakerField(forms.ModelChoiceField[Officer]):
    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.name}（证号 {obj.certificate_number or '无'}）"


class RecordingForm(forms.Form):
    upload = forms.UUIDField(
        widget=forms.HiddenInput,
        label="文件",
        error_messages={"required": "文件：请先选择文件并等待上传完成"},
    )
    kind = forms.ChoiceField(choices=RecordingKind.choices, label="类型")
    method = forms.CharField(
        max_length=200,
        label="制作方法",
        widget=forms.TextInput(attrs={"placeholder": "如：执法记录仪拍摄、手机录音"}),
    )
    recorded_start_at = forms.DateTimeField(label="录制开始时间", widget=DATETIME_LOCAL)
    recorded_end_at = forms.DateTimeField(
        label="录制结束时间", widget=DATETIME_LOCAL, required=False
    )
    maker = MakerField(queryset=Officer.objects.none(), label="制作人")
    device_id = forms.CharField(max_length=100, required=False, label="设备编号")
    place = forms.CharField(max_length=200, required=False, label="地点")
    proves = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="证明对象",
    )
    belongs_to = forms.CharField(max_length=200, required=False, label="所属环节或文书")
    transcript = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="文字记录（录音须附）"
    )
    late_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="逾期理由"
    )

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        article = cite(case.agency.profile, METADATA_RULE)
        for name in _METADATA_FIELDS:
            field = self.fields[name]
            required = f"{field.label}：必须填写（{article}）"
            field.error_messages = {**field.error_messages, "required": required}
        maker = self.fields["maker"]
        assert isinstance(maker, forms.ModelChoiceField)
        maker.queryset = Officer.objects.filter(handled__case=case).order_by("name")
        me = maker.queryset.filter(user=user).first()
        if me is not None and "maker" not in self.initial:  # who uploads mostly made it
            self.initial["maker"] = me.pk

    def clean_upload(self) -> Upload:
        try:
            return uploads.ready_upload(self.cleaned_data["upload"], self.user, self.case)
        except uploads.UploadProblem as problem:
            raise forms.ValidationError(f"文件：{problem}") from None
