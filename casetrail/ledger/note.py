"""Signed notes (c2sp.org/signed-note) and log checkpoints (c2sp.org/tlog-checkpoint).

Only the Ed25519 signature type (0x01) is implemented. The encodings follow the
reference implementation, golang.org/x/mod/sumdb/note, so that notes signed here
verify with Go tooling and vice versa.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "Checkpoint",
    "NoteError",
    "Signer",
    "Verifier",
    "format_checkpoint",
    "load_or_create_signer",
    "open_note",
    "parse_checkpoint",
    "sign_note",
]

ALG_ED25519 = 0x01
_ED25519_KEY_SIZE = 32
_ED25519_SIG_SIZE = 64
_KEY_ID_SIZE = 4
_SIG_PREFIX = "\u2014 "
# The spec requires accepting at least 16; Go's reference stops at 100.
_MAX_SIGNATURES = 100
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_ROOT_HASH_SIZE = 32  # RFC 6962 Merkle tree with SHA-256
_MAX_TREE_SIZE = 2**64 - 1


class NoteError(ValueError):
    """A key, note or checkpoint is malformed, or a note's signatures do not check out."""


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes:
    """Decode standard padded base64, refusing anything Go's StdEncoding would refuse."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise ValueError("non-ASCII character in base64") from exc
    # strict_mode rejects characters outside the alphabet, missing or excess padding
    # and data after padding, which plain b64decode silently tolerates.
    try:
        return binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc


def _name_problem(name: str) -> str | None:
    if not name:
        return "key name is empty"
    if "+" in name:
        return f"key name {name!r} contains '+'"
    if any(ch.isspace() for ch in name):
        return f"key name {name!r} contains a space"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return f"key name {name!r} contains a control character"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return f"key name {name!r} is not valid UTF-8"
    return None


def _check_name(name: str) -> None:
    problem = _name_problem(name)
    if problem is not None:
        raise NoteError(problem)


def _key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key
    ).digest()[:_KEY_ID_SIZE]


def _split_key(text: str, what: str) -> tuple[str, bytes, bytes]:
    """Split ``<name>+<hex8>+<base64(alg || key)>`` into name, key ID and raw key."""
    # The name cannot contain '+', the base64 part can, so split from the left.
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"malformed {what}: want <name>+<hex key ID>+<base64 key>")
    name, hex_id, key64 = parts
    problem = _name_problem(name)
    if problem is not None:
        raise NoteError(f"malformed {what}: {problem}")
    if not _HEX8.fullmatch(hex_id):
        raise NoteError(f"malformed {what}: key ID {hex_id!r} is not 8 hex digits")
    try:
        key = _b64decode(key64)
    except ValueError as exc:
        raise NoteError(f"malformed {what}: key is not valid base64 ({exc})") from exc
    if not key:
        raise NoteError(f"malformed {what}: key is empty")
    if key[0] != ALG_ED25519:
        raise NoteError(f"malformed {what}: unknown signature algorithm 0x{key[0]:02x}")
    if len(key) != 1 + _ED25519_KEY_SIZE:
        raise NoteError(
            f"malformed {what}: Ed25519 key is {len(key) - 1} bytes, want {_ED25519_KEY_SIZE}"
        )
    return name, bytes.fromhex(hex_id), key[1:]


class Verifier:
    """An Ed25519 note verifier: a key name and public key."""

    __slots__ = ("_public_key", "key_id", "name", "public_key_bytes")

    def __init__(self, name: str, public_key_bytes: bytes) -> None:
        _check_name(name)
        if len(public_key_bytes) != _ED25519_KEY_SIZE:
            raise NoteError(
                f"Ed25519 public key is {len(public_key_bytes)} bytes, want {_ED25519_KEY_SIZE}"
            )
        self.name: str = name
        self.public_key_bytes: bytes = bytes(public_key_bytes)
        self.key_id: bytes = _key_id(name, self.public_key_bytes)
        self._public_key = Ed25519PublicKey.from_public_bytes(self.public_key_bytes)

    @classmethod
    def from_key_string(cls, vkey: str) -> Verifier:
        """Parse a verifier key ``<name>+<hex8 key ID>+<base64(0x01 || public key)>``."""
        name, key_id, public_key = _split_key(vkey, "verifier key")
        verifier = cls(name, public_key)
        if verifier.key_id != key_id:
            raise NoteError(
                f"malformed verifier key: key ID {key_id.hex()} does not match the key "
                f"(want {verifier.key_id.hex()})"
            )
        return verifier

    def key_string(self) -> str:
        key64 = _b64encode(bytes([ALG_ED25519]) + self.public_key_bytes)
        return f"{self.name}+{self.key_id.hex()}+{key64}"

    def verify(self, msg: bytes, sig: bytes) -> bool:
        if len(sig) != _ED25519_SIG_SIZE:
            return False
        try:
            self._public_key.verify(sig, msg)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verifier):
            return NotImplemented
        return (self.name, self.public_key_bytes) == (other.name, other.public_key_bytes)

    def __hash__(self) -> int:
        return hash((self.name, self.public_key_bytes))

    def __repr__(self) -> str:
        return f"Verifier({self.key_string()!r})"


class Signer:
    """An Ed25519 note signer. Its private key string must be kept secret."""

    __slots__ = ("_private_key", "key_id", "name", "public_key_bytes")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name: str = name
        self._private_key = private_key
        self.public_key_bytes: bytes = private_key.public_key().public_bytes_raw()
        self.key_id: bytes = _key_id(name, self.public_key_bytes)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_key_string(cls, s: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 || seed)>``."""
        if not s.startswith(_PRIVATE_PREFIX):
            raise NoteError("malformed signer key: does not start with PRIVATE+KEY+")
        name, key_id, seed = _split_key(s[len(_PRIVATE_PREFIX) :], "signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        # The key ID hashes the public key, so it can only be checked after deriving it.
        if signer.key_id != key_id:
            raise NoteError(
                f"malformed signer key: key ID {key_id.hex()} does not match the key "
                f"(want {signer.key_id.hex()})"
            )
        return signer

    def private_key_string(self) -> str:
        seed = self._private_key.private_bytes_raw()
        return (
            f"{_PRIVATE_PREFIX}{self.name}+{self.key_id.hex()}"
            f"+{_b64encode(bytes([ALG_ED25519]) + seed)}"
        )

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key_bytes)

    def sign(self, msg: bytes) -> bytes:
        return self._private_key.sign(msg)

    def __repr__(self) -> str:
        # Never show the seed: reprs end up in logs and tracebacks.
        return f"Signer(name={self.name!r}, key_id={self.key_id.hex()!r})"


def _check_characters(text: str, what: str) -> None:
    for index, ch in enumerate(text):
        if ord(ch) < 0x20 and ch != "\n":
            raise NoteError(
                f"malformed {what}: control character U+{ord(ch):04X} at offset {index}"
            )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError(f"malformed {what}: not valid UTF-8 ({exc.reason})") from exc


def sign_note(text: str, signer: Signer) -> str:
    """Return ``text`` followed by a blank line and ``signer``'s signature line."""
    if not text.endswith("\n"):
        raise NoteError("malformed note text: must end with a newline")
    _check_characters(text, "note text")
    sig = signer.sign(text.encode("utf-8"))
    return f"{text}\n{_SIG_PREFIX}{signer.name} {_b64encode(signer.key_id + sig)}\n"


def _index_verifiers(verifiers: Sequence[Verifier]) -> dict[tuple[str, bytes], list[Verifier]]:
    index: dict[tuple[str, bytes], list[Verifier]] = {}
    for verifier in verifiers:
        known = index.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in known:
            known.append(verifier)
    return index


def open_note(note: str, verifiers: Sequence[Verifier]) -> tuple[str, list[str]]:
    """Check a signed note against known verifiers; return its text and verified signers.

    Signatures by unknown keys are ignored, as the spec requires. Raises NoteError
    when the note is malformed, when a signature by a known key does not verify,
    and when no known key signed it.
    """
    _check_characters(note, "note")
    # The text may contain blank lines itself: the last one separates the signatures.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line between text and signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("malformed note: no signature lines after the blank line")
    if not block.endswith("\n"):
        raise NoteError("malformed note: last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {_MAX_SIGNATURES} signatures")

    index = _index_verifiers(verifiers)
    text_bytes = text.encode("utf-8")
    verified: list[str] = []
    seen: set[tuple[str, bytes]] = set()
    for number, line in enumerate(lines, start=1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(
                f"malformed note: signature line {number} does not start with "
                "an em dash and a space"
            )
        name, space, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not space:
            raise NoteError(f"malformed note: signature line {number} has no signature")
        problem = _name_problem(name)
        if problem is not None:
            raise NoteError(f"malformed note: signature line {number}: {problem}")
        try:
            raw = _b64decode(sig64)
        except ValueError as exc:
            raise NoteError(
                f"malformed note: signature line {number} is not valid base64 ({exc})"
            ) from exc
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError(f"malformed note: signature line {number} is too short")
        key_id, sig = raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:]

        candidates = index.get((name, key_id))
        if candidates is None:
            continue
        key = f"{name}+{key_id.hex()}"
        if len(candidates) > 1:
            raise NoteError(f"ambiguous key {key}: several verifiers share its name and key ID")
        if (name, key_id) in seen:
            continue
        seen.add((name, key_id))
        if not candidates[0].verify(text_bytes, sig):
            raise NoteError(f"invalid signature for key {key}: the note is forged or altered")
        verified.append(name)

    if not verified:
        raise NoteError("note has no verifiable signatures: no known key signed it")
    return text, verified


@dataclass(frozen=True)
class Checkpoint:
    """The body of a transparency log checkpoint."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(cp: Checkpoint) -> str:
    """Render a checkpoint as note text (every line, the last included, ends in a newline)."""
    if not cp.origin:
        raise NoteError("malformed checkpoint: origin is empty")
    if not 0 <= cp.size <= _MAX_TREE_SIZE:
        raise NoteError(f"malformed checkpoint: tree size {cp.size} is out of range")
    if len(cp.root_hash) != _ROOT_HASH_SIZE:
        raise NoteError(
            f"malformed checkpoint: root hash is {len(cp.root_hash)} bytes, want {_ROOT_HASH_SIZE}"
        )
    for line in (cp.origin, *cp.extensions):
        if not line:
            raise NoteError("malformed checkpoint: extension line is empty")
        if "\n" in line:
            raise NoteError(f"malformed checkpoint: line {line!r} contains a newline")
    text = "\n".join((cp.origin, str(cp.size), _b64encode(cp.root_hash), *cp.extensions)) + "\n"
    _check_characters(text, "checkpoint")
    return text


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text, as returned by ``open_note``."""
    if not text.endswith("\n"):
        raise NoteError("malformed checkpoint: text does not end with a newline")
    _check_characters(text, "checkpoint")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(
            f"malformed checkpoint: {len(lines)} line(s), want origin, tree size and root hash"
        )
    origin, size_text, hash64, *extensions = lines
    if not origin:
        raise NoteError("malformed checkpoint: origin (line 1) is empty")
    if not _DECIMAL.fullmatch(size_text):
        raise NoteError(
            f"malformed checkpoint: tree size (line 2) {size_text!r} is not a decimal number "
            "without leading zeroes"
        )
    size = int(size_text)
    if size > _MAX_TREE_SIZE:
        raise NoteError(f"malformed checkpoint: tree size {size_text} is out of range")
    try:
        root_hash = _b64decode(hash64)
    except ValueError as exc:
        raise NoteError(
            f"malformed checkpoint: root hash (line 3) is not valid base64 ({exc})"
        ) from exc
    if len(root_hash) != _ROOT_HASH_SIZE:
        raise NoteError(
            f"malformed checkpoint: root hash (line 3) is {len(root_hash)} bytes, "
            f"want {_ROOT_HASH_SIZE}"
        )
    for number, line in enumerate(extensions, start=4):
        if not line:
            raise NoteError(f"malformed checkpoint: extension line {number} is empty")
    return Checkpoint(origin=origin, size=size, root_hash=root_hash, extensions=tuple(extensions))


def _load_signer(path: Path, name: str) -> Signer:
    # O_NOFOLLOW: a symlink planted in place of the key file must not be followed.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NoteError(f"signer key file {path} is a symbolic link") from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NoteError(f"signer key file {path} is not a regular file")
        if info.st_mode & 0o077:
            raise NoteError(
                f"signer key file {path} has mode {stat.S_IMODE(info.st_mode):04o}; "
                "it must not be accessible to group or others (want 0600)"
            )
        data = handle.read()
    try:
        signer = Signer.from_private_key_string(data.decode("ascii").strip())
    except (UnicodeDecodeError, NoteError) as exc:
        raise NoteError(f"signer key file {path} does not hold a valid signer key: {exc}") from exc
    if signer.name != name:
        raise NoteError(f"signer key file {path} holds a key named {signer.name!r}, want {name!r}")
    return signer


def load_or_create_signer(path: Path, name: str) -> Signer:
    """Load the signer key stored at ``path``, creating it (mode 0600) on first use."""
    _check_name(name)
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        signer = Signer.generate(name)
        # Write a private temporary file and hard-link it into place: link() fails if
        # the key appeared meanwhile, and no reader ever sees a half-written key.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write((signer.private_key_string() + "\n").encode("ascii"))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return _load_signer(path, name)
