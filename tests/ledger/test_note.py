"""Signed notes and checkpoints, checked against golang.org/x/mod/sumdb/note's vectors."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest

from casetrail.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    format_checkpoint,
    load_or_create_signer,
    open_note,
    parse_checkpoint,
    sign_note,
)

# From golang.org/x/mod/sumdb/note note_test.go (TestSign, TestOpen).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdng"
    "otpRZb6KE6RyyBwJnAM=\n"
)
GO_ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwn"
    "WLox33WWd1RvMc+QQ=\n"
)
GO_NOTE = GO_TEXT + "\n" + GO_PETER_SIG

ROOT = hashlib.sha256(b"root").digest()


def test_go_vector_is_reproduced_byte_for_byte() -> None:
    signer = Signer.from_private_key_string(GO_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == bytes.fromhex("c74f20a3")
    assert signer.private_key_string() == GO_SKEY
    assert signer.verifier().key_string() == GO_VKEY
    assert sign_note(GO_TEXT, signer) == GO_NOTE


def test_go_note_opens_with_go_verifier_and_unknown_cosigner_is_ignored() -> None:
    peter = Verifier.from_key_string(GO_VKEY)
    assert peter.key_id == bytes.fromhex("c74f20a3")
    assert peter.key_string() == GO_VKEY
    assert open_note(GO_NOTE, [peter]) == (GO_TEXT, ["PeterNeumann"])

    both = GO_TEXT + "\n" + GO_PETER_SIG + GO_ENOCH_SIG
    assert open_note(both, [peter]) == (GO_TEXT, ["PeterNeumann"])
    enoch = Verifier.from_key_string(GO_ENOCH_VKEY)
    assert open_note(both, [enoch, peter]) == (GO_TEXT, ["PeterNeumann", "EnochRoot"])


def test_key_id_is_truncated_sha256_of_name_newline_type_and_key() -> None:
    peter = Verifier.from_key_string(GO_VKEY)
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + peter.public_key_bytes).digest()[:4]
    assert peter.key_id == expected


def test_mangled_go_keys_are_refused() -> None:
    # Every proper substring and every single-byte increment must fail, as in Go's tests.
    for key, parse in (
        (GO_VKEY, Verifier.from_key_string),
        (GO_SKEY, Signer.from_private_key_string),
    ):
        for start in range(len(key)):
            for end in range(start + 1, len(key) + 1):
                if (start, end) != (0, len(key)):
                    with pytest.raises(NoteError):
                        parse(key[start:end])
        for i in range(len(key)):
            with pytest.raises(NoteError):
                parse(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])

    # Key ID adjusted to match, but wrong key length / unknown algorithm.
    with pytest.raises(NoteError, match="Ed25519 key is"):
        Verifier.from_key_string(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
    with pytest.raises(NoteError, match="unknown signature algorithm 0x65"):
        Verifier.from_key_string(
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        )


def test_round_trip_with_generated_key() -> None:
    signer = Signer.generate("casetrail.example/log")
    verifier = Verifier.from_key_string(signer.verifier().key_string())
    again = Signer.from_private_key_string(signer.private_key_string())
    assert again.key_id == signer.key_id == verifier.key_id
    assert again.public_key_bytes == signer.public_key_bytes == verifier.public_key_bytes
    assert verifier.verify(b"hi", signer.sign(b"hi"))
    assert not verifier.verify(b"hI", signer.sign(b"hi"))
    assert "PRIVATE" not in repr(signer)

    checkpoint = Checkpoint("casetrail.example/log", 7, ROOT, ("ext one",))
    note = sign_note(format_checkpoint(checkpoint), signer)
    text, names = open_note(note, [verifier])
    assert names == ["casetrail.example/log"]
    assert parse_checkpoint(text) == checkpoint


def test_text_with_empty_lines_is_split_at_the_last_blank_line() -> None:
    signer = Signer.generate("poet")
    text = "Ognuno sta solo sul cuor della terra\n\ned è subito sera.\n\n"
    assert open_note(sign_note(text, signer), [signer.verifier()]) == (text, ["poet"])


def test_altered_text_is_refused_as_forged() -> None:
    peter = Verifier.from_key_string(GO_VKEY)
    altered = GO_NOTE.replace("cryptography", "cryptographY")
    with pytest.raises(
        NoteError, match=r"invalid signature for key PeterNeumann\+c74f20a3.*forged"
    ):
        open_note(altered, [peter])


def test_flipped_signature_byte_is_refused_as_forged() -> None:
    peter = Verifier.from_key_string(GO_VKEY)
    sig64 = GO_PETER_SIG.removeprefix("— PeterNeumann ").strip()
    raw = bytearray(base64.b64decode(sig64))
    raw[10] ^= 0x01
    note = GO_TEXT + "\n— PeterNeumann " + base64.b64encode(bytes(raw)).decode() + "\n"
    with pytest.raises(NoteError, match="forged"):
        open_note(note, [peter])
    # Go's own "invalid signature" case: four base64 characters spliced into the line.
    spliced = GO_TEXT + "\n" + GO_PETER_SIG[:60] + "ABCD" + GO_PETER_SIG[60:]
    with pytest.raises(NoteError, match="forged"):
        open_note(spliced, [peter])


def test_note_without_a_known_signer_is_refused() -> None:
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(GO_NOTE, [Verifier.from_key_string(GO_ENOCH_VKEY)])
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(GO_NOTE, [])
    # Same name, different key: an unknown key, so its signature is ignored, not trusted.
    impostor = Signer.generate("PeterNeumann")
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(GO_NOTE, [impostor.verifier()])


def test_duplicate_identical_verifiers_are_tolerated() -> None:
    peter = Verifier.from_key_string(GO_VKEY)
    assert open_note(GO_NOTE, [peter, Verifier.from_key_string(GO_VKEY)])[1] == ["PeterNeumann"]


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (GO_TEXT, "no blank line"),
        (GO_TEXT + "\n", "no signature lines"),
        (GO_TEXT + "\n" + GO_PETER_SIG[:-1], "does not end with a newline"),
        ("\x01" + GO_NOTE, "control character U\\+0001"),
        ("\ud800" + GO_NOTE, "not valid UTF-8"),
        (GO_TEXT + "\n— Bad Name " + GO_PETER_SIG.split(" ")[-1], "not valid base64"),
        (GO_NOTE + "Unexpected line.\n", "line 2 does not start with an em dash"),
        (GO_TEXT + "\n- PeterNeumann AAAAAAAA\n", "does not start with an em dash"),
        (GO_TEXT + "\n— PeterNeumann\n", "has no signature"),
        (GO_TEXT + "\n— PeterNeumann x08go/ZJ!uBS9UG\n", "not valid base64"),
        (GO_TEXT + "\n— PeterNeumann x08go/Y==\n", "not valid base64"),
        (GO_TEXT + "\n— PeterNeumann x08go/Y\n", "not valid base64"),
        (GO_TEXT + "\n— PeterNeumann x08gow==\n", "too short"),
        (GO_TEXT + "\n— Peter+Neumann " + GO_PETER_SIG.split(" ")[-1], "contains '\\+'"),
        (GO_TEXT + "\n" + GO_PETER_SIG * 101, "more than 100 signatures"),
    ],
)
def test_malformed_notes_are_refused(note: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        open_note(note, [Verifier.from_key_string(GO_VKEY)])


def test_sign_note_refuses_text_without_final_newline() -> None:
    signer = Signer.generate("log")
    with pytest.raises(NoteError, match="must end with a newline"):
        sign_note("abc", signer)
    with pytest.raises(NoteError, match="control character"):
        sign_note("a\tb\n", signer)
    with pytest.raises(NoteError, match="contains a space"):
        Signer.generate("bad name")


def test_checkpoint_format() -> None:
    checkpoint = Checkpoint("example.com/behind-the-sofa", 20852163, ROOT)
    root64 = base64.b64encode(ROOT).decode()
    assert format_checkpoint(checkpoint) == f"example.com/behind-the-sofa\n20852163\n{root64}\n"
    assert parse_checkpoint(format_checkpoint(checkpoint)) == checkpoint
    empty = Checkpoint("log", 0, ROOT)
    assert parse_checkpoint(format_checkpoint(empty)).size == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("log\n7\n" + base64.b64encode(ROOT).decode(), "does not end with a newline"),
        ("log\n7\n", "2 line\\(s\\)"),
        ("\n7\n" + base64.b64encode(ROOT).decode() + "\n", "origin \\(line 1\\) is empty"),
        ("log\nseven\n" + base64.b64encode(ROOT).decode() + "\n", "'seven' is not a decimal"),
        ("log\n07\n" + base64.b64encode(ROOT).decode() + "\n", "leading zeroes"),
        ("log\n-7\n" + base64.b64encode(ROOT).decode() + "\n", "not a decimal"),
        ("log\n+7\n" + base64.b64encode(ROOT).decode() + "\n", "not a decimal"),
        ("log\n\u0667\n" + base64.b64encode(ROOT).decode() + "\n", "not a decimal"),
        ("log\n" + str(2**64) + "\n" + base64.b64encode(ROOT).decode() + "\n", "out of range"),
        ("log\n7\nnot base64!\n", "root hash \\(line 3\\) is not valid base64"),
        ("log\n7\n" + base64.b64encode(ROOT[:31]).decode() + "\n", "31 bytes, want 32"),
        ("log\n7\n" + base64.b64encode(ROOT).decode() + "\n\n", "extension line 4 is empty"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_checkpoint(text)


def test_format_checkpoint_refuses_invalid_fields() -> None:
    with pytest.raises(NoteError, match="root hash is 20 bytes"):
        format_checkpoint(Checkpoint("log", 1, b"\x00" * 20))
    with pytest.raises(NoteError, match="out of range"):
        format_checkpoint(Checkpoint("log", -1, ROOT))
    with pytest.raises(NoteError, match="origin is empty"):
        format_checkpoint(Checkpoint("", 1, ROOT))
    with pytest.raises(NoteError, match="contains a newline"):
        format_checkpoint(Checkpoint("log", 1, ROOT, ("a\nb",)))


def test_key_file_is_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    first = load_or_create_signer(path, "casetrail.example/log")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="ascii") == first.private_key_string() + "\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.key"]
    again = load_or_create_signer(path, "casetrail.example/log")
    assert again.key_id == first.key_id
    assert again.private_key_string() == first.private_key_string()


def test_key_file_with_loose_mode_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    load_or_create_signer(path, "log")
    path.chmod(0o644)
    with pytest.raises(NoteError, match=f"{path}.*mode 0644"):
        load_or_create_signer(path, "log")


def test_key_file_with_wrong_name_or_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    load_or_create_signer(path, "log")
    with pytest.raises(NoteError, match=f"{path}.*named 'log', want 'other'"):
        load_or_create_signer(path, "other")

    garbage = tmp_path / "garbage.key"
    fd = os.open(garbage, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"PRIVATE+KEY+log+00000000+AAAA\n")
    os.close(fd)
    with pytest.raises(NoteError, match=f"{garbage} does not hold a valid signer key"):
        load_or_create_signer(garbage, "log")


def test_key_file_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real.key"
    load_or_create_signer(target, "log")
    link = tmp_path / "link.key"
    link.symlink_to(target)
    with pytest.raises(NoteError, match=f"{link} is a symbolic link"):
        load_or_create_signer(link, "log")
