"""RFC 3161 time-stamp client: build requests, talk to a TSA over HTTP, read tokens.

The token's CMS signature is not verified here: that needs the TSA's trust anchors
and is done at verification time (e.g. ``openssl ts -verify``). This module checks
what the requester can check on its own: that the TSA granted the request and that
the token binds the submitted digest and the request's nonce.
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms, parser, tsp

__all__ = [
    "TimestampError",
    "TimestampInfo",
    "build_request",
    "new_nonce",
    "parse_response",
    "request_timestamp",
    "token_of",
]

QUERY_CONTENT_TYPE = "application/timestamp-query"
REPLY_CONTENT_TYPE = "application/timestamp-reply"
# Some deployed TSAs still answer with the pre-RFC media type.
_REPLY_CONTENT_TYPES = frozenset({REPLY_CONTENT_TYPE, "application/timestamp-response"})
_MAX_RESPONSE_BYTES = 1 << 20
_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
# grantedWithMods is not accepted: `verify` (rfc3161-client) holds a token to "granted".
_GRANTED = frozenset({"granted"})
_SEQUENCE_TAG = 16
_OID_TAG = 6


class TimestampError(Exception):
    """A time-stamp request could not be made, was refused, or its answer does not check out."""


@dataclass(frozen=True)
class TimestampInfo:
    """The fields of a token's TSTInfo that a ledger records."""

    gen_time: datetime
    serial_number: int
    hash_algorithm: str
    message_imprint: bytes
    policy: str
    nonce: int | None = None


def _check_digest(digest: bytes, hash_algorithm: str) -> None:
    size = _DIGEST_SIZES.get(hash_algorithm)
    if size is None:
        supported = ", ".join(sorted(_DIGEST_SIZES))
        raise TimestampError(
            f"unsupported hash algorithm {hash_algorithm!r} (supported: {supported})"
        )
    if len(digest) != size:
        raise TimestampError(
            f"{hash_algorithm} digest must be {size} bytes, got {len(digest)} bytes"
        )


def build_request(
    digest: bytes,
    *,
    hash_algorithm: str = "sha256",
    nonce: int | None = None,
    cert_req: bool = True,
) -> bytes:
    """Return a DER-encoded TimeStampReq for a precomputed digest."""
    _check_digest(digest, hash_algorithm)
    fields: dict[str, object] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": hash_algorithm},
            "hashed_message": bytes(digest),
        },
        "cert_req": cert_req,
    }
    if nonce is not None:
        if nonce < 0:
            raise TimestampError("nonce must be a non-negative integer")
        fields["nonce"] = nonce
    return bytes(tsp.TimeStampReq(fields).dump())


def _sequence_children(der: bytes) -> list[bytes]:
    """Split a DER SEQUENCE into the encodings of its elements."""
    header: tuple[int, int, int, bytes, bytes, bytes] = parser.parse(der, strict=True)
    _class, _method, tag, _header, contents, _trailer = header
    if tag != _SEQUENCE_TAG:
        raise ValueError("not a DER SEQUENCE")
    children: list[bytes] = []
    while contents:
        child: tuple[int, int, int, bytes, bytes, bytes] = parser.parse(contents)
        size = len(child[3]) + len(child[4]) + len(child[5])
        children.append(contents[:size])
        contents = contents[size:]
    return children


def _outer_tag(der: bytes) -> int:
    parsed: tuple[int, int, int, bytes, bytes, bytes] = parser.parse(der)
    return parsed[2]


def _describe_status(status_info: Any) -> str:
    status = str(status_info["status"].native)
    details: list[str] = []
    texts = status_info["status_string"].native
    if texts:
        details.extend(str(text) for text in texts)
    failures = status_info["fail_info"].native
    if failures:
        details.extend(sorted(str(failure) for failure in failures))
    return f"{status} ({'; '.join(details)})" if details else status


def token_of(der: bytes) -> bytes:
    """Return the DER TimeStampToken inside a TimeStampResp, or ``der`` if it is one."""
    children = _sequence_children(der)
    if not children:
        raise ValueError("empty SEQUENCE")
    # A ContentInfo starts with its content type OID, a TimeStampResp with PKIStatusInfo.
    if _outer_tag(children[0]) == _OID_TAG:
        return der
    if len(children) > 2:
        raise ValueError("TimeStampResp has unexpected trailing fields")
    # asn1crypto's TimeStampResp makes the token mandatory, but RFC 3161 omits it
    # from refusals, so the status is decoded on its own.
    status_info = tsp.PKIStatusInfo.load(children[0])
    if status_info["status"].native not in _GRANTED:
        raise TimestampError(f"TSA refused the request: {_describe_status(status_info)}")
    if len(children) < 2:
        raise TimestampError("TSA granted the request but sent no time-stamp token")
    return children[1]


def _decode(der: bytes) -> tuple[TimestampInfo, int]:
    """Decode a response or token into its TSTInfo and the number of certificates it carries."""
    try:
        token = cms.ContentInfo.load(token_of(der), strict=True)
        if token["content_type"].native != "signed_data":
            raise TimestampError(
                f"time-stamp token is {token['content_type'].native}, want signed_data"
            )
        signed_data = token["content"]
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TimestampError(
                f"time-stamp token encapsulates {encap['content_type'].native}, want tst_info"
            )
        tst = encap["content"].parsed
        imprint = tst["message_imprint"]
        gen_time: datetime = tst["gen_time"].native
        certificates = signed_data["certificates"]
        info = TimestampInfo(
            gen_time=gen_time.astimezone(UTC),
            serial_number=int(tst["serial_number"].native),
            hash_algorithm=str(imprint["hash_algorithm"]["algorithm"].native),
            message_imprint=bytes(imprint["hashed_message"].native),
            policy=str(tst["policy"].dotted),
            nonce=None if tst["nonce"].native is None else int(tst["nonce"].native),
        )
        return info, len(certificates)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TimestampError(f"malformed time-stamp response: {exc}") from exc


def parse_response(der: bytes) -> TimestampInfo:
    """Read a DER TimeStampResp (or a bare TimeStampToken ContentInfo).

    Raises TimestampError if the TSA refused the request or the structure is malformed.
    """
    info, _certificates = _decode(der)
    return info


def _post(url: str, body: bytes, timeout: float) -> bytes:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise TimestampError(f"TSA URL must be http or https, got {url!r}")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": QUERY_CONTENT_TYPE, "Accept": REPLY_CONTENT_TYPE},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in _REPLY_CONTENT_TYPES:
                raise TimestampError(
                    f"TSA at {url} answered with content type {content_type!r}, "
                    f"want {REPLY_CONTENT_TYPE!r}"
                )
            data: bytes = response.read(_MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"TSA at {url} answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"could not reach TSA at {url}: {exc}") from exc
    if len(data) > _MAX_RESPONSE_BYTES:
        raise TimestampError(f"TSA at {url} sent more than {_MAX_RESPONSE_BYTES} bytes")
    return data


def new_nonce() -> int:
    """A fresh request nonce: 63 random bits, so that it fits a signed 64-bit column."""
    return secrets.randbits(63)


def request_timestamp(
    url: str,
    digest: bytes,
    *,
    hash_algorithm: str = "sha256",
    timeout: float = 10.0,
    nonce: int | None = None,
) -> bytes:
    """Ask the TSA at ``url`` to time-stamp ``digest``; return the DER TimeStampResp.

    The request carries ``nonce`` (a fresh one if None; a caller that keeps the nonce to
    check the token later passes its own). The answer is only returned if the TSA granted
    the request, echoed this request's nonce, stamped exactly this digest and included its
    certificate.
    """
    if nonce is None:
        nonce = new_nonce()
    query = build_request(digest, hash_algorithm=hash_algorithm, nonce=nonce, cert_req=True)
    der = _post(url, query, timeout)
    info, certificates = _decode(der)
    if info.hash_algorithm != hash_algorithm or info.message_imprint != digest:
        raise TimestampError(
            f"TSA at {url} stamped {info.hash_algorithm}:{info.message_imprint.hex()}, "
            f"not the requested {hash_algorithm}:{digest.hex()}"
        )
    if info.nonce != nonce:
        raise TimestampError(
            f"TSA at {url} answered with nonce {info.nonce}, not this request's nonce {nonce} "
            "(replayed or mismatched response)"
        )
    if certificates == 0:
        raise TimestampError(f"TSA at {url} ignored certReq: its certificate is missing")
    return der
