"""Officer import files made by the tests: real XLSX (openpyxl) and CSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta

from openpyxl import Workbook

from casetrail import clock

HEADERS = ("姓名", "登录名", "执法证号", "发证机关", "证件有效期起", "证件有效期止", "角色")


def period() -> tuple[str, str]:
    today = clock.today()
    return (today - timedelta(days=100)).isoformat(), (today + timedelta(days=900)).isoformat()


def good_rows() -> list[list[str]]:
    start, end = period()
    return [
        ["周新", "zhouxin", "豫统执41032400031", "河南省统计局", start, end, "执法人员"],
        ["吴明", "wuming", "豫统执41032400032", "国家统计局", start, end, "执法人员、审核人"],
        ["郑平", "zhengping", "", "", "", "", "档案管理员"],
    ]


def xlsx(rows: Sequence[Sequence[object]], headers: Sequence[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[str]], headers: Sequence[str] = HEADERS, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def day(offset: int) -> date:
    return clock.today() + timedelta(days=offset)
