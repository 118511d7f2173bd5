"""The document catalogue (文书目录): each kind's stage, fields, signers and articles, as data.

The built-in catalogue is `builtin/catalogue.toml`; an agency's profile chooses which kinds it
uses (`documents`) and may add kinds of its own in the same format (`[document_kinds.<code>]`).
Pure: parsing and field validation import nothing from Django.

Seed A art. 4 (文书格式), art. 9 (当事人签字或拒签记录); Seed B art. 7;
REFERENCE.md "Document types".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from casetrail.procedure.errors import RuleViolation

FieldValue = str | int | bool | list[int] | None

FIELD_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "text": "单行文字",
        "textarea": "多行文字",
        "date": "日期",
        "datetime": "日期时间",
        "integer": "整数",
        "money": "金额（元）",
        "choice": "选项",
        "boolean": "是/否",
        "officer": "执法人员",
        "officers": "执法人员（多名）",
        "party": "当事人",
        "recording": "音像记录",
        "document": "文书",
    }
)
STAGE_CODES: Final = frozenset(
    {"start", "investigation", "review", "decided", "enforcement", "closing", "any"}
)
_CODE = re.compile(r"[a-z][a-z0-9_]*")
_MONEY = re.compile(r"\d{1,12}(\.\d{1,2})?")


class CatalogueError(ValueError):
    """A catalogue or profile entry that cannot be used; names the kind and key."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    ref_kind: str = ""  # for type "document": the kind the referenced document must be
    help: str = ""

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)


@dataclass(frozen=True)
class SignerSpec:
    """Who signs: officers by login (from a field, or any holder of a role), or a person on
    paper or on screen — or, for a person, a recorded refusal (Seed A art. 9)."""

    code: str
    label: str
    person: bool = False
    name_field: str = ""  # person signers: the field that names them
    officer_field: str = ""  # officer signers: the field holding the officer id(s)
    role: str = ""  # officer signers without a field: any holder of this role in the agency


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str
    stages: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    signers: tuple[SignerSpec, ...]
    articles: tuple[str, ...]
    numbered: bool = False  # gets a 文号 when finalised
    abbreviation: str = ""  # 文号 middle part, e.g. "罚决字"
    seal: bool = False  # carries the agency seal
    transcript: bool = False  # a 笔录: officers show their certificates (rule 2)
    procedures: tuple[str, ...] = ("ordinary", "summary")

    @property
    def party_signs(self) -> bool:
        """Seed A art. 9: a document bearing on a person's rights is signed by them."""
        return any(s.person for s in self.signers)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def signer(self, code: str) -> SignerSpec:
        for spec in self.signers:
            if spec.code == code:
                return spec
        raise KeyError(code)


# --- parsing -------------------------------------------------------------------------------


def _text(table: Mapping[str, object], key: str, where: str, *, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise CatalogueError(f"{where}.{key}：应为非空字符串")
    return value.strip()


def _strings(table: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}.{key}：应为字符串数组")
    return tuple(str(v) for v in value)


def _flag(table: Mapping[str, object], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}.{key}：应为 true 或 false")
    return value


def _only(table: Mapping[str, object], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise CatalogueError(f"{where}.{key}：未知的设置项")


def _field(item: object, where: str) -> FieldSpec:
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}：应为表")
    _only(item, {"name", "label", "type", "required", "choices", "ref_kind", "help"}, where)
    name = _text(item, "name", where)
    if not _CODE.fullmatch(name):
        raise CatalogueError(f"{where}.name：“{name}”应为小写英文、数字和下划线")
    kind = _text(item, "type", where)
    if kind not in FIELD_TYPES:
        raise CatalogueError(f"{where}.type：未知的字段类型“{kind}”")
    raw_choices = item.get("choices", [])
    if not isinstance(raw_choices, list):
        raise CatalogueError(f"{where}.choices：应为数组")
    choices: list[tuple[str, str]] = []
    for pair in raw_choices:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise CatalogueError(f"{where}.choices：每项应为 [代码, 名称]")
        choices.append((pair[0], pair[1]))
    if kind == "choice" and not choices:
        raise CatalogueError(f"{where}.choices：选项字段必须列出选项")
    required = item.get("required", True)
    if not isinstance(required, bool):
        raise CatalogueError(f"{where}.required：应为 true 或 false")
    return FieldSpec(
        name=name,
        label=_text(item, "label", where),
        type=kind,
        required=required,
        choices=tuple(choices),
        ref_kind=_text(item, "ref_kind", where, default=""),
        help=_text(item, "help", where, default=""),
    )


def _signer(item: object, where: str, fields: Mapping[str, FieldSpec]) -> SignerSpec:
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}：应为表")
    _only(item, {"code", "label", "person", "name_field", "officer_field", "role"}, where)
    spec = SignerSpec(
        code=_text(item, "code", where),
        label=_text(item, "label", where),
        person=_flag(item, "person", where),
        name_field=_text(item, "name_field", where, default=""),
        officer_field=_text(item, "officer_field", where, default=""),
        role=_text(item, "role", where, default=""),
    )
    if spec.person and spec.name_field not in fields:
        raise CatalogueError(f"{where}.name_field：须为本文书的字段，实际为“{spec.name_field}”")
    if not spec.person:
        if bool(spec.officer_field) == bool(spec.role):
            raise CatalogueError(f"{where}：执法人员签名须且只须指定 officer_field 或 role")
        if spec.officer_field and fields.get(spec.officer_field, None) is None:
            raise CatalogueError(f"{where}.officer_field：“{spec.officer_field}”不是本文书的字段")
    return spec


_KIND_KEYS = {
    "title",
    "stages",
    "fields",
    "signers",
    "articles",
    "numbered",
    "abbreviation",
    "seal",
    "transcript",
    "procedures",
}


def parse_kind(code: str, table: Mapping[str, object], *, source: str) -> DocumentKind:
    where = f"{source}: {code}"
    if not _CODE.fullmatch(code):
        raise CatalogueError(f"{where}：文书代码应为小写英文、数字和下划线")
    _only(table, _KIND_KEYS, where)
    raw_fields = table.get("fields", [])
    if not isinstance(raw_fields, list):
        raise CatalogueError(f"{where}.fields：应为数组")
    fields = tuple(_field(item, f"{where}.fields[{i}]") for i, item in enumerate(raw_fields))
    by_name = {f.name: f for f in fields}
    if len(by_name) != len(fields):
        raise CatalogueError(f"{where}.fields：字段名重复")
    raw_signers = table.get("signers", [])
    if not isinstance(raw_signers, list):
        raise CatalogueError(f"{where}.signers：应为数组")
    signers = tuple(
        _signer(item, f"{where}.signers[{i}]", by_name) for i, item in enumerate(raw_signers)
    )
    stages = _strings(table, "stages", where)
    unknown = [s for s in stages if s not in STAGE_CODES]
    if not stages or unknown:
        raise CatalogueError(f"{where}.stages：应列出阶段（{'、'.join(sorted(STAGE_CODES))}）")
    numbered = _flag(table, "numbered", where)
    abbreviation = _text(table, "abbreviation", where, default="")
    if numbered and not abbreviation:
        raise CatalogueError(f"{where}.abbreviation：编号的文书须有文号简称")
    return DocumentKind(
        code=code,
        title=_text(table, "title", where),
        stages=stages,
        fields=fields,
        signers=signers,
        articles=_strings(table, "articles", where),
        numbered=numbered,
        abbreviation=abbreviation,
        seal=_flag(table, "seal", where),
        transcript=_flag(table, "transcript", where),
        procedures=_strings(table, "procedures", where) or ("ordinary", "summary"),
    )


def parse_catalogue(text: str, *, source: str) -> Mapping[str, DocumentKind]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{source}：TOML 格式错误：{error}") from error
    kinds = data.get("kinds", {})
    if not isinstance(kinds, dict):
        raise CatalogueError(f"{source}：kinds 应为表")
    return MappingProxyType(
        {code: parse_kind(code, table, source=source) for code, table in kinds.items()}
    )


@cache
def builtin_catalogue() -> Mapping[str, DocumentKind]:
    text = resources.files("casetrail.policy").joinpath("builtin/catalogue.toml").read_text("utf-8")
    return parse_catalogue(text, source="catalogue.toml")


def catalogue_for(
    documents: Sequence[str], extra: Mapping[str, DocumentKind] | None = None
) -> Mapping[str, DocumentKind]:
    """The kinds an agency uses, in its profile's order: built-in ones and its own."""
    known = {**builtin_catalogue(), **(extra or {})}
    return MappingProxyType({code: known[code] for code in documents if code in known})


# --- field values --------------------------------------------------------------------------


def _refuse(kind: DocumentKind, spec: FieldSpec, message: str) -> RuleViolation:
    return RuleViolation(
        rule="schema",
        article=f"{kind.title}的必备内容（{'；'.join(kind.articles[:2]) or '文书格式'}）",
        field=spec.name,
        message=f"{spec.label}：{message}",
    )


def _blank(value: object) -> bool:
    return value is None or value == "" or value == []


def clean_value(kind: DocumentKind, spec: FieldSpec, value: object) -> FieldValue:
    """One field's value in canonical form, or a refusal naming the field."""
    if isinstance(value, str):
        value = value.strip()
    if _blank(value):
        if spec.required and spec.type != "boolean":
            raise _refuse(kind, spec, "必须填写")
        return False if spec.type == "boolean" else None
    match spec.type:
        case "text" | "textarea":
            if not isinstance(value, str):
                raise _refuse(kind, spec, "应为文字")
            return value
        case "date":
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise _refuse(kind, spec, "日期格式应为 年-月-日") from None
        case "datetime":
            try:
                moment = datetime.fromisoformat(str(value))
            except ValueError:
                raise _refuse(kind, spec, "时间格式应为 年-月-日 时:分") from None
            if moment.tzinfo is None:
                raise _refuse(kind, spec, "时间须带时区")
            return moment.isoformat()
        case "integer" | "officer" | "party" | "recording" | "document":
            if isinstance(value, bool) or not str(value).isdigit():
                raise _refuse(kind, spec, "应为非负整数")
            return int(str(value))
        case "money":
            text = str(value)
            if not _MONEY.fullmatch(text):
                raise _refuse(kind, spec, "金额应为元，最多两位小数，如 5000 或 5000.50")
            try:
                return f"{Decimal(text):.2f}"
            except InvalidOperation:
                raise _refuse(kind, spec, "金额格式错误") from None
        case "choice":
            if str(value) not in dict(spec.choices):
                allowed = "、".join(label for _, label in spec.choices)
                raise _refuse(kind, spec, f"应为{allowed}之一")
            return str(value)
        case "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "on", "1", "yes"):
                return True
            if str(value).lower() in ("false", "off", "0", "no"):
                return False
            raise _refuse(kind, spec, "应为是或否")
        case "officers":
            items = value if isinstance(value, list) else str(value).split(",")
            ids = [str(v).strip() for v in items if str(v).strip()]
            if not all(v.isdigit() for v in ids):
                raise _refuse(kind, spec, "应为执法人员编号")
            return sorted({int(v) for v in ids})
    raise _refuse(kind, spec, f"未知的字段类型 {spec.type}")


def clean_fields(kind: DocumentKind, raw: Mapping[str, object]) -> dict[str, FieldValue]:
    """Every field of *kind* from *raw*, checked and in canonical form; unknown keys refused."""
    unknown = sorted(set(raw) - {f.name for f in kind.fields})
    if unknown:
        raise RuleViolation(
            rule="schema",
            article=f"{kind.title}的格式",
            field=unknown[0],
            message=f"{unknown[0]}：{kind.title}没有这一项",
        )
    return {spec.name: clean_value(kind, spec, raw.get(spec.name)) for spec in kind.fields}
