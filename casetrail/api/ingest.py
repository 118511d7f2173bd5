"""The ingest-station API (采集站): body cameras' docking stations push files with their metadata.

Authentication: ``Authorization: Bearer <token>`` only (tokens from `casetrail issue_ingest_token`;
only their SHA-256 is kept). A session cookie is never looked at, which is why the views are
CSRF-exempt: there is no cookie-authenticated way in to forge.

``POST /api/ingest/recordings`` — one file and its metadata, in either form:

- **raw body (preferred: one streaming pass, nothing buffered)**:
  ``Content-Type: application/octet-stream`` with a ``Content-Length``; the metadata in the query
  string (percent-encoded UTF-8; ``filename`` is required);
- **multipart/form-data**: the file in the field ``file``, the metadata as form fields (use this
  for long transcripts). Django spools a large file to a temporary file first.

Metadata: ``case_number``, ``kind`` (photo/audio/video/surveillance), ``method``,
``recorded_start_at`` and ``recorded_end_at`` (ISO 8601 with an offset), ``maker`` (the
officer's certificate number or username), ``proves``, ``device_id``, ``place``, ``belongs_to``,
``transcript`` (required for audio), ``late_reason`` (required when stored late).

Answers: 201 with the new recording; 200 with the existing one when the same file is re-sent
for the same case and start time; errors as ``{"error": …, "field": …}`` with 400 (bad metadata
or refused file, naming the field and the rule), 401 (no, wrong or revoked token), 403, 404
(no such case in the station's agency), 409 (the file is registered with another start time),
413 (too large), 415 (other content types), 503 (the store failed).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from casetrail import clock
from casetrail.cases.actions.evidence import (
    AlreadyRegistered,
    RecordingDetails,
    check_recording,
    do_register_recording,
)
from casetrail.cases.evidence_selectors import active_ingest_token
from casetrail.cases.models import Case, Officer, Role
from casetrail.digits import NotAWholeNumber, whole_number
from casetrail.evidence.errors import RefusedFile, StoreError, TooLarge
from casetrail.evidence.ingest import ingest_stream
from casetrail.evidence.models import IngestToken, Recording
from casetrail.evidence.storage import primary_store
from casetrail.procedure.errors import RuleViolation

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

logger = logging.getLogger(__name__)
_BEARER = re.compile(r"Bearer\s+(\S+)\s*", re.IGNORECASE)
_LOST_PLUS = re.compile(r"(.*\d) (\d{2}:?\d{2})")  # "+08:00" sent unencoded arrives as " 08:00"
_REFUSED_FIELDS = {"文件": "file", "文件名": "filename"}
_MULTIPART_SLACK = 1024 * 1024  # headers and metadata fields around the file
_EXAMPLE_TIME = "2026-10-01T08:00:00+08:00"
_TEXT_FIELDS = ("device_id", "place", "belongs_to", "transcript", "late_reason")


class ApiError(Exception):
    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


def _json(document: Mapping[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(document, status=status, json_dumps_params={"ensure_ascii": False})


def _error(status: int, field: str, message: str) -> JsonResponse:
    response = _json({"error": message, "field": field}, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="casetrail-ingest"'
    return response


def _authenticate(request: HttpRequest) -> IngestToken:
    match = _BEARER.fullmatch(request.headers.get("Authorization", ""))
    token = active_ingest_token(match.group(1)) if match else None
    if token is None:
        message = "Authorization：缺少采集站令牌，或令牌错误、已撤销（应为 Bearer <令牌>）"
        raise ApiError(401, "Authorization", message)
    return token


class _Reader(io.RawIOBase):
    """A raw stream over any ``read(n)``: the request body, or an uploaded file."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self._read(len(target))
            target[: len(data)] = data
            return len(data)


def _content_length(request: HttpRequest) -> int:
    try:
        return whole_number(str(request.META.get("CONTENT_LENGTH") or "0"), "Content-Length")
    except NotAWholeNumber as problem:
        raise ApiError(400, "Content-Length", str(problem)) from None


def _body(request: HttpRequest) -> tuple[QueryDict, BinaryIO, str]:
    """The metadata, the file's bytes and its name, from either accepted form."""
    max_size = settings.CASETRAIL_MAX_UPLOAD_BYTES
    if _content_length(request) > max_size + _MULTIPART_SLACK:
        raise ApiError(413, "file", str(TooLarge(max_size)))
    if request.content_type == "application/octet-stream":
        meta = request.GET
        return meta, io.BufferedReader(_Reader(request.read)), meta.get("filename", "")
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ApiError(400, "file", "file：缺少文件（multipart 字段名应为 file）")
        name = request.POST.get("filename") or upload.name or ""
        return request.POST, io.BufferedReader(_Reader(upload.read)), name
    message = (
        "Content-Type：应为 application/octet-stream（元数据在查询参数中）或 multipart/form-data"
    )
    raise ApiError(415, "Content-Type", message)


def _text(meta: QueryDict, name: str) -> str:
    return (meta.get(name) or "").strip()


def _moment(meta: QueryDict, name: str, label: str) -> datetime | None:
    """An aware time from ISO 8601, or None if the field is blank."""
    raw = _text(meta, name)
    if not raw:
        return None
    for candidate in (raw, _LOST_PLUS.sub(r"\1+\2", raw)):
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if moment.tzinfo is not None:
            return moment
    message = f"{label}：“{raw}”不是带时区的 ISO 8601 时间，应如 {_EXAMPLE_TIME}"
    raise ApiError(400, name, message)


def _case(token: IngestToken, meta: QueryDict) -> Case:
    number = _text(meta, "case_number")
    if not number:
        raise ApiError(400, "case_number", "case_number：案号必须填写")
    case = (
        Case.objects.filter(agency=token.agency, case_number=number)
        .select_related("agency")
        .first()
    )
    if case is None:
        raise ApiError(
            404, "case_number", f"case_number：{token.agency.name}没有案号为“{number}”的案件"
        )
    return case


def _maker(token: IngestToken, meta: QueryDict) -> Officer:
    key = _text(meta, "maker")
    if not key:
        raise ApiError(400, "maker", "maker：制作人必须填写（执法证件编号或用户名）")
    officers = Officer.objects.filter(
        Q(certificate_number=key) | Q(user__username=key),
        memberships__agency=token.agency,
        memberships__role=Role.OFFICER,
    ).distinct()
    found = list(officers[:2])
    if len(found) != 1:
        why = "没有" if not found else "有不止一名"
        message = f"maker：{token.agency.name}{why}执法证件编号或用户名为“{key}”的执法人员"
        raise ApiError(400, "maker", message)
    return found[0]


def _details(token: IngestToken, meta: QueryDict) -> RecordingDetails:
    start = _moment(meta, "recorded_start_at", "录制开始时间")
    if start is None:
        message = f"录制开始时间：必须填写（ISO 8601，带时区，如 {_EXAMPLE_TIME}）"
        raise ApiError(400, "recorded_start_at", message)
    texts = {name: _text(meta, name) for name in _TEXT_FIELDS}
    return RecordingDetails(
        kind=_text(meta, "kind"),
        method=_text(meta, "method"),
        recorded_start_at=start,
        recorded_end_at=_moment(meta, "recorded_end_at", "录制结束时间"),
        maker=_maker(token, meta),
        proves=_text(meta, "proves"),
        **texts,
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def recording_json(recording: Recording) -> dict[str, Any]:
    blob = recording.blob
    return {
        "id": recording.pk,
        "case_number": recording.label_case_number,
        "kind": recording.kind,
        "filename": recording.filename,
        "sha256": blob.sha256,
        "sm3": blob.sm3,
        "size": blob.size,
        "media_type": blob.media_type,
        "recorded_start_at": _local(recording.recorded_start_at),
        "recorded_end_at": _local(recording.recorded_end_at) if recording.recorded_end_at else None,
        "stored_at": _local(recording.stored_at),
        "storage_due_on": recording.storage_due_on.isoformat(),
        "storage_due_provisional": recording.storage_due_provisional,
        "late": recording.late,
        "late_reason": recording.late_reason,
        "time_flagged": recording.time_flagged,
        "time_flag_detail": recording.time_flag_detail,
        "media_duration_ms": recording.media_duration_ms,
        "media_codec": recording.media_codec,
    }


def _register(request: HttpRequest) -> JsonResponse:
    token = _authenticate(request)
    meta, stream, filename = _body(request)
    case = _case(token, meta)
    details = _details(token, meta)
    user = token.officer.user
    check_recording(
        acting_user=user,
        case=case,
        details=details,
        filename=filename,
        stored_at=clock.now(),
        ingest_token=token,
    )
    max_size = settings.CASETRAIL_MAX_UPLOAD_BYTES
    ingested = ingest_stream(stream, filename, primary_store(), max_size=max_size)
    try:
        recording = do_register_recording(
            acting_user=user, case=case, source=ingested, ingest_token=token, **vars(details)
        )
    except AlreadyRegistered as registered:
        existing = registered.existing
        if existing.recorded_start_at != details.recorded_start_at:
            first = _local(existing.recorded_start_at)
            message = f"{registered.message}；已登记的录制开始时间为 {first}"
            raise ApiError(409, "recorded_start_at", message) from None
        return _json({**recording_json(existing), "created": False}, 200)
    return _json({**recording_json(recording), "created": True}, 201)


@csrf_exempt
@require_POST
def register_recording(request: HttpRequest) -> JsonResponse:
    try:
        return _register(request)
    except ApiError as error:
        return _error(error.status, error.field, error.message)
    except TooLarge as refused:
        return _error(413, "file", str(refused))
    except RefusedFile as refused:
        return _error(400, _REFUSED_FIELDS.get(refused.field, refused.field), str(refused))
    except RuleViolation as violation:
        return _error(403 if violation.rule == "access" else 400, violation.field, str(violation))
    except StoreError:
        logger.exception("ingest: the blob store failed")
        return _error(503, "file", "文件：证据存储暂时无法保存该文件，请稍后重新发送（未登记）")


@csrf_exempt
@require_GET
def whoami(request: HttpRequest) -> JsonResponse:
    """Lets a station check its token: which account and agency it acts for."""
    try:
        token = _authenticate(request)
    except ApiError as error:
        return _error(error.status, error.field, error.message)
    return _json(
        {
            "station": token.officer.name,
            "username": token.officer.user.get_username(),
            "label": token.label,
            "agency": token.agency.code,
            "agency_name": token.agency.name,
        }
    )
