"""`casetrail revoke_ingest_token ID`: revoke an ingest station's token at once (ledgered)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.actions.ingest_tokens import do_revoke_ingest_token
from casetrail.evidence.models import IngestToken
from casetrail.procedure.errors import RuleViolation


class Command(BaseCommand):
    help = "撤销采集站令牌（撤销后使用该令牌的请求一律返回 401）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token_id", type=int, help="签发时显示的令牌编号")

    def handle(self, *args: Any, **options: Any) -> None:
        token = IngestToken.objects.filter(pk=options["token_id"]).first()
        if token is None:
            raise CommandError(f"token_id: 没有编号为 {options['token_id']} 的采集站令牌")
        try:
            token = do_revoke_ingest_token(acting_user=None, token=token)
        except RuleViolation as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(self.style.SUCCESS(f"已撤销令牌 #{token.pk}（{token.label}）"))
