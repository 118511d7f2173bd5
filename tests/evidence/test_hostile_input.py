"""Hostile input to the tus and ingest endpoints gets a 4xx with a Chinese message, never a 500.

GIVEN headers like ``Upload-Length: ²``, 5,000 digits, non-ASCII bytes in ``Upload-Metadata``
or an Arabic-Indic case id, WHEN they reach the endpoints, THEN the answer is a 400 naming the
header. A hypothesis property drives the endpoints with arbitrary header bytes: no 5xx, and the
test client re-raises any exception a view lets escape.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_django import Settings

from casetrail.cases.models import Case
from casetrail.digits import NotAWholeNumber, whole_number
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.models import Upload
from casetrail.evidence.storage import primary_store
from tests.evidence.samples import SAMPLES
from tests.personas import World, open_case
from tests.procedure_world import filed_case

MP4_NAME, MP4_HEAD = SAMPLES["video/mp4"]
TUS = "/uploads/tus/"
INGEST = "/api/ingest/recordings"
OFFSET_STREAM = "application/offset+octet-stream"
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "²",
    "٣",
    "１２",
    "9" * 5000,
    "9" * 19,
    "-1",
    "+5",
    " 5",
    "5 ",
    "1e3",
    "0x10",
    "",
    "\x00",
    "é",
]
# Header values as a WSGI server hands them over: bytes decoded as Latin-1.
header_text = st.one_of(
    st.sampled_from(NASTY),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    st.text(max_size=40),
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def blobs(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    store = primary_store()
    assert isinstance(store, LocalBlobStore)
    return store


@pytest.fixture
def case(world: World, blobs: LocalBlobStore) -> Case:
    return open_case(world)


@pytest.fixture
def zhang(world: World) -> Client:
    client = Client()
    client.force_login(world.zhang.user)
    return client


def create(client: Client, case: Case, length: int = 64) -> Upload:
    metadata = f"filename {b64(MP4_NAME)},case_id {b64(str(case.pk))}"
    response = client.post(
        TUS,
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=metadata,
    )
    assert response.status_code == 201, response.content
    return Upload.objects.get(pk=response["Location"].rsplit("/", 1)[1])


# --- the helper ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY)
def test_whole_number_refuses_what_is_not_ascii_digits(text: str) -> None:
    with pytest.raises(NotAWholeNumber, match="仅限 0–9"):
        whole_number(text, "Upload-Length")


def test_whole_number_reads_ascii_digits() -> None:
    assert whole_number("0", "x") == 0
    assert whole_number("9" * 18, "x") == int("9" * 18)
    assert whole_number(b"42", "x") == 42


# --- the cases found by hand -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000])
def test_a_malformed_upload_length_is_a_400(zhang: Client, case: Case, value: str) -> None:
    metadata = f"filename {b64(MP4_NAME)},case_id {b64(str(case.pk))}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH=value, HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code == 400
    assert "Upload-Length：必须为" in response.content.decode()
    assert not Upload.objects.exists()


@pytest.mark.parametrize("header", ["HTTP_UPLOAD_OFFSET", "CONTENT_LENGTH"])
@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000])
def test_a_malformed_offset_or_content_length_is_a_400(
    zhang: Client, case: Case, header: str, value: str
) -> None:
    upload = create(zhang, case)
    extra: dict[str, Any] = {
        "HTTP_TUS_RESUMABLE": "1.0.0",
        "HTTP_UPLOAD_OFFSET": "0",
        header: value,
    }
    response = zhang.generic(
        "PATCH", f"{TUS}{upload.pk}", MP4_HEAD[:8], content_type=OFFSET_STREAM, **extra
    )
    assert response.status_code == 400
    name = "Upload-Offset" if header == "HTTP_UPLOAD_OFFSET" else "Content-Length"
    assert f"{name}：必须为" in response.content.decode()
    upload.refresh_from_db()
    assert upload.offset == 0


def test_non_ascii_metadata_is_a_400(zhang: Client, case: Case) -> None:
    """``b64decode`` raises ValueError, not binascii.Error, on non-ASCII text."""
    metadata = f"filename 视频.mp4,case_id {b64(str(case.pk))}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code == 400
    assert "Upload-Metadata：只能包含可打印的 ASCII 字符" in response.content.decode()


def test_metadata_that_is_not_base64_is_a_400(zhang: Client, case: Case) -> None:
    metadata = f"filename ***,case_id {b64(str(case.pk))}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code == 400
    assert "Upload-Metadata：'filename' 的值不是 UTF-8 文本的 Base64" in response.content.decode()


def test_a_non_ascii_checksum_is_a_400(zhang: Client, case: Case) -> None:
    upload = create(zhang, case)
    response = zhang.generic(
        "PATCH",
        f"{TUS}{upload.pk}",
        MP4_HEAD[:8],
        content_type=OFFSET_STREAM,
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_OFFSET="0",
        HTTP_UPLOAD_CHECKSUM="sha256 摘要",
    )
    assert response.status_code == 400
    assert "Upload-Checksum：摘要不是 Base64" in response.content.decode()


@pytest.mark.parametrize("case_id", ["٣", "３", "²"])
def test_a_case_id_in_other_digits_is_refused(zhang: Client, case: Case, case_id: str) -> None:
    """ "٣".isdigit() is true and int("٣") is 3: such an id named a case before."""
    typed = case_id * len(str(case.pk)) if case_id != "²" else case_id
    metadata = f"filename {b64(MP4_NAME)},case_id {b64(typed)}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code == 400
    assert "case_id（案件编号）：必须为" in response.content.decode()
    assert not Upload.objects.exists()


def test_a_malformed_content_length_at_ingest_is_a_400(token: str, case: Case) -> None:
    response = Client().post(
        f"{INGEST}?filename={MP4_NAME}",
        data=b"",
        content_type="application/octet-stream",
        headers={"Authorization": f"Bearer {token}"},
        CONTENT_LENGTH="²",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "Content-Length"


@pytest.mark.parametrize("value", ["abc", "٣", "9" * 5000])
def test_a_malformed_supersedes_is_a_400(world: World, value: str) -> None:
    case = filed_case(world)
    client = Client()
    client.force_login(world.zhang.user)
    url = reverse("document-create", args=[case.pk, "inquiry_transcript"])
    response = client.get(url, {"supersedes": value})
    assert response.status_code == 400
    assert "supersedes（被更正的文书编号）：必须为" in response.content.decode()


def test_a_malformed_proof_index_is_a_400(world: World) -> None:
    url = reverse("api-inclusion", args=[world.lc.code])
    response = Client().get(url, {"index": "²"})
    assert response.status_code == 400
    assert "index：必须为" in response.json()["error"]


# --- the property ----------------------------------------------------------------------------


@pytest.fixture
def token(world: World) -> str:
    return station_token()


def station_token() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_ingest_token", "luanchuan-tjj", "station1", "--create", "一号采集站",
        stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue().strip()


@EXAMPLES
@given(
    length=header_text | st.integers(0, 10**7).map(str),
    metadata=st.one_of(
        header_text,
        st.builds(lambda a, b: f"filename {a},case_id {b}", header_text, header_text),
        # well-formed up to the case, so that hostile names and extras reach the database
        st.builds(
            lambda name, extra: f"filename {b64(name)},case_id {{case}}{extra}",
            st.text(max_size=30) | st.just(MP4_NAME),
            (header_text | st.text(st.characters(max_codepoint=0x7F), max_size=12)).map(
                lambda text: f",{text}"
            ),
        ),
    ),
    defer=st.none() | header_text,
    override=st.none() | st.sampled_from(["PATCH", "DELETE", "HEAD", "GET", "x"]),
)
def test_creation_never_answers_5xx(
    zhang: Client,
    case: Case,
    length: str,
    metadata: str,
    defer: str | None,
    override: str | None,
) -> None:
    extra: dict[str, Any] = {
        "HTTP_TUS_RESUMABLE": "1.0.0",
        "HTTP_UPLOAD_LENGTH": length,
        "HTTP_UPLOAD_METADATA": metadata.replace("{case}", b64(str(case.pk))),
    }
    if defer is not None:
        extra["HTTP_UPLOAD_DEFER_LENGTH"] = defer
    if override is not None:
        extra["HTTP_X_HTTP_METHOD_OVERRIDE"] = override
    response = zhang.post(TUS, **extra)
    assert response.status_code < 500


@EXAMPLES
@given(
    name=st.text(max_size=30) | st.just(MP4_NAME),
    extra=header_text | st.text(st.characters(max_codepoint=0x7F), max_size=12),
)
@example(name=MP4_NAME, extra="note\x00")  # found by this test on PostgreSQL
def test_hostile_metadata_never_answers_5xx(
    zhang: Client, case: Case, name: str, extra: str
) -> None:
    """Well-formed up to the case, so that hostile names and other keys reach the database."""
    metadata = f"filename {b64(name)},case_id {b64(str(case.pk))},{extra}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="100", HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code < 500


@EXAMPLES
@given(
    offset=header_text,
    content_length=st.none()
    | header_text.filter(lambda text: not (text.isascii() and text.isdigit())),
    content_type=st.sampled_from([OFFSET_STREAM, "text/plain"]) | header_text,
    checksum=st.none() | header_text | header_text.map(lambda text: f"sha256 {text}"),
    body=st.binary(max_size=80),
    method=st.sampled_from(["PATCH", "HEAD", "DELETE", "OPTIONS", "GET"]),
)
def test_an_upload_never_answers_5xx(
    zhang: Client,
    case: Case,
    offset: str,
    content_length: str | None,
    content_type: str,
    checksum: str | None,
    body: bytes,
    method: str,
) -> None:
    upload = create(zhang, case)
    extra: dict[str, Any] = {"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_UPLOAD_OFFSET": offset}
    if content_length is not None:  # else the client's own, the body's length
        extra["CONTENT_LENGTH"] = content_length
    if checksum is not None:
        extra["HTTP_UPLOAD_CHECKSUM"] = checksum
    response = zhang.generic(method, f"{TUS}{upload.pk}", body, content_type=content_type, **extra)
    assert response.status_code < 500


@EXAMPLES
@given(
    authorization=st.none() | header_text | st.just("valid"),
    content_length=st.none()
    | header_text.filter(lambda text: not (text.isascii() and text.isdigit())),
    content_type=st.sampled_from(["application/octet-stream", "multipart/form-data"]) | header_text,
    query=st.dictionaries(
        st.sampled_from(["filename", "case_number", "kind", "recorded_start_at", "maker"]),
        header_text,
        max_size=5,
    ),
    body=st.binary(max_size=80),
)
def test_ingest_never_answers_5xx(
    token: str,
    case: Case,
    authorization: str | None,
    content_length: str | None,
    content_type: str,
    query: dict[str, str],
    body: bytes,
) -> None:
    extra: dict[str, Any] = {}
    if authorization is not None:
        valid = f"Bearer {token}"
        extra["HTTP_AUTHORIZATION"] = valid if authorization == "valid" else authorization
    if content_length is not None:  # else the client's own, the body's length
        extra["CONTENT_LENGTH"] = content_length
    response = Client().generic(
        "POST", f"{INGEST}?{urlencode(query)}", body, content_type=content_type, **extra
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "extra",
    [",\x00", ",note\x00 ", ",note " + b64("a\x00b"), ",key\x00name YQ==", ",\x7f", ",é"],
)
def test_control_characters_in_metadata_are_a_400(zhang: Client, case: Case, extra: str) -> None:
    """PostgreSQL cannot keep NUL in text: such metadata must not reach the database."""
    metadata = f"filename {b64(MP4_NAME)},case_id {b64(str(case.pk))}{extra}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code == 400
    assert "Upload-Metadata：" in response.content.decode()
    assert not Upload.objects.exists()


@pytest.mark.parametrize("name", ["a\x00.mp4", "a\nb.mp4"])
def test_a_filename_with_control_characters_is_a_400(zhang: Client, case: Case, name: str) -> None:
    metadata = f"filename {b64(name)},case_id {b64(str(case.pk))}"
    response = zhang.post(
        TUS, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata
    )
    assert response.status_code == 400
    assert not Upload.objects.exists()
