"""The agencies' pages (issue 17, items 1 and 6) through the test client: a deployment
administrator previews and creates an agency (built-in or uploaded profile); the audit page
lists the agency's administrative acts to its administrator, head and the supervisors above it,
newest first, filtered, 50 a page in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casetrail import clock
from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.setup import do_change_agency, do_create_agency
from casetrail.cases.agency_checks import AgencyInput
from casetrail.cases.models import Agency
from casetrail.ledger.models import LedgerEntry
from casetrail.policy.profiles import builtin_profile_text
from tests.personas import PASSWORD, World, make_officer

SONGXIAN_USCC = "114103250053396368"


def deployment_admin() -> Client:
    do_create_user(
        acting_user=None, username="root", name="部署管理员", password=PASSWORD, is_staff=True
    )
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    return client


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def fields(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "嵩县统计局",
        "short_name": "嵩统",
        "code": "songxian-tjj",
        "uscc": SONGXIAN_USCC,
        "address": "河南省洛阳市嵩县城关镇",
        "parent": "",
        "profile": "luanchuan-2020",
    }
    values.update(changes)
    return values


def test_only_deployment_administrators_create_agencies(world: World) -> None:
    make_officer(world.lc, "sysadmin", "系统管理员", ("admin",))
    for username in ("sysadmin", "zhang"):
        client = client_for(username)
        assert client.get(reverse("agency-list")).status_code == 403
        assert client.post(reverse("agency-new"), fields()).status_code == 403
    assert not Agency.objects.filter(code="songxian-tjj").exists()
    listed = deployment_admin().get(reverse("agency-list")).content.decode()
    assert "栾川县统计局" in listed
    assert "兴隆台区统计局" in listed


def test_preview_then_create_under_a_parent(world: World) -> None:
    client = deployment_admin()
    url = reverse("agency-new")
    preview = client.post(url, fields(parent=world.lc.pk))
    body = preview.content.decode()
    assert 'data-testid="profile-preview"' in body
    assert "{short}立〔{year}〕{seq}号" in body
    assert not Agency.objects.filter(code="songxian-tjj").exists()  # a preview writes nothing
    digest = preview.context["digest"]
    done = client.post(url, fields(parent=world.lc.pk, confirm=digest), follow=True)
    assert "已创建 嵩县统计局（songxian-tjj）" in done.content.decode()
    songxian = Agency.objects.get(code="songxian-tjj")
    assert songxian.parent == world.lc
    assert songxian.uscc == SONGXIAN_USCC
    entry = LedgerEntry.objects.get(agency=songxian, action="agency.create")
    assert entry.actor is not None
    assert entry.actor.username == "root"


def test_bad_fields_are_named_and_nothing_is_written(world: World) -> None:
    client = deployment_admin()
    response = client.post(
        reverse("agency-new"),
        fields(short_name="栾统", code="Song Xian", uscc="114103250053396369", confirm="x"),
    )
    body = response.content.decode()
    assert "简称：“栾统”已被其他机关使用（须唯一）" in body
    assert "代码：“Song Xian”不可用" in body
    assert "统一社会信用代码：校验码不符" in body
    assert not Agency.objects.filter(name="嵩县统计局").exists()


def test_an_uploaded_profile_is_refused_by_key_and_line_then_created(world: World) -> None:
    client = deployment_admin()
    good = builtin_profile_text("luanchuan-2020").replace(
        'key = "luanchuan-2020"', 'key = "songxian-2024"'
    )
    bad = good.replace("av_time_tolerance_minutes = 5", "av_time_tolerance_minutes = true")
    line = next(n for n, t in enumerate(bad.splitlines(), 1) if t.startswith("av_time_tol"))
    upload = SimpleUploadedFile("songxian.toml", bad.encode("utf-8"))
    refused = client.post(reverse("agency-new"), fields(profile="file", profile_file=upload))
    body = refused.content.decode()
    assert f"songxian.toml 的 av_time_tolerance_minutes（第 {line} 行）" in body
    assert 'data-testid="profile-preview"' not in body

    upload = SimpleUploadedFile("songxian.toml", good.encode("utf-8"))
    preview = client.post(reverse("agency-new"), fields(profile="file", profile_file=upload))
    assert "songxian-2024" in preview.content.decode()
    confirm = preview.context["digest"]
    client.post(reverse("agency-new"), fields(profile="file", confirm=confirm))
    songxian = Agency.objects.get(code="songxian-tjj")
    assert songxian.profile_key == "songxian-2024"
    assert songxian.profile_source == good


def audit_url(agency: Agency, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("agency-audit", args=[agency.pk]) + (f"?{query}" if query else "")


def test_the_audit_page_is_for_admin_head_and_supervisors_above(world: World) -> None:
    luoyang = do_create_agency(
        acting_user=None,
        name="洛阳市统计局",
        short_name="洛统",
        code="luoyang-tjj",
        profile_key="luanchuan-2020",
    )
    do_change_agency(
        acting_user=None,
        agency=world.lc,
        data=AgencyInput("栾川县统计局", "栾统", "luanchuan-tjj", parent=luoyang),
    )
    make_officer(luoyang, "city-sup", "市监督", ("supervisor",))
    make_officer(world.lc, "sysadmin", "系统管理员", ("admin",))
    url = audit_url(world.lc)
    for username in ("sysadmin", "head", "supervisor", "city-sup"):
        assert client_for(username).get(url).status_code == 200, username
    assert client_for("zhang").get(url).status_code == 403
    assert client_for("colleague").get(url).status_code == 404
    assert client_for("supervisor").get(audit_url(luoyang)).status_code == 404
    body = client_for("city-sup").get(url).content.decode()
    assert "变更机关信息" in body
    assert "parent：luoyang-tjj" in body
    assert "授予角色" in body
    assert "case.open" not in body


def test_the_audit_page_filters_by_kind_and_date(world: World) -> None:
    client = client_for("head")
    roles = client.get(audit_url(world.lc, kind="role")).content.decode()
    assert "授予角色" in roles
    assert "登记人员" not in roles
    today = clock.today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert "创建机关" in client.get(audit_url(world.lc, since=today.isoformat())).content.decode()
    later = client.get(audit_url(world.lc, since=tomorrow)).content.decode()
    assert "没有符合条件的管理记录" in later
    backwards = audit_url(world.lc, since=tomorrow, until=today.isoformat())
    assert "截止日期：不能早于起始日期" in client.get(backwards).content.decode()


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # warms the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("kind", ["", "account"])
def test_the_audit_page_runs_the_same_queries_at_two_sizes_and_pages_by_fifty(
    world: World, kind: str
) -> None:
    client = client_for("head")
    url = audit_url(world.lc, **({"kind": kind} if kind else {}))
    small = count_queries(client, url)
    for n in range(60):
        do_create_user(acting_user=None, username=f"extra{n}", name="某", password=None)
    assert count_queries(client, url) == small
    first = client.get(url)
    assert len(first.context["page"].rows) == 50
    older = first.context["older_url"]
    assert older
    second = client.get(reverse("agency-audit", args=[world.lc.pk]) + older)
    seen = {r.entry_id for r in first.context["page"].rows}
    assert seen.isdisjoint(r.entry_id for r in second.context["page"].rows)
    assert second.context["newer_url"]
    assert count_queries(client, reverse("agency-audit", args=[world.lc.pk]) + older) == small


def test_an_agency_is_changed_on_its_page_with_the_previous_values_kept(world: World) -> None:
    client = deployment_admin()
    url = reverse("agency-edit", args=[world.lc.pk])
    assert client_for("head").get(url).status_code == 403
    form = client.get(url).content.decode()
    assert 'name="code"' not in form  # the log's name is never changed
    changed = {"name": "栾川县统计局", "short_name": "栾统", "uscc": "", "address": "城关镇"}
    taken = client.post(reverse("agency-edit", args=[world.xl.pk]), {**changed, "parent": ""})
    assert "机关名称：“栾川县统计局”已被其他机关使用" in taken.content.decode()
    client.post(url, {**changed, "parent": world.xl.pk})
    world.lc.refresh_from_db()
    assert world.lc.address == "城关镇"
    assert world.lc.parent == world.xl
    entry = LedgerEntry.objects.get(agency=world.lc, action="agency.change")
    assert '"values":{"address":"","parent":null}' in entry.payload
    refused = client.post(
        reverse("agency-edit", args=[world.xl.pk]),
        {
            "name": "兴隆台区统计局",
            "short_name": "兴统",
            "uscc": "",
            "address": "",
            "parent": world.lc.pk,
        },
    )
    assert "上级机关：“栾川县统计局”是本机关或其下级机关，层级不能成环" in refused.content.decode()
    assert Agency.objects.get(pk=world.xl.pk).parent is None
