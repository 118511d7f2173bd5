"""`casetrail scrub [--sample N] [--repair]`: re-hash the stored files and report corruption.

Each registered file of the primary store is read again and checked against its registered
SHA-256 and size (all of them, or ``--sample N`` drawn at random, for a daily partial pass).
Every missing, wrong-sized or altered file is reported with its blob id, its SHA-256 and the
cases that use it. With ``--repair`` and a replica configured (``CASETRAIL_REPLICA_STORE``),
each is replaced by the replica's copy after that copy is checked by hash; the repair is
ledgered (`do_repair_blob`) and the bad bytes are kept in quarantine. Seed A art. 14–15; DESIGN
invariant 6. A read-only checker without ``--repair``.

Exit status: 0 no corruption remains; 1 corruption remains (reported on stdout, summed up on
stderr).
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.backup_run import Progress, quiet, repair_corrupt
from casetrail.evidence.models import Blob, Recording
from casetrail.evidence.replication import Corruption, scrub
from casetrail.evidence.storage import primary_store, replica_store

EXIT_CORRUPT = 1
CHUNK = 200
PROBLEM_LABELS = {
    "missing": "文件缺失",
    "wrong_size": "大小不符",
    "mismatch": "内容被改动（哈希不一致）",
    "unreadable": "无法读取",
}


def _uses(sha256s: list[str]) -> dict[str, list[str]]:
    """The cases (number and agency) whose recordings use each file."""
    uses: dict[str, list[str]] = defaultdict(list)
    recordings = (
        Recording.objects.filter(blob__sha256__in=sha256s)
        .select_related("case__agency", "blob")
        .order_by("pk")
    )
    for recording in recordings:
        case = recording.case
        label = f"{case.case_number}（{case.agency.short_name}，{recording.filename}）"
        if label not in uses[recording.blob.sha256]:
            uses[recording.blob.sha256].append(label)
    return uses


class Command(BaseCommand):
    help = "重新计算存储文件的哈希，报告缺失、大小不符或被改动的文件；--repair 用副本修复"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sample", type=int, help="只随机抽查 N 个文件（默认：全部）")
        parser.add_argument("--repair", action="store_true", help="用已校验的副本修复损坏的文件")

    def handle(self, *args: Any, **options: Any) -> None:
        sample = options["sample"]
        if sample is not None and sample < 1:
            raise CommandError("--sample：必须至少为 1")
        say: Progress = self.stderr.write if options["verbosity"] >= 1 else quiet
        found = self._scan(sample, say)
        if not found:
            self.stdout.write("未发现损坏的文件")
            return
        self._report(found)
        remaining = [c.sha256 for c in found]
        if options["repair"]:
            remaining = self._repair(found, say)
        if remaining:
            raise CommandError(
                f"仍有 {len(remaining)} 个存储文件损坏或缺失"
                + ("" if options["repair"] else "（可加 --repair 用副本修复）"),
                returncode=EXIT_CORRUPT,
            )
        self.stdout.write(f"全部 {len(found)} 个损坏的文件已用副本修复并登记")

    def _scan(self, sample: int | None, say: Progress) -> list[Corruption]:
        sizes = dict(Blob.objects.order_by("pk").values_list("sha256", "size"))
        addresses = list(sizes)
        if sample is not None and sample < len(addresses):
            addresses = random.SystemRandom().sample(addresses, sample)
        store = primary_store()
        say(f"核验 {store.name} 中的 {len(addresses)} 个文件（共登记 {len(sizes)} 个）")
        found: list[Corruption] = []
        for start in range(0, len(addresses), CHUNK):
            chunk = addresses[start : start + CHUNK]
            found += scrub(store, {sha256: sizes[sha256] for sha256 in chunk})
            say(f"  已核验 {start + len(chunk)}/{len(addresses)}，发现损坏 {len(found)}")
        return found

    def _report(self, found: list[Corruption]) -> None:
        ids = dict(
            Blob.objects.filter(sha256__in=[c.sha256 for c in found]).values_list("sha256", "pk")
        )
        uses = _uses([c.sha256 for c in found])
        self.stdout.write(f"发现 {len(found)} 个损坏的存储文件：")
        for corruption in found:
            cases = "；".join(uses.get(corruption.sha256, [])) or "无"
            self.stdout.write(
                f"  [{corruption.problem}] 文件 #{ids.get(corruption.sha256)} {corruption.sha256}："
                f"{PROBLEM_LABELS[corruption.problem]}（{corruption.detail}）\n"
                f"    使用它的案件：{cases}"
            )

    def _repair(self, found: list[Corruption], say: Progress) -> list[str]:
        replica = replica_store()
        addresses = [c.sha256 for c in found]
        if replica is None:
            self.stderr.write("无法修复：未配置副本存储（CASETRAIL_REPLICA_STORE）")
            return addresses
        result = repair_corrupt(addresses, replica, progress=say)
        for sha256, reason in result.failed.items():
            self.stderr.write(f"未能修复 {sha256}：{reason}")
        repaired = {sha256: repair.blob.size for sha256, repair in result.repaired.items()}
        still_bad = [c.sha256 for c in scrub(primary_store(), repaired)]  # check the result
        for sha256 in still_bad:
            self.stderr.write(f"修复后仍不一致：{sha256}")
        return [*result.failed, *still_bad]
