"""The activation page (/activate/): a new person sets their first password with the one-time
code their administrator gave them (`do_activate_account`). Open to anyone not logged in: the
code is the credential, and a wrong one says nothing about which part was wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casetrail.cases.actions.activation import do_activate_account
from casetrail.procedure.errors import RuleViolation
from casetrail.web.form_errors import NamedErrorsMixin


class ActivationForm(NamedErrorsMixin, forms.Form):
    username = forms.CharField(label="登录名", max_length=150)
    code = forms.CharField(label="激活码", max_length=40, help_text="形如 ABCD-EFGH-JKMN-PQRS")
    password = forms.CharField(label="新密码", widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_errors()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "再次输入新密码：两次输入的密码不一致")
        return data


def activate(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_activate_account(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except RuleViolation as refused:
            field = refused.field if refused.field in form.fields else None
            form.add_error(field, refused.message)
        else:
            messages.success(request, f"账号 {user.username} 已激活，请用新密码登录。")
            return redirect("login")
    return render(request, "web/activate.html", {"form": form})
