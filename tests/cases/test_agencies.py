"""Agencies and their hierarchy (issue 17, item 1): created and changed by ledgered acts that
check every field first; a supervisor sees the cases of the agencies below theirs."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from casetrail import access
from casetrail.cases.actions.setup import do_change_agency, do_create_agency
from casetrail.cases.agency_checks import AgencyInput
from casetrail.cases.models import Agency
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.records import row_snapshot
from casetrail.policy.profiles import ProfileError
from casetrail.procedure.errors import RuleViolation
from tests.ledger.forgery import run_verify
from tests.personas import PASSWORD, World, make_officer, open_case

LUOYANG_USCC = "11410300005339521T"
SONGXIAN_USCC = "114103250053396368"


def city(world: World) -> Agency:
    """洛阳市统计局, made the parent of 栾川县统计局 by an act."""
    luoyang = do_create_agency(
        acting_user=None,
        name="洛阳市统计局",
        short_name="洛统",
        code="luoyang-tjj",
        profile_key="luanchuan-2020",
        uscc=LUOYANG_USCC,
        address="河南省洛阳市洛龙区开元大道",
    )
    do_change_agency(
        acting_user=None,
        agency=world.lc,
        data=AgencyInput("栾川县统计局", "栾统", "luanchuan-tjj", parent=luoyang),
    )
    return luoyang


def county(parent: Agency, name: str = "嵩县统计局", short: str = "嵩统") -> Agency:
    return do_create_agency(
        acting_user=None,
        name=name,
        short_name=short,
        code="songxian-tjj",
        profile_key="luanchuan-2020",
        uscc=SONGXIAN_USCC,
        parent=parent,
    )


def test_a_county_is_created_under_its_city_and_ledgered(world: World) -> None:
    """GIVEN 洛阳市统计局 WHEN 嵩县统计局 is created under it THEN the row holds the code,
    address and parent, and its first entry states them; verify is clean."""
    luoyang = city(world)
    songxian = county(luoyang)
    assert songxian.parent == luoyang
    assert songxian.uscc == SONGXIAN_USCC
    entry = LedgerEntry.objects.get(agency=songxian, action="agency.create")
    facts = json.loads(entry.payload)["facts"]
    assert facts["parent"] == "luoyang-tjj"
    assert facts["uscc"] == SONGXIAN_USCC
    code, document = run_verify()
    assert code == 0, document


def test_agencies_without_the_new_fields_digest_as_before(world: World) -> None:
    """The columns were added after agencies were ledgered: while they hold their default they
    are left out of the row's digest, so older `agency.create` entries still match."""
    snapshot = row_snapshot(world.xl)
    assert {"uscc", "address", "parent_id"}.isdisjoint(snapshot)


def test_bad_fields_are_refused_by_name_and_nothing_is_written(world: World) -> None:
    before = Agency.objects.count()
    with pytest.raises(RuleViolation) as refused:
        do_create_agency(
            acting_user=None,
            name="栾川县统计局",
            short_name="",
            code="Bad Code",
            profile_key="luanchuan-2020",
            uscc="11410300005339521A",
        )
    message = str(refused.value)
    assert "机关名称：“栾川县统计局”已被其他机关使用（须唯一）" in message
    assert "简称：必须填写" in message
    assert "代码：“Bad Code”不可用" in message
    assert "统一社会信用代码：校验码不符（GB 32100-2015 统一社会信用代码校验码）" in message
    assert refused.value.field == "short_name"  # the first problem's
    assert Agency.objects.count() == before
    with pytest.raises(ProfileError, match="regulation_title"):
        do_create_agency(
            acting_user=None,
            name="嵩县统计局",
            short_name="嵩统",
            code="songxian-tjj",
            profile_text='key = "songxian"\nname = "嵩县"\n',
            profile_file="songxian.toml",
        )
    assert Agency.objects.count() == before


def test_a_change_keeps_the_previous_values_and_refuses_a_cycle(world: World) -> None:
    luoyang = city(world)
    entry = LedgerEntry.objects.filter(agency=world.lc, action="agency.change").get()
    payload = json.loads(entry.payload)
    assert payload["facts"] == {"parent": "luoyang-tjj"}
    assert payload["previous"]["values"] == {"parent": None}
    with pytest.raises(RuleViolation, match="上级机关：“栾川县统计局”是本机关或其下级机关"):
        do_change_agency(
            acting_user=None,
            agency=luoyang,
            data=AgencyInput("洛阳市统计局", "洛统", "luoyang-tjj", parent=world.lc),
        )
    unchanged = do_change_agency(
        acting_user=None,
        agency=world.lc,
        data=AgencyInput("栾川县统计局", "栾统", "ignored", parent=luoyang),
    )
    assert unchanged.code == "luanchuan-tjj"  # the code names the log: never changed
    assert LedgerEntry.objects.filter(agency=world.lc, action="agency.change").count() == 1
    code, document = run_verify()
    assert code == 0, document


def test_the_chain_is_at_most_five_levels(world: World) -> None:
    top = world.xl
    for level in range(4):
        top = do_create_agency(
            acting_user=None,
            name=f"第{level}级",
            short_name=f"级{level}",
            code=f"level-{level}",
            profile_key="luanchuan-2020",
            parent=top,
        )
    with pytest.raises(RuleViolation, match="层级最多5级"):
        do_create_agency(
            acting_user=None,
            name="第六级",
            short_name="级6",
            code="level-6",
            profile_key="luanchuan-2020",
            parent=top,
        )


def test_a_city_supervisor_sees_a_county_case_and_a_sibling_county_supervisor_does_not(
    world: World,
) -> None:
    """GIVEN 洛阳市统计局 over 栾川 and 嵩县, a supervisor of each WHEN 张伟 opens a 栾川 case
    THEN the city's supervisor sees it (no membership in 栾川), 嵩县's does not."""
    luoyang = city(world)
    songxian = county(luoyang)
    city_supervisor = make_officer(luoyang, "city-sup", "市监督", ("supervisor",))
    county_supervisor = make_officer(songxian, "county-sup", "县监督", ("supervisor",))
    case = open_case(world)
    assert access.can_view_case(city_supervisor.user, case)
    assert not access.can_view_case(county_supervisor.user, case)
    assert not access.can_act(city_supervisor.user, case, "review")
    assert set(access.supervised_agencies(city_supervisor.user)) == {luoyang, world.lc, songxian}
    assert set(access.supervised_agencies(county_supervisor.user)) == {songxian}


def test_a_city_supervisor_reads_the_county_deadlines(world: World) -> None:
    """GIVEN a 栾川 emergency case WHEN the city's supervisor opens 栾川's deadline list THEN
    its backfill deadline is listed; 嵩县's supervisor gets 404 for 栾川's list."""
    luoyang = city(world)
    songxian = county(luoyang)
    make_officer(luoyang, "city-sup", "市监督", ("supervisor",))
    make_officer(songxian, "county-sup", "县监督", ("supervisor",))
    case = open_case(world, start_type="emergency")  # its backfill is due
    client = Client()
    assert client.login(username="city-sup", password=PASSWORD)
    page = client.get(reverse("deadline-list"), {"agency": world.lc.pk})
    assert page.status_code == 200
    assert case.case_number in page.content.decode()
    county_client = Client()
    assert county_client.login(username="county-sup", password=PASSWORD)
    refused = county_client.get(reverse("deadline-list"), {"agency": world.lc.pk})
    assert refused.status_code == 404
