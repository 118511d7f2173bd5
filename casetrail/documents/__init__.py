"""Enforcement documents (文书) as PDF, the service floor: rendering and verification codes.

See docs/documents.md. The PDF of a document is rendered from a `Sheet` (`sheet.py`) by a
Django template per kind (generic layout for kinds without their own); `codes.py` makes and
reads the verification code its QR code carries; `models.py` keeps the issued PDF's row. It
imports no case: the domain builds sheets from its records (`casetrail.cases.document_sheets`),
issues the PDF at finalisation (`casetrail.cases.pdf_issue`) and answers the public page
(`casetrail.cases.document_verification`), which lives with the PDF downloads in
`casetrail.web.pdf` (`/v/<code>`).
"""
