"""Opening evidence (issue #16 item 8): a recording's page shows the image or plays the audio
or video in the browser; its file is served with HTTP range requests, streamed from the blob
store, so a 2 GB video starts at once and seeks.

Who may see the case may see its recordings (`access.case_for_view`: 404 otherwise). Both the
page and every answer of the file are reads of the case, ledgered for a confidential case by
`casetrail.web.reads` (the file as `file.read`, with the bytes' range).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from casetrail import access
from casetrail.evidence.models import Recording
from casetrail.evidence.storage import ranged_file_response

# What a browser shows or plays itself; any other stored type is offered as a download only.
PLAYERS = {"image": "image", "audio": "audio", "video": "video"}


def player_of(media_type: str) -> str:
    """ "image", "audio", "video" or "" (download only), by the stored file's media type."""
    return PLAYERS.get(media_type.partition("/")[0], "")


def _recording(request: HttpRequest, case_id: int, recording_id: int) -> Recording:
    case = access.case_for_view(request.user, case_id)
    return get_object_or_404(
        Recording.objects.select_related("blob", "case"), pk=recording_id, case=case
    )


@login_required
@require_safe
def recording_detail(request: HttpRequest, case_id: int, recording_id: int) -> HttpResponse:
    recording = _recording(request, case_id, recording_id)
    context = {
        "case": recording.case,
        "recording": recording,
        "player": player_of(recording.blob.media_type),
    }
    return render(request, "web/recording_detail.html", context)


@login_required
@require_safe
def recording_file(
    request: HttpRequest, case_id: int, recording_id: int
) -> HttpResponse | StreamingHttpResponse:
    recording = _recording(request, case_id, recording_id)
    blob = recording.blob
    inline = bool(player_of(blob.media_type)) and "download" not in request.GET
    response = ranged_file_response(request, blob.sha256, blob.media_type, blob.size)
    if response.status_code in (200, 206):
        disposition = content_disposition_header(not inline, recording.filename)
        response["Content-Disposition"] = disposition or "attachment"
        response["Cache-Control"] = "private, no-store"
    return response
