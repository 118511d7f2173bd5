"""Sheets of every kind with a sample value in every field, built without the database."""

from __future__ import annotations

import base64
from datetime import datetime

from casetrail.documents.codes import verification_code
from casetrail.documents.formatting import CHINA, money
from casetrail.documents.sheet import Mark, Refusal, Row, Sheet, SignerBlock, State
from casetrail.policy.catalogue import DocumentKind, FieldSpec
from tests.procedure_world import SIGNATURE_PNG

MOMENT = datetime(2026, 12, 15, 10, 30, tzinfo=CHINA)
PNG_URI = "data:image/png;base64," + base64.b64encode(SIGNATURE_PNG).decode("ascii")
PARTY_DETAILS = (("统一社会信用代码", "91410324MA3K2L5P55"), ("地址", "栾川县城关镇某路18号"))


def sample_value(spec: FieldSpec, index: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    match spec.type:
        case "text":
            return f"单行内容{index}号", ()
        case "textarea":
            return f"多行内容第一行{index}号\n多行内容第二行{index}号", ()
        case "date":
            return "2026年12月15日", ()
        case "datetime":
            return "2026年12月11日9时00分", ()
        case "money":
            return money("50000.00"), ()
        case "integer":
            return "3", ()
        case "boolean":
            return "是", ()
        case "choice":
            return spec.choices[0][1], ()
        case "officer":
            return "张伟（执法证号：LC-001）", ()
        case "officers":
            return "张伟（执法证号：LC-001）、李娜（执法证号：LC-002）", ()
        case "party":
            return "某某矿业有限公司", PARTY_DETAILS
        case "recording":
            return "现场检查.mp4（SHA-256：0123456789abcdef…）", ()
        case "document":
            return "询问（调查）笔录", ()
    raise AssertionError(spec.type)


def sample_rows(kind: DocumentKind, *, blank: bool = False) -> tuple[Row, ...]:
    rows = []
    for index, spec in enumerate(kind.fields, start=1):
        value, details = ("", ()) if blank else sample_value(spec, index)
        raw: object = (True if spec.type == "boolean" else value) if not blank else None
        choices = tuple(label for _, label in spec.choices)
        rows.append(Row(spec.name, spec.label, spec.type, value, raw, details, choices))
    return tuple(rows)


def sample_signers(kind: DocumentKind) -> tuple[SignerBlock, ...]:
    blocks, refused = [], False
    for spec in kind.signers:
        if spec.person and not refused:
            refused = True
            refusal = Refusal("刘某", "拒绝在文书上签字", "2026年12月15日10时00分", "李娜")
            blocks.append(SignerBlock(spec.code, spec.label, True, refusals=(refusal,)))
        elif spec.person:
            mark = Mark("刘某", "屏幕手写签名", "2026年12月15日10时05分", PNG_URI)
            blocks.append(SignerBlock(spec.code, spec.label, True, marks=(mark,)))
        else:
            mark = Mark("张伟", "系统登录签名", "2026年12月15日10时10分")
            blocks.append(SignerBlock(spec.code, spec.label, False, marks=(mark,)))
    return tuple(blocks)


def sample_sheet(kind: DocumentKind, state: State = "final", document_id: int = 7) -> Sheet:
    code = verification_code(document_id, "ab" * 32) if state == "final" else ""
    return Sheet(
        kind=kind.code,
        title=kind.title,
        agency="栾川县统计局",
        number=f"栾统{kind.abbreviation}〔2026〕1号" if kind.numbered and state == "final" else "",
        numbered=kind.numbered,
        case_number="栾统立〔2026〕7号",
        rows=sample_rows(kind, blank=state == "blank"),
        signers=sample_signers(kind) if state != "blank" else (),
        seal=kind.seal,
        transcript=kind.transcript,
        state=state,
        dated="2026年12月15日" if state == "final" else "",
        moment=MOMENT if state == "final" else None,
        code=code,
        verify_url=f"http://127.0.0.1:8000/v/{code}" if code else "",
    )
