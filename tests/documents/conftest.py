"""Fixtures of the document tests: the poppler and zbar tools."""

from __future__ import annotations

import os
import shutil

import pytest

PDF_TOOLS = ("pdftotext", "pdffonts", "pdfinfo", "pdfimages", "pdftoppm", "zbarimg")


@pytest.fixture(scope="session")
def pdf_tools() -> None:
    """poppler-utils and zbar-tools: skipped without them locally, required in CI."""
    missing = [tool for tool in PDF_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    required = os.environ.get("CASETRAIL_REQUIRE_PDF_TOOLS") or os.environ.get(
        "CASETRAIL_REQUIRE_BROWSER"
    )
    message = f"{', '.join(missing)} missing (apt-get install poppler-utils zbar-tools)"
    if required:
        pytest.fail(f"CASETRAIL_REQUIRE_PDF_TOOLS is set but {message}")
    pytest.skip(message)
