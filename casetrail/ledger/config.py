"""Deployment choices of the ledger, read from settings in one place."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from casetrail.ledger.merkle import HashFn, hash_function


@functools.cache
def ledger_hash() -> HashFn:
    """SHA-256 by default; SM3 (GB/T 32905) where a deployment chooses it at installation.

    Read once (every append needs it; a settings attribute costs a Python call and a caught
    AttributeError each time) and read again when a test overrides the setting.
    """
    return hash_function(settings.CASETRAIL_LEDGER_HASH)


@functools.cache
def integrate_on_commit() -> bool:
    """Whether an act integrates its agency's log once it commits (`ledger/integrate.py`)."""
    return bool(settings.CASETRAIL_INTEGRATE_ON_COMMIT)


@receiver(setting_changed)
def _forget_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "CASETRAIL_LEDGER_HASH":
        ledger_hash.cache_clear()
    elif setting == "CASETRAIL_INTEGRATE_ON_COMMIT":
        integrate_on_commit.cache_clear()


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
