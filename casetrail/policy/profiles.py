"""Policy profiles: a regulation as data.

Each agency runs under a profile. Every number or list that differs between agencies, or that
REFERENCE.md marks unverified [M], is a profile setting, never a constant in the rules. The
two seed regulations ship as built-in TOML files in ``builtin/``; an agency may load its own,
which is validated key by key so that a broken file is refused with its file, key and reason.

This module loads profiles; the types are in `model.py`, the parser in `parse.py`, and the
names callers use are all importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from casetrail.policy.errors import ProfileError
from casetrail.policy.model import (
    AV_LABELS,
    COMPULSORY_MEASURE_KINDS,
    DECISION_LIMIT_BASES,
    DOCUMENT_KINDS,
    LEFT_AT_ADDRESS_PROOFS,
    PARTY_TYPES,
    PERIOD_UNITS,
    DecisionLimit,
    DecisionLimitBasis,
    HearingThreshold,
    LeftAtAddressProof,
    Period,
    PeriodUnit,
    PolicyProfile,
    RetentionClass,
    SummaryProcedure,
)
from casetrail.policy.parse import parse_profile

__all__ = [
    "AV_LABELS",
    "COMPULSORY_MEASURE_KINDS",
    "DECISION_LIMIT_BASES",
    "DOCUMENT_KINDS",
    "LEFT_AT_ADDRESS_PROOFS",
    "PARTY_TYPES",
    "PERIOD_UNITS",
    "DecisionLimit",
    "DecisionLimitBasis",
    "HearingThreshold",
    "LeftAtAddressProof",
    "Period",
    "PeriodUnit",
    "PolicyProfile",
    "ProfileError",
    "RetentionClass",
    "SummaryProcedure",
    "builtin_profile",
    "builtin_profile_text",
    "builtin_profiles",
    "load_profile",
    "parse_profile",
]

_BUILTIN_DIR = "builtin"
# builtin/ also holds the document catalogue, which is not a profile.
_NOT_PROFILES = frozenset({"catalogue.toml"})


def load_profile(path: Path) -> PolicyProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(path.name, "(文件)", "不是 UTF-8 编码的文本文件") from exc
    return parse_profile(text, source=path.name)


def _builtin_files() -> Mapping[str, Traversable]:
    folder = resources.files("casetrail.policy").joinpath(_BUILTIN_DIR)
    files = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".toml") and e.name not in _NOT_PROFILES),
        key=lambda e: e.name,
    )
    return {entry.name.removesuffix(".toml"): entry for entry in files}


@cache
def builtin_profiles() -> Mapping[str, PolicyProfile]:
    """The profiles shipped with casetrail, by key; each file's key must match its name."""
    profiles: dict[str, PolicyProfile] = {}
    for key, entry in _builtin_files().items():
        profile = parse_profile(entry.read_text(encoding="utf-8"), source=entry.name)
        if profile.key != key:
            reason = f"应与文件名一致（“{key}”），实际为“{profile.key}”"
            raise ProfileError(entry.name, "key", reason)
        profiles[key] = profile
    return MappingProxyType(profiles)


def builtin_profile(key: str) -> PolicyProfile:
    profiles = builtin_profiles()
    if key not in profiles:
        raise _unknown_builtin(key)
    return profiles[key]


def builtin_profile_text(key: str) -> str:
    """The raw TOML of a built-in profile, for an agency to keep its own copy."""
    files = _builtin_files()
    if key not in files:
        raise _unknown_builtin(key)
    return files[key].read_text(encoding="utf-8")


def _unknown_builtin(key: str) -> ProfileError:
    known = "、".join(_builtin_files())
    return ProfileError(f"{key}.toml", "key", f"没有名为“{key}”的内置制度配置（可选：{known}）")
