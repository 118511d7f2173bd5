"""What an officer's record must hold, checked the same way by the pages, the import and the
actions: each problem names the field (as the page and the file's header call it) and the rule.

统计法实施条例 第36条 (REFERENCE.md rule 3): an officer who acts in cases holds a 统计执法证 with
its number, its issuing authority and its period; an expired one is not registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.contrib.auth.models import User

from casetrail.cases.models import Officer, Role

CERTIFICATE_ARTICLE: Final = "《统计法实施条例》第三十六条"
ACCOUNT_RULE: Final = "登录名只能由字母、数字和 @ . + - _ 组成，且不超过150个字符"

# The roles as the import file and the pages name them (issue 17, item 3).
ROLE_NAMES: Final[dict[str, str]] = {
    "执法人员": Role.OFFICER,
    "审核人": Role.REVIEWER,
    "负责人": Role.HEAD,
    "档案管理员": Role.ARCHIVIST,
    "系统管理员": Role.ADMIN,
    "监督人员": Role.SUPERVISOR,
}
# Every role's label; roles not imported from files (采集站) keep the model's label.
ROLE_LABELS: Final[dict[str, str]] = {
    **dict(Role.choices),
    **{code: name for name, code in ROLE_NAMES.items()},
}
ROLE_SEPARATOR: Final = re.compile(r"[、,，]")
USERNAME: Final = re.compile(r"^[\w.@+-]{1,150}$")
# Enforcement officers act in cases, so they must hold a certificate (rules 1 and 3).
CERTIFICATE_ROLES: Final = frozenset({Role.OFFICER})


@dataclass(frozen=True)
class OfficerInput:
    """One officer as an administrator enters it (a page's form or a row of a file)."""

    name: str
    username: str
    certificate_number: str
    certificate_issuer: str
    valid_from: date | None
    valid_to: date | None
    roles: tuple[str, ...]
    legal_review_certificate_number: str = ""


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the field's Chinese name, as the form label and the file header say it
    message: str

    def __str__(self) -> str:
        return f"{self.field}：{self.message}"


def parse_roles(text: str) -> tuple[tuple[str, ...], list[FieldProblem]]:
    """The role codes named in *text* ("执法人员、审核人"), and a problem per unknown name."""
    codes: list[str] = []
    problems = []
    for part in ROLE_SEPARATOR.split(text):
        name = part.strip()
        if not name:
            continue
        code = ROLE_NAMES.get(name)
        if code is None:
            known = "、".join(ROLE_NAMES)
            problems.append(FieldProblem("角色", f"“{name}”不是可授予的角色（可选：{known}）"))
        elif code not in codes:
            codes.append(code)
    if not codes and not problems:
        problems.append(FieldProblem("角色", "必须填写，至少一个角色"))
    return tuple(codes), problems


def parse_day(text: str, field: str) -> tuple[date | None, list[FieldProblem]]:
    """A YYYY-MM-DD date; blank is None."""
    text = text.strip()
    if not text:
        return None, []
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text), []
    except ValueError:
        return None, [FieldProblem(field, f"“{text}”不是有效日期，应写作 YYYY-MM-DD")]


def identity_problems(name: str, username: str) -> list[FieldProblem]:
    problems = []
    if not name.strip():
        problems.append(FieldProblem("姓名", "必须填写"))
    elif len(name.strip()) > 50:
        problems.append(FieldProblem("姓名", "不超过50个字符"))
    if not username.strip():
        problems.append(FieldProblem("登录名", "必须填写"))
    elif not USERNAME.fullmatch(username.strip()):
        problems.append(FieldProblem("登录名", f"“{username.strip()}”不可用：{ACCOUNT_RULE}"))
    return problems


def certificate_problems(
    *,
    number: str,
    issuer: str,
    valid_from: date | None,
    valid_to: date | None,
    roles: tuple[str, ...],
    today: date,
) -> list[FieldProblem]:
    """The certificate's data: complete, its period in order and not yet over; required of
    enforcement officers (rule 3: an expired certificate is not registered)."""
    given = bool(number.strip() or issuer.strip() or valid_from or valid_to)
    if not given and not set(roles) & CERTIFICATE_ROLES:
        return []
    rule = f"执法人员须持有效的统计执法证（{CERTIFICATE_ARTICLE}）"
    problems = []
    if not number.strip():
        problems.append(FieldProblem("执法证号", f"必须填写：{rule}"))
    elif len(number.strip()) > 50:
        problems.append(FieldProblem("执法证号", "不超过50个字符"))
    if not issuer.strip():
        problems.append(FieldProblem("发证机关", f"必须填写：{rule}"))
    elif len(issuer.strip()) > 100:
        problems.append(FieldProblem("发证机关", "不超过100个字符"))
    if valid_from is None:
        problems.append(FieldProblem("证件有效期起", f"必须填写：{rule}"))
    if valid_to is None:
        problems.append(FieldProblem("证件有效期止", f"必须填写：{rule}"))
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(FieldProblem("证件有效期止", f"{valid_to} 早于有效期起 {valid_from}"))
    elif valid_to and valid_to < today:
        problems.append(
            FieldProblem(
                "证件有效期止",
                f"证件已于 {valid_to} 过期，过期的执法证件不能登记（{CERTIFICATE_ARTICLE}）",
            )
        )
    return problems


def officer_problems(data: OfficerInput, *, today: date) -> list[FieldProblem]:
    """Every problem of *data* that needs no database: identity, roles, certificate."""
    return [
        *identity_problems(data.name, data.username),
        *certificate_problems(
            number=data.certificate_number,
            issuer=data.certificate_issuer,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            roles=data.roles,
            today=today,
        ),
        *(
            [FieldProblem("法制审核资格证号", "不超过50个字符")]
            if len(data.legal_review_certificate_number.strip()) > 50
            else []
        ),
    ]


# The form fields of the officer pages, by the Chinese name a problem gives.
FIELD_CODES: Final[dict[str, str]] = {
    "姓名": "name",
    "登录名": "username",
    "执法证号": "certificate_number",
    "发证机关": "certificate_issuer",
    "证件有效期起": "valid_from",
    "证件有效期止": "valid_to",
    "角色": "roles",
    "法制审核资格证号": "legal_review_certificate_number",
    "吊销日期": "revoked_on",
    "吊销原因": "reason",
}


def taken_problems(data: OfficerInput, *, existing: Officer | None) -> list[FieldProblem]:
    """The login and the certificate number belong to nobody else."""
    problems = []
    username = data.username.strip()
    owner = User.objects.filter(username=username).first()
    if owner is not None and (existing is None or owner.pk != existing.user_id):
        problems.append(FieldProblem("登录名", f"“{username}”已被其他账号使用"))
    number = data.certificate_number.strip()
    if number:
        holder = Officer.objects.filter(certificate_number=number)
        if existing is not None:
            holder = holder.exclude(pk=existing.pk)
        other = holder.first()
        if other is not None:
            problems.append(FieldProblem("执法证号", f"“{number}”已登记给{other.name}"))
    return problems
