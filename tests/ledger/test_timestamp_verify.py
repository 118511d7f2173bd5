"""RFC 3161 tokens checked in full (`timestamp_verify.py`), against real `openssl ts` TSAs.

Interoperability both ways: tokens that `openssl ts -reply` makes for queries that `openssl ts
-query` makes verify with our code, and what our code accepts `openssl ts -verify` accepts.
Each TSA's key is EC (P-256) or RSA; a second CA plays a TSA nobody configured to trust.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import tsp

from casetrail.ledger.checkpoints import note_digest
from casetrail.ledger.timestamp import TimestampError, new_nonce, request_timestamp
from casetrail.ledger.timestamp_verify import (
    Expected,
    TokenVerifier,
    copies_differ,
    load_anchors,
)
from casetrail.ledger.verify_findings import VerifyError
from tests.ledger.tsa import REPLY_TYPE, LocalTsa, local_tsa, openssl_reply, serve_tsa

NOTE = "casetrail.local/luanchuan-tjj\n3\nq0Xk2mH8y2VYvW1Q6XrM0U2Z1mS9Xr3A8b9yY5mC0jE=\n\n— sig\n"
TOLERANCE = timedelta(minutes=10)


@pytest.fixture(scope="module", params=["ec", "rsa"])
def tsas(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalTsa, LocalTsa]]:
    """A trusted TSA and an untrusted one (its own CA), both with keys of one type."""
    key = str(request.param)
    with (
        local_tsa(tmp_path_factory.mktemp(f"trusted-{key}"), key=key) as trusted,
        local_tsa(tmp_path_factory.mktemp(f"untrusted-{key}"), key=key) as untrusted,
    ):
        yield trusted, untrusted


@pytest.fixture
def tsa(tsas: tuple[LocalTsa, LocalTsa]) -> LocalTsa:
    return tsas[0]


def verifier(tsa: LocalTsa) -> TokenVerifier:
    return TokenVerifier(load_anchors(tsa.ca_cert), TOLERANCE)


def stamp(tsa: LocalTsa, note: str = NOTE, nonce: int = 4711) -> bytes:
    return request_timestamp(tsa.url, note_digest(note), nonce=nonce)


def expected(nonce: int = 4711, *, at: datetime | None = None) -> Expected:
    return Expected(NOTE, nonce, at or datetime.now(UTC))


def openssl_verify(tsa: LocalTsa, token: Path, *, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(data), "-in", str(token),
         "-CAfile", str(tsa.ca_cert)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def test_our_token_verifies_here_and_with_openssl(tsa: LocalTsa, tmp_path: Path) -> None:
    token = stamp(tsa)
    check = verifier(tsa)
    assert check.problem(token, expected()) is None
    assert (check.verified, check.unchained) == (1, 0)
    (tmp_path / "note.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "token.tsr").write_bytes(token)
    done = openssl_verify(tsa, tmp_path / "token.tsr", data=tmp_path / "note.txt")
    assert done.returncode == 0, done.stderr
    assert "Verification: OK" in done.stdout


def test_openssls_own_query_and_token_verify_here(tsa: LocalTsa, tmp_path: Path) -> None:
    """A query made by `openssl ts -query` (its own random nonce), answered by `-reply`."""
    data, query = tmp_path / "note.txt", tmp_path / "req.tsq"
    data.write_text(NOTE, encoding="utf-8")
    subprocess.run(
        ["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    nonce = int(tsp.TimeStampReq.load(query.read_bytes())["nonce"].native)
    response = tmp_path / "resp.tsr"
    response.write_bytes(openssl_reply(tsa.config, query.read_bytes()))
    assert verifier(tsa).problem(response.read_bytes(), expected(nonce)) is None
    # The bare token (what `-token_out` writes) verifies as well.
    token = tmp_path / "token.der"
    subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(response), "-token_out", "-out", str(token)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    assert verifier(tsa).problem(token.read_bytes(), expected(nonce)) is None
    wrong = verifier(tsa).problem(token.read_bytes(), expected(nonce + 1))
    assert wrong is not None
    assert f"随机数 {nonce} 不是发布时请求的 {nonce + 1}" in wrong


def test_a_token_for_other_data(tsa: LocalTsa) -> None:
    problem = verifier(tsa).problem(stamp(tsa, note="another note\n"), expected())
    assert problem is not None
    assert f"不是检查点签名文本的 sha256 {note_digest(NOTE).hex()[:16]}" in problem


def test_a_token_from_an_untrusted_tsa(tsas: tuple[LocalTsa, LocalTsa]) -> None:
    trusted, untrusted = tsas
    check = verifier(trusted)
    problem = check.problem(stamp(untrusted), expected())
    assert problem is not None
    assert "证书链未通过 CASETRAIL_TSA_CERTS" in problem
    assert check.verified == 0
    # The same token is genuine to whoever trusts the other CA.
    assert verifier(untrusted).problem(stamp(untrusted), expected()) is None


def test_a_token_another_request_got(tsa: LocalTsa) -> None:
    problem = verifier(tsa).problem(stamp(tsa, nonce=new_nonce()), expected(4711))
    assert problem is not None
    assert "the token answers another request" in problem


@pytest.mark.parametrize(("off", "sign"), [(timedelta(minutes=11), 1), (timedelta(hours=3), -1)])
def test_a_gen_time_far_from_publication(tsa: LocalTsa, off: timedelta, sign: int) -> None:
    token = stamp(tsa)
    problem = verifier(tsa).problem(token, expected(at=datetime.now(UTC) + sign * off))
    assert problem is not None
    assert "超过允许的 600 秒" in problem
    within = sign * timedelta(minutes=9)
    assert verifier(tsa).problem(token, expected(at=datetime.now(UTC) + within)) is None


def _positions(token: bytes) -> list[int]:
    """Every byte outside the carried certificates and every fourth within them.

    Outside lie the parts the subtle cases hide in (status, versions, algorithm identifiers);
    a full pass over every byte of both key types takes about a minute.
    """
    certificates = tsp.TimeStampResp.load(token)["time_stamp_token"]["content"]["certificates"]
    spans = []
    for certificate in certificates:
        der = certificate.dump()
        start = token.index(der)
        spans.append(range(start, start + len(der)))
    return [p for p in range(len(token)) if not any(p in span for span in spans) or p % 4 == 0]


def test_every_flipped_byte_is_caught(tsa: LocalTsa) -> None:
    """No byte of a token, signed or not, changes without verify noticing."""
    token = stamp(tsa)
    check = verifier(tsa)
    published = expected()
    unnoticed = []
    for position in _positions(token):
        flipped = bytearray(token)
        flipped[position] ^= 0x01
        if check.problem(bytes(flipped), published) is None:
            unnoticed.append(position)
    assert unnoticed == []
    assert check.verified == 0


def test_without_anchors_tokens_are_read_not_verified(tsas: tuple[LocalTsa, LocalTsa]) -> None:
    trusted, untrusted = tsas
    check = TokenVerifier(None, TOLERANCE)
    assert check.problem(stamp(untrusted), expected()) is None
    assert check.problem(stamp(trusted, note="other\n"), expected()) is not None
    assert (check.verified, check.unchained) == (0, 1)


def test_anchors_from_a_file_or_a_folder(tsas: tuple[LocalTsa, LocalTsa], tmp_path: Path) -> None:
    trusted, untrusted = tsas
    folder = tmp_path / "anchors"
    folder.mkdir()
    (folder / "a.pem").write_bytes(trusted.ca_cert.read_bytes())
    (folder / "b.crt").write_bytes(untrusted.ca_cert.read_bytes())
    (folder / "README.txt").write_text("not a certificate", encoding="utf-8")
    (folder / "again.cer").write_bytes(trusted.ca_cert.read_bytes())
    anchors = load_anchors(folder)
    assert anchors is not None
    assert len(anchors) == 2
    both = TokenVerifier(anchors, TOLERANCE)
    assert both.problem(stamp(trusted), expected()) is None
    assert both.problem(stamp(untrusted), expected()) is None
    assert load_anchors(None) is None


def test_unusable_anchor_settings_stop_verify(tmp_path: Path) -> None:
    with pytest.raises(VerifyError, match=r"CASETRAIL_TSA_CERTS: .* 不存在"):
        load_anchors(tmp_path / "missing.pem")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(VerifyError, match="中没有 PEM 证书"):
        load_anchors(empty)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(VerifyError, match="不是可读的 PEM 证书文件"):
        load_anchors(garbage)


def test_copies_differ_names_both_fingerprints() -> None:
    assert copies_differ(b"same", b"same") is None
    problem = copies_differ(b"one", b"two")
    assert problem is not None
    assert "one was altered" in problem


def test_the_client_refuses_what_verify_would(tsa: LocalTsa) -> None:
    """A "granted with modifications" answer is refused when asked, not stored to fail later."""

    def with_mods(query: bytes) -> tuple[int, str, bytes]:
        response = tsp.TimeStampResp.load(openssl_reply(tsa.config, query))
        status = tsp.PKIStatusInfo({"status": "granted_with_mods"})
        changed = tsp.TimeStampResp(
            {"status": status, "time_stamp_token": response["time_stamp_token"]}
        )
        return 200, REPLY_TYPE, changed.dump()

    with (
        serve_tsa(with_mods) as url,
        pytest.raises(TimestampError, match="refused the request: granted_with_mods"),
    ):
        request_timestamp(url, note_digest(NOTE))
