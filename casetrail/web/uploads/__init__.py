"""Resumable uploads (tus) and the recording upload page, mounted at ``uploads/``."""
