"""`casetrail verify`: each stored RFC 3161 token checked in full.

A checkpoint's token (`checkpoints.py`) proves that its signed note existed at the token's
genTime, but only if the token is genuine. With trust anchors configured
(``CASETRAIL_TSA_CERTS``: a PEM file or a folder of PEM files) a token must pass, through the
`rfc3161-client` library:

- its CMS signature, made by a certificate with the critical timeStamping extended key usage
  that chains to one of the anchors (valid at genTime);
- its message imprint, equal to the SHA-256 of the checkpoint's note (`note_digest`);
- its nonce, equal to the one the worker sent and stored with the checkpoint;

and, here, its genTime within ``CASETRAIL_TSA_TOLERANCE_SECONDS`` of the checkpoint's
publication time. The parts of a token the CMS signature does not cover are held to what RFC
5652 and RFC 3161 allow, so that no byte of a token can change unnoticed: every certificate it
carries is an anchor or issued under one, the versions are those RFC 5652 prescribes, and the
signer's stated algorithm fits its key and digest.

Without anchors a token can only be read: its imprint, nonce and genTime are checked, but who
signed it is not. Such tokens are counted as ``timestamps_unchained`` and never reported as
verified.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

from casetrail.ledger.checkpoints import AgencyLog, note_digest
from casetrail.ledger.timestamp import TimestampError, TimestampInfo, parse_response, token_of
from casetrail.ledger.verify_findings import (
    CHECKPOINT_TABLE,
    TIMESTAMP_INVALID,
    Finding,
    VerifyError,
    short,
)

__all__ = [
    "Expected",
    "TokenVerifier",
    "check_offsite_token",
    "check_token",
    "copies_differ",
    "load_anchors",
    "token_verifier",
]

_ANCHOR_SUFFIXES = frozenset({".pem", ".crt", ".cer"})
# The signature algorithms (asn1crypto's names) a signer's key type may produce.
_KEY_SIGNATURES = {
    "rsa": frozenset({"rsassa_pkcs1v15", "rsassa_pss"}),
    "rsassa_pss": frozenset({"rsassa_pss"}),
    "ec": frozenset({"ecdsa"}),
    "ed25519": frozenset({"ed25519"}),
    "ed448": frozenset({"ed448"}),
}


# What parsing a damaged token or certificate raises (certificates are parsed lazily, so the
# verification steps raise them too); each is a verdict on the token, not a failure of verify.
_DAMAGED = (ValueError, TypeError, KeyError, x509.InvalidVersion, UnsupportedAlgorithm)


@dataclass(frozen=True)
class Expected:
    """What a checkpoint's token must stamp: its note, its stored nonce, its publication time.

    ``nonce`` is None for checkpoints published before nonces were stored; ``published_at``
    is None for an off-site copy whose row is gone (reported on its own). ``tsa_url`` is the
    authority the row says stamped it (empty if none did).
    """

    note: str
    nonce: int | None
    published_at: datetime | None
    tsa_url: str = ""


def load_anchors(path: Path | None) -> list[x509.Certificate] | None:
    """The trust anchors in *path* (a PEM file, or a folder of .pem/.crt/.cer files).

    None when no path is configured; a configured path that yields no certificate means
    verify cannot run (VerifyError), never that tokens go unchecked.
    """
    if path is None:
        return None
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _ANCHOR_SUFFIXES)
    elif path.is_file():
        files = [path]
    else:
        raise VerifyError(f"CASETRAIL_TSA_CERTS: {path} 不存在 (no such file or folder)")
    anchors: list[x509.Certificate] = []
    for file in files:
        try:
            anchors.extend(x509.load_pem_x509_certificates(file.read_bytes()))
        except (OSError, ValueError) as error:
            raise VerifyError(
                f"CASETRAIL_TSA_CERTS: {file} 不是可读的 PEM 证书文件 ({error})"
            ) from error
    if not anchors:
        raise VerifyError(f"CASETRAIL_TSA_CERTS: {path} 中没有 PEM 证书 (no certificate found)")
    # One certificate in two files is one anchor (the library refuses a root given twice).
    unique = {anchor.public_bytes(Encoding.DER): anchor for anchor in anchors}
    return list(unique.values())


def token_verifier() -> TokenVerifier:
    """A verifier configured from the settings (anchors and genTime tolerance)."""
    return TokenVerifier(
        load_anchors(settings.CASETRAIL_TSA_CERTS),
        timedelta(seconds=settings.CASETRAIL_TSA_TOLERANCE_SECONDS),
    )


class TokenVerifier:
    """Checks tokens and counts them: `verified` against the anchors, or `unchained`."""

    def __init__(self, anchors: list[x509.Certificate] | None, tolerance: timedelta) -> None:
        self.anchors = anchors
        self.tolerance = tolerance
        self.verified = 0
        self.unchained = 0

    def problem(self, token: bytes, expected: Expected) -> str | None:
        """Why *token* is not a genuine time-stamp of *expected*, or None if it is."""
        try:
            info = parse_response(token)
        except TimestampError as error:
            return f"其 RFC 3161 时间戳令牌无法读取 (its token cannot be read: {error})"
        stated = _stated_problem(info, expected, self.tolerance)
        if stated is not None:
            return stated
        if self.anchors is None:
            self.unchained += 1
            return None
        chained = _chain_problem(token, expected, self.anchors)
        if chained is not None:
            return chained
        self.verified += 1
        return None


def _stated_problem(info: TimestampInfo, expected: Expected, tolerance: timedelta) -> str | None:
    """What the token states, against the checkpoint: imprint, nonce, genTime."""
    digest = note_digest(expected.note)
    if info.hash_algorithm != "sha256" or info.message_imprint != digest:
        return (
            f"其 RFC 3161 时间戳令牌（{info.gen_time.isoformat()}）盖的是 "
            f"{info.hash_algorithm}:{short(info.message_imprint)}，不是检查点签名文本的 sha256 "
            f"{short(digest)} (the token stamps other data: the note or its token was replaced)"
        )
    if expected.nonce is not None and info.nonce != expected.nonce:
        return (
            f"其 RFC 3161 时间戳令牌的随机数 {info.nonce} 不是发布时请求的 {expected.nonce} "
            "(the token answers another request: it was replaced)"
        )
    if expected.published_at is not None:
        off = abs(info.gen_time - expected.published_at)
        if off > tolerance:
            return (
                f"其 RFC 3161 时间戳令牌的时间 {info.gen_time.isoformat()} 与检查点发布时间 "
                f"{expected.published_at.isoformat()} 相差 {int(off.total_seconds())} 秒，"
                f"超过允许的 {int(tolerance.total_seconds())} 秒 "
                "(genTime outside CASETRAIL_TSA_TOLERANCE_SECONDS)"
            )
    return None


def _chain_problem(token: bytes, expected: Expected, anchors: list[x509.Certificate]) -> str | None:
    """The CMS signature and chain (rfc3161-client), then what the signature does not cover."""
    try:
        bare = token_of(token)
        if bare != token and tsp.TimeStampResp.load(token)["status"]["status"].native != "granted":
            return "其 RFC 3161 时间戳应答的状态不是 granted (the response's status was changed)"
        content_info = cms.ContentInfo.load(bare, strict=True)
        response = decode_timestamp_response(_der_response(content_info))
    except (TimestampError, ValueError, TypeError, KeyError) as error:
        return f"其 RFC 3161 时间戳令牌无法读取 (its token cannot be read: {error})"
    builder = VerifierBuilder()
    for anchor in anchors:
        builder = builder.add_root_certificate(anchor)
    if expected.nonce is not None:
        builder = builder.nonce(expected.nonce)
    try:
        builder.build().verify(response, note_digest(expected.note))
    except (VerificationError, *_DAMAGED) as error:
        return (
            "其 RFC 3161 时间戳令牌的签名或证书链未通过 CASETRAIL_TSA_CERTS 中信任锚的核验 "
            f"(signature or TSA certificate chain does not verify: {error})"
        )
    try:
        unsigned = _unsigned_problem(content_info, anchors)
    except _DAMAGED as error:
        unsigned = f"malformed: {error}"
    if unsigned is not None:
        return f"其 RFC 3161 时间戳令牌中签名未覆盖的部分被改动 ({unsigned})"
    return None


def _der_response(content_info: cms.ContentInfo) -> bytes:
    """A granted TimeStampResp around the token, its certificate SET in DER order.

    OpenSSL writes the certificates of a SignedData in the order it added them (BER);
    rfc3161-client parses strict DER. The SET is outside what the signature covers, so
    sorting it changes nothing the TSA signed.
    """
    signed_data = content_info["content"]
    certificates = signed_data["certificates"]
    if len(certificates):
        signed_data["certificates"] = cms.CertificateSet(list(certificates))
    response = tsp.TimeStampResp(
        {"status": {"status": "granted"}, "time_stamp_token": content_info}
    )
    return bytes(response.dump())


def _unsigned_problem(content_info: cms.ContentInfo, anchors: list[x509.Certificate]) -> str | None:
    signed_data = content_info["content"]
    if signed_data["version"].native != "v3":
        return f"SignedData version {signed_data['version'].native}, RFC 5652 requires v3"
    [signer] = signed_data["signer_infos"]
    sid_kind = signer["sid"].name
    want = "v1" if sid_kind == "issuer_and_serial_number" else "v3"
    if signer["version"].native != want:
        return f"SignerInfo version {signer['version'].native}, RFC 5652 requires {want}"
    digest = signer["digest_algorithm"]["algorithm"].native
    listed = {item["algorithm"].native for item in signed_data["digest_algorithms"]}
    if digest not in listed:
        return f"the signer's digest {digest} is not among SignedData's {sorted(listed)}"
    carried = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed_data["certificates"]]
    untrusted = _outside_anchors(carried, anchors)
    if untrusted:
        return "it carries a certificate not issued under the trust anchors: " + "; ".join(
            cert.subject.rfc4514_string() for cert in untrusted
        )
    return _algorithm_problem(signer, signed_data["certificates"])


def _outside_anchors(
    carried: list[x509.Certificate], anchors: list[x509.Certificate]
) -> list[x509.Certificate]:
    """The carried certificates that are neither an anchor nor issued (signed) under one.

    A carried copy of an anchor must be the anchor byte for byte: a changed copy may still
    verify under the anchor's own key where a signature's encoding is read leniently.
    """
    trusted = list(anchors)
    anchor_ders = {anchor.public_bytes(Encoding.DER) for anchor in anchors}
    anchor_names = {(anchor.subject, _key_bytes(anchor)) for anchor in anchors}
    altered = [
        c
        for c in carried
        if c.public_bytes(Encoding.DER) not in anchor_ders
        and (c.subject, _key_bytes(c)) in anchor_names
    ]
    pending = [
        c for c in carried if c.public_bytes(Encoding.DER) not in anchor_ders and c not in altered
    ]
    progress = True
    while pending and progress:
        progress = False
        for cert in list(pending):
            if any(_issued_by(cert, issuer) for issuer in trusted):
                trusted.append(cert)
                pending.remove(cert)
                progress = True
    return altered + pending


def _key_bytes(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_signer(sid: cms.SignerIdentifier, cert: Any) -> bool:
    if sid.name == "issuer_and_serial_number":
        return bool(
            cert.issuer == sid.chosen["issuer"]
            and cert.serial_number == sid.chosen["serial_number"].native
        )
    return bool(cert.key_identifier == sid.chosen.native)


def _algorithm_problem(signer: cms.SignerInfo, certificates: cms.CertificateSet) -> str | None:
    """The SignerInfo's signature algorithm must fit the signer's key and digest."""
    signer_cert = next(
        (c.chosen for c in certificates if _is_signer(signer["sid"], c.chosen)), None
    )
    algorithm = signer["signature_algorithm"]
    try:
        kind = algorithm.signature_algo
    except ValueError as error:
        return f"unknown signature algorithm {algorithm['algorithm'].dotted} ({error})"
    if signer_cert is not None:
        key_type = signer_cert.public_key.algorithm
        if kind not in _KEY_SIGNATURES.get(key_type, frozenset()):
            return f"signature algorithm {kind} does not fit the signer's {key_type} key"
    try:
        implied = algorithm.hash_algo
    except ValueError:
        return None  # rsaEncryption and ECDSA without a hash name none: the digest decides.
    digest = signer["digest_algorithm"]["algorithm"].native
    if implied != digest:
        return f"signature algorithm {algorithm['algorithm'].native} names {implied}, not {digest}"
    return None


def check_token(
    log: AgencyLog,
    stamps: TokenVerifier,
    copy: tuple[int | None, str],
    token: bytes | memoryview | None,
    expected: Expected,
    findings: list[Finding],
) -> None:
    """Append a finding if the checkpoint's *token* is not a genuine stamp of *expected*."""
    checkpoint_id, where = copy
    if not token:
        if expected.tsa_url:
            detail = (
                f"{log.origin} {where}: 记录由 {expected.tsa_url} 盖了时间戳，但令牌不见了 "
                "(the row names its TSA, its token was removed)"
            )
            findings.append(_invalid(checkpoint_id, detail))
        return
    problem = stamps.problem(bytes(token), expected)
    if problem is not None:
        findings.append(_invalid(checkpoint_id, f"{log.origin} {where}: {problem}"))


def check_offsite_token(
    log: AgencyLog,
    stamps: TokenVerifier,
    copy: tuple[int | None, str, Path],
    row: tuple[Expected, bytes | None] | None,
    findings: list[Finding],
) -> None:
    """The off-site token beside a note: checked like the row's, and equal to it."""
    checkpoint_id, where, path = copy
    token_path = path.with_suffix(".tsr")
    if not token_path.exists():
        if row is not None and row[1] is not None:
            findings.append(
                _invalid(
                    checkpoint_id,
                    f"{log.origin} {where}: 异地副本缺少时间戳令牌 {token_path} "
                    "(the off-site copy of the checkpoint's token was removed)",
                )
            )
        return
    try:
        token = token_path.read_bytes()
        note = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        findings.append(
            _invalid(checkpoint_id, f"{log.origin} {where}: 异地时间戳令牌无法读取 ({error})")
        )
        return
    if row is None:
        check_token(log, stamps, (None, where), token, Expected(note, None, None), findings)
        return
    stored = row[1]
    if stored is None:
        differ: str | None = (
            "数据库中的检查点没有时间戳令牌，异地副本却有 "
            "(the off-site copy has a token its database row lacks: the row's was removed)"
        )
    else:
        differ = copies_differ(stored, token)
    if differ is not None:
        findings.append(_invalid(checkpoint_id, f"{log.origin} {where}: {differ}"))


def _invalid(checkpoint_id: int | None, detail: str) -> Finding:
    return Finding(TIMESTAMP_INVALID, CHECKPOINT_TABLE, checkpoint_id, None, detail)


def copies_differ(database: bytes, offsite: bytes) -> str | None:
    """Why a checkpoint's two token copies (row and off-site file) disagree, if they do.

    The worker writes one token to both; any difference is a change to one of them, even in
    a byte no verification step reads.
    """
    if database == offsite:
        return None
    return (
        f"数据库中的时间戳令牌（sha256 {short(hashlib.sha256(database).digest())}）与异地副本"
        f"（sha256 {short(hashlib.sha256(offsite).digest())}）不一致 "
        "(the token in the database and its off-site copy differ: one was altered)"
    )
