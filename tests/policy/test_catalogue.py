"""The document catalogue: every kind the profiles name, well-formed, and field values checked;
a profile's own kinds, parsed like the built-in ones and refused naming the key when broken."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest

from casetrail.policy.catalogue import (
    SIGNER_ROLES,
    CatalogueError,
    DocumentKind,
    builtin_catalogue,
    catalogue_for,
    clean_fields,
    parse_catalogue,
    parse_kind,
)
from casetrail.policy.profiles import (
    COMPULSORY_MEASURE_KINDS,
    DOCUMENT_KINDS,
    ProfileError,
    builtin_profile,
    builtin_profile_text,
    builtin_profiles,
    parse_profile,
)
from casetrail.procedure.errors import RuleViolation

SEED_A = "luanchuan-2020"
TEXT_A = builtin_profile_text(SEED_A)
# Every document of REFERENCE.md "Document types", by the codes the profiles use.
EXPECTED_CODES = frozenset(
    {
        "intake_register",
        "inspection_notice",
        "inspection_inquiry",
        "inspection_record",
        "inquiry_transcript",
        "witness_statement",
        "evidence_request_notice",
        "evidence_list",
        "evidence_request_refusal",
        "electronic_data_record",
        "preservation_approval",
        "preservation_notice",
        "preservation_list",
        "preservation_disposal",
        "sampling_list",
        "testing_commission",
        "seizure_decision",
        "seizure_list",
        "enforcement_decision",
        "enforcement_record",
        "av_register",
        "refusal_record",
        "correction_order",
        "correction_check",
        "filing_approval",
        "non_filing_approval",
        "withdrawal_approval",
        "investigation_report",
        "investigation_approval",
        "legal_review_opinion",
        "collective_deliberation_record",
        "prior_notice",
        "hearing_rights_notice",
        "hearing_application",
        "statement_transcript",
        "statement_waiver",
        "re_examination_opinion",
        "hearing_notice",
        "hearing_transcript",
        "hearing_report",
        "decision_approval",
        "decision",
        "no_penalty_decision",
        "summary_decision",
        "summary_filing_record",
        "service_address_confirmation",
        "service_receipt",
        "entrusted_service_letter",
        "postal_service_record",
        "public_notice",
        "public_notice_record",
        "payment_deferral_application",
        "payment_deferral_approval",
        "performance_record",
        "demand_notice",
        "demand_statement_record",
        "court_enforcement_application",
        "case_transfer_letter",
        "disciplinary_recommendation",
        "publication_record",
        "closing_report",
        "dossier_cover",
        "copy_request",
        "remedy_record",
        "court_result_record",
        "access_register",
    }
)
CATALOGUE = builtin_catalogue()
KINDS = sorted(CATALOGUE.values(), key=lambda k: k.code)


def _raw_catalogue() -> dict[str, Any]:
    text = resources.files("casetrail.policy").joinpath("builtin/catalogue.toml").read_text("utf-8")
    kinds: dict[str, Any] = tomllib.loads(text)["kinds"]
    return kinds


class TestBuiltinCatalogue:
    def test_every_document_code_has_a_kind(self) -> None:
        assert set(CATALOGUE) == EXPECTED_CODES
        assert set(DOCUMENT_KINDS) == EXPECTED_CODES

    def test_titles_come_from_the_catalogue(self) -> None:
        assert {code: kind.title for code, kind in CATALOGUE.items()} == DOCUMENT_KINDS
        assert DOCUMENT_KINDS["service_receipt"] == "送达回证"

    @pytest.mark.parametrize("key", sorted(builtin_profiles()))
    def test_each_builtin_profile_uses_only_catalogue_kinds(self, key: str) -> None:
        profile = builtin_profile(key)
        assert set(profile.documents) <= set(CATALOGUE)
        assert tuple(profile.catalogue()) == profile.documents

    @pytest.mark.parametrize("key", sorted(builtin_profiles()))
    def test_every_kind_an_agency_uses_cites_an_article(self, key: str) -> None:
        """The catalogue holds statutes only; the profile adds its own regulation's articles."""
        for kind in builtin_profile(key).catalogue().values():
            assert kind.articles, kind.code

    def test_compulsory_measures_are_catalogued(self) -> None:
        assert set(COMPULSORY_MEASURE_KINDS) <= set(CATALOGUE)

    @pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
    def test_every_kind_parses_on_its_own(self, code: str) -> None:
        kind = parse_kind(code, _raw_catalogue()[code], source="catalogue.toml")
        assert kind == CATALOGUE[code]
        assert kind.fields
        assert kind.stages

    @pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.code)
    def test_signers_name_fields_of_their_kind(self, kind: DocumentKind) -> None:
        names = {f.name: f for f in kind.fields}
        for signer in kind.signers:
            if signer.person:
                assert signer.name_field in names
            elif signer.officer_field:
                assert names[signer.officer_field].type in ("officer", "officers")
            else:
                assert signer.role in SIGNER_ROLES

    def test_signer_roles_are_roles_of_the_agency(self) -> None:
        from casetrail.cases.models import Role

        assert set(SIGNER_ROLES) <= set(Role.values)

    def test_numbered_kinds_have_distinct_abbreviations(self) -> None:
        numbered = [k for k in KINDS if k.numbered]
        assert all(k.abbreviation for k in numbered)
        assert all(k.seal for k in numbered)
        abbreviations = [k.abbreviation for k in numbered]
        assert len(set(abbreviations)) == len(abbreviations)

    def test_references_name_catalogue_kinds(self) -> None:
        refs = {code for k in KINDS for f in k.fields for code in f.ref_kinds}
        assert refs <= set(CATALOGUE)

    def test_transcripts_carry_the_fields_rule_2_reads(self) -> None:
        for kind in (k for k in KINDS if k.transcript):
            assert kind.field("certificates_shown").type == "boolean", kind.code
            assert kind.field("identity_acknowledged").type == "boolean", kind.code

    def test_an_officers_field_is_a_list_of_officers(self) -> None:
        # Rule 1 (≥2 officers) reads the field named "officers".
        for kind in KINDS:
            if any(f.name == "officers" for f in kind.fields):
                assert kind.field("officers").type == "officers", kind.code

    def test_the_service_receipt_signers(self) -> None:
        receipt = CATALOGUE["service_receipt"]
        assert receipt.signer("servers").officer_field == "servers"
        assert receipt.signer("recipient").person
        # 留置: the recipient's refusal, witnessed, stands in for the signature (Seed B 第20条).
        assert not receipt.field("witness_name").required


# --- field values ----------------------------------------------------------------------------

DEFERRAL = CATALOGUE["payment_deferral_application"]
GOOD: Mapping[str, object] = {
    "decision": "12",
    "applicant": " 栾川县某某有限公司 ",
    "request": "instalments",
    "fine": "30000",
    "reason": "资金周转困难",
    "proposed_schedule": "分三期缴纳",
    "applied_on": "2026-03-02",
}


def _refused(**changes: object) -> RuleViolation:
    raw = {**GOOD, **changes}
    with pytest.raises(RuleViolation) as caught:
        clean_fields(DEFERRAL, {k: v for k, v in raw.items() if v is not None})
    return caught.value


class TestCleanFields:
    def test_accepts_good_values_in_canonical_form(self) -> None:
        assert clean_fields(DEFERRAL, GOOD) == {
            "decision": 12,
            "applicant": "栾川县某某有限公司",
            "request": "instalments",
            "fine": "30000.00",
            "reason": "资金周转困难",
            "proposed_schedule": "分三期缴纳",
            "applied_on": "2026-03-02",
        }

    def test_refuses_a_missing_required_field_naming_it(self) -> None:
        error = _refused(reason=None)
        assert error.field == "reason"
        assert "申请理由" in error.message
        assert "必须填写" in error.message

    def test_refuses_a_bad_date(self) -> None:
        error = _refused(applied_on="2026-02-30")
        assert error.field == "applied_on"
        assert "日期格式" in error.message

    def test_refuses_a_bad_money_value(self) -> None:
        error = _refused(fine="3万")
        assert error.field == "fine"
        assert "金额" in error.message

    def test_refuses_an_unknown_choice(self) -> None:
        error = _refused(request="forgive")
        assert error.field == "request"
        assert "延期缴纳" in error.message
        assert "分期缴纳" in error.message

    def test_refuses_an_unknown_key(self) -> None:
        error = _refused(discount="50%")
        assert error.field == "discount"
        assert "没有这一项" in error.message


# --- malformed catalogue entries ------------------------------------------------------------

KIND = """
[kinds.note]
title = "情况说明"
stages = ["any"]
fields = [
  { name = "text", label = "内容", type = "textarea" },
  { name = "who", label = "说明人", type = "officer" },
]
signers = [{ code = "who", label = "说明人", officer_field = "who" }]
"""


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        pytest.param(
            'type = "textarea"',
            'type = "essay"',
            "kinds.note.fields[0].type",
            "实际为“essay”",
            id="unknown-field-type",
        ),
        pytest.param(
            'officer_field = "who"',
            'officer_field = "text"',
            "kinds.note.signers[0].officer_field",
            "不是本文书的执法人员字段",
            id="officer-signer-on-a-text-field",
        ),
        pytest.param(
            'stages = ["any"]',
            'stages = ["later"]',
            "kinds.note.stages[0]",
            "未知的代码“later”",
            id="unknown-stage",
        ),
        pytest.param(
            'stages = ["any"]',
            'stages = ["any"]\nnumbered = true',
            "kinds.note.abbreviation",
            "文号简称",
            id="numbered-without-abbreviation",
        ),
        pytest.param(
            'title = "情况说明"',
            "title = 1",
            "kinds.note.title",
            "应为字符串，实际为整数",
            id="title-not-a-string",
        ),
        pytest.param(
            'label = "说明人", type',
            'label = "说明人", ref_kind = "decision", type',
            "kinds.note.fields[1].ref_kind",
            "只有文书字段",
            id="ref-kind-on-an-officer-field",
        ),
        pytest.param(
            'officer_field = "who"',
            'role = "janitor"',
            "kinds.note.signers[0].role",
            "实际为“janitor”",
            id="unknown-role",
        ),
    ],
)
def test_a_malformed_catalogue_kind_is_refused_naming_the_key(
    old: str, new: str, key: str, reason: str
) -> None:
    assert old in KIND
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(KIND.replace(old, new, 1), source="mine.toml")
    assert (caught.value.source, caught.value.key) == ("mine.toml", key)
    assert reason in caught.value.reason


def test_a_reference_to_an_unknown_kind_is_refused() -> None:
    text = KIND.replace('type = "textarea" }', 'type = "document", ref_kind = "nowhere" }')
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, source="mine.toml")
    assert caught.value.key == "kinds.note.fields[0].ref_kind"


def test_a_document_field_must_name_the_kinds_it_points_at() -> None:
    text = KIND.replace('type = "textarea" }', 'type = "document" }')
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, source="mine.toml")
    assert caught.value.key == "kinds.note.fields[0].ref_kind"
    assert "须指定所引用的文书种类" in caught.value.reason


def test_a_document_field_may_point_at_several_kinds() -> None:
    text = KIND.replace('type = "textarea" }', 'type = "document", ref_kind = ["note", "note"] }')
    kinds = parse_catalogue(text, source="mine.toml")
    assert kinds["note"].fields[0].ref_kinds == ("note", "note")
    unknown = text.replace('ref_kind = ["note", "note"]', 'ref_kind = ["note", "nowhere"]')
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(unknown, source="mine.toml")
    assert "“nowhere”" in caught.value.reason


# --- a profile's own kinds ------------------------------------------------------------------

OWN_KIND = """
[document_kinds.report_reminder]
title = "统计资料催报通知书"
stages = ["investigation"]
numbered = true
abbreviation = "统催报字"
seal = true
articles = ["统计法 第44条(一)"]
fields = [
  { name = "unit", label = "统计调查对象", type = "text" },
  { name = "reports", label = "应报送的统计资料", type = "textarea" },
  { name = "submit_by", label = "报送期限", type = "date" },
]
signers = [
  { code = "receiver", label = "签收人", person = true, name_field = "unit" },
]
"""


def _with_own_kind(kind: str = OWN_KIND, *, listed: str = "report_reminder") -> str:
    old = '    "access_register",'
    assert TEXT_A.count(old) == 1
    return TEXT_A.replace(old, f'{old}\n    "{listed}",', 1) + kind


class TestOwnKinds:
    def test_an_own_kind_parses_and_joins_the_catalogue(self) -> None:
        profile = parse_profile(_with_own_kind(), source="agency.toml")
        kind = profile.extra_kinds["report_reminder"]
        assert kind.title == "统计资料催报通知书"
        assert kind.abbreviation == "统催报字"
        catalogue = profile.catalogue()
        assert catalogue["report_reminder"] == kind
        assert list(catalogue)[-1] == "report_reminder"
        # a built-in kind cites the agency's own article (document_articles) before its statutes
        own = ("栾川县制度第十条", *CATALOGUE["decision"].articles)
        assert catalogue["decision"] == replace(CATALOGUE["decision"], articles=own)
        assert list(catalogue_for(profile.documents, profile.extra_kinds)) == list(catalogue)

    def test_builtin_profiles_have_no_own_kinds(self) -> None:
        assert dict(builtin_profile(SEED_A).extra_kinds) == {}

    def test_an_own_kind_must_be_listed_to_be_used(self) -> None:
        unlisted = TEXT_A + OWN_KIND
        profile = parse_profile(unlisted, source="agency.toml")
        assert "report_reminder" in profile.extra_kinds
        assert "report_reminder" not in profile.catalogue()

    def test_an_unlisted_code_is_still_unknown(self) -> None:
        with pytest.raises(ProfileError) as caught:
            parse_profile(_with_own_kind(listed="report_reminders"), source="agency.toml")
        assert caught.value.key.startswith("documents[")
        assert "report_reminders" in caught.value.reason

    @pytest.mark.parametrize(
        ("old", "new", "key", "reason"),
        [
            pytest.param(
                'type = "date"',
                'type = "day"',
                "document_kinds.report_reminder.fields[2].type",
                "实际为“day”",
                id="unknown-field-type",
            ),
            pytest.param(
                'name_field = "unit"',
                'name_field = "company"',
                "document_kinds.report_reminder.signers[0].name_field",
                "须为本文书的字段",
                id="signer-without-field",
            ),
            pytest.param(
                'abbreviation = "统催报字"\n',
                "",
                "document_kinds.report_reminder.abbreviation",
                "文号简称",
                id="numbered-without-abbreviation",
            ),
            pytest.param(
                "seal = true",
                "seal = true\ncolour = 1",
                "document_kinds.report_reminder.colour",
                "未知的设置项",
                id="unknown-key",
            ),
            pytest.param(
                'title = "统计资料催报通知书"\n',
                "",
                "document_kinds.report_reminder.title",
                "缺少必填设置项",
                id="no-title",
            ),
            pytest.param(
                '{ name = "submit_by", label = "报送期限", type = "date" },',
                '{ name = "submit_by", label = "报送期限", type = "date" },\n'
                '{ name = "notice", label = "原通知", type = "document", ref_kind = "reminder" },',
                "document_kinds.report_reminder.fields[3].ref_kind",
                "未知的文书代码“reminder”",
                id="unknown-ref-kind",
            ),
            pytest.param(
                "[document_kinds.report_reminder]",
                "[document_kinds.decision]",
                "document_kinds.decision",
                "内置文书的代码",
                id="shadows-a-builtin-kind",
            ),
        ],
    )
    def test_a_malformed_own_kind_is_refused_naming_the_key(
        self, old: str, new: str, key: str, reason: str
    ) -> None:
        assert old in OWN_KIND
        text = _with_own_kind(OWN_KIND.replace(old, new, 1))
        with pytest.raises(ProfileError) as caught:
            parse_profile(text, source="agency.toml")
        error = caught.value
        assert (error.source, error.key) == ("agency.toml", key)
        assert reason in error.reason
        assert str(error) == f"agency.toml: {key}: {error.reason}"

    def test_document_kinds_must_be_a_table(self) -> None:
        text = TEXT_A.replace("key = ", "document_kinds = 1\nkey = ", 1)
        with pytest.raises(ProfileError) as caught:
            parse_profile(text, source="agency.toml")
        assert caught.value.key == "document_kinds"
        assert "应为表" in caught.value.reason
