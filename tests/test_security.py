"""HTTPS, cookies, sessions, passwords, the secret key and the Content-Security-Policy."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


def documented_production_env() -> dict[str, str]:
    """The `export` lines of the README's production settings block, key generated here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Production settings", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "README: the production settings block is missing"
    env = {}
    for line in block.group(1).splitlines():
        if match := re.match(r"export (CASETRAIL_\w+)=(\S+)", line):
            env[match[1]] = match[2]
    assert env.pop("CASETRAIL_SECRET_KEY") == '"$(cat'  # read from a file at deployment
    env["CASETRAIL_SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(tmp_path: Path, code: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    # The production environment: none of ours, nor the test suite's async-safety switch.
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CASETRAIL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "casetrail.settings", "CASETRAIL_DATA_DIR": str(tmp_path)}
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, *code], env=environment, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    result = run(tmp_path, ["-m", "casetrail", "check", "--deploy"], **documented_production_env())
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout + result.stderr


def test_check_deploy_warns_without_secure_cookies(tmp_path: Path) -> None:
    env = documented_production_env()
    del env["CASETRAIL_SECURE_COOKIES"]
    result = run(tmp_path, ["-m", "casetrail", "check", "--deploy"], **env)
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


HTTPS_PROBE = """
import django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
plain = Client().get("/login/", HTTP_HOST="localhost")
print("redirect", plain.status_code, plain["Location"])
page = Client().get("/login/", secure=True, HTTP_HOST="localhost")
print("hsts", page["Strict-Transport-Security"])
cookie = page.cookies["csrftoken"]
print("csrf", bool(cookie["secure"]), bool(cookie["httponly"]))
from django.conf import settings
print("session", settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)
"""


def test_secure_cookies_turn_on_https_redirect_hsts_and_secure_httponly_cookies(
    tmp_path: Path,
) -> None:
    env = documented_production_env()
    env["CASETRAIL_ALLOWED_HOSTS"] = "localhost"
    result = run(tmp_path, ["-c", HTTPS_PROBE], **env)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["redirect"] == "301 https://localhost/login/"
    assert lines["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert lines["csrf"] == "True True"
    assert lines["session"] == "True True"


def test_without_secure_cookies_there_is_no_redirect_and_no_hsts(tmp_path: Path) -> None:
    probe = HTTPS_PROBE.replace('plain["Location"]', '"Strict-Transport-Security" in plain')
    result = run(tmp_path, ["-c", probe.split('print("hsts"')[0]])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redirect", "200", "False"]


@pytest.mark.parametrize(
    "key",
    [
        "x" * 49 + "y",  # two different characters
        secrets.token_urlsafe(30),  # 40 characters
        "django-insecure-" + secrets.token_urlsafe(50),
    ],
    ids=["few-characters", "too-short", "django-sample"],
)
def test_a_weak_secret_key_stops_start_up(tmp_path: Path, key: str) -> None:
    result = run(tmp_path, ["-c", "import django; django.setup()"], CASETRAIL_SECRET_KEY=key)
    assert result.returncode != 0
    assert "CASETRAIL_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CASETRAIL_SESSION_HOURS", "0"),
        ("CASETRAIL_LOGIN_FAILURE_LIMIT", "0"),
        ("CASETRAIL_LOGIN_COOLOFF_MINUTES", "soon"),
        ("CASETRAIL_PASSWORD_MIN_LENGTH", "6"),
        ("CASETRAIL_PROXY_COUNT", "-1"),
    ],
)
def test_a_bad_login_setting_stops_start_up(tmp_path: Path, variable: str, value: str) -> None:
    result = run(tmp_path, ["-c", "import django; django.setup()"], **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_the_settings_follow_their_variables(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.contrib.auth.password_validation import get_default_password_validators "
        "as v; print(s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, "
        "[x.min_length for x in v() if hasattr(x, 'min_length')][0])"
    )
    result = run(
        tmp_path,
        ["-c", code],
        CASETRAIL_SESSION_HOURS="2",
        CASETRAIL_LOGIN_FAILURE_LIMIT="3",
        CASETRAIL_LOGIN_COOLOFF_MINUTES="30",
        CASETRAIL_PASSWORD_MIN_LENGTH="16",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7200", "3", "0:30:00", "16"]


@pytest.mark.django_db
def test_a_login_lasts_the_session_hours(world: Any) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "zhang", "password": "persona-pass-2026"})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.CASETRAIL_SESSION_HOURS * 3600
    assert client.cookies["sessionid"]["httponly"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Kd8#qz!w2", "密码太短：至少需要 12 个字符"),
        ("123456789012345", "密码只包含数字"),
        ("password12345", "太常见"),
        ("zhangwei-2026!", "相似"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password: str, message: str) -> None:
    from django.contrib.auth.models import User

    user = User(username="zhangwei", first_name="张伟")
    with translation.override(settings.LANGUAGE_CODE), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message in text for text in refused.value.messages), refused.value.messages


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password("tQ7-vellum-harbour-19")


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy() -> None:
    response = Client().get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = {
        name: value
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
    }
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
