"""`casetrail ledger …`: integrate, publish checkpoints, print proofs and public keys."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.ledger import proofs
from casetrail.ledger.checkpoints import AgencyLog, publish, verifier
from casetrail.ledger.integrate import integrate_all
from casetrail.ledger.selectors import agency_logs, find_agency_log


class Command(BaseCommand):
    help = "账本：入树、发布签名检查点、输出证明与公钥"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        for verb, text in (
            ("integrate", "把已记录的行为编入默克尔树"),
            ("checkpoint", "发布签名检查点"),
        ):
            one = sub.add_parser(verb, help=text)
            one.add_argument("--agency", help="机关代码或简称（默认：全部）")
        checkpoint = sub.choices["checkpoint"]
        checkpoint.add_argument("--force", action="store_true", help="树未增长也重新输出最新检查点")
        prove = sub.add_parser("prove", help="某一叶子的包含证明（JSON）")
        prove.add_argument("agency")
        prove.add_argument("index", type=int)
        prove.add_argument("--size", type=int, help="检查点的树大小（默认：最新）")
        consistency = sub.add_parser("consistency", help="两个树大小之间的一致性证明（JSON）")
        consistency.add_argument("agency")
        consistency.add_argument("m", type=int)
        consistency.add_argument("n", type=int)
        key = sub.add_parser("public-key", help="机关签名公钥（C2SP note 验证密钥格式）")
        key.add_argument("agency")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb in ("integrate", "checkpoint"):
            for log in self._logs(options.get("agency")):
                self._publish(log, verb, force=options.get("force", False))
            return
        log = self._log(options["agency"])
        try:
            if verb == "prove":
                document = proofs.inclusion(log, options["index"], options.get("size"))
            elif verb == "consistency":
                document = proofs.consistency(log, options["m"], options["n"])
            else:
                self.stdout.write(verifier(log).key_string())
                return
        except proofs.ProofRequestError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))

    def _publish(self, log: AgencyLog, verb: str, *, force: bool) -> None:
        if verb == "integrate":
            self.stdout.write(f"{log.origin}: {integrate_all(log.agency_id)} 条已入树")
            return
        checkpoint = publish(log, force=force)
        if checkpoint is None:
            self.stdout.write(f"{log.origin}: 树未增长，未发布新检查点")
        else:
            self.stdout.write(checkpoint.note)

    def _logs(self, wanted: str | None) -> list[AgencyLog]:
        return [self._log(wanted)] if wanted else agency_logs()

    def _log(self, wanted: str) -> AgencyLog:
        log = find_agency_log(wanted)
        if log is None:
            raise CommandError(f"agency: 没有代码或简称为 {wanted!r} 的执法机关")
        return log
