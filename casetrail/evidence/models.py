"""Evidence records: stored files (blobs), audio-visual recordings, uploads, replication.

Seed A art. 13–14 and Seed B art. 7(7), 26: audio-visual records are stored within the
profile's working days, labelled with case number, party and handler, with their production
method, time, maker and what they prove; audio carries a transcript; copies are kept off-site.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from casetrail.ledger.coverage import Coverage, member_of, not_a_fact, rows
from casetrail.ledger.models import RecordModel


class Blob(RecordModel):
    """A stored file, addressed by its SHA-256; registered only once fully stored and checked."""

    sha256 = models.CharField(max_length=64, unique=True)
    sm3 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=100)
    stored_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "存储文件"

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.media_type}, {self.size} B)"


class RecordingKind(models.TextChoices):
    PHOTO = "photo", "照片"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"
    SURVEILLANCE = "surveillance", "视频监控"


class Recording(RecordModel):
    """音像记录: one audio-visual record of a case, with the metadata the regulations require."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="recordings")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="recordings")
    kind = models.CharField("类型", max_length=20, choices=RecordingKind.choices)
    filename = models.CharField("文件名", max_length=255)
    method = models.CharField("制作方法", max_length=200)
    recorded_start_at = models.DateTimeField("录制开始时间")
    recorded_end_at = models.DateTimeField("录制结束时间", null=True, blank=True)
    maker = models.ForeignKey("cases.Officer", on_delete=models.PROTECT, related_name="+")
    maker_name = models.CharField("制作人", max_length=50)
    device_id = models.CharField("设备编号", max_length=100, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    proves = models.TextField("证明对象")
    belongs_to = models.CharField("所属环节或文书", max_length=200, blank=True)
    transcript = models.TextField("文字记录（录音须附）", blank=True)
    label_case_number = models.CharField("标注：案号", max_length=100)
    label_party = models.CharField("标注：当事人", max_length=300)
    label_handler = models.CharField("标注：承办人", max_length=200)
    stored_at = models.DateTimeField("储存时间")
    storage_due_on = models.DateField("应储存期限")
    storage_due_provisional = models.BooleanField(default=False)
    late = models.BooleanField("逾期储存", default=False)
    late_reason = models.TextField("逾期理由", blank=True)
    media_duration_ms = models.BigIntegerField("时长（毫秒）", null=True, blank=True)
    media_codec = models.CharField("编码", max_length=100, blank=True)
    media_created_at = models.DateTimeField("文件内嵌拍摄时间", null=True, blank=True)
    time_flagged = models.BooleanField("时间不一致", default=False)
    time_flag_detail = models.CharField(max_length=300, blank=True)
    ingested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "音像记录"
        ordering = ["recorded_start_at", "pk"]

    def __str__(self) -> str:
        return f"{self.label_case_number} {self.get_kind_display()} {self.filename}"


class Upload(models.Model):
    """A resumable (tus 1.0) upload in progress. Not evidence until complete and registered.

    Mutable state by nature (its offset grows); the partial bytes live in the data folder.
    """

    ledger_coverage: ClassVar[Coverage] = not_a_fact(
        "进行中的上传：文件经哈希校验、登记为存储文件后才成为记录"
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="+")
    filename = models.CharField(max_length=255)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    blob_sha256 = models.CharField(max_length=64, blank=True)
    blob_sm3 = models.CharField(max_length=64, blank=True)
    media_type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"upload {self.id} {self.offset}/{self.length}"


class IngestToken(models.Model):
    """The API token of an ingest station (采集站); only its SHA-256 is kept."""

    ledger_coverage: ClassVar[Coverage] = rows("采集站令牌：签发与吊销都是记账的行为")

    officer = models.ForeignKey("cases.Officer", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("cases.Agency", on_delete=models.PROTECT, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label


class Replica(RecordModel):
    """A verified copy of a blob in an off-site target, recorded by the run that verified it.

    `replicate` skips a blob only for a copy whose run still matches its ledger entry, so a
    forged row cannot make it skip a file (rows from before evidence/0003 have no run and are
    not trusted: their copies are verified again).
    """

    ledger_coverage: ClassVar[Coverage] = member_of("文件的异地副本：计入登记它的备份运行行的摘要")

    run = models.ForeignKey(
        "BackupRun", on_delete=models.PROTECT, related_name="replicas", null=True
    )
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="replicas")
    target = models.CharField(max_length=300)
    verified_sha256 = models.CharField(max_length=64)
    copied_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.blob_id} → {self.target}"


class BackupRun(RecordModel):
    """One run of `casetrail replicate`: what was copied and verified, and whether all was."""

    ledger_coverage: ClassVar[Coverage] = rows(
        "一次异地备份运行：由 do_record_backup_run 记账，其副本行计入摘要",
        members=("replicas", "checkpoint_replicas"),
    )

    target = models.CharField(max_length=300)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    blobs_copied = models.IntegerField()
    blobs_verified = models.IntegerField()
    checkpoints_copied = models.IntegerField()
    ok = models.BooleanField()
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.target} {self.finished_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class Repair(RecordModel):
    """A corrupted stored file replaced by a verified replica (the bad bytes are quarantined)."""

    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    detected_sha256 = models.CharField(max_length=64)
    repaired_from = models.CharField(max_length=300)
    quarantine_path = models.CharField(max_length=500)
    repaired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"repair of {self.blob_id} from {self.repaired_from}"


class CheckpointReplica(RecordModel):
    """A verified copy of a signed checkpoint (and its RFC 3161 token) in an off-site target.

    Checkpoints are not content-addressed blobs: they are kept under readable names
    (``checkpoints/<agency code>/checkpoint-<size>.txt`` and ``.tsr``), see ``offsite_copy.py``.
    """

    ledger_coverage: ClassVar[Coverage] = member_of(
        "检查点的异地副本：计入登记它的备份运行行的摘要"
    )

    run = models.ForeignKey(
        BackupRun, on_delete=models.PROTECT, related_name="checkpoint_replicas", null=True
    )
    checkpoint = models.ForeignKey("ledger.Checkpoint", on_delete=models.PROTECT, related_name="+")
    target = models.CharField(max_length=300)
    note_key = models.CharField(max_length=300)
    note_sha256 = models.CharField(max_length=64)
    token_sha256 = models.CharField(max_length=64, blank=True)
    copied_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint {self.checkpoint_id} → {self.target}"
