"""`casetrail set_legal_review USERNAME --agency 栾统 [--revoke]`: record 法律职业资格.

An agency's legal reviewers (法制审核人员, 行政处罚法 第58条 第2款) are its reviewers who hold
法律职业资格; this records (or withdraws) the qualification through its act, in the agency's
log. Exit 0 recorded, 1 refused (what is wrong on stderr).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.actions.setup import do_set_legal_review
from casetrail.cases.models import Agency, Officer


class Command(BaseCommand):
    help = "登记（或撤销）执法人员的法律职业资格，使其可任本机关法制审核人员；记入账本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="执法人员的登录名")
        parser.add_argument("--agency", required=True, help="机关简称（如 栾统）")
        parser.add_argument("--revoke", action="store_true", help="撤销资格")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(short_name=options["agency"]).first()
        if agency is None:
            raise CommandError(f"agency: 没有简称为“{options['agency']}”的机关")
        officer = Officer.objects.filter(
            user__username=options["username"], memberships__agency=agency
        ).first()
        if officer is None:
            raise CommandError(f"username: {options['username']} 不是{agency.name}的人员")
        qualified = not options["revoke"]
        do_set_legal_review(acting_user=None, officer=officer, agency=agency, qualified=qualified)
        state = "已登记法律职业资格" if qualified else "已撤销法律职业资格"
        self.stdout.write(self.style.SUCCESS(f"{officer.name}（{agency.short_name}）{state}"))
