"""`casetrail worker`: background work as a plain loop, no broker (healthchecks' habit).

Integrates recorded acts, and publishes a checkpoint per agency after every
CASETRAIL_CHECKPOINT_EVERY entries or CASETRAIL_CHECKPOINT_SECONDS seconds; at the start of
each round, completes a publication that a crash interrupted (`complete_publication`).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from casetrail import clock
from casetrail.ledger.checkpoints import (
    AgencyLog,
    complete_publication,
    latest_checkpoint,
    publish,
)
from casetrail.ledger.integrate import integrate_all
from casetrail.ledger.models import LogHead
from casetrail.ledger.selectors import agency_logs


def checkpoint_due(log: AgencyLog) -> bool:
    size = LogHead.objects.get(agency_id=log.agency_id).size
    latest = latest_checkpoint(log.agency_id)
    if latest is None:
        return size > 0
    if size - latest.size >= settings.CASETRAIL_CHECKPOINT_EVERY:
        return True
    age = (clock.now() - latest.published_at).total_seconds()
    return size > latest.size and age >= settings.CASETRAIL_CHECKPOINT_SECONDS


def run_once() -> list[str]:
    """One round over every agency; returns the origins that got a new checkpoint.

    Each round first completes a publication a crash left without its off-site copy.
    """
    published = []
    for log in agency_logs():
        complete_publication(log)
        integrate_all(log.agency_id)
        if checkpoint_due(log) and publish(log) is not None:
            published.append(log.origin)
    return published


class Command(BaseCommand):
    help = "后台任务：入树、按条数或时间发布检查点"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一轮")
        parser.add_argument("--interval", type=float, default=5.0, help="两轮之间的秒数")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            close_old_connections()
            for origin in run_once():
                self.stdout.write(f"{origin}: 已发布检查点")
            if options["once"]:
                return
            time.sleep(options["interval"])
