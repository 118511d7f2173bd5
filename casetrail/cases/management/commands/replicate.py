"""`casetrail replicate [--target URL] [--batch N]`: the off-site backup (Seed A art. 14).

Copies to the replica target (``CASETRAIL_REPLICA_STORE``, or ``--target``: a folder, a
``file://`` URL or ``s3://bucket?endpoint=…``) every stored file and every signed checkpoint
not yet copied there, verifies each copy by hash in the target, and records the run (see
`casetrail/cases/backup_run.py`). Progress goes to stderr, the summary to stdout.

Exit status: 0 every copy verified; 1 some copy failed (listed on stderr; the run is recorded
as failed); 2 the run could not start (no target, a bad URL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casetrail.cases.backup_run import BATCH, BackupError, run_backup
from casetrail.evidence.blobstore import BlobStore, store_from_url
from casetrail.evidence.models import BackupRun
from casetrail.evidence.storage import replica_store
from casetrail.procedure.citations import statute_of

EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2


def _target(url: str | None) -> BlobStore:
    if url:
        try:
            return store_from_url(url, data_dir=Path(settings.DATA_DIR))
        except ValueError as error:
            raise CommandError(f"--target：{error}", returncode=EXIT_CANNOT_RUN) from error
    target = replica_store()
    if target is None:
        raise CommandError(
            "未配置副本存储：请设置 CASETRAIL_REPLICA_STORE 或使用 --target"
            f"（定期进行异地备份：各机关制度的规定；{statute_of('R13')}）",
            returncode=EXIT_CANNOT_RUN,
        )
    return target


def summary(run: BackupRun) -> str:
    verdict = "成功，全部副本经哈希校验一致" if run.ok else "失败"
    return (
        f"异地备份{verdict}：目标 {run.target}，新复制文件 {run.blobs_copied} 个，"
        f"校验文件 {run.blobs_verified} 个，复制检查点 {run.checkpoints_copied} 个"
        f"（{timezone.localtime(run.finished_at):%Y-%m-%d %H:%M:%S}，记录编号 {run.pk}）"
    )


class Command(BaseCommand):
    help = "异地备份：把尚未复制的存储文件和签名检查点复制到副本存储，并逐一校验哈希"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--target", help="副本存储（目录、file:// 或 s3://；默认 CASETRAIL_REPLICA_STORE）"
        )
        parser.add_argument("--batch", type=int, default=BATCH, help="每批复制的文件数（进度单位）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch：必须至少为 1", returncode=EXIT_CANNOT_RUN)
        target = _target(options["target"])
        quiet = options["verbosity"] < 1
        try:
            run = run_backup(
                target, progress=None if quiet else self.stderr.write, batch=options["batch"]
            )
        except BackupError as error:
            raise CommandError(str(error), returncode=EXIT_CANNOT_RUN) from error
        self.stdout.write(summary(run))
        if not run.ok:
            raise CommandError(
                f"异地备份未完成：以下副本未能复制或校验（目标 {run.target}）\n{run.detail}",
                returncode=EXIT_FAILED,
            )
