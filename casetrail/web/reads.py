"""Reads of protected material are acts (DESIGN invariant 4; Seed B 第29–30条): one middleware
ledgers every page, download and export of a confidential case, chosen by URL name.

``READS`` names every URL whose successful answer shows or hands over material of one case, with
its ledger action and how to find the case from the URL; ``NOT_READS`` names every other URL with
the reason it is not a read of a case. A URL in neither fails ``tests/web/test_reads.py``, so a
new page or download cannot be added without deciding. The entry is appended before the answer
leaves the server: if the ledger cannot take it, nothing is shown. Views never ledger their reads.

What a read entry records: the URL name, the URL's arguments, and the SHA-256 of the bytes given
(a stored file's own hash, from its ETag, when it is streamed; the body's hash otherwise), and
for a part of a file (206) the part given, as its Content-Range.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase
from django.http.response import HttpResponse

from casetrail.cases.actions.reads import do_record_read, read_is_recorded
from casetrail.cases.documents import Document
from casetrail.cases.models import Approval, Case, Party
from casetrail.digits import NotAWholeNumber, whole_number
from casetrail.ledger.canonical import Json
from casetrail.ledger.models import LedgerEntry

Arguments = Mapping[str, object]


def _by_case_id(arguments: Arguments) -> int | None:
    return _number(arguments.get("case_id"))


def _by_document(arguments: Arguments) -> int | None:
    return _case_of_row(Document, _number(arguments.get("document_id")))


def _by_admin(model: type[Model], column: str = "case_id") -> Callable[[Arguments], int | None]:
    """The case of the admin site's page of one *model* row (``object_id`` in its URL)."""

    def case_of(arguments: Arguments) -> int | None:
        return _case_of_row(model, _number(arguments.get("object_id")), column)

    return case_of


def _case_of_row(model: type[Model], pk: int | None, column: str = "case_id") -> int | None:
    if pk is None:
        return None
    found: int | None = model._default_manager.filter(pk=pk).values_list(column, flat=True).first()
    return found


def _number(value: object) -> int | None:
    if isinstance(value, int):
        return value
    try:
        return whole_number(value if isinstance(value, str) else None, "id")
    except NotAWholeNumber:
        return None


@dataclass(frozen=True)
class Read:
    action: str
    case_of: Callable[[Arguments], int | None] = _by_case_id


PAGE = Read("case.view_protected")
PDF = Read("document.read_pdf")
FILE = Read("file.read")
EXPORT = Read("case.export")

# A successful answer: the whole (200) or a part (206 Partial Content: a range of a recording,
# as a browser's player asks for it; each part given is a read).
SUCCESS = frozenset({200, 206})

READS: dict[str, Read] = {
    # the case's pages (GET, and a form shown again with its errors)
    "case-detail": PAGE,
    "case-filing": PAGE,
    "case-close-investigation": PAGE,
    "case-gates": PAGE,
    "case-extension": PAGE,
    "case-performance": PAGE,
    "case-close": PAGE,
    "document-new": PAGE,
    "document-create": PAGE,
    "document-detail": PAGE,
    "document-edit": PAGE,
    "document-sign": PAGE,
    "document-signature": PAGE,
    "document-refusal": PAGE,
    "document-finalise": PAGE,
    "document-service": PAGE,
    "document-propose": PAGE,
    "recording-new": PAGE,
    "recording-detail": PAGE,
    "admin:cases_case_change": Read(PAGE.action, _by_admin(Case, "pk")),
    "admin:cases_case_history": Read(PAGE.action, _by_admin(Case, "pk")),
    "admin:cases_party_change": Read(PAGE.action, _by_admin(Party)),
    "admin:cases_party_history": Read(PAGE.action, _by_admin(Party)),
    "admin:cases_approval_change": Read(PAGE.action, _by_admin(Approval)),
    "admin:cases_approval_history": Read(PAGE.action, _by_admin(Approval)),
    "admin:ledger_ledgerentry_change": Read(PAGE.action, _by_admin(LedgerEntry)),
    "admin:ledger_ledgerentry_history": Read(PAGE.action, _by_admin(LedgerEntry)),
    # PDFs, stored files, exports
    "document-pdf": Read("document.read_pdf", _by_document),
    "document-blank-pdf": PDF,
    "signature-image": FILE,
    "service-proof": FILE,
    "recording-file": FILE,
    "case-act-proof": EXPORT,
}

NOT_READS: dict[str, str] = {
    "calendar-year": "工作日历：全国的节假日与调休，不含案件内容",
    "login": "登录页，不含案件内容",
    "logout": "退出登录",
    "activate": "账号激活页：以一次性激活码设置首个密码，不含案件内容",
    "officer-list": "人员列表：姓名、岗位与执法证状态，不含案件内容",
    "officer-new": "登记人员的表单，不含案件内容",
    "officer-import": "从文件导入人员（预览与确认），不含案件内容",
    "officer-template": "人员名单模板（XLSX），不含案件内容",
    "officer-detail": "人员页：证件与岗位，列出其承办案件的案号与案由，不是某一案件的页面",
    "officer-new-code": "为人员签发激活码（记账的行为），不含案件内容",
    "officer-deactivate": "停用人员（记账的行为），不含案件内容",
    "case-list": "案件列表：只列出本人可见案件的案号，不是某一案件的页面",
    "home": "登录后的去向：按岗位转到案件列表或审批待办，不含案件内容",
    "favicon": "网站图标，不含案件内容",
    "case-open": "新建案件的表单，尚无案件",
    "agency-detail": "机关页：公钥、检查点与备份状态，不含案件内容",
    "agency-list": "机关列表（按上下级排列），不含案件内容",
    "agency-new": "新建机关的表单与预览，尚无案件",
    "agency-edit": "修改机关信息（记账的行为），不含案件内容",
    "agency-audit": "机关的管理行为记录（机关、人员、岗位、日历、账号），不含案件内容",
    "approval-inbox": "待审批列表：只列出案号，不是某一案件的页面",
    "deadline-list": "期限列表：只列出案号与期限，不是某一案件的页面",
    "backup-list": "异地备份状态页，不含案件内容",
    "verify-lookup": "公开核验页：输入核验码",
    "verify-document": "公开核验页：涉密案件的文书只显示“涉密”，不显示内容",
    "api-log": "公开的账本信息（树的大小与根），不含案件内容",
    "api-checkpoint": "公开的已签名检查点",
    "api-checkpoints": "公开的已签名检查点列表",
    "api-inclusion": "公开的包含证明：只有哈希",
    "api-consistency": "公开的一致性证明：只有哈希",
    "ingest-recordings": "采集站上传（写入，由登记音像记录的行为记入账本）",
    "ingest-whoami": "采集站查询自身令牌，不含案件内容",
    "tus-collection": "断点续传的创建（写入未完成的上传，尚未成为证据）",
    "tus-resource": "断点续传的追加与查询：只返回偏移量，不返回文件内容",
}

# The admin site's other pages: lists, forms for new rows, and the tables that hold no case.
NOT_READ_NAMESPACES: dict[str, str] = {
    "admin": "管理后台的列表页与非案件数据页；案件与当事人的详情页见 READS",
}


class LedgeredReadMiddleware:
    """Append a read entry for each successful answer of a URL in ``READS`` that belongs to a
    confidential case, before the answer is sent. Last in ``settings.MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = request.resolver_match
        read = READS.get(match.view_name) if match is not None else None
        if match is None or read is None or response.status_code not in SUCCESS:
            return response
        case = _case(read.case_of(match.kwargs))
        if case is None or not read_is_recorded(case):
            return response
        user = request.user if isinstance(request.user, User) else None
        if user is None:  # every READS view requires a login: never hand out unrecorded
            raise PermissionError(
                f"{match.view_name}: a read of a confidential case without a user"
            )
        do_record_read(
            acting_user=user,
            case=case,
            action=read.action,
            facts=_facts(match.view_name, match.kwargs, response),
        )
        return response


def _case(case_id: int | None) -> Case | None:
    if case_id is None:
        return None
    return Case.objects.select_related("agency").filter(pk=case_id).first()


def _facts(view_name: str, arguments: Arguments, response: HttpResponseBase) -> dict[str, Json]:
    facts: dict[str, Json] = {"view": view_name}
    facts.update({name: _json(value) for name, value in sorted(arguments.items())})
    if digest := _sha256(response):
        facts["sha256"] = digest
    if part := response.get("Content-Range"):
        facts["range"] = part
    return facts


def _json(value: object) -> Json:
    return value if isinstance(value, int | str) else str(value)


def _sha256(response: HttpResponseBase) -> str:
    if isinstance(response, HttpResponse):
        return hashlib.sha256(response.content).hexdigest()
    return str(response.get("ETag", "")).strip('"')
