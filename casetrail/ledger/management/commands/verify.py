"""`casetrail verify [--json] [--files] [--agency CODE ...] [--keys DIR] [--checkpoints DIR]`.

The auditor's command. `--keys` and `--checkpoints` name the auditor's own copies of the public
keys (`<code>.pub`) and of the off-site notes (`<code>/checkpoint-*.txt`), which then take
precedence over the local ones (`casetrail/ledger/verify_sources.py`).

Exit status: 0 intact, 1 tampering or corruption found, 2 could not run (Seed A art. 15;
Seed B art. 30(4)(5): 不得伪造、删改、销毁行政执法记录). See `casetrail/ledger/verify.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.ledger.verify import Report, VerifyError, verify
from casetrail.ledger.verify_sources import Sources

EXIT_TAMPERED = 1
EXIT_CANNOT_RUN = 2

COUNT_LABELS = (
    ("entries_checked", "条目 (entries)"),
    ("leaves_checked", "叶子 (leaves)"),
    ("checkpoints_checked", "检查点 (checkpoints)"),
    ("offsite_checked", "异地副本 (off-site copies)"),
    ("tags_checked", "条目标签 (entry tags)"),
    ("timestamps_verified", "已核验的时间戳令牌 (timestamps verified against CASETRAIL_TSA_CERTS)"),
    ("timestamps_unchained", "未核验签名的时间戳令牌 (timestamps read, signer not verified)"),
)


class Command(BaseCommand):
    help = "核验账本：重算每个条目、数据行、树头和检查点，报告被篡改、删除或插入的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="输出 JSON（每个问题一项）")
        parser.add_argument("--files", action="store_true", help="同时重新计算存储文件的哈希")
        parser.add_argument(
            "--agency",
            action="extend",
            nargs="+",
            metavar="CODE",
            help="只核验这些机关（代码或简称；默认：全部）",
        )
        parser.add_argument(
            "--keys",
            type=Path,
            metavar="DIR",
            help="审计方自存的公钥目录（<代码>.pub），优先于本机 CASETRAIL_KEY_DIR",
        )
        parser.add_argument(
            "--checkpoints",
            type=Path,
            metavar="DIR",
            help="审计方自存的检查点副本目录（<代码>/checkpoint-*.txt），优先于异地副本目录",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] < 1
        for option in ("keys", "checkpoints"):
            folder = options[option]
            if folder is not None and not folder.is_dir():
                raise CommandError(
                    f"--{option}: 目录 {folder} 不存在 (not a folder)", returncode=EXIT_CANNOT_RUN
                )
        try:
            report = verify(
                agency_codes=options["agency"],
                files=options["files"],
                progress=None if quiet else self.stderr.write,
                sources=Sources(keys=options["keys"], checkpoints=options["checkpoints"]),
            )
        except VerifyError as error:
            raise CommandError(
                f"无法核验 (could not run): {error}", returncode=EXIT_CANNOT_RUN
            ) from error
        if options["json"]:
            document = {
                "ok": report.ok(),
                "counts": report.counts(),
                "notes": report.all_notes(),
                "trusted": report.trusted,
                "logs": [status.to_json() for status in report.logs],
                "findings": [finding.to_json() for finding in report.findings],
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(human_report(report, files=options["files"]))
        if not report.ok():
            raise CommandError(
                f"发现 {len(report.findings)} 项篡改或损坏 (tampering or corruption found)",
                returncode=EXIT_TAMPERED,
            )


def human_report(report: Report, *, files: bool) -> str:
    counts = report.counts()
    lines = ["账本核验报告 (casetrail verify)", "", "核验范围 (checked):"]
    lines += [f"  {label}: {counts[key]}" for key, label in COUNT_LABELS]
    checked_files = f"{report.files_checked} files checked" if files else "未核验（加 --files）"
    lines.append(f"  文件 (files): {checked_files}")
    lines.append(f"  待入树 (pending, not an error): {report.pending}")
    trusted = ", ".join(f"{what}: {whose}" for what, whose in report.trusted.items())
    lines.append(f"  采信的副本 (trusted copies): {trusted}")
    lines.append("")
    lines.append("已签名范围 (what the signatures prove):")
    lines += [f"  {status.line()}" for status in report.logs]
    lines.append("")
    if report.all_notes():
        lines.append("说明 (notes):")
        lines += [f"  - {note}" for note in report.all_notes()]
        lines.append("")
    if report.ok():
        lines.append("结论 (result): 完整，未发现篡改 (intact)")
        return "\n".join(lines)
    lines.append(
        f"结论 (result): 发现 {len(report.findings)} 项问题 (tampering or corruption found)"
    )
    lines.append("")
    lines.append("问题清单 (findings):")
    for number, finding in enumerate(report.findings, start=1):
        row = f"{finding.table} #{finding.id}" if finding.id is not None else finding.table
        leaf = f"，账本序号 {finding.ledger_index}" if finding.ledger_index is not None else ""
        lines.append(f"  {number}. [{finding.kind}] {row}{leaf}")
        lines.append(f"     {finding.detail}")
    return "\n".join(lines)
