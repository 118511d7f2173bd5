"""What an agency's record must hold, checked the same way by the pages, the CLI and the acts:
each problem names the field (as the form labels it) and the rule.

The hierarchy (a 市统计局 over its 县/区 bureaus) is a tree: an agency is never its own
ancestor, and a chain is at most `MAX_LEVELS` agencies long (国家、省、市、县 and one more), so
`access` reads who is below whom in one query of fixed shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

from casetrail.access import MAX_LEVELS
from casetrail.cases.identifiers import IdentifierError, check_uscc
from casetrail.cases.models import Agency
from casetrail.cases.officer_checks import FieldProblem
from casetrail.procedure.errors import RuleViolation

ARTICLE: Final = "系统规则：机关及其上下级关系的每次变更都是记账的行为"
CODE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
CODE_RULE: Final = "只能由小写字母、数字和连字符组成，以字母或数字开头，不超过50个字符"
# The form's field for each problem's field name.
FIELD_CODES: Final[dict[str, str]] = {
    "机关名称": "name",
    "简称": "short_name",
    "机关代码": "code",
    "统一社会信用代码": "uscc",
    "地址": "address",
    "上级机关": "parent",
}
LIMITS: Final[dict[str, int]] = {"机关名称": 100, "简称": 20, "地址": 200}


@dataclass(frozen=True)
class AgencyInput:
    """One agency as an administrator enters it (a page's form or the CLI's options)."""

    name: str
    short_name: str
    code: str
    uscc: str = ""
    address: str = ""
    parent: Agency | None = None

    def stripped(self) -> AgencyInput:
        return replace(
            self,
            name=self.name.strip(),
            short_name=self.short_name.strip(),
            code=self.code.strip(),
            uscc=self.uscc.strip(),
            address=self.address.strip(),
        )


def checked_agency(data: AgencyInput, *, existing: Agency | None) -> AgencyInput:
    """*data* stripped, with its 统一社会信用代码 normalised; every problem in one refusal."""
    data, problems = agency_problems(data, existing=existing)
    if problems:
        raise refusal(problems)
    return data


def agency_problems(
    data: AgencyInput, *, existing: Agency | None
) -> tuple[AgencyInput, list[FieldProblem]]:
    """*data* as it would be stored, and every problem with it (the page shows each by its
    field)."""
    data = data.stripped()
    problems = _text_problems(data) + _taken_problems(data, existing)
    uscc = data.uscc
    if uscc:
        try:
            uscc = check_uscc(uscc)
        except IdentifierError as error:
            problems.append(FieldProblem("统一社会信用代码", str(error).split("：", 1)[-1]))
    problems += parent_problems(data.parent, existing)
    return replace(data, uscc=uscc), problems


def refusal(problems: list[FieldProblem]) -> RuleViolation:
    return RuleViolation(
        rule="agency",
        article=ARTICLE,
        field=FIELD_CODES.get(problems[0].field, ""),
        message="；".join(str(p) for p in problems),
    )


def _text_problems(data: AgencyInput) -> list[FieldProblem]:
    problems = []
    for field, value in (
        ("机关名称", data.name),
        ("简称", data.short_name),
        ("机关代码", data.code),
    ):
        if not value:
            problems.append(FieldProblem(field, "必须填写"))
    values = {"机关名称": data.name, "简称": data.short_name, "地址": data.address}
    for field, value in values.items():
        if len(value) > LIMITS[field]:
            problems.append(FieldProblem(field, f"不超过{LIMITS[field]}个字符"))
    if data.code and not CODE.fullmatch(data.code):
        problems.append(FieldProblem("机关代码", f"“{data.code}”不可用：{CODE_RULE}"))
    return problems


def _taken_problems(data: AgencyInput, existing: Agency | None) -> list[FieldProblem]:
    others = Agency.objects.all() if existing is None else Agency.objects.exclude(pk=existing.pk)
    problems = []
    for field, column, value in (
        ("机关名称", "name", data.name),
        ("简称", "short_name", data.short_name),
        ("机关代码", "code", data.code),
    ):
        if value and others.filter(**{column: value}).exists():
            problems.append(FieldProblem(field, f"“{value}”已被其他机关使用（须唯一）"))
    return problems


def ancestors(agency: Agency) -> list[Agency]:
    """*agency*'s parent, its parent's parent, … (nearest first), as the database holds them
    now (the object given may be older than the act that moved it)."""
    found: list[Agency] = []
    parent_id = Agency.objects.filter(pk=agency.pk).values_list("parent_id", flat=True).first()
    while parent_id is not None and len(found) <= MAX_LEVELS:
        current = Agency.objects.get(pk=parent_id)
        found.append(current)
        parent_id = current.parent_id
    return found


def levels_below(agency: Agency) -> int:
    """How many levels of agencies hang below *agency* (0: none)."""
    depth, level = 0, [agency.pk]
    while level and depth <= MAX_LEVELS:
        level = list(Agency.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        depth += 1 if level else 0
    return depth


def parent_problems(parent: Agency | None, existing: Agency | None) -> list[FieldProblem]:
    """The parent must not be the agency or below it, and the chain stays within MAX_LEVELS."""
    if parent is None:
        return []
    above = [parent, *ancestors(parent)]
    if existing is not None and any(a.pk == existing.pk for a in above):
        return [FieldProblem("上级机关", f"“{parent.name}”是本机关或其下级机关，层级不能成环")]
    below = levels_below(existing) if existing is not None else 0
    if len(above) + 1 + below > MAX_LEVELS:
        return [FieldProblem("上级机关", f"层级最多{MAX_LEVELS}级，挂在“{parent.name}”下将超过")]
    return []
