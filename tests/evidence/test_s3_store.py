"""The S3 store against a real server: the server checks every hash we send, and never
lets an object be overwritten."""

from __future__ import annotations

import base64
import hashlib
import random
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from casetrail.evidence.blobstore import S3BlobStore, store_from_url
from casetrail.evidence.errors import StoreError
from casetrail.evidence.hashing import Digests
from tests.evidence.conftest import MakeFile
from tests.evidence.seaweed import Seaweed

MiB = 1024 * 1024


def b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_the_server_refuses_a_wrong_checksum(seaweed: Seaweed) -> None:
    """What the store relies on: the server itself compares the body with ChecksumSHA256."""
    client = seaweed.client()
    bucket = seaweed.new_bucket()

    with pytest.raises(ClientError) as refused:
        client.put_object(
            Bucket=bucket, Key="k", Body=b"the body", ChecksumSHA256=b64_sha256(b"another body")
        )

    assert refused.value.response["Error"]["Code"] == "BadDigest"
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


def test_the_server_refuses_to_overwrite(s3_store: S3BlobStore, make_file: MakeFile) -> None:
    path, digests = make_file(b"stored once")
    s3_store.put_file(path, digests)

    with pytest.raises(ClientError) as refused:
        s3_store.client.put_object(
            Bucket=s3_store.bucket,
            Key=s3_store.key(digests.sha256),
            Body=b"replaced!!!",
            IfNoneMatch="*",
        )

    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    with s3_store.open(digests.sha256) as stored:
        assert stored.read() == b"stored once"


def test_key_layout_and_metadata(s3_store: S3BlobStore, make_file: MakeFile) -> None:
    path, digests = make_file(b"recording")
    s3_store.put_file(path, digests)
    key = f"sha256/{digests.sha256[:2]}/{digests.sha256}"

    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=key, ChecksumMode="ENABLED")

    assert head["ChecksumSHA256"] == b64_sha256(b"recording")
    assert head["Metadata"] == {"sha256": digests.sha256, "sm3": digests.sm3}


@pytest.fixture
def small_parts(seaweed: Seaweed) -> S3BlobStore:
    return S3BlobStore(seaweed.new_bucket(), seaweed.client(), part_size=5 * MiB)


def test_a_multipart_upload_is_checked_part_by_part_and_whole(
    small_parts: S3BlobStore, make_file: MakeFile
) -> None:
    data = random.Random(20).randbytes(20 * MiB + 123)
    path, digests = make_file(data)

    assert small_parts.put_file(path, digests) is True

    head = small_parts.client.head_object(
        Bucket=small_parts.bucket, Key=small_parts.key(digests.sha256), ChecksumMode="ENABLED"
    )
    assert head["ChecksumSHA256"].endswith("-5"), "five parts, each checked by the server"
    assert small_parts.digest(digests.sha256) == digests
    assert small_parts.put_file(path, digests) is False


def test_a_multipart_upload_of_the_wrong_content_is_aborted(
    small_parts: S3BlobStore, make_file: MakeFile
) -> None:
    """GIVEN digests that do not match the file WHEN it is uploaded in parts THEN the upload is
    aborted before completion: no object, no half-finished upload left on the server."""
    data = bytearray(random.Random(21).randbytes(11 * MiB))
    _, claimed = make_file(bytes(data))
    data[7 * MiB] ^= 0xFF
    path, _ = make_file(bytes(data))

    with pytest.raises(StoreError, match="nothing stored"):
        small_parts.put_file(path, claimed)

    assert not small_parts.exists(claimed.sha256)
    pending = small_parts.client.list_multipart_uploads(Bucket=small_parts.bucket)
    assert pending.get("Uploads", []) == []


def test_from_url_with_credentials_from_the_environment(
    seaweed: Seaweed, make_file: MakeFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed.secret_key)
    bucket = seaweed.new_bucket()

    store = store_from_url(seaweed.url(bucket), data_dir=tmp_path)
    path, digests = make_file(b"via the URL")

    assert isinstance(store, S3BlobStore)
    assert store.name == f"s3://{bucket}"
    assert store.put_file(path, digests) is True
    assert store.digest(digests.sha256) == digests


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://bucket?endpoint=http://x&colour=blue", "unknown parameter"),
        ("s3://key:secret@bucket", "no credentials in the URL"),
        ("s3:///no-bucket", "s3://bucket"),
        ("s3://bucket/prefix", "s3://bucket"),
    ],
)
def test_bad_s3_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        S3BlobStore.from_url(url)


def test_digests_of_a_wrong_size_are_refused_before_upload(
    s3_store: S3BlobStore, make_file: MakeFile
) -> None:
    path, digests = make_file(b"abc")

    with pytest.raises(StoreError, match="expected 4"):
        s3_store.put_file(path, Digests(digests.sha256, digests.sm3, 4))
