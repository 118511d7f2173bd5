"""Importing officers from XLSX and CSV (issue 17, item 3): a good file, every bad case named by
row and field with nothing imported, a dry run that writes nothing, an idempotent re-import,
and the `casetrail officers` exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from casetrail.cases.actions.officer_import import do_import_officers
from casetrail.cases.models import Membership, Officer
from casetrail.cases.officer_import import ImportPlan, ImportUnreadable
from casetrail.ledger.models import LedgerEntry
from tests.cases.officer_files import HEADERS, csv_bytes, good_rows, period, xlsx
from tests.ledger.forgery import run_verify
from tests.personas import World


def imported(
    world: World, content: bytes, name: str = "人员.xlsx", dry: bool = False
) -> ImportPlan:
    return do_import_officers(
        acting_user=world.head.user, agency=world.lc, filename=name, content=content, dry_run=dry
    )


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Officer.objects.count(),
        Membership.objects.count(),
        LedgerEntry.objects.count(),
    )


def test_a_good_xlsx_file_enrols_every_officer_by_their_acts(world: World) -> None:
    plan = imported(world, xlsx(good_rows()))
    assert plan.ok, plan.problems
    assert plan.summary() == "新增 3 人，变更 0 人，无变化 0 人"
    wu = Officer.objects.get(user__username="wuming")
    assert (wu.name, wu.certificate_number, wu.certificate_issuer) == (
        "吴明",
        "豫统执41032400032",
        "国家统计局",
    )
    assert set(wu.memberships.values_list("role", flat=True)) == {"officer", "reviewer"}
    assert not wu.user.has_usable_password()  # set on activation, not by the file
    assert LedgerEntry.objects.filter(action="officer.register").count() >= 3
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_columns_in_any_order_and_a_gbk_csv(world: World) -> None:
    order = [6, 0, 5, 4, 3, 2, 1]
    headers = [HEADERS[i] for i in order]
    rows = [[row[i] for i in order] for row in good_rows()]
    plan = imported(world, csv_bytes(rows, headers, encoding="gb18030"), "人员.csv")
    assert plan.ok, plan.problems
    assert Officer.objects.filter(user__username="zhouxin", name="周新").exists()


def test_the_legal_review_column_records_the_qualification(world: World) -> None:
    start, end = period()
    row = ["钱律", "qianlv", "豫统执41032400040", "河南省统计局", start, end, "审核人，执法人员"]
    content = xlsx([[*row, "A20194101000123"]], (*HEADERS, "法制审核资格证号"))
    assert imported(world, content).ok
    officer = Officer.objects.get(user__username="qianlv")
    assert officer.legal_review_qualified
    assert officer.legal_review_certificate_number == "A20194101000123"


def test_the_same_file_again_changes_nothing(world: World) -> None:
    content = xlsx(good_rows())
    imported(world, content)
    before = counts()
    again = imported(world, content)
    assert again.ok
    assert again.summary() == "新增 0 人，变更 0 人，无变化 3 人"
    assert counts() == before


def test_a_changed_row_is_planned_and_applied_as_a_change(world: World) -> None:
    imported(world, xlsx(good_rows()))
    rows = good_rows()
    rows[0][5] = period()[1].replace(period()[1][:4], str(int(period()[1][:4]) + 1))
    rows[0][6] = "执法人员、负责人"
    plan = imported(world, xlsx(rows))
    assert plan.summary() == "新增 0 人，变更 1 人，无变化 2 人"
    changes = plan.rows[0].changes
    assert any(c.startswith("证件有效期止") for c in changes)
    assert "授予角色：负责人" in changes
    zhou = Officer.objects.get(user__username="zhouxin")
    assert zhou.certificate_valid_to is not None
    assert zhou.certificate_valid_to.isoformat() == rows[0][5]
    assert LedgerEntry.objects.filter(action="officer.change").count() == 1


def test_a_dry_run_writes_nothing(world: World) -> None:
    before = counts()
    plan = imported(world, xlsx(good_rows()), dry=True)
    assert plan.ok
    assert plan.count("create") == 3
    assert counts() == before


def test_every_bad_row_and_field_is_named_and_nothing_imported(world: World) -> None:
    start, end = period()
    rows = [
        *good_rows(),
        ["坏日期", "baddate", "豫统执1", "河南省统计局", "2026/01/01", end, "执法人员"],
        ["过期", "expired2", "豫统执2", "河南省统计局", "2020-01-01", "2021-01-01", "执法人员"],
        ["怪角色", "oddrole", "豫统执3", "河南省统计局", start, end, "执法人员、局长"],
        ["重名甲", "twin", "豫统执4", "河南省统计局", start, end, "执法人员"],
        ["重名乙", "twin", "豫统执5", "河南省统计局", start, end, "执法人员"],
        ["已有", "zhang", "豫统执6", "河南省统计局", start, end, "执法人员"],
        ["同证", "samecert", "LC-002", "河南省统计局", start, end, "执法人员"],
        ["无证", "nocert", "", "", "", "", "执法人员"],
        ["", "bad login!", "豫统执7", "河南省统计局", start, end, ""],
    ]
    before = counts()
    plan = imported(world, xlsx(rows))
    assert not plan.ok
    assert counts() == before
    named = [str(p) for p in plan.problems]
    expected = [
        ("第 5 行 证件有效期起", "2026/01/01"),
        ("第 6 行 证件有效期止", "过期"),
        ("第 7 行 角色", "局长"),
        ("第 8 行 登录名", "重复"),
        ("第 9 行 登录名", "重复"),
        ("第 10 行 登录名", "已被其他账号使用"),
        ("第 11 行 执法证号", "已登记给李娜"),
        ("第 12 行 执法证号", "必须填写"),
        ("第 12 行 发证机关", "必须填写"),
        ("第 13 行 姓名", "必须填写"),
        ("第 13 行 登录名", "不可用"),
        ("第 13 行 角色", "必须填写"),
    ]
    for where, what in expected:
        assert any(n.startswith(where) and what in n for n in named), (where, what, named)
    assert not any(n.startswith(("第 2 行", "第 3 行", "第 4 行")) for n in named)


def test_missing_and_unknown_headers_are_named(world: World) -> None:
    headers = [h for h in HEADERS if h != "角色"] + ["备注"]
    plan = imported(world, csv_bytes([["a", "b", "c", "d", "e", "f", "g"]], headers), "x.csv")
    named = [str(p) for p in plan.problems]
    assert "第 1 行 角色：缺少这一列" in named
    assert any(n.startswith("第 1 行 备注：不是可用的表头") for n in named)


def test_a_file_that_is_not_a_table_cannot_be_read(world: World) -> None:
    with pytest.raises(ImportUnreadable):
        imported(world, b"not a zip at all", "人员.xlsx")
    with pytest.raises(ImportUnreadable):
        imported(world, b"", "人员.csv")


# --- the command ------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("officers", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_the_command_imports_refuses_and_could_not_run(world: World, tmp_path: Path) -> None:
    good = tmp_path / "人员.xlsx"
    good.write_bytes(xlsx(good_rows()))
    code, out, _ = run("import", "luanchuan-tjj", str(good), "--dry-run")
    assert code == 0
    assert "预演，未写入" in out
    assert not User.objects.filter(username="zhouxin").exists()

    code, out, _ = run("import", "luanchuan-tjj", str(good))
    assert code == 0
    assert "新增 3 人" in out
    assert "已导入并记入账本" in out

    bad = tmp_path / "bad.csv"
    start, end = period()
    bad.write_bytes(
        csv_bytes(
            [
                ["甲", "jia", "豫统执8", "河南省统计局", start, end, "局长"],
                ["乙", "yi", "豫统执9", "河南省统计局", "2026-02-30", end, "执法人员"],
            ]
        )
    )
    code, _, err = run("import", "luanchuan-tjj", str(bad))
    assert code == 1
    assert "第 2 行 角色" in err
    assert "第 3 行 证件有效期起" in err
    assert "未导入任何人员" in err

    assert run("import", "no-such-agency", str(good))[0] == 2
    assert run("import", "luanchuan-tjj", str(tmp_path / "missing.xlsx"))[0] == 2
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"\x00\x01")
    assert run("import", "luanchuan-tjj", str(garbage))[0] == 2


def test_the_command_lists_officers_as_json(world: World, tmp_path: Path) -> None:
    good = tmp_path / "人员.xlsx"
    good.write_bytes(xlsx(good_rows()))
    run("import", "luanchuan-tjj", str(good))
    code, out, _ = run("list", "--agency", "luanchuan-tjj", "--json")
    assert code == 0
    listed = {row["username"]: row for row in json.loads(out)}
    assert listed["wuming"]["roles"] == ["执法人员", "审核人"]
    assert listed["wuming"]["certificate_state"] == "有效"
    assert listed["expired"]["certificate_state"] == "已过期"
    assert "colleague" not in listed  # of 兴统
    code, out, _ = run("list", "--json")
    assert "colleague" in {row["username"] for row in json.loads(out)}
