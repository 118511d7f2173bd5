"""The agencies' pages (issue 17, items 1 and 6): the list and the creation of an agency, for the
deployment's administrators, and an agency's audit page (its administrative acts) for its
administrators, heads and the supervisors above it. Each change is one act
(`cases/actions/setup.py`)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from casetrail.access.agencies import agency_for_audit, require_deployment_admin
from casetrail.cases.actions.setup import do_change_agency, do_create_agency
from casetrail.cases.agency_audit import PAGE_SIZE, audit_entries, audit_page
from casetrail.cases.agency_checks import agency_problems
from casetrail.cases.agency_list import agency_rows
from casetrail.cases.models import Agency
from casetrail.policy.locate import error_line
from casetrail.policy.preview import profile_preview
from casetrail.policy.profiles import ProfileError, builtin_profile_text, parse_profile
from casetrail.procedure.errors import RuleViolation
from casetrail.web.forms_agencies import (
    MAX_PROFILE_BYTES,
    UPLOAD,
    AgencyChangeForm,
    AgencyForm,
    AuditFilterForm,
)

SESSION_PROFILE = "agency-new-profile"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    require_deployment_admin(request.user)
    return render(request, "web/agencies.html", {"rows": agency_rows()})


@login_required
def agency_new(request: HttpRequest) -> HttpResponse:
    """POST: everything checked and the profile's key settings shown (nothing written); POST
    `confirm` with the profile's digest: the agency created. An uploaded file waits in the
    session between the two."""
    require_deployment_admin(request.user)
    form = AgencyForm(request.POST or None, request.FILES or None)
    preview: list[tuple[str, str]] = []
    digest = ""
    if request.method == "POST" and form.is_valid():
        profile = _profile_text(request, form)
        _, problems = agency_problems(form.agency_input(), existing=None)
        form.add_problems(problems)
        if profile is not None:
            text, source = profile
            try:
                preview = profile_preview(parse_profile(text, source=source))
            except ProfileError as error:
                form.add_error(_profile_field(form), _profile_message(text, error))
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if form.is_valid() and profile is not None:
            if request.POST.get("confirm") == digest:
                return _create(request, form, profile)
            if form.cleaned_data["profile"] == UPLOAD:
                request.session[SESSION_PROFILE] = {"text": profile[0], "source": profile[1]}
        else:
            preview, digest = [], ""
    context = {"form": form, "preview": preview, "digest": digest}
    return render(request, "web/agency_form.html", context)


def _create(request: HttpRequest, form: AgencyForm, profile: tuple[str, str]) -> HttpResponse:
    text, source = profile
    uploaded = form.cleaned_data["profile"] == UPLOAD
    data = form.agency_input()
    try:
        agency = do_create_agency(
            acting_user=_user(request),
            name=data.name,
            short_name=data.short_name,
            code=data.code,
            uscc=data.uscc,
            address=data.address,
            parent=data.parent,
            profile_key="" if uploaded else source,
            profile_text=text if uploaded else None,
            profile_file=source,
        )
    except RuleViolation as refused:  # another administrator took a name meanwhile
        form.add_error(None, str(refused))
        return render(request, "web/agency_form.html", {"form": form})
    request.session.pop(SESSION_PROFILE, None)
    messages.success(request, f"已创建 {agency.name}（{agency.code}），记入其账本")
    return redirect("agency-list")


def _profile_text(request: HttpRequest, form: AgencyForm) -> tuple[str, str] | None:
    """(TOML text, source) of the profile chosen: a built-in one, the file uploaded now, or the
    file kept since the preview; None (with the error on the form) if there is none."""
    choice = form.cleaned_data["profile"]
    if choice != UPLOAD:
        return builtin_profile_text(choice), choice
    upload = form.cleaned_data.get("profile_file")
    if upload is None:
        kept = request.session.get(SESSION_PROFILE)
        if kept and request.POST.get("confirm"):
            return str(kept["text"]), str(kept["source"])
        form.add_error("profile_file", "制度配置文件：选择“上传 TOML 文件”时必须选择文件")
        return None
    if upload.size > MAX_PROFILE_BYTES:
        form.add_error("profile_file", "制度配置文件：不能超过 512 KB")
        return None
    try:
        return upload.read().decode("utf-8"), upload.name
    except UnicodeDecodeError:
        form.add_error("profile_file", "制度配置文件：不是 UTF-8 编码的文本文件")
        return None


def _profile_field(form: AgencyForm) -> str:
    return "profile_file" if form.cleaned_data["profile"] == UPLOAD else "profile"


def _profile_message(text: str, error: ProfileError) -> str:
    line = error_line(text, error)
    where = f"（第 {line} 行）" if line else ""
    return f"制度配置文件：{error.source} 的 {error.key}{where}：{error.reason}"


@login_required
def agency_edit(request: HttpRequest, agency_id: int) -> HttpResponse:
    """Change an agency's name, 简称, 统一社会信用代码, address or parent (one act, which keeps
    the previous values)."""
    require_deployment_admin(request.user)
    agency = get_object_or_404(Agency, pk=agency_id)
    initial = AgencyChangeForm.initial_of(agency)
    form = AgencyChangeForm(request.POST or None, initial=initial, agency=agency)
    if request.method == "POST" and form.is_valid():
        form.add_problems(agency_problems(form.agency_input(), existing=agency)[1])
    if request.method == "POST" and form.is_valid():
        try:
            do_change_agency(acting_user=_user(request), agency=agency, data=form.agency_input())
        except RuleViolation as refused:  # another administrator changed the hierarchy
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{form.cleaned_data['name']} 的信息已更新并记入账本")
            return redirect("agency-list")
    return render(request, "web/agency_edit.html", {"agency": agency, "form": form})


@login_required
def agency_audit(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = agency_for_audit(request.user, agency_id)
    form = AuditFilterForm(request.GET)
    form.is_valid()
    kind = form.cleaned_data.get("kind") or ""
    since, until = form.cleaned_data.get("since"), form.cleaned_data.get("until")
    entries = audit_entries(agency, kind=kind, since=since, until=until)
    page = audit_page(
        entries, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after"))
    )
    filters = {name: str(request.GET.get(name, "")) for name in form.fields}
    filters = {name: value for name, value in filters.items() if value}
    context = {
        "agency": agency,
        "form": form,
        "page": page,
        "page_size": PAGE_SIZE,
        "newer_url": _url(filters, after=page.newer) if page.newer else "",
        "older_url": _url(filters, before=page.older) if page.older else "",
        "first_url": _url(filters) if page.newer else "",
    }
    return render(request, "web/agency_audit.html", context)


def _cursor(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 19 else 0


def _url(filters: dict[str, str], **cursor: int) -> str:
    return "?" + urlencode({**filters, **cursor})
