"""`casetrail agencies create|list` (issue 17, item 1): exit 0 created, 1 refused with every
field (or the profile's key and line) named and nothing written, 2 could not run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casetrail.cases.models import Agency
from casetrail.ledger.models import LedgerEntry
from casetrail.policy.profiles import builtin_profile_text
from tests.personas import World

LUOYANG_USCC = "11410300005339521T"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("agencies", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_create_under_a_parent_and_list(world: World) -> None:
    code, out, _ = run(
        "create",
        "--name=洛阳市统计局",
        "--short-name=洛统",
        "--code=luoyang-tjj",
        "--profile=luanchuan-2020",
        f"--uscc={LUOYANG_USCC}",
        "--address=河南省洛阳市洛龙区开元大道",
    )
    assert code == 0, out
    assert "已创建 洛阳市统计局（luoyang-tjj）" in out
    assert "案号格式：{short}立〔{year}〕{seq}号" in out  # the profile's preview
    code, out, _ = run(
        "create",
        "--name=嵩县统计局",
        "--short-name=嵩统",
        "--code=songxian-tjj",
        "--profile=xinglongtai-2019",
        "--parent=luoyang-tjj",
    )
    assert code == 0
    songxian = Agency.objects.get(code="songxian-tjj")
    assert songxian.parent is not None
    assert songxian.parent.code == "luoyang-tjj"
    assert LedgerEntry.objects.filter(agency=songxian, action="agency.create").exists()
    _, listed, _ = run("list", "--json")
    by_code = {row["code"]: row for row in json.loads(listed)}
    assert by_code["songxian-tjj"]["parent"] == "luoyang-tjj"
    assert by_code["songxian-tjj"]["level"] == 1
    assert by_code["luoyang-tjj"]["uscc"] == LUOYANG_USCC
    assert "songxian-tjj\t嵩县统计局\t嵩统\txinglongtai-2019\tluoyang-tjj" in run("list")[1]


def test_bad_fields_are_refused_with_exit_one(world: World) -> None:
    code, _, err = run(
        "create",
        "--name=嵩县统计局",
        "--short-name=栾统",
        "--code=Songxian",
        "--profile=luanchuan-2020",
        "--uscc=123",
    )
    assert code == 1
    assert "简称：“栾统”已被其他机关使用（须唯一）" in err
    assert "代码：“Songxian”不可用" in err
    assert "统一社会信用代码：应为18位，实际为3位" in err
    assert not Agency.objects.filter(name="嵩县统计局").exists()


def test_a_bad_profile_file_is_refused_by_key_and_line(world: World, tmp_path: Path) -> None:
    text = builtin_profile_text("luanchuan-2020").replace(
        'filing_check = { days = 7, unit = "working_days" }',
        'filing_check = { days = 7, unit = "weeks" }',
    )
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("filing_check"))
    path = tmp_path / "songxian.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(
        "create",
        "--name=嵩县统计局",
        "--short-name=嵩统",
        "--code=songxian-tjj",
        f"--profile={path}",
    )
    assert code == 1
    assert f"profile: songxian.toml: filing_check.unit（第 {line} 行）" in err
    assert not Agency.objects.filter(name="嵩县统计局").exists()
    path.write_text('key = "sx"\nname = [\nother = 1\n', encoding="utf-8")
    code, _, err = run(
        "create", "--name=嵩县统计局", "--short-name=嵩统", "--code=sx", f"--profile={path}"
    )
    assert code == 1
    assert "(TOML)（第 3 行）" in err


def test_what_cannot_run_exits_two(world: World, tmp_path: Path) -> None:
    base = ["create", "--name=嵩县统计局", "--short-name=嵩统", "--code=songxian-tjj"]
    assert run(*base, "--profile=nowhere-2020")[0] == 2
    assert run(*base, f"--profile={tmp_path / 'missing.toml'}")[0] == 2
    code, _, err = run(*base, "--profile=luanchuan-2020", "--parent=nope")
    assert code == 2
    assert "没有代码为“nope”的机关" in err


def test_load_profile_names_the_line_too(world: World, tmp_path: Path) -> None:
    text = builtin_profile_text("luanchuan-2020").replace(
        "offsite_backup_max_age_days = 7", "offsite_backup_max_age_days = 0"
    )
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("offsite_backup"))
    path = tmp_path / "lc.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_profile", "栾统", str(path), stdout=io.StringIO())
    assert f"lc.toml: offsite_backup_max_age_days（第 {line} 行）" in str(refused.value)
