"""What poppler and zbar see in a PDF: its text, fonts, images, metadata and QR codes."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path


def _run(*args: str, data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            [a.replace("{pdf}", str(path)).replace("{dir}", folder) for a in args],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return result.stdout.decode("utf-8")


def text(pdf: bytes) -> str:
    """The text in drawing order (-raw): a table cell is not interleaved with its label."""
    return _run("pdftotext", "-raw", "-enc", "UTF-8", "{pdf}", "-", data=pdf)


def squeezed(value: str) -> str:
    """Without any whitespace: a value wraps anywhere in a printed paragraph."""
    return re.sub(r"\s+", "", value)


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' table: name, type, emb, sub, uni of each font."""
    lines = _run("pdffonts", "{pdf}", data=pdf).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name, type (several words), encoding, emb, sub, uni, object, generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def info(pdf: bytes) -> str:
    """pdfinfo's summary and the XMP metadata."""
    return _run("pdfinfo", "-meta", "{pdf}", data=pdf)


def pages(pdf: bytes) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", "{pdf}", data=pdf), re.M)
    assert match is not None
    return int(match.group(1))


def image_count(pdf: bytes) -> int:
    """Images drawn on the pages (not their transparency masks)."""
    lines = _run("pdfimages", "-list", "{pdf}", data=pdf).splitlines()[2:]
    return sum(1 for line in lines if line.split()[2] == "image")


def qr_codes(pdf: bytes) -> list[str]:
    """Every QR code zbarimg decodes on the PDF's pages (rendered at 150 dpi)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", str(path), f"{folder}/page"],
            check=True,
            timeout=60,
        )
        found = []
        for image in sorted(Path(folder).glob("page*.png")):
            result = subprocess.run(
                ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                capture_output=True,
                timeout=60,
                check=False,
            )
            found += [line for line in result.stdout.decode("utf-8").splitlines() if line]
        return found
