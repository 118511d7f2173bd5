"""Enforcement documents (文书) as PDF: rendering, issuance at finalisation, public verification.

See docs/documents.md. The PDF of a document is rendered from its record by a Django template
per kind (generic layout for kinds without their own), stored as a blob when the document is
finalised, and its SHA-256 recorded in the same ledger entry; anyone can check a printed copy
at `/v/<code>` through the QR code it carries.
"""
