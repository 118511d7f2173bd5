"""Start-up refuses bad configuration with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CASETRAIL_")
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "casetrail.settings", "CASETRAIL_DATA_DIR": str(tmp_path), **env}
    )
    return subprocess.run(
        [sys.executable, "-c", SETUP], env=environment, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CASETRAIL_DEBUG", "maybe"),
        ("CASETRAIL_DATABASE_URL", "mysql://root@localhost/casetrail"),
        ("CASETRAIL_SECRET_KEY", "short"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = start(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_debug_is_off_unless_set(tmp_path: Path) -> None:
    assert start(tmp_path).stdout.strip() == "False"
    assert start(tmp_path, CASETRAIL_DEBUG="on").stdout.strip() == "True"


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    assert start(tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert start(tmp_path).returncode == 0
    assert key_file.read_text() == first
