"""The public verification page /v/<code>: anyone, no login, rate-limited.

GIVEN issued documents, WHEN someone follows the QR code or types the code, THEN the page says
genuine or unknown; for an ordinary case it shows what is printed on the document, the PDF's
hash and its inclusion proof against the signed checkpoint, which verifies offline; for a
confidential case nothing but the verdict; an uploaded file is identical or not, to the byte.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.document_verification import issuance_leaf
from casetrail.documents.models import IssuedPdf
from casetrail.evidence.storage import primary_store
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.merkle import leaf_hash, verify_inclusion
from casetrail.ledger.selectors import agency_log
from tests.documents.world import issued_inquiry
from tests.personas import World


def page(client: Client, code: str) -> str:
    return client.get(reverse("verify-document", args=[code])).content.decode("utf-8")


def upload(client: Client, code: str, data: bytes) -> str:
    response = client.post(
        reverse("verify-document", args=[code]),
        {"pdf": SimpleUploadedFile("文书.pdf", data, content_type="application/pdf")},
    )
    return response.content.decode("utf-8")


def stored(issued: IssuedPdf) -> bytes:
    with primary_store().open(issued.sha256) as handle:
        return handle.read()


def test_a_genuine_document_with_its_inclusion_proof(
    world: World, client: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    _, document = issued_inquiry(world)
    issued = IssuedPdf.objects.get(document=document)
    url = reverse("verify-document", args=[issued.verification_code])

    before = client.get(url)
    assert before.status_code == 200
    assert 'data-verdict="genuine"' in before.content.decode()
    assert 'data-testid="checkpoint"' not in before.content.decode()  # not yet published

    publish(agency_log(world.lc))
    response = client.get(url)
    html = response.content.decode("utf-8")
    assert 'data-verdict="genuine"' in html
    for shown in ("询问（调查）笔录", "栾川县统计局", issued.sha256, "有效，未被更正"):
        assert shown in html
    public = response.context["public"]
    leaf = issuance_leaf(issued)
    assert leaf is not None
    assert public.index == leaf.index
    proof = public.proof
    assert proof["leaf_hash"] == leaf_hash(leaf.entry.payload.encode("utf-8"), ledger_hash()).hex()
    verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["index"],
        proof["tree_size"],
        [bytes.fromhex(node) for node in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
        ledger_hash(),
    )
    # nothing of the record beyond what the page lists: no field, no party, no payload
    for hidden in ("刘某", "410324198503121235", "某某矿业有限公司", leaf.entry.payload[:40]):
        assert hidden not in html


def test_an_uploaded_pdf_is_identical_or_not_to_the_byte(world: World, client: Client) -> None:
    _, document = issued_inquiry(world)
    issued = IssuedPdf.objects.get(document=document)
    pdf = stored(issued)
    assert 'data-verdict="identical"' in upload(client, issued.verification_code, pdf)

    middle = len(pdf) // 2
    changed = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    html = upload(client, issued.verification_code, changed)
    assert 'data-verdict="different"' in html
    assert "不一致" in html
    assert 'data-verdict="different"' in upload(client, issued.verification_code, pdf + b"\n")


def test_an_unknown_or_mistyped_code(world: World, client: Client) -> None:
    _, document = issued_inquiry(world)
    code = IssuedPdf.objects.get(document=document).verification_code
    unknown = client.get(reverse("verify-document", args=["ZZZZ-ZZZZ-ZZZZ"]))
    assert unknown.status_code == 404
    assert 'data-verdict="unknown"' in unknown.content.decode()
    assert client.get(reverse("verify-document", args=["not-a-code"])).status_code == 404

    typed = code.lower().replace("-", "")
    response = client.get(reverse("verify-document", args=[typed]))
    assert response.status_code == 302
    assert response["Location"] == reverse("verify-document", args=[code])
    lookup = client.get(reverse("verify-lookup"), {"code": f" {code.lower()} "})
    assert lookup["Location"] == reverse("verify-document", args=[code])
    assert "格式不正确" in client.get(reverse("verify-lookup"), {"code": "12"}).content.decode()


def test_a_confidential_case_reveals_nothing_but_the_verdict(
    world: World, client: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    case, document = issued_inquiry(world, confidentiality="trade_secret")
    publish(agency_log(world.lc))
    issued = IssuedPdf.objects.get(document=document)
    html = page(client, issued.verification_code)
    assert 'data-verdict="genuine"' in html
    secrets = [
        document.title,
        "笔录",
        world.lc.name,
        world.lc.short_name,
        case.case_number,
        case.cause,
        "刘某",
        "矿业",
        issued.sha256,
        document.final.content_sha256,
        "账本",
        "检查点",
    ]
    for secret in secrets:
        assert secret not in html, secret
    answer = upload(client, issued.verification_code, stored(issued))
    assert 'data-verdict="identical"' in answer
    for secret in secrets:
        assert secret not in answer, secret


def test_the_page_is_rate_limited_per_address(
    world: World, client: Client, settings: Settings
) -> None:
    settings.CASETRAIL_VERIFY_RATE_PER_MINUTE = 3
    url = reverse("verify-document", args=["ZZZZ-ZZZZ-ZZZZ"])
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 404]
    limited = client.get(url)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "请求过于频繁" in limited.content.decode()
    assert client.post(url, {}).status_code == 429
    assert client.get(reverse("verify-lookup")).status_code == 429
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.get(url).status_code == 404


def test_no_login_is_needed_and_the_json_of_the_api_is_linked(
    world: World, client: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    _, document = issued_inquiry(world)
    publish(agency_log(world.lc))
    html = page(client, IssuedPdf.objects.get(document=document).verification_code)
    api = reverse("api-log", args=[world.lc.code])
    assert api in html
    assert json.loads(client.get(api).content)["origin"] in html
