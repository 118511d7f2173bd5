"""Officers from an XLSX or CSV file (issue 17, item 3): read → check every row → plan; the
plan is applied by `do_import_officers` (`actions/officer_import.py`).

The first row holds the headers, in any order. A file with any bad row imports nothing and
names every bad row and field; a dry run plans and writes nothing; importing the same file
again changes nothing (each row is compared with the officer of the same login).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final, Literal

from casetrail import clock
from casetrail.cases.models import Agency, Officer
from casetrail.cases.officer_checks import (
    ROLE_LABELS,
    FieldProblem,
    OfficerInput,
    officer_problems,
    parse_day,
    parse_roles,
    taken_problems,
)

REQUIRED_HEADERS: Final = (
    "姓名",
    "登录名",
    "执法证号",
    "发证机关",
    "证件有效期起",
    "证件有效期止",
    "角色",
)
LEGAL_REVIEW_HEADER: Final = "法制审核资格证号"
HEADERS: Final = (*REQUIRED_HEADERS, LEGAL_REVIEW_HEADER)
MAX_ROWS: Final = 5000


class ImportUnreadable(Exception):
    """The file could not be read at all (not an XLSX or CSV file, not text, empty)."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it: the headers are row 1
    field: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where} {self.field}：{self.message}"


ChangeKind = Literal["create", "update", "unchanged"]
KIND_LABELS: Final[dict[str, str]] = {"create": "新增", "update": "变更", "unchanged": "无变化"}


@dataclass(frozen=True)
class PlannedRow:
    row: int
    data: OfficerInput
    kind: ChangeKind
    changes: tuple[str, ...] = ()  # what an update changes, in Chinese
    new_roles: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_LABELS.get(code, code) for code in self.data.roles)


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    has_legal_review_column: bool = False
    # login → one-time activation code of each account the import created (shown once)
    activation_codes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    def summary(self) -> str:
        return (
            f"新增 {self.count('create')} 人，变更 {self.count('update')} 人，"
            f"无变化 {self.count('unchanged')} 人"
        )


# --- reading ------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ImportUnreadable(f"文件不是有效的 XLSX 表格（{type(error).__name__}）") from None
    except Exception as error:  # zipfile.BadZipFile and the reader's other complaints
        raise ImportUnreadable(f"文件不是有效的 XLSX 表格（{type(error).__name__}）") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in zh-CN saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportUnreadable("文件不是 UTF-8 或 GB18030 编码的 CSV 文本")
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The file's cells as text, row by row; XLSX by its content, otherwise CSV."""
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportUnreadable("文件扩展名为 .xlsx，但内容不是 XLSX 表格")
    else:
        rows = _csv_rows(content)
    if not rows or not any(rows[0]):
        raise ImportUnreadable("文件是空的：第一行应为表头")
    return rows


# --- checking -----------------------------------------------------------------------------


def _header_index(headers: list[str], plan: ImportPlan) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        if not header:
            continue
        if header not in HEADERS:
            plan.problems.append(
                RowProblem(1, header, f"不是可用的表头（可用：{'、'.join(HEADERS)}）")
            )
        elif header in index:
            plan.problems.append(RowProblem(1, header, "表头重复"))
        else:
            index[header] = position
    for header in REQUIRED_HEADERS:
        if header not in index:
            plan.problems.append(RowProblem(1, header, "缺少这一列"))
    return index


def _row_input(cells: list[str], index: dict[str, int]) -> tuple[OfficerInput, list[FieldProblem]]:
    def value(header: str) -> str:
        position = index.get(header)
        return cells[position] if position is not None and position < len(cells) else ""

    valid_from, from_problems = parse_day(value("证件有效期起"), "证件有效期起")
    valid_to, to_problems = parse_day(value("证件有效期止"), "证件有效期止")
    roles, role_problems = parse_roles(value("角色"))
    data = OfficerInput(
        name=value("姓名").strip(),
        username=value("登录名").strip(),
        certificate_number=value("执法证号").strip(),
        certificate_issuer=value("发证机关").strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        roles=roles,
        legal_review_certificate_number=value(LEGAL_REVIEW_HEADER).strip(),
    )
    return data, [*from_problems, *to_problems, *role_problems]


def _add(plan: ImportPlan, number: int, problems: list[FieldProblem]) -> None:
    plan.problems.extend(RowProblem(number, p.field, p.message) for p in problems)


def existing_officer(agency: Agency, username: str) -> Officer | None:
    """The officer of *agency* with this login (a re-import compares against them; a row
    naming someone else under the login is refused as a login already in use)."""
    return (
        Officer.objects.filter(user__username=username, memberships__agency=agency)
        .select_related("user")
        .first()
    )


def _differences(officer: Officer, data: OfficerInput, legal_column: bool) -> list[str]:
    pairs: list[tuple[str, object, object]] = [
        ("执法证号", officer.certificate_number, data.certificate_number),
        ("发证机关", officer.certificate_issuer, data.certificate_issuer),
        ("证件有效期起", officer.certificate_valid_from, data.valid_from),
        ("证件有效期止", officer.certificate_valid_to, data.valid_to),
    ]
    if legal_column:
        pairs.append(
            (
                LEGAL_REVIEW_HEADER,
                officer.legal_review_certificate_number,
                data.legal_review_certificate_number,
            )
        )
    return [
        f"{label}：{old or '（空）'} → {new or '（空）'}" for label, old, new in pairs if old != new
    ]


def _plan_row(
    agency: Agency, number: int, cells: list[str], index: dict[str, int], plan: ImportPlan
) -> None:
    data, unreadable = _row_input(cells, index)
    _add(plan, number, unreadable)
    told = {p.field for p in unreadable}  # a bad date is not also "missing"
    checked = officer_problems(data, today=clock.today())
    _add(plan, number, [p for p in checked if p.field not in told])
    if not data.username:
        return
    existing = existing_officer(agency, data.username)
    if existing is not None and existing.name != data.name:
        existing = None  # the same login for another name is not this person: refused below
    _add(plan, number, taken_problems(data, existing=existing))
    if existing is None:
        plan.rows.append(PlannedRow(number, data, "create", new_roles=data.roles))
        return
    held = set(existing.memberships.filter(agency=agency).values_list("role", flat=True))
    new_roles = tuple(role for role in data.roles if role not in held)
    changes = _differences(existing, data, plan.has_legal_review_column)
    changes += [f"授予角色：{ROLE_LABELS.get(role, role)}" for role in new_roles]
    kind: ChangeKind = "update" if changes else "unchanged"
    plan.rows.append(PlannedRow(number, data, kind, tuple(changes), new_roles))


def _duplicates(plan: ImportPlan) -> None:
    logins = Counter(row.data.username for row in plan.rows if row.data.username)
    numbers = Counter(
        row.data.certificate_number for row in plan.rows if row.data.certificate_number
    )
    for row in plan.rows:
        if logins[row.data.username] > 1:
            others = [str(r.row) for r in plan.rows if r.data.username == row.data.username]
            plan.problems.append(
                RowProblem(
                    row.row,
                    "登录名",
                    f"“{row.data.username}”在文件中重复（第 {'、'.join(others)} 行）",
                )
            )
        number = row.data.certificate_number
        if number and numbers[number] > 1:
            others = [str(r.row) for r in plan.rows if r.data.certificate_number == number]
            plan.problems.append(
                RowProblem(
                    row.row, "执法证号", f"“{number}”在文件中重复（第 {'、'.join(others)} 行）"
                )
            )


def plan_import(agency: Agency, filename: str, content: bytes) -> ImportPlan:
    """Check every row of the file against the rules and the database; write nothing."""
    table = read_table(filename, content)
    plan = ImportPlan()
    headers = table[0]
    plan.has_legal_review_column = LEGAL_REVIEW_HEADER in headers
    index = _header_index(headers, plan)
    if plan.problems:
        return plan  # without its columns no row can be read
    body = [(number, cells) for number, cells in enumerate(table[1:], start=2) if any(cells)]
    if not body:
        plan.problems.append(RowProblem(0, "人员", "表头之后没有任何人员"))
    if len(body) > MAX_ROWS:
        plan.problems.append(RowProblem(0, "人员", f"一次最多导入 {MAX_ROWS} 人"))
        return plan
    for number, cells in body:
        _plan_row(agency, number, cells, index, plan)
    _duplicates(plan)
    plan.problems.sort(key=lambda p: (p.row, HEADERS.index(p.field) if p.field in HEADERS else 99))
    return plan


def template_xlsx(today: date) -> bytes:
    """The file an administrator fills in: the headers and one example row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "人员名单"
    sheet.append(list(HEADERS))
    start = today.replace(month=1, day=1)
    end = start.replace(year=start.year + 5) - timedelta(days=1)
    sheet.append(
        [
            "张三",
            "zhangsan",
            "豫统执00000000001",
            "河南省统计局",
            start.isoformat(),
            end.isoformat(),
            "执法人员、审核人",
            "",
        ]
    )
    for column in "ABCDEFGH":
        sheet.column_dimensions[column].width = 20
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
