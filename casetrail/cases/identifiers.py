"""Checks on a party's identifiers: ID numbers, 统一社会信用代码, phone numbers.

Pure functions. Each returns the number in its normal form (full-width characters folded,
whitespace removed, letters upper-case) or raises :class:`IdentifierError`, whose Chinese
message names the field and the rule it breaks, e.g.
"证件号码：校验码不符（GB 11643-1999 公民身份号码校验码）".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

ID_TYPES: Mapping[str, str] = {
    "resident_id": "居民身份证",
    "hk_macau_taiwan_residence_permit": "港澳台居民居住证",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent_resident_id": "外国人永久居留身份证",
    "passport": "护照",
}

_FIELD_LABELS: Mapping[str, str] = {
    "id_number": "证件号码",
    "id_type": "证件类型",
    "uscc": "统一社会信用代码",
    "phone": "联系电话",
}

# GB/T 2260 province-level codes; 71 is Taiwan, listed there though no mainland ID is issued.
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71"}
)
# GB 11643 numbers on 港澳台居民居住证 carry these address codes instead.
_RESIDENCE_PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"  # indexed by (weighted sum mod 11): ISO 7064 MOD 11-2

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997
# GB 32100-2015 附录A 登记管理部门代码 → 机构类别代码, with the categories added since
# (村/居民委员会 54/55, 商事调解组织 36, 公安 G, 住建 J, 侨联 Q and others).
_USCC_CATEGORIES: Mapping[str, str] = {
    "1": "1239",  # 机构编制：机关、事业单位、群众团体、其他
    "2": "19",  # 外交
    "3": "1234569",  # 司法行政：律师、公证、基层法律服务、司法鉴定、仲裁、商事调解、其他
    "4": "19",  # 文化
    "5": "123459",  # 民政：社会团体、民办非企业、基金会、村委会、居委会、其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "129",  # 工会
    "9": "1239",  # 市场监管（工商）：企业、个体工商户、农民专业合作社、其他
    "A": "19",  # 中央军委改革和编制办公室
    "G": "19",  # 公安：境外非政府组织代表机构
    "J": "19",  # 住房和城乡建设：业主大会
    "N": "1239",  # 农业农村：组级、村级、乡镇级集体经济组织
    "Q": "1239",  # 侨联
    "Y": "1",  # 其他
}

_RID_FORMAT = "GB 11643-1999 公民身份号码：17位数字本体码加1位校验码"
_RID_CHECK = "GB 11643-1999 公民身份号码校验码"
_RID_BIRTH = "GB 11643-1999 出生日期码"
_RID_REGION = "GB 11643-1999 地址码"
_USCC_FORMAT = "GB 32100-2015 统一社会信用代码：18位"
_USCC_CHARSET = "GB 32100-2015 代码字符集（不使用 I、O、Z、S、V）"
_USCC_CATEGORY = "GB 32100-2015 登记管理部门代码和机构类别代码"
_USCC_REGION = "GB 32100-2015 登记管理机关行政区划码"
_USCC_ORG_CHECK = "GB 11714-1997 组织机构代码校验码"
_USCC_CHECK = "GB 32100-2015 统一社会信用代码校验码"
_PHONE_RULE = "手机号码为1开头的11位数字，固定电话为区号加7至8位号码"

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(?:(?:-|转|#|EXT\.?)[0-9]{1,6})?")
_PASSPORT = re.compile(r"(?=.*[0-9])[A-Z0-9]{5,17}")
_HK_MACAU_PERMIT = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}")
_FOREIGN_PR_OLD = re.compile(r"[A-Z]{3}[0-9]{12}")
_FOREIGN_PR_NEW = re.compile(r"9[0-9]{16}[0-9X]")


class IdentifierError(ValueError):
    """A refused identifier; ``str()`` is the Chinese message for the person who typed it."""

    def __init__(self, *, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: Literal["male", "female"]
    region_code: str


def check_resident_id(number: str, *, today: date, field: str = "id_number") -> ResidentId:
    """A 居民身份证 number under GB 11643-1999 (mainland address codes only)."""
    value = _normalise(number, field)
    _refuse_old_fifteen_digits(value, field)
    if not _is_gb11643_shape(value):
        raise _error(field, _RID_FORMAT, f"应为18位（17位数字加校验码），实际为“{value}”")
    if value[:6] in _RESIDENCE_PERMIT_REGIONS:
        kind = ID_TYPES["hk_macau_taiwan_residence_permit"]
        raise _error(field, _RID_REGION, f"这是{kind}号码，请选择证件类型“{kind}”")
    if value[:2] not in _PROVINCES:
        raise _error(field, _RID_REGION, f"前两位“{value[:2]}”不是省级行政区划代码")
    return _gb11643_identity(value, today=today, field=field)


def check_residence_permit(number: str, *, today: date, field: str = "id_number") -> ResidentId:
    """A 港澳台居民居住证 number: GB 11643-1999 with address code 810000, 820000 or 830000."""
    value = _normalise(number, field)
    if not _is_gb11643_shape(value):
        raise _error(field, _RID_FORMAT, f"应为18位（17位数字加校验码），实际为“{value}”")
    if value[:6] not in _RESIDENCE_PERMIT_REGIONS:
        raise _error(field, _RID_REGION, "港澳台居民居住证号码应以810000、820000或830000开头")
    return _gb11643_identity(value, today=today, field=field)


def _is_gb11643_shape(value: str) -> bool:
    return re.fullmatch(r"[0-9]{17}[0-9X]", value) is not None


def _refuse_old_fifteen_digits(value: str, field: str) -> None:
    if re.fullmatch(r"[0-9]{15}", value):
        problem = "15位旧号码已停止使用，请填写18位公民身份号码"
        raise _error(field, "GB 11643-1999 公民身份号码为18位", problem)


def _gb11643_identity(value: str, *, today: date, field: str) -> ResidentId:
    birth = _birth_date(value[6:14], today=today, field=field)
    _require_gb11643_check(value, field)
    sex: Literal["male", "female"] = "male" if int(value[16]) % 2 else "female"
    return ResidentId(number=value, birth_date=birth, sex=sex, region_code=value[:6])


def _birth_date(digits: str, *, today: date, field: str) -> date:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _error(field, _RID_BIRTH, f"出生日期“{digits}”不存在") from None
    if birth > today:
        raise _error(field, _RID_BIRTH, f"出生日期{birth.isoformat()}晚于今天")
    if birth.year < 1900:
        raise _error(field, _RID_BIRTH, f"出生日期{birth.isoformat()}早于1900年")
    return birth


def _require_gb11643_check(value: str, field: str) -> None:
    pairs = zip(value[:17], _GB11643_WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in pairs)
    if _GB11643_CHECK[total % 11] != value[17]:
        raise _error(field, _RID_CHECK, "校验码不符")


def check_uscc(code: str, *, field: str = "uscc") -> str:
    """A 统一社会信用代码 under GB 32100-2015; returns it upper-cased without spaces."""
    value = _normalise(code, field)
    if len(value) != 18:
        raise _error(field, _USCC_FORMAT, f"应为18位，实际为{len(value)}位")
    for position, char in enumerate(value, start=1):
        if char not in _USCC_CHARS:
            raise _error(field, _USCC_CHARSET, f"第{position}位“{char}”不是有效字符")
    if value[1] not in _USCC_CATEGORIES.get(value[0], ""):
        problem = f"登记管理部门代码“{value[0]}”与机构类别代码“{value[1]}”不是有效组合"
        raise _error(field, _USCC_CATEGORY, problem)
    _require_uscc_region(value, field)
    if _org_code_check(value[8:16]) != value[16]:
        raise _error(field, _USCC_ORG_CHECK, "第9至17位组织机构代码的校验码不符")
    if _uscc_check(value[:17]) != value[17]:
        raise _error(field, _USCC_CHECK, "校验码不符")
    return value


def _require_uscc_region(value: str, field: str) -> None:
    region = value[2:8]
    # 100000 is the code the central organs register under.
    if not region.isdigit() or region[:2] not in _PROVINCES | {"10"}:
        raise _error(field, _USCC_REGION, f"第3至8位“{region}”不是行政区划代码")


def _org_code_check(body: str) -> str:
    # GB 11714: digits count as themselves, letters A–Z as 10–35.
    total = sum(int(c, 36) * weight for c, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _uscc_check(body: str) -> str:
    total = sum(
        _USCC_CHARS.index(c) * weight for c, weight in zip(body, _USCC_WEIGHTS, strict=True)
    )
    return _USCC_CHARS[(31 - total % 31) % 31]


_FORMATS: Mapping[str, tuple[re.Pattern[str], str]] = {
    "passport": (_PASSPORT, "护照号码为5至17位字母和数字"),
    "hk_macau_permit": (_HK_MACAU_PERMIT, "港澳居民来往内地通行证号码为H或M加8位或10位数字"),
    "taiwan_permit": (_TAIWAN_PERMIT, "台湾居民来往大陆通行证号码为8位数字"),
}


def check_id_number(id_type: str, number: str, *, today: date, field: str = "id_number") -> str:
    """Check ``number`` as a document of ``id_type`` (a key of :data:`ID_TYPES`)."""
    if id_type == "resident_id":
        return check_resident_id(number, today=today, field=field).number
    if id_type == "hk_macau_taiwan_residence_permit":
        return check_residence_permit(number, today=today, field=field).number
    if id_type == "foreign_permanent_resident_id":
        return _check_foreign_permanent_resident_id(number, field)
    if id_type in _FORMATS:
        pattern, rule = _FORMATS[id_type]
        return _check_format(number, field, pattern, rule)
    rule = f"可选证件类型：{'、'.join(ID_TYPES.values())}"
    raise _error("id_type", rule, f"“{id_type}”不是可选的证件类型")


def _check_format(number: str, field: str, pattern: re.Pattern[str], rule: str) -> str:
    value = _normalise(number, field)
    if not pattern.fullmatch(value):
        raise _error(field, rule, f"格式不符，实际为“{value}”")
    return value


def _check_foreign_permanent_resident_id(number: str, field: str) -> str:
    """15-character (3 letters + 12 digits) or, since 2023-12-01, 18 characters led by 9."""
    value = _normalise(number, field)
    if _FOREIGN_PR_OLD.fullmatch(value):
        return value
    rule = "外国人永久居留身份证号码为3位字母加12位数字，或以9开头的18位号码"
    if not _FOREIGN_PR_NEW.fullmatch(value):
        raise _error(field, rule, f"格式不符，实际为“{value}”")
    # The 2023 card's number uses the GB 11643 check character.
    _require_gb11643_check(value, field)
    return value


def check_phone(phone: str, *, field: str = "phone") -> str:
    """A mainland mobile (returned as 11 digits) or a landline with its area code."""
    value = _normalise(phone, field)
    mobile = _MOBILE.fullmatch(value.replace("-", ""))
    if mobile:
        return mobile.group(1)
    if _LANDLINE.fullmatch(value):
        return value
    raise _error(field, _PHONE_RULE, f"“{value}”不是有效的电话号码")


def _normalise(raw: str, field: str) -> str:
    # NFKC folds full-width digits and letters typed with a Chinese input method.
    value = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if not value:
        raise IdentifierError(field=field, rule="必填", message=f"{_label(field)}：必须填写")
    return value


def _label(field: str) -> str:
    for suffix, label in _FIELD_LABELS.items():
        if field == suffix or field.endswith(f"_{suffix}"):
            return label
    return field


def _error(field: str, rule: str, problem: str) -> IdentifierError:
    return IdentifierError(field=field, rule=rule, message=f"{_label(field)}：{problem}（{rule}）")
