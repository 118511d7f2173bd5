"""What the coverage tests share: `casetrail verify --json` and its findings, with keys in place."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import Settings

Document = dict[str, Any]


def use_ledger_dirs(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = ""


def run_verify(*args: str) -> tuple[int, Document]:
    """Run `casetrail verify --json`; return its exit status and its JSON document."""
    out = io.StringIO()
    try:
        call_command("verify", "--json", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, json.loads(out.getvalue()) if out.getvalue() else {}
    return 0, json.loads(out.getvalue())


def located(document: Document, kind: str, table: str) -> list[Document]:
    return [f for f in document["findings"] if f["kind"] == kind and f["table"] == table]
