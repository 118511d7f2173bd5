"""Verification codes (验证码): short, human-typable, derivable before the PDF is rendered.

The code is 60 bits of SHA-256 over the document id and the hash of the final content
(`DocumentFinal.content_sha256`), in Crockford's base32 (no I, L, O, U), as three groups of
four: ``7KQ2-M9XD-4FHT``. An auditor can recompute it from the records; guessing one takes
about 2^59 tries against a rate-limited page. Pure: imports nothing from Django.
"""

from __future__ import annotations

import hashlib

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
_DOMAIN = "casetrail-verify-v1"
# What people type for what they read: Crockford's decoding of look-alike letters.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def verification_code(document_id: int, final_sha256: str) -> str:
    digest = hashlib.sha256(f"{_DOMAIN}:{document_id}:{final_sha256}".encode("ascii")).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * LENGTH)
    chars = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return "-".join(chars[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """The canonical form of a code as someone typed it (any case, spaces or dashes), or None
    if it cannot be a code."""
    chars = "".join(c for c in typed.upper() if c not in " -").translate(_READS_AS)
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return "-".join(chars[i : i + GROUP] for i in range(0, LENGTH, GROUP))
