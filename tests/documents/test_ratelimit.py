"""The /v/ limiter: a sliding window per client address, counted in the database by every
process together."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.documents.models import RateHit

LOOKUP = "/v/"


def statuses(client: Client, count: int) -> list[int]:
    return [client.get(reverse("verify-lookup")).status_code for _ in range(count)]


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


@pytest.mark.django_db
def test_the_window_slides_rather_than_restarting_each_minute(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """GIVEN a limit of 3 WHEN 3 requests come at 10:00:59 THEN one at 10:01:01 is refused
    (a fixed per-minute window would let it through), and at 10:02:00 the address is free."""
    settings.CASETRAIL_VERIFY_RATE_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="198.51.100.1")
    at(monkeypatch, datetime(2026, 12, 5, 10, 0, 59, tzinfo=UTC))
    assert statuses(client, 3) == [200, 200, 200]
    at(monkeypatch, datetime(2026, 12, 5, 10, 1, 1, tzinfo=UTC))
    assert statuses(client, 1) == [429]
    at(monkeypatch, datetime(2026, 12, 5, 10, 2, 0, tzinfo=UTC))
    assert statuses(client, 3) == [200, 200, 429]  # the 10:01:01 request still counts


@pytest.mark.django_db
def test_expired_hits_are_removed(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    start = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)
    at(monkeypatch, start)
    statuses(Client(REMOTE_ADDR="198.51.100.1"), 3)
    at(monkeypatch, start + timedelta(minutes=5))
    statuses(Client(REMOTE_ADDR="198.51.100.2"), 1)
    assert list(RateHit.objects.values_list("address", flat=True)) == ["198.51.100.2"]


@pytest.mark.django_db
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings: Settings) -> None:
    settings.CASETRAIL_VERIFY_RATE_PER_MINUTE = 2
    settings.CASETRAIL_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2")
    answers = [
        client.get(LOOKUP, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7").status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
    other = client.get(LOOKUP, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code
    assert other == 200


PROBE = """
import sys, django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(REMOTE_ADDR="198.51.100.77")
print(" ".join(str(client.get("/v/").status_code) for _ in range(int(sys.argv[1]))))
"""


def database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user, host, port = params["USER"], params["HOST"], params["PORT"]
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


def another_process(requests: int, data_dir: str) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETRAIL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="casetrail.settings",
        CASETRAIL_DATA_DIR=data_dir,
        CASETRAIL_DATABASE_URL=database_url(),
        CASETRAIL_VERIFY_RATE_PER_MINUTE="3",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(requests)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [int(status) for status in result.stdout.split()]


@pytest.mark.django_db(transaction=True)
def test_two_processes_count_together(tmp_path: Any, settings: Settings) -> None:
    """GIVEN a limit of 3 WHEN one process serves 2 requests of an address THEN another serves
    its third and refuses its fourth, and this process (a third connection) refuses too."""
    settings.CASETRAIL_VERIFY_RATE_PER_MINUTE = 3
    assert another_process(2, str(tmp_path)) == [200, 200]
    assert another_process(2, str(tmp_path)) == [200, 429]
    assert statuses(Client(REMOTE_ADDR="198.51.100.77"), 1) == [429]


@pytest.mark.django_db(transaction=True)
def test_processes_at_the_same_time_never_pass_more_than_the_limit(tmp_path: Any) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda _: another_process(4, str(tmp_path)), range(3)))
    answers = [status for run in runs for status in run]
    assert len(answers) == 12
    assert 1 <= answers.count(200) <= 3
    assert answers.count(429) == 12 - answers.count(200)
