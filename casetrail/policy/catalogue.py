"""The document catalogue (文书目录): each kind's stage, fields, signers and articles, as data.

The built-in catalogue is `builtin/catalogue.toml`; an agency's profile chooses which kinds it
uses (`documents`) and may add kinds of its own in the same format (`[document_kinds.<code>]`).
Pure: parsing and field validation import nothing from Django.

Seed A art. 4 (文书格式), art. 9 (当事人签字或拒签记录); Seed B art. 7;
REFERENCE.md "Document types".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from casetrail.policy.errors import CatalogueError as CatalogueError  # re-exported
from casetrail.policy.errors import RuleViolation
from casetrail.policy.toml_reader import Table, load

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
PROCEDURES: Final = ("ordinary", "summary")
# Roles an officer signer may name (casetrail.cases.models.Role): any holder of it may sign.
SIGNER_ROLES: Final = ("head", "reviewer", "officer", "archivist", "supervisor")
_CODE = re.compile(r"[a-z][a-z0-9_]*")
_MONEY = re.compile(r"\d{1,12}(\.\d{1,2})?")
_ABBREVIATION = re.compile(r"[\u4e00-\u9fff]{1,4}字")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # for type "document": the kinds the referenced final document of the case may be
    ref_kinds: tuple[str, ...] = ()
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

_FIELD_KEYS = ("name", "label", "type", "required", "choices", "ref_kind", "help")
_SIGNER_KEYS = ("code", "label", "person", "name_field", "officer_field", "role")
_KIND_KEYS = (
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
)


def _code(table: Table, name: str) -> str:
    value = table.text(name)
    if not _CODE.fullmatch(value):
        raise table.error(name, f"“{value}”应为小写英文、数字和下划线")
    return value


def _choices(item: Table) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for index, pair in enumerate(item.optional("choices", list, [])):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise item.error(f"choices[{index}]", "每项应为 [代码, 名称]")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _ref_kinds(item: Table) -> tuple[str, ...]:
    """``ref_kind``: one kind code, or a list of them (送达的文书 may be any served kind)."""
    codes = item.text_or_strings("ref_kind")
    for code in codes:
        if not _CODE.fullmatch(code):
            raise item.error("ref_kind", f"“{code}”应为小写英文、数字和下划线")
    return codes


def _field(item: Table) -> FieldSpec:
    item.only(*_FIELD_KEYS)
    name = _code(item, "name")
    kind = item.choice("type", FIELD_TYPES)
    choices = _choices(item)
    if kind == "choice" and not choices:
        raise item.error("choices", "选项字段必须列出选项")
    if kind != "choice" and choices:
        raise item.error("choices", '只有选项字段（type = "choice"）可以列出选项')
    ref_kinds = _ref_kinds(item)
    if ref_kinds and kind != "document":
        raise item.error("ref_kind", '只有文书字段（type = "document"）可以指定 ref_kind')
    if kind == "document" and not ref_kinds:
        raise item.error("ref_kind", "文书字段须指定所引用的文书种类（ref_kind）")
    return FieldSpec(
        name=name,
        label=item.text("label"),
        type=kind,
        required=item.flag("required", default=True),
        choices=choices,
        ref_kinds=ref_kinds,
        help=item.optional_text("help"),
    )


def _signer(item: Table, fields: Mapping[str, FieldSpec]) -> SignerSpec:
    item.only(*_SIGNER_KEYS)
    spec = SignerSpec(
        code=_code(item, "code"),
        label=item.text("label"),
        person=item.flag("person"),
        name_field=item.optional_text("name_field"),
        officer_field=item.optional_text("officer_field"),
        role=item.optional_text("role"),
    )
    if spec.person:
        if spec.name_field not in fields:
            raise item.error("name_field", f"须为本文书的字段，实际为“{spec.name_field}”")
        if spec.officer_field or spec.role:
            raise item.fail("当事人等签名人（person = true）不能指定 officer_field 或 role")
        return spec
    if spec.name_field:
        raise item.error("name_field", "只有当事人等签名人（person = true）使用 name_field")
    if bool(spec.officer_field) == bool(spec.role):
        raise item.fail("执法人员签名须且只须指定 officer_field 或 role")
    if spec.role and spec.role not in SIGNER_ROLES:
        raise item.error("role", f"应为{'、'.join(SIGNER_ROLES)}之一，实际为“{spec.role}”")
    found = fields.get(spec.officer_field)
    if spec.officer_field and (found is None or found.type not in ("officer", "officers")):
        reason = f"“{spec.officer_field}”不是本文书的执法人员字段"
        raise item.error("officer_field", reason)
    return spec


def _kind(code: str, table: Table) -> DocumentKind:
    if not _CODE.fullmatch(code):
        raise table.fail("文书代码应为小写英文、数字和下划线")
    table.only(*_KIND_KEYS)
    fields = tuple(_field(item) for item in table.tables("fields"))
    by_name: dict[str, FieldSpec] = {}
    for index, spec in enumerate(fields):
        if spec.name in by_name:
            raise table.error(f"fields[{index}].name", f"字段名“{spec.name}”重复")
        by_name[spec.name] = spec
    signers = tuple(_signer(item, by_name) for item in table.tables("signers", minimum=0))
    codes = [s.code for s in signers]
    for index, signer_code in enumerate(codes):
        if signer_code in codes[:index]:
            raise table.error(f"signers[{index}].code", f"签名栏“{signer_code}”重复")
    stages = table.codes("stages", STAGE_CODES)
    if not stages:
        raise table.error("stages", f"应列出阶段（{'、'.join(sorted(STAGE_CODES))}）")
    numbered = table.flag("numbered")
    abbreviation = table.optional_text("abbreviation")
    if numbered and not abbreviation:
        raise table.error("abbreviation", "编号的文书须有文号简称")
    if abbreviation and not _ABBREVIATION.fullmatch(abbreviation):
        reason = f"“{abbreviation}”应为文书类别简称加“字”（如“罚决字”），机关代字取自机关简称"
        raise table.error("abbreviation", reason)
    procedures = table.codes("procedures", PROCEDURES) if table.has("procedures") else ()
    return DocumentKind(
        code=code,
        title=table.text("title"),
        stages=stages,
        fields=fields,
        signers=signers,
        articles=table.strings("articles"),
        numbered=numbered,
        abbreviation=abbreviation,
        seal=table.flag("seal"),
        transcript=table.flag("transcript"),
        procedures=procedures or tuple(PROCEDURES),
    )


def document_number(agency_short_name: str, kind: DocumentKind, year: int, seq: int) -> str:
    """The 文号 of a final document: the agency's short name (机关代字, e.g. 栾统), the kind's
    category (罚决字), the year in 〔〕 and the sequence (栾统罚决字〔2026〕1号)."""
    return f"{agency_short_name}{kind.abbreviation}〔{year}〕{seq}号"


def parse_kind(
    code: str, table: Mapping[str, object], *, source: str, path: str = "kinds"
) -> DocumentKind:
    """One ``[<path>.<code>]`` table; errors name ``<path>.<code>.<key>``."""
    return _kind(code, Table(table, source=source, path=f"{path}.{code}", error=CatalogueError))


def check_references(
    kinds: Mapping[str, DocumentKind], known: Collection[str], *, source: str, path: str
) -> None:
    """Every ``ref_kind`` of *kinds* names a kind in *known*."""
    for kind in kinds.values():
        for index, spec in enumerate(kind.fields):
            for code in spec.ref_kinds:
                if code not in known:
                    key = f"{path}.{kind.code}.fields[{index}].ref_kind"
                    raise CatalogueError(source, key, f"未知的文书代码“{code}”")


def parse_catalogue(text: str, *, source: str) -> Mapping[str, DocumentKind]:
    root = load(text, source=source, error=CatalogueError)
    root.only("kinds")
    table = root.table("kinds")
    kinds = {code: parse_kind(code, table.raw(code, dict), source=source) for code in table.names()}
    check_references(kinds, kinds, source=source, path="kinds")
    return MappingProxyType(kinds)


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


# An article of a local regulation, as the catalogue cites it: the place, then 制度 or 办法
# ("栾川县制度第八条", "兴隆台区办法第十二条").
_LOCAL_ARTICLE: Final = re.compile(r"^(\S+?[省市县区旗])(?:制度|办法)")


def articles_under(articles: Sequence[str], regulation_title: str) -> tuple[str, ...]:
    """The articles a case of an agency cites: the laws, and of the local regulations only
    its own (the one its profile implements), never another place's."""
    kept = []
    for article in articles:
        local = _LOCAL_ARTICLE.match(article)
        if local is None or regulation_title.startswith(local.group(1)):
            kept.append(article)
    return tuple(kept)
