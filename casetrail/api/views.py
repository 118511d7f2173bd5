"""The read-only ledger API: checkpoints, public keys and proofs, as JSON (or the note itself).

Everything here is hashes and signatures, public as in Certificate Transparency: anyone holding
a document can check it against a checkpoint without an account. Payloads are not served here.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from casetrail.digits import whole_number
from casetrail.ledger import proofs
from casetrail.ledger.checkpoints import AgencyLog, latest_checkpoint, verifier
from casetrail.ledger.models import Checkpoint, LogHead
from casetrail.ledger.selectors import find_agency_log


def _log(code: str) -> AgencyLog:
    log = find_agency_log(code)
    if log is None:
        raise Http404(f"no agency {code!r}")
    return log


def _int(request: HttpRequest, name: str, default: int | None = None) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    return whole_number(raw, name)  # NotAWholeNumber is a ValueError


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def log_info(request: HttpRequest, code: str) -> JsonResponse:
    log = _log(code)
    latest = latest_checkpoint(log.agency_id)
    return JsonResponse(
        {
            "origin": log.origin,
            "public_key": verifier(log).key_string(),
            "integrated_size": LogHead.objects.get(agency_id=log.agency_id).size,
            "latest_checkpoint": latest.note if latest else None,
        }
    )


@require_GET
def checkpoint_note(request: HttpRequest, code: str) -> HttpResponse:
    """The latest checkpoint as a signed note (text/plain), as transparency logs serve it."""
    latest = latest_checkpoint(_log(code).agency_id)
    if latest is None:
        raise Http404("no checkpoint yet")
    return HttpResponse(latest.note, content_type="text/plain; charset=utf-8")


@require_GET
def checkpoint_list(request: HttpRequest, code: str) -> JsonResponse:
    log = _log(code)
    rows = Checkpoint.objects.filter(agency_id=log.agency_id).order_by("size")
    items = [
        {
            "size": c.size,
            "root_hash": c.root_hash,
            "published_at": c.published_at.isoformat(),
            "timestamped": bool(c.timestamp_token),
            "note": c.note,
        }
        for c in rows
    ]
    return JsonResponse({"origin": log.origin, "checkpoints": items})


@require_GET
def inclusion_proof(request: HttpRequest, code: str) -> JsonResponse:
    log = _log(code)
    try:
        index = _int(request, "index")
        if index is None:
            return _error("index: required")
        return JsonResponse(proofs.inclusion(log, index, _int(request, "size")))
    except (ValueError, proofs.ProofRequestError) as error:
        return _error(str(error))


@require_GET
def consistency_proof(request: HttpRequest, code: str) -> JsonResponse:
    log = _log(code)
    try:
        first, second = _int(request, "m"), _int(request, "n")
        if first is None or second is None:
            return _error("m, n: both required")
        return JsonResponse(proofs.consistency(log, first, second))
    except (ValueError, proofs.ProofRequestError) as error:
        return _error(str(error))
