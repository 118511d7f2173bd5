"""`casetrail expire_uploads`: remove resumable uploads past their expiry (row and partial file).

Run it from cron or alongside the worker; an upload being written at that moment is left for the
next run. The stored file of a completed but never registered upload stays in the blob store
(content-addressed, it may belong to another record).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from casetrail.evidence.uploads import expire_abandoned


class Command(BaseCommand):
    help = "删除已过期的断点续传上传（数据库记录与临时文件）"

    def handle(self, *args: Any, **options: Any) -> None:
        removed = expire_abandoned()
        self.stdout.write(f"已删除过期上传 {removed} 个")
