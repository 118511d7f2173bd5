"""Guessing passwords: an account is locked at one address after a few failures, for a while."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client: Client, password: str, address: str = "203.0.113.7") -> Any:
    return client.post(
        reverse("login"),
        {"username": "zhang", "password": password},
        REMOTE_ADDR=address,
    )


def travel(monkeypatch: pytest.MonkeyPatch, minutes: int) -> None:
    """Move django-axes' clock (the only thing outside the machine here is time)."""
    later = timezone.now() + timedelta(minutes=minutes)

    def now() -> datetime:
        return later

    monkeypatch.setattr("axes.attempts.now", now)
    monkeypatch.setattr("axes.handlers.proxy.now", now)


def test_fifty_wrong_passwords_lock_the_account_at_that_address_until_the_cooloff(
    world: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN zhang's account WHEN 50 wrong passwords come from one address THEN the right
    password is refused there with the lockout message, and accepted after the cool-off."""
    client = Client()
    with caplog.at_level(logging.WARNING, logger="axes"):
        for guess in range(50):
            assert attempt(client, f"guess-{guess}").status_code in (200, 429)
    assert any("login failure" in record.getMessage() for record in caplog.records)

    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert f"已被锁定 {settings.CASETRAIL_LOGIN_COOLOFF_MINUTES} 分钟" in page
    assert "_auth_user_id" not in client.session

    travel(monkeypatch, settings.CASETRAIL_LOGIN_COOLOFF_MINUTES + 1)
    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="zhang").pk)


def test_the_lock_starts_at_the_failure_limit(world: Any) -> None:
    client = Client()
    for guess in range(settings.CASETRAIL_LOGIN_FAILURE_LIMIT - 1):
        assert attempt(client, f"guess-{guess}").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302  # a success clears the count
    client.logout()
    for guess in range(settings.CASETRAIL_LOGIN_FAILURE_LIMIT):
        attempt(client, f"guess-{guess}")
    assert attempt(client, PASSWORD).status_code == 429


def test_the_lock_holds_the_account_at_that_address_only(world: Any) -> None:
    for guess in range(settings.CASETRAIL_LOGIN_FAILURE_LIMIT):
        attempt(Client(), f"guess-{guess}")
    assert attempt(Client(), PASSWORD).status_code == 429
    assert attempt(Client(), PASSWORD, address="198.51.100.9").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(world: Any, settings: Any) -> None:
    """A client cannot dodge the lock by writing its own X-Forwarded-For entries."""
    settings.CASETRAIL_PROXY_COUNT = 1
    for guess in range(settings.CASETRAIL_LOGIN_FAILURE_LIMIT):
        Client().post(
            reverse("login"),
            {"username": "zhang", "password": f"guess-{guess}"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{guess}, 203.0.113.7",
        )
    response = Client().post(
        reverse("login"),
        {"username": "zhang", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.7",
    )
    assert response.status_code == 429
