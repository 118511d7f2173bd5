"""Party identifier checks (GB 11643-1999, GB 32100-2015, GB 11714-1997).

Valid samples are either published (the examples printed in GB 11643-1999; codes that well-known
bodies print on their licences) or built here from the algorithms as the standards define them,
written independently of the module under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.cases.identifiers import (
    ID_TYPES,
    IdentifierError,
    ResidentId,
    check_id_number,
    check_phone,
    check_resident_id,
    check_uscc,
)

TODAY = date(2026, 11, 23)

# --- the algorithms, as the standards state them -------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb11643_check(body: str) -> str:
    """ISO 7064 MOD 11-2: position i (1..17 from the left) weighs 2^(18-i) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    return "0123456789X"[(12 - total % 11) % 11]


def org_code_check(body: str) -> str:
    """GB 11714-1997: weights 3 7 9 10 5 8 4 2; A=10 … Z=35; C9 = 11 - (sum mod 11)."""
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check(body: str) -> str:
    """GB 32100-2015: position i (1..17) weighs 3^(i-1) mod 31; C18 = 31 - (sum mod 31)."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return USCC_CHARS[(31 - total % 31) % 31]


def resident_id(region: str, born: str, seq: str) -> str:
    body = region + born + seq
    return body + gb11643_check(body)


def uscc(prefix: str, region: str, org_body: str) -> str:
    body = prefix + region + org_body + org_code_check(org_body)
    return body + uscc_check(body)


# --- published samples -----------------------------------------------------------------------

GB11643_EXAMPLE = "11010519491231002X"  # GB 11643-1999's own example: 北京朝阳, 1949-12-31, female
GB11643_EXAMPLE_1880 = "440524188001010014"  # its other example, born 1880
PUBLISHED_USCC = [
    "91350100M000100Y43",  # the sample in the brief
    "91440300708461136T",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000710925462X",  # 中国石油天然气股份有限公司
    "11100000000013127D",  # a central organ: 机构编制 / 机关, registered under 100000
]


def test_the_helpers_reproduce_the_published_samples() -> None:
    assert gb11643_check(GB11643_EXAMPLE[:17]) == "X"
    assert gb11643_check(GB11643_EXAMPLE_1880[:17]) == "4"
    for code in PUBLISHED_USCC:
        assert org_code_check(code[8:16]) == code[16], code
        assert uscc_check(code[:17]) == code[17], code


def _refusal(call: object, *args: object, **kwargs: object) -> IdentifierError:
    assert callable(call)
    with pytest.raises(IdentifierError) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert str(error) == error.message
    assert error.rule
    if error.rule != "必填":  # the one rule that needs no citing, as in the actions' own checks
        assert f"（{error.rule}）" in error.message
    return error


# --- 居民身份证 -------------------------------------------------------------------------------


class TestResidentId:
    def test_the_standards_example(self) -> None:
        assert check_resident_id(GB11643_EXAMPLE, today=TODAY) == ResidentId(
            number=GB11643_EXAMPLE,
            birth_date=date(1949, 12, 31),
            sex="female",
            region_code="110105",
        )

    def test_lowercase_x_whitespace_and_full_width_are_normalised(self) -> None:
        for raw in [" 110105 19491231 002x ", "１１０１０５１９４９１２３１００２ｘ"]:
            assert check_resident_id(raw, today=TODAY).number == GB11643_EXAMPLE

    def test_male_from_an_odd_sequence_digit(self) -> None:
        number = resident_id("410324", "19800101", "013")
        assert check_resident_id(number, today=TODAY).sex == "male"

    def test_wrong_check_digit(self) -> None:
        error = _refusal(check_resident_id, "110105194912310021", today=TODAY)
        assert (error.field, error.rule) == ("id_number", "GB 11643-1999 公民身份号码校验码")
        assert error.message == "证件号码：校验码不符（GB 11643-1999 公民身份号码校验码）"

    def test_every_single_character_change_is_refused(self) -> None:
        for position in range(18):
            for char in "0123456789X":
                if char == GB11643_EXAMPLE[position]:
                    continue
                changed = GB11643_EXAMPLE[:position] + char + GB11643_EXAMPLE[position + 1 :]
                with pytest.raises(IdentifierError):
                    check_resident_id(changed, today=TODAY)

    @pytest.mark.parametrize(
        ("born", "problem"),
        [
            ("20260230", "出生日期“20260230”不存在"),
            ("19000229", "出生日期“19000229”不存在"),  # 1900 was not a leap year
            ("19991301", "出生日期“19991301”不存在"),
            ("20261124", "出生日期2026-11-24晚于今天"),
            ("18991231", "出生日期1899-12-31早于1900年"),
        ],
    )
    def test_impossible_birth_dates(self, born: str, problem: str) -> None:
        number = resident_id("110105", born, "002")  # a correct check digit: only the date is wrong
        error = _refusal(check_resident_id, number, today=TODAY)
        assert error.rule == "GB 11643-1999 出生日期码"
        assert problem in error.message

    def test_leap_day_and_today_are_real_birth_dates(self) -> None:
        for born in ["20000229", "20261123", "19000101"]:
            check_resident_id(resident_id("110105", born, "002"), today=TODAY)

    def test_the_standards_1880_example_is_before_1900(self) -> None:
        error = _refusal(check_resident_id, GB11643_EXAMPLE_1880, today=TODAY)
        assert error.rule == "GB 11643-1999 出生日期码"

    def test_old_fifteen_digit_numbers_are_refused_clearly(self) -> None:
        error = _refusal(check_resident_id, "110105491231002", today=TODAY)
        assert "15位旧号码已停止使用" in error.message

    @pytest.mark.parametrize(
        "raw", ["", "   ", "11010519491231002", "1101051949123100XX", "A10105"]
    )
    def test_malformed_numbers(self, raw: str) -> None:
        error = _refusal(check_resident_id, raw, today=TODAY, field="party_id_number")
        assert error.field == "party_id_number"
        assert error.message.startswith("证件号码：")

    def test_unknown_province(self) -> None:
        error = _refusal(check_resident_id, resident_id("990105", "19491231", "002"), today=TODAY)
        assert error.rule == "GB 11643-1999 地址码"

    def test_a_residence_permit_number_points_to_its_type(self) -> None:
        number = resident_id("810000", "19900101", "001")
        error = _refusal(check_resident_id, number, today=TODAY)
        assert "港澳台居民居住证" in error.message


PROVINCES = ["11", "13", "31", "41", "44", "50", "54", "65"]


@given(
    province=st.sampled_from(PROVINCES),
    rest=st.from_regex(r"[0-9]{4}", fullmatch=True),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    seq=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_generated_resident_ids_pass(province: str, rest: str, born: date, seq: str) -> None:
    number = resident_id(province + rest, born.strftime("%Y%m%d"), seq)
    checked = check_resident_id(number.lower(), today=TODAY)
    assert (checked.number, checked.birth_date) == (number, born)
    assert checked.sex == ("male" if int(seq[2]) % 2 else "female")


# --- 统一社会信用代码 ------------------------------------------------------------------------


class TestUscc:
    @pytest.mark.parametrize("code", PUBLISHED_USCC)
    def test_published_codes_pass(self, code: str) -> None:
        assert check_uscc(code) == code
        assert check_uscc(f" {code.lower()} ") == code

    def test_the_briefs_second_sample_is_not_valid(self) -> None:
        # 911100001000212345: its organisation-code check should be 9, its own check B.
        error = _refusal(check_uscc, "911100001000212345")
        assert error.rule == "GB 11714-1997 组织机构代码校验码"

    @pytest.mark.parametrize("code", PUBLISHED_USCC)
    def test_every_single_character_change_is_refused(self, code: str) -> None:
        for position in range(18):
            for char in USCC_CHARS:
                if char != code[position]:
                    with pytest.raises(IdentifierError):
                        check_uscc(code[:position] + char + code[position + 1 :])

    @pytest.mark.parametrize("letter", list("IOZSV"))
    def test_letters_outside_the_character_set(self, letter: str) -> None:
        code = "91350100M000100Y43"
        error = _refusal(check_uscc, code[:9] + letter + code[10:], field="party_uscc")
        assert (error.field, error.rule) == (
            "party_uscc",
            "GB 32100-2015 代码字符集（不使用 I、O、Z、S、V）",
        )
        assert error.message.startswith(f"统一社会信用代码：第10位“{letter}”不是有效字符")

    @pytest.mark.parametrize("raw", ["91350100M000100Y4", "91350100M000100Y433", ""])
    def test_wrong_length(self, raw: str) -> None:
        error = _refusal(check_uscc, raw)
        assert error.field == "uscc"

    @pytest.mark.parametrize("prefix", ["51", "54", "92", "A1", "G1", "N3", "Y1"])
    def test_registration_authority_and_category_pairs(self, prefix: str) -> None:
        code = uscc(prefix, "410324", "MA9XK3T1")
        assert check_uscc(code) == code

    @pytest.mark.parametrize("prefix", ["94", "B1", "Y2", "0A", "28"])
    def test_registration_authority_and_category_must_pair(self, prefix: str) -> None:
        code = uscc(prefix, "410324", "MA9XK3T1")
        assert _refusal(check_uscc, code).rule == "GB 32100-2015 登记管理部门代码和机构类别代码"

    def test_region_must_be_an_administrative_division(self) -> None:
        code = uscc("91", "990000", "MA9XK3T1")
        assert _refusal(check_uscc, code).rule == "GB 32100-2015 登记管理机关行政区划码"

    def test_the_organisation_code_has_its_own_check(self) -> None:
        body = "91410324" + "MA9XK3T1"
        wrong = "0" if org_code_check("MA9XK3T1") != "0" else "1"
        code = body + wrong + uscc_check(body + wrong)  # the outer check is right
        assert _refusal(check_uscc, code).rule == "GB 11714-1997 组织机构代码校验码"

    def test_the_outer_check(self) -> None:
        code = "91350100M000100Y4" + "3"
        error = _refusal(check_uscc, code[:17] + ("4" if code[17] != "4" else "5"))
        assert error.rule == "GB 32100-2015 统一社会信用代码校验码"


ORG_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@given(
    prefix=st.sampled_from(["11", "12", "31", "51", "52", "91", "92", "93", "N2", "Y1"]),
    region=st.sampled_from(["110000", "410324", "211103", "100000", "650100"]),
    org_body=st.text(alphabet=ORG_BODY_CHARS, min_size=8, max_size=8),
    position=st.integers(min_value=0, max_value=17),
    char=st.sampled_from(USCC_CHARS),
)
def test_generated_codes_pass_and_any_change_fails(
    prefix: str, region: str, org_body: str, position: int, char: str
) -> None:
    code = uscc(prefix, region, org_body)
    assert check_uscc(code) == code
    changed = code[:position] + char + code[position + 1 :]
    if changed != code:
        with pytest.raises(IdentifierError):
            check_uscc(changed)


# --- other documents ----------------------------------------------------------------------


class TestIdNumberDispatch:
    def test_types_have_chinese_labels(self) -> None:
        assert ID_TYPES["resident_id"] == "居民身份证"
        assert ID_TYPES["passport"] == "护照"

    def test_resident_id(self) -> None:
        assert check_id_number("resident_id", "11010519491231002x", today=TODAY) == GB11643_EXAMPLE

    def test_hong_kong_residence_permit(self) -> None:
        number = resident_id("810000", "19900101", "001")
        kind = "hk_macau_taiwan_residence_permit"
        assert check_id_number(kind, number, today=TODAY) == number
        error = _refusal(check_id_number, kind, GB11643_EXAMPLE, today=TODAY)
        assert "810000" in error.message

    @pytest.mark.parametrize(
        ("id_type", "number", "expected"),
        [
            ("passport", "E12345678", "E12345678"),
            ("passport", "ea1234567", "EA1234567"),
            ("passport", "123456789", "123456789"),
            ("hk_macau_permit", "H12345678", "H12345678"),
            ("hk_macau_permit", "m1234567890", "M1234567890"),
            ("taiwan_permit", "12345678", "12345678"),
            ("foreign_permanent_resident_id", "usa123456789012", "USA123456789012"),
        ],
    )
    def test_formats_that_pass(self, id_type: str, number: str, expected: str) -> None:
        assert check_id_number(id_type, number, today=TODAY) == expected

    @pytest.mark.parametrize(
        ("id_type", "number"),
        [
            ("passport", "E12"),
            ("passport", "ABCDEFGH"),
            ("passport", "E1234567890123456789"),
            ("hk_macau_permit", "H1234567"),
            ("hk_macau_permit", "C12345678"),
            ("taiwan_permit", "1234567"),
            ("foreign_permanent_resident_id", "US123456789012"),
            ("foreign_permanent_resident_id", "812345678901234567"),
        ],
    )
    def test_formats_that_fail(self, id_type: str, number: str) -> None:
        error = _refusal(check_id_number, id_type, number, today=TODAY)
        assert error.field == "id_number"

    def test_new_foreign_permanent_resident_id_has_a_check_character(self) -> None:
        body = "93184019800101001"
        number = body + gb11643_check(body)
        kind = "foreign_permanent_resident_id"
        assert check_id_number(kind, number, today=TODAY) == number
        wrong = body + ("0" if number[-1] != "0" else "1")
        assert _refusal(check_id_number, kind, wrong, today=TODAY).rule.startswith("GB 11643")

    def test_unknown_type_names_the_type_field(self) -> None:
        error = _refusal(check_id_number, "driving_licence", "123", today=TODAY)
        assert error.field == "id_type"
        assert error.message.startswith("证件类型：")

    def test_empty_number(self) -> None:
        error = _refusal(check_id_number, "passport", " ", today=TODAY)
        assert (error.rule, error.message) == ("必填", "证件号码：必须填写")


# --- 电话 --------------------------------------------------------------------------------


class TestPhone:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("13812345678", "13812345678"),
            ("138 1234 5678", "13812345678"),
            ("+86 138-1234-5678", "13812345678"),
            ("１９９１２３４５６７８", "19912345678"),
            ("0379-12345678", "0379-12345678"),
            ("010-1234567", "010-1234567"),
            ("03796612345", "03796612345"),
            ("0379-66123456-801", "0379-66123456-801"),
            ("0379-66123456转801", "0379-66123456转801"),
        ],
    )
    def test_valid_numbers(self, raw: str, expected: str) -> None:
        assert check_phone(raw) == expected

    @pytest.mark.parametrize(
        "raw", ["12812345678", "1381234567", "138123456789", "66123456", "0379-123456", "电话"]
    )
    def test_invalid_numbers(self, raw: str) -> None:
        error = _refusal(check_phone, raw, field="party_phone")
        assert error.field == "party_phone"
        assert error.message.startswith("联系电话：")
