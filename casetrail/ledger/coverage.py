"""Which tables are facts, and how `casetrail verify` proves each one (issue 14, item 5).

Every model of the project, Django's own included, has exactly one class:

- ``rows``: every row is recorded by a ledger entry. An insert-only row (`RecordModel`, guarded
  by the database triggers) must still match the first entry that recorded it; a mutable row
  changes only through acts, and must match the latest. A row no entry records is
  ``row_unledgered``.
- ``members``: the rows are part of another row's digest (a user's group links, a backup
  run's replicas): adding, removing or changing one makes that row ``row_altered``.
- ``structure``: the ledger's own tables, which verify recomputes (leaves, hashes, heads,
  checkpoints).
- ``none``: not a fact: working state nothing is decided from, or derived from facts that are
  checked (the reason is given).

Our models declare their class as `ledger_coverage` (a `RecordModel` is ``rows`` unless it says
otherwise); Django's tables are registered in `DJANGO_TABLES`. Both the set of tables verify
checks and the set carrying the insert-only trigger derive from this, and
`tests/ledger/test_coverage.py` fails on a model without a class.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db import models


class Check(StrEnum):
    ROWS = "rows"
    MEMBERS = "members"
    STRUCTURE = "structure"
    NONE = "none"


@dataclass(frozen=True)
class Coverage:
    """How one table is proven; `why` is the line shown in docs/ledger.md."""

    check: Check
    why: str
    uncommitted: frozenset[str] = frozenset()  # columns left out of the row's digest
    members: tuple[str, ...] = ()  # relations whose rows are committed inside this row's digest
    # Columns added after rows were committed: left out of the digest while they hold their
    # default (False, "" or NULL), so a row committed before the column existed still matches.
    added_later: frozenset[str] = frozenset()


def rows(
    why: str, *, members: tuple[str, ...] = (), added_later: frozenset[str] = frozenset()
) -> Coverage:
    return Coverage(Check.ROWS, why, members=members, added_later=added_later)


def member_of(why: str) -> Coverage:
    return Coverage(Check.MEMBERS, why)


def structure(why: str) -> Coverage:
    return Coverage(Check.STRUCTURE, why)


def not_a_fact(why: str) -> Coverage:
    return Coverage(Check.NONE, why)


DJANGO_TABLES: dict[str, Coverage] = {
    "auth.User": Coverage(
        Check.ROWS,
        "账号：每次变更经 do_create_user / do_change_user / do_set_password 记账；"
        "组与权限关联计入账号摘要；last_login 不计入",
        uncommitted=frozenset({"last_login"}),
        members=("groups", "user_permissions"),
    ),
    "auth.User_groups": member_of("账号与组的关联，计入账号的摘要"),
    "auth.User_user_permissions": member_of("账号的单项权限，计入账号的摘要"),
    "auth.Group": rows(
        "组：casetrail 以岗位（Membership）授权，没有建组的行为，任何一行都是未记账",
        members=("permissions",),
    ),
    "auth.Group_permissions": member_of("组的权限，计入组的摘要"),
    "auth.Permission": not_a_fact(
        "权限目录由 migrate 生成；权限只经账号或组的关联生效，而关联已计入摘要"
    ),
    "contenttypes.ContentType": not_a_fact("模型目录，由 migrate 生成"),
    "sessions.Session": not_a_fact("登录会话；会话内的每个行为都以其账号记账"),
    "admin.LogEntry": not_a_fact("管理站点只读，不写任何数据"),
    **{
        f"axes.{name}": not_a_fact(
            "登录失败计数与锁定（django-axes）：工作表，只决定暂时拒绝登录，不改变案件、期限、"
            "权限或备份"
        )
        for name in ("AccessAttempt", "AccessAttemptExpiration", "AccessFailureLog", "AccessLog")
    },
}


def coverage_of(model: type[models.Model]) -> Coverage | None:
    """The class of *model*: its own `ledger_coverage`, or Django's registration."""
    declared = model.__dict__.get("ledger_coverage")
    if declared is None:
        for base in model.__mro__[1:]:
            declared = base.__dict__.get("ledger_coverage")
            if declared is not None:
                break
    if isinstance(declared, Coverage):
        return declared
    return DJANGO_TABLES.get(model._meta.label)


def all_models() -> list[type[models.Model]]:
    """Every concrete table, many-to-many link tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]


def models_checked(check: Check) -> list[type[models.Model]]:
    found = []
    for model in all_models():
        coverage = coverage_of(model)
        if coverage is not None and coverage.check == check:
            found.append(model)
    return sorted(found, key=lambda model: model._meta.db_table)


def is_insert_only(model: type[models.Model]) -> bool:
    from casetrail.ledger.models import RecordModel

    return issubclass(model, RecordModel)


def uncommitted_columns(model: type[models.Model]) -> frozenset[str]:
    coverage = coverage_of(model)
    return coverage.uncommitted if coverage is not None else frozenset()


def added_later_columns(model: type[models.Model]) -> frozenset[str]:
    coverage = coverage_of(model)
    return coverage.added_later if coverage is not None else frozenset()


def member_relations(model: type[models.Model]) -> tuple[str, ...]:
    coverage = coverage_of(model)
    return coverage.members if coverage is not None else ()
