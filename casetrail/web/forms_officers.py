"""Forms of the officers' pages. They shape input; the rules are `officer_checks`, asked again
by the acts."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail import clock
from casetrail.cases.models import Officer
from casetrail.cases.officer_checks import (
    FIELD_CODES,
    ROLE_NAMES,
    FieldProblem,
    OfficerInput,
    officer_problems,
)
from casetrail.web.form_errors import NamedErrorsMixin

ROLE_CHOICES = [(code, name) for name, code in ROLE_NAMES.items()]


def _date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class CertificateForm(NamedErrorsMixin, forms.Form):
    """Name and certificate data (the registration form adds the login and the roles)."""

    name = forms.CharField(label="姓名", max_length=50)
    certificate_number = forms.CharField(label="执法证号", max_length=50, required=False)
    certificate_issuer = forms.CharField(label="发证机关", max_length=100, required=False)
    valid_from = _date("证件有效期起")
    valid_to = _date("证件有效期止")
    legal_review_certificate_number = forms.CharField(
        label="法制审核资格证号（法律职业资格证书编号）", max_length=50, required=False
    )

    def __init__(self, *args: Any, roles: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held_roles = roles
        self.name_errors()

    def officer_input(self, username: str = "") -> OfficerInput:
        data = self.cleaned_data
        return OfficerInput(
            name=data["name"],
            username=data.get("username", username),
            certificate_number=data["certificate_number"],
            certificate_issuer=data["certificate_issuer"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            roles=tuple(data.get("roles", self.held_roles)),
            legal_review_certificate_number=data["legal_review_certificate_number"],
        )

    def add_problems(self, problems: list[FieldProblem]) -> None:
        for problem in problems:
            name = FIELD_CODES.get(problem.field, "")
            self.add_error(name if name in self.fields else None, str(problem))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            username = str(data.get("username", "placeholder"))
            self.add_problems(officer_problems(self.officer_input(username), today=clock.today()))
        return data

    @classmethod
    def initial_of(cls, officer: Officer) -> dict[str, object]:
        return {
            "name": officer.name,
            "certificate_number": officer.certificate_number,
            "certificate_issuer": officer.certificate_issuer,
            "valid_from": officer.certificate_valid_from,
            "valid_to": officer.certificate_valid_to,
            "legal_review_certificate_number": officer.legal_review_certificate_number,
        }


class RegisterOfficerForm(CertificateForm):
    username = forms.CharField(label="登录名", max_length=150)
    roles = forms.MultipleChoiceField(
        label="角色", choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    field_order = [
        "name",
        "username",
        "roles",
        "certificate_number",
        "certificate_issuer",
        "valid_from",
        "valid_to",
        "legal_review_certificate_number",
    ]


class RevokeForm(NamedErrorsMixin, forms.Form):
    revoked_on = _date("吊销日期", required=True)
    reason = forms.CharField(label="吊销原因", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"revoked_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.name_errors()


class GrantRoleForm(NamedErrorsMixin, forms.Form):
    role = forms.ChoiceField(label="授予角色", choices=ROLE_CHOICES)

    def __init__(self, *args: Any, held: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, name) for code, name in ROLE_CHOICES if code not in held]
        self.name_errors()


class ImportForm(NamedErrorsMixin, forms.Form):
    file = forms.FileField(label="人员名单文件（XLSX 或 CSV）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_errors()
