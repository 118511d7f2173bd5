"""The same record renders to the same bytes: twice in a process, and in another process.

This is what lets the hash recorded at issuance be re-checked later (`casetrail render`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from casetrail.documents.render import render_pdf
from casetrail.policy.catalogue import builtin_catalogue
from tests.documents.samples import sample_sheet

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys, django
django.setup()
from casetrail.documents.render import render_pdf
from casetrail.policy.catalogue import builtin_catalogue
from tests.documents.samples import sample_sheet
sys.stdout.buffer.write(render_pdf(sample_sheet(builtin_catalogue()[sys.argv[1]])))
"""


@pytest.mark.parametrize("state", ["final", "draft", "blank"])
def test_twice_in_one_process(state: str) -> None:
    kind = builtin_catalogue()["decision"]
    assert render_pdf(sample_sheet(kind, state)) == render_pdf(sample_sheet(kind, state))  # type: ignore[arg-type]


def test_in_another_process(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
        "CASETRAIL_DATA_DIR": str(settings.DATA_DIR),
        "PYTHONHASHSEED": "12345",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "inquiry_transcript"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        check=True,
        timeout=120,
    )
    here = render_pdf(sample_sheet(builtin_catalogue()["inquiry_transcript"]))
    assert result.stdout == here


def test_a_different_record_renders_differently() -> None:
    kind = builtin_catalogue()["decision"]
    first, second = sample_sheet(kind, document_id=7), sample_sheet(kind, document_id=8)
    assert render_pdf(first) != render_pdf(second)
