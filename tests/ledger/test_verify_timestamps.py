"""`casetrail verify` checks every checkpoint's RFC 3161 token in full (issue 14 item 6).

The worker's timestamp client posts to a real TSA (`openssl ts -reply` behind a local HTTP
responder, certificates made by the test); verify trusts its CA through CASETRAIL_TSA_CERTS.
A token for other data, from a TSA nobody trusts, with a flipped byte, or with a genTime far
from the checkpoint's publication exits 1 and names the checkpoint (agency and size).
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import Settings

from casetrail import clock
from casetrail.ledger.checkpoints import AgencyLog, note_digest, publish
from casetrail.ledger.models import Checkpoint
from casetrail.ledger.timestamp import parse_response, request_timestamp
from tests.ledger.tamper import raw
from tests.ledger.tsa import LocalTsa, local_tsa
from tests.personas import World, open_case

Document = dict[str, Any]


def run_verify() -> tuple[int, Document]:
    """Run `casetrail verify --json`; its exit status and its JSON document."""
    out = io.StringIO()
    try:
        call_command("verify", "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, json.loads(out.getvalue() or "{}")
    return 0, json.loads(out.getvalue())


@pytest.fixture(scope="module", params=["ec", "rsa"])
def tsas(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalTsa, LocalTsa]]:
    """The agency's TSA, and a second one under a CA nobody configured to trust."""
    key = str(request.param)
    with (
        local_tsa(tmp_path_factory.mktemp(f"tsa-{key}"), key=key) as trusted,
        local_tsa(tmp_path_factory.mktemp(f"rogue-{key}"), key=key) as rogue,
    ):
        yield trusted, rogue


@pytest.fixture
def tsa(tsas: tuple[LocalTsa, LocalTsa], settings: Settings, tmp_path: Path) -> LocalTsa:
    trusted = tsas[0]
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = trusted.url
    settings.CASETRAIL_TSA_CERTS = trusted.ca_cert
    return trusted


@pytest.fixture
def checkpoint(world: World, tsa: LocalTsa) -> Checkpoint:
    open_case(world)
    published = publish(AgencyLog(world.lc.pk, world.lc.code))
    assert published is not None
    assert published.timestamp_token
    return published


def token_of(checkpoint: Checkpoint) -> bytes:
    assert checkpoint.timestamp_token
    return bytes(checkpoint.timestamp_token)


def offsite_token(checkpoint: Checkpoint) -> Path:
    return Path(checkpoint.offsite_copy).with_suffix(".tsr")


def replace_token(checkpoint: Checkpoint, token: bytes) -> None:
    """Swap the token in the row and off-site, as whoever holds both could."""
    raw(
        'UPDATE "ledger_checkpoint" SET timestamp_token = %s WHERE id = %s',
        [token, checkpoint.pk],
        tables=["ledger_checkpoint"],
    )
    offsite_token(checkpoint).write_bytes(token)


def the_finding(document: Document, checkpoint: Checkpoint) -> str:
    """The one finding, timestamp_invalid on *checkpoint*; its detail."""
    [finding] = document["findings"]
    assert finding["kind"] == "timestamp_invalid"
    assert finding["id"] == checkpoint.pk
    assert finding["table"] == "ledger_checkpoint"
    detail = str(finding["detail"])
    assert detail.startswith("casetrail.local/luanchuan-tjj ")
    assert f"checkpoint #{checkpoint.pk}" in detail
    assert f"size {checkpoint.size}" in detail
    return detail


def test_a_genuine_token_verifies_here_and_with_openssl(
    checkpoint: Checkpoint, tsa: LocalTsa, tmp_path: Path
) -> None:
    token = token_of(checkpoint)
    assert checkpoint.timestamp_nonce == parse_response(token).nonce
    assert checkpoint.timestamp_nonce is not None
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])
    assert document["counts"]["timestamps_verified"] == 1
    assert document["counts"]["timestamps_unchained"] == 0
    assert document["notes"] == []
    stored = tmp_path / "stored.tsr"
    stored.write_bytes(token)
    done = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", note_digest(checkpoint.note).hex(),
         "-in", str(stored), "-CAfile", str(tsa.ca_cert)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Verification: OK" in done.stdout


def test_a_token_for_other_data(checkpoint: Checkpoint, tsa: LocalTsa) -> None:
    nonce = checkpoint.timestamp_nonce
    replace_token(checkpoint, request_timestamp(tsa.url, note_digest("forged\n"), nonce=nonce))
    code, document = run_verify()
    assert code == 1
    assert "the token stamps other data" in the_finding(document, checkpoint)


def test_a_token_from_an_untrusted_tsa(
    checkpoint: Checkpoint, tsas: tuple[LocalTsa, LocalTsa]
) -> None:
    """The rogue TSA stamps exactly the note and echoes the stored nonce: only its chain fails."""
    rogue = tsas[1]
    digest = note_digest(checkpoint.note)
    replace_token(
        checkpoint, request_timestamp(rogue.url, digest, nonce=checkpoint.timestamp_nonce)
    )
    code, document = run_verify()
    assert code == 1
    assert "证书链未通过 CASETRAIL_TSA_CERTS" in the_finding(document, checkpoint)
    assert document["counts"]["timestamps_verified"] == 0


def test_a_flipped_byte_in_the_row_and_off_site(checkpoint: Checkpoint) -> None:
    flipped = bytearray(token_of(checkpoint))
    flipped[-5] ^= 0x01  # in the signature value
    replace_token(checkpoint, bytes(flipped))
    code, document = run_verify()
    assert code == 1
    assert "签名或证书链" in the_finding(document, checkpoint)


def test_a_flipped_byte_in_the_off_site_copy_alone(checkpoint: Checkpoint) -> None:
    copy = offsite_token(checkpoint)
    flipped = bytearray(copy.read_bytes())
    flipped[8] ^= 0x01  # the response's status, which no signature covers
    copy.write_bytes(bytes(flipped))
    code, document = run_verify()
    assert code == 1
    assert "its off-site copy differ" in the_finding(document, checkpoint)


def test_a_removed_off_site_token(checkpoint: Checkpoint) -> None:
    offsite_token(checkpoint).unlink()
    code, document = run_verify()
    assert code == 1
    assert "异地副本缺少时间戳令牌" in the_finding(document, checkpoint)


def test_a_token_removed_from_its_row(checkpoint: Checkpoint) -> None:
    """The row still names its TSA; the off-site copy still holds the token."""
    raw(
        'UPDATE "ledger_checkpoint" SET timestamp_token = NULL WHERE id = %s',
        [checkpoint.pk],
        tables=["ledger_checkpoint"],
    )
    code, document = run_verify()
    assert code == 1
    details = [f["detail"] for f in document["findings"]]
    assert {f["kind"] for f in document["findings"]} == {"timestamp_invalid"}
    assert {f["id"] for f in document["findings"]} == {checkpoint.pk}
    assert any("its token was removed" in detail for detail in details)
    assert any("its database row lacks" in detail for detail in details)


def test_a_gen_time_far_from_the_checkpoint_time(
    world: World, tsa: LocalTsa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint row claiming a publication an hour after the TSA's genTime."""
    later = clock.now() + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    open_case(world)
    checkpoint = publish(AgencyLog(world.lc.pk, world.lc.code))
    assert checkpoint is not None
    code, document = run_verify()
    assert code == 1
    assert "超过允许的 600 秒" in the_finding(document, checkpoint)


def test_a_gen_time_within_the_tolerance(
    world: World, tsa: LocalTsa, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    later = clock.now() + timedelta(minutes=50)
    monkeypatch.setattr(clock, "now", lambda: later)
    settings.CASETRAIL_TSA_TOLERANCE_SECONDS = 3600
    open_case(world)
    assert publish(AgencyLog(world.lc.pk, world.lc.code)) is not None
    assert run_verify()[0] == 0


def test_a_token_answering_another_request(checkpoint: Checkpoint, tsa: LocalTsa) -> None:
    """Right note, right TSA, but not the nonce the worker sent and stored."""
    assert checkpoint.timestamp_nonce is not None
    other = request_timestamp(
        tsa.url, note_digest(checkpoint.note), nonce=checkpoint.timestamp_nonce + 1
    )
    replace_token(checkpoint, other)
    code, document = run_verify()
    assert code == 1
    assert "the token answers another request" in the_finding(document, checkpoint)


def test_without_anchors_verify_says_what_it_could_not_check(
    checkpoint: Checkpoint, settings: Settings
) -> None:
    settings.CASETRAIL_TSA_CERTS = None
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])
    assert document["counts"]["timestamps_verified"] == 0
    assert document["counts"]["timestamps_unchained"] == 1
    [note] = document["notes"]
    assert "未配置 CASETRAIL_TSA_CERTS：1 个 RFC 3161 时间戳令牌" in note
    out = io.StringIO()
    call_command("verify", stdout=out, stderr=io.StringIO())
    report = out.getvalue()
    assert "  - 未配置 CASETRAIL_TSA_CERTS" in report
    assert "未核验签名的时间戳令牌 (timestamps read, signer not verified): 1" in report


def test_unusable_anchors_mean_verify_cannot_run(
    checkpoint: Checkpoint, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_TSA_CERTS = tmp_path / "no-such-anchors.pem"
    with pytest.raises(CommandError) as raised:
        call_command("verify", stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 2
    assert "CASETRAIL_TSA_CERTS" in str(raised.value)


def test_the_worker_sends_the_nonce_it_stores(
    checkpoint: Checkpoint, tsa: LocalTsa, world: World
) -> None:
    """Each publication asks with a fresh nonce, and the row keeps it."""
    open_case(world, cause="拒绝提供统计资料")
    second = publish(AgencyLog(world.lc.pk, world.lc.code))
    assert second is not None
    nonces = {checkpoint.timestamp_nonce, second.timestamp_nonce}
    assert len(nonces) == 2
    for row in (checkpoint, second):
        info = tsp.TimeStampResp.load(token_of(row))["time_stamp_token"]["content"]
        tst = info["encap_content_info"]["content"].parsed
        assert tst["nonce"].native == row.timestamp_nonce
