"""RFC 3161 client against a real openssl-backed TSA, cross-checked with ``openssl ts -verify``."""

from __future__ import annotations

import hashlib
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import tsp

from casetrail.ledger.timestamp import (
    TimestampError,
    build_request,
    parse_response,
    request_timestamp,
)
from tests.ledger.tsa import POLICY, REPLY_TYPE, LocalTsa, local_tsa, openssl_reply, serve_tsa

DIGEST = hashlib.sha256(b"casetrail record 1").digest()


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    with local_tsa(tmp_path_factory.mktemp("tsa")) as running:
        yield running


def _openssl_verify(
    tsa: LocalTsa, response: Path, digest: bytes
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "ts", "-verify", "-digest", digest.hex(), "-in", str(response),
         "-CAfile", str(tsa.ca_cert), "-untrusted", str(tsa.tsa_cert)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def _query_digest_and_nonce(query: bytes) -> tuple[bytes, int]:
    request = tsp.TimeStampReq.load(query)
    return bytes(request["message_imprint"]["hashed_message"].native), int(request["nonce"].native)


def test_token_verifies_with_openssl(tsa: LocalTsa, tmp_path: Path) -> None:
    before = datetime.now(UTC)
    der = request_timestamp(tsa.url, DIGEST)
    info = parse_response(der)
    assert info.hash_algorithm == "sha256"
    assert info.message_imprint == DIGEST
    assert info.policy == POLICY
    assert info.serial_number > 0
    assert info.nonce is not None
    assert info.gen_time.tzinfo is UTC
    # openssl stamps whole seconds (clock_precision_digits = 0).
    assert before - timedelta(seconds=2) <= info.gen_time <= datetime.now(UTC)

    response = tmp_path / "resp.der"
    response.write_bytes(der)
    verified = _openssl_verify(tsa, response, DIGEST)
    assert verified.returncode == 0, verified.stderr
    assert "Verification: OK" in verified.stdout

    other = _openssl_verify(tsa, response, hashlib.sha256(b"casetrail record 2").digest())
    assert other.returncode != 0
    assert "Verification: OK" not in other.stdout


def test_bare_token_parses_like_the_response(tsa: LocalTsa, tmp_path: Path) -> None:
    der = request_timestamp(tsa.url, DIGEST)
    response, token = tmp_path / "resp.der", tmp_path / "token.der"
    response.write_bytes(der)
    subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(response), "-token_out", "-out", str(token)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    assert parse_response(token.read_bytes()) == parse_response(der)


@pytest.mark.parametrize("algorithm", ["sha384", "sha512"])
def test_other_hash_algorithms(tsa: LocalTsa, algorithm: str) -> None:
    digest = hashlib.new(algorithm, b"casetrail record 1").digest()
    info = parse_response(request_timestamp(tsa.url, digest, hash_algorithm=algorithm))
    assert (info.hash_algorithm, info.message_imprint) == (algorithm, digest)


def test_concurrent_requests_get_distinct_serials(tsa: LocalTsa) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: request_timestamp(tsa.url, DIGEST), range(4)))
    assert len({parse_response(der).serial_number for der in answers}) == 4


def test_build_request_is_what_openssl_reads(tmp_path: Path) -> None:
    query = tmp_path / "req.tsq"
    query.write_bytes(build_request(DIGEST, nonce=0x1234ABCD))
    shown = subprocess.run(
        ["openssl", "ts", "-query", "-in", str(query), "-text"],
        check=True, capture_output=True, text=True, timeout=30,
    ).stdout  # fmt: skip
    assert "Hash Algorithm: sha256" in shown
    assert "Nonce: 0x1234ABCD" in shown
    assert "Certificate required: yes" in shown
    assert _query_digest_and_nonce(query.read_bytes()) == (DIGEST, 0x1234ABCD)
    assert "Nonce: unspecified" in subprocess.run(
        ["openssl", "ts", "-query", "-in", "/dev/stdin", "-text"],
        input=build_request(DIGEST, cert_req=False), check=True, capture_output=True, timeout=30,
    ).stdout.decode()  # fmt: skip


def test_build_request_refuses_bad_digests() -> None:
    with pytest.raises(TimestampError, match="sha256 digest must be 32 bytes, got 20"):
        build_request(b"\x00" * 20)
    with pytest.raises(TimestampError, match="unsupported hash algorithm 'sha1'"):
        build_request(b"\x00" * 20, hash_algorithm="sha1")
    with pytest.raises(TimestampError, match="non-negative"):
        build_request(DIGEST, nonce=-1)


def test_refusal_is_reported_with_the_reason(tmp_path: Path) -> None:
    with (
        local_tsa(tmp_path, digests=("sha256",)) as strict,
        pytest.raises(TimestampError, match=r"refused the request: rejection \(.*bad_alg"),
    ):
        request_timestamp(strict.url, hashlib.sha512(b"x").digest(), hash_algorithm="sha512")


def test_replayed_response_is_refused(tsa: LocalTsa) -> None:
    genuine = request_timestamp(tsa.url, DIGEST)
    with (
        serve_tsa(lambda _query: (200, REPLY_TYPE, genuine)) as url,
        pytest.raises(TimestampError, match="not this request's nonce"),
    ):
        request_timestamp(url, DIGEST)


def test_response_for_another_digest_is_refused(tsa: LocalTsa) -> None:
    def swap_digest(query: bytes) -> tuple[int, str, bytes]:
        _digest, nonce = _query_digest_and_nonce(query)
        forged = build_request(hashlib.sha256(b"something else").digest(), nonce=nonce)
        return 200, REPLY_TYPE, openssl_reply(tsa.config, forged)

    with serve_tsa(swap_digest) as url, pytest.raises(TimestampError, match="not the requested"):
        request_timestamp(url, DIGEST)


def test_response_without_certificate_is_refused(tsa: LocalTsa) -> None:
    def drop_cert_req(query: bytes) -> tuple[int, str, bytes]:
        digest, nonce = _query_digest_and_nonce(query)
        altered = build_request(digest, nonce=nonce, cert_req=False)
        return 200, REPLY_TYPE, openssl_reply(tsa.config, altered)

    with serve_tsa(drop_cert_req) as url, pytest.raises(TimestampError, match="ignored certReq"):
        request_timestamp(url, DIGEST)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "message"),
    [
        (500, "text/plain", b"boom", "answered HTTP 500"),
        (200, "text/html", b"<html>", "content type 'text/html'"),
        (200, REPLY_TYPE, b"\x30\x03\x02\x01", "malformed time-stamp response"),
        (200, REPLY_TYPE, b"", "malformed time-stamp response"),
    ],
)
def test_broken_tsa_answers_are_refused(
    status: int, content_type: str, body: bytes, message: str
) -> None:
    with (
        serve_tsa(lambda _query: (status, content_type, body)) as url,
        pytest.raises(TimestampError, match=message),
    ):
        request_timestamp(url, DIGEST)


def test_unreachable_tsa_and_bad_urls_are_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TimestampError, match="could not reach TSA"):
        request_timestamp(f"http://127.0.0.1:{port}/tsa", DIGEST, timeout=2)
    with pytest.raises(TimestampError, match="must be http or https"):
        request_timestamp("file:///etc/passwd", DIGEST)


def test_parse_response_refuses_garbage() -> None:
    with pytest.raises(TimestampError, match="malformed"):
        parse_response(b"not DER at all")
    with pytest.raises(TimestampError, match="malformed"):
        parse_response(build_request(DIGEST))
