"""The login page's answer to a locked-out user name and address (django-axes' lockout hook)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_message() -> str:
    return (
        f"登录失败次数过多：该用户名在本地址连续 {settings.CASETRAIL_LOGIN_FAILURE_LIMIT} 次"
        f"密码错误，已被锁定 {settings.CASETRAIL_LOGIN_COOLOFF_MINUTES} 分钟。"
        "请在锁定期满后再试；锁定期内的每次尝试都会重新计时。忘记密码请联系系统管理员。"
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page again, with the lockout message, as 429 Too Many Requests."""
    context = {"locked_out": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "web/login.html", context, status=429)
