"""Acts on audio-visual evidence (音像记录): registering a stored file as a recording of a case,
by a handler or by an ingest station (采集站). The stations' tokens: `ingest_tokens.py`.

Seed A art. 13–14; Seed B art. 7(7), 26; REFERENCE.md rules 10, 11, 44. The file is already in
the blob store (`casetrail.evidence.ingest`); registering it is the legal act: the metadata the
regulations require, the labels, the storage deadline and the ledger entry that commits to both
hashes (SHA-256 and SM3).

Who may register a recording (checked here, before anything is written):
- a handler of the case (`access.can_act(user, case, "handle")`), through the pages; or
- an ingest station: the user of an un-revoked `IngestToken` (passed as ``ingest_token``)
  whose agency is the case's agency and who holds the ``ingest`` role there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from casetrail import access, clock
from casetrail.cases.evidence_selectors import case_labels
from casetrail.cases.models import Case, Officer, Role
from casetrail.cases.obligation_rows import refresh_backup_obligations
from casetrail.cases.selectors import roles_of, working_calendar
from casetrail.evidence.errors import StoreError
from casetrail.evidence.hashing import Digests
from casetrail.evidence.ingest import Ingested
from casetrail.evidence.media import MediaFacts, probe_blob
from casetrail.evidence.models import Blob, IngestToken, Recording, Upload
from casetrail.evidence.sniff import ALLOWED
from casetrail.evidence.storage import primary_store
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules import evidence as rules
from casetrail.procedure.workdays import Due

SYSTEM_RULE = "系统规则：文件完整储存并校验哈希后方可登记，同一文件在同一案件中只登记一次"


@dataclass(frozen=True)
class RecordingDetails:
    """What a person (or an ingest station) states about a recording."""

    kind: str
    method: str
    recorded_start_at: datetime
    recorded_end_at: datetime | None
    maker: Officer
    proves: str
    device_id: str = ""
    place: str = ""
    belongs_to: str = ""
    transcript: str = ""
    late_reason: str = ""


@dataclass(frozen=True)
class _File:
    """The stored file behind a registration, whichever way it arrived."""

    digests: Digests
    media_type: str
    filename: str
    stored_at: datetime
    upload_id: str | None

    @property
    def file_kind(self) -> str:
        return ALLOWED[self.media_type].kind


@dataclass(frozen=True)
class _Timing:
    due: Due
    late: bool


class AlreadyRegistered(RuleViolation):
    """The file is already a recording of this case; ``existing`` is that recording."""

    def __init__(self, existing: Recording) -> None:
        super().__init__(
            rule="once",
            article=SYSTEM_RULE,
            field="file",
            message=(
                f"文件：该文件已登记为本案音像记录（{existing.filename}，"
                f"登记编号 {existing.pk}），不重复登记"
            ),
        )
        self.existing = existing


def _refuse(problem: RuleViolation | None) -> None:
    if problem is not None:
        raise problem


def _system(field: str, message: str) -> RuleViolation:
    return RuleViolation(rule="stored", article=SYSTEM_RULE, field=field, message=message)


def _denied(case: Case, message: str) -> RuleViolation:
    """Seed B art. 27, 29 for 兴隆台; each agency's own articles on access (registry rule 42)."""
    article = cite(case.agency.profile, "R42")
    return RuleViolation(rule="access", article=article, field="case", message=message)


# --- the checks -----------------------------------------------------------------------------


def check_may_register(user: User, case: Case, ingest_token: IngestToken | None) -> None:
    if ingest_token is None:
        if not access.can_act(user, case, "handle"):
            raise _denied(case, "案件：您不是本案的承办人，不能登记音像记录")
        return
    if ingest_token.revoked_at is not None or ingest_token.officer.user_id != user.pk:
        raise _denied(case, "采集站令牌：已撤销，或不属于该账号")
    if ingest_token.agency_id != case.agency_id:
        raise _denied(case, "案件：采集站令牌只能用于本机关的案件")
    if Role.INGEST not in roles_of(ingest_token.officer, case.agency):
        raise _denied(case, "采集站令牌：该账号在本机关没有“采集站”岗位")


def _check_details(case: Case, details: RecordingDetails, stored_at: datetime) -> None:
    meta = rules.AvMetadata(
        kind=details.kind,
        method=details.method,
        recorded_start_at=details.recorded_start_at,
        maker_name=details.maker.name,
        proves=details.proves,
        transcript=details.transcript,
    )
    profile = case.agency.profile
    _refuse(rules.av_metadata_problem(meta, profile=profile))
    _refuse(
        rules.chronology_problem(
            details.recorded_start_at,
            details.recorded_end_at,
            stored_at,
            profile.av_time_tolerance_minutes,
            profile=profile,
        )
    )
    if Role.OFFICER not in roles_of(details.maker, case.agency):
        raise RuleViolation(
            rule="B7.7",
            article=cite(profile, rules.METADATA_RULE),
            field="maker",
            message=f"制作人：{details.maker.name} 不是{case.agency.name}的执法人员",
        )


def file_kind_of_name(filename: str) -> str | None:
    """The kind of file its extension promises (the ingest makes content and extension agree)."""
    extension = filename.rpartition(".")[2].lower()
    kinds = {f.kind for f in ALLOWED.values() if extension in f.extensions}
    return kinds.pop() if len(kinds) == 1 else None


def check_recording(
    *,
    acting_user: User,
    case: Case,
    details: RecordingDetails,
    filename: str,
    stored_at: datetime,
    ingest_token: IngestToken | None = None,
) -> None:
    """Every check that needs no file, so that the ingest API refuses before storing a byte.

    Lateness is left to the act itself: a re-sent file that is already registered is answered
    with the existing recording, however late the re-send.
    """
    check_may_register(acting_user, case, ingest_token)
    _refuse(rules.classified_problem(case.confidentiality, profile=case.agency.profile))
    _check_details(case, details, stored_at)
    file_kind = file_kind_of_name(filename)
    if file_kind is not None:
        _refuse(rules.file_kind_problem(details.kind, file_kind, profile=case.agency.profile))


def _timing(case: Case, details: RecordingDetails, stored_at: datetime) -> _Timing:
    finished = details.recorded_end_at or details.recorded_start_at
    due = rules.storage_due(
        clock.localdate(finished), case.agency.profile.av_storage, working_calendar()
    )
    stored_on = clock.localdate(stored_at)
    _refuse(
        rules.late_storage_problem(stored_on, due, details.late_reason, profile=case.agency.profile)
    )
    return _Timing(due=due, late=rules.is_late(stored_on, due))


def _already_registered(case: Case, sha256: str) -> None:
    existing = Recording.objects.filter(case=case, blob__sha256=sha256).order_by("pk").first()
    if existing is not None:
        raise AlreadyRegistered(existing)


# --- the source file ------------------------------------------------------------------------


def _file_of_upload(upload: Upload, case: Case, user: User) -> _File:
    if upload.completed_at is None or not upload.blob_sha256:
        raise _system("upload", "上传：文件尚未上传完成并校验，不能登记")
    if upload.case_id != case.pk:
        raise _system("upload", "上传：该上传不属于本案")
    if upload.created_by_id != user.pk:
        raise _system("upload", "上传：只能登记自己上传的文件")
    if upload.media_type not in ALLOWED:
        raise _system(
            "upload", f"上传：文件格式 {upload.media_type or '未知'} 不在允许的格式清单内"
        )
    try:
        digests = Digests(sha256=upload.blob_sha256, sm3=upload.blob_sm3, size=upload.length)
    except ValueError as error:
        raise _system("upload", f"上传：文件哈希记录不完整（{error}）") from None
    return _File(digests, upload.media_type, upload.filename, upload.completed_at, str(upload.id))


def _file_of(source: Upload | Ingested, case: Case, user: User) -> _File:
    if isinstance(source, Upload):
        return _file_of_upload(source, case, user)
    media_type = source.sniffed.media_type
    return _File(source.digests, media_type, source.filename, clock.now(), None)


# --- the act --------------------------------------------------------------------------------


def do_register_recording(
    *,
    acting_user: User,
    case: Case,
    source: Upload | Ingested,
    kind: str,
    method: str,
    recorded_start_at: datetime,
    recorded_end_at: datetime | None,
    maker: Officer,
    proves: str,
    device_id: str = "",
    place: str = "",
    belongs_to: str = "",
    transcript: str = "",
    late_reason: str = "",
    ingest_token: IngestToken | None = None,
) -> Recording:
    """Register a stored file as an audio-visual record of *case* (Seed A art. 14; Seed B
    art. 7(7), 26): check, label, date, probe, then write the blob (if new), the recording and
    one ledger entry. A late file is accepted with its reason; nothing is written on refusal."""
    details = RecordingDetails(
        kind=kind,
        method=method,
        recorded_start_at=recorded_start_at,
        recorded_end_at=recorded_end_at,
        maker=maker,
        proves=proves,
        device_id=device_id,
        place=place,
        belongs_to=belongs_to,
        transcript=transcript,
        late_reason=late_reason,
    )
    check_may_register(acting_user, case, ingest_token)
    file = _file_of(source, case, acting_user)
    _already_registered(case, file.digests.sha256)
    _refuse(rules.classified_problem(case.confidentiality, profile=case.agency.profile))
    _check_details(case, details, file.stored_at)
    _refuse(rules.file_kind_problem(details.kind, file.file_kind, profile=case.agency.profile))
    labels = case_labels(case)
    _refuse(rules.labels_problem(labels, case.agency.profile))
    timing = _timing(case, details, file.stored_at)
    store = primary_store()
    if not store.exists(file.digests.sha256):
        raise _system("file", "文件：尚未完整储存到证据存储中，不能登记")
    media = probe_blob(store, file.digests.sha256)
    return _write(acting_user, case, details, file, labels, timing, media)


def _blob_for(file: _File) -> tuple[Blob, bool]:
    """The blob row of this content, created if new; a concurrent creator's row is reused."""
    digests = file.digests
    blob = Blob.objects.filter(sha256=digests.sha256).first()
    if blob is None:
        try:
            with transaction.atomic():
                blob = Blob(
                    sha256=digests.sha256,
                    sm3=digests.sm3,
                    size=digests.size,
                    media_type=file.media_type,
                    stored_at=file.stored_at,
                )
                blob.save()
                return blob, True
        except IntegrityError:
            blob = Blob.objects.get(sha256=digests.sha256)
    if (blob.sm3, blob.size) != (digests.sm3, digests.size):
        raise StoreError(
            f"blob {digests.sha256}: registered with SM3 {blob.sm3} and {blob.size} bytes, "
            f"now {digests.sm3} and {digests.size} bytes (run casetrail verify --files)"
        )
    return blob, False


def _write(
    user: User,
    case: Case,
    details: RecordingDetails,
    file: _File,
    labels: dict[str, str],
    timing: _Timing,
    media: MediaFacts,
) -> Recording:
    time_flag = rules.time_discrepancy(
        details.recorded_start_at, media.created_at, case.agency.profile.av_time_tolerance_minutes
    )
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)  # one registration of a case at a time
        _already_registered(case, file.digests.sha256)
        blob, blob_created = _blob_for(file)
        recording = Recording(
            case=case,
            blob=blob,
            kind=details.kind,
            filename=file.filename,
            method=details.method.strip(),
            recorded_start_at=details.recorded_start_at,
            recorded_end_at=details.recorded_end_at,
            maker=details.maker,
            maker_name=details.maker.name,
            device_id=details.device_id.strip(),
            place=details.place.strip(),
            proves=details.proves.strip(),
            belongs_to=details.belongs_to.strip(),
            transcript=details.transcript.strip(),
            label_case_number=labels["case_number"],
            label_party=labels["party_name"],
            label_handler=labels["handler_name"],
            stored_at=file.stored_at,
            storage_due_on=timing.due.due_on,
            storage_due_provisional=timing.due.provisional,
            late=timing.late,
            late_reason=details.late_reason.strip() if timing.late else "",
            media_duration_ms=media.duration_ms,
            media_codec=media.codec,
            media_created_at=media.created_at,
            time_flagged=time_flag is not None,
            time_flag_detail=time_flag or "",
            ingested_by=user,
        )
        recording.save()
        append_entry(
            agency=case.agency,
            action="recording.register",
            actor=user,
            case=case,
            records=[blob, recording] if blob_created else [recording],
            facts=_facts(recording, file, media),
        )
        refresh_backup_obligations([case.agency])  # its first recording starts the backup clock
    return recording


def _facts(recording: Recording, file: _File, media: MediaFacts) -> dict[str, Json]:
    return {
        "sha256": file.digests.sha256,
        "sm3": file.digests.sm3,
        "size": file.digests.size,
        "media_type": file.media_type,
        "filename": file.filename,
        "kind": recording.kind,
        "source": "upload" if file.upload_id else "ingest",
        "upload": file.upload_id,
        "storage_due_on": recording.storage_due_on.isoformat(),
        "storage_due_provisional": recording.storage_due_provisional,
        "late": recording.late,
        "late_reason": recording.late_reason,
        "time_flagged": recording.time_flagged,
        "media_problem": media.problem,
    }
