"""Policy profiles: the two seed regulations as data, and refusal of broken profile files."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from casetrail.policy.profiles import (
    COMPULSORY_MEASURE_KINDS,
    DOCUMENT_KINDS,
    Period,
    ProfileError,
    builtin_profile,
    builtin_profile_text,
    builtin_profiles,
    load_profile,
    parse_profile,
)

SEED_A = "luanchuan-2020"
SEED_B = "xinglongtai-2019"
TEXT_A = builtin_profile_text(SEED_A)


def _mutated(old: str, new: str) -> str:
    assert old in TEXT_A, old
    return TEXT_A.replace(old, new, 1)


class TestBuiltins:
    def test_both_seeds_ship(self) -> None:
        assert set(builtin_profiles()) == {SEED_A, SEED_B}
        assert builtin_profile(SEED_A).regulation_file == "luanchuan-2020.txt"
        assert builtin_profile(SEED_B).regulation_issued_on == date(2019, 9, 27)

    def test_files_live_inside_the_package(self) -> None:
        folder = resources.files("casetrail.policy").joinpath("builtin")
        assert folder.joinpath(f"{SEED_A}.toml").is_file()
        assert folder.joinpath(f"{SEED_B}.toml").is_file()

    def test_av_storage_differs_as_the_regulations_do(self) -> None:
        # Seed A 第14条: 2个工作日; Seed B 第26条: 5个工作日.
        assert builtin_profile(SEED_A).av_storage == Period(2, "working_days")
        assert builtin_profile(SEED_B).av_storage == Period(5, "working_days")

    def test_electronic_service_of_a_decision_differs(self) -> None:
        # Seed A 第11条(四) excludes the decision; Seed B is silent, so 行政处罚法 第61条 applies.
        assert not builtin_profile(SEED_A).electronic_service_of_decision
        assert builtin_profile(SEED_B).electronic_service_of_decision

    def test_left_at_address_proof_differs(self) -> None:
        assert builtin_profile(SEED_A).left_at_address_proof == "witness_or_recording"
        assert builtin_profile(SEED_B).left_at_address_proof == "witness_and_recording"

    def test_document_lists_differ_where_the_regulations_name_different_documents(self) -> None:
        a = set(builtin_profile(SEED_A).documents)
        b = set(builtin_profile(SEED_B).documents)
        assert {"sampling_list", "testing_commission"} <= a - b  # Seed A 第7条(三)(六)
        # Seed B 第7条(二)(三) names them; Seed A has them under 第7条(七) 依法制作其他文字记录
        assert {"witness_statement", "evidence_list"} <= a & b

    @pytest.mark.parametrize("key", [SEED_A, SEED_B])
    def test_statistics_agencies_have_no_compulsory_measures(self, key: str) -> None:
        profile = builtin_profile(key)
        assert not COMPULSORY_MEASURE_KINDS & set(profile.documents)
        assert profile.warnings() == ()
        assert set(profile.documents) <= set(DOCUMENT_KINDS)

    @pytest.mark.parametrize("key", [SEED_A, SEED_B])
    def test_statutory_periods(self, key: str) -> None:
        profile = builtin_profile(key)
        assert profile.emergency_backfill == Period(2, "working_days")
        assert profile.hearing_request == Period(5, "working_days")
        assert profile.hearing_notice == Period(7, "working_days")
        assert profile.decision_service == Period(7, "working_days")
        assert profile.fine_payment == Period(15, "calendar_days")
        assert profile.demand_to_court == Period(10, "working_days")
        assert profile.court_window_months == 3
        assert profile.decision_limit.statute_days == 90

    @pytest.mark.parametrize("key", [SEED_A, SEED_B])
    def test_the_raw_text_round_trips(self, key: str) -> None:
        text = builtin_profile_text(key)
        assert parse_profile(text, source=f"{key}.toml") == builtin_profile(key)

    def test_an_unknown_builtin_is_refused(self) -> None:
        with pytest.raises(ProfileError) as caught:
            builtin_profile("nowhere-2030")
        assert caught.value.key == "key"
        assert SEED_A in caught.value.reason
        with pytest.raises(ProfileError):
            builtin_profile_text("nowhere-2030")


class TestProfileBehaviour:
    def test_case_number_with_the_default_format(self) -> None:
        profile = builtin_profile(SEED_A)
        assert profile.format_case_number(short="栾统", year=2026, seq=7) == "栾统立〔2026〕7号"

    def test_case_number_with_zero_padding(self) -> None:
        text = _mutated('"{short}立〔{year}〕{seq}号"', '"{short}罚〔{year}〕{seq:03d}号"')
        profile = parse_profile(text, source="padded.toml")
        assert profile.format_case_number(short="栾统", year=2026, seq=7) == "栾统罚〔2026〕007号"

    def test_case_number_refuses_a_zero_sequence(self) -> None:
        with pytest.raises(ValueError, match="序号"):
            builtin_profile(SEED_A).format_case_number(short="栾统", year=2026, seq=0)

    def test_hearing_threshold_is_effective_dated(self) -> None:
        text = TEXT_A.replace(
            "individual_business = 2000\n",
            "individual_business = 2000\n\n[[hearing_thresholds]]\n"
            "effective_from = 2025-01-01\norganisation = 100000\ncitizen = 1000\n",
        )
        profile = parse_profile(text, source="dated.toml")
        assert profile.hearing_threshold_yuan("organisation", date(2017, 8, 31)) is None
        assert profile.hearing_threshold_yuan("organisation", date(2024, 12, 31)) == 50000
        assert profile.hearing_threshold_yuan("organisation", date(2025, 1, 1)) == 100000
        assert profile.hearing_threshold_yuan("individual_business", date(2025, 1, 1)) is None
        assert profile.hearing_threshold_yuan("citizen", date(2025, 1, 1)) == 1000

    def test_enabling_seizure_warns(self) -> None:
        text = _mutated('    "sampling_list",', '    "sampling_list",\n    "seizure_decision",')
        (warning,) = parse_profile(text, source="seize.toml").warnings()
        assert "行政强制法 第22条" in warning

    def test_retention_classes(self) -> None:
        classes = {c.code: c for c in builtin_profile(SEED_A).retention}
        assert classes["permanent"].months is None
        assert classes["general"].months == 360
        assert classes["av_unlinked"].months == 6

    def test_period_labels(self) -> None:
        assert Period(2, "working_days").label == "2个工作日"
        assert Period(15, "calendar_days").label == "15日"


BROKEN = [
    pytest.param('colour = "red"\n' + TEXT_A, "colour", "未知的设置项", id="unknown-key"),
    pytest.param(
        _mutated('av_storage = { days = 2, unit = "working_days" }\n', ""),
        "av_storage",
        "缺少必填设置项",
        id="missing-key",
    ),
    pytest.param(
        _mutated("av_time_tolerance_minutes = 5", 'av_time_tolerance_minutes = "5"'),
        "av_time_tolerance_minutes",
        "应为整数，实际为字符串",
        id="string-for-int",
    ),
    pytest.param(
        _mutated("av_time_tolerance_minutes = 5", "av_time_tolerance_minutes = true"),
        "av_time_tolerance_minutes",
        "应为整数，实际为布尔值",
        id="bool-for-int",
    ),
    pytest.param(
        _mutated("electronic_service_of_decision = false", "electronic_service_of_decision = 0"),
        "electronic_service_of_decision",
        "应为布尔值",
        id="int-for-bool",
    ),
    pytest.param(
        _mutated("regulation_issued_on = 2020-11-21", "regulation_issued_on = 2020-11-21T08:00:00"),
        "regulation_issued_on",
        "应为日期，实际为日期时间",
        id="datetime-for-date",
    ),
    pytest.param(
        _mutated("av_time_tolerance_minutes = 5", "av_time_tolerance_minutes = -1"),
        "av_time_tolerance_minutes",
        "不能为负数",
        id="negative",
    ),
    pytest.param(
        _mutated("court_window_months = 3", "court_window_months = 0"),
        "court_window_months",
        "不能小于1",
        id="zero-months",
    ),
    pytest.param(
        _mutated(
            'av_storage = { days = 2, unit = "working_days" }',
            'av_storage = { days = 2, unit = "weeks" }',
        ),
        "av_storage.unit",
        "实际为“weeks”",
        id="bad-unit",
    ),
    pytest.param(
        _mutated(
            'av_storage = { days = 2, unit = "working_days" }',
            'av_storage = { days = -2, unit = "working_days" }',
        ),
        "av_storage.days",
        "不能小于1",
        id="negative-period",
    ),
    pytest.param(
        _mutated('av_storage = { days = 2, unit = "working_days" }', "av_storage = 2"),
        "av_storage",
        "应为表，实际为整数",
        id="period-without-unit",
    ),
    pytest.param(
        _mutated(
            'av_storage = { days = 2, unit = "working_days" }',
            'av_storage = { days = 2, unit = "working_days", hours = 1 }',
        ),
        "av_storage.hours",
        "未知的设置项",
        id="unknown-period-key",
    ),
    pytest.param(
        _mutated("{year}〕{seq}号", "{yr}〕{seq}号"),
        "case_number_format",
        "不能使用“{yr}”",
        id="unknown-placeholder",
    ),
    pytest.param(
        _mutated("{year}〕{seq}号", "{year}〕号"),
        "case_number_format",
        "必须包含 {seq}",
        id="no-seq",
    ),
    pytest.param(
        _mutated("{year}〕{seq}号", "{year:04d}〕{seq}号"),
        "case_number_format",
        "格式说明无效",
        id="spec-on-year",
    ),
    pytest.param(
        _mutated("{year}〕{seq}号", "{year}〕{seq!r}号"),
        "case_number_format",
        "不能使用“{seq}”",
        id="conversion",
    ),
    pytest.param(
        _mutated("{year}〕{seq}号", "{year}〕{seq号"),
        "case_number_format",
        "花括号不成对",
        id="unbalanced-brace",
    ),
    pytest.param(
        _mutated('key = "luanchuan-2020"', 'key = "Luanchuan 2020"'),
        "key",
        "只能由小写字母",
        id="bad-key",
    ),
    pytest.param(
        _mutated('"witness_or_recording"', '"witness_only"'),
        "left_at_address_proof",
        "实际为“witness_only”",
        id="bad-choice",
    ),
    pytest.param(
        _mutated('    "sampling_list",', '    "sampling_lists",'),
        "documents[14]",
        "未知的代码“sampling_lists”",
        id="unknown-document",
    ),
    pytest.param(
        _mutated('    "sampling_list",', '    "sampling_list",\n    "sampling_list",'),
        "documents[15]",
        "重复",
        id="duplicate-document",
    ),
    pytest.param(
        _mutated("organisation = 50000", "company = 50000"),
        "hearing_thresholds[0].company",
        "未知的设置项",
        id="unknown-party-type",
    ),
    pytest.param(
        TEXT_A.replace(
            "individual_business = 2000\n",
            "individual_business = 2000\n\n[[hearing_thresholds]]\n"
            "effective_from = 2010-01-01\norganisation = 1\n",
        ),
        "hearing_thresholds",
        "从早到晚",
        id="thresholds-out-of-order",
    ),
    pytest.param(
        _mutated("max_extensions = 1", "max_extensions = 1\ncolour = 1"),
        "decision_limit.colour",
        "未知的设置项",
        id="unknown-nested-key",
    ),
    pytest.param(
        _mutated('\nbasis = "statute"', '\nbasis = "custom"'),
        "decision_limit.basis",
        "实际为“custom”",
        id="bad-decision-basis",
    ),
    pytest.param(
        _mutated("alert_days_before = [15, 5]", "alert_days_before = [15, -5]"),
        "decision_limit.alert_days_before[1]",
        "应为不小于1的整数",
        id="negative-alert",
    ),
    pytest.param(
        _mutated("citizen_fine_cap_yuan = 200", "citizen_fine_cap_yuan = 500"),
        "summary_procedure.citizen_fine_cap_yuan",
        "不得超过行政处罚法 第51条规定的200元",
        id="summary-cap-above-statute",
    ),
    pytest.param(
        _mutated("years = 30", "years = 30\nmonths = 6"),
        "retention[1].months",
        "只能设置一个",
        id="retention-years-and-months",
    ),
    pytest.param(
        _mutated('code = "summary"', 'code = "general"'),
        "retention[2].code",
        "重复",
        id="duplicate-retention",
    ),
    pytest.param("key = ", "(TOML)", "不是合法的 TOML 文件", id="toml-syntax"),
]


@pytest.mark.parametrize(("text", "key", "reason"), BROKEN)
def test_a_broken_profile_is_refused_naming_file_key_and_reason(
    text: str, key: str, reason: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, source="agency.toml")
    error = caught.value
    assert (error.source, error.key) == ("agency.toml", key)
    assert reason in error.reason
    assert str(error) == f"agency.toml: {key}: {error.reason}"


class TestLoadProfile:
    def test_loads_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "my-agency.toml"
        path.write_text(builtin_profile_text(SEED_B), encoding="utf-8")
        assert load_profile(path) == builtin_profile(SEED_B)

    def test_errors_name_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.toml"
        path.write_text(_mutated("court_window_months = 3", "court_window_months = -3"), "utf-8")
        with pytest.raises(ProfileError, match=r"^broken\.toml: court_window_months: "):
            load_profile(path)

    def test_refuses_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "gbk.toml"
        path.write_bytes(TEXT_A.encode("gb18030"))
        with pytest.raises(ProfileError, match="UTF-8"):
            load_profile(path)
