"""The tus 1.0.0 endpoint (core, creation, expiration, checksum, termination): headers in,
``uploads`` calls, headers out. Any tus client works: tus-js-client on the upload page, tuspy.

Authentication is the officer's session; the methods that change state pass Django's CSRF check
with the ``X-CSRFToken`` header. An upload is visible only to the user who created it (404 to
anyone else), and is created only for a case the user handles.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date

from casetrail import access
from casetrail.digits import NotAWholeNumber, whole_number
from casetrail.evidence import uploads
from casetrail.evidence.errors import RefusedFile, TooLarge
from casetrail.evidence.models import Upload
from casetrail.procedure.rules.evidence import classified_problem

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,expiration,checksum,termination"
OFFSET_STREAM = "application/offset+octet-stream"
STATUS = {
    uploads.UploadMissing: 404,
    uploads.UploadGone: 410,
    uploads.OffsetConflict: 409,
    uploads.UploadBusy: 423,
    uploads.BeyondLength: 413,
    uploads.ChecksumMismatch: 460,
}
REASONS = {423: "Locked", 460: "Checksum Mismatch"}
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")

_Handler = Callable[[User], HttpResponse]


class BadRequest(Exception):
    """A malformed tus request; the message names the header (Chinese)."""


def collection(request: HttpRequest) -> HttpResponse:
    """``/uploads/tus/``: OPTIONS (what the server supports) and POST (creation)."""
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method != "POST":
        return _answer(405, "只支持 OPTIONS 和 POST", {"Allow": "OPTIONS, POST"})
    return _guarded(request, lambda user: _create(request, user))


def resource(request: HttpRequest, upload_id: UUID) -> HttpResponse:
    """``/uploads/tus/<id>``: HEAD (offset), PATCH (append), DELETE (termination), OPTIONS."""
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    actions = {"HEAD": _head, "PATCH": _patch, "DELETE": _delete}
    if method not in actions:
        allow = {"Allow": "OPTIONS, HEAD, PATCH, DELETE"}
        return _answer(405, "只支持 HEAD、PATCH、DELETE", allow)
    act = actions[method]
    try:
        return _guarded(request, lambda user: act(request, uploads.owned_upload(upload_id, user)))
    finally:
        _drain(request)


def _method(request: HttpRequest) -> str:
    """tus: X-HTTP-Method-Override, when present, is the method. Honoured on POST only, so
    that a PATCH or DELETE in disguise still passes the CSRF check."""
    override = request.headers.get("X-HTTP-Method-Override", "")
    return (override if request.method == "POST" and override else request.method or "").upper()


def _guarded(request: HttpRequest, handle: _Handler) -> HttpResponse:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _answer(412, f"仅支持 tus {TUS_VERSION}", {"Tus-Version": TUS_VERSION})
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return _answer(403, "请先登录")
    try:
        return handle(user)
    except BadRequest as problem:
        return _answer(400, str(problem))
    except uploads.UploadProblem as problem:
        return _answer(STATUS[type(problem)], str(problem))
    except TooLarge as refused:
        return _answer(413, str(refused))
    except RefusedFile as refused:
        return _answer(415, str(refused))
    except Http404 as missing:
        return _answer(404, str(missing))
    except PermissionDenied as denied:
        return _answer(403, str(denied))


def _create(request: HttpRequest, user: User) -> HttpResponse:
    if "Upload-Defer-Length" in request.headers:
        raise BadRequest("Upload-Defer-Length：不支持，请在创建时给出 Upload-Length")
    length = _non_negative(request, "Upload-Length")
    raw = request.headers.get("Upload-Metadata", "")
    metadata = parse_metadata(raw)
    case = access.case_for_act(user, _case_id(metadata), "handle")
    if classified := classified_problem(case.confidentiality, profile=case.agency.profile):
        raise PermissionDenied(str(classified))
    try:
        filename = metadata["filename"]
    except KeyError:
        raise BadRequest("Upload-Metadata：缺少 filename（文件名）") from None
    try:
        upload = uploads.create_upload(
            user=user,
            case=case,
            filename=filename,
            length=length,
            metadata={"upload_metadata": raw},
        )
    except TooLarge:
        raise
    except RefusedFile as refused:  # a bad name is a bad request; 415 is for content
        raise BadRequest(str(refused)) from None
    location = request.build_absolute_uri(reverse("tus-resource", args=[upload.pk]))
    return _answer(201, "", {"Location": location, **_expires(upload)})


def _head(request: HttpRequest, upload: Upload) -> HttpResponse:
    upload = uploads.current(upload)
    uploads.require_open(upload)
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
        **_expires(upload),
    }
    if raw := upload.metadata.get("upload_metadata"):
        headers["Upload-Metadata"] = str(raw)
    return _answer(200, "", headers)


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != OFFSET_STREAM:
        return _answer(415, f"Content-Type 必须为 {OFFSET_STREAM}")
    if "Content-Length" not in request.headers:
        return _answer(411, "缺少 Content-Length")
    upload = uploads.append(
        upload,
        offset=_non_negative(request, "Upload-Offset"),
        body=request,
        size=_non_negative(request, "Content-Length"),
        checksum=_checksum(request.headers.get("Upload-Checksum")),
    )
    return _answer(204, "", {"Upload-Offset": str(upload.offset), **_expires(upload)})


def _delete(request: HttpRequest, upload: Upload) -> HttpResponse:
    uploads.terminate(upload)
    return _answer(204)


def _options() -> HttpResponse:
    headers = {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(settings.CASETRAIL_MAX_UPLOAD_BYTES),
        "Tus-Checksum-Algorithm": ",".join(uploads.CHECKSUM_ALGORITHMS),
    }
    return _answer(204, "", headers)


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)``; the value may be absent.

    tus: the header is ASCII, a key has no spaces or commas. Text with a control character
    (NUL above all, which PostgreSQL cannot keep) is refused, in the header and in the values.
    """
    if not _PRINTABLE_ASCII.fullmatch(header):
        raise BadRequest("Upload-Metadata：只能包含可打印的 ASCII 字符（键名与 Base64 值）")
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = item.partition(" ")
        if key in pairs:
            raise BadRequest(f"Upload-Metadata：键 {key} 重复")
        try:  # non-ASCII text raises ValueError, not binascii.Error
            value = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except ValueError:
            raise BadRequest(f"Upload-Metadata：{key!r} 的值不是 UTF-8 文本的 Base64") from None
        if any(unicodedata.category(char) == "Cc" for char in value):
            raise BadRequest(f"Upload-Metadata：{key!r} 的值含有控制字符")
        pairs[key] = value
    return pairs


def _case_id(metadata: dict[str, str]) -> int:
    try:
        return whole_number(metadata.get("case_id"), "Upload-Metadata 的 case_id（案件编号）")
    except NotAWholeNumber as problem:
        raise BadRequest(str(problem)) from None


def _checksum(header: str | None) -> uploads.Checksum | None:
    """``Upload-Checksum: <algorithm> <base64 digest>``."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in uploads.CHECKSUM_ALGORITHMS:
        raise BadRequest(f"Upload-Checksum：不支持的算法 {algorithm!r}")
    try:
        return uploads.Checksum(algorithm, base64.b64decode(encoded.strip(), validate=True))
    except ValueError:
        raise BadRequest("Upload-Checksum：摘要不是 Base64") from None


def _non_negative(request: HttpRequest, name: str) -> int:
    try:
        return whole_number(request.headers.get(name), name)
    except NotAWholeNumber as problem:
        raise BadRequest(str(problem)) from None


def _expires(upload: Upload) -> dict[str, str]:
    return {"Upload-Expires": http_date(upload.expires_at.timestamp())}


def _answer(status: int, text: str = "", headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        text if status != 204 else "",
        status=status,
        reason=REASONS.get(status),
        content_type="text/plain; charset=utf-8",
    )
    response["Tus-Resumable"] = TUS_VERSION
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _drain(request: HttpRequest) -> None:
    """Read what is left of a refused body in bounded pieces, so the connection stays usable
    (Django's development server would otherwise read the rest in one piece). A malformed
    Content-Length gives no length to read up to: nothing is read."""
    try:
        whole_number(request.headers.get("Content-Length", "0"), "Content-Length")
    except NotAWholeNumber:
        return
    try:
        while request.read(uploads.READ_SIZE):
            pass
    except OSError:
        pass
