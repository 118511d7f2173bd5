"""Signed checkpoints: C2SP note, off-site copy, RFC 3161 timestamp, worker cadence, proofs."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from casetrail.ledger.checkpoints import AgencyLog, note_digest, publish, verifier
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.management.commands.worker import run_once
from casetrail.ledger.merkle import verify_consistency, verify_inclusion
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.note import open_note, parse_checkpoint
from casetrail.ledger.selectors import agency_log
from casetrail.ledger.timestamp import parse_response
from tests.ledger.tsa import local_tsa
from tests.personas import World, open_case


@pytest.fixture
def folders(settings: Settings, tmp_path: Path) -> Path:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    return tmp_path


def lc(world: World) -> AgencyLog:
    return agency_log(world.lc)


def test_publish_signs_a_c2sp_checkpoint_and_copies_it_offsite(world: World, folders: Path) -> None:
    open_case(world)
    checkpoint = publish(lc(world))
    assert checkpoint is not None
    text, signers = open_note(checkpoint.note, [verifier(lc(world))])
    assert signers == ["casetrail.local/luanchuan-tjj"]
    body = parse_checkpoint(text)
    assert body.origin == "casetrail.local/luanchuan-tjj"
    assert body.size == checkpoint.size == LedgerEntry.objects.filter(agency=world.lc).count()
    assert body.root_hash.hex() == checkpoint.root_hash
    copy = Path(checkpoint.offsite_copy)
    assert copy.parent == folders / "offsite" / "luanchuan-tjj"
    assert copy.read_text(encoding="utf-8") == checkpoint.note
    key_file = folders / "keys" / "luanchuan-tjj.ed25519"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_no_new_checkpoint_until_the_tree_grows(world: World, folders: Path) -> None:
    first = publish(lc(world))
    assert first is not None
    assert publish(lc(world)) is None
    open_case(world)
    second = publish(lc(world))
    assert second is not None
    assert second.size > first.size


def test_worker_publishes_after_every_n_entries(
    world: World, folders: Path, settings: Settings
) -> None:
    settings.CASETRAIL_CHECKPOINT_EVERY = 3
    settings.CASETRAIL_CHECKPOINT_SECONDS = 3600
    assert "casetrail.local/luanchuan-tjj" in run_once()
    open_case(world)
    assert "casetrail.local/luanchuan-tjj" not in run_once()
    for _ in range(2):
        open_case(world)
    assert "casetrail.local/luanchuan-tjj" in run_once()


def test_checkpoint_is_timestamped_by_a_real_rfc3161_authority(
    world: World, folders: Path, settings: Settings, tmp_path: Path
) -> None:
    """GIVEN a local TSA (openssl ts -reply) WHEN a checkpoint is published THEN its token
    verifies with `openssl ts -verify` against the SHA-256 of the signed note."""
    with local_tsa(tmp_path / "tsa") as tsa:
        settings.CASETRAIL_TSA_URL = tsa.url
        open_case(world)
        checkpoint = publish(lc(world))
    assert checkpoint is not None
    assert checkpoint.timestamp_token
    token = bytes(checkpoint.timestamp_token)
    info = parse_response(token)
    assert info.message_imprint == note_digest(checkpoint.note)
    response = tmp_path / "checkpoint.tsr"
    response.write_bytes(token)
    assert Path(checkpoint.offsite_copy).with_suffix(".tsr").read_bytes() == token
    digest = hashlib.sha256(checkpoint.note.encode()).hexdigest()
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-digest",
            digest,
            "-in",
            str(response),
            "-CAfile",
            str(tsa.ca_cert),
            "-untrusted",
            str(tsa.tsa_cert),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout


def test_an_unreachable_tsa_does_not_block_publication(
    world: World, folders: Path, settings: Settings
) -> None:
    settings.CASETRAIL_TSA_URL = "http://127.0.0.1:9/"
    checkpoint = publish(lc(world))
    assert checkpoint is not None
    assert checkpoint.timestamp_token is None


def test_cli_proofs_verify_against_the_checkpoint(
    world: World, folders: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(4):
        open_case(world)
    call_command("ledger", "checkpoint")
    capsys.readouterr()
    call_command("ledger", "prove", "luanchuan-tjj", "5")
    proof = json.loads(capsys.readouterr().out)
    verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        5,
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
        ledger_hash(),
    )
    call_command("ledger", "consistency", "luanchuan-tjj", "3", str(proof["tree_size"]))
    consistency = json.loads(capsys.readouterr().out)
    verify_consistency(
        3,
        proof["tree_size"],
        [bytes.fromhex(p) for p in consistency["proof"]],
        bytes.fromhex(consistency["first_root"]),
        bytes.fromhex(proof["root_hash"]),
        ledger_hash(),
    )


def test_api_serves_checkpoints_and_proofs_without_login(world: World, folders: Path) -> None:
    open_case(world)
    checkpoint = publish(lc(world))
    assert checkpoint is not None
    client = Client()
    note = client.get("/api/ledger/luanchuan-tjj/checkpoint")
    assert note.status_code == 200
    assert note.content.decode() == checkpoint.note
    info = client.get("/api/ledger/luanchuan-tjj/").json()
    assert info["public_key"] == verifier(lc(world)).key_string()
    proof = client.get("/api/ledger/luanchuan-tjj/proof/inclusion", {"index": 0}).json()
    verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        0,
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(checkpoint.root_hash),
        ledger_hash(),
    )
    bad = client.get("/api/ledger/luanchuan-tjj/proof/inclusion", {"index": "x"})
    assert bad.status_code == 400
    assert "index" in bad.json()["error"]
    beyond = client.get("/api/ledger/luanchuan-tjj/proof/inclusion", {"index": 10**6})
    assert beyond.status_code == 400
    assert client.get("/api/ledger/nobody/").status_code == 404


def test_case_page_shows_pending_then_published(world: World, folders: Path) -> None:
    case = open_case(world)
    client = Client()
    client.login(username="zhang", password="persona-pass-2026")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "待入树" in page
    publish(lc(world))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已发布" in page
    entry = LedgerEntry.objects.get(case=case)
    download = client.get(f"/cases/{case.pk}/acts/{entry.pk}/proof.json").json()
    assert download["payload"] == entry.payload
    assert download["inclusion"]["index"] == download["index"]
    other = Client()
    other.login(username="colleague", password="persona-pass-2026")
    assert other.get(f"/cases/{case.pk}/acts/{entry.pk}/proof.json").status_code == 404
