"""A blob store in an S3-compatible bucket (SeaweedFS, MinIO, Ceph, AWS): ``sha256/ab/<sha256>``.

Scale-out and off-site copies (Seed A art. 14: 定期异地备份) use the same protocol as the local
folder. Every write is checked by the server against a SHA-256 that we computed, and every write
is conditional (``If-None-Match: *``), so an object is never overwritten and identical content
is stored once.

- Up to ``part_size`` bytes: one ``PutObject`` whose ``ChecksumSHA256`` *is* the blob address;
  the server refuses the upload (``BadDigest``) unless the body hashes to it.
- Larger files: our own multipart loop rather than boto3's ``upload_file``. S3 offers SHA-256
  for multipart uploads only as a checksum of part checksums, which the server cannot compare
  with the address. So each part carries its own ``ChecksumSHA256`` (the server checks it),
  while the same bytes feed a running SHA-256 of the whole file; the upload is completed only
  if that equals the address, and aborted otherwise: nothing becomes visible. One part is in
  memory at a time.

Credentials never appear in the URL: pass them to ``from_url`` or let boto3 find them
(``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import parse_qs, urlsplit

from botocore.exceptions import ClientError

from casetrail.evidence.errors import BlobMissing, StoreError
from casetrail.evidence.hashing import Digests, hash_stream, is_sha256, require_sha256

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from botocore.response import StreamingBody
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.type_defs import CompletedPartTypeDef

__all__ = ["S3BlobStore"]

PART_SIZE = 16 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024  # the S3 minimum for every part but the last
MAX_PARTS = 10_000
PREFIX = "sha256/"
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_URL_PARAMETERS = frozenset({"endpoint", "region"})


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class _BodyReader(io.RawIOBase):
    """A botocore ``StreamingBody`` as a raw stream, so that it can be wrapped as a BinaryIO."""

    def __init__(self, body: StreamingBody) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        with memoryview(buffer) as raw, raw.cast("B") as view:
            data = self._body.read(len(view))
            view[: len(data)] = data
            return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3BlobStore:
    """Blobs in one bucket; see the module docstring for how writes are checked."""

    def __init__(self, bucket: str, client: S3Client, *, part_size: int = PART_SIZE) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum)")
        self.bucket = bucket
        self.client = client
        self.part_size = part_size
        self.name = f"s3://{bucket}"

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        part_size: int = PART_SIZE,
    ) -> S3BlobStore:
        """``s3://bucket?endpoint=http://127.0.0.1:8333&region=us-east-1`` (both optional)."""
        import boto3
        from botocore.config import Config

        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError(f"{url!r}: write an S3 store as s3://bucket?endpoint=…&region=…")
        if parts.username or parts.password:
            raise ValueError(f"{url!r}: no credentials in the URL; pass them or use AWS_* vars")
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
        unknown = sorted(set(query) - _URL_PARAMETERS)
        if unknown:
            raise ValueError(f"{url!r}: unknown parameter(s) {', '.join(unknown)}")
        options = {key: values[-1] for key, values in query.items()}
        client = boto3.client(
            "s3",
            endpoint_url=options.get("endpoint") or None,
            region_name=options.get("region") or None,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"mode": "standard", "max_attempts": 5},
            ),
        )
        return cls(parts.hostname, client, part_size=part_size)

    def key(self, sha256: str) -> str:
        require_sha256(sha256)
        return f"{PREFIX}{sha256[:2]}/{sha256}"

    def put_file(self, path: Path, digests: Digests) -> bool:
        key = self.key(digests.sha256)
        size = path.stat().st_size
        if size != digests.size:
            raise StoreError(f"{path} has {size} bytes, expected {digests.size}; not stored")
        if self.exists(digests.sha256):
            self._check_present(digests)
            return False
        metadata = {"sha256": digests.sha256, "sm3": digests.sm3}
        with path.open("rb") as source:
            try:
                if size <= self.part_size:
                    self.client.put_object(
                        Bucket=self.bucket,
                        Key=key,
                        Body=source,
                        ContentLength=size,
                        ChecksumSHA256=_b64(bytes.fromhex(digests.sha256)),
                        IfNoneMatch="*",
                        Metadata=metadata,
                    )
                else:
                    self._put_multipart(source, key, digests, metadata)
            except ClientError as error:
                if _code(error) == "PreconditionFailed":  # stored meanwhile by someone else
                    self._check_present(digests)
                    return False
                if _code(error) == "BadDigest":
                    raise StoreError(
                        f"{self.name}: {path} does not hash to {digests.sha256}; not stored"
                    ) from error
                raise StoreError(
                    f"{self.name}: storing {digests.sha256} failed: {error}"
                ) from error
        return True

    def _put_multipart(
        self, source: BinaryIO, key: str, digests: Digests, metadata: dict[str, str]
    ) -> None:
        part_size = max(self.part_size, -(-digests.size // MAX_PARTS))
        upload_id = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ChecksumAlgorithm="SHA256", Metadata=metadata
        )["UploadId"]
        try:
            whole = hashlib.sha256()
            parts: list[CompletedPartTypeDef] = []
            while data := source.read(part_size):
                whole.update(data)
                checksum = _b64(hashlib.sha256(data).digest())
                number = len(parts) + 1
                etag = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=data,
                    ContentLength=len(data),
                    ChecksumSHA256=checksum,
                )["ETag"]
                parts.append({"ETag": etag, "PartNumber": number, "ChecksumSHA256": checksum})
            if whole.hexdigest() != digests.sha256:
                raise StoreError(
                    f"{self.name}: the file hashes to {whole.hexdigest()}, not {digests.sha256};"
                    " upload aborted, nothing stored"
                )
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
        except BaseException:
            with contextlib.suppress(ClientError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    def open(self, sha256: str) -> BinaryIO:
        """A stream of the object; single-part objects are also checked by botocore as read."""
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self.key(sha256), ChecksumMode="ENABLED"
            )
        except ClientError as error:
            if _code(error) in _MISSING:
                raise BlobMissing(self.name, sha256) from None
            raise
        return io.BufferedReader(_BodyReader(response["Body"]), buffer_size=1024 * 1024)

    def open_range(self, sha256: str, first: int, last: int) -> BinaryIO:
        """A ranged GET: the server sends only those bytes (no whole-object checksum to check)."""
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self.key(sha256), Range=f"bytes={first}-{last}"
            )
        except ClientError as error:
            if _code(error) in _MISSING:
                raise BlobMissing(self.name, sha256) from None
            raise
        return io.BufferedReader(_BodyReader(response["Body"]), buffer_size=1024 * 1024)

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def size(self, sha256: str) -> int:
        size = self._head(sha256)
        if size is None:
            raise BlobMissing(self.name, sha256)
        return size

    def iter_sha256(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=PREFIX):
            for item in page.get("Contents", []):
                key = item.get("Key", "")
                sha256 = key.rpartition("/")[2]
                if is_sha256(sha256) and key == f"{PREFIX}{sha256[:2]}/{sha256}":
                    yield sha256

    def digest(self, sha256: str) -> Digests:
        """Download and re-hash (SHA-256 and SM3): the digests of what the bucket holds now."""
        with self.open(sha256) as source:
            return hash_stream(source)

    def _head(self, sha256: str) -> int | None:
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise
        return response["ContentLength"]

    def _check_present(self, digests: Digests) -> None:
        stored = self.size(digests.sha256)
        if stored != digests.size:
            raise StoreError(
                f"{self.name}: the stored {digests.sha256} has {stored} bytes, expected "
                f"{digests.size}: the stored copy or the digests are wrong (run a scrub)"
            )
