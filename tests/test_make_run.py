"""`make run HOST=… PORT=…`: the server and the QR codes use the same address (#16, 18)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args: str, env: dict[str, str] | None = None) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "CASETRAIL_PUBLIC_URL"}
    environment.update(env or {})
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_public_url_follows_host_and_port() -> None:
    out = _dry_run("HOST=10.1.2.3", "PORT=9000")
    assert "runserver --noreload 10.1.2.3:9000" in out
    assert "CASETRAIL_PUBLIC_URL): http://10.1.2.3:9000" in out


def test_the_default_is_the_local_address() -> None:
    out = _dry_run()
    assert "runserver --noreload 127.0.0.1:8000" in out
    assert "CASETRAIL_PUBLIC_URL): http://127.0.0.1:8000" in out


def test_a_public_url_given_is_kept() -> None:
    out = _dry_run("PORT=9000", env={"CASETRAIL_PUBLIC_URL": "https://zf.example.gov.cn"})
    assert "CASETRAIL_PUBLIC_URL): https://zf.example.gov.cn" in out


def test_the_readme_names_host_and_port() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run HOST=" in readme
    assert "PORT=" in readme
