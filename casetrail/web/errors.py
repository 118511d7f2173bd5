"""Error pages in zh-Hans, each with a way back (400, 403, 404, 500 and the CSRF refusal).

Django's own handlers render these templates too, but they show English messages (`No Agency
matches the given query.`) and say nothing of a form whose data was too large; these say in
Chinese what happened and what the person can do now.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

TITLES = {
    400: "请求无法处理",
    403: "没有权限",
    404: "页面不存在",
    500: "系统内部错误",
}
EXPLANATIONS = {
    400: "提交的内容不完整或格式不正确，系统没有处理。",
    403: "您没有执行此操作的权限。如需办理，请联系本机关的负责人或系统管理员。",
    404: "您访问的页面不存在，或您无权查看（案件仅对其承办人和本机关有关岗位可见）。",
    500: "系统处理时出错，您的操作没有生效。请稍后重试；如仍出错，请联系系统管理员。",
}
CSRF_EXPLANATION = (
    "页面已过期或会话已结束（安全校验未通过），提交的内容没有保存。"
    "请返回上一页，刷新后重新提交；如已退出登录，请重新登录。"
)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return (
        f"提交的内容超过了 {limit} MB 的上限，系统没有处理。请用浏览器的“返回”回到表单"
        "（已填写的内容通常仍在），缩短过长的文字后再提交；音像记录和大文件请在“上传音像记录”"
        "页面上传。"
    )


def back_link(request: HttpRequest) -> str:
    """Where "返回" leads: the page the person came from, if it is ours; else the case list."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def error_page(
    request: HttpRequest, status: int, message: str = "", *, title: str = ""
) -> HttpResponse:
    context = {
        "status": status,
        "title": title or TITLES[status],
        "explanation": message or EXPLANATIONS[status],
        "back": back_link(request),
    }
    body = loader.render_to_string("web/error.html", context, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return error_page(request, 400, too_big_message(), title="提交的内容过大")
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    said = str(exception or "")
    return error_page(request, 403, said if _has_chinese(said) else "")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    said = str(exception or "")
    return error_page(request, 404, said if _has_chinese(said) else "")


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in what a context processor reads.
    context = {
        "status": 500,
        "title": TITLES[500],
        "explanation": EXPLANATIONS[500],
        "back": "/",
    }
    return HttpResponse(loader.render_to_string("web/error.html", context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, CSRF_EXPLANATION, title="页面已过期")
