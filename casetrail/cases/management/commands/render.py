"""`casetrail render --all OUTDIR` / `casetrail render DOCUMENT_ID FILE`: documents as PDF.

Each final document is rendered again from its records and compared with the PDF issued when
it was finalised: the same bytes show that the records and the renderer are unchanged. Exit
status 0 when every rendered PDF equals its issued one, 1 when one differs (the issued file in
the blob store stays the original; see docs/documents.md, "Determinism"), 2 on a usage error.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.document_sheets import document_sheet
from casetrail.cases.documents import Document
from casetrail.documents.models import IssuedPdf
from casetrail.documents.render import pdf_file_name, render_pdf, renderer_version

EXIT_DIFFERENT = 1
EXIT_USAGE = 2


def file_name(document: Document) -> str:
    """By 文号; a kind without one by case number, title and id."""
    final = getattr(document, "final", None)
    if final is not None and final.number:
        return pdf_file_name(final.number)
    return pdf_file_name(f"{document.case.case_number}-{document.title}-{document.pk}")


class Command(BaseCommand):
    help = "把文书生成为PDF：--all OUTDIR 生成全部已定稿文书，或 DOCUMENT_ID FILE 生成一份"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="生成全部已定稿文书到 OUTDIR")
        parser.add_argument("paths", nargs="+", metavar="ARG", help="OUTDIR，或 DOCUMENT_ID FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[str] = options["paths"]
        if options["all"]:
            if len(paths) != 1:
                raise CommandError("用法：casetrail render --all OUTDIR", returncode=EXIT_USAGE)
            outdir = Path(paths[0])
            outdir.mkdir(parents=True, exist_ok=True)
            documents = Document.objects.filter(final__isnull=False).order_by("pk")
            jobs = [(d, outdir / file_name(d)) for d in documents.select_related("case__agency")]
        else:
            if len(paths) != 2 or not paths[0].isdigit():
                raise CommandError("用法：casetrail render DOCUMENT_ID FILE", returncode=EXIT_USAGE)
            document = Document.objects.filter(pk=int(paths[0])).first()
            if document is None:
                raise CommandError(f"文书 {paths[0]} 不存在", returncode=EXIT_USAGE)
            jobs = [(document, Path(paths[1]))]
        different = sum(not self._render(document, target) for document, target in jobs)
        self.stdout.write(f"生成 {len(jobs)} 份PDF (rendered)，{different} 份与签发件不同")
        if different:
            raise CommandError(
                f"{different} 份PDF与签发时不同 (differs from the issued PDF)",
                returncode=EXIT_DIFFERENT,
            )

    def _render(self, document: Document, target: Path) -> bool:
        """Render one; False if it differs from the PDF issued for it."""
        pdf = render_pdf(document_sheet(document))
        target.write_bytes(pdf)
        sha256 = hashlib.sha256(pdf).hexdigest()
        issued = IssuedPdf.objects.filter(document=document).first()
        if issued is None:
            note, same = "无签发记录 (no issued PDF: draft or finalised before PDFs)", True
        elif issued.sha256 == sha256:
            note, same = "与签发件逐字节相同 (identical to the issued PDF)", True
        else:
            note, same = f"与签发件不同 (differs; issued {issued.sha256[:16]}…)", False
            if issued.renderer != renderer_version():
                note += f"；签发时的生成软件和模板 (issued with): {issued.renderer}"
        self.stdout.write(f"{target}  {sha256[:16]}…  {note}")
        return same
