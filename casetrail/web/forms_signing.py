"""Forms around a document: a person's signature (paper scan or on screen), a refusal to sign,
and the approval steps and case gates (service: `forms_service.py`). They shape input; the
actions decide."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms

from casetrail.cases.models import Case, Officer, Role
from casetrail.evidence.models import Recording
from casetrail.web.document_page import SignerRow
from casetrail.web.forms_documents import ShanghaiDateTimeField, officer_label

PNG_DATA_URL = "data:image/png;base64,"


class PersonSignatureForm(forms.Form):
    """Who signs for the person and how they relate to them; the image comes with a subclass."""

    name = forms.CharField(max_length=100, label="签名人姓名")
    relationship = forms.CharField(
        max_length=50, required=False, label="与当事人关系（代签时填写，如法定代表人）"
    )


class PaperSignatureForm(PersonSignatureForm):
    scan = forms.FileField(label="签字页扫描件（PDF、PNG 或 JPEG）")

    def image(self) -> tuple[bytes, str]:
        upload = self.cleaned_data["scan"]
        return upload.read(), upload.name or "scan"


class ScreenSignatureForm(PersonSignatureForm):
    """The signature pad's drawing, sent as a PNG data URL (static casetrail/signature-pad.js)."""

    image_data = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_image_data(self) -> bytes:
        value: str = self.cleaned_data.get("image_data") or ""
        if not value.startswith(PNG_DATA_URL):
            raise forms.ValidationError("屏幕签名：请先在签名框内签名")
        try:
            return base64.b64decode(value[len(PNG_DATA_URL) :], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError("屏幕签名：图像数据无法解码，请清除后重签") from None

    def image(self) -> tuple[bytes, str]:
        data: bytes = self.cleaned_data["image_data"]
        return data, "screen-signature.png"


class OfficerField(forms.ModelChoiceField[Officer]):
    def label_from_instance(self, obj: Officer) -> str:
        return officer_label(obj)


class RefusalForm(forms.Form):
    """Seed A art. 9 第2款: the refusal with its reason, time and a witness."""

    person_name = forms.CharField(max_length=100, required=False, label="拒签人")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="拒签理由或情况"
    )
    refused_at = ShanghaiDateTimeField(label="拒签时间")
    witness_name = forms.CharField(max_length=100, required=False, label="见证人姓名")
    witness_officer = OfficerField(
        queryset=Officer.objects.none(), required=False, label="或：见证的执法人员"
    )
    recording = forms.ModelChoiceField(
        queryset=Recording.objects.none(), required=False, label="音像记录（可选）"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        witness = self.fields["witness_officer"]
        assert isinstance(witness, OfficerField)
        witness.queryset = (
            Officer.objects.filter(
                memberships__agency=case.agency,
                memberships__role__in=[Role.OFFICER, Role.REVIEWER, Role.HEAD],
            )
            .distinct()
            .order_by("name")
        )
        recording = self.fields["recording"]
        assert isinstance(recording, forms.ModelChoiceField)
        recording.queryset = Recording.objects.filter(case=case).order_by("recorded_start_at")


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="意见和理由"
    )


class ApprovalStepForm(OpinionForm):
    """A reviewer's or approver's step in the inbox; the chain is named by hidden fields."""

    case = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(widget=forms.HiddenInput)
    document = forms.IntegerField(widget=forms.HiddenInput, required=False)
    step = forms.ChoiceField(
        choices=[("reviewer", "审核人"), ("approver", "批准人")], widget=forms.HiddenInput
    )
    decision = forms.ChoiceField(
        choices=[("approve", "同意"), ("reject", "不同意")],
        widget=forms.RadioSelect,
        initial="approve",
        label="审批",
    )


class GatesForm(forms.Form):
    """行政处罚法 第57条 第2款、第58条: flags a case for collective deliberation or legal review."""

    major = forms.BooleanField(required=False, label="重大案件（须集体讨论、法制审核）")
    complex_case = forms.BooleanField(required=False, label="情节复杂（须集体讨论）")
    legal_review_required = forms.BooleanField(required=False, label="须经法制审核（第五十八条）")
    reason = forms.CharField(max_length=500, required=False, label="理由")


class PersonPanel:
    """The forms by which a person signer signs (paper or screen) or refuses."""

    def __init__(self, row: SignerRow, case: Case, name: str, bound: dict[str, forms.Form]) -> None:
        self.row = row
        initial = {"name": name}
        self.paper = bound.get("paper") or PaperSignatureForm(
            prefix=f"{row.signer}-paper", initial=initial
        )
        self.screen = bound.get("screen") or ScreenSignatureForm(
            prefix=f"{row.signer}-screen", initial=initial
        )
        self.refusal = bound.get("refusal") or RefusalForm(
            prefix=f"{row.signer}-refusal", case=case, initial={"person_name": name}
        )
        self.open = bool(bound)
