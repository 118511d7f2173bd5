"""The officers' pages of an agency (issue 17, items 2 and 3), for its system administrators:
the list with each certificate's state, registering, editing, revoking, deactivating, and the
import from XLSX or CSV (a preview first; the file is kept in the session until confirmed).
Each change is one act (`cases/actions/officers.py`, `actions/officer_import.py`)."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casetrail import clock
from casetrail.access.officers import agency_for_administration, officer_of_agency
from casetrail.cases.actions.activation import ACTIVATION_DAYS, do_issue_activation_code
from casetrail.cases.actions.officer_import import do_import_officers
from casetrail.cases.actions.officers import (
    do_change_officer,
    do_deactivate_officer,
    do_enrol_officer,
    do_revoke_certificate,
)
from casetrail.cases.actions.setup import do_grant_role
from casetrail.cases.models import Agency, CaseHandler, Officer
from casetrail.cases.officer_checks import ROLE_LABELS
from casetrail.cases.officer_import import (
    HEADERS,
    ImportPlan,
    ImportUnreadable,
    template_xlsx,
)
from casetrail.cases.officer_list import expiring_soon, officer_rows
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.certificates import (
    EXPIRY_WARNING_DAYS,
    STATE_LABELS,
    certificate_state,
)
from casetrail.web.forms_officers import (
    CertificateForm,
    GrantRoleForm,
    ImportForm,
    RegisterOfficerForm,
    RevokeForm,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def officer_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = agency_for_administration(request.user, agency_id)
    rows = officer_rows([agency], clock.today())
    context = {
        "agency": agency,
        "rows": rows,
        "warnings": expiring_soon(rows),
        "warning_days": EXPIRY_WARNING_DAYS,
    }
    return render(request, "web/officers.html", context)


@login_required
def officer_new(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = agency_for_administration(request.user, agency_id)
    form = RegisterOfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = do_enrol_officer(
                acting_user=_user(request), agency=agency, data=form.officer_input()
            )
        except RuleViolation as refused:
            form.add_error(None, str(refused))
        else:
            officer = enrolment.officer
            codes = {officer.user.username: enrolment.activation_code}
            return _codes_page(request, agency, f"已登记 {officer.name}", codes)
    return render(request, "web/officer_form.html", {"agency": agency, "form": form})


@login_required
def officer_detail(request: HttpRequest, agency_id: int, officer_id: int) -> HttpResponse:
    agency = agency_for_administration(request.user, agency_id)
    officer = officer_of_agency(agency, officer_id)
    roles = tuple(officer.memberships.filter(agency=agency).values_list("role", flat=True))
    edit = CertificateForm(initial=CertificateForm.initial_of(officer), roles=roles)
    revoke = RevokeForm()
    grant = GrantRoleForm(held=roles)
    if request.method == "POST" and request.POST.get("act") == "grant":
        grant = GrantRoleForm(request.POST, held=roles)
        if grant.is_valid():
            role = grant.cleaned_data["role"]
            do_grant_role(acting_user=_user(request), officer=officer, agency=agency, role=role)
            messages.success(request, f"已授予 {officer.name} 角色：{ROLE_LABELS[role]}")
            return redirect("officer-detail", agency_id=agency.pk, officer_id=officer.pk)
    elif request.method == "POST" and request.POST.get("act") == "change":
        edit = CertificateForm(request.POST, roles=roles)
        if edit.is_valid():
            try:
                do_change_officer(
                    acting_user=_user(request),
                    agency=agency,
                    officer=officer,
                    data=edit.officer_input(officer.user.username),
                )
            except RuleViolation as refused:
                edit.add_error(None, str(refused))
            else:
                messages.success(request, f"{officer.name} 的证件信息已更新并记入账本")
                return redirect("officer-detail", agency_id=agency.pk, officer_id=officer.pk)
    elif request.method == "POST" and request.POST.get("act") == "revoke":
        revoke = RevokeForm(request.POST)
        if revoke.is_valid():
            try:
                do_revoke_certificate(
                    acting_user=_user(request),
                    agency=agency,
                    officer=officer,
                    revoked_on=revoke.cleaned_data["revoked_on"],
                    reason=revoke.cleaned_data["reason"],
                )
            except RuleViolation as refused:
                revoke.add_error(None, str(refused))
            else:
                messages.success(request, f"{officer.name} 的执法证件已吊销，记入账本")
                return redirect("officer-detail", agency_id=agency.pk, officer_id=officer.pk)
    handled = (
        CaseHandler.objects.filter(officer=officer, case__agency=agency)
        .select_related("case")
        .order_by("-case__opened_at")
    )
    context = {
        "agency": agency,
        "officer": officer,
        "role_names": "、".join(ROLE_LABELS.get(r, r) for r in roles),
        "state": STATE_LABELS[certificate_state(officer.certificate, clock.today())],
        "edit": edit,
        "revoke": revoke,
        "grant": grant,
        "handled": handled,
    }
    return render(request, "web/officer_detail.html", context)


@login_required
@require_POST
def officer_deactivate(request: HttpRequest, agency_id: int, officer_id: int) -> HttpResponse:
    agency = agency_for_administration(request.user, agency_id)
    officer = officer_of_agency(agency, officer_id)
    try:
        do_deactivate_officer(acting_user=_user(request), agency=agency, officer=officer)
    except RuleViolation as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{officer.name} 已停用：不能再登录，也不能指派为承办人")
    return redirect("officer-detail", agency_id=agency.pk, officer_id=officer.pk)


def _session_key(agency: Agency) -> str:
    return f"officer-import-{agency.pk}"


@login_required
def officer_import(request: HttpRequest, agency_id: int) -> HttpResponse:
    """POST with a file: a dry run, shown as what would change; the file waits in the session.
    POST `confirm` with its digest: the same file imported."""
    agency = agency_for_administration(request.user, agency_id)
    form = ImportForm()
    plan: ImportPlan | None = None
    digest = ""
    unreadable = ""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, agency)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", "人员名单文件：不能超过 2 MB")
            else:
                content = upload.read()
                try:
                    plan = do_import_officers(
                        acting_user=_user(request),
                        agency=agency,
                        filename=upload.name,
                        content=content,
                        dry_run=True,
                    )
                except ImportUnreadable as error:
                    unreadable = f"人员名单文件：{error}"
                    form.add_error("file", unreadable)
                else:
                    digest = hashlib.sha256(content).hexdigest()
                    request.session[_session_key(agency)] = {
                        "name": upload.name,
                        "sha256": digest,
                        "content": base64.b64encode(content).decode("ascii"),
                    }
    context = {"agency": agency, "form": form, "plan": plan, "digest": digest, "headers": HEADERS}
    return render(request, "web/officer_import.html", context)


def _confirm(request: HttpRequest, agency: Agency) -> HttpResponse:
    kept = request.session.get(_session_key(agency))
    if not kept or kept.get("sha256") != request.POST.get("confirm"):
        messages.error(request, "人员名单文件：预览已失效，请重新选择文件预览后再导入")
        return redirect("officer-import", agency_id=agency.pk)
    content = base64.b64decode(kept["content"])
    try:
        plan = do_import_officers(
            acting_user=_user(request),
            agency=agency,
            filename=kept["name"],
            content=content,
            dry_run=False,
        )
    except ImportUnreadable as error:
        messages.error(request, f"人员名单文件：{error}")
        return redirect("officer-import", agency_id=agency.pk)
    del request.session[_session_key(agency)]
    if not plan.ok:  # the database changed since the preview
        context = {"agency": agency, "form": ImportForm(), "plan": plan, "headers": HEADERS}
        return render(request, "web/officer_import.html", context)
    title = f"{kept['name']}：{plan.summary()}，已导入并记入账本"
    return _codes_page(request, agency, title, plan.activation_codes)


def _codes_page(
    request: HttpRequest, agency: Agency, title: str, codes: dict[str, str]
) -> HttpResponse:
    """The new accounts' activation codes, shown this once (only their hashes are kept)."""
    names = dict(
        Officer.objects.filter(user__username__in=codes).values_list("user__username", "name")
    )
    context = {
        "agency": agency,
        "title": title,
        "codes": [(username, names.get(username, ""), code) for username, code in codes.items()],
        "days": ACTIVATION_DAYS,
    }
    return render(request, "web/officer_codes.html", context)


@login_required
@require_POST
def officer_new_code(request: HttpRequest, agency_id: int, officer_id: int) -> HttpResponse:
    """A new activation code (the person lost theirs, or it expired); earlier ones lapse."""
    agency = agency_for_administration(request.user, agency_id)
    officer = officer_of_agency(agency, officer_id)
    if officer.deactivated_on is not None:
        raise PermissionDenied("该人员已停用，不能签发激活码")
    code = do_issue_activation_code(acting_user=_user(request), user=officer.user)
    title = f"已为 {officer.name} 签发新的激活码"
    return _codes_page(request, agency, title, {officer.user.username: code})


@login_required
def officer_template(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency_for_administration(request.user, agency_id)
    response = HttpResponse(template_xlsx(clock.today()), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''officers-template.xlsx"
    return response
