"""The recording upload page: the file goes up by tus, the metadata by this form's POST."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from casetrail import access, clock
from casetrail.cases import selectors
from casetrail.cases.actions import REFUSALS
from casetrail.cases.actions.evidence import do_register_recording
from casetrail.cases.models import Case
from casetrail.evidence.errors import RefusedFile, format_size
from casetrail.procedure.citations import cite
from casetrail.procedure.rules.evidence import METADATA_RULE, classified_problem, storage_due
from casetrail.web.uploads.forms import RecordingForm

# Bytes per PATCH: the browser sends each chunk with its SHA-256 (tus checksum extension), so a
# corrupted chunk is refused and sent again, and a crash loses at most one chunk. Behind a proxy
# that caps request bodies, keep it below the cap.
CHUNK_BYTES = 4 * 1024 * 1024
FIELD_ALIASES: dict[str, str | None] = {
    "case": None,
    "file": "upload",
    "文件": "upload",
    "文件名": "upload",
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def recording_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.case_for_act(request.user, case_id, "handle")
    form = RecordingForm(request.POST or None, case=case, user=_user(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recording = do_register_recording(
                acting_user=_user(request),
                case=case,
                source=data["upload"],
                kind=data["kind"],
                method=data["method"],
                recorded_start_at=data["recorded_start_at"],
                recorded_end_at=data["recorded_end_at"],
                maker=data["maker"],
                proves=data["proves"],
                device_id=data["device_id"],
                place=data["place"],
                belongs_to=data["belongs_to"],
                transcript=data["transcript"],
                late_reason=data["late_reason"],
            )
        except (*REFUSALS, RefusedFile) as refusal:
            field = FIELD_ALIASES.get(refusal.field, refusal.field)
            form.add_error(field if field in form.fields else None, str(refusal))
        else:
            messages.success(request, f"音像记录已登记：{recording.filename}")
            return redirect("case-detail", case_id=case.pk)
    return render(request, "evidence/recording_new.html", _context(case, form))


def _context(case: Case, form: RecordingForm) -> dict[str, object]:
    profile = case.agency.profile
    classified = classified_problem(case.confidentiality, profile=profile)
    period = profile.av_storage
    return {
        "case": case,
        "form": form,
        "classified": str(classified) if classified else "",
        "endpoint": reverse("tus-collection"),
        "chunk_bytes": CHUNK_BYTES,
        "max_size": format_size(settings.CASETRAIL_MAX_UPLOAD_BYTES),
        "storage_period": period.label,
        "metadata_article": cite(profile, METADATA_RULE),
        "late_before": earliest_on_time(case).isoformat(),
    }


def earliest_on_time(case: Case) -> date:
    """The first recording day still storable in time today; earlier ones need a late reason."""
    calendar, period = selectors.working_calendar(), case.agency.profile.av_storage
    today = clock.today()
    day = today
    while storage_due(day - timedelta(days=1), period, calendar).due_on >= today:
        day -= timedelta(days=1)
    return day
