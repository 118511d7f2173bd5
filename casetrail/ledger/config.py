"""Deployment choices of the ledger, read from settings in one place."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from casetrail.ledger.merkle import HashFn, hash_function


def ledger_hash() -> HashFn:
    """SHA-256 by default; SM3 (GB/T 32905) where a deployment chooses it at installation."""
    return hash_function(settings.CASETRAIL_LEDGER_HASH)


def log_origin(agency_code: str) -> str:
    """The checkpoint origin line (and signing key name) of an agency's log."""
    return f"{settings.CASETRAIL_LOG_ORIGIN}/{agency_code}"


def key_path(agency_code: str) -> Path:
    return Path(settings.CASETRAIL_KEY_DIR) / f"{agency_code}.ed25519"


def public_key_path(agency_code: str) -> Path:
    return Path(settings.CASETRAIL_KEY_DIR) / f"{agency_code}.pub"


def offsite_dir() -> Path | None:
    configured = settings.CASETRAIL_OFFSITE_DIR
    return Path(configured) if configured else None
