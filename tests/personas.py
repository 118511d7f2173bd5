"""The people of the tests, made by the real actions (never by writing rows directly).

- zhang, li: officers (handlers) of 栾统; bystander: an officer of 栾统 on no case of theirs;
- reviewer, head: of 栾统; supervisor: read-only over 栾统;
- colleague: an officer of another agency (兴统), who must get nothing of 栾统's cases;
- expired: an officer of 栾统 whose certificate has lapsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from casetrail import clock
from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.setup import (
    do_create_agency,
    do_grant_role,
    do_register_officer,
    do_set_legal_review,
)
from casetrail.cases.actions.start import PartyInput, do_open_case
from casetrail.cases.models import Agency, Case, Officer

PASSWORD = "persona-pass-2026"
VALID_USCC = "91410324MA3K2L5P55"
VALID_RESIDENT_ID = "410324198503121235"


@dataclass
class World:
    lc: Agency
    xl: Agency
    zhang: Officer
    li: Officer
    bystander: Officer
    reviewer: Officer
    head: Officer
    supervisor: Officer
    colleague: Officer
    expired: Officer


def make_officer(
    agency: Agency,
    username: str,
    name: str,
    roles: tuple[str, ...],
    *,
    cert: str = "",
    valid_to: date | None = None,
    legal_review: bool = False,
) -> Officer:
    user = do_create_user(acting_user=None, username=username, name=name, password=PASSWORD)
    today = clock.today()
    officer = do_register_officer(
        acting_user=None,
        agency=agency,
        user=user,
        name=name,
        certificate_number=cert,
        certificate_valid_from=today - timedelta(days=365) if cert else None,
        certificate_valid_to=valid_to
        if valid_to
        else (today + timedelta(days=365) if cert else None),
    )
    for role in roles:
        do_grant_role(acting_user=None, officer=officer, agency=agency, role=role)
    if legal_review:
        do_set_legal_review(acting_user=None, officer=officer, agency=agency, qualified=True)
    return officer


def build_world() -> World:
    lc = do_create_agency(
        acting_user=None,
        name="栾川县统计局",
        short_name="栾统",
        code="luanchuan-tjj",
        profile_key="luanchuan-2020",
    )
    xl = do_create_agency(
        acting_user=None,
        name="兴隆台区统计局",
        short_name="兴统",
        code="xinglongtai-tjj",
        profile_key="xinglongtai-2019",
    )
    # Lapsed well before any act the tests date (they reach back up to a few days, and an act
    # two hours ago is yesterday between 00:00 and 02:00 in Shanghai).
    lapsed = clock.today() - timedelta(days=30)
    return World(
        lc=lc,
        xl=xl,
        zhang=make_officer(lc, "zhang", "张伟", ("officer",), cert="LC-001"),
        li=make_officer(lc, "li", "李娜", ("officer",), cert="LC-002"),
        bystander=make_officer(lc, "bystander", "旁观者", ("officer",), cert="LC-003"),
        reviewer=make_officer(
            lc, "reviewer", "王审核", ("reviewer",), cert="LC-010", legal_review=True
        ),
        head=make_officer(lc, "head", "刘局长", ("head",), cert="LC-000"),
        supervisor=make_officer(lc, "supervisor", "郑监督", ("supervisor",)),
        colleague=make_officer(
            xl,
            "colleague",
            "赵磊",
            ("officer", "reviewer", "head"),
            cert="XL-001",
            legal_review=True,
        ),
        expired=make_officer(lc, "expired", "过期证", ("officer",), cert="LC-099", valid_to=lapsed),
    )


def company(**changes: str) -> PartyInput:
    values: dict[str, Any] = {
        "kind": "organisation",
        "name": "某某矿业有限公司",
        "uscc": VALID_USCC,
        "legal_representative": "刘某",
        "address": "栾川县城关镇某路18号",
    }
    values.update(changes)
    return PartyInput(**values)


def open_case(world: World, *, start_type: str = "ex_officio", **extra: Any) -> Case:
    """Open a 栾统 case as 张伟 with 李娜, through the real action; *extra* overrides."""
    arguments: dict[str, Any] = {
        "acting_user": world.zhang.user,
        "agency": world.lc,
        "start_type": start_type,
        "procedure": "ordinary",
        "cause": "提供不真实统计资料",
        "parties": [company()],
        "co_handlers": [world.li],
        "opinion": "建议立案。",
    }
    if start_type == "emergency":
        arguments["emergency_reason"] = "当事人正在转移统计台账"
    arguments.update(extra)
    return do_open_case(**arguments)
