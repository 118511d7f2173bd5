"""The checks every document form makes on identity numbers and times, in one place.

The catalogue (`policy/catalogue.py`) checks a value's shape (a date is a date); these check what
the value says about the world, with the rules of `cases/identifiers.py`:

- an identity number (`*_id_number`): a 居民身份证 under GB 11643-1999 (birth date, check digit)
  when it is digits, else one of the other accepted documents' formats; a 统一社会信用代码
  (`*_uscc`) under GB 32100-2015; a phone number (`*_phone`);
- a time a record states (not a scheduled one such as 听证时间): not later than now, give or take
  `TIME_TOLERANCE` (a clock a few minutes off); an end not before its start;
- an investigation act (询问、检查、提取) not before the case was filed (立案), or opened, for
  an emergency start (行政处罚法 第54条；栾川县制度第六条).

Each problem is a Chinese message naming the field's label and the rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from casetrail.cases.identifiers import (
    IdentifierError,
    check_id_number,
    check_phone,
    check_resident_id,
    check_uscc,
)
from casetrail.policy.catalogue import DocumentKind

TIME_TOLERANCE = timedelta(minutes=10)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Times a document schedules rather than records: they lie ahead.
SCHEDULED_TIMES = frozenset({"hearing_at"})
# (start, end) pairs: the end may not precede the start.
PERIODS = (("started_at", "ended_at"),)
# The times of investigation acts: not before the case began.
INVESTIGATION_TIMES = frozenset({"started_at", "collected_at"})
# Other documents than a 居民身份证 an interviewee or witness may show (`identifiers.ID_TYPES`).
OTHER_ID_TYPES = ("passport", "hk_macau_permit", "taiwan_permit", "foreign_permanent_resident_id")
OTHER_ID_RULE = (
    "居民身份证号码为18位（GB 11643-1999）；其他证件为护照、港澳居民来往内地通行证、"
    "台湾居民来往大陆通行证或外国人永久居留身份证号码"
)
Problems = dict[str, str]


def _relabel(label: str, error: IdentifierError) -> str:
    """The identifier's message with the form's own label in front."""
    return f"{label}：{str(error).split('：', 1)[-1]}"


def identity_number_problem(
    value: str, *, today: date, label: str, id_type: str = ""
) -> str | None:
    """None if *value* is a valid identity number; else what is wrong, naming *label*."""
    try:
        if id_type:
            check_id_number(id_type, value, today=today)
            return None
        folded = "".join(unicodedata.normalize("NFKC", value).split()).upper()
        if re.fullmatch(r"[0-9]{6,}[0-9X]?", folded):
            check_resident_id(folded, today=today)
            return None
    except IdentifierError as error:
        return _relabel(label, error)
    for other in OTHER_ID_TYPES:
        try:
            check_id_number(other, value, today=today)
        except IdentifierError:
            continue
        return None
    return f"{label}：“{value.strip()}”不是有效的证件号码（{OTHER_ID_RULE}）"


def _checked(label: str, check: Callable[[str], object], value: str) -> str | None:
    try:
        check(value)
    except IdentifierError as error:
        return _relabel(label, error)
    return None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _shown(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def identity_problems(kind: DocumentKind, values: Mapping[str, object], *, today: date) -> Problems:
    problems: Problems = {}
    for spec in kind.fields:
        value = values.get(spec.name)
        if not isinstance(value, str) or not value.strip():
            continue
        problem = None
        if spec.name.endswith("id_number"):
            id_type = values.get(spec.name.removesuffix("id_number") + "id_type")
            problem = identity_number_problem(
                value,
                today=today,
                label=spec.label,
                id_type=id_type if isinstance(id_type, str) else "",
            )
        elif spec.name.endswith("uscc"):
            problem = _checked(spec.label, check_uscc, value)
        elif spec.name.endswith("_phone"):
            problem = _checked(spec.label, check_phone, value)
        if problem:
            problems[spec.name] = problem
    return problems


def time_problems(
    kind: DocumentKind,
    values: Mapping[str, object],
    *,
    now: datetime,
    case_began_at: datetime | None = None,
    began_as: str = "立案",
) -> Problems:
    problems: Problems = {}
    labels = {spec.name: spec.label for spec in kind.fields}
    for spec in kind.fields:
        moment = _moment(values.get(spec.name)) if spec.type == "datetime" else None
        if moment is None:
            continue
        if spec.name not in SCHEDULED_TIMES and moment > now + TIME_TOLERANCE:
            problems[spec.name] = (
                f"{spec.label}：{_shown(moment)} 晚于现在（{_shown(now)}），"
                "记录的时间不能是将来的时间"
            )
        elif (
            case_began_at is not None
            and spec.name in INVESTIGATION_TIMES
            and "investigation" in kind.stages
            and moment < case_began_at.replace(second=0, microsecond=0)
        ):
            began_shown = _shown(case_began_at)
            problems[spec.name] = (
                f"{spec.label}：{_shown(moment)} 早于本案{began_as}时间（{began_shown}），"
                f"调查取证应在{began_as}之后（《行政处罚法》第五十四条）"
            )
    for start, end in PERIODS:
        began, ended = _moment(values.get(start)), _moment(values.get(end))
        if began and ended and ended < began and end not in problems:
            problems[end] = f"{labels[end]}：不能早于{labels[start]}（{_shown(began)}）"
    return problems


def field_problems(
    kind: DocumentKind,
    values: Mapping[str, object],
    *,
    now: datetime,
    case_began_at: datetime | None = None,
    began_as: str = "立案",
) -> Problems:
    """Every identity-number and time problem of a document's *values* (the form's raw values:
    strings, ISO times), by field name."""
    today = now.astimezone(SHANGHAI).date()
    problems = time_problems(kind, values, now=now, case_began_at=case_began_at, began_as=began_as)
    for name, problem in identity_problems(kind, values, today=today).items():
        problems.setdefault(name, problem)
    return problems
